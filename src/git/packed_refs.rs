//! `packed-refs` looked up as git's packed backend looks it up (refs/packed-backend.c,
//! `find_reference_location`): a file whose header says `sorted` — git writes every
//! one so — is searched by bisection, reading a few small blocks of it (cargo's holds
//! 600 KB of refs); any other is read through.

use std::fs::File;
use std::io::ErrorKind;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// Bytes read at a time.
const BLOCK: u64 = 4 << 10;
/// What the header line starts with; its traits follow, separated by spaces.
const HEADER: &[u8] = b"# pack-refs with: ";

/// A ref of `packed-refs`: its name and the object id it holds, as written.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Packed {
    pub name: Vec<u8>,
    pub id: Vec<u8>,
}

/// The first ref of `packed-refs` (in the common directory) whose name is `key` or sorts
/// after it: `key` itself if it is packed, and a name starting with `key` if any does.
/// `Ok(None)`: no such ref, or no `packed-refs`.
pub(super) fn first_from(common_dir: &Path, key: &[u8]) -> std::io::Result<Option<Packed>> {
    let file = match File::open(common_dir.join("packed-refs")) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut refs = Blocks::new(file)?;
    let header = refs.line(0)?;
    let (start, sorted) = match header.strip_prefix(HEADER) {
        Some(traits) => (
            header.len() as u64 + 1,
            traits.split(|&b| b == b' ').any(|t| t == b"sorted"),
        ),
        None => (0, false),
    };
    if sorted {
        refs.bisect(start, key)
    } else {
        refs.scan(start, key)
    }
}

/// A record line, `<id> SP <name>`; `None` for a peeled line (`^<id>`) or a comment.
fn record(line: &[u8]) -> Option<Packed> {
    if line.starts_with(b"^") || line.starts_with(b"#") {
        return None;
    }
    let space = line.iter().position(|&b| b == b' ')?;
    Some(Packed {
        name: line[space + 1..].to_vec(),
        id: line[..space].to_vec(),
    })
}

/// The file, read in blocks kept as they are read.
struct Blocks {
    file: File,
    len: u64,
    /// Blocks by their number; a search reads a few, a scan all.
    read: std::collections::HashMap<u64, Vec<u8>>,
}

impl Blocks {
    fn new(file: File) -> std::io::Result<Blocks> {
        let len = file.metadata()?.len();
        Ok(Blocks {
            file,
            len,
            read: std::collections::HashMap::new(),
        })
    }

    /// The bytes from `at` to the end of its block (none past the file's end).
    fn from(&mut self, at: u64) -> std::io::Result<&[u8]> {
        let number = at / BLOCK;
        if !self.read.contains_key(&number) {
            let start = number * BLOCK;
            let mut bytes = vec![0; BLOCK.min(self.len.saturating_sub(start)) as usize];
            self.file.read_exact_at(&mut bytes, start)?;
            self.read.insert(number, bytes);
        }
        let bytes = &self.read[&number];
        Ok(bytes.get((at % BLOCK) as usize..).unwrap_or_default())
    }

    /// The line starting at `at`, without its newline (the last may have none).
    fn line(&mut self, mut at: u64) -> std::io::Result<Vec<u8>> {
        let mut line = Vec::new();
        while at < self.len {
            let bytes = self.from(at)?;
            if let Some(end) = bytes.iter().position(|&b| b == b'\n') {
                line.extend_from_slice(&bytes[..end]);
                break;
            }
            line.extend_from_slice(bytes);
            at += bytes.len() as u64;
        }
        Ok(line)
    }

    /// Where the first line starting at or after `at` starts (the file's length if none).
    fn line_start(&mut self, at: u64) -> std::io::Result<u64> {
        if at == 0 {
            return Ok(0);
        }
        let mut at = at - 1;
        while at < self.len {
            let bytes = self.from(at)?;
            if let Some(end) = bytes.iter().position(|&b| b == b'\n') {
                return Ok(at + end as u64 + 1);
            }
            at += bytes.len() as u64;
        }
        Ok(self.len)
    }

    /// The first record starting at or after `at`: it, where it starts, and where the
    /// line after it starts.
    fn record_from(&mut self, at: u64) -> std::io::Result<Option<(Packed, u64, u64)>> {
        let mut at = self.line_start(at)?;
        while at < self.len {
            let line = self.line(at)?;
            let next = at + line.len() as u64 + 1;
            if let Some(packed) = record(&line) {
                return Ok(Some((packed, at, next)));
            }
            at = next;
        }
        Ok(None)
    }

    /// Bisection of the records from `start` (a line's start) on, which are sorted by
    /// name. Every record starting before `low` sorts before `key`; the first that does
    /// not starts before `high`, or is `found`.
    fn bisect(&mut self, start: u64, key: &[u8]) -> std::io::Result<Option<Packed>> {
        let (mut low, mut high) = (start, self.len);
        let mut found = None;
        while low < high {
            let middle = low + (high - low) / 2;
            match self.record_from(middle)? {
                Some((packed, at, next)) if at < high => {
                    if packed.name.as_slice() < key {
                        low = next;
                    } else {
                        high = middle;
                        found = Some(packed);
                    }
                }
                // No record starts in [middle, high).
                _ => high = middle,
            }
        }
        Ok(found)
    }

