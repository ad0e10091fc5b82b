//! Every rule, one file each, grouped by MASVS area, and the registry that lists them.

use std::sync::LazyLock;

use mastiff_core::Location;
use mastiff_formats::signing::{Certificate, SigningInfo};

use crate::rule::Rule;
use crate::AppContext;

pub mod auth;
pub mod code;
pub mod components;
pub mod crypto;
pub mod network;
pub mod platform;
pub mod privacy;
pub mod resilience;
pub mod storage;

/// Every rule, sorted by id. Each group lists its own rules (`<group>/mod.rs`).
pub static RULES: LazyLock<Vec<&'static dyn Rule>> = LazyLock::new(|| {
    let mut all: Vec<&'static dyn Rule> = [
        auth::RULES,
        code::RULES,
        components::RULES,
        crypto::RULES,
        network::RULES,
        platform::RULES,
        privacy::RULES,
        resilience::RULES,
        storage::RULES,
    ]
    .concat();
    all.sort_by_key(|r| r.meta().id);
    all
});

/// The rule with this id (case-insensitive) or name.
pub fn find(id_or_name: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| {
        let m = r.meta();
        m.id.eq_ignore_ascii_case(id_or_name) || m.name == id_or_name
    })
}

/// A location in the manifest.
pub(crate) fn manifest_location(
    app: &AppContext<'_>,
    element: &str,
    attribute: Option<&str>,
) -> Location {
    Location::Xml {
        entry: app.manifest_entry.to_string(),
        element: element.to_string(),
        attribute: attribute.map(str::to_string),
    }
}

/// A location in the network security config, or in the manifest when platform defaults apply.
pub(crate) fn network_location(
    app: &AppContext<'_>,
    element: &str,
    attribute: Option<&str>,
) -> Location {
    match app.network.and_then(|p| p.config.as_deref()) {
        Some(path) => Location::Xml {
            entry: path.to_string(),
            element: if element == "network-security-config" {
                element.to_string()
            } else {
                format!("network-security-config/{element}")
            },
            attribute: attribute.map(str::to_string),
        },
        None => manifest_location(
            app,
            "manifest/application",
            Some("android:usesCleartextTraffic"),
        ),
    }
}

pub(crate) fn cert_location(schemes: &[&str], cert: &Certificate) -> Location {
    Location::Certificate {
        scheme: schemes.first().copied().unwrap_or("?").to_string(),
        sha256: cert.sha256.clone(),
    }
}

/// Each distinct signer certificate once, with the schemes that carry it.
pub(crate) fn unique_certificates(signing: &SigningInfo) -> Vec<(&Certificate, Vec<&'static str>)> {
    let mut out: Vec<(&Certificate, Vec<&'static str>)> = Vec::new();
    for signer in &signing.signers {
        let Some(cert) = signer.certificates.first() else {
            continue;
        };
        match out.iter_mut().find(|(c, _)| c.sha256 == cert.sha256) {
            Some((_, schemes)) => {
                if !schemes.contains(&signer.scheme.as_str()) {
                    schemes.push(signer.scheme.as_str());
                }
            }
            None => out.push((cert, vec![signer.scheme.as_str()])),
        }
    }
    out
}

/// A secret as reports may show it: the first four characters, the length and the start of its
/// SHA-256, never the value (`AKIA…(20 chars, sha256:1f2e3d4c)`).
pub(crate) fn redact(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(secret.as_bytes());
    let short: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    let shown: String = secret.chars().take(4).collect();
    format!("{shown}…({} chars, sha256:{short})", secret.chars().count())
}

/// "Android 9 (API 28)".
pub(crate) fn android_version(api: u32) -> String {
    let name = match api {
        1 => "1.0",
        2 => "1.1",
        3 => "1.5",
        4 => "1.6",
        5..=7 => "2.0-2.1",
        8 => "2.2",
        9 | 10 => "2.3",
        11..=13 => "3.x",
        14 | 15 => "4.0",
        16 => "4.1",
        17 => "4.2",
        18 => "4.3",
        19 | 20 => "4.4",
        21 => "5.0",
        22 => "5.1",
        23 => "6",
        24 => "7.0",
        25 => "7.1",
        26 => "8.0",
        27 => "8.1",
        28 => "9",
        29 => "10",
        30 => "11",
        31 => "12",
        32 => "12L",
        33 => "13",
        34 => "14",
        35 => "15",
        36 => "16",
        _ => return format!("API {api}"),
    };
    format!("Android {name}, API {api}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_never_shows_more_than_four_characters() {
        let r = redact("AKIAIOSFODNN7EXAMPLE");
        assert!(r.starts_with("AKIA…(20 chars, sha256:"), "{r}");
        assert!(!r.contains("IOSFODNN7"));
    }

    /// The meta-test: unique ids and names, every doc section present, at least one MASVS control,
    /// CWE numbers set, registry sorted by group and complete.
    #[test]
    fn every_rule_is_well_formed() {
        let mut ids = std::collections::BTreeSet::new();
        let mut names = std::collections::BTreeSet::new();
        for r in RULES.iter() {
            let m = r.meta();
            assert!(ids.insert(m.id), "duplicate id {}", m.id);
            assert!(names.insert(m.name), "duplicate name {}", m.name);
            assert!(!m.masvs.is_empty(), "{} maps to no MASVS control", m.id);
            assert!(!m.cwe.is_empty(), "{} has no CWE", m.id);
            assert!(!m.inputs.is_empty(), "{} declares no inputs", m.id);
            let doc = m.doc_markdown();
            for section in [
                "## What it checks",
                "## Why it matters",
                "## How to fix",
                "## False positives",
                "## References",
            ] {
                assert!(doc.contains(section), "{} lacks {section}", m.id);
            }
            let (group, num) = m.id.split_once('-').expect("GROUP-NNN");
            assert!(
                ["STO", "CRY", "AUTH", "NET", "PLT", "CODE", "RES", "PRIV"].contains(&group),
                "{}",
                m.id
            );
            assert_eq!(num.len(), 3, "{}", m.id);
        }
        assert_eq!(
            find("net-001").map(|r| r.meta().name),
            Some("cleartext-traffic-permitted")
        );
        assert_eq!(find("debuggable").map(|r| r.meta().id), Some("RES-001"));
    }
}
