//! Damaged packs: every damage git rejects is an exit-2 error naming the pack, and any
//! single flipped bit gives that error or exactly the undamaged repository's output,
//! never a confident wrong finding.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use support::Repo;

/// A rule that reads the lines of the API file (`matching`), and a block in another
/// file: the audit reads every version of both.
const RULES: &str = r#"version = 1

[[rule]]
id = "payments-api"
when = ["services/payments/api/**/*.proto"]
matching = "rpc"

[[rule.then]]
kind = "docs"
paths = ["docs/payments/api.md"]
"#;

/// Twenty-four commits, each changing one more line of two files (so each version is
/// closest to the next, and the pack chains deltas up to fifteen deep) and now and then
/// their companions; packed into one pack, with no loose object left.
fn history() -> Repo {
    let repo = Repo::new();
    repo.write("lockstep.toml", RULES);
    let mut calls: Vec<String> = (0..80)
        .map(|j| format!("  rpc Call{j}(Request) returns (Response{j});\n"))
        .collect();
    let mut limits: Vec<String> = (0..60)
        .map(|j| format!("const LIMIT_{j}: u32 = {j};\n"))
        .collect();
    for i in 1..=24 {
        calls[i * 29 % 80] = format!("  rpc Call{i}(Request{i}) returns (Response);\n");
        limits[i * 17 % 60] = format!("const LIMIT_{i}: u32 = {};\n", i * 100);
        repo.write(
            "services/payments/api/refund.proto",
            format!("service Refunds {{\n{}}}\n", calls.concat()),
        );
        repo.write(
            "src/retry.rs",
            format!(
                "// LINT.IfChange\n{}// LINT.ThenChange(//docs/retries.md)\n",
                limits.concat()
            ),
        );
        if i % 3 == 0 {
            let lines: String = (0..i)
                .map(|j| format!("limit {j} is documented\n"))
                .collect();
            repo.write("docs/retries.md", format!("# Retries\n{lines}"));
        }
        if i % 4 == 0 {
            let lines: String = (0..i).map(|j| format!("call {j} of the API\n")).collect();
            repo.write("docs/payments/api.md", format!("# API\n{lines}"));
        }
        repo.commit(&format!("change {i}"));
    }
    repo.git(&["repack", "-adq", "--depth=50", "--window=50"]);
    repo
}

/// The repository's one file ending in `.extension` under `.git/objects/pack`.
fn pack_file(dir: &Path, extension: &str) -> PathBuf {
    let packs: Vec<PathBuf> = std::fs::read_dir(dir.join(".git/objects/pack"))
        .expect("pack dir")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == extension))
        .collect();
    assert_eq!(packs.len(), 1, "{packs:?}");
    packs[0].clone()
}

/// Replaces `file` (read-only, as git writes packs) with `bytes`.
fn replace(file: &Path, bytes: &[u8]) {
    std::fs::remove_file(file).expect("remove");
    std::fs::write(file, bytes).expect("write");
}

fn run(repo: &Repo, dir: &Path, args: &[&str]) -> Output {
    repo.lockstep_in(dir).args(args).output().expect("runs")
}

/// `args` exits 2 with a message naming `pack` and saying what to do, not blaming the
/// revision.
fn assert_names(repo: &Repo, args: &[&str], pack: &Path) {
    let output = run(repo, repo.path(), args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "lockstep {args:?}: {stderr}");
    let name = pack.file_name().expect("name").to_string_lossy();
    assert!(stderr.contains(&*name), "names the pack: {stderr}");
    assert!(stderr.contains("git fsck"), "says what to do: {stderr}");
    assert!(!stderr.contains("unknown revision"), "{stderr}");
}

const COMMANDS: [&[&str]; 2] = [&["check", "--range", "HEAD~1..HEAD"], &["audit"]];

#[test]
fn a_truncated_pack_is_named() {
    let repo = history();
    let pack = pack_file(repo.path(), "pack");
    let bytes = std::fs::read(&pack).expect("pack");
    for len in [bytes.len() - 1, bytes.len() / 2, 20] {
        replace(&pack, &bytes[..len]);
        for args in COMMANDS {
            assert_names(&repo, args, &pack);
        }
    }
}

