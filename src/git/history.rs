//! Commits of a range: their messages carry waivers, and `--per-commit` judges each.

use std::collections::HashSet;

use git2::{Oid, Sort};

use super::Repo;
use super::commit_object::Commit;
use super::error::{Context, GitError};
use super::topo_order::Edges;

impl Repo {
    /// Commits reachable from `to` but not from `from`, oldest first.
    pub fn commits(&self, from: Option<Oid>, to: Oid) -> Result<Vec<Commit>, GitError> {
        self.range_list(to, from, false)?
            .into_iter()
            .map(|id| Ok(self.read_commit(id)?.into_commit(id)))
            .collect()
    }

    /// The commits reachable from `to` and not from `from` (along first parents only,
    /// if `first_parent`), oldest first, in the order of libgit2's revwalk with
    /// `TOPOLOGICAL | REVERSE`: a range by the own reader, a whole history by libgit2.
    pub(super) fn range_list(
        &self,
        to: Oid,
        from: Option<Oid>,
        first_parent: bool,
    ) -> Result<Vec<Oid>, GitError> {
        if self.history_rewritten() {
            return self.rewritten_range_list(to, from, first_parent);
        }
        if let Some(from) = from {
            return self.range_in_libgit2_order(to, from, first_parent);
        }
        let context = || format!("cannot list the commits up to {to}");
        let mut walk = self.graph()?.revwalk().context(context)?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)
            .context(context)?;
        walk.push(to).context(context)?;
        if let Some(from) = from {
            walk.hide(from).context(context)?;
        }
        if first_parent {
            walk.simplify_first_parent().context(context)?;
        }
        walk.collect::<Result<Vec<Oid>, git2::Error>>()
            .context(context)
    }

    /// [`Repo::range_list`] read by the own commit reader, which gives commits the
    /// parents replace refs and grafts give them; libgit2's walk would not. It reads
    /// all of `from`'s history (git stops earlier, where only hidden commits are left),
    /// which only histories rewritten this way pay for.
    fn rewritten_range_list(
        &self,
        to: Oid,
        from: Option<Oid>,
        first_parent: bool,
    ) -> Result<Vec<Oid>, GitError> {
        // Everything `from` reaches is hidden, through every parent, as in git.
        let hidden: HashSet<Oid> = match from {
            Some(from) => self
                .topo_order(from, false, Edges::default(), 1)?
                .iter()
                .map(|c| c.id)
                .collect(),
            None => HashSet::new(),
        };
        // A hidden commit's parents are hidden too, so leaving the hidden commits out
        // of the listing of `to` keeps the order of the rest.
        Ok(self
            .topo_order(to, first_parent, Edges::default(), 1)?
            .into_iter()
            .map(|c| c.id)
            .filter(|id| !hidden.contains(id))
            .collect())
    }
}
