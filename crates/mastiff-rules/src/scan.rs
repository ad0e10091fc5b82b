//! The scan pipeline: container -> parsed artifacts (each read once) -> rules -> verdicts -> report.
//!
//! Nothing here aborts on a malformed input: every artifact that cannot be read becomes a
//! diagnostic, the rules that need it are skipped, and the controls they cover turn `incomplete`.

use rayon::prelude::*;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use mastiff_android::nsc::PolicyInputs;
use mastiff_android::{effective_policy, Manifest, NetworkSecurityConfig, Resources};
use mastiff_code::{CodeIndex, DexStatus};
use mastiff_core::{
    Artifact, CertificateSummary, ComponentSummary, Control, Date, Diagnostic, DiagnosticKind,
    Location, NetworkPolicy, Platform, Report, SchemeVerification, SeverityCounts, SigningSummary,
    Target, ToolInfo, VulnDbSummary, REPORT_SCHEMA_VERSION,
};
use mastiff_formats::arsc::ResourceTable;
use mastiff_formats::axml::{self, XmlDocument};
use mastiff_formats::signing::{self, SigningInfo, Verification};
use mastiff_formats::zip::{Archive, ArchiveFile, EntryCache, ZipError};
use mastiff_formats::Limits;
use mastiff_sbom::{SbomInputs, SbomResult, VulnDb};
use sha2::{Digest, Sha256};
use std::io::{self, Read};
use std::path::Path;
use std::sync::{Arc, LazyLock};

use crate::context::{AppContext, BackupRules, BackupRulesFile, Config, EntryReader, Shared};
use crate::rule::{Rule, Sink};
use crate::verdict::{control_verdicts, RuleOutcome};

const MANIFEST_ENTRY: &str = "AndroidManifest.xml";

/// How to scan.
#[derive(Clone)]
pub struct ScanOptions {
    pub limits: Limits,
    pub config: Config,
    /// Date pins and certificates are compared with.
    pub scan_date: Date,
    /// Bounds of the code index.
    pub code_limits: mastiff_code::Limits,
    /// Advisories components are matched against (the built-in seed set by default).
    pub vuln_db: Arc<VulnDb>,
    /// Warn when the newest advisory is older than this many days (`None`: never).
    pub max_db_age_days: Option<u32>,
    /// The rules to run.
    pub rules: Vec<&'static dyn Rule>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            limits: Limits::default(),
            config: Config::default(),
            scan_date: Date::today(),
            code_limits: mastiff_code::Limits::default(),
            vuln_db: SEED_DB.clone(),
            max_db_age_days: Some(mastiff_sbom::DEFAULT_MAX_DB_AGE_DAYS),
            rules: crate::rules::RULES.to_vec(),
        }
    }
}

/// The built-in advisory set, parsed once per process.
static SEED_DB: LazyLock<Arc<VulnDb>> = LazyLock::new(|| Arc::new(VulnDb::seed()));

/// A scan's report plus the full SBOM it was built from (for CycloneDX output).
pub struct Scan {
    pub report: Report,
    pub sbom: Option<SbomResult>,
}

/// Whether an artifact could be used.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// Read (or legitimately absent, e.g. no network security config).
    Usable,
    Failed(String),
}

/// Collects artifact states and diagnostics while the app is loaded.
#[derive(Default)]
struct Load {
    states: BTreeMap<Artifact, State>,
    diagnostics: Vec<Diagnostic>,
}

impl Load {
    fn fail(
        &mut self,
        artifact: Artifact,
        code: &str,
        message: String,
        location: Option<Location>,
    ) {
        self.states
            .entry(artifact)
            .or_insert_with(|| State::Failed(message.clone()));
        self.diagnostics.push(Diagnostic {
            kind: DiagnosticKind::ParseError,
            artifact: Some(artifact),
            code: code.into(),
            message,
            location,
        });
    }

    fn note(
        &mut self,
        kind: DiagnosticKind,
        artifact: Option<Artifact>,
        code: &str,
        message: String,
        location: Option<Location>,
    ) {
        self.diagnostics.push(Diagnostic {
            kind,
            artifact,
            code: code.into(),
            message,
            location,
        });
    }

    fn ok(&mut self, artifact: Artifact) {
        self.states.entry(artifact).or_insert(State::Usable);
    }

    fn failed(&self, artifact: Artifact) -> Option<&str> {
        match self.states.get(&artifact) {
            Some(State::Failed(why)) => Some(why),
            _ => None,
        }
    }
}