    /// The records from `start` on, in any order: the least name at or after `key`.
    fn scan(&mut self, start: u64, key: &[u8]) -> std::io::Result<Option<Packed>> {
        let mut found: Option<Packed> = None;
        let mut at = start;
        while let Some((packed, _, next)) = self.record_from(at)? {
            at = next;
            let better = found.as_ref().is_none_or(|f| packed.name < f.name);
            if packed.name.as_slice() >= key && better {
                found = Some(packed);
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_git::git;
    use super::*;

    /// `packed-refs` as git writes it: the header, then records sorted by name, an
    /// annotated tag's followed by its peeled line.
    fn written(names: &[String]) -> Vec<u8> {
        let mut names = names.to_vec();
        names.sort();
        let mut text = b"# pack-refs with: peeled fully-peeled sorted \n".to_vec();
        for (i, name) in names.iter().enumerate() {
            text.extend_from_slice(format!("{:040x} {name}\n", i + 1).as_bytes());
            if name.starts_with("refs/tags/") {
                text.extend_from_slice(format!("^{:040x}\n", i + 100_000).as_bytes());
            }
        }
        text
    }

    /// The answer read through, whatever the order.
    fn expected(text: &[u8], key: &[u8]) -> Option<Vec<u8>> {
        text.split(|&b| b == b'\n')
            .filter_map(record)
            .map(|r| r.name)
            .filter(|name| name.as_slice() >= key)
            .min()
    }

    fn names(count: usize) -> Vec<String> {
        (0..count)
            .map(|i| match i % 4 {
                0 => format!("refs/heads/branch-{i:05}"),
                1 => format!("refs/tags/v{i}.{}", i % 7),
                2 => format!("refs/pull/{i}/head"),
                _ => format!("refs/remotes/origin/a-rather-longer-branch-name-{i}"),
            })
            .collect()
    }

    fn first(dir: &Path, key: &str) -> Option<Vec<u8>> {
        first_from(dir, key.as_bytes())
            .expect("readable")
            .map(|r| r.name)
    }

    #[test]
    fn a_sorted_file_is_searched_as_a_full_read_finds() {
        let dir = tempfile::tempdir().expect("temp");
        let mut all = names(2_000);
        all.push("refs/replace/0123456789012345678901234567890123456789".to_owned());
        let text = written(&all);
        assert!(text.len() as u64 > 20 * BLOCK, "many blocks");
        let mut keys: Vec<String> = all.clone();
        keys.extend(all.iter().map(|n| format!("{n}~")));
        keys.extend(all.iter().map(|n| n[..n.len() - 1].to_owned()));
        keys.extend(["", "refs/", "refs/replace/", "refs/zzz", "a", "z"].map(String::from));
        std::fs::write(dir.path().join("packed-refs"), &text).expect("write");
        all.sort();
        for key in &keys {
            let after = all.partition_point(|name| name < key);
            let expected = all.get(after).map(|name| name.as_bytes().to_vec());
            assert_eq!(first(dir.path(), key), expected, "{key}");
        }
    }

    #[test]
    fn an_unsorted_file_or_one_without_a_header_is_read_through() {
        let dir = tempfile::tempdir().expect("temp");
        let all = names(300);
        let sorted = written(&all);
        let mut lines: Vec<&[u8]> = sorted.split(|&b| b == b'\n').skip(1).collect();
        lines.reverse();
        let reversed = lines.join(&b'\n');
        let unsorted = [&b"# pack-refs with: peeled \n"[..], &reversed].concat();
        for text in [&unsorted, &reversed] {
            std::fs::write(dir.path().join("packed-refs"), text).expect("write");
            for key in ["refs/heads/branch-00100", "refs/replace/", "refs/pull/", ""] {
                assert_eq!(
                    first(dir.path(), key),
                    expected(text, key.as_bytes()),
                    "{key}"
                );
            }
        }
        // A header without `sorted` is not taken for one: bisection would miss this.
        std::fs::write(dir.path().join("packed-refs"), &unsorted).expect("write");
        assert_eq!(
            first(dir.path(), "refs/heads/branch-00000").as_deref(),
            Some(&b"refs/heads/branch-00000"[..])
        );
    }

    #[test]
    fn every_ref_git_packs_is_found_with_its_id() {
        let dir = tempfile::tempdir().expect("temp");
        let dir = dir.path();
        git(dir, &["init", "-q", "-b", "main", "."]);
        let who = ["-c", "user.name=T", "-c", "user.email=t@example.com"];
        git(
            dir,
            &[&who[..], &["commit", "-q", "--allow-empty", "-m", "one"]].concat(),
        );
        let head = String::from_utf8(git(dir, &["rev-parse", "HEAD"])).expect("utf-8");
        for name in names(600) {
            let file = dir.join(".git").join(&name);
            std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
            std::fs::write(file, &head).expect("write");
        }
        git(dir, &["pack-refs", "--all"]);
        let listed = String::from_utf8(git(dir, &["show-ref"])).expect("utf-8");
        let git_dir = dir.join(".git");
        for line in listed.lines() {
            let (id, name) = line.split_once(' ').expect("id and name");
            let found = first_from(&git_dir, name.as_bytes())
                .expect("readable")
                .expect("found");
            assert_eq!(
                (found.name.as_slice(), found.id.as_slice()),
                (name.as_bytes(), id.as_bytes())
            );
        }
        let after = first_from(&git_dir, b"refs/replace/").expect("readable");
        assert_eq!(after.map(|r| r.name), Some(b"refs/tags/v1.1".to_vec()));
    }
}
