//! Storage, code-quality and resilience bytecode rules end to end on the fixture apps
//! `code-storage`, `code-injection` and `code-resilience` (smali sources in `fixtures/apps/`):
//! each rule's positive case is found in the `Bad*` class (or, for the "absence" rules, in the
//! apps without protections) and its negative case in `Good*` is not.

use std::path::Path;

use mastiff_core::{Control, Date, Finding, Location, Report, Severity};
use mastiff_rules::{scan_bytes, ScanOptions};

fn scan(name: &str) -> Report {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/apps")
        .join(name);
    let data = std::fs::read(&path).expect("fixture APK (fixtures/apps/build.sh)");
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

fn in_class(f: &Finding, class: &str) -> bool {
    f.locations
        .iter()
        .any(|l| matches!(l, Location::Dex { class: c, .. } if c.ends_with(class)))
}

fn in_method(f: &Finding, class: &str, method: &str) -> bool {
    f.locations.iter().any(|l| {
        matches!(l, Location::Dex { class: c, method: m, .. } if c.ends_with(class) && m.starts_with(method))
    })
}

fn findings<'a>(r: &'a Report, rule: &str) -> Vec<&'a Finding> {
    r.findings.iter().filter(|f| f.rule == rule).collect()
}

/// The rule reports `class.method` at `severity` or above, and nothing at low or above in `good`.
fn bad_not_good(r: &Report, rule: &str, class: &str, method: &str, severity: Severity, good: &str) {
    let all = findings(r, rule);
    assert!(
        all.iter()
            .any(|f| in_method(f, class, method) && f.severity >= severity),
        "{rule}: expected a {severity:?}+ finding in {class}.{method}: {all:#?}"
    );
    assert!(
        !all.iter()
            .any(|f| in_class(f, good) && f.severity >= Severity::Low),
        "{rule}: unexpected finding in {good}: {all:#?}"
    );
}

fn evidence<'a>(r: &'a Report, control: Control, rule: &str) -> Vec<&'a str> {
    r.controls
        .iter()
        .filter(|c| c.id == control)
        .flat_map(|c| c.evidence.iter())
        .filter(|e| e.rule == rule)
        .map(|e| e.message.as_str())
        .collect()
}

#[test]
fn storage_rules() {
    let r = scan("code-storage.apk");
    let (bad, good) = ("codestorage.BadStorage", "codestorage.GoodStorage");
    // Low, not medium: the app also creates EncryptedSharedPreferences.
    bad_not_good(&r, "STO-002", bad, "savePrefs", Severity::Low, good);
    assert!(findings(&r, "STO-002")[0]
        .message
        .contains("\"user_password\""));
    assert!(evidence(&r, Control::Storage1, "STO-002")
        .iter()
        .any(|m| m.contains("GoodStorage.encryptedPrefs")));
    bad_not_good(&r, "STO-003", bad, "createDb", Severity::Medium, good);
    assert!(findings(&r, "STO-003")[0].message.contains("password"));
    bad_not_good(&r, "STO-004", bad, "exportDir", Severity::Medium, good);
    assert!(
        !findings(&r, "STO-004")
            .iter()
            .any(|f| f.message.contains("WRITE_EXTERNAL_STORAGE")),
        "maxSdkVersion=28 is the recommended declaration"
    );
    bad_not_good(&r, "STO-005", bad, "worldReadable", Severity::Medium, good);
    bad_not_good(&r, "STO-006", bad, "tempFile", Severity::Low, good);
    bad_not_good(&r, "STO-007", bad, "logPassword", Severity::Medium, good);
    assert!(findings(&r, "STO-007")
        .iter()
        .any(|f| f.severity == Severity::Info && f.message.starts_with("1 other log calls")));
    bad_not_good(&r, "STO-008", bad, "copySecret", Severity::Low, good);
    assert!(findings(&r, "STO-008")
        .iter()
        .any(|f| in_method(f, good, "copyLink") && f.severity == Severity::Info));
    bad_not_good(&r, "PRIV-001", bad, "smsImei", Severity::High, good);
    bad_not_good(&r, "PRIV-001", bad, "smsNumber", Severity::High, good);
    // A password read and a built body in one method: the weaker link, medium; reading the
    // password and sending a fixed text (GoodStorage.smsAfterLogin) is not reported.
    bad_not_good(&r, "PRIV-001", bad, "smsPassword", Severity::Medium, good);
    let sms: Vec<&str> = findings(&r, "PRIV-001")
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        sms.iter()
            .any(|m| m.starts_with("the device id (IMEI/MEID) sent as the body")),
        "{sms:?}"
    );
    assert!(
        sms.iter()
            .any(|m| m.contains("body built from the phone number")),
        "{sms:?}"
    );
    assert!(
        sms.iter()
            .any(|m| m.contains("built in a method that reads a password (getPassword())")),
        "{sms:?}"
    );
    assert_eq!(sms.len(), 3, "{sms:?}");
    for f in r.findings.iter().filter(|f| f.rule.starts_with("STO-")) {
        assert_eq!(f.library, None, "app code is not labelled: {f:?}");
    }
}