/// Runs `f`, turning a panic into an internal diagnostic: a bug in one parser must not take the
/// whole scan down.
fn guarded<T>(load: &mut Load, what: &str, f: impl FnOnce() -> T) -> Option<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => Some(v),
        Err(e) => {
            let msg = panic_message(&e);
            load.note(
                DiagnosticKind::Internal,
                None,
                "internal.panic",
                format!("{what}: internal error: {msg}"),
                None,
            );
            None
        }
    }
}

fn panic_message(e: &Box<dyn std::any::Any + Send>) -> String {
    e.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| e.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

fn entry_location(entry: &str) -> Option<Location> {
    Some(Location::Entry {
        entry: entry.to_string(),
        offset: None,
    })
}

/// Scans one file already in memory. Never panics; problems become diagnostics.
pub fn scan_bytes(display_path: &str, data: &[u8], opts: &ScanOptions) -> Report {
    scan(display_path, data, opts).report
}

/// Like [`scan_bytes`], also returning the SBOM (components, vulnerabilities, database).
pub fn scan(display_path: &str, data: &[u8], opts: &ScanOptions) -> Scan {
    let (sha256, (report, sbom)) = rayon::join(
        || hex(&Sha256::digest(data)),
        || analyse(Input::Bytes(data), opts),
    );
    finish_target(report, sbom, display_path, sha256, data.len() as u64)
}

/// Like [`scan`], reading the file at `path` instead of bytes in memory: the archive is read
/// from the open file entry by entry and the SHA-256 streams the file in chunks, so the file is
/// never held whole. The report is the one [`scan`] gives for the file's bytes. Something other
/// than a regular file (a pipe, `/dev/stdin`) has no length to read at offsets and is read whole
/// first. Fails only when the file cannot be opened or read; a file that is not a readable
/// archive is a report with diagnostics, as with [`scan`].
pub fn scan_path(path: &Path, display_path: &str, opts: &ScanOptions) -> io::Result<Scan> {
    let mut file = std::fs::File::open(path)?;
    if !file.metadata()?.is_file() {
        let mut data = Vec::new();
        file.read_to_end(&mut data)?;
        return Ok(scan(display_path, &data, opts));
    }
    let file = ArchiveFile::new(file)?;
    let (sha256, (report, sbom)) = rayon::join(
        || sha256_of_file(&file),
        || analyse(Input::File(&file), opts),
    );
    Ok(finish_target(
        report,
        sbom,
        display_path,
        sha256?,
        file.len(),
    ))
}

/// Fills in the scanned file's identity and puts the report in its canonical order.
fn finish_target(
    mut report: Report,
    sbom: Option<SbomResult>,
    display_path: &str,
    sha256: String,
    size: u64,
) -> Scan {
    report.target.path = display_path.to_string();
    report.target.sha256 = sha256;
    report.target.size = size;
    report.normalize();
    Scan { report, sbom }
}

/// Bytes hashed per read by [`sha256_of_file`].
const HASH_CHUNK: u64 = 1024 * 1024;

/// Hex SHA-256 of the whole file, read in chunks of [`HASH_CHUNK`].
fn sha256_of_file(file: &ArchiveFile) -> io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; usize::try_from(HASH_CHUNK.min(file.len())).unwrap_or(0)];
    let mut at = 0u64;
    while at < file.len() {
        let n = usize::try_from((file.len() - at).min(HASH_CHUNK)).unwrap_or(0);
        let Some(chunk) = buf.get_mut(..n) else {
            break;
        };
        file.read_exact_at(chunk, at)?;
        hasher.update(&*chunk);
        at += n as u64;
    }
    Ok(hex(&hasher.finalize()))
}

/// What is scanned: bytes in memory, or an open file read at offsets.
#[derive(Clone, Copy)]
enum Input<'d> {
    Bytes(&'d [u8]),
    File(&'d ArchiveFile),
}

impl<'d> Input<'d> {
    fn archive(self, limits: &Limits) -> Result<Archive<'d>, ZipError> {
        match self {
            Input::Bytes(data) => Archive::parse(data, limits),
            Input::File(file) => Archive::open(file, limits),
        }
    }
}

fn empty_report(opts: &ScanOptions) -> Report {
    Report {
        schema_version: REPORT_SCHEMA_VERSION,
        tool: ToolInfo {
            name: "mastiff",
            version: env!("CARGO_PKG_VERSION"),
        },
        scan_date: opts.scan_date.to_string(),
        target: Target::default(),
        signing: SigningSummary::default(),
        network: None,
        components: Vec::new(),
        vulnerability_database: None,
        summary: SeverityCounts::default(),
        findings: Vec::new(),
        controls: Vec::new(),
        diagnostics: Vec::new(),
    }
}

