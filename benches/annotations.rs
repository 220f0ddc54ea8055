//! Benchmark of in-file annotations: a whole-tree scan of a generated ~100k-file
//! repository (3% of files hold blocks), and `lockstep check` of a 30k-changed-line diff
//! across annotated files. Prints the median of several runs.
//!
//! Run: `cargo bench --bench annotations` (`FILES=20000` for a smaller tree; `KEEP=1`
//! keeps the generated repository for profiling and prints its path).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use lockstep::annotations::scan;
use lockstep::config::AnnotationSettings;
use lockstep::git::Repo;

const DIRS: usize = 1000;
/// One file in `ANNOTATED_EVERY` holds a block.
const ANNOTATED_EVERY: usize = 33;
/// Lines inside each block; the check rewrites all of them in `CHANGED_FILES` files.
const BLOCK_LINES: usize = 20;
const CHANGED_FILES: usize = 1500;
const RUNS: usize = 7;

fn main() {
    let files: usize = std::env::var("FILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let keep = std::env::var_os("KEEP").is_some();
    let (root, _cleanup) = if keep {
        (dir.keep(), None)
    } else {
        (dir.path().to_path_buf(), Some(dir))
    };
    let root = root.as_path();
    let started = Instant::now();
    let annotated = generate(root, files);
    git(root, &["init", "-q", "-b", "main", "."]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "generated"]);
    eprintln!(
        "generated {files} files ({} annotated) in {:.1?}",
        annotated.len(),
        started.elapsed()
    );

    let repo = Repo::discover(root).expect("repository");
    let scans = measure(|| {
        let report = scan(&repo, &AnnotationSettings::default()).expect("scan");
        assert_eq!(report.files, files + 1);
        assert_eq!(report.blocks, annotated.len());
        assert!(report.problems.is_empty(), "{:?}", &report.problems[..1]);
    });
    println!(
        "scan: {} tracked files, {} with blocks: median {:.1?} (min {:.1?}, {RUNS} runs)",
        files + 1,
        annotated.len(),
        median(&scans),
        scans[0]
    );

    let changed = annotated.len().min(CHANGED_FILES);
    for &i in &annotated[..changed] {
        write_file(root, i, files, 1);
    }
    git(root, &["commit", "-q", "-a", "-m", "rewrite every block"]);
    // Real repositories keep their objects packed.
    git(root, &["repack", "-adq"]);
    let binary = env!("CARGO_BIN_EXE_lockstep");
    let checks = measure(|| {
        let output = Command::new(binary)
            .args(["check", "--range", "HEAD~1..HEAD", "--format", "json"])
            .current_dir(root)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("CI")
            .output()
            .expect("run lockstep");
        assert!(output.status.code().is_some_and(|c| c <= 1), "{output:?}");
    });
    println!(
        "check: {changed} changed files, {} changed lines: median {:.1?} (min {:.1?}, {RUNS} runs, whole process)",
        changed * BLOCK_LINES,
        median(&checks),
        checks[0]
    );
    if keep {
        println!("kept the repository at {}", root.display());
    }
}

/// Writes the tree; returns the indexes of the files with blocks.
fn generate(root: &Path, files: usize) -> Vec<usize> {
    std::fs::write(
        root.join("lockstep.toml"),
        "version = 1\n[settings]\nmax_files = 5000\n",
    )
    .expect("write");
    for d in 0..DIRS.min(files) {
        std::fs::create_dir_all(root.join(format!("d{d:04}"))).expect("mkdir");
    }
    (0..files)
        .filter(|&i| write_file(root, i, files, 0))
        .collect()
}

fn path(i: usize) -> String {
    format!("d{:04}/f{i:06}.rs", i % DIRS)
}

/// Writes file `i`; returns whether it holds a block. Each block points at the next
/// annotated file's label (the last one at the first), so no target is dead.
fn write_file(root: &Path, i: usize, files: usize, version: usize) -> bool {
    let mut text = String::new();
    for line in 0..15 {
        text.push_str(&format!("fn f{i}_{line}() -> u32 {{ {line} }}\n"));
    }
    let annotated = i.is_multiple_of(ANNOTATED_EVERY);
    if annotated {
        let next = if i + ANNOTATED_EVERY < files {
            i + ANNOTATED_EVERY
        } else {
            0
        };
        text.push_str(&format!("// LINT.IfChange(b{i})\n"));
        for line in 0..BLOCK_LINES {
            text.push_str(&format!("const C{line}: u32 = {};\n", line + version));
        }
        text.push_str(&format!("// LINT.ThenChange(//{}:b{next})\n", path(next)));
    }
    std::fs::write(root.join(path(i)), text).expect("write");
    annotated
}

fn git(root: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(root)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .status()
        .expect("run git");
    assert!(status.success(), "git {args:?}");
}

/// Durations of `RUNS` runs after one warm-up, sorted.
fn measure(mut run: impl FnMut()) -> Vec<Duration> {
    run();
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .collect();
    times.sort();
    times
}

fn median(times: &[Duration]) -> Duration {
    times[times.len() / 2]
}
