//! Every app of `../shared/corpus` scanned end to end: the manifest and signing facts mastiff
//! reports must equal what aapt and apksigner measured (`MANIFEST.tsv`), no parser may crash, and
//! iOS archives are recognised and reported as not analysed.
//!
//! Scan times are printed (run with `--nocapture`); performance is judged by `bench/run.sh`,
//! not by this test.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use mastiff_core::{Date, DiagnosticKind, Platform, Report, Verdict};
use mastiff_rules::{scan_bytes, ScanOptions};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

fn rows() -> Option<Vec<HashMap<String, String>>> {
    let text = std::fs::read_to_string(corpus_dir().join("MANIFEST.tsv")).ok()?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next()?.split('\t').collect();
    Some(
        lines
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                header
                    .iter()
                    .map(|h| h.to_string())
                    .zip(l.split('\t').map(str::to_string))
                    .collect()
            })
            .collect(),
    )
}

fn options() -> ScanOptions {
    ScanOptions {
        scan_date: Date {
            year: 2026,
            month: 11,
            day: 22,
        },
        ..ScanOptions::default()
    }
}

fn scan(file: &str) -> (Report, f64) {
    let data = std::fs::read(corpus_dir().join("apps").join(file))
        .expect("corpus file listed in MANIFEST.tsv");
    let start = Instant::now();
    let report = scan_bytes(file, &data, &options());
    (report, start.elapsed().as_secs_f64() * 1000.0)
}

fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "default(true)" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// `v1=true v2=false v3=false RSA-2048 CN=...` -> (["v1"], Some(("RSA", 2048))); `UNSIGNED ...` -> ([], None).
fn parse_signing(s: &str) -> (Vec<String>, Option<(String, u32)>) {
    if s.starts_with("UNSIGNED") {
        return (Vec::new(), None);
    }
    let mut schemes = Vec::new();
    let mut key = None;
    for tok in s.split_whitespace().take(4) {
        if let Some((scheme, "true")) = tok.split_once('=') {
            schemes.push(scheme.to_string());
        } else if let Some((alg, bits)) = tok.split_once('-') {
            if let Ok(bits) = bits.parse() {
                key = Some((alg.to_string(), bits));
            }
        }
    }
    (schemes, key)
}