fn analyse(input: Input<'_>, opts: &ScanOptions) -> (Report, Option<SbomResult>) {
    let mut report = empty_report(opts);
    let mut load = Load::default();
    let archive = match guarded(&mut load, "zip reader", || input.archive(&opts.limits)) {
        Some(Ok(a)) => a,
        Some(Err(e)) => {
            load.fail(
                Artifact::Container,
                "container.unreadable",
                format!("cannot read the file as a zip archive: {e}"),
                None,
            );
            return (finish(report, load, &Loaded::default(), None, opts), None);
        }
        None => {
            load.fail(
                Artifact::Container,
                "container.unreadable",
                "zip reader failed".into(),
                None,
            );
            return (finish(report, load, &Loaded::default(), None, opts), None);
        }
    };
    load.ok(Artifact::Container);
    for a in archive.anomalies() {
        load.note(
            DiagnosticKind::Anomaly,
            Some(Artifact::Container),
            a.code,
            a.message.clone(),
            a.entry.as_deref().and_then(entry_location),
        );
    }
    let cache = EntryCache::new(&archive, opts.limits.clone());

    if archive.find(MANIFEST_ENTRY).is_none() {
        if looks_like_ipa(&archive) {
            report.target.platform = Some(Platform::Ios);
            load.note(
                DiagnosticKind::Note,
                None,
                "ios.not_analysed",
                "this is an iOS app archive; mastiff does not analyse iOS apps yet, so no control was checked".into(),
                None,
            );
            // The SBOM's archive-level tiers (bundled files, version strings in libraries)
            // still apply, so `mastiff sbom` gives a valid, if thin, bill of materials.
            let sbom = catch_unwind(AssertUnwindSafe(|| run_sbom(&cache, None, opts))).ok();
            if let Some(sb) = &sbom {
                report.components = sb.components.iter().map(component_summary).collect();
            }
            return (finish_unsupported(report, load), sbom);
        }
        report.target.platform = Some(Platform::Unknown);
        load.fail(
            Artifact::Manifest,
            "manifest.missing",
            "the archive has no AndroidManifest.xml: not an Android package".into(),
            None,
        );
    } else {
        report.target.platform = Some(Platform::Android);
    }

    // Signing hashes the whole file; run it alongside the manifest/resources work.
    // Signing hashes the whole file; run it alongside the manifest, resources and code.
    let (signing, ((manifest, resources_failed, docs), mut code)) = rayon::join(
        || {
            catch_unwind(AssertUnwindSafe(|| signing::read_signing(&archive, &cache)))
                .map_err(|e| panic_message(&e))
        },
        || {
            let android = load_android(&cache, opts);
            let package = android.0.as_ref().and_then(|m| m.package.clone());
            // Only do the work the selected rules need: the code index is most of a scan's
            // cost, and the SBOM (CODE-3 rules) reads the dex strings from it.
            let needs_code = opts.rules.iter().any(|r| {
                let m = r.meta();
                m.inputs.contains(&Artifact::Code) || m.masvs.contains(&Control::Code3)
            });
            let mut code = if needs_code {
                catch_unwind(AssertUnwindSafe(|| {
                    load_code(&cache, package.as_deref(), opts)
                }))
                .unwrap_or_else(|e| {
                    CodeLoad::failed(format!("code index: internal error: {}", panic_message(&e)))
                })
            } else {
                CodeLoad::not_needed()
            };
            if needs_code {
                code.sbom = catch_unwind(AssertUnwindSafe(|| {
                    run_sbom(&cache, code.index.as_ref(), opts)
                }))
                .ok();
            }
            (android, code)
        },
    );
    let (manifest, nsc_doc, backup, resource_strings) = {
        let mut inner = docs;
        inner.merge_into(&mut load);
        if let Some(msg) = resources_failed {
            load.fail(
                Artifact::Resources,
                "resources.unreadable",
                msg,
                entry_location("resources.arsc"),
            );
        } else {
            load.ok(Artifact::Resources);
        }
        (manifest, inner.nsc, inner.backup, inner.resource_strings)
    };
    let signing = match signing {
        Ok(s) => {
            record_signing(&mut load, &s);
            Some(s)
        }
        Err(msg) => {
            load.note(
                DiagnosticKind::Internal,
                Some(Artifact::Signing),
                "internal.panic",
                format!("signature reader: internal error: {msg}"),
                None,
            );
            load.fail(
                Artifact::Signing,
                "signing.unreadable",
                "signature reader failed".into(),
                None,
            );
            None
        }
    };

    let network = manifest.as_ref().and_then(|m| {
        if load.failed(Artifact::NetworkSecurityConfig).is_some() {
            return None;
        }
        let inputs = PolicyInputs {
            config_path: m
                .application
                .network_security_config
                .as_deref()
                .filter(|_| nsc_doc.is_some()),
            target_sdk: m.target_sdk,
            uses_cleartext_traffic: m.application.uses_cleartext_traffic,
            debuggable: m.application.is_debuggable(),
            scan_date: opts.scan_date,
        };
        guarded(&mut load, "network policy", || {
            effective_policy(nsc_doc.as_ref(), &inputs)
        })
    });
    if let Some(m) = &manifest {
        fill_target(&mut report.target, m);
    }
    let index = code.record(&mut load);
    let sbom = code.sbom.take();
    if let Some(sb) = &sbom {
        report.components = sb.components.iter().map(component_summary).collect();
        report.vulnerability_database = Some(VulnDbSummary {
            description: sb.db_info.describe(),
            advisories: sb.db_info.advisories,
            newest_modified: sb.db_info.newest_modified.clone(),
            exhaustive: sb.db_info.exhaustive,
        });
        for w in &sb.warnings {
            load.note(DiagnosticKind::Note, None, "sbom.note", w.clone(), None);
        }
    } else if code.needed {
        load.note(
            DiagnosticKind::Internal,
            None,
            "internal.panic",
            "SBOM analysis failed".into(),
            None,
        );
    }
    let loaded = Loaded {
        manifest,
        network,
        signing,
        backup: Some(backup),
        code: index,
        extra_code_entries: std::mem::take(&mut code.extra_entries),
        sbom,
        entries: archive.entries().iter().map(|e| e.name.clone()).collect(),
        shared: Shared {
            resource_strings: resource_strings
                .map(std::sync::OnceLock::from)
                .unwrap_or_default(),
        },
    };
    let sbom = loaded.sbom.clone();
    (finish(report, load, &loaded, Some(&cache), opts), sbom)
}

