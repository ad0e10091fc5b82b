//! Library detection from what the scanner already has: zip entry names, a way to read an
//! entry's bytes, dex strings and class names. Nothing here opens the APK again.
//!
//! The signature table is data (`data/signatures.toml`, embedded; see its header for the
//! format). All needles of one kind are compiled into one Aho-Corasick automaton, so each dex
//! string, native library and asset is scanned once whatever the number of signatures.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, Anchored, Input, MatchKind, StartKind};
use serde::Deserialize;

use crate::component::{purl, Component, Evidence, Method};
use crate::version::Scheme;

/// Read access to the app's zip entries. Implemented for mastiff's
/// [`EntryCache`](mastiff_formats::zip::EntryCache) (each entry inflated at most once per scan)
/// and for [`MemoryEntries`].
pub trait EntrySource {
    /// Every entry name, in directory order (duplicates allowed).
    fn entry_names(&self) -> Vec<&str>;
    /// The bytes of the first entry with this name; `None` if absent, unreadable, or larger than
    /// `max` bytes (checked before inflating, so a large or hostile entry costs nothing).
    fn read(&self, name: &str, max: usize) -> Option<&[u8]>;
}

impl EntrySource for mastiff_formats::zip::EntryCache<'_> {
    fn entry_names(&self) -> Vec<&str> {
        self.archive()
            .entries()
            .iter()
            .map(|e| e.name.as_str())
            .collect()
    }

    fn read(&self, name: &str, max: usize) -> Option<&[u8]> {
        self.get_bounded(name, u64::try_from(max).unwrap_or(u64::MAX))
            .and_then(Result::ok)
    }
}

/// Entries held in memory (tests, callers without a zip).
#[derive(Debug, Clone, Default)]
pub struct MemoryEntries {
    pub entries: BTreeMap<String, Vec<u8>>,
}

impl MemoryEntries {
    pub fn new<I, N, B>(items: I) -> MemoryEntries
    where
        I: IntoIterator<Item = (N, B)>,
        N: Into<String>,
        B: Into<Vec<u8>>,
    {
        MemoryEntries {
            entries: items
                .into_iter()
                .map(|(n, b)| (n.into(), b.into()))
                .collect(),
        }
    }
}

impl EntrySource for MemoryEntries {
    fn entry_names(&self) -> Vec<&str> {
        self.entries.keys().map(String::as_str).collect()
    }
    fn read(&self, name: &str, max: usize) -> Option<&[u8]> {
        self.entries
            .get(name)
            .map(Vec::as_slice)
            .filter(|b| b.len() <= max)
    }
}

