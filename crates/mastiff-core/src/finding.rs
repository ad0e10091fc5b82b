//! Findings, positive evidence, locations and diagnostics.

use crate::Control;
use serde::Serialize;
use std::fmt;

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An input the analysis reads. Rules declare which they need; when one could not be read, the
/// controls those rules cover become `incomplete`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Artifact {
    /// The zip container itself (central directory).
    Container,
    /// `AndroidManifest.xml` (binary XML).
    Manifest,
    /// `resources.arsc`.
    Resources,
    /// The network security configuration referenced by the manifest.
    NetworkSecurityConfig,
    /// The backup / data-extraction rules referenced by the manifest.
    BackupRules,
    /// v1 JAR signature and the APK Signing Block.
    Signing,
    /// DEX bytecode (`classes*.dex`), read into the code index.
    Code,
}

impl Artifact {
    pub fn as_str(self) -> &'static str {
        match self {
            Artifact::Container => "container",
            Artifact::Manifest => "manifest",
            Artifact::Resources => "resources",
            Artifact::NetworkSecurityConfig => "network_security_config",
            Artifact::BackupRules => "backup_rules",
            Artifact::Signing => "signing",
            Artifact::Code => "code",
        }
    }
}

/// Where something was seen. Binaries have no line numbers, so each kind of place has its own shape.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Location {
    /// A zip entry, optionally at a byte offset of its (uncompressed) data.
    Entry {
        entry: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        offset: Option<u64>,
    },
    /// An element (and optionally one attribute) of a binary XML file.
    Xml {
        entry: String,
        /// Element path such as `manifest/application/activity[name=com.x.Main]`.
        element: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        attribute: Option<String>,
    },
    /// A signer certificate.
    Certificate {
        /// `v1`, `v2`, `v3` or `v3.1`.
        scheme: String,
        /// SHA-256 fingerprint of the certificate, lowercase hex.
        sha256: String,
    },
    /// A method in DEX bytecode.
    Dex {
        file: String,
        class: String,
        method: String,
        offset: u64,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Entry {
                entry,
                offset: None,
            } => write!(f, "{entry}"),
            Location::Entry {
                entry,
                offset: Some(o),
            } => write!(f, "{entry}+{o:#x}"),
            Location::Xml {
                entry,
                element,
                attribute,
            } => {
                write!(f, "{entry}: {element}")?;
                if let Some(a) = attribute {
                    write!(f, " @{a}")?;
                }
                Ok(())
            }
            Location::Certificate { scheme, sha256 } => {
                let short = sha256.get(..16).unwrap_or(sha256);
                write!(f, "{scheme} signer certificate {short}…")
            }
            Location::Dex {
                file,
                class,
                method,
                offset,
            } => {
                write!(f, "{class}.{method} at {file}+{offset:#x}")
            }
        }
    }
}

/// A problem found by a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable rule id, e.g. `NET-001`.
    pub rule: String,
    /// The rule's short title.
    pub title: String,
    pub severity: Severity,
    pub masvs: Vec<Control>,
    pub mastg: Vec<String>,
    pub cwe: Vec<u32>,
    /// What was seen, in one or two sentences, naming the offending values.
    pub message: String,
    /// Where it was seen; the first location is the primary one.
    pub locations: Vec<Location>,
    /// When the code concerned belongs to a third-party library (e.g. `okhttp3`), its name:
    /// library findings are labelled, never hidden.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub library: Option<String>,
}

/// Something a rule saw that counts *for* a control (e.g. a pin-set for `MASVS-NETWORK-2`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Evidence {
    pub control: Control,
    /// The rule that recorded it.
    pub rule: String,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
}

/// What kind of thing a diagnostic reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiagnosticKind {
    /// The input is unusual in a way that is often used to break analysis tools (duplicate zip
    /// entries, unknown compression methods, header mismatches...). The scan went on.
    Anomaly,
    /// An input could not be parsed (fully); what depends on it is `incomplete`.
    ParseError,
    /// A rule could not run.
    RuleError,
    /// A bug in mastiff caught at run time (a panic turned into a diagnostic).
    Internal,
    /// Informational note about how the scan was done (e.g. an iOS archive, not analysed yet).
    Note,
}

/// A problem with the input or the analysis itself, not with the app's security.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Diagnostic {
    pub kind: DiagnosticKind,
    /// The input concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact: Option<Artifact>,
    /// Short machine-readable code, e.g. `zip.duplicate_entry`.
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}
