//! An audit reads every file of the audited head for `LINT.` blocks, each into one
//! buffer the reading thread reuses: from a pack where head files are deltas of deltas
//! and share their bases, a large file and a binary one among them, the blocks it finds
//! are those it finds in the same history unpacked; a damaged entry is named, the first
//! in tree order.

mod support;

use serde_json::Value;
use support::Repo;

const RULES: &str = "version = 1\n";

/// A file with a block around sixty limits, `changed` of them edited; files made with
/// other `changed` are close enough for git to store them as deltas of each other.
fn limits(changed: &[usize]) -> String {
    let lines: String = (0..60)
        .map(|j| match changed.contains(&j) {
            true => format!("const LIMIT_{j}: u32 = {};\n", j * 1000),
            false => format!("const LIMIT_{j}: u32 = {j}; // padded to be worth a delta\n"),
        })
        .collect();
    format!("// LINT.IfChange\n{lines}// LINT.ThenChange(//docs/limits.md)\n")
}

/// Bytes that do not compress, with NUL bytes: a binary file, however many directives
/// its bytes hold.
fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut bytes: Vec<u8> = (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    bytes[..20].copy_from_slice(b"LINT.IfChange\0\0\0\0\0\0\0");
    bytes
}

/// A file of several MiB, larger than any buffer a reader keeps between objects, with
/// a block at its end.
fn large(value: u32) -> String {
    let filler = "a line of a large generated file, again and again\n".repeat(80_000);
    format!(
        "{filler}// LINT.IfChange\nconst LAST: u32 = {value};\n// LINT.ThenChange(//docs/large.md)\n"
    )
}

/// Three files growing apart over ten commits, a large one, a binary one; the last
/// commit edits the blocks of two of them and of the large one without their targets.
fn history() -> Repo {
    let repo = Repo::new();
    repo.write("lockstep.toml", RULES)
        .write("docs/limits.md", "# Limits\n")
        .write("docs/large.md", "# Large\n")
        .write("assets/noise.bin", noise(200_000))
        .write("gen/large.rs", large(0));
    for i in 1..=10 {
        repo.write("src/a.rs", limits(&[i]))
            .write("src/b.rs", limits(&[i, 30]))
            .write("src/c.rs", limits(&[i, 30, 45]));
        repo.commit_at(&format!("change {i}"), "2026-01-05T10:00:00+0000");
    }
    repo.write("src/b.rs", limits(&[10, 30, 31]))
        .write("src/c.rs", limits(&[10, 30, 45, 46]))
        .write("gen/large.rs", large(1));
    repo.commit_at("blocks without targets", "2026-01-06T10:00:00+0000");
    repo
}