/// Errors in a signature table.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    #[error("signature table is not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("signature {id}: {problem}")]
    Invalid { id: String, problem: String },
    #[error("cannot build the matcher: {0}")]
    Matcher(#[from] aho_corasick::BuildError),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    library: Vec<LibSig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct LibSig {
    id: String,
    ecosystem: String,
    #[serde(default)]
    group: Option<String>,
    name: String,
    #[serde(default)]
    supplier: Option<String>,
    #[serde(default)]
    classes: Vec<String>,
    #[serde(default)]
    dex_strings: Vec<String>,
    #[serde(default)]
    native_files: Vec<String>,
    #[serde(default)]
    asset_files: Vec<String>,
    #[serde(default)]
    kotlin_modules: Vec<String>,
    #[serde(default)]
    metadata_files: Vec<String>,
    #[serde(default)]
    version: Vec<VersionProbe>,
    #[serde(default)]
    coordinates_by_version: Vec<CoordRule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Where {
    Dex,
    Native,
    Asset,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Direction {
    #[default]
    After,
    Before,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionProbe {
    #[serde(rename = "in")]
    place: Where,
    needle: String,
    #[serde(default)]
    direction: Direction,
    #[serde(default)]
    skip: String,
    #[serde(default = "one")]
    min_dots: usize,
    #[serde(default)]
    files: Vec<String>,
    #[serde(default)]
    reject_after: Vec<String>,
}

fn one() -> usize {
    1
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CoordRule {
    below: String,
    #[serde(default)]
    ecosystem: Option<String>,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

/// A compiled signature table.
#[derive(Debug)]
pub struct Signatures {
    libs: Vec<LibSig>,
    /// (library, probe) per needle, in automaton pattern order.
    dex_probes: Vec<(usize, usize)>,
    dex_ac: Option<AhoCorasick>,
    native_probes: Vec<(usize, usize)>,
    native_ac: Option<AhoCorasick>,
    asset_probes: Vec<(usize, usize)>,
    asset_ac: Option<AhoCorasick>,
    /// Class prefixes, matched anchored at the start of a class name.
    class_libs: Vec<usize>,
    class_ac: Option<AhoCorasick>,
    dex_exact: HashMap<String, Vec<usize>>,
    kotlin: HashMap<String, Vec<usize>>,
    metadata: HashMap<String, usize>,
}

static BUILTIN: OnceLock<Result<Signatures, String>> = OnceLock::new();

impl Signatures {
    /// The table shipped with mastiff (`data/signatures.toml`), compiled once per process.
    /// A broken built-in table is a build defect; it is caught by this crate's tests and
    /// reported as a [`SignatureError`] message rather than a panic.
    pub fn builtin() -> Result<&'static Signatures, String> {
        BUILTIN
            .get_or_init(|| {
                Signatures::from_toml(include_str!("../data/signatures.toml"))
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Compiles a table in the format of `data/signatures.toml`.
    pub fn from_toml(text: &str) -> Result<Signatures, SignatureError> {
        let raw: RawTable = toml::from_str(text)?;
        let libs = raw.library;
        let mut dex = (Vec::new(), Vec::new());
        let mut native = (Vec::new(), Vec::new());
        let mut asset = (Vec::new(), Vec::new());
        let mut class_pats = Vec::new();
        let mut class_libs = Vec::new();
        let mut dex_exact: HashMap<String, Vec<usize>> = HashMap::new();
        let mut kotlin: HashMap<String, Vec<usize>> = HashMap::new();
        let mut metadata = HashMap::new();
        for (li, lib) in libs.iter().enumerate() {
            let invalid = |problem: &str| SignatureError::Invalid {
                id: lib.id.clone(),
                problem: problem.to_string(),
            };
            if lib.name.is_empty() || lib.ecosystem.is_empty() {
                return Err(invalid("name and ecosystem are required"));
            }
            for (pi, p) in lib.version.iter().enumerate() {
                if p.needle.is_empty() {
                    return Err(invalid("empty version needle"));
                }
                let slot = match p.place {
                    Where::Dex => &mut dex,
                    Where::Native => &mut native,
                    Where::Asset => &mut asset,
                };
                slot.0.push(p.needle.clone());
                slot.1.push((li, pi));
            }
            for c in &lib.classes {
                let c = normalize_class(c);
                if c.is_empty() {
                    return Err(invalid("empty class prefix"));
                }
                class_pats.push(c);
                class_libs.push(li);
            }
            for s in &lib.dex_strings {
                dex_exact.entry(s.clone()).or_default().push(li);
            }
            for m in &lib.kotlin_modules {
                kotlin.entry(m.clone()).or_default().push(li);
            }
            for m in &lib.metadata_files {
                metadata.insert(m.clone(), li);
            }
        }
        let build = |pats: &[String]| -> Result<Option<AhoCorasick>, SignatureError> {
            if pats.is_empty() {
                return Ok(None);
            }
            Ok(Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(pats)?,
            ))
        };
        let class_ac = if class_pats.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .start_kind(StartKind::Anchored)
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&class_pats)?,
            )
        };
        Ok(Signatures {
            dex_ac: build(&dex.0)?,
            dex_probes: dex.1,
            native_ac: build(&native.0)?,
            native_probes: native.1,
            asset_ac: build(&asset.0)?,
            asset_probes: asset.1,
            class_libs,
            class_ac,
            dex_exact,
            kotlin,
            metadata,
            libs,
        })
    }

    /// Number of libraries in the table.
    pub fn len(&self) -> usize {
        self.libs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.libs.is_empty()
    }
}

/// `Lokhttp3/OkHttpClient;`, `okhttp3.OkHttpClient` and `okhttp3/OkHttpClient` all become
/// `okhttp3/OkHttpClient`.
fn normalize_class(c: &str) -> String {
    let c = c.trim();
    let c = match c.strip_suffix(';') {
        Some(inner) => inner.strip_prefix('L').unwrap_or(inner),
        None => c,
    };
    c.replace('.', "/")
}

/// Bounds on the bytes the detector reads.
#[derive(Debug, Clone)]
pub struct DetectLimits {
    /// Largest native library or asset scanned for version strings.
    pub max_scan_file: usize,
    /// Most bytes scanned in all native libraries and assets together.
    pub max_scan_total: usize,
    /// Largest `.version` / `pom.properties` file read.
    pub max_metadata_file: usize,
}

impl Default for DetectLimits {
    fn default() -> Self {
        DetectLimits {
            max_scan_file: 64 * 1024 * 1024,
            max_scan_total: 512 * 1024 * 1024,
            max_metadata_file: 16 * 1024,
        }
    }
}

/// What detection found.
#[derive(Debug, Clone, Default)]
pub struct Detection {
    /// Sorted by (ecosystem, group, name, version).
    pub components: Vec<Component>,
    /// Things that limited detection (files too large, unreadable entries).
    pub warnings: Vec<String>,
}

type CompKey = (String, Option<String>, String, Option<String>);

#[derive(Default)]
struct Acc {
    map: BTreeMap<CompKey, Component>,
    warnings: Vec<String>,
}

impl Acc {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        ecosystem: &str,
        group: Option<&str>,
        name: &str,
        version: Option<&str>,
        supplier: Option<&str>,
        method: Method,
        confidence: f32,
        location: &str,
        value: String,
    ) {
        let key = (
            ecosystem.to_string(),
            group.map(str::to_string),
            name.to_string(),
            version.map(str::to_string),
        );
        let c = self.map.entry(key).or_insert_with(|| Component {
            ecosystem: ecosystem.to_string(),
            group: group.map(str::to_string),
            name: name.to_string(),
            version: version.map(str::to_string),
            purl: purl(ecosystem, group, name, version),
            method,
            confidence,
            supplier: supplier.map(str::to_string),
            evidence: Vec::new(),
        });
        if method < c.method {
            c.method = method;
        }
        if confidence > c.confidence {
            c.confidence = confidence;
        }
        if c.supplier.is_none() {
            c.supplier = supplier.map(str::to_string);
        }
        let ev = Evidence {
            method,
            location: location.to_string(),
            value,
        };
        if !c.evidence.contains(&ev) && c.evidence.len() < 64 {
            c.evidence.push(ev);
        }
    }

    fn add_lib(
        &mut self,
        lib: &LibSig,
        version: Option<&str>,
        method: Method,
        confidence: f32,
        location: &str,
        value: String,
    ) {
        let (eco, group, name) = coordinates(lib, version);
        self.add(
            eco,
            group,
            name,
            version,
            lib.supplier.as_deref(),
            method,
            confidence,
            location,
            value,
        );
    }

    /// Presence-only components are folded into versioned ones of the same library; the
    /// evidence is kept.
    fn finish(self) -> Detection {
        let mut versioned: BTreeMap<(String, Option<String>, String), Vec<CompKey>> =
            BTreeMap::new();
        for k in self.map.keys() {
            if k.3.is_some() {
                versioned
                    .entry((k.0.clone(), k.1.clone(), k.2.clone()))
                    .or_default()
                    .push(k.clone());
            }
        }
        let mut map = self.map;
        let unversioned: Vec<CompKey> = map.keys().filter(|k| k.3.is_none()).cloned().collect();
        for k in unversioned {
            let Some(targets) = versioned.get(&(k.0.clone(), k.1.clone(), k.2.clone())) else {
                continue;
            };
            if let Some(presence) = map.remove(&k) {
                for t in targets {
                    if let Some(c) = map.get_mut(t) {
                        for ev in &presence.evidence {
                            if !c.evidence.contains(ev) {
                                c.evidence.push(ev.clone());
                            }
                        }
                    }
                }
            }
        }
        let mut components: Vec<Component> = map.into_values().collect();
        for c in &mut components {
            c.evidence.sort();
        }
        Detection {
            components,
            warnings: self.warnings,
        }
    }
}

/// Coordinates for a detected version (`coordinates_by_version` rules).
fn coordinates<'l>(lib: &'l LibSig, version: Option<&str>) -> (&'l str, Option<&'l str>, &'l str) {
    let mut eco = lib.ecosystem.as_str();
    let mut group = lib.group.as_deref();
    let mut name = lib.name.as_str();
    if let Some(v) = version {
        let scheme = Scheme::for_package(eco, name);
        for rule in &lib.coordinates_by_version {
            if scheme.compare(v, &rule.below) == Some(std::cmp::Ordering::Less) {
                if let Some(e) = rule.ecosystem.as_deref() {
                    eco = e;
                }
                if let Some(g) = rule.group.as_deref() {
                    group = Some(g);
                }
                if let Some(n) = rule.name.as_deref() {
                    name = n;
                }
                break;
            }
        }
    }
    (eco, group, name)
}

fn is_version_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'+')
}

