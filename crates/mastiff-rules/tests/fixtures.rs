//! The fixture apps of `fixtures/apps` (built by `fixtures/apps/build.sh`, facts in
//! `expected.tsv` measured by aapt/apksigner, expectations in `fixtures/apps/README.md`).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use mastiff_core::{Date, Report, Severity, Verdict};
use mastiff_rules::{scan_bytes, ScanOptions};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/apps")
}

fn scan(name: &str) -> Report {
    let data = std::fs::read(fixtures_dir().join(name)).expect("fixture APK");
    let opts = ScanOptions {
        scan_date: Date {
            year: 2026,
            month: 11,
            day: 22,
        },
        ..ScanOptions::default()
    };
    scan_bytes(&format!("fixtures/apps/{name}"), &data, &opts)
}

fn rules(r: &Report) -> BTreeSet<&str> {
    r.findings.iter().map(|f| f.rule.as_str()).collect()
}

fn severity_of(r: &Report, rule: &str) -> Vec<Severity> {
    r.findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| f.severity)
        .collect()
}

fn verdict(r: &Report, id: &str) -> Verdict {
    r.controls
        .iter()
        .find(|c| c.id.id() == id)
        .map(|c| c.verdict)
        .expect("control")
}

#[test]
fn facts_match_expected_tsv() {
    let text = std::fs::read_to_string(fixtures_dir().join("expected.tsv")).expect("expected.tsv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let mut n = 0;
    for line in lines.filter(|l| !l.is_empty()) {
        let row: HashMap<&str, &str> = header.iter().copied().zip(line.split('\t')).collect();
        let r = scan(row["file"]);
        let t = &r.target;
        let file = row["file"];
        assert_eq!(t.package.as_deref(), Some(row["package"]), "{file}");
        assert_eq!(
            t.min_sdk.map(|v| v.to_string()).as_deref(),
            Some(row["min_sdk"]),
            "{file}"
        );
        assert_eq!(
            t.target_sdk.map(|v| v.to_string()).as_deref(),
            Some(row["target_sdk"]),
            "{file}"
        );
        let literal = |v: &str, default: bool| match v {
            "true" => Some(true),
            "false" => Some(false),
            "unset" => Some(default),
            _ => None, // a resource reference: checked by its own test
        };
        if let Some(d) = literal(row["debuggable"], false) {
            assert_eq!(t.debuggable, Some(d), "{file} debuggable");
        }
        if let Some(b) = literal(row["allow_backup"], true) {
            assert_eq!(t.allow_backup, Some(b), "{file} allowBackup");
        }
        let ct = match row["uses_cleartext_traffic"] {
            "unset" => None,
            v => Some(v == "true"),
        };
        assert_eq!(t.uses_cleartext_traffic, ct, "{file} usesCleartextTraffic");
        let nsc = match row["nsc"] {
            "none" => None,
            v => Some(v.to_string()),
        };
        assert_eq!(t.network_security_config, nsc, "{file} nsc");
        let schemes: Vec<String> = match row["schemes"] {
            "none" => vec![],
            v => v.split(',').map(str::to_string).collect(),
        };
        assert_eq!(r.signing.schemes, schemes, "{file} schemes");
        if !schemes.is_empty() {
            // apksigner's "Signer #1" is the signer the newest platform sees: the v3 one if any.
            let newest = r
                .signing
                .certificates
                .iter()
                .find(|c| c.schemes.iter().any(|s| s == "v3"))
                .or(r.signing.certificates.first());
            let c = newest.expect("a certificate");
            assert_eq!(c.key_algorithm, row["key_algorithm"], "{file}");
            assert_eq!(
                c.key_bits.map(|b| b.to_string()).as_deref(),
                Some(row["key_bits"]),
                "{file}"
            );
            let known = c.known_key.as_deref().unwrap_or("");
            assert_eq!(known, row["known_key"], "{file}");
        }
        for v in &r.signing.verification {
            assert!(
                v.state != "digest_mismatch" && v.state != "malformed",
                "{file}: {v:?}"
            );
        }
        assert!(
            r.diagnostics
                .iter()
                .all(|d| d.kind != mastiff_core::DiagnosticKind::Internal),
            "{file}"
        );
        n += 1;
    }
    assert!(n >= 16, "expected.tsv lists {n} apps");
}

#[test]
fn hardened_has_no_findings_and_passes_every_checked_control() {
    let r = scan("hardened.apk");
    assert!(r.findings.is_empty(), "{:#?}", r.findings);
    for c in &r.controls {
        assert!(
            matches!(c.verdict, Verdict::Pass | Verdict::NotChecked),
            "{}: {:?} ({})",
            c.id.id(),
            c.verdict,
            c.reason
        );
        // Not checked exactly when no rule covers the whole control (a rule of partial
        // coverage that finds nothing does not make it pass).
        let whole = c.rules.iter().any(|id| {
            mastiff_rules::rules::find(id).map(|r| r.meta().coverage)
                == Some(mastiff_rules::rule::Coverage::Full)
        });
        assert_eq!(c.verdict == Verdict::NotChecked, !whole, "{}", c.id.id());
    }
    // Positive evidence, not just silence, for the controls the seeds insist on.
    for (id, needle) in [
        ("MASVS-NETWORK-2", "api.example.com"),
        ("MASVS-RESILIENCE-1", "/system/xbin/su"),
        ("MASVS-RESILIENCE-2", "getPackageInfo"),
        ("MASVS-RESILIENCE-4", "isDebuggerConnected"),
        ("MASVS-CODE-2", "IMMEDIATE"),
    ] {
        let c = r
            .controls
            .iter()
            .find(|c| c.id.id() == id)
            .expect("control");
        assert!(
            c.evidence.iter().any(|e| e.message.contains(needle)),
            "{id}: {:#?}",
            c.evidence
        );
    }
    assert_eq!(verdict(&r, "MASVS-PRIVACY-4"), Verdict::NotChecked);
}

#[test]
fn insecure_lights_up() {
    let r = scan("insecure.apk");
    let got = rules(&r);
    for id in [
        "RES-001", "RES-002", "STO-001", "NET-001", "NET-002", "NET-003", "PLT-001", "PLT-002",
        "PLT-003", "PLT-004", "RES-003", "RES-004", "RES-005", "RES-006", "CODE-001", "CODE-002",
        "CRY-002", "CRY-004", "NET-005", "PLT-014",
    ] {
        assert!(got.contains(id), "insecure.apk lacks {id}: {got:?}");
    }
    // Code findings point at the method and bytecode offset.
    let ecb = r
        .findings
        .iter()
        .find(|f| f.rule == "CRY-002")
        .expect("ECB finding");
    assert!(
        matches!(
            ecb.locations.first(),
            Some(mastiff_core::Location::Dex { class, method, .. })
                if class == "dev.mastiff.fixture.insecure.Session" && method.starts_with("encryptToken")
        ),
        "{:?}",
        ecb.locations
    );
    assert_eq!(
        severity_of(&r, "NET-005"),
        vec![Severity::High],
        "TrustAll is installed"
    );
    // Four unprotected components besides the launcher; the SYNC-guarded one is PLT-003's.
    assert_eq!(severity_of(&r, "PLT-001").len(), 4);
    assert_eq!(severity_of(&r, "RES-006"), vec![Severity::High]);
    assert!(r
        .findings
        .iter()
        .any(|f| f.rule == "RES-005" && f.message.contains("SHA-1 digests")));
}

#[test]
fn file_provider_paths_are_read() {
    // insecure: <root-path name="root" path=""/> -> high, pointing at the paths file.
    let r = scan("insecure.apk");
    let root: Vec<_> = r.findings.iter().filter(|f| f.rule == "PLT-014").collect();
    assert_eq!(root.len(), 1, "{root:#?}");
    assert_eq!(root[0].severity, Severity::High);
    assert!(
        root[0]
            .message
            .contains("FileProvider dev.mastiff.fixture.insecure.SharedFileProvider")
            && root[0]
                .message
                .contains(r#"<root-path name="root" path="">"#)
            && root[0].message.contains("res/xml/provider_paths.xml"),
        "{}",
        root[0].message
    );
    assert_eq!(
        root[0].locations.first(),
        Some(&mastiff_core::Location::Xml {
            entry: "res/xml/provider_paths.xml".into(),
            element: "paths/root-path[root]".into(),
            attribute: Some("path".into()),
        })
    );
    // file-provider: the whole external storage -> medium; narrow paths -> nothing.
    let r = scan("file-provider.apk");
    let got: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.rule == "PLT-014")
        .map(|f| (f.severity, f.message.as_str()))
        .collect();
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!(got[0].0, Severity::Medium);
    assert!(
        got[0].1.contains("ExternalFileProvider")
            && got[0]
                .1
                .contains(r#"<external-path name="external" path=".">"#),
        "{}",
        got[0].1
    );
}

#[test]
fn janus_not_reported_at_min_sdk_27() {
    assert!(!rules(&scan("janus-ok.apk")).contains("RES-006"));
}

#[test]
fn debug_overrides_apply_only_when_debuggable() {
    let off = scan("nsc-debug-overrides.apk");
    assert!(!rules(&off).contains("NET-002"), "{:#?}", off.findings);
    assert!(
        !off.network
            .as_ref()
            .expect("policy")
            .debug_overrides_applied
    );
    let on = scan("nsc-debug-overrides-debuggable.apk");
    assert_eq!(severity_of(&on, "NET-002"), vec![Severity::High]);
    assert!(rules(&on).contains("RES-001"));
    assert!(on.network.as_ref().expect("policy").debug_overrides_applied);
}

#[test]
fn expired_pins_are_not_pinning() {
    let r = scan("nsc-expired-pins.apk");
    let got = rules(&r);
    assert!(
        got.contains("NET-004") && got.contains("NET-003"),
        "{got:?}"
    );
    assert!(
        !got.contains("NET-001") && !got.contains("NET-002"),
        "{got:?}"
    );
    // Evaluated before the expiration date the same pins count.
    let data = std::fs::read(fixtures_dir().join("nsc-expired-pins.apk")).expect("fixture");
    let opts = ScanOptions {
        scan_date: Date {
            year: 2017,
            month: 6,
            day: 1,
        },
        ..ScanOptions::default()
    };
    let then = scan_bytes("x", &data, &opts);
    assert!(!rules(&then).contains("NET-004") && !rules(&then).contains("NET-003"));
}

#[test]
fn nested_domain_configs_inherit() {
    let r = scan("nsc-nested.apk");
    let n = r.network.as_ref().expect("policy");
    let d = |name: &str| {
        n.domains
            .iter()
            .find(|d| d.domain.as_deref() == Some(name))
            .expect(name)
    };
    assert!(d("example.com").cleartext_permitted);
    assert!(!d("secure.example.com").cleartext_permitted);
    assert_eq!(d("secure.example.com").pins.len(), 2);
    let inner = d("inner.secure.example.com");
    assert!(!inner.cleartext_permitted && !inner.include_subdomains);
    assert_eq!(
        inner.pins,
        d("secure.example.com").pins,
        "pins inherited from the parent domain-config"
    );
    assert!(n
        .default
        .trust_anchors
        .iter()
        .any(|a| a.source == "res/raw/extra_ca.pem"));
    assert_eq!(severity_of(&r, "NET-001"), vec![Severity::Medium]);
    assert!(r
        .findings
        .iter()
        .any(|f| f.rule == "NET-001" && f.message.contains("example.com")));
    let got = rules(&r);
    assert!(
        !got.contains("NET-003") && !got.contains("NET-002"),
        "{got:?}"
    );
}

#[test]
fn platform_defaults_by_target_sdk() {
    let old = scan("nsc-defaults-old.apk");
    assert_eq!(severity_of(&old, "NET-001"), vec![Severity::High]);
    assert_eq!(severity_of(&old, "NET-002"), vec![Severity::High]);
    let p28 = scan("nsc-defaults-28.apk");
    assert!(!rules(&p28).contains("NET-001"));
    assert_eq!(
        severity_of(&p28, "NET-002"),
        vec![Severity::Low],
        "only the minSdk < 24 note"
    );
    let opted_out = scan("nsc-usescleartext-false-old.apk");
    assert!(!rules(&opted_out).contains("NET-001"));
}

#[test]
fn exported_semantics_follow_target_sdk() {
    let r = scan("exported-semantics.apk");
    let exported: BTreeSet<String> = r
        .findings
        .iter()
        .filter(|f| f.rule == "PLT-001")
        .map(|f| {
            f.message
                .split_whitespace()
                .nth(1)
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert!(
        exported.iter().all(|n| n.contains("Filter")),
        "{exported:?}"
    );
    assert_eq!(exported.len(), 3, "{exported:?}");
    assert!(
        !rules(&r).contains("PLT-002"),
        "a provider without the attribute is private at targetSdk >= 17"
    );
    let legacy = scan("exported-legacy.apk");
    assert!(legacy
        .findings
        .iter()
        .any(|f| f.rule == "PLT-002" && f.message.contains("by default")));
}

#[test]
fn unsigned_apk_is_reported() {
    let r = scan("unsigned.apk");
    assert!(r.signing.schemes.is_empty());
    assert_eq!(severity_of(&r, "RES-007"), vec![Severity::Medium]);
}

#[test]
fn resource_references_count_every_configuration() {
    // debuggable and allowBackup are @bool resources: false by default, true in values-v24,
    // so on every device from API 24 the app is debuggable and backed up.
    let r = scan("nsc-resource-refs.apk");
    assert_eq!(
        r.target.network_security_config.as_deref(),
        Some("res/xml/nsc_real.xml")
    );
    let got = rules(&r);
    assert!(got.contains("RES-001"), "{got:?}");
    assert!(got.contains("STO-001"), "{got:?}");
}

#[test]
fn insecure_report_snapshot() {
    let r = scan("insecure.apk");
    insta::assert_json_snapshot!("insecure", r, { ".tool.version" => "[version]" });
}

#[test]
fn hardened_report_snapshot() {
    let r = scan("hardened.apk");
    insta::assert_json_snapshot!("hardened", r, { ".tool.version" => "[version]" });
}
