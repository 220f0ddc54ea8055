//! The object database as lockstep reads it: packs first (most objects live there),
//! then loose objects, then libgit2 for what neither holds: alternates, packs written
//! since the packs were listed, index versions other than 2.

use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, OnceLock};

use git2::{ObjectType, Repository};

use super::Repo;
use super::error::{Context, GitError, ReadError};
use super::id::Id;
use super::loose;
use super::pack::{BASE_CACHE, Object, Pack, PackFile};
use crate::change::Content;

/// A repository's packs, listed at the first read and shared by every thread.
pub(super) type PackFiles = Arc<OnceLock<Packs>>;

/// The packs of `objects/pack` this reader understands, and what is wrong with those
/// that fail git's checks. libgit2 reads the rest (other index versions).
#[derive(Default)]
pub(super) struct Packs {
    sound: Vec<Arc<PackFile>>,
    damaged: Vec<String>,
}

impl Packs {
    fn open(dir: &Path) -> Packs {
        let mut packs = Packs::default();
        let Ok(entries) = std::fs::read_dir(dir.join("pack")) else {
            return packs;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "idx") {
                continue;
            }
            match PackFile::open(&path) {
                Ok(Some(pack)) => packs.sound.push(Arc::new(pack)),
                Ok(None) => {}
                Err(damage) => packs.damaged.push(damage.to_string()),
            }
        }
        packs
    }
}

/// One thread's reader of a repository's objects.
pub(super) struct Objects {
    /// `$GIT_COMMON_DIR/objects`.
    dir: PathBuf,
    files: PackFiles,
    /// This thread's readers of the sound packs, made at the first read: a diff of the
    /// work tree may read no object at all.
    packs: Option<Vec<Pack>>,
    /// Bytes of delta bases each pack's reader keeps.
    base_cache: usize,
}

impl Objects {
    pub fn new(dir: PathBuf, files: PackFiles) -> Objects {
        Objects {
            dir,
            files,
            packs: None,
            base_cache: BASE_CACHE,
        }
    }

    /// Keeps at most `bytes` of delta bases a pack, for a reader that needs few; set
    /// before the first read.
    pub fn keep_bases(&mut self, bytes: usize) {
        self.base_cache = bytes;
    }

    /// The packs, for another thread's reader to share.
    pub fn pack_files(&self) -> PackFiles {
        Arc::clone(&self.files)
    }

    fn listed(&self) -> &Packs {
        self.files.get_or_init(|| Packs::open(&self.dir))
    }

    /// What is wrong with the first damaged pack, if one is: a reason why an object
    /// could not be found.
    pub fn damage(&self) -> Option<ReadError> {
        let damage = self.listed().damaged.first()?;
        Some(ReadError::damaged(damage.clone()))
    }

    /// The object `id`, from a sound pack, a loose object, or libgit2 (alternates, packs
    /// written since the packs were listed); when none has it, a damaged pack is named.
    /// `repo` opens libgit2's repository, only for that last resort.
    pub fn read<'r>(
        &mut self,
        repo: impl FnOnce() -> Result<&'r Repository, git2::Error>,
        id: Id,
    ) -> Result<Object, ReadError> {
        match self.packed(id) {
            Some((pack, offset)) => pack.object(offset),
            None => self.unpacked(repo, id),
        }
    }

    /// The object `id`, found as [`Objects::read`] finds it, written over `out`: a
    /// reader done with each object before the next reads them all into one buffer, and
    /// a packed object costs no allocation. Its kind.
    pub fn read_into<'r>(
        &mut self,
        repo: impl FnOnce() -> Result<&'r Repository, git2::Error>,
        id: Id,
        out: &mut Vec<u8>,
    ) -> Result<ObjectType, ReadError> {
        if let Some((pack, offset)) = self.packed(id) {
            return pack.object_into(offset, out);
        }
        let (kind, bytes) = self.unpacked(repo, id)?;
        out.clear();
        out.extend_from_slice(&bytes);
        Ok(kind)
    }

    /// The sound pack holding `id`, and where.
    fn packed(&mut self, id: Id) -> Option<(&mut Pack, u64)> {
        if self.packs.is_none() {
            let base_cache = self.base_cache;
            let packs = self.listed().sound.iter().cloned();
            let packs = packs.map(|file| Pack::new(file, base_cache)).collect();
            self.packs = Some(packs);
        }
        self.packs
            .iter_mut()
            .flatten()
            .find_map(|pack| Some((pack.offset(&id.0)?, pack)))
            .map(|(offset, pack)| (pack, offset))
    }

    /// The object `id`, which no sound pack holds: loose, or from libgit2.
    fn unpacked<'r>(
        &self,
        repo: impl FnOnce() -> Result<&'r Repository, git2::Error>,
        id: Id,
    ) -> Result<Object, ReadError> {
        if let Some(object) = loose::read(&self.dir, id)? {
            return Ok(object);
        }
        let read = repo().and_then(Repository::odb).and_then(|odb| {
            let object = odb.read(id.oid())?;
            Ok((object.kind(), Rc::from(object.data())))
        });
        read.map_err(|error| self.damage().unwrap_or_else(|| error.into()))
    }
}

