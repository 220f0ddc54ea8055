//! Work-tree files as git stores them. Before `git diff` compares a work-tree file with
//! the index or HEAD it converts it as `git add` would: a clean filter
//! (`filter.<driver>.clean` or `.process`), `working-tree-encoding`, line endings
//! (`core.autocrlf`, the `text`, `eol` and `crlf` attributes) and `ident`. For the
//! files any of these apply to, lockstep has git itself convert them (`git hash-object
//! -w --stdin-paths`), writing the results into a temporary object directory of its
//! own, never the repository's.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::rc::Rc;

use git2::{AttrCheckFlags, AttrValue};

use super::Repo;
use super::error::{Context, GitError, ReadError};
use super::id::Id;
use super::loose;
use super::pack::Object;
use super::tree_walk::RawChange;

/// The converted work-tree files of one reader.
pub(super) struct Cleaned {
    /// Where git wrote the converted files' objects; removed with this.
    dir: tempfile::TempDir,
    /// Each converted path's object id.
    ids: HashMap<String, Id>,
}

const REGULAR: u32 = 0o100000;

impl Repo {
    /// Whether git converts the work-tree file `path` before comparing it (see the
    /// module's documentation). Names that are not UTF-8, or that hold a newline, are
    /// read as they are.
    pub(super) fn converts(&self, path: &[u8]) -> bool {
        // `--stdin-paths` reads one name a line.
        let Ok(path) = std::str::from_utf8(path) else {
            return false;
        };
        if path.contains('\n') {
            return false;
        }
        let attr = |name: &str| {
            let flags = AttrCheckFlags::FILE_THEN_INDEX;
            let repo = self.libgit2().ok();
            let value = repo.and_then(|repo| repo.get_attr(Path::new(path), name, flags).ok());
            AttrValue::from_string(value.flatten())
        };
        if self.recodes(path) || matches!(attr("ident"), AttrValue::True) {
            return true;
        }
        let text = match attr("text") {
            AttrValue::Unspecified => attr("crlf"),
            text => text,
        };
        match text {
            AttrValue::False => false,
            AttrValue::True | AttrValue::String(_) => true,
            _ if matches!(attr("eol"), AttrValue::String(_)) => true,
            _ => self
                .config()
                .and_then(|c| c.get_string("core.autocrlf").ok())
                .is_some_and(|v| {
                    matches!(
                        v.to_ascii_lowercase().as_str(),
                        "true" | "yes" | "on" | "1" | "input"
                    )
                }),
        }
    }

    /// Whether git's conversion of the work-tree file `path` can change its text beyond
    /// line endings: a clean filter (`filter.<driver>.clean` or `.process` configured)
    /// or `working-tree-encoding`.
    fn recodes(&self, path: &str) -> bool {
        let attr = |name: &str| {
            let flags = AttrCheckFlags::FILE_THEN_INDEX;
            let repo = self.libgit2().ok();
            let value = repo.and_then(|repo| repo.get_attr(Path::new(path), name, flags).ok());
            AttrValue::from_string(value.flatten())
        };
        if matches!(attr("working-tree-encoding"), AttrValue::String(_)) {
            return true;
        }
        let AttrValue::String(driver) = attr("filter") else {
            return false;
        };
        let config = self.config();
        let configured = |key: &str| config.is_some_and(|c| c.get_entry(key).is_ok());
        configured(&format!("filter.{driver}.clean"))
            || configured(&format!("filter.{driver}.process"))
    }

    /// The work-tree files among `paths` whose text git's conversion can change beyond
    /// line endings (a clean filter, `working-tree-encoding`), as git converts them, in
    /// one run of git; `None` for the others, whose bytes on disk are their text (or
    /// which are not on disk).
    pub fn recoded_work_tree(&self, paths: &[&str]) -> Result<Vec<Option<Rc<[u8]>>>, GitError> {
        let root = self.workdir().unwrap_or(Path::new(""));
        // A tracked file deleted from the work tree has nothing to convert.
        let on_disk = |path: &str| root.join(path).is_file();
        let recoded: Vec<&str> = if self.may_recode(paths) {
            paths
                .iter()
                .copied()
                .filter(|path| !path.contains('\n') && self.recodes(path) && on_disk(path))
                .collect()
        } else {
            Vec::new()
        };
        let mut converted = HashMap::new();
        if !recoded.is_empty() {
            for (path, id) in recoded
                .iter()
                .zip(self.clean(&recoded)?.unwrap_or_default())
            {
                let context = || format!("cannot read `{path}` as git converts it");
                converted.insert(*path, self.read_object(id, context)?.1);
            }
        }
        Ok(paths.iter().map(|path| converted.remove(path)).collect())
    }