/// Detects third-party components and matches them against the advisory database.
fn run_sbom(cache: &EntryCache<'_>, index: Option<&CodeIndex>, opts: &ScanOptions) -> SbomResult {
    let mut inputs = SbomInputs::new(cache);
    if let Some(index) = index {
        inputs = inputs
            .with_dex_strings(index.strings())
            .with_class_names(index.classes().map(|c| c.descriptor));
    }
    let sbom_opts = mastiff_sbom::AnalyseOptions {
        scan_date: opts.scan_date,
        max_db_age_days: opts.max_db_age_days,
        ..mastiff_sbom::AnalyseOptions::default()
    };
    mastiff_sbom::analyse(inputs, &opts.vuln_db, &sbom_opts)
}

fn component_summary(c: &mastiff_sbom::Component) -> ComponentSummary {
    let detection = serde_json::to_value(c.method)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    ComponentSummary {
        purl: c.purl.clone(),
        ecosystem: c.ecosystem.clone(),
        group: c.group.clone(),
        name: c.name.clone(),
        version: c.version.clone(),
        detection,
        confidence: c.confidence,
        evidence: c
            .evidence
            .iter()
            .map(|e| format!("{}: {}", e.location, e.value))
            .collect(),
    }
}

/// Everything read from the app, handed to the rules.
#[derive(Default)]
struct Loaded<'d> {
    manifest: Option<Manifest>,
    network: Option<NetworkPolicy>,
    signing: Option<SigningInfo>,
    backup: Option<BackupRules>,
    code: Option<CodeIndex<'d>>,
    extra_code_entries: Vec<String>,
    entries: Vec<String>,
    sbom: Option<SbomResult>,
    /// What rules derive once per scan, some of it filled in while loading.
    shared: Shared,
}

/// The code index and what went wrong building it (built on another thread than `Load`).
struct CodeLoad<'d> {
    /// Whether a selected rule needs the code (when not, nothing was read).
    needed: bool,
    index: Option<CodeIndex<'d>>,
    sbom: Option<SbomResult>,
    diagnostics: Vec<Diagnostic>,
    failed: Option<String>,
    extra_entries: Vec<String>,
}