#[test]
fn a_truncated_index_is_named() {
    let repo = history();
    let (pack, idx) = (
        pack_file(repo.path(), "pack"),
        pack_file(repo.path(), "idx"),
    );
    let bytes = std::fs::read(&idx).expect("idx");
    for len in [bytes.len() - 1, bytes.len() / 2, 100] {
        replace(&idx, &bytes[..len]);
        for args in COMMANDS {
            assert_names(&repo, args, &pack);
        }
    }
}

/// A small xorshift generator: the same flips on every run.
struct Flips(u64);

impl Iterator for Flips {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        Some(self.0)
    }
}

/// Copies the directory `from` into `to`, recursively.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

#[test]
fn a_thousand_single_bit_flips_give_exit_2_or_the_undamaged_output() {
    let repo = history();
    let args = ["audit", "--format", "json"];
    let pack = std::fs::read(pack_file(repo.path(), "pack")).expect("pack");
    let bits = pack.len() as u64 * 8;
    let flips: Vec<u64> = Flips(0x2545_f491_4f6c_dd1d)
        .take(1000)
        .map(|n| n % bits)
        .collect();
    // Two copies of the repository, one per core, each damaged a flip at a time.
    let outcomes: Vec<Result<bool, String>> = std::thread::scope(|scope| {
        let workers: Vec<_> = flips
            .chunks(flips.len() / 2)
            .map(|flips| {
                let (original, pack) = (repo.path(), &pack);
                scope.spawn(move || {
                    let copy = Repo::empty();
                    copy_dir(original, copy.path());
                    let expected = run(&copy, copy.path(), &args);
                    assert_eq!(expected.status.code(), Some(0), "{expected:?}");
                    let file = pack_file(copy.path(), "pack");
                    let mut outcomes = Vec::new();
                    for &bit in flips {
                        let mut damaged = pack.clone();
                        damaged[(bit / 8) as usize] ^= 1 << (bit % 8);
                        replace(&file, &damaged);
                        let output = run(&copy, copy.path(), &args);
                        let same =
                            output.status == expected.status && output.stdout == expected.stdout;
                        outcomes.push(match output.status.code() {
                            Some(2) => Ok(true),
                            _ if same => Ok(false),
                            _ => Err(format!(
                                "bit {bit}: {:?} {}",
                                output.status,
                                String::from_utf8_lossy(&output.stderr)
                            )),
                        });
                    }
                    outcomes
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().expect("worker"))
            .collect()
    });
    let wrong: Vec<&String> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    assert!(wrong.is_empty(), "{} wrong: {wrong:#?}", wrong.len());
    // The audit reads nearly every object, so nearly every flip is found.
    let found = outcomes.iter().filter(|o| o == &&Ok(true)).count();
    assert!(found > 900, "only {found} of 1000 flips found");
}

/// Every object of the repository: id, type and content, as `git cat-file` prints them.
fn objects(repo: &Repo) -> Vec<([u8; 20], String, Vec<u8>)> {
    let listed = repo.git(&["cat-file", "--batch-all-objects", "--batch-check"]);
    listed
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            let content = repo
                .git_command(&["cat-file", fields[1], fields[0]])
                .output()
                .expect("cat-file")
                .stdout;
            (hex_id(fields[0]), fields[1].to_owned(), content)
        })
        .collect()
}

fn hex_id(hex: &str) -> [u8; 20] {
    let mut id = [0; 20];
    for (i, byte) in id.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex");
    }
    id
}

/// A pack entry's header: its type and the size of its data, in git's varint.
fn entry_header(kind: u8, size: usize) -> Vec<u8> {
    let mut header = vec![kind << 4 | (size & 15) as u8];
    let mut rest = size >> 4;
    while rest > 0 {
        *header.last_mut().expect("byte") |= 0x80;
        header.push((rest & 0x7f) as u8);
        rest >>= 7;
    }
    header
}

fn varint(mut value: u64) -> Vec<u8> {
    let mut bytes = Vec::new();
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            bytes.push(byte);
            return bytes;
        }
        bytes.push(byte | 0x80);
    }
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), Default::default());
    std::io::Write::write_all(&mut encoder, bytes).expect("deflate");
    encoder.finish().expect("deflate")
}

