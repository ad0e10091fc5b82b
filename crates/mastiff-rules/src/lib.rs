//! mastiff's rules, the scan engine that runs them, and the per-MASVS-control verdicts.

pub mod context;
pub mod docs;
pub mod rule;
pub mod rules;
pub mod scan;
#[cfg(test)]
pub(crate) mod testing;
pub mod verdict;

pub use context::{
    AppContext, BackupRules, BackupRulesFile, Config, EntryReader, ResourceString, Shared,
};
pub use rule::{Described, Rule, RuleMeta, Sink};
pub use rules::RULES;
pub use scan::{container_unreadable, scan, scan_bytes, scan_path, Scan, ScanOptions};