impl<'d> CodeLoad<'d> {
    /// No selected rule reads code: nothing is built and the artifact stays unread.
    fn not_needed() -> Self {
        CodeLoad {
            needed: false,
            index: None,
            sbom: None,
            diagnostics: Vec::new(),
            failed: None,
            extra_entries: Vec::new(),
        }
    }

    fn failed(why: String) -> Self {
        CodeLoad {
            needed: true,
            index: None,
            sbom: None,
            diagnostics: Vec::new(),
            failed: Some(why),
            extra_entries: Vec::new(),
        }
    }

    /// Moves diagnostics and the artifact state into `load`; returns the index.
    fn record(&mut self, load: &mut Load) -> Option<CodeIndex<'d>> {
        load.diagnostics.append(&mut self.diagnostics);
        match self.failed.take() {
            Some(why) => load.fail(Artifact::Code, "code.unreadable", why, None),
            None if self.needed => load.ok(Artifact::Code),
            None => {}
        }
        self.index.take()
    }
}

/// Whether an entry outside the install-time dex set holds code that could be loaded at run time.
fn is_extra_code(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".dex", ".jar", ".apk", ".odex", ".vdex", ".oat"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// Reads `classes.dex`, `classes2.dex`, ... (the set Android loads: numbering stops at the first
/// gap) and builds the code index.
fn load_code<'d>(
    cache: &'d EntryCache<'_>,
    package: Option<&str>,
    opts: &ScanOptions,
) -> CodeLoad<'d> {
    let archive = cache.archive();
    let mut names = vec!["classes.dex".to_string()];
    for n in 2.. {
        let name = format!("classes{n}.dex");
        if archive.find(&name).is_none() || names.len() >= opts.code_limits.max_dex_files {
            break;
        }
        names.push(name);
    }
    let extra_entries: Vec<String> = archive
        .entries()
        .iter()
        .map(|e| e.name.clone())
        .filter(|n| is_extra_code(n) && !names.contains(n))
        .collect();
    if archive.find("classes.dex").is_none() {
        let mut c =
            CodeLoad::failed("the APK has no classes.dex: there is no code to analyse".into());
        c.extra_entries = extra_entries;
        return c;
    }
    let mut diagnostics = Vec::new();
    let mut failed = Vec::new();
    let mut dex: Vec<(String, &[u8])> = Vec::with_capacity(names.len());
    // Inflated in parallel (the entry cache is shared), kept in load order.
    let inflated: Vec<_> = names
        .into_par_iter()
        .map(|name| {
            let r = cache.get_bounded(&name, opts.limits.max_dex_size);
            (name, r)
        })
        .collect();
    for (name, r) in inflated {
        match r {
            Some(Ok(bytes)) => dex.push((name, bytes)),
            Some(Err(e)) => failed.push(format!("cannot read {name}: {e}")),
            None => {}
        }
    }
    let (index, problems) = CodeIndex::build(&dex, package, &opts.code_limits);
    for p in &problems {
        diagnostics.push(Diagnostic {
            kind: DiagnosticKind::ParseError,
            artifact: Some(Artifact::Code),
            code: "dex.problem".into(),
            message: format!("{}: {}", p.file, p.message),
            location: entry_location(&p.file),
        });
    }
    for f in index.dex_files() {
        match &f.status {
            DexStatus::Complete => {}
            DexStatus::Partial => failed.push(format!("{} was only partly readable", f.name)),
            DexStatus::Unreadable(why) => failed.push(format!("{} is unreadable: {why}", f.name)),
        }
    }
    CodeLoad {
        needed: true,
        index: Some(index),
        sbom: None,
        diagnostics,
        failed: (!failed.is_empty()).then(|| failed.join("; ")),
        extra_entries,
    }
}

/// What `load_android` produced besides the manifest, with its own diagnostics (it runs on
/// another thread than the signature reader).
#[derive(Default)]
struct AndroidDocs {
    load: Load,
    nsc: Option<NetworkSecurityConfig>,
    backup: BackupRules,
    /// The string resources, taken out while the table is parsed (for the secret and URL
    /// rules, so they need not inflate and parse `resources.arsc` again).
    resource_strings: Option<Vec<crate::context::ResourceString>>,
}

impl AndroidDocs {
    fn merge_into(&mut self, load: &mut Load) {
        for (k, v) in std::mem::take(&mut self.load.states) {
            load.states.entry(k).or_insert(v);
        }
        load.diagnostics.append(&mut self.load.diagnostics);
    }
}