    /// Whether any attributes file git reads for the work tree (`.gitattributes` among
    /// `paths`, `info/attributes`, `core.attributesFile` or its XDG default, the
    /// system's) names an encoding, or a filter while a filter driver is configured:
    /// without one, no file's lookups are needed (a whole-tree scan would pay them for
    /// every file).
    fn may_recode(&self, paths: &[&str]) -> bool {
        let root = self.workdir().map(Path::to_path_buf).unwrap_or_default();
        let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
        let xdg = std::env::var_os("XDG_CONFIG_HOME")
            .map(std::path::PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".config")));
        let configured = self
            .config()
            .and_then(|c| c.get_path("core.attributesFile").ok());
        let mut files: Vec<std::path::PathBuf> = paths
            .iter()
            .filter(|path| path.rsplit('/').next() == Some(".gitattributes"))
            .map(|path| root.join(path))
            .collect();
        files.push(self.layout.common_dir.join("info/attributes"));
        files.push(std::path::PathBuf::from("/etc/gitattributes"));
        files.extend(configured.or_else(|| xdg.map(|x| x.join("git/attributes"))));
        // A filter attribute converts only when its driver is configured.
        let drivers = self.config().is_some_and(|config| {
            config
                .entries(Some(r"^filter\..*\.(clean|process)$"))
                .is_ok_and(|mut entries| entries.next().is_some())
        });
        files.iter().any(|file| {
            std::fs::read(file).is_ok_and(|text| {
                memchr::memmem::find(&text, b"working-tree-encoding").is_some()
                    || (drivers && memchr::memmem::find(&text, b"filter").is_some())
            })
        })
    }

    /// The objects git makes of the work-tree files at `paths` (relative to the work
    /// tree's root), converted; their contents are then read by [`Repo::read_object`].
    /// `None` without git on PATH (lockstep then reads files as they are on disk).
    fn clean(&self, paths: &[&str]) -> Result<Option<Vec<Id>>, GitError> {
        let mut cleaned = self.cleaned.borrow_mut();
        let cleaned = match cleaned.as_mut() {
            Some(cleaned) => cleaned,
            None => cleaned.insert(Cleaned {
                dir: tempfile::tempdir()
                    .context(|| "cannot make a temporary directory".to_owned())?,
                ids: HashMap::new(),
            }),
        };
        let missing: Vec<&str> = paths
            .iter()
            .copied()
            .filter(|p| !cleaned.ids.contains_key(*p))
            .collect();
        if !missing.is_empty() {
            let Some(ids) = self.hash_objects(cleaned.dir.path(), &missing)? else {
                return Ok(None);
            };
            cleaned
                .ids
                .extend(missing.iter().map(|p| (*p).to_owned()).zip(ids));
        }
        Ok(Some(paths.iter().map(|p| cleaned.ids[*p]).collect()))
    }

    /// Runs `git hash-object -w --stdin-paths` on `paths`, writing into `objects`
    /// (the repository's own objects are its alternates, so git finds what the index
    /// holds, as the line-ending rules ask).
    fn hash_objects(&self, objects: &Path, paths: &[&str]) -> Result<Option<Vec<Id>>, GitError> {
        let root = self.require_workdir("converting work-tree files")?;
        let failed = |reason: String| GitError::Converted {
            paths: paths.join(", "),
            reason,
        };
        let alternates = std::iter::once(&self.layout.object_dir).chain(&self.layout.alternates);
        let alternates = std::env::join_paths(alternates).map_err(|e| failed(e.to_string()))?;
        let child = Command::new("git")
            .current_dir(root)
            .arg("--git-dir")
            .arg(&self.layout.git_dir)
            .arg("--work-tree")
            .arg(root)
            .args(["hash-object", "-w", "--stdin-paths"])
            .env("GIT_OBJECT_DIRECTORY", objects)
            .env("GIT_ALTERNATE_OBJECT_DIRECTORIES", alternates)
            .env("GIT_INDEX_FILE", &self.layout.index_file)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match child {
            Ok(child) => child,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(failed(format!("cannot run git: {e}"))),
        };
        let input = paths.iter().map(|p| format!("{p}\n")).collect::<String>();
        // Written from another thread: git answers while it reads.
        let mut stdin = child.stdin.take();
        let writer = std::thread::spawn(move || {
            stdin
                .as_mut()
                .map_or(Ok(()), |s| s.write_all(input.as_bytes()))
        });
        let output = child
            .wait_with_output()
            .map_err(|e| failed(e.to_string()))?;
        let _ = writer.join();
        if !output.status.success() {
            return Err(failed(super::repo::git_message(&output.stderr)));
        }
        let ids: Vec<Id> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| Id::from_hex(line.trim().as_bytes()))
            .collect();
        if ids.len() != paths.len() {
            return Err(failed("unexpected output".to_owned()));
        }
        Ok(Some(ids))
    }

    /// A converted file's object, if git wrote it for this reader.
    pub(super) fn read_cleaned(&self, id: Id) -> Result<Option<Object>, ReadError> {
        match self.cleaned.borrow().as_ref() {
            Some(cleaned) => loose::read(cleaned.dir.path(), id),
            None => Ok(None),
        }
    }

    /// The work tree's side of `raw` as `git diff` sees it: each regular file git
    /// converts becomes its converted object, and a change whose converted file equals
    /// its old side is none.
    pub(super) fn clean_work_tree(&self, raw: &mut Vec<RawChange>) -> Result<(), GitError> {
        let converted: Vec<usize> = (0..raw.len())
            .filter(|&i| {
                raw[i].new.is_some_and(|new| {
                    new.id.is_zero()
                        && new.mode & 0o170000 == REGULAR
                        && self.converts(&raw[i].path)
                })
            })
            .collect();
        if converted.is_empty() {
            return Ok(());
        }
        let paths: Vec<String> = converted
            .iter()
            .map(|&i| String::from_utf8_lossy(&raw[i].path).into_owned())
            .collect();
        let names: Vec<&str> = paths.iter().map(String::as_str).collect();
        let Some(ids) = self.clean(&names)? else {
            return Ok(());
        };
        for (&i, id) in converted.iter().zip(ids) {
            if let Some(new) = raw[i].new.as_mut() {
                new.id = id;
            }
        }
        raw.retain(|change| change.old != change.new);
        Ok(())
    }

    /// The converted bytes of the work-tree file `path`, or `None` when git does not
    /// convert it.
    pub(super) fn read_converted(&self, path: &str) -> Result<Option<Object>, GitError> {
        if !self.converts(path.as_bytes()) {
            return Ok(None);
        }
        let Some(&[id]) = self.clean(&[path])?.as_deref() else {
            return Ok(None);
        };
        let context = || format!("cannot read `{path}` as git converts it");
        self.read_object(id, context).map(Some)
    }
}
