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
    let files = repo.files_at(base)?;
    for name in FILE_NAMES {
        if files.read(name).ok().flatten().is_some() {
            return Ok(true);
        }
    }
    Ok(false)
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
            "lockstep: this change edits the rule set ({}); it was checked against the rules of its base {}, and the edited rules (valid) apply after merge",
            names.join(", "),
            base.get(..12).unwrap_or(base),
        );
    }
    Ok(())
}
