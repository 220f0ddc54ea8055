//! A change that edits the rule set while being checked against its base's rules: the
//! new rule set is validated too, and the user told it applies after merge.

use miette::WrapErr;

use crate::config::{ConfigFiles, FILE_NAMES, load};
use crate::git::{Diff, Repo};
use crate::rules::RuleSet;

/// Whether the diff's base has a rule set at all; a change that introduces lockstep is
/// checked by the rules it adds.
pub fn base_has_rule_set(repo: &Repo, diff: &Diff) -> miette::Result<bool> {
    let Some(base) = &diff.base else {
        return Ok(false);
    };
    Ok(has_rule_set(&repo.files_at(base)?))
}

fn has_rule_set(files: &dyn ConfigFiles) -> bool {
    FILE_NAMES
        .iter()
        .any(|name| files.read(name).ok().flatten().is_some())
}

/// When the head's rule set differs from the base's: validates it (a broken one is an
/// error now, not after merge) and says on standard error that it applies after merge.
pub fn announce(repo: &Repo, diff: &Diff) -> miette::Result<()> {
    let (Some(base), Some(head)) = (&diff.base, &diff.head) else {
        return Ok(());
    };
    let base_files = repo.files_at(base)?;
    let head_files = repo.files_at(head)?;
    let Ok(before) = load(&base_files, None) else {
        return Ok(());
    };
    let short = base.get(..12).unwrap_or(base);
    if !has_rule_set(&head_files) {
        eprintln!(
            "lockstep: this change deletes the rule set; it was checked against the rules of its base {short}"
        );
        return Ok(());
    }
    let after = load(&head_files, None)
        .map_err(miette::Report::new)
        .and_then(|config| RuleSet::compile(config.clone()).map(|_| config).map_err(miette::Report::new))
        .wrap_err("this change edits the rule set, and the edited rule set is invalid: it would apply after merge")?;
    if before.sources != after.sources {
        let names: Vec<&str> = after
            .sources
            .iter()
            .chain(&before.sources)
            .filter(|s| !before.sources.contains(s) || !after.sources.contains(s))
            .map(|s| s.name.as_str())
            .collect();
        let mut names = names;
        names.sort_unstable();
        names.dedup();
        eprintln!(
            "lockstep: this change edits the rule set ({}); it was checked against the rules of its base {short}, and the edited rules (valid) apply after merge",
            names.join(", "),
        );
    }
    Ok(())
}