fn audit(repo: &Repo) -> Value {
    let output = repo
        .lockstep()
        .args(["audit", "--format", "json"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    serde_json::from_slice(&output.stdout).expect("JSON")
}

/// git's answers to `git cat-file --batch-check=FORMAT` for each of `objects`.
fn batch_check(repo: &Repo, format: &str, objects: &[String]) -> Vec<String> {
    use std::io::Write;
    let input: String = objects.iter().map(|object| format!("{object}\n")).collect();
    let check = format!("--batch-check={format}");
    let output = repo
        .git_command(&["cat-file", &check])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            let mut stdin = child.stdin.take().expect("stdin");
            stdin.write_all(input.as_bytes())?;
            drop(stdin);
            child.wait_with_output()
        })
        .expect("git cat-file");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The delta chain of the head's `path` as the pack stores it: its blob, the base of
/// each delta, down to a whole object.
fn chain(repo: &Repo, path: &str) -> Vec<String> {
    let mut chain = batch_check(repo, "%(objectname)", &[format!("HEAD:{path}")]);
    loop {
        let last = chain.last().expect("an object").clone();
        let base = batch_check(repo, "%(deltabase)", &[last]).concat();
        if base.bytes().all(|b| b == b'0') {
            return chain;
        }
        chain.push(base);
    }
}

/// The files whose blocks `report` misses in its last commit.
fn last_misses(report: &Value) -> Vec<&str> {
    let mut files: Vec<&str> = report["misses"]
        .as_array()
        .expect("misses")
        .iter()
        .filter(|miss| miss["subject"] == "blocks without targets")
        .flat_map(|miss| miss["triggered_by"].as_array().expect("files"))
        .filter_map(Value::as_str)
        .collect();
    files.sort_unstable();
    files
}

#[test]
fn head_files_that_are_deltas_of_deltas_sharing_bases_read_as_unpacked() {
    let repo = history();
    let unpacked = audit(&repo);
    assert_eq!(
        last_misses(&unpacked),
        ["gen/large.rs", "src/b.rs", "src/c.rs"]
    );
    repo.git(&["repack", "-adfq", "--depth=50", "--window=250"]);
    let chains: Vec<Vec<String>> = ["src/a.rs", "src/b.rs", "src/c.rs"]
        .iter()
        .map(|path| chain(&repo, path))
        .collect();
    assert!(
        chains.iter().any(|chain| chain.len() > 2),
        "a head file is a delta of a delta: {chains:?}"
    );
    let shared = chains.iter().enumerate().any(|(i, one)| {
        chains[i + 1..]
            .iter()
            .any(|other| one[1..].iter().any(|base| other[1..].contains(base)))
    });
    assert!(shared, "two head files share a base: {chains:?}");
    assert_eq!(chain(&repo, "gen/large.rs").len(), 1, "whole");
    assert_eq!(audit(&repo), unpacked);
}

/// Each pack entry of the head's `paths`: where it starts and how many bytes it takes,
/// as `git verify-pack` lists them.
fn entries(repo: &Repo, paths: &[&str]) -> Vec<(usize, usize)> {
    let pack = std::fs::read_dir(repo.path().join(".git/objects/pack"))
        .expect("pack dir")
        .map(|entry| entry.expect("entry").path())
        .find(|path| path.extension().is_some_and(|e| e == "idx"))
        .expect("a pack");
    let listed = repo.git(&["verify-pack", "-v", &pack.to_string_lossy()]);
    paths
        .iter()
        .map(|path| {
            let id = repo.rev(&format!("HEAD:{path}"));
            let line = listed
                .lines()
                .find(|line| line.starts_with(&id))
                .expect("listed");
            let fields: Vec<usize> = line
                .split_whitespace()
                .skip(3)
                .take(2)
                .map(|field| field.parse().expect("a number"))
                .collect();
            (fields[1], fields[0])
        })
        .collect()
}

/// Two head files whose pack entries are damaged: the audit names the first in tree
/// order, whichever of its two reading threads met either.
#[test]
fn a_damaged_pack_entry_of_the_head_is_named_first_in_tree_order() {
    let repo = Repo::new();
    repo.write("lockstep.toml", RULES);
    for n in 0..400 {
        repo.write(&format!("src/f{n:03}.rs"), format!("const N: u32 = {n};\n"));
    }
    repo.commit_at("many files", "2026-01-05T10:00:00+0000");
    repo.git(&["repack", "-adq"]);
    let pack = repo.pack_file();
    let mut bytes = std::fs::read(&pack).expect("pack");
    for (start, len) in entries(&repo, &["src/f120.rs", "src/f360.rs"]) {
        // Past the entry's header, inside its zlib stream.
        bytes[start + len / 2] ^= 0x55;
    }
    std::fs::remove_file(&pack).expect("remove");
    std::fs::write(&pack, bytes).expect("write");
    for _ in 0..5 {
        let output = repo
            .lockstep()
            .args(["audit", "-j", "2"])
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("src/f120.rs"), "{stderr}");
        assert!(!stderr.contains("src/f360.rs"), "{stderr}");
        assert!(stderr.contains("pack-"), "names the pack: {stderr}");
    }
}