impl Repo {
    /// The bytes of `content` (a file of `path`), as [`Repo::read_content`] reads them,
    /// written over `out`. A blob is read without passing through the cache of blobs
    /// read lately: for a reader that reads each blob once.
    pub fn read_content_into(
        &self,
        path: &str,
        content: Content,
        out: &mut Vec<u8>,
    ) -> Result<(), GitError> {
        let Content::Object { id, .. } = content else {
            let bytes = self.read_content(path, Some(content))?;
            out.clear();
            out.extend_from_slice(&bytes);
            return Ok(());
        };
        let id = Id(id);
        let context = || format!("cannot read the blob {id} of `{path}`");
        let stored = self.replacement(id)?;
        let repo = || {
            self.libgit2()
                .map_err(|e| git2::Error::from_str(&e.to_string()))
        };
        let read = self.objects.borrow_mut().read_into(repo, stored, out);
        let kind = match read {
            // Where else it may be: cleaned objects, a promisor remote.
            Err(e) if e.is_not_found() => {
                let (kind, bytes) = self.read_object(id, context)?;
                out.clear();
                out.extend_from_slice(&bytes);
                kind
            }
            read => read.context(context)?,
        };
        if kind != ObjectType::Blob {
            return Err(ReadError::damaged("not a blob")).context(context);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_git::git;
    use super::*;
    use git2::Oid;

    /// Thirty commits, each changing one more line of a file (so each version is
    /// closest to the next, and packs chain their deltas) and growing another.
    fn history() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        git(dir.path(), &["init", "-q", "."]);
        let mut lines: Vec<String> = (0..300)
            .map(|n| format!("line {n}, padded to be worth a delta\n"))
            .collect();
        for i in 1..=30 {
            lines[i * 37 % 300] = format!("changed by commit {i}\n");
            std::fs::write(dir.path().join("edited.txt"), lines.concat()).expect("write");
            let log = format!("entry {i}\n").repeat(i);
            std::fs::write(dir.path().join("log.txt"), log).expect("write");
            commit(dir.path(), &format!("c{i}"));
        }
        dir
    }

    /// Every object of the repository as `git cat-file --batch` prints it.
    fn all_objects(dir: &Path) -> Vec<(Oid, String, Vec<u8>)> {
        let out = git(dir, &["cat-file", "--batch-all-objects", "--batch"]);
        let mut rest = &out[..];
        let mut objects = Vec::new();
        while let Some(newline) = rest.iter().position(|&b| b == b'\n') {
            let header = String::from_utf8_lossy(&rest[..newline]).into_owned();
            let fields: Vec<&str> = header.split(' ').collect();
            let size: usize = fields[2].parse().expect("size");
            let body = rest[newline + 1..newline + 1 + size].to_vec();
            let id = Oid::from_str(fields[0]).expect("id");
            objects.push((id, fields[1].to_owned(), body));
            rest = &rest[newline + 1 + size + 1..];
        }
        objects
    }

    /// Reads every object and compares it with git's, both as its own bytes and into a
    /// buffer reused from object to object (in another order, so either read finds bases
    /// the other left in the cache); returns how many packs were used.
    fn assert_reads_as_git(dir: &Path) -> usize {
        let repo = Repository::open(dir).expect("open");
        let mut objects = Objects::new(repo.path().join("objects"), PackFiles::default());
        let expected = all_objects(dir);
        assert!(expected.len() > 60, "{} objects", expected.len());
        let mut buffer = Vec::new();
        for (id, kind, bytes) in &expected {
            let (read_kind, read) = objects.read(|| Ok(&repo), Id::from(*id)).expect("readable");
            assert_eq!(
                (read_kind.str(), &read[..]),
                (kind.as_str(), &bytes[..]),
                "{id}"
            );
        }
        for (id, kind, bytes) in expected.iter().rev() {
            let read_kind = objects
                .read_into(|| Ok(&repo), Id::from(*id), &mut buffer)
                .expect("readable");
            assert_eq!(
                (read_kind.str(), &buffer[..]),
                (kind.as_str(), &bytes[..]),
                "{id}, into a buffer"
            );
        }
        objects.files.get().map_or(0, |packs| packs.sound.len())
    }

    fn pack_path(dir: &Path, extension: &str) -> PathBuf {
        let pack = dir.join(".git/objects/pack");
        std::fs::read_dir(&pack)
            .expect("pack dir")
            .map(|e| e.expect("entry").path())
            .find(|p| p.extension().is_some_and(|e| e == extension))
            .expect("a pack")
    }

    fn commit(dir: &Path, message: &str) {
        git(dir, &["add", "."]);
        let who = ["-c", "user.name=T", "-c", "user.email=t@example.com"];
        git(dir, &[&who[..], &["commit", "-qm", message]].concat());
    }

    /// Rewrites the pack's index with `git index-pack --index-version=VERSION`.
    fn reindex(dir: &Path, version: &str) {
        let (pack, idx) = (pack_path(dir, "pack"), pack_path(dir, "idx"));
        let rewritten = dir.join("rewritten.idx");
        let version = format!("--index-version={version}");
        let output = rewritten.to_string_lossy();
        git(
            dir,
            &[
                "index-pack",
                &version,
                "-o",
                &output,
                &pack.to_string_lossy(),
            ],
        );
        std::fs::remove_file(&idx).expect("old index");
        std::fs::rename(&rewritten, &idx).expect("new index");
    }

    #[test]
    fn loose_objects_read_as_git_reads_them() {
        let repo = history();
        assert_eq!(assert_reads_as_git(repo.path()), 0);
    }

    #[test]
    fn deep_offset_delta_chains_read_as_git_reads_them() {
        let repo = history();
        git(
            repo.path(),
            &["repack", "-adq", "--depth=50", "--window=50"],
        );
        let chains = git(
            repo.path(),
            &[
                "verify-pack",
                "-v",
                &pack_path(repo.path(), "idx").to_string_lossy(),
            ],
        );
        assert!(
            String::from_utf8_lossy(&chains).contains("chain length = 15"),
            "deep chains"
        );
        assert_eq!(assert_reads_as_git(repo.path()), 1);
    }

    #[test]
    fn deltas_naming_their_base_by_id_read_as_git_reads_them() {
        let repo = history();
        let by_id = ["-c", "repack.useDeltaBaseOffset=false"];
        git(
            repo.path(),
            &[&by_id[..], &["repack", "-adq", "--depth=50"]].concat(),
        );
        assert_eq!(assert_reads_as_git(repo.path()), 1);
    }

    #[test]
    fn large_offsets_and_packs_beside_loose_objects_read_as_git_reads_them() {
        let repo = history();
        git(repo.path(), &["repack", "-adq"]);
        // Index every object past offset 64 in the table of 8-byte offsets.
        reindex(repo.path(), "2,0x40");
        std::fs::write(repo.path().join("new.txt"), "loose\n").expect("write");
        git(repo.path(), &["add", "new.txt"]);
        assert_eq!(assert_reads_as_git(repo.path()), 1);
    }

    #[test]
    fn objects_larger_than_a_window_and_across_window_ends_read_as_git_reads_them() {
        let repo = history();
        // Incompressible bytes, so the pack is several windows long.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let noise: Vec<u8> = (0..5 << 19)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        for (i, chunk) in noise.chunks(noise.len() / 3).enumerate() {
            std::fs::write(repo.path().join(format!("noise{i}.bin")), chunk).expect("write");
            commit(repo.path(), "noise");
        }
        git(repo.path(), &["repack", "-adq"]);
        let pack = std::fs::metadata(pack_path(repo.path(), "pack")).expect("pack");
        assert!(pack.len() > 2 << 20, "{} bytes", pack.len());
        assert_eq!(assert_reads_as_git(repo.path()), 1);
    }

