//! MASVS-STORAGE: data at rest and leaks.

pub mod allow_backup;
pub mod clipboard;
pub mod external_storage;
pub mod logging;
pub mod plaintext_database;
pub mod shared_prefs;
pub mod temp_files;
pub mod world_accessible;

use crate::rule::Rule;

/// This group's rules, in id order.
pub(crate) static RULES: &[&dyn Rule] = &[
    &allow_backup::AllowBackup,
    &shared_prefs::SensitiveSharedPreferences,
    &plaintext_database::PlaintextDatabase,
    &external_storage::ExternalStorage,
    &world_accessible::WorldAccessibleFiles,
    &temp_files::TempFiles,
    &logging::SensitiveLogging,
    &clipboard::ClipboardCopy,
];
