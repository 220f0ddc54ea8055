//! lockstep: a git-native linter that keeps code and its dependent artifacts in step.
//!
//! Data flows one way: [`config`] → [`rules::RuleSet`]; [`git`] → [`change::Change`]s;
//! (rules, changes) → [`finding::Finding`]s; findings, annotation problems and
//! [`validate`] issues → [`diagnostic::Diagnostic`]s → [`report`].

pub mod annotations;
pub mod audit;
pub mod change;
pub mod check;
pub mod ci;
pub mod cli;
pub mod config;
pub mod day;
pub mod diagnostic;
pub mod explain;
pub mod finding;
pub mod git;
pub mod graph;
pub mod init;
pub mod install;
pub mod markup;
pub mod patch;
pub mod repo_path;
pub mod report;
pub mod rules;
pub mod schema;
pub mod suggest;
pub mod validate;
pub mod waiver;