/// Resources, manifest, network security config and backup rules.
fn load_android(
    cache: &EntryCache<'_>,
    opts: &ScanOptions,
) -> (Option<Manifest>, Option<String>, AndroidDocs) {
    let mut docs = AndroidDocs::default();
    let load = &mut docs.load;
    let mut resources_failed = None;
    // Read without caching: nothing after this function needs the bytes, and on a large app
    // they would otherwise stay in memory through the code index build.
    let arsc = cache.read_bounded("resources.arsc", opts.limits.max_arsc_size);
    let table = match &arsc {
        None => None,
        Some(Err(e)) => {
            resources_failed = Some(format!("cannot read resources.arsc: {e}"));
            None
        }
        Some(Ok(bytes)) => match guarded(load, "resources.arsc reader", || {
            ResourceTable::parse(bytes, &opts.limits)
        }) {
            Some(Ok(t)) => Some(t),
            Some(Err(e)) => {
                resources_failed = Some(format!("cannot parse resources.arsc: {e}"));
                None
            }
            None => {
                resources_failed = Some("resources.arsc reader failed".into());
                None
            }
        },
    };
    docs.resource_strings = table.as_ref().and_then(|t| {
        guarded(load, "resource strings", || {
            crate::rules::auth::resource_strings_of(t)
        })
    });
    let res = Resources::new(table, opts.limits.clone());

    let Some(doc) = read_xml(cache, MANIFEST_ENTRY, Artifact::Manifest, load, opts) else {
        return (None, resources_failed, docs);
    };
    let Some(manifest) = guarded(load, "manifest model", || Manifest::from_xml(&doc, &res)) else {
        load.fail(
            Artifact::Manifest,
            "manifest.unreadable",
            "manifest model failed".into(),
            entry_location(MANIFEST_ENTRY),
        );
        return (None, resources_failed, docs);
    };
    load.ok(Artifact::Manifest);
    for w in &manifest.warnings {
        load.note(
            DiagnosticKind::Anomaly,
            Some(Artifact::Manifest),
            "manifest.warning",
            w.clone(),
            entry_location(MANIFEST_ENTRY),
        );
    }

    // Network security config.
    let app = &manifest.application;
    if app.network_security_config_unresolved {
        load.fail(
            Artifact::NetworkSecurityConfig,
            "nsc.unresolved",
            "android:networkSecurityConfig is set but its resource could not be resolved".into(),
            entry_location(MANIFEST_ENTRY),
        );
    } else if let Some(path) = app.network_security_config.as_deref() {
        if let Some(doc) = read_xml(cache, path, Artifact::NetworkSecurityConfig, load, opts) {
            match guarded(load, "network security config", || {
                NetworkSecurityConfig::from_xml(&doc, &res)
            }) {
                Some(Ok(nsc)) => {
                    for w in &nsc.warnings {
                        load.note(
                            DiagnosticKind::Anomaly,
                            Some(Artifact::NetworkSecurityConfig),
                            "nsc.warning",
                            w.clone(),
                            entry_location(path),
                        );
                    }
                    for e in &nsc.platform_errors {
                        load.note(
                            DiagnosticKind::Anomaly,
                            Some(Artifact::NetworkSecurityConfig),
                            "nsc.rejected_by_platform",
                            format!("Android rejects this network security config: {e}"),
                            entry_location(path),
                        );
                    }
                    docs.nsc = Some(nsc);
                    load.ok(Artifact::NetworkSecurityConfig);
                }
                Some(Err(e)) => load.fail(
                    Artifact::NetworkSecurityConfig,
                    "nsc.invalid",
                    format!("{path}: {e}"),
                    entry_location(path),
                ),
                None => load.fail(
                    Artifact::NetworkSecurityConfig,
                    "nsc.invalid",
                    format!("{path}: reader failed"),
                    entry_location(path),
                ),
            }
        }
    } else {
        load.ok(Artifact::NetworkSecurityConfig);
    }

    // Backup rules.
    match &app.full_backup_content {
        Some(Err(false)) => docs.backup.full_backup_content_disabled = true,
        Some(Ok(path)) => docs.backup.full_backup_content = backup_file(cache, path, load, opts),
        _ => {}
    }
    if let Some(path) = &app.data_extraction_rules {
        docs.backup.data_extraction_rules = backup_file(cache, path, load, opts);
    }
    load.ok(Artifact::BackupRules);
    (Some(manifest), resources_failed, docs)
}

