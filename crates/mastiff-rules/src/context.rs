//! The analysed app as rules see it: every artifact already parsed once and shared.

use std::borrow::Cow;

use mastiff_android::Manifest;
use mastiff_code::CodeIndex;
use mastiff_core::{Date, NetworkPolicy};
use mastiff_formats::signing::SigningInfo;
use mastiff_formats::zip::{EntryCache, ZipError};

/// Thresholds and switches that change what rules report. Every default is documented on the rule
/// that uses it.
#[derive(Debug, Clone)]
pub struct Config {
    /// `CODE-001`: lowest acceptable minSdk.
    pub min_sdk_threshold: u32,
    /// `CODE-002`: lowest acceptable targetSdk.
    pub target_sdk_threshold: u32,
}

impl Config {
    /// Android 10 (API 29): the oldest release with TLS 1.3 on by default, scoped storage and
    /// the background-activity-start restrictions; MobSF warns below it too.
    pub const DEFAULT_MIN_SDK: u32 = 29;
    /// Android 15 (API 35): the targetSdk Google Play has required of new apps and updates since
    /// 31 August 2025.
    pub const DEFAULT_TARGET_SDK: u32 = 35;
}

impl Default for Config {
    fn default() -> Self {
        Config {
            min_sdk_threshold: Config::DEFAULT_MIN_SDK,
            target_sdk_threshold: Config::DEFAULT_TARGET_SDK,
        }
    }
}

/// A backup or data-extraction rules file named by the manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackupRulesFile {
    /// Zip path, e.g. `res/xml/backup_rules.xml`.
    pub path: String,
    /// `<exclude>` elements found.
    pub excludes: usize,
    /// `<include>` elements found.
    pub includes: usize,
}

/// Backup configuration beyond `allowBackup`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackupRules {
    /// `android:fullBackupContent` file (API 23-30 devices).
    pub full_backup_content: Option<BackupRulesFile>,
    /// `android:fullBackupContent="false"`: Auto Backup disabled, key/value backup only.
    pub full_backup_content_disabled: bool,
    /// `android:dataExtractionRules` file (API 31+ devices).
    pub data_extraction_rules: Option<BackupRulesFile>,
}

/// A string of `resources.arsc`: its name (`string/aws_secret`) when known, and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceString {
    pub name: Option<String>,
    pub value: String,
}

/// Values several rules derive from the same input, computed once per scan on first use.
#[derive(Debug, Default)]
pub struct Shared {
    /// The app's string resources (see `rules::auth::string_resources`).
    pub resource_strings: std::sync::OnceLock<Vec<ResourceString>>,
}

/// What rules read. Fields are `None` when the artifact is absent or could not be parsed; a rule
/// that lists an artifact in its `inputs` only runs when that artifact was read.
pub struct AppContext<'a> {
    pub manifest: Option<&'a Manifest>,
    /// Effective network security policy (config or platform defaults).
    pub network: Option<&'a NetworkPolicy>,
    pub signing: Option<&'a SigningInfo>,
    pub backup: Option<&'a BackupRules>,
    /// The code index over `classes*.dex`.
    pub code: Option<&'a CodeIndex<'a>>,
    /// Third-party components and their matched advisories.
    pub sbom: Option<&'a mastiff_sbom::SbomResult>,
    /// Code outside the dex files Android loads at install: `.dex`, `.jar`, `.apk`, `.odex`
    /// entries elsewhere in the archive (loaded at run time, if at all).
    pub extra_code_entries: &'a [String],
    /// Every entry name in the archive, in central-directory order.
    pub entries: &'a [String],
    /// The archive's entries, each inflated at most once per scan and shared
    /// (`cache.get_bounded(name, max)` for files of bounded size such as assets or libraries).
    pub cache: Option<&'a dyn EntryReader>,
    pub config: &'a Config,
    /// Derived values shared between rules.
    pub shared: &'a Shared,
    pub scan_date: Date,
    /// The manifest's zip entry name (for locations).
    pub manifest_entry: &'a str,
}

/// Read access to the archive's entries for rules (implemented by the scan's [`EntryCache`]).
pub trait EntryReader: Sync {
    /// Bytes of the first entry with this name, refused when it declares more than `max` bytes;
    /// `None` when absent.
    fn get_bounded(&self, name: &str, max: u64) -> Option<Result<&[u8], ZipError>>;

    /// Like [`EntryReader::get_bounded`], for an entry read once into owned data: the bytes
    /// are not kept after the caller drops them.
    fn read_bounded(&self, name: &str, max: u64) -> Option<Result<Cow<'_, [u8]>, ZipError>> {
        self.get_bounded(name, max).map(|r| r.map(Cow::Borrowed))
    }
}

impl EntryReader for EntryCache<'_> {
    fn get_bounded(&self, name: &str, max: u64) -> Option<Result<&[u8], ZipError>> {
        EntryCache::get_bounded(self, name, max)
    }

    fn read_bounded(&self, name: &str, max: u64) -> Option<Result<Cow<'_, [u8]>, ZipError>> {
        EntryCache::read_bounded(self, name, max)
    }
}