#[test]
fn android_corpus_matches_aapt_and_apksigner() {
    let Some(rows) = rows() else {
        eprintln!("skipping: ../shared/corpus not found");
        return;
    };
    let mut checked = 0;
    let mut mismatches = Vec::new();
    for row in rows.iter().filter(|r| r["platform"] == "android") {
        let file = &row["filename"];
        let (r, ms) = scan(file);
        eprintln!("{ms:8.1} ms  {file}");
        let t = &r.target;
        let mut check = |what: &str, got: String, want: String| {
            if got != want {
                mismatches.push(format!(
                    "{file}: {what}: mastiff says {got}, MANIFEST.tsv says {want}"
                ));
            }
        };
        check(
            "platform",
            format!("{:?}", t.platform),
            format!("{:?}", Some(Platform::Android)),
        );
        check(
            "package",
            format!("{:?}", t.package),
            format!("{:?}", Some(&row["app_id"])),
        );
        check(
            "min_sdk",
            format!("{:?}", t.min_sdk),
            format!("{:?}", row["min_os"].parse::<u32>().ok()),
        );
        let want_target = row["target_sdk"]
            .parse::<u32>()
            .ok()
            .or_else(|| row["min_os"].parse().ok());
        check(
            "target_sdk",
            format!("{:?}", t.target_sdk),
            format!("{want_target:?}"),
        );
        check(
            "debuggable",
            format!("{:?}", t.debuggable),
            format!("{:?}", parse_bool(&row["debuggable"])),
        );
        check(
            "allow_backup",
            format!("{:?}", t.allow_backup),
            format!("{:?}", parse_bool(&row["allowBackup"])),
        );
        check(
            "uses_cleartext_traffic",
            format!("{:?}", t.uses_cleartext_traffic),
            format!("{:?}", parse_bool(&row["usesCleartextTraffic"])),
        );
        let nsc_declared = row["network_security_config"] != "none";
        check(
            "nsc",
            format!("{}", t.network_security_config.is_some()),
            format!("{nsc_declared}"),
        );
        let (schemes, key) = parse_signing(&row["signing"]);
        check(
            "schemes",
            format!("{:?}", r.signing.schemes),
            format!("{schemes:?}"),
        );
        let got_key = r
            .signing
            .certificates
            .first()
            .and_then(|c| Some((c.key_algorithm.clone(), c.key_bits?)));
        check("signer key", format!("{got_key:?}"), format!("{key:?}"));
        for v in &r.signing.verification {
            if v.state == "digest_mismatch" || v.state == "malformed" {
                mismatches.push(format!(
                    "{file}: {} signature state {} ({:?})",
                    v.scheme, v.state, v.detail
                ));
            }
        }
        for d in &r.diagnostics {
            if matches!(
                d.kind,
                DiagnosticKind::Internal | DiagnosticKind::ParseError
            ) {
                mismatches.push(format!(
                    "{file}: unexpected diagnostic {:?} {}: {}",
                    d.kind, d.code, d.message
                ));
            }
        }
        assert_eq!(r.controls.len(), 24);
        assert!(
            r.controls.iter().all(|c| c.verdict != Verdict::Incomplete),
            "{file}: incomplete control"
        );
        checked += 1;
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert!(checked >= 28, "only {checked} Android apps in the corpus");
}

#[test]
fn androgoat_network_policy_is_the_measured_one() {
    if rows().is_none() {
        return;
    }
    // MANIFEST.tsv: "network_security_config.xml cleartext=true pinset=false userCAs=true".
    let (r, _) = scan("androgoat-AndroGoat.apk");
    let n = r.network.expect("policy computed");
    assert_eq!(
        n.config.as_deref(),
        Some("res/xml/network_security_config.xml")
    );
    assert!(n.default.cleartext_permitted);
    assert!(n.default.trust_anchors.iter().any(|a| a.source == "user"));
    assert!(n.domains.iter().all(|d| d.pins.is_empty()));
    let rules: Vec<&str> = r.findings.iter().map(|f| f.rule.as_str()).collect();
    for expected in [
        "NET-001", "NET-002", "RES-001", "RES-003", "RES-004", "STO-001",
    ] {
        assert!(
            rules.contains(&expected),
            "AndroGoat lacks {expected}: {rules:?}"
        );
    }
    // Its config has no pin-set, but TrafficActivity pins owasp.org with OkHttp's
    // CertificatePinner (truth file): pinning in code counts, so no NET-003.
    assert!(!rules.contains(&"NET-003"), "{rules:?}");
    let pinning = r
        .controls
        .iter()
        .find(|c| c.id.id() == "MASVS-NETWORK-2")
        .expect("control");
    assert!(
        pinning
            .evidence
            .iter()
            .any(|e| e.rule == "NET-011" && e.message.contains("owasp.org")),
        "{pinning:#?}"
    );
    // The same app without its config, targetSdk 26: cleartext by platform default, no user CAs.
    let (r, _) = scan("androgoat-AndroGoat-noNSC.apk");
    let n = r.network.expect("policy computed");
    assert!(n.config.is_none());
    assert!(n.default.cleartext_permitted);
    assert!(!n.default.trust_anchors.iter().any(|a| a.source == "user"));
}

#[test]
fn legacy_manifests_get_platform_defaults() {
    if rows().is_none() {
        return;
    }
    // jamendo targets API 8: cleartext allowed and user CAs trusted by default, implicit exports.
    let (r, _) = scan("androguard-testdata-com.teleca.jamendo_35.apk");
    let n = r.network.expect("policy computed");
    assert!(
        n.default.cleartext_permitted && n.default.trust_anchors.iter().any(|a| a.source == "user")
    );
    // politedroid has minSdk 3 and no targetSdk: the target defaults to 3.
    let (r, _) = scan("androguard-testdata-com.politedroid_4.apk");
    assert_eq!((r.target.min_sdk, r.target.target_sdk), (Some(3), Some(3)));
}

#[test]
fn janus_is_not_reported_for_modern_min_sdk_and_is_for_v1_only_apps() {
    if rows().is_none() {
        return;
    }
    // InsecureBankv2-debug: v1 only, minSdk 15 -> Janus, high.
    let (r, _) = scan("insecurebankv2-InsecureBankv2-debug.apk");
    assert!(r
        .findings
        .iter()
        .any(|f| f.rule == "RES-006" && f.severity == mastiff_core::Severity::High));
    // UnCrackable L1: v1+v2, minSdk 19 -> API 21-23 devices only, medium.
    let (r, _) = scan("mastg-UnCrackable-Level1.apk");
    assert!(r
        .findings
        .iter()
        .any(|f| f.rule == "RES-006" && f.severity == mastiff_core::Severity::Medium));
}

#[test]
fn ios_archives_are_recognised_not_analysed() {
    let Some(rows) = rows() else { return };
    for row in rows.iter().filter(|r| r["platform"] == "ios") {
        let (r, _) = scan(&row["filename"]);
        assert_eq!(
            r.target.platform,
            Some(Platform::Ios),
            "{}",
            row["filename"]
        );
        assert!(r.controls.iter().all(|c| c.verdict == Verdict::NotChecked));
        assert!(r.findings.is_empty());
        assert!(r.diagnostics.iter().any(|d| d.code == "ios.not_analysed"));
    }
}
