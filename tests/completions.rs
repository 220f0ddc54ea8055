//! `lockstep completions SHELL` and `lockstep man`: the bash script is parsed, loaded and
//! asked to complete by the real bash; every manual page is rendered by the real `man`
//! with groff's warnings on.
//!
//! `bash` and `man` are found on PATH (`.ci/run` installs man-db and groff when missing).
//! Missing, the tests fail in CI and are skipped with a note elsewhere.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::{Exits, Repo, tool};

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

fn completions(shell: &str) -> String {
    let output = Repo::empty()
        .lockstep()
        .args(["completions", shell])
        .exits(0);
    String::from_utf8(output.stdout).expect("utf-8")
}

/// What bash's `_lockstep` offers for the words of a command line being typed.
fn bash_completes(script: &Path, words: &[&str]) -> String {
    let program = r#"source "$1"; shift
complete -p lockstep >/dev/null || exit 3
COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
_lockstep lockstep "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}""#;
    let output = Command::new("bash")
        .args(["-c", program, "bash"])
        .arg(script)
        .args(words)
        .output()
        .expect("run bash");
    assert!(output.status.success(), "{}", text(&output));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn bash_loads_the_completion_script_and_completes_commands_and_flags() {
    if tool("bash", None, "apt-get install bash").is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("lockstep.bash");
    std::fs::write(&script, completions("bash")).expect("write");
    let output = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .expect("run bash");
    assert!(output.status.success(), "{}", text(&output));

    assert_eq!(bash_completes(&script, &["lockstep", "ch"]), "check\n");
    assert_eq!(
        bash_completes(&script, &["lockstep", "completions", "z"]),
        "zsh\n"
    );
    let flags = bash_completes(&script, &["lockstep", "check", "--for"]);
    assert_eq!(flags, "--format\n");
}

#[test]
fn every_shell_gets_a_script_naming_every_command() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = completions(shell);
        for command in ["check", "audit", "suggest", "completions", "man"] {
            assert!(script.contains(command), "{shell} script lacks {command}");
        }
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let output = Repo::empty()
        .lockstep()
        .args(["completions", "tcsh"])
        .exits(2);
    assert!(text(&output).contains("possible values: bash, elvish, fish, powershell, zsh"));
}

/// Renders a page with the real `man` in a UTF-8 locale, failing on any groff warning.
fn render(man: &Path, page: &Path) -> String {
    let output = Command::new(man)
        .args(["--warnings", "-l"])
        .arg(page)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .env("LANG", "C.UTF-8")
        .output()
        .expect("run man");
    assert!(output.status.success(), "{}", text(&output));
    assert!(output.stderr.is_empty(), "{}", text(&output));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn man_renders_the_page_of_lockstep() {
    let Some(man) = tool("man", None, "apt-get install man-db groff") else {
        return;
    };
    let page = Repo::empty().lockstep().arg("man").exits(0).stdout;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("lockstep.1");
    std::fs::write(&path, page).expect("write");
    let rendered = render(&man, &path);
    assert!(rendered.contains("lockstep-check(1)"), "{rendered}");
    assert!(rendered.contains("--color"), "{rendered}");
}

#[test]
fn man_output_dir_writes_a_page_per_command_and_each_renders() {
    let Some(man) = tool("man", None, "apt-get install man-db groff") else {
        return;
    };
    let repo = Repo::empty();
    repo.lockstep()
        .args(["man", "--output-dir", "pages"])
        .exits(0);
    let mut pages: Vec<String> = std::fs::read_dir(repo.path().join("pages"))
        .expect("pages")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    pages.sort();
    assert_eq!(
        pages,
        [
            "lockstep-audit-merge.1",
            "lockstep-audit.1",
            "lockstep-check.1",
            "lockstep-completions.1",
            "lockstep-explain.1",
            "lockstep-graph.1",
            "lockstep-init.1",
            "lockstep-install.1",
            "lockstep-man.1",
            "lockstep-suggest.1",
            "lockstep-uninstall.1",
            "lockstep-validate.1",
            "lockstep.1",
        ]
    );
    let check = render(&man, &repo.path().join("pages/lockstep-check.1"));
    assert!(check.contains("--staged"), "{check}");
    for page in &pages {
        render(&man, &repo.path().join("pages").join(page));
    }
}

#[test]
fn man_output_dir_that_cannot_be_written_is_an_error() {
    let repo = Repo::empty();
    repo.write("pages", "a file, not a directory");
    let output = repo
        .lockstep()
        .args(["man", "--output-dir", "pages"])
        .exits(2);
    assert!(
        text(&output).contains("cannot write the manual pages to"),
        "{}",
        text(&output)
    );
}