/// Packs `objects` (with a version 2 index) as the repository's only objects, each
/// whole except `delta`, stored as a delta against `base` that inserts the object's
/// content and declares `declared` as the size of its result (else the right size).
fn pack_with_delta(repo: &Repo, delta: [u8; 20], base: [u8; 20], declared: Option<u64>) {
    let mut objects = objects(repo);
    objects.sort_by_key(|(id, ..)| *id);
    let size_of = |wanted: [u8; 20]| {
        let (.., content) = objects
            .iter()
            .find(|(id, ..)| *id == wanted)
            .expect("object");
        content.len() as u64
    };
    let mut pack = b"PACK\0\0\0\x02".to_vec();
    pack.extend((objects.len() as u32).to_be_bytes());
    let mut offsets = Vec::new();
    for (id, kind, content) in &objects {
        offsets.push(pack.len() as u32);
        if *id == delta {
            let result = declared.unwrap_or(content.len() as u64);
            let mut data = [varint(size_of(base)), varint(result)].concat();
            for chunk in content.chunks(127) {
                data.push(chunk.len() as u8);
                data.extend(chunk);
            }
            pack.extend(entry_header(7, data.len()));
            pack.extend(base);
            pack.extend(deflate(&data));
        } else {
            let kind = ["", "commit", "tree", "blob", "tag"]
                .iter()
                .position(|k| k == kind)
                .expect("kind") as u8;
            pack.extend(entry_header(kind, content.len()));
            pack.extend(deflate(content));
        }
    }
    // No reader hashes a whole pack: its checksum needs only to be the index's.
    let checksum = [0xab; 20];
    pack.extend(checksum);
    let mut idx = b"\xfftOc\0\0\0\x02".to_vec();
    for byte in 0..=255u8 {
        let count = objects.iter().filter(|(id, ..)| id[0] <= byte).count() as u32;
        idx.extend(count.to_be_bytes());
    }
    objects.iter().for_each(|(id, ..)| idx.extend(id));
    objects.iter().for_each(|_| idx.extend([0; 4]));
    offsets
        .iter()
        .for_each(|offset| idx.extend(offset.to_be_bytes()));
    idx.extend(checksum);
    idx.extend([0; 20]);
    let dir = repo.path().join(".git/objects");
    for entry in std::fs::read_dir(&dir).expect("objects") {
        let path = entry.expect("entry").path();
        if path.file_name().is_some_and(|name| name.len() == 2) {
            std::fs::remove_dir_all(path).expect("loose objects");
        }
    }
    std::fs::write(dir.join("pack/pack-handmade.pack"), pack).expect("pack");
    std::fs::write(dir.join("pack/pack-handmade.idx"), idx).expect("idx");
}

#[test]
fn a_delta_declaring_a_size_it_does_not_build_is_named() {
    let path = "services/payments/api/refund.proto";
    let blob = format!("HEAD:{path}");
    // The right size first: the pack is sound, and only the size damages it.
    for declared in [None, Some(1 << 40), Some(10)] {
        let repo = Repo::new();
        repo.write("lockstep.toml", RULES)
            .write(path, "service Refunds {\n  rpc Refund(R) returns (S);\n}\n");
        repo.commit("first");
        let base = hex_id(&repo.rev(&blob));
        repo.write(path, "service Refunds {\n  rpc Refund(R) returns (T);\n}\n");
        repo.commit("second");
        let delta = hex_id(&repo.rev(&blob));
        pack_with_delta(&repo, delta, base, declared);
        let git = repo
            .git_command(&["cat-file", "blob", &blob])
            .output()
            .expect("git");
        assert_eq!(
            git.status.success(),
            declared.is_none(),
            "git reads it the same"
        );
        if declared.is_none() {
            for args in COMMANDS {
                let output = run(&repo, repo.path(), args);
                assert!(matches!(output.status.code(), Some(0 | 1)), "{output:?}");
            }
            continue;
        }
        for args in COMMANDS {
            assert_names(&repo, args, Path::new("pack-handmade.pack"));
        }
    }
}
