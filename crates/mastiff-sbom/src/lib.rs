//! Software bill of materials for Android apps: third-party library detection, CycloneDX 1.6
//! output, and offline vulnerability matching against OSV data.
//!
//! # Façade (what the scanner calls)
//!
//! ```no_run
//! use mastiff_core::Date;
//! use mastiff_formats::zip::{Archive, EntryCache};
//! use mastiff_formats::Limits;
//! use mastiff_sbom::{analyse, to_cyclonedx, AnalyseOptions, AppMeta, SbomInputs, VulnDb};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let bytes = std::fs::read("app.apk")?;
//! let archive = Archive::parse(&bytes, &Limits::default())?;
//! let cache = EntryCache::new(&archive, Limits::default()); // the scan's own cache
//! let dex_strings: Vec<&str> = Vec::new(); // from the dex reader, when there is one
//! let class_names: Vec<&str> = Vec::new(); // "Lokhttp3/OkHttpClient;" or "okhttp3.OkHttpClient"
//!
//! // The seed set, or the user's `--vuln-db DIR` (osv-scanner offline layout).
//! let db = VulnDb::seed(); // or VulnDb::load_dir(dir)?
//! let inputs = SbomInputs::new(&cache)
//!     .with_dex_strings(dex_strings.iter().copied())
//!     .with_class_names(class_names.iter().copied());
//! let opts = AnalyseOptions { scan_date: Date::today(), max_db_age_days: Some(30), ..Default::default() };
//! let result = analyse(inputs, &db, &opts);
//! // result.components, result.vulns (one per component × advisory), result.db_info.describe(),
//! // result.warnings (staleness, unreadable entries, seed-set notice)
//! let app = AppMeta { package: "com.example".into(), version: Some("1.0".into()),
//!                     sha256: "…hex…".into(), timestamp: None };
//! let json = to_cyclonedx(&result, &app); // serde_json::Value, CycloneDX 1.6
//! # Ok(()) }
//! ```
//!
//! Every input here is attacker-controlled (the app, and a user's database files): no panics,
//! sizes bounded by [`DetectLimits`] and [`osv::DbLimits`].

#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]
#![cfg_attr(
    test,
    allow(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

pub mod aliases;
pub mod component;
pub mod cvss;
pub mod cyclonedx;
pub mod detect;
pub mod matching;
pub mod osv;
pub mod version;

use mastiff_core::Date;

pub use component::{Component, Evidence, Method};
pub use cyclonedx::{to_cyclonedx, AppMeta};
pub use detect::{DetectLimits, Detection, EntrySource, MemoryEntries, Signatures};
pub use matching::{match_vulns, MatchStatus, Matches, Severity, VulnMatch};
pub use osv::{DbError, DbInfo, DbSource, VulnDb};

/// What the scanner already has about the app. Build with [`SbomInputs::new`] and the
/// `with_*` methods; the dex iterators are optional (empty by default).
pub struct SbomInputs<'a> {
    /// Zip entries: names and bytes (mastiff's `EntryCache` implements [`EntrySource`]).
    pub entries: &'a dyn EntrySource,
    /// Every string of every dex file's string pool.
    pub dex_strings: Box<dyn Iterator<Item = &'a str> + 'a>,
    /// Class names (type descriptors `Lokhttp3/OkHttpClient;`, slash or dot form).
    pub class_names: Box<dyn Iterator<Item = &'a str> + 'a>,
}

impl<'a> SbomInputs<'a> {
    pub fn new(entries: &'a dyn EntrySource) -> SbomInputs<'a> {
        SbomInputs {
            entries,
            dex_strings: Box::new(std::iter::empty()),
            class_names: Box::new(std::iter::empty()),
        }
    }

    pub fn with_dex_strings(mut self, strings: impl Iterator<Item = &'a str> + 'a) -> Self {
        self.dex_strings = Box::new(strings);
        self
    }

    pub fn with_class_names(mut self, names: impl Iterator<Item = &'a str> + 'a) -> Self {
        self.class_names = Box::new(names);
        self
    }
}

/// Options of [`analyse`].
#[derive(Debug, Clone)]
pub struct AnalyseOptions {
    /// The day the scan is evaluated for (database staleness is measured against it).
    pub scan_date: Date,
    /// Warn when the database's newest `modified` date is older than this many days before
    /// `scan_date`; `None` disables the check.
    pub max_db_age_days: Option<u32>,
    pub limits: DetectLimits,
}

impl Default for AnalyseOptions {
    fn default() -> Self {
        AnalyseOptions {
            scan_date: Date::today(),
            max_db_age_days: Some(DEFAULT_MAX_DB_AGE_DAYS),
            limits: DetectLimits::default(),
        }
    }
}

/// Default allowed database age (days) before a staleness warning.
pub const DEFAULT_MAX_DB_AGE_DAYS: u32 = 30;

/// The SBOM and its vulnerabilities.
#[derive(Debug, Clone)]
pub struct SbomResult {
    /// Sorted by (ecosystem, group, name, version).
    pub components: Vec<Component>,
    /// One entry per (component, advisory); `VulnMatch::component` indexes `components`.
    pub vulns: Vec<VulnMatch>,
    /// The database used: name it in every report ([`DbInfo::describe`]).
    pub db_info: DbInfo,
    /// Detection limits hit, database staleness, the seed-set notice, unreadable database
    /// files.
    pub warnings: Vec<String>,
}

/// Detects the app's third-party components and matches them against `db`.
pub fn analyse(inputs: SbomInputs<'_>, db: &VulnDb, opts: &AnalyseOptions) -> SbomResult {
    let mut warnings = Vec::new();
    let detection = match Signatures::builtin() {
        Ok(sigs) => detect::detect(
            sigs,
            inputs.entries,
            inputs.dex_strings,
            inputs.class_names,
            &opts.limits,
        ),
        Err(e) => {
            warnings.push(format!("library signature table unusable: {e}"));
            Detection::default()
        }
    };
    warnings.extend(detection.warnings);
    let matches = match_vulns(
        &detection.components,
        db,
        opts.scan_date,
        opts.max_db_age_days,
    );
    warnings.extend(matches.warnings);
    if db.info().source == DbSource::Seed {
        warnings.push(format!(
            "{}; components without a matching advisory here may still be vulnerable",
            db.info().describe()
        ));
    }
    if db.info().unreadable > 0 {
        warnings.push(format!(
            "{} vulnerability database file(s) could not be read",
            db.info().unreadable
        ));
    }
    SbomResult {
        components: detection.components,
        vulns: matches.vulns,
        db_info: db.info().clone(),
        warnings,
    }
}