fn backup_file(
    cache: &EntryCache<'_>,
    path: &str,
    load: &mut Load,
    opts: &ScanOptions,
) -> Option<BackupRulesFile> {
    let doc = read_xml(cache, path, Artifact::BackupRules, load, opts)?;
    let count = |name: &str| doc.elements.iter().filter(|e| e.name == name).count();
    Some(BackupRulesFile {
        path: path.to_string(),
        excludes: count("exclude"),
        includes: count("include"),
    })
}

/// Reads and parses a binary XML entry; failures are recorded against `artifact`.
fn read_xml(
    cache: &EntryCache<'_>,
    entry: &str,
    artifact: Artifact,
    load: &mut Load,
    opts: &ScanOptions,
) -> Option<XmlDocument> {
    let bytes = match cache.get_bounded(entry, opts.limits.max_xml_size) {
        None => {
            load.fail(
                artifact,
                "entry.missing",
                format!("{entry} is referenced but not in the archive"),
                entry_location(entry),
            );
            return None;
        }
        Some(Err(e)) => {
            load.fail(
                artifact,
                "entry.unreadable",
                format!("cannot read {entry}: {e}"),
                entry_location(entry),
            );
            return None;
        }
        Some(Ok(b)) => b,
    };
    match guarded(load, entry, || axml::parse(bytes, &opts.limits)) {
        Some(Ok(doc)) => {
            for w in &doc.warnings {
                load.note(
                    DiagnosticKind::Anomaly,
                    Some(artifact),
                    "axml.warning",
                    format!("{entry}: {w}"),
                    entry_location(entry),
                );
            }
            Some(doc)
        }
        Some(Err(e)) => {
            load.fail(
                artifact,
                "axml.invalid",
                format!("cannot parse {entry}: {e}"),
                entry_location(entry),
            );
            None
        }
        None => {
            load.fail(
                artifact,
                "axml.invalid",
                format!("cannot parse {entry}: reader failed"),
                entry_location(entry),
            );
            None
        }
    }
}

fn record_signing(load: &mut Load, s: &SigningInfo) {
    for w in &s.warnings {
        load.note(
            DiagnosticKind::Anomaly,
            Some(Artifact::Signing),
            "signing.warning",
            w.clone(),
            None,
        );
    }
    let mut malformed = Vec::new();
    for (scheme, v) in &s.verification {
        if let Verification::Malformed(why) = v {
            malformed.push(format!("{}: {why}", scheme.as_str()));
        }
    }
    if !malformed.is_empty() && s.signers.iter().all(|x| x.certificates.is_empty()) {
        load.fail(
            Artifact::Signing,
            "signing.malformed",
            format!("signatures could not be read: {}", malformed.join("; ")),
            None,
        );
    } else {
        for m in malformed {
            load.note(
                DiagnosticKind::ParseError,
                Some(Artifact::Signing),
                "signing.malformed",
                m,
                None,
            );
        }
        load.ok(Artifact::Signing);
    }
}

fn looks_like_ipa(archive: &Archive<'_>) -> bool {
    archive.entries().iter().any(|e| {
        let n = e.name.as_str();
        n.ends_with("/Info.plist") && n.split('/').any(|part| part.ends_with(".app"))
    })
}

fn fill_target(t: &mut Target, m: &Manifest) {
    t.package = m.package.clone();
    t.version_name = m.version_name.clone();
    t.version_code = m.version_code;
    t.min_sdk = Some(m.min_sdk);
    t.target_sdk = Some(m.target_sdk);
    t.max_sdk = m.max_sdk;
    t.debuggable = Some(m.application.is_debuggable());
    t.allow_backup = Some(m.application.allows_backup());
    t.uses_cleartext_traffic = m.application.uses_cleartext_traffic;
    t.test_only = m.application.test_only;
    t.network_security_config = m.application.network_security_config.clone();
}