    #[test]
    fn version_1_indexes_are_left_to_libgit2() {
        let repo = history();
        git(repo.path(), &["repack", "-adq"]);
        reindex(repo.path(), "1");
        assert_eq!(assert_reads_as_git(repo.path()), 0);
    }

    #[test]
    fn damaged_packs_are_errors_naming_the_pack() {
        let repo = history();
        git(repo.path(), &["repack", "-adq", "--depth=50"]);
        let pack = pack_path(repo.path(), "pack");
        let bytes = std::fs::read(&pack).expect("pack");
        let ids: Vec<Oid> = all_objects(repo.path())
            .into_iter()
            .map(|(id, ..)| id)
            .collect();
        let damaged = |bytes: &[u8]| {
            std::fs::remove_file(&pack).expect("remove");
            std::fs::write(&pack, bytes).expect("write");
            let repository = Repository::open(repo.path()).expect("open");
            let objects = || Objects::new(repository.path().join("objects"), PackFiles::default());
            let as_damage = |e| match e {
                ReadError::Damaged(what) => what,
                ReadError::Libgit2(e) => panic!("not found as damage: {e}"),
            };
            let mut read = objects();
            let errors: Vec<String> = ids
                .iter()
                .filter_map(|&id| read.read(|| Ok(&repository), Id::from(id)).err())
                .map(as_damage)
                .collect();
            assert!(!errors.is_empty(), "some objects are damaged");
            assert!(errors.iter().all(|e| e.contains("pack-")), "{errors:?}");
            let (mut read, mut buffer) = (objects(), Vec::new());
            let into: Vec<String> = ids
                .iter()
                .filter_map(|&id| {
                    let id = Id::from(id);
                    read.read_into(|| Ok(&repository), id, &mut buffer).err()
                })
                .map(as_damage)
                .collect();
            assert_eq!(into, errors, "the same errors into a buffer");
        };
        damaged(&bytes[..bytes.len() / 2]);
        let mut flipped = bytes.clone();
        for at in (12..flipped.len() - 20).step_by(7) {
            flipped[at] ^= 0x55;
        }
        damaged(&flipped);
    }
}