/// Most characters a version may have.
const MAX_VERSION_LEN: usize = 48;

fn clean_version(raw: &[u8], min_dots: usize) -> Option<String> {
    let s = std::str::from_utf8(raw).ok()?;
    let s = s.trim_end_matches(['.', '-', '_', '+']);
    if s.is_empty() || s.len() > MAX_VERSION_LEN || !s.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    if s.bytes().filter(|&b| b == b'.').count() < min_dots {
        return None;
    }
    Some(s.to_string())
}

/// The version next to a needle match at `[start, end)` in `hay`.
fn version_at(hay: &[u8], start: usize, end: usize, probe: &VersionProbe) -> Option<String> {
    match probe.direction {
        Direction::After => {
            let mut i = end;
            while hay
                .get(i)
                .is_some_and(|b| probe.skip.as_bytes().contains(b))
                && i - end < 8
            {
                i += 1;
            }
            let from = i;
            while hay.get(i).copied().is_some_and(is_version_char) && i - from <= MAX_VERSION_LEN {
                i += 1;
            }
            let v = clean_version(hay.get(from..i)?, probe.min_dots)?;
            let tail = hay.get(from + v.len()..).unwrap_or(&[]);
            if probe
                .reject_after
                .iter()
                .any(|r| tail.starts_with(r.as_bytes()))
            {
                return None;
            }
            Some(v)
        }
        Direction::Before => {
            let mut i = start;
            while i > 0
                && hay.get(i - 1).copied().is_some_and(is_version_char)
                && start - i <= MAX_VERSION_LEN
            {
                i -= 1;
            }
            clean_version(hay.get(i..start)?, probe.min_dots)
        }
    }
}