fn signing_summary(s: &SigningInfo) -> SigningSummary {
    let mut certs: Vec<CertificateSummary> = Vec::new();
    for signer in &s.signers {
        for c in signer.certificates.iter().take(1) {
            match certs.iter_mut().find(|x| x.sha256 == c.sha256) {
                Some(x) => {
                    if !x.schemes.iter().any(|s| s == signer.scheme.as_str()) {
                        x.schemes.push(signer.scheme.as_str().to_string());
                    }
                }
                None => certs.push(CertificateSummary {
                    schemes: vec![signer.scheme.as_str().to_string()],
                    subject: c.subject.clone(),
                    issuer: c.issuer.clone(),
                    serial: c.serial.clone(),
                    not_before: c.not_before.clone(),
                    not_after: c.not_after.clone(),
                    key_algorithm: c.key_algorithm.clone(),
                    key_bits: c.key_bits,
                    signature_algorithm: c.signature_algorithm.clone(),
                    sha256: c.sha256.clone(),
                    known_key: c.known_key.map(str::to_string),
                }),
            }
        }
    }
    SigningSummary {
        schemes: s.schemes.iter().map(|x| x.as_str().to_string()).collect(),
        verification: s
            .verification
            .iter()
            .map(|(scheme, v)| {
                let (state, detail) = match v {
                    Verification::DigestsVerified => ("digests_verified", None),
                    Verification::DigestMismatch(d) => ("digest_mismatch", Some(d.clone())),
                    Verification::NotVerified(d) => ("present_not_verified", Some(d.clone())),
                    Verification::Malformed(d) => ("malformed", Some(d.clone())),
                };
                SchemeVerification {
                    scheme: scheme.as_str().to_string(),
                    state: state.to_string(),
                    detail,
                }
            })
            .collect(),
        certificates: certs,
    }
}

/// Runs the rules whose inputs are usable and computes verdicts.
fn finish(
    mut report: Report,
    mut load: Load,
    loaded: &Loaded,
    cache: Option<&dyn EntryReader>,
    opts: &ScanOptions,
) -> Report {
    if let Some(s) = &loaded.signing {
        report.signing = signing_summary(s);
    }
    let ctx = AppContext {
        manifest: loaded.manifest.as_ref(),
        network: loaded.network.as_ref(),
        signing: loaded.signing.as_ref(),
        backup: loaded.backup.as_ref(),
        code: loaded.code.as_ref(),
        sbom: loaded.sbom.as_ref(),
        extra_code_entries: &loaded.extra_code_entries,
        entries: &loaded.entries,
        cache,
        config: &opts.config,
        shared: &loaded.shared,
        scan_date: opts.scan_date,
        manifest_entry: MANIFEST_ENTRY,
    };
    // Rules are independent: they run in parallel and their results are taken in rule order.
    let ran: Vec<_> = opts
        .rules
        .par_iter()
        .map(|rule| {
            let meta = rule.meta();
            let blocked = meta.inputs.iter().find_map(|a| match load.failed(*a) {
                Some(why) => Some(format!("{}: {why}", a.as_str())),
                None if !load.states.contains_key(a) => Some(format!("{}: not read", a.as_str())),
                None => None,
            });
            if let Some(why) = blocked {
                return (meta, Err(RuleOutcome::Skipped(why)));
            }
            let mut sink = Sink::new(meta);
            match catch_unwind(AssertUnwindSafe(|| rule.check(&ctx, &mut sink))) {
                Ok(()) => (meta, Ok(sink.into_parts())),
                Err(e) => (meta, Err(RuleOutcome::Crashed(panic_message(&e)))),
            }
        })
        .collect();
    let mut outcomes = Vec::with_capacity(ran.len());
    let mut evidence = Vec::new();
    for (meta, result) in ran {
        match result {
            Ok((f, e)) => {
                report.findings.extend(f);
                evidence.extend(e);
                outcomes.push((meta, RuleOutcome::Ran));
            }
            Err(RuleOutcome::Crashed(msg)) => {
                load.note(
                    DiagnosticKind::Internal,
                    None,
                    "internal.rule_panic",
                    format!("rule {} failed: {msg}", meta.id),
                    None,
                );
                outcomes.push((meta, RuleOutcome::Crashed(msg)));
            }
            Err(other) => outcomes.push((meta, other)),
        }
    }
    report.controls = control_verdicts(&outcomes, &report.findings, &evidence);
    report.network = loaded.network.clone();
    report.diagnostics = load.diagnostics;
    report
}

/// For inputs mastiff cannot analyse at all (iOS for now): every control `not_checked`.
fn finish_unsupported(mut report: Report, load: Load) -> Report {
    report.controls = control_verdicts(&[], &[], &[]);
    for c in &mut report.controls {
        c.reason = "iOS apps are not analysed yet".into();
    }
    report.diagnostics = load.diagnostics;
    report
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// True when the container itself could not be read: the input is not an app at all.
pub fn container_unreadable(report: &Report) -> bool {
    report
        .diagnostics
        .iter()
        .any(|d| d.kind == DiagnosticKind::ParseError && d.artifact == Some(Artifact::Container))
}
