//! MASVS-STORAGE: data at rest and leaks.

pub mod allow_backup;

use crate::rule::Rule;

/// This group's rules, in id order.
pub(crate) static RULES: &[&dyn Rule] = &[&allow_backup::AllowBackup];