fn file_matches(name: &str, suffixes: &[String]) -> bool {
    suffixes.is_empty() || suffixes.iter().any(|s| name.ends_with(s.as_str()))
}

/// Runs every tier. `dex_strings` and `class_names` may be empty (no dex reader): metadata,
/// native and asset tiers still work.
pub fn detect<'s>(
    sigs: &Signatures,
    entries: &dyn EntrySource,
    dex_strings: impl IntoIterator<Item = &'s str>,
    class_names: impl IntoIterator<Item = &'s str>,
    limits: &DetectLimits,
) -> Detection {
    let mut acc = Acc::default();
    let names = entries.entry_names();
    let mut scanned_total = 0usize;
    let mut seen = std::collections::HashSet::new();
    for &name in &names {
        if !seen.insert(name) {
            continue; // duplicate entry names: the platform reads the first
        }
        if let Some(stem) = name
            .strip_prefix("META-INF/")
            .and_then(|r| r.strip_suffix(".version"))
            .filter(|s| !s.contains('/') && !s.is_empty())
        {
            version_file(sigs, entries, name, stem, limits, &mut acc);
        } else if name.starts_with("META-INF/maven/") && name.ends_with("/pom.properties") {
            pom_properties(entries, name, limits, &mut acc);
        } else if let Some(module) = name
            .strip_prefix("META-INF/")
            .and_then(|r| r.strip_suffix(".kotlin_module"))
        {
            // Unknown modules are not reported: the app's own module has one too.
            for &li in sigs.kotlin.get(module).into_iter().flatten() {
                if let Some(lib) = sigs.libs.get(li) {
                    acc.add_lib(
                        lib,
                        None,
                        Method::KotlinModule,
                        0.6,
                        name,
                        module.to_string(),
                    );
                }
            }
        } else if name.starts_with("lib/") && name.ends_with(".so") {
            for lib in sigs.libs.iter().filter(|l| {
                !l.native_files.is_empty()
                    && l.native_files.iter().any(|s| name.ends_with(s.as_str()))
            }) {
                acc.add_lib(
                    lib,
                    None,
                    Method::NativeFileName,
                    0.6,
                    name,
                    name.to_string(),
                );
            }
            if let Some(ac) = &sigs.native_ac {
                scan_file(
                    sigs,
                    ac,
                    &sigs.native_probes,
                    entries,
                    name,
                    Method::NativeVersionString,
                    limits,
                    &mut scanned_total,
                    &mut acc,
                );
            }
        } else if name.starts_with("assets/") {
            for lib in sigs.libs.iter().filter(|l| {
                !l.asset_files.is_empty()
                    && l.asset_files.iter().any(|s| name.ends_with(s.as_str()))
            }) {
                let mut value = name.to_string();
                if name.ends_with(".bundle")
                    && entries
                        .read(name, limits.max_scan_file)
                        .is_some_and(|b| b.starts_with(&HERMES_MAGIC))
                {
                    value.push_str(" (Hermes bytecode)");
                }
                acc.add_lib(lib, None, Method::AssetFileName, 0.6, name, value);
            }
            let lower = name.to_ascii_lowercase();
            if lower.ends_with(".js") || lower.ends_with(".bundle") {
                if let Some(ac) = &sigs.asset_ac {
                    scan_file(
                        sigs,
                        ac,
                        &sigs.asset_probes,
                        entries,
                        name,
                        Method::AssetVersionString,
                        limits,
                        &mut scanned_total,
                        &mut acc,
                    );
                }
            }
        }
    }
    scan_dex_strings(sigs, dex_strings, &mut acc);
    scan_classes(sigs, class_names, &mut acc);
    acc.finish()
}

