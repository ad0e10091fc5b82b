//! The `mastiff` command as a user and a CI gate see it: outputs and exit codes.

use assert_cmd::Command;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/apps")
        .join(name)
}

fn mastiff() -> Command {
    Command::cargo_bin("mastiff").expect("binary built")
}

fn stdout_of(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn insecure_app_fails_the_gate_with_exit_1() {
    let (code, out, _) = stdout_of(
        mastiff()
            .args(["scan", "--date", "2026-11-22"])
            .arg(fixture("insecure.apk")),
    );
    assert_eq!(code, 1);
    assert!(out.contains("MASVS v2 controls"), "{out}");
    assert!(out.contains("gate: FAILED"), "{out}");
    assert!(out.contains("RES-001"), "{out}");
    assert!(!out.contains("\x1b["), "no colour when not a terminal");
}

#[test]
fn hardened_app_passes_with_exit_0() {
    let (code, out, _) = stdout_of(mastiff().arg("scan").arg(fixture("hardened.apk")));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("gate: passed"), "{out}");
}

#[test]
fn fail_on_sets_the_threshold() {
    let (code, _, _) = stdout_of(
        mastiff()
            .args(["scan", "--fail-on", "critical"])
            .arg(fixture("insecure.apk")),
    );
    assert_eq!(code, 0, "insecure.apk has no critical finding");
    // janus-ok.apk has medium and low findings, none high.
    let (code, _, _) = stdout_of(
        mastiff()
            .args(["scan", "--fail-on", "high"])
            .arg(fixture("janus-ok.apk")),
    );
    assert_eq!(code, 0);
    let (code, _, _) = stdout_of(
        mastiff()
            .args(["scan", "--fail-on", "medium"])
            .arg(fixture("janus-ok.apk")),
    );
    assert_eq!(code, 1);
    // hardened.apk has no finding at all, so even the strictest gate passes.
    let (code, _, _) = stdout_of(
        mastiff()
            .args(["scan", "--fail-on", "info"])
            .arg(fixture("hardened.apk")),
    );
    assert_eq!(code, 0);
}

#[test]
fn json_report_has_the_stable_keys() {
    let (code, out, _) = stdout_of(
        mastiff()
            .args(["scan", "--format", "json", "--date", "2026-11-22"])
            .arg(fixture("insecure.apk")),
    );
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["target"]["package"], "dev.mastiff.fixture.insecure");
    assert_eq!(v["target"]["platform"], "android");
    assert_eq!(v["target"]["min_sdk"], 21);
    assert_eq!(v["target"]["debuggable"], true);
    assert_eq!(v["signing"]["schemes"], serde_json::json!(["v1"]));
    assert_eq!(v["signing"]["certificates"][0]["key_bits"], 1024);
    assert_eq!(v["controls"].as_array().map(Vec::len), Some(24));
    let f = &v["findings"][0];
    assert!(f["cwe"][0].is_u64(), "cwe numbers are integers");
    assert!(f["masvs"][0]
        .as_str()
        .is_some_and(|s| s.starts_with("MASVS-")));
    assert!(v["diagnostics"].is_array());
}

#[test]
fn several_inputs_give_an_array_and_the_worst_exit_code() {
    let (code, out, _) = stdout_of(
        mastiff()
            .args(["scan", "--format", "json"])
            .arg(fixture("hardened.apk"))
            .arg(fixture("insecure.apk")),
    );
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    let reports = v.as_array().expect("array");
    assert_eq!(reports.len(), 2);
    assert_eq!(
        reports[0]["target"]["package"], "dev.mastiff.fixture.hardened",
        "input order kept"
    );
}

