//! The report: one value that every output format (terminal, JSON, ...) renders.
//!
//! Key names here are a public interface documented in `docs/report-schema.md`; keep them stable.

use crate::{Control, Diagnostic, Evidence, Finding, Severity};
use serde::Serialize;

/// Bumped when a key is removed or changes meaning (adding keys does not bump it).
pub const REPORT_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Android,
    Ios,
    Unknown,
}

/// The verdict for one MASVS control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Rules that cover the control ran and found nothing, or positive evidence was seen.
    Pass,
    /// At least one finding (severity low or above) maps to the control.
    Fail,
    /// An input the covering rules need could not be read.
    Incomplete,
    /// No rule covers this control yet: nothing was checked.
    NotChecked,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Incomplete => "incomplete",
            Verdict::NotChecked => "not_checked",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlResult {
    pub id: Control,
    pub statement: &'static str,
    pub verdict: Verdict,
    /// Why this verdict, in one sentence.
    pub reason: String,
    /// The rules that cover this control (whether or not they found something).
    pub rules: Vec<String>,
    /// Positive evidence recorded for this control.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToolInfo {
    pub name: &'static str,
    pub version: &'static str,
}

/// What was scanned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Target {
    pub path: String,
    pub sha256: String,
    pub size: u64,
    pub platform: Option<Platform>,
    pub package: Option<String>,
    pub version_name: Option<String>,
    pub version_code: Option<u64>,
    /// Effective minSdk (the platform default, 1, when absent).
    pub min_sdk: Option<u32>,
    /// Effective targetSdk (defaults to minSdk when absent).
    pub target_sdk: Option<u32>,
    pub max_sdk: Option<u32>,
    pub debuggable: Option<bool>,
    /// Effective value (the platform default, true, when absent).
    pub allow_backup: Option<bool>,
    /// The manifest attribute as written (resolved); `None` when absent.
    pub uses_cleartext_traffic: Option<bool>,
    pub test_only: Option<bool>,
    /// Resource path of the network security config, when the manifest names one.
    pub network_security_config: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CertificateSummary {
    /// Schemes whose signer carries this certificate, e.g. `["v1","v2"]`.
    pub schemes: Vec<String>,
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub not_before: String,
    pub not_after: String,
    /// `RSA`, `EC`, `DSA`, `Ed25519` or the OID when unknown.
    pub key_algorithm: String,
    pub key_bits: Option<u32>,
    /// e.g. `sha256WithRSAEncryption`.
    pub signature_algorithm: String,
    pub sha256: String,
    /// `android-debug` when the subject is the SDK's debug certificate, or the name of a public AOSP test key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub known_key: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SigningSummary {
    /// Schemes present: any of `v1`, `v2`, `v3`, `v3.1`. Empty when unsigned.
    pub schemes: Vec<String>,
    /// Per-scheme integrity state, e.g. `{"scheme":"v2","state":"digests_verified"}`.
    pub verification: Vec<SchemeVerification>,
    pub certificates: Vec<CertificateSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemeVerification {
    pub scheme: String,
    /// `digests_verified`, `digest_mismatch`, `present_not_verified` or `malformed`.
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Effective network security policy for one domain rule (or the default for all other hosts).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NetworkDomainPolicy {
    /// `None` for the default policy (base-config or platform defaults).
    pub domain: Option<String>,
    pub include_subdomains: bool,
    pub cleartext_permitted: bool,
    /// `system`, `user` or a resource path such as `res/raw/ca.pem`, each with `overridePins`.
    pub trust_anchors: Vec<TrustAnchorSummary>,
    /// `sha256/<base64>` digests of the effective pin-set.
    pub pins: Vec<String>,
    pub pin_expiration: Option<String>,
    /// True when `pin_expiration` is on or before the scan date (the platform stops enforcing pins
    /// from the start of the expiration day).
    pub pins_expired: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustAnchorSummary {
    pub source: String,
    pub overrides_pins: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NetworkPolicy {
    /// The config's zip entry, or `None` when platform defaults apply.
    pub config: Option<String>,
    /// What the defaults were derived from, e.g. `targetSdk 26`.
    pub basis: String,
    /// Whether `<debug-overrides>` are in force (only when the app is debuggable).
    pub debug_overrides_applied: bool,
    pub default: NetworkDomainPolicy,
    pub domains: Vec<NetworkDomainPolicy>,
}

/// A third-party component found in the app (the full SBOM is `mastiff sbom`'s CycloneDX).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentSummary {
    /// Package URL, e.g. `pkg:maven/com.squareup.okhttp3/okhttp@3.8.0`.
    pub purl: String,
    /// `Maven`, `npm`, `generic`...
    pub ecosystem: String,
    pub group: Option<String>,
    pub name: String,
    /// `None` when only the library's presence is known.
    pub version: Option<String>,
    /// How it was identified, e.g. `version_file`, `dex_version_string`, `class_prefix`.
    pub detection: String,
    /// 0.0-1.0.
    pub confidence: f32,
    /// Where: entries or strings that identified it.
    pub evidence: Vec<String>,
}

/// The vulnerability database a scan matched components against.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VulnDbSummary {
    /// One line naming the database, e.g. `mastiff seed set, 30 advisories, newest modified ...`.
    pub description: String,
    pub advisories: usize,
    /// Newest `modified` timestamp among its advisories (RFC 3339).
    pub newest_modified: Option<String>,
    /// Whether the database claims completeness (the built-in seed set does not).
    pub exhaustive: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SeverityCounts {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
}

impl SeverityCounts {
    pub fn from_findings(findings: &[Finding]) -> Self {
        let mut c = SeverityCounts::default();
        for f in findings {
            match f.severity {
                Severity::Critical => c.critical += 1,
                Severity::High => c.high += 1,
                Severity::Medium => c.medium += 1,
                Severity::Low => c.low += 1,
                Severity::Info => c.info += 1,
            }
        }
        c
    }
}

/// Everything mastiff concluded about one input file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: ToolInfo,
    /// The date pins and certificates were compared with (`YYYY-MM-DD`).
    pub scan_date: String,
    pub target: Target,
    pub signing: SigningSummary,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<NetworkPolicy>,
    /// Third-party components found (SBOM summary).
    pub components: Vec<ComponentSummary>,
    /// The database components were matched against; absent when no matching was done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vulnerability_database: Option<VulnDbSummary>,
    pub summary: SeverityCounts,
    pub findings: Vec<Finding>,
    pub controls: Vec<ControlResult>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// Puts findings, evidence and diagnostics in a stable order so output is deterministic.
    pub fn normalize(&mut self) {
        self.findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.rule.cmp(&b.rule))
                .then_with(|| a.locations.cmp(&b.locations))
                .then_with(|| a.message.cmp(&b.message))
        });
        self.findings.dedup();
        self.diagnostics.sort();
        self.diagnostics.dedup();
        self.controls.sort_by_key(|c| c.id);
        for c in &mut self.controls {
            c.evidence.sort();
            c.evidence.dedup();
        }
        self.components.sort_by(|a, b| a.purl.cmp(&b.purl));
        self.summary = SeverityCounts::from_findings(&self.findings);
    }

    /// The highest severity among findings, if any.
    pub fn max_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}