/// Magic number at the start of a Hermes bytecode bundle (little-endian 0x1F1903C103BC1FC6).
const HERMES_MAGIC: [u8; 8] = [0xC6, 0x1F, 0xBC, 0x03, 0xC1, 0x03, 0x19, 0x1F];

fn version_file(
    sigs: &Signatures,
    entries: &dyn EntrySource,
    name: &str,
    stem: &str,
    limits: &DetectLimits,
    acc: &mut Acc,
) {
    let Some(bytes) = entries.read(name, limits.max_metadata_file) else {
        acc.warnings.push(format!("{name}: could not be read"));
        return;
    };
    let text = bytes
        .get(..bytes.len().min(limits.max_metadata_file))
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    let raw = text.trim();
    // Some builds write `task ':…:writeVersionFile'` instead of a version ("dynamic").
    let version = clean_version(raw.as_bytes(), 0).filter(|v| v == raw);
    let value = raw.chars().take(80).collect::<String>();
    if let Some(lib) = sigs.metadata.get(name).and_then(|&li| sigs.libs.get(li)) {
        let conf = if version.is_some() { 1.0 } else { 0.5 };
        acc.add_lib(
            lib,
            version.as_deref(),
            Method::VersionFile,
            conf,
            name,
            value,
        );
        return;
    }
    match stem.split_once('_') {
        Some((group, artifact)) if group.contains('.') && !artifact.is_empty() => {
            let conf = if version.is_some() { 1.0 } else { 0.5 };
            acc.add(
                "Maven",
                Some(group),
                artifact,
                version.as_deref(),
                None,
                Method::VersionFile,
                conf,
                name,
                value,
            );
        }
        _ => {
            // No `<group>_<artifact>` split: name known, coordinates not.
            acc.add(
                "Maven",
                None,
                stem,
                version.as_deref(),
                None,
                Method::VersionFile,
                if version.is_some() { 0.5 } else { 0.3 },
                name,
                value,
            );
        }
    }
}

