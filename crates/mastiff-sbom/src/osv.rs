//! The OSV records we read, the database they form, and range evaluation.
//!
//! Only the subset of the [OSV schema](https://ossf.github.io/osv-schema/) that matching needs
//! is modelled, with every field optional or defaulted and the ecosystem kept as a `String`, so
//! a record from a newer schema or an ecosystem we do not know still loads.
//!
//! Sources: the seed set embedded at build time ([`VulnDb::seed`]) or a user directory in
//! osv-scanner's offline layout ([`VulnDb::load_dir`]): `DIR/<Ecosystem>/all.zip` and/or
//! unpacked `DIR/**/*.json`.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use mastiff_core::Date;
use mastiff_formats::zip::Archive;
use mastiff_formats::Limits;
use serde::{Deserialize, Deserializer};

use crate::aliases;
use crate::version::Scheme;

fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// One OSV record (the fields mastiff reads).
#[derive(Debug, Clone, Deserialize)]
pub struct OsvRecord {
    pub id: String,
    #[serde(default, deserialize_with = "null_default")]
    pub modified: String,
    #[serde(default)]
    pub published: Option<String>,
    #[serde(default)]
    pub withdrawn: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub details: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub severity: Vec<OsvSeverity>,
    #[serde(default, deserialize_with = "null_default")]
    pub affected: Vec<OsvAffected>,
    #[serde(default, deserialize_with = "null_default")]
    pub references: Vec<OsvReference>,
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OsvSeverity {
    /// `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`, …
    #[serde(rename = "type", default, deserialize_with = "null_default")]
    pub kind: String,
    #[serde(default, deserialize_with = "null_default")]
    pub score: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OsvReference {
    #[serde(rename = "type", default, deserialize_with = "null_default")]
    pub kind: String,
    #[serde(default, deserialize_with = "null_default")]
    pub url: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OsvAffected {
    #[serde(default)]
    pub package: Option<OsvPackage>,
    #[serde(default, deserialize_with = "null_default")]
    pub severity: Vec<OsvSeverity>,
    #[serde(default, deserialize_with = "null_default")]
    pub ranges: Vec<OsvRange>,
    #[serde(default, deserialize_with = "null_default")]
    pub versions: Vec<String>,
    #[serde(default)]
    pub ecosystem_specific: Option<serde_json::Value>,
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OsvPackage {
    /// Kept as text: OSV adds ecosystems, and a suffix may name a repository
    /// (`Maven:https://maven.google.com`).
    #[serde(default, deserialize_with = "null_default")]
    pub ecosystem: String,
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    #[serde(default)]
    pub purl: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OsvRange {
    /// `ECOSYSTEM`, `SEMVER` or `GIT`.
    #[serde(rename = "type", default, deserialize_with = "null_default")]
    pub kind: String,
    #[serde(default, deserialize_with = "null_default")]
    pub events: Vec<OsvEvent>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct OsvEvent {
    #[serde(default)]
    pub introduced: Option<String>,
    #[serde(default)]
    pub fixed: Option<String>,
    #[serde(default)]
    pub last_affected: Option<String>,
    #[serde(default)]
    pub limit: Option<String>,
}

impl OsvRecord {
    /// GitHub's `database_specific.severity` (`LOW`, `MODERATE`, `HIGH`, `CRITICAL`) or the
    /// same key written by other sources.
    pub fn severity_level(&self) -> Option<&str> {
        self.database_specific
            .as_ref()?
            .get("severity")?
            .as_str()
            .filter(|s| !s.is_empty())
    }

    /// `database_specific.cwe_ids`.
    pub fn cwe_ids(&self) -> Vec<String> {
        self.database_specific
            .as_ref()
            .and_then(|d| d.get("cwe_ids"))
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Whether one `affected[]` entry covers a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeStatus {
    /// The version is inside a range or in the `versions` list.
    Affected,
    /// The version is outside every evaluable range and not listed.
    NotAffected,
    /// The component's version is unknown, or the advisory's versions could not be read under
    /// the ecosystem's rules: the component may be affected.
    Unknown,
}

/// The OSV "0" event: before every version.
fn is_zero(v: &str) -> bool {
    v.trim() == "0"
}

/// Compares with OSV's `"0"` below everything; `None` if the scheme cannot read either side.
fn cmp_event(scheme: Scheme, a: &str, b: &str) -> Option<Ordering> {
    match (is_zero(a), is_zero(b)) {
        (true, true) => Some(Ordering::Equal),
        (true, false) => Some(Ordering::Less),
        (false, true) => Some(Ordering::Greater),
        (false, false) => scheme.compare(a, b),
    }
}

impl OsvAffected {
    /// The OSV evaluation (schema "Evaluation" pseudocode): the version is in `versions`, or in
    /// a non-GIT range where, walking the events in version order, the last applicable event
    /// is an `introduced` (not followed by a `fixed` ≤ v or a `last_affected` < v), and v is
    /// below at least one `limit` if any are given.
    pub fn status(&self, version: Option<&str>) -> RangeStatus {
        let (eco, name) = self
            .package
            .as_ref()
            .map(|p| (p.ecosystem.as_str(), p.name.as_str()))
            .unwrap_or(("", ""));
        let eco_scheme = Scheme::for_package(eco, name);
        let evaluable: Vec<&OsvRange> = self
            .ranges
            .iter()
            .filter(|r| {
                r.kind.eq_ignore_ascii_case("ECOSYSTEM") || r.kind.eq_ignore_ascii_case("SEMVER")
            })
            .collect();
        if evaluable.is_empty() && self.versions.is_empty() {
            // GIT-only (or empty) entries cannot be evaluated against a release version.
            return RangeStatus::NotAffected;
        }
        let Some(v) = version else {
            return RangeStatus::Unknown;
        };
        let mut unknown = false;
        for listed in &self.versions {
            match eco_scheme.compare(listed, v) {
                Some(Ordering::Equal) => return RangeStatus::Affected,
                Some(_) => {}
                None if listed.trim() == v.trim() => return RangeStatus::Affected,
                None => {}
            }
        }
        for range in evaluable {
            let scheme = if range.kind.eq_ignore_ascii_case("SEMVER") {
                Scheme::SemVer
            } else {
                eco_scheme
            };
            match range_includes(scheme, &range.events, v) {
                Some(true) => return RangeStatus::Affected,
                Some(false) => {}
                None => unknown = true,
            }
        }
        if unknown {
            RangeStatus::Unknown
        } else {
            RangeStatus::NotAffected
        }
    }

    /// Versions that fix this entry (`fixed` events), and the inclusive ceilings
    /// (`last_affected`), for the recommendation text.
    pub fn fixed_versions(&self) -> Vec<String> {
        self.ranges
            .iter()
            .flat_map(|r| r.events.iter())
            .filter_map(|e| e.fixed.clone())
            .collect()
    }

    pub fn last_affected_versions(&self) -> Vec<String> {
        self.ranges
            .iter()
            .flat_map(|r| r.events.iter())
            .filter_map(|e| e.last_affected.clone())
            .collect()
    }
}

/// `Some(true/false)`, or `None` if an event version cannot be compared.
fn range_includes(scheme: Scheme, events: &[OsvEvent], v: &str) -> Option<bool> {
    #[derive(Clone, Copy)]
    enum Kind {
        Introduced,
        Fixed,
        LastAffected,
    }
    let mut points: Vec<(Kind, &str)> = Vec::new();
    let mut limits: Vec<&str> = Vec::new();
    for e in events {
        if let Some(x) = &e.introduced {
            points.push((Kind::Introduced, x));
        }
        if let Some(x) = &e.fixed {
            points.push((Kind::Fixed, x));
        }
        if let Some(x) = &e.last_affected {
            points.push((Kind::LastAffected, x));
        }
        if let Some(x) = &e.limit {
            limits.push(x);
        }
    }
    // Every event version must be readable, or the order (and so the answer) is unknown.
    for (_, x) in &points {
        cmp_event(scheme, x, v)?;
    }
    let mut failed = false;
    points.sort_by(|a, b| {
        cmp_event(scheme, a.1, b.1).unwrap_or_else(|| {
            failed = true;
            Ordering::Equal
        })
    });
    if failed {
        return None;
    }
    let mut vulnerable = false;
    for (kind, x) in points {
        let o = cmp_event(scheme, v, x)?;
        match kind {
            Kind::Introduced if o.is_ge() => vulnerable = true,
            Kind::Fixed if o.is_ge() => vulnerable = false,
            Kind::LastAffected if o.is_gt() && !same_release_flavour(scheme, v, x) => {
                vulnerable = false
            }
            _ => {}
        }
    }
    if vulnerable && !limits.is_empty() {
        let mut below_any = false;
        for l in limits {
            if cmp_event(scheme, v, l)? == Ordering::Less {
                below_any = true;
            }
        }
        vulnerable = below_any;
    }
    Some(vulnerable)
}

/// `29.0-android` / `29.0-jre` are the 29.0 release built for a platform flavour (Guava's
/// scheme), but Maven orders an unknown qualifier after the release, so a `last_affected: 29.0`
/// ceiling would exclude them. They are kept inside the ceiling.
fn same_release_flavour(scheme: Scheme, v: &str, ceiling: &str) -> bool {
    if scheme != Scheme::Maven {
        return false;
    }
    let Some(rest) = v.trim().strip_prefix(ceiling.trim()) else {
        return false;
    };
    let flavour = rest.trim_start_matches(['-', '.']).to_ascii_lowercase();
    matches!(flavour.as_str(), "android" | "jre")
        || flavour
            .strip_prefix("jdk")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Where a database came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbSource {
    /// The curated set embedded in mastiff.
    Seed,
    /// A user directory in osv-scanner's offline layout.
    Directory(PathBuf),
}

/// What the report must say about the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbInfo {
    pub source: DbSource,
    /// Advisories loaded (withdrawn ones excluded).
    pub advisories: usize,
    /// Withdrawn advisories skipped.
    pub withdrawn: usize,
    /// Files or zip entries that could not be read as OSV JSON.
    pub unreadable: usize,
    /// The newest `modified` timestamp in the database, as written (RFC 3339).
    pub newest_modified: Option<String>,
    /// Whether the database is known to be a partial set (the seed set always is).
    pub exhaustive: bool,
}

impl DbInfo {
    /// One line naming the database, e.g. "mastiff seed set, 30 advisories, newest modified
    /// 2026-11-21T00:00:00Z (not exhaustive)" or "OSV directory /data/osv, 5123 advisories, …".
    pub fn describe(&self) -> String {
        let newest = self.newest_modified.as_deref().unwrap_or("unknown");
        match &self.source {
            DbSource::Seed => format!(
                "mastiff seed set, {} advisories, newest modified {newest} (a small curated set, not exhaustive: use --vuln-db with an OSV export for full coverage)",
                self.advisories
            ),
            DbSource::Directory(p) => format!(
                "OSV directory {}, {} advisories, newest modified {newest}",
                p.display(),
                self.advisories
            ),
        }
    }

    /// The newest `modified` date as a calendar date.
    pub fn newest_date(&self) -> Option<Date> {
        self.newest_modified.as_deref().and_then(Date::parse)
    }

    /// Days from the newest `modified` date to `scan_date` (negative if the database is newer
    /// than the scan date).
    pub fn age_days(&self, scan_date: Date) -> Option<i64> {
        Some(days_from_civil(scan_date) - days_from_civil(self.newest_date()?))
    }
}

pub(crate) fn days_from_civil(d: Date) -> i64 {
    // Howard Hinnant's days_from_civil.
    let y = i64::from(d.year) - i64::from(d.month <= 2);
    let m = i64::from(d.month);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d.day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Errors opening a user database directory. Unreadable records inside it are not errors: they
/// are counted in [`DbInfo::unreadable`] and listed in [`VulnDb::warnings`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DbError {
    #[error("cannot read vulnerability database directory {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("vulnerability database directory {0} holds no OSV records (expected <Ecosystem>/all.zip or *.json files)")]
    Empty(PathBuf),
}

/// Bounds on what a user database may make mastiff read.
#[derive(Debug, Clone)]
pub struct DbLimits {
    /// Largest single `*.json` file or zip entry.
    pub max_record_bytes: u64,
    /// Largest `all.zip` file read into memory.
    pub max_zip_bytes: u64,
    /// Most bytes inflated from all zips together.
    pub max_total_inflated: u64,
    /// Most files visited under the directory.
    pub max_files: usize,
    /// Deepest directory nesting followed.
    pub max_depth: usize,
}

impl Default for DbLimits {
    fn default() -> Self {
        DbLimits {
            max_record_bytes: 16 * 1024 * 1024,
            max_zip_bytes: 2 * 1024 * 1024 * 1024,
            max_total_inflated: 8 * 1024 * 1024 * 1024,
            max_files: 2_000_000,
            max_depth: 8,
        }
    }
}

/// Most warnings kept (a broken export could produce one per record).
const MAX_WARNINGS: usize = 50;

/// A loaded advisory database, indexed by logical package.
#[derive(Debug, Clone)]
pub struct VulnDb {
    records: Vec<OsvRecord>,
    /// Logical package key → (record index, affected index).
    index: HashMap<aliases::Key, Vec<(usize, usize)>>,
    info: DbInfo,
    warnings: Vec<String>,
}

mod seed {
    include!(concat!(env!("OUT_DIR"), "/seed_osv.rs"));
}

impl VulnDb {
    /// The curated seed set shipped in the binary (`crates/mastiff-sbom/data/osv`). Not
    /// exhaustive: reports must say so ([`DbInfo::describe`] does).
    pub fn seed() -> VulnDb {
        let mut b = Builder::new(DbSource::Seed);
        for (name, text) in seed::FILES {
            b.add_json(name, text.as_bytes());
        }
        b.finish(false)
    }

    /// A user directory in osv-scanner's offline layout: every `all.zip` (any depth up to
    /// [`DbLimits::max_depth`], normally `DIR/<Ecosystem>/all.zip`) and every `*.json` file.
    pub fn load_dir(dir: &Path) -> Result<VulnDb, DbError> {
        VulnDb::load_dir_with(dir, &DbLimits::default())
    }

    pub fn load_dir_with(dir: &Path, limits: &DbLimits) -> Result<VulnDb, DbError> {
        let mut b = Builder::new(DbSource::Directory(dir.to_path_buf()));
        let mut files = Vec::new();
        walk(dir, 0, limits, &mut files, &mut b.warnings).map_err(|source| DbError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        files.sort();
        let mut inflated = 0u64;
        for path in files {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.to_ascii_lowercase().ends_with(".zip") {
                b.add_zip(&path, limits, &mut inflated);
            } else {
                match read_bounded(&path, limits.max_record_bytes) {
                    Ok(bytes) => b.add_json(&path.display().to_string(), &bytes),
                    Err(e) => b.unreadable(&path.display().to_string(), &e),
                }
            }
        }
        if b.records.is_empty() && b.info.withdrawn == 0 {
            return Err(DbError::Empty(dir.to_path_buf()));
        }
        Ok(b.finish(true))
    }

    /// Builds a database from records already parsed (tests, other front ends).
    pub fn from_records(records: Vec<OsvRecord>, source: DbSource, exhaustive: bool) -> VulnDb {
        let mut b = Builder::new(source);
        for r in records {
            b.add_record(r);
        }
        b.finish(exhaustive)
    }

    pub fn info(&self) -> &DbInfo {
        &self.info
    }

    /// Problems met while loading (unreadable files, skipped entries); at most 50 kept.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    pub fn records(&self) -> &[OsvRecord] {
        &self.records
    }

    /// Every `(record, affected entry)` naming the same logical component as
    /// `(ecosystem, name)`: okhttp and okhttp3 coordinates, BouncyCastle and SpongyCastle
    /// artifacts are one component each (see [`crate::aliases`]).
    pub fn candidates(&self, ecosystem: &str, name: &str) -> Vec<(&OsvRecord, &OsvAffected)> {
        let key = aliases::key(ecosystem, name);
        self.index
            .get(&key)
            .map(|hits| {
                hits.iter()
                    .filter_map(|&(r, a)| {
                        let rec = self.records.get(r)?;
                        Some((rec, rec.affected.get(a)?))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

struct Builder {
    records: Vec<OsvRecord>,
    info: DbInfo,
    warnings: Vec<String>,
}

impl Builder {
    fn new(source: DbSource) -> Builder {
        Builder {
            records: Vec::new(),
            info: DbInfo {
                source,
                advisories: 0,
                withdrawn: 0,
                unreadable: 0,
                newest_modified: None,
                exhaustive: false,
            },
            warnings: Vec::new(),
        }
    }

    fn warn(&mut self, w: String) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(w);
        }
    }

    fn unreadable(&mut self, what: &str, e: &dyn std::fmt::Display) {
        self.info.unreadable += 1;
        self.warn(format!("{what}: not read: {e}"));
    }

    fn add_json(&mut self, what: &str, bytes: &[u8]) {
        match serde_json::from_slice::<OsvRecord>(bytes) {
            Ok(r) => self.add_record(r),
            Err(e) => self.unreadable(what, &e),
        }
    }

    fn add_record(&mut self, r: OsvRecord) {
        if r.withdrawn.as_deref().is_some_and(|w| !w.trim().is_empty()) {
            self.info.withdrawn += 1;
            return;
        }
        // RFC 3339 timestamps in UTC ("Z") order as text; keep the greatest.
        if !r.modified.is_empty()
            && self
                .info
                .newest_modified
                .as_deref()
                .is_none_or(|n| r.modified.as_str() > n)
        {
            self.info.newest_modified = Some(r.modified.clone());
        }
        self.records.push(r);
    }

    fn add_zip(&mut self, path: &Path, limits: &DbLimits, inflated: &mut u64) {
        let what = path.display().to_string();
        let bytes = match read_bounded(path, limits.max_zip_bytes) {
            Ok(b) => b,
            Err(e) => return self.unreadable(&what, &e),
        };
        let zip_limits = Limits {
            max_entry_size: limits.max_record_bytes,
            ..Limits::default()
        };
        let archive = match Archive::parse(&bytes, &zip_limits) {
            Ok(a) => a,
            Err(e) => return self.unreadable(&what, &e),
        };
        // Entries are inflated one at a time and dropped after parsing (an EntryCache would keep
        // every inflated record alive); the archive-wide budget is enforced here.
        for entry in archive.entries() {
            if entry.is_dir() || !entry.name.to_ascii_lowercase().ends_with(".json") {
                continue;
            }
            if inflated.saturating_add(entry.uncompressed_size) > limits.max_total_inflated {
                self.warn(format!(
                    "{what}: stopped after {inflated} inflated bytes (limit {})",
                    limits.max_total_inflated
                ));
                break;
            }
            match archive.read(entry, &zip_limits) {
                Ok(data) => {
                    *inflated = inflated.saturating_add(data.len() as u64);
                    let label = format!("{what}!{}", entry.name);
                    self.add_json(&label, &data);
                }
                Err(e) => self.unreadable(&format!("{what}!{}", entry.name), &e),
            }
        }
    }

    fn finish(mut self, exhaustive: bool) -> VulnDb {
        self.info.advisories = self.records.len();
        self.info.exhaustive = exhaustive;
        let mut index: HashMap<aliases::Key, Vec<(usize, usize)>> = HashMap::new();
        for (ri, r) in self.records.iter().enumerate() {
            for (ai, a) in r.affected.iter().enumerate() {
                if let Some(p) = &a.package {
                    index
                        .entry(aliases::key(&p.ecosystem, &p.name))
                        .or_default()
                        .push((ri, ai));
                }
            }
        }
        VulnDb {
            records: self.records,
            index,
            info: self.info,
            warnings: self.warnings,
        }
    }
}

fn read_bounded(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    if len > max {
        return Err(std::io::Error::other(format!(
            "file is {len} bytes, over the limit of {max}"
        )));
    }
    let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    f.take(max.saturating_add(1)).read_to_end(&mut buf)?;
    if buf.len() as u64 > max {
        return Err(std::io::Error::other("file grew over the size limit"));
    }
    Ok(buf)
}

fn walk(
    dir: &Path,
    depth: usize,
    limits: &DbLimits,
    out: &mut Vec<PathBuf>,
    warnings: &mut Vec<String>,
) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        if out.len() >= limits.max_files {
            if warnings.len() < MAX_WARNINGS {
                warnings.push(format!(
                    "{}: stopped after {} files",
                    dir.display(),
                    limits.max_files
                ));
            }
            return Ok(());
        }
        let path = e.path();
        // No symlink following: file_type() does not traverse links.
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            if depth < limits.max_depth {
                walk(&path, depth + 1, limits, out, warnings)?;
            }
        } else if ft.is_file() {
            let lower = e.file_name().to_string_lossy().to_ascii_lowercase();
            if lower.ends_with(".json") || lower.ends_with(".zip") {
                out.push(path);
            }
        }
    }
    Ok(())
}
