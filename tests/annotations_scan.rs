//! The whole-tree annotation scan (`lockstep::annotations::scan`) on real repositories.

mod support;

use lockstep::annotations::{ScanReport, scan};
use lockstep::config::AnnotationSettings;
use lockstep::git::Repo as GitRepo;
use support::Repo;

fn problems(report: &ScanReport) -> Vec<(String, u32, &'static str)> {
    report
        .problems
        .iter()
        .map(|p| (p.path.clone(), p.line, p.kind.code()))
        .collect()
}

fn fixture() -> Repo {
    let repo = Repo::new();
    repo.write(".gitignore", "build/\n")
        .write("src/a.rs", "// LINT.IfChange(x)\nx\n// LINT.ThenChange(//docs/b.md:y, gone.rs)\n")
        .write("docs/b.md", "<!-- LINT.IfChange(y) -->\ny\n<!-- LINT.ThenChange(//src/a.rs:x) -->\n```\n// LINT.IfChange\n```\n")
        .write("src/unclosed.py", "# LINT.IfChange\nz = 1\n")
        .write("assets/blob.bin", b"\0\0// LINT.IfChange\n".as_slice())
        .write("src/plain.rs", "fn main() {}\n")
        .write("build/generated.rs", "// LINT.IfChange\n");
    repo.commit("initial");
    repo
}

#[test]
fn scan_reports_broken_blocks_and_dead_targets_in_tracked_text_files() {
    let repo = fixture();
    let git = GitRepo::discover(repo.path()).expect("repository");
    let report = scan(&git, &AnnotationSettings::default()).expect("scan");
    assert_eq!(
        problems(&report),
        [
            ("src/a.rs".to_owned(), 3, "missing-target-file"),
            ("src/unclosed.py".to_owned(), 1, "unclosed-if-change"),
        ]
    );
    // .gitignore, a.rs, b.md, unclosed.py, blob.bin, plain.rs: the ignored file is unread.
    assert_eq!(report.files, 6);
    assert_eq!((report.annotated, report.blocks), (3, 2));
}

#[test]
fn scan_reads_the_work_tree_content_of_tracked_files() {
    let repo = fixture();
    repo.write("src/plain.rs", "// LINT.IfChange(p)\n// LINT.IfChange(p)\n");
    let git = GitRepo::discover(repo.path()).expect("repository");
    let codes: Vec<&str> = scan(&git, &AnnotationSettings::default())
        .expect("scan")
        .problems
        .iter()
        .filter(|p| p.path == "src/plain.rs")
        .map(|p| p.kind.code())
        .collect();
    assert!(codes.contains(&"nested-if-change"), "{codes:?}");
    assert!(codes.contains(&"duplicate-label"), "{codes:?}");
}

#[test]
fn scan_of_a_bare_repository_reads_head() {
    let repo = fixture();
    let bare = Repo::empty();
    let source = repo.path().to_string_lossy().into_owned();
    bare.git(&["clone", "-q", "--bare", &source, "."]);
    let git = GitRepo::discover(bare.path()).expect("repository");
    let report = scan(&git, &AnnotationSettings::default()).expect("scan");
    assert_eq!(report.problems.len(), 2, "{:?}", report.problems);
    assert_eq!(report.files, 6);
}

#[cfg(unix)]
#[test]
fn scan_skips_symlinks_so_no_file_is_read_twice() {
    let repo = fixture();
    std::os::unix::fs::symlink("src/unclosed.py", repo.path().join("link.py")).expect("symlink");
    repo.commit("link");
    let git = GitRepo::discover(repo.path()).expect("repository");
    let report = scan(&git, &AnnotationSettings::default()).expect("scan");
    assert_eq!(report.files, 6);
    assert_eq!(report.problems.len(), 2, "{:?}", report.problems);
}