fn pom_properties(entries: &dyn EntrySource, name: &str, limits: &DetectLimits, acc: &mut Acc) {
    let Some(bytes) = entries.read(name, limits.max_metadata_file) else {
        acc.warnings.push(format!("{name}: could not be read"));
        return;
    };
    let text = String::from_utf8_lossy(
        bytes
            .get(..bytes.len().min(limits.max_metadata_file))
            .unwrap_or(&[]),
    );
    let mut props: HashMap<&str, &str> = HashMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with('!') {
            continue;
        }
        if let Some((k, v)) = line.split_once(['=', ':']) {
            props.insert(k.trim(), v.trim());
        }
    }
    // META-INF/maven/<group>/<artifact>/pom.properties
    let mut parts = name.split('/').skip(2);
    let (path_group, path_artifact) = (parts.next(), parts.next());
    let group = props
        .get("groupId")
        .copied()
        .or(path_group)
        .filter(|s| !s.is_empty());
    let artifact = props
        .get("artifactId")
        .copied()
        .or(path_artifact)
        .filter(|s| !s.is_empty());
    let version = props
        .get("version")
        .and_then(|v| clean_version(v.as_bytes(), 0).filter(|c| c == v));
    if let (Some(g), Some(a)) = (group, artifact) {
        let value = format!("{g}:{a}:{}", version.as_deref().unwrap_or("?"));
        let conf = if version.is_some() { 1.0 } else { 0.5 };
        acc.add(
            "Maven",
            Some(g),
            a,
            version.as_deref(),
            None,
            Method::PomProperties,
            conf,
            name,
            value,
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn scan_file(
    sigs: &Signatures,
    ac: &AhoCorasick,
    probes: &[(usize, usize)],
    entries: &dyn EntrySource,
    name: &str,
    method: Method,
    limits: &DetectLimits,
    scanned_total: &mut usize,
    acc: &mut Acc,
) {
    // Read only if some probe applies to this file.
    let applies = probes.iter().any(|&(li, pi)| {
        sigs.libs
            .get(li)
            .and_then(|l| l.version.get(pi))
            .is_some_and(|p| file_matches(name, &p.files))
    });
    if !applies {
        return;
    }
    let Some(bytes) = entries.read(name, limits.max_scan_file) else {
        acc.warnings.push(format!("{name}: could not be read"));
        return;
    };
    if bytes.len() > limits.max_scan_file {
        acc.warnings.push(format!(
            "{name}: {} bytes, not scanned for version strings (limit {})",
            bytes.len(),
            limits.max_scan_file
        ));
        return;
    }
    if scanned_total.saturating_add(bytes.len()) > limits.max_scan_total {
        acc.warnings.push(format!(
            "{name}: not scanned, the total scan budget of {} bytes is used up",
            limits.max_scan_total
        ));
        return;
    }
    *scanned_total += bytes.len();
    let mut found = 0usize;
    let Ok(iter) = ac.try_find_overlapping_iter(bytes) else {
        return;
    };
    for m in iter {
        let Some(&(li, pi)) = probes.get(m.pattern().as_usize()) else {
            continue;
        };
        let (Some(lib), Some(probe)) = (
            sigs.libs.get(li),
            sigs.libs.get(li).and_then(|l| l.version.get(pi)),
        ) else {
            continue;
        };
        if !file_matches(name, &probe.files) {
            continue;
        }
        if let Some(v) = version_at(bytes, m.start(), m.end(), probe) {
            let ctx_start = m.start().min(if probe.direction == Direction::Before {
                m.start().saturating_sub(v.len())
            } else {
                m.start()
            });
            let ctx_end = (m.end() + v.len() + 2).min(bytes.len());
            let value = String::from_utf8_lossy(bytes.get(ctx_start..ctx_end).unwrap_or(&[]))
                .trim()
                .to_string();
            acc.add_lib(lib, Some(&v), method, 0.9, name, value);
            found += 1;
            if found >= 16 {
                break; // enough evidence from one file
            }
        }
    }
}

fn scan_dex_strings<'s>(
    sigs: &Signatures,
    strings: impl IntoIterator<Item = &'s str>,
    acc: &mut Acc,
) {
    for s in strings {
        if !sigs.dex_exact.is_empty() {
            if let Some(libs) = sigs.dex_exact.get(s) {
                for &li in libs {
                    if let Some(lib) = sigs.libs.get(li) {
                        acc.add_lib(
                            lib,
                            None,
                            Method::DexMarker,
                            0.6,
                            "classes*.dex",
                            s.to_string(),
                        );
                    }
                }
            }
        }
        let Some(ac) = &sigs.dex_ac else { continue };
        let bytes = s.as_bytes();
        let Ok(iter) = ac.try_find_overlapping_iter(bytes) else {
            continue;
        };
        for m in iter {
            let Some(&(li, pi)) = sigs.dex_probes.get(m.pattern().as_usize()) else {
                continue;
            };
            let (Some(lib), Some(probe)) = (
                sigs.libs.get(li),
                sigs.libs.get(li).and_then(|l| l.version.get(pi)),
            ) else {
                continue;
            };
            if let Some(v) = version_at(bytes, m.start(), m.end(), probe) {
                let value: String = s.chars().take(120).collect();
                acc.add_lib(
                    lib,
                    Some(&v),
                    Method::DexVersionString,
                    0.9,
                    "classes*.dex",
                    value,
                );
            }
        }
    }
}

fn scan_classes<'s>(sigs: &Signatures, classes: impl IntoIterator<Item = &'s str>, acc: &mut Acc) {
    let Some(ac) = &sigs.class_ac else {
        // Drain nothing: the caller's iterator is simply not consumed.
        return;
    };
    // library index → (count, first class seen)
    let mut hits: BTreeMap<usize, (usize, String)> = BTreeMap::new();
    for c in classes {
        // Descriptor form (`Lokhttp3/OkHttpClient;`) needs no allocation.
        let norm: std::borrow::Cow<'_, str> =
            match c.strip_prefix('L').and_then(|x| x.strip_suffix(';')) {
                Some(inner) if !inner.contains('.') => std::borrow::Cow::Borrowed(inner),
                _ => std::borrow::Cow::Owned(normalize_class(c)),
            };
        let input = Input::new(norm.as_ref()).anchored(Anchored::Yes);
        // The longest prefix wins; an automaton error cannot happen with this configuration
        // and would only mean "no match".
        if let Ok(Some(m)) = ac.try_find(input) {
            if let Some(&li) = sigs.class_libs.get(m.pattern().as_usize()) {
                let e = hits.entry(li).or_insert_with(|| (0, norm.to_string()));
                e.0 += 1;
            }
        }
    }
    for (li, (count, first)) in hits {
        if let Some(lib) = sigs.libs.get(li) {
            let value = if count > 1 {
                format!("{first} (+{} more classes)", count - 1)
            } else {
                first
            };
            acc.add_lib(lib, None, Method::ClassPrefix, 0.5, "classes*.dex", value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sigs() -> &'static Signatures {
        Signatures::builtin().unwrap()
    }

    fn find<'a>(d: &'a Detection, purl_prefix: &str) -> Vec<&'a Component> {
        d.components
            .iter()
            .filter(|c| c.purl.starts_with(purl_prefix))
            .collect()
    }

    #[test]
    fn builtin_table_compiles() {
        assert!(sigs().len() > 40);
    }

    #[test]
    fn version_files_and_dynamic_versions() {
        let e = MemoryEntries::new([
            ("META-INF/androidx.core_core.version", &b"1.9.0\n"[..]),
            (
                "META-INF/androidx.foo_bar.version",
                &b"task ':foo:writeVersionFile'"[..],
            ),
            ("META-INF/kotlinx_coroutines_core.version", &b"1.6.1"[..]),
            ("META-INF/oddname.version", &b"2.0"[..]),
            ("META-INF/sub/x_y.version", &b"9.9"[..]),
        ]);
        let d = detect(sigs(), &e, [], [], &DetectLimits::default());
        let core = find(&d, "pkg:maven/androidx.core/core@1.9.0");
        assert_eq!(core.len(), 1);
        assert_eq!(core[0].confidence, 1.0);
        assert_eq!(core[0].method, Method::VersionFile);
        let dynamic = find(&d, "pkg:maven/androidx.foo/bar");
        assert_eq!(dynamic.len(), 1);
        assert_eq!(dynamic[0].version, None);
        assert!(dynamic[0].confidence < 1.0);
        assert_eq!(
            find(
                &d,
                "pkg:maven/org.jetbrains.kotlinx/kotlinx-coroutines-core@1.6.1"
            )
            .len(),
            1
        );
        let odd = find(&d, "pkg:generic/oddname@2.0");
        assert_eq!(odd.len(), 1);
        assert!(odd[0].confidence <= 0.5);
        assert!(find(&d, "pkg:maven/sub").is_empty());
    }

    #[test]
    fn pom_properties() {
        let e = MemoryEntries::new([(
            "META-INF/maven/com.google.code.gson/gson/pom.properties",
            &b"#Generated by Maven\nversion=2.8.5\ngroupId=com.google.code.gson\nartifactId=gson\n"
                [..],
        )]);
        let d = detect(sigs(), &e, [], [], &DetectLimits::default());
        assert_eq!(d.components.len(), 1);
        assert_eq!(
            d.components[0].purl,
            "pkg:maven/com.google.code.gson/gson@2.8.5"
        );
        assert_eq!(d.components[0].method, Method::PomProperties);
    }

    #[test]
    fn dex_version_strings_and_coordinates_by_version() {
        let e = MemoryEntries::default();
        let strings = [
            "okhttp/3.8.0",
            "okhttp/2.7.5",
            "okhttp/%s",
            "BouncyCastle Security Provider v1.54",
            "BouncyCastle Security Provider v1.77",
            "fire-analytics",
            "unrelated",
        ];
        let d = detect(sigs(), &e, strings, [], &DetectLimits::default());
        let purls: Vec<&str> = d.components.iter().map(|c| c.purl.as_str()).collect();
        assert!(
            purls.contains(&"pkg:maven/com.squareup.okhttp3/okhttp@3.8.0"),
            "{purls:?}"
        );
        assert!(
            purls.contains(&"pkg:maven/com.squareup.okhttp/okhttp@2.7.5"),
            "{purls:?}"
        );
        assert!(
            purls.contains(&"pkg:maven/org.bouncycastle/bcprov-jdk15on@1.54"),
            "{purls:?}"
        );
        assert!(
            purls.contains(&"pkg:maven/org.bouncycastle/bcprov-jdk18on@1.77"),
            "{purls:?}"
        );
        assert!(
            purls.contains(&"pkg:maven/com.google.firebase/firebase-analytics"),
            "{purls:?}"
        );
        assert_eq!(d.components.len(), 5, "{purls:?}");
    }

    #[test]
    fn class_prefixes_are_presence_and_fold_into_versions() {
        let e = MemoryEntries::default();
        let d = detect(
            sigs(),
            &e,
            ["okhttp/3.12.1"],
            [
                "Lokhttp3/OkHttpClient;",
                "okhttp3.Request",
                "Lcom/google/gson/Gson;",
                "Lcom/android/org/bouncycastle/Foo;", // platform copy: not the library
                "Lmy/app/okhttp3/Shadow;",
            ],
            &DetectLimits::default(),
        );
        let purls: Vec<&str> = d.components.iter().map(|c| c.purl.as_str()).collect();
        assert_eq!(
            purls,
            vec![
                "pkg:maven/com.google.code.gson/gson",
                "pkg:maven/com.squareup.okhttp3/okhttp@3.12.1"
            ]
        );
        let ok = &d.components[1];
        assert_eq!(ok.method, Method::DexVersionString);
        assert!(ok.evidence.iter().any(|e| e.method == Method::ClassPrefix
            && e.value.starts_with("okhttp3/OkHttpClient (+1 more")));
        assert_eq!(d.components[0].version, None);
    }

    #[test]
    fn native_and_asset_version_strings() {
        let e = MemoryEntries::new([
            (
                "lib/arm64-v8a/libcrypto.so",
                &b"\x7fELF....\0OpenSSL 1.1.1k  25 Mar 2021\0OpenSSL 1.1.1 (compatible; BoringSSL)\0"[..],
            ),
            ("lib/arm64-v8a/libboring.so", &b"\0OpenSSL 1.1.1 (compatible; BoringSSL)\0"[..]),
            ("lib/x86/libsqlcipher.so", &b"\0sqlcipher\x004.5.0 community\0"[..]),
            ("lib/x86/libflutter.so", &b"\0\0"[..]),
            (
                "assets/www/cordova.js",
                &b"// Platform: android\nvar PLATFORM_VERSION_BUILD_LABEL = '6.1.2';\n"[..],
            ),
            ("assets/www/js/jquery.min.js", &b"/*! jQuery v3.5.1 | (c) JS Foundation */"[..]),
        ]);
        let d = detect(sigs(), &e, [], [], &DetectLimits::default());
        let purls: Vec<&str> = d.components.iter().map(|c| c.purl.as_str()).collect();
        for want in [
            "pkg:generic/openssl@1.1.1k",
            "pkg:maven/net.zetetic/android-database-sqlcipher@4.5.0",
            "pkg:generic/flutter-engine",
            "pkg:npm/cordova-android@6.1.2",
            "pkg:npm/jquery@3.5.1",
        ] {
            assert!(purls.contains(&want), "{want} missing from {purls:?}");
        }
        // BoringSSL's compatibility string is not an OpenSSL 1.1.1 release.
        assert!(!purls.contains(&"pkg:generic/openssl@1.1.1"), "{purls:?}");
        assert_eq!(d.components.len(), 5, "{purls:?}");
    }

    #[test]
    fn scan_limits_are_reported() {
        let big = vec![b'A'; 2048];
        let e = MemoryEntries::new([("lib/x86/libcrypto.so", big)]);
        let limits = DetectLimits {
            max_scan_file: 1024,
            ..DetectLimits::default()
        };
        let d = detect(sigs(), &e, [], [], &limits);
        assert_eq!(d.warnings.len(), 1);
        // The file name still gives presence.
        assert_eq!(d.components.len(), 1);
        assert_eq!(d.components[0].version, None);
    }

    #[test]
    fn hostile_strings_do_not_panic() {
        let e = MemoryEntries::new([
            ("META-INF/.version", &b"\xff\xfe"[..]),
            ("META-INF/a_b.version", &b"\xff\xfe1.0"[..]),
            ("lib/x/libcrypto.so", &b"OpenSSL "[..]),
            ("assets/x.js", &b"jQuery v"[..]),
        ]);
        let long = format!("okhttp/{}", "1.".repeat(10_000));
        let d = detect(
            sigs(),
            &e,
            [long.as_str(), "okhttp/", "BouncyCastle Security Provider v"],
            ["", ";", "L;", "."],
            &DetectLimits::default(),
        );
        assert!(d.components.iter().all(|c| c
            .version
            .as_ref()
            .is_none_or(|v| v.len() <= MAX_VERSION_LEN)));
    }

    #[test]
    fn table_errors_are_typed() {
        assert!(matches!(
            Signatures::from_toml("x = "),
            Err(SignatureError::Toml(_))
        ));
        assert!(matches!(
            Signatures::from_toml("[[library]]\nid='a'\necosystem='Maven'\nname='a'\nbogus=1\n"),
            Err(SignatureError::Toml(_))
        ));
        assert!(matches!(
            Signatures::from_toml("[[library]]\nid='a'\necosystem='Maven'\nname='a'\n[[library.version]]\nin='dex'\nneedle=''\n"),
            Err(SignatureError::Invalid { .. })
        ));
    }
}