#[test]
fn code_rules() {
    let r = scan("code-injection.apk");
    let (bad, good) = ("codeinjection.BadCode", "codeinjection.GoodCode");
    bad_not_good(&r, "CODE-003", bad, "findUser", Severity::Medium, good);
    assert!(findings(&r, "CODE-003")[0]
        .message
        .contains("SELECT * FROM users WHERE name = '"));
    bad_not_good(&r, "CODE-004", bad, "loadPlugin", Severity::High, good);
    bad_not_good(
        &r,
        "CODE-004",
        bad,
        "pluginFromPackage",
        Severity::High,
        good,
    );
    assert!(findings(&r, "CODE-004")
        .iter()
        .any(|f| f.message.contains("CONTEXT_IGNORE_SECURITY")));
    bad_not_good(&r, "CODE-005", bad, "ping", Severity::Medium, good);
    assert!(findings(&r, "CODE-005")
        .iter()
        .any(|f| in_method(f, good, "whoami") && f.severity == Severity::Info));
    bad_not_good(&r, "CODE-006", bad, "restore", Severity::Medium, good);
    bad_not_good(
        &r,
        "CODE-006",
        "codeinjection.BadGadget",
        "readObject",
        Severity::Medium,
        "codeinjection.GoodGadget",
    );
    assert!(findings(&r, "CODE-006").iter().any(|f| f.message.contains(
        "deletes or renames files (File.delete in dev.mastiff.fixture.codeinjection.BadGadget.wipe"
    )));
    bad_not_good(&r, "CODE-008", bad, "openFile", Severity::High, good);
    bad_not_good(&r, "CODE-008", bad, "saveTo", Severity::Medium, good);
    bad_not_good(&r, "CODE-008", bad, "exportNamed", Severity::Medium, good);
    assert!(findings(&r, "CODE-008").iter().any(|f| f
        .message
        .contains("from Intent.getStringExtra() on some branches")));
    assert_eq!(findings(&r, "CODE-008").len(), 3);
    // No update mechanism in this app: a finding; the resilience app has an IMMEDIATE update.
    assert_eq!(findings(&r, "CODE-007").len(), 1);
    let ok = scan("code-resilience.apk");
    assert!(findings(&ok, "CODE-007").is_empty());
    assert!(evidence(&ok, Control::Code2, "CODE-007")
        .iter()
        .any(|m| m.contains("IMMEDIATE") && m.contains("coderesilience.d.a")));
}

#[test]
fn resilience_rules() {
    let without = scan("code-injection.apk");
    let with = scan("code-resilience.apk");
    for (rule, control, seen) in [
        (
            "RES-008",
            Control::Resilience1,
            "\"/system/xbin/su\" in dev.mastiff.fixture.coderesilience.a.a()",
        ),
        ("RES-009", Control::Resilience2, "GET_SIGNATURES"),
        (
            "RES-010",
            Control::Resilience3,
            "80.0% short names in 5 app classes",
        ),
        (
            "RES-011",
            Control::Resilience4,
            "Debug.isDebuggerConnected() in dev.mastiff.fixture.coderesilience.b.a()",
        ),
    ] {
        assert_eq!(
            findings(&without, rule).len(),
            1,
            "{rule} absent protection"
        );
        assert!(
            findings(&with, rule).is_empty(),
            "{rule}: {:#?}",
            findings(&with, rule)
        );
        let ev = evidence(&with, control, rule);
        assert!(ev.iter().any(|m| m.contains(seen)), "{rule}: {ev:#?}");
    }
    assert!(findings(&without, "RES-010")[0]
        .message
        .contains("0.0% short names in 6 app classes"));
    assert!(evidence(&with, Control::Resilience1, "RES-008")
        .iter()
        .any(|m| m.starts_with("emulator detection") && m.contains("goldfish")));
}