#[test]
fn output_file() {
    let dir = std::env::temp_dir().join(format!("mastiff-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let out = dir.join("r.json");
    let (code, stdout, _) = stdout_of(
        mastiff()
            .args(["scan", "--format", "json", "-o"])
            .arg(&out)
            .arg(fixture("hardened.apk")),
    );
    assert_eq!(code, 0);
    assert!(stdout.is_empty());
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("written")).expect("JSON");
    assert_eq!(v["schema_version"], 1);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn select_and_ignore_rules() {
    let (_, out, _) = stdout_of(
        mastiff()
            .args(["scan", "--format", "json", "--select", "NET"])
            .arg(fixture("insecure.apk")),
    );
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(
        !rules.is_empty() && rules.iter().all(|r| r.starts_with("NET-")),
        "{rules:?}"
    );
    // A control whose only rules were deselected is not checked, never passed.
    let storage2 = v["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .find(|c| c["id"] == "MASVS-STORAGE-2")
        .cloned();
    assert_eq!(storage2.expect("control")["verdict"], "not_checked");

    let (_, out, _) = stdout_of(
        mastiff()
            .args(["scan", "--format", "json", "--ignore", "RES-001,debuggable"])
            .arg(fixture("insecure.apk")),
    );
    assert!(!out.contains("\"RES-001\""));
    let (code, _, err) = stdout_of(
        mastiff()
            .args(["scan", "--select", "NOPE-999"])
            .arg(fixture("insecure.apk")),
    );
    assert_eq!(code, 2);
    assert!(err.contains("no rule matches"), "{err}");
}

#[test]
fn unreadable_inputs_and_bad_arguments_exit_2() {
    let (code, _, err) = stdout_of(mastiff().args(["scan", "/nonexistent/app.apk"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("mastiff: error: cannot read /nonexistent/app.apk"),
        "{err}"
    );
    let (code, _, err) = stdout_of(mastiff().args(["scan"]).arg(fixture("README.md")));
    assert_eq!(code, 2);
    assert!(err.contains("zip"), "{err}");
    assert!(!err.contains("panicked"));
    let (code, _, _) = stdout_of(
        mastiff()
            .args(["scan", "--format", "yaml"])
            .arg(fixture("insecure.apk")),
    );
    assert_eq!(code, 2);
    let (code, _, err) = stdout_of(
        mastiff()
            .args(["scan", "--date", "2026-13-01"])
            .arg(fixture("insecure.apk")),
    );
    assert_eq!(code, 2);
    assert!(err.contains("--date"), "{err}");
    let (code, _, _) = stdout_of(mastiff().arg("frobnicate"));
    assert_eq!(code, 2);
}

#[test]
fn rules_and_explain() {
    let (code, out, _) = stdout_of(mastiff().arg("rules"));
    assert_eq!(code, 0);
    for id in ["NET-001", "RES-006", "PLT-004", "STO-001", "CODE-001"] {
        assert!(out.contains(id), "{out}");
    }
    let (_, out, _) = stdout_of(mastiff().args(["rules", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v.as_array().map(Vec::len), Some(mastiff_rules::RULES.len()));

    let (code, out, _) = stdout_of(mastiff().args(["explain", "net-001"]));
    assert_eq!(code, 0);
    for section in [
        "## What it checks",
        "## Why it matters",
        "## How to fix",
        "## False positives",
        "## References",
    ] {
        assert!(out.contains(section), "{out}");
    }
    assert!(out.contains("CWE-319"));
    let (code, _, err) = stdout_of(mastiff().args(["explain", "NOPE-1"]));
    assert_eq!(code, 2);
    assert!(err.contains("no rule named"), "{err}");
}

#[test]
fn help_and_version_exit_0() {
    assert_eq!(stdout_of(mastiff().arg("--help")).0, 0);
    assert_eq!(stdout_of(mastiff().arg("--version")).0, 0);
}

fn corpus_app(name: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/apps")
        .join(name);
    p.exists().then_some(p)
}

#[test]
fn sbom_is_cyclonedx_and_deterministic() {
    let (code, first, _) = stdout_of(mastiff().arg("sbom").arg(fixture("insecure.apk")));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&first).expect("JSON");
    assert_eq!(v["bomFormat"], "CycloneDX");
    assert_eq!(v["specVersion"], "1.6");
    assert_eq!(
        v["metadata"]["component"]["name"],
        "dev.mastiff.fixture.insecure"
    );
    assert!(v["serialNumber"]
        .as_str()
        .is_some_and(|s| s.starts_with("urn:uuid:")));
    let (_, second, _) = stdout_of(mastiff().arg("sbom").arg(fixture("insecure.apk")));
    assert_eq!(first, second, "same app, same SBOM");
    let (code, _, err) = stdout_of(
        mastiff()
            .args(["sbom", "--vuln-db", "/nonexistent/osv"])
            .arg(fixture("insecure.apk")),
    );
    assert_eq!(code, 2);
    assert!(err.contains("vulnerability database"), "{err}");
}

#[test]
fn vulnerable_okhttp_is_reported_with_its_advisory() {
    let Some(app) = corpus_app("androgoat-AndroGoat.apk") else {
        return;
    };
    let (_, out, _) = stdout_of(mastiff().arg("sbom").arg(&app));
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let ids: Vec<&str> = v["vulnerabilities"]
        .as_array()
        .expect("vulnerabilities")
        .iter()
        .filter_map(|x| x["id"].as_str())
        .collect();
    assert!(ids.contains(&"GHSA-3cqm-mf7h-prrj"), "{ids:?}");
    let (_, out, _) = stdout_of(
        mastiff()
            .args(["scan", "--format", "json", "--select", "CODE-020"])
            .arg(&app),
    );
    let r: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let f = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| {
            f["message"]
                .as_str()
                .is_some_and(|m| m.contains("okhttp 3.8.0"))
        })
        .cloned();
    let f = f.expect("okhttp finding");
    assert_eq!(f["severity"], "high");
    assert!(
        f["message"]
            .as_str()
            .is_some_and(|m| m.contains("fixed in 4.9.2")),
        "{f}"
    );
    assert!(r["vulnerability_database"]["description"]
        .as_str()
        .is_some_and(|d| d.contains("not exhaustive")));
}

#[test]
fn a_user_osv_directory_replaces_the_seed_set() {
    let Some(app) = corpus_app("androgoat-AndroGoat.apk") else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("mastiff-osv-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("Maven")).expect("tmp");
    let record = serde_json::json!({
        "id": "TEST-0001", "modified": "2026-11-01T00:00:00Z", "summary": "test advisory",
        "affected": [{"package": {"ecosystem": "Maven", "name": "com.squareup.okhttp3:okhttp"},
                      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "3.0.0"}, {"fixed": "3.9.0"}]}]}]
    });
    std::fs::write(dir.join("Maven/TEST-0001.json"), record.to_string()).expect("write");
    let (_, out, _) = stdout_of(mastiff().args(["sbom", "--vuln-db"]).arg(&dir).arg(&app));
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let ids: Vec<&str> = v["vulnerabilities"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(ids, vec!["TEST-0001"]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn manifest_only_selection_skips_the_code_and_the_sbom() {
    let (_, out, _) = stdout_of(
        mastiff()
            .args(["scan", "--format", "json", "--select", "RES-001"])
            .arg(fixture("insecure.apk")),
    );
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert!(
        v.get("vulnerability_database").is_none(),
        "no SBOM was asked for"
    );
    let verdicts: Vec<(&str, &str)> = v["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .filter_map(|c| Some((c["id"].as_str()?, c["verdict"].as_str()?)))
        .filter(|(_, verdict)| *verdict != "not_checked")
        .collect();
    assert_eq!(verdicts, vec![("MASVS-RESILIENCE-4", "fail")]);
}

#[test]
fn ios_archives_get_a_thin_sbom_named_after_the_file() {
    let Some(app) = corpus_app("ostorlab-oxo-ios-ben2.ipa") else {
        return;
    };
    let (code, out, _) = stdout_of(mastiff().arg("sbom").arg(&app));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["metadata"]["component"]["name"], "ostorlab-oxo-ios-ben2");
    assert_eq!(v["specVersion"], "1.6");
}
