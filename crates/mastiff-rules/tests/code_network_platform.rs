//! Bytecode rules of the network and platform groups, end to end on the fixture apps
//! `code-network` and `code-webview` (`fixtures/apps/README.md`): each rule reports its positive
//! case in a `Bad*` class and nothing in the `Good*` classes.

use std::path::Path;

use mastiff_core::{Control, Date, Finding, Location, Report, Severity};
use mastiff_rules::{scan_bytes, ScanOptions};

fn scan(name: &str) -> Report {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/apps")
        .join(name);
    let data = std::fs::read(&path).expect("fixture APK");
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

/// `(class, method)` of a finding's first location when it is in code.
fn code_site(f: &Finding) -> Option<(&str, &str)> {
    match f.locations.first()? {
        Location::Dex { class, method, .. } => Some((class.as_str(), method.as_str())),
        _ => None,
    }
}

fn of<'r>(r: &'r Report, rule: &str) -> Vec<&'r Finding> {
    r.findings.iter().filter(|f| f.rule == rule).collect()
}

/// The finding of `rule` located in `class.method(...)`; panics with the rule's findings when
/// there is none.
fn found<'r>(r: &'r Report, rule: &str, class: &str, method: &str) -> &'r Finding {
    let all = of(r, rule);
    all.iter()
        .copied()
        .find(|f| {
            code_site(f).is_some_and(|(c, m)| {
                c.ends_with(&format!(".{class}")) && m.starts_with(&format!("{method}("))
            })
        })
        .unwrap_or_else(|| {
            let got: Vec<String> = all
                .iter()
                .map(|f| format!("{:?}: {}", code_site(f), f.message))
                .collect();
            panic!("{rule}: no finding in {class}.{method}; got {got:#?}")
        })
}

/// No finding of any of this group's code rules in a `Good*` class.
fn nothing_in_good_classes(r: &Report) {
    for f in &r.findings {
        if let Some((class, method)) = code_site(f) {
            let simple = class.rsplit('.').next().unwrap_or(class);
            assert!(
                !simple.starts_with("Good"),
                "{} reported in {class}.{method}: {}",
                f.rule,
                f.message
            );
        }
    }
}

fn evidence_for<'r>(r: &'r Report, control: Control, rule: &str) -> Vec<&'r str> {
    r.controls
        .iter()
        .filter(|c| c.id == control)
        .flat_map(|c| c.evidence.iter())
        .filter(|e| e.rule == rule)
        .map(|e| e.message.as_str())
        .collect()
}

#[test]
fn network_rules_on_code_network() {
    let r = scan("code-network.apk");
    nothing_in_good_classes(&r);

    let f = found(&r, "NET-005", "BadTrustManager", "checkServerTrusted");
    assert_eq!(f.severity, Severity::High, "{}", f.message);
    assert!(f.message.contains("is instantiated"), "{}", f.message);
    assert_eq!(f.library, None);
    assert_eq!(of(&r, "NET-005").len(), 1);

    assert_eq!(
        found(&r, "NET-006", "BadHostnameVerifier", "verify").severity,
        Severity::High
    );
    let installed = found(&r, "NET-006", "BadNet", "allowAllHosts");
    assert!(
        installed.message.contains("setDefaultHostnameVerifier"),
        "{}",
        installed.message
    );
    found(&r, "NET-006", "BadNet", "apacheAllowAll");
    assert_eq!(of(&r, "NET-006").len(), 3);

    let f = found(&r, "NET-007", "BadWebViewClient", "onReceivedSslError");
    assert_eq!(f.severity, Severity::High);
    assert_eq!(of(&r, "NET-007").len(), 1);

    // Nothing in this app verifies host names.
    found(&r, "NET-008", "BadNet", "rawSocket");

    let f = found(&r, "NET-009", "BadNet", "trustAll");
    assert!(f.message.contains("\"TLSv1\""), "{}", f.message);
    assert_eq!(f.severity, Severity::High);
    let f = found(&r, "NET-009", "BadNet", "oldProtocols");
    assert!(f.message.contains("TLSv1.1") && !f.message.contains("TLSv1.2"));
    found(&r, "NET-009", "BadNet", "okhttpTls10");
    assert_eq!(of(&r, "NET-009").len(), 3);

    // Cleartext permitted for legacy.mastiff.test and fetched: high; blocked host: low;
    // the query string (a token) never shown.
    let f = found(&r, "NET-010", "BadNet", "fetch");
    assert_eq!(f.severity, Severity::High, "{}", f.message);
    assert!(
        f.message.contains("legacy.mastiff.test") && f.message.contains("new URL"),
        "{}",
        f.message
    );
    assert!(!f.message.contains("s3cr3tvalue"), "{}", f.message);
    assert_eq!(
        found(&r, "NET-010", "BadNet", "blockedUrl").severity,
        Severity::Low
    );
    let res: Vec<&Finding> = of(&r, "NET-010")
        .into_iter()
        .filter(|f| code_site(f).is_none())
        .collect();
    assert_eq!(res.len(), 1, "{res:#?}");
    assert!(res[0].message.contains("resources.arsc"));
    assert!(res[0].message.contains("http://legacy.mastiff.test/help"));
    assert!(!res[0].message.contains("api.mastiff.test/docs"));
    assert_eq!(res[0].severity, Severity::Medium);
    // Namespaces and license URLs in GoodNet.identifiers are not reported.
    assert!(!r
        .findings
        .iter()
        .any(|f| f.message.contains("schemas.android.com") || f.message.contains("apache.org")));

    // Pinning in code: evidence naming the host, and NET-003 stays silent.
    let pins = evidence_for(&r, Control::Network2, "NET-011");
    assert_eq!(pins.len(), 1, "{pins:?}");
    assert!(
        pins[0].contains("api.mastiff.test") && pins[0].contains("GoodNet.pinner"),
        "{}",
        pins[0]
    );
    assert!(of(&r, "NET-003").is_empty());

    // PLT-005: a bridge in an app that never enables JavaScript is not reported.
    assert!(of(&r, "PLT-005").is_empty());
    // PLT-010: FLAG_SECURE on the login screen is evidence, no finding.
    assert!(of(&r, "PLT-010").is_empty());
    let secure = evidence_for(&r, Control::Platform3, "PLT-010");
    assert!(
        secure
            .iter()
            .any(|e| e.contains("GoodLoginActivity.onCreate")),
        "{secure:?}"
    );
}

#[test]
fn platform_rules_on_code_webview() {
    let r = scan("code-webview.apk");
    nothing_in_good_classes(&r);

    // minSdk 16: the bridge is reachable through reflection on old devices.
    let f = found(&r, "PLT-005", "BadWebActivity", "onCreate");
    assert_eq!(f.severity, Severity::High);
    assert!(
        f.message.contains("BadBridge") && f.message.contains("\"Android\""),
        "{}",
        f.message
    );
    // Plugins on, minSdk 16 < 18: low; GoodWebActivity.plugins (OFF) is not reported.
    let f = found(&r, "PLT-005", "BadWebActivity", "plugins");
    assert_eq!(f.severity, Severity::Low);
    assert!(
        f.message.contains("setPluginState(PluginState.ON)"),
        "{}",
        f.message
    );
    assert_eq!(of(&r, "PLT-005").len(), 2);

    let f = found(&r, "PLT-006", "BadWebActivity", "onCreate");
    assert_eq!(f.severity, Severity::High);
    assert!(f
        .message
        .contains("setAllowUniversalAccessFromFileURLs(true)"));
    assert!(f.message.contains("setAllowFileAccessFromFileURLs(true)"));
    assert_eq!(of(&r, "PLT-006").len(), 1);

    found(&r, "PLT-007", "BadWebActivity", "onCreate");
    assert_eq!(of(&r, "PLT-007").len(), 1);

    // Direct Intent extra to loadUrl in an exported activity.
    let f = found(&r, "PLT-008", "BadWebActivity", "onCreate");
    assert_eq!(f.severity, Severity::High);
    assert!(f.message.contains("getStringExtra"), "{}", f.message);
    assert_eq!(of(&r, "PLT-008").len(), 1);

    let f = found(&r, "PLT-009", "BadPending", "implicitMutable");
    assert_eq!(f.severity, Severity::High);
    assert!(f.message.contains("implicit"), "{}", f.message);
    assert_eq!(of(&r, "PLT-009").len(), 1);

    let f = of(&r, "PLT-010");
    assert_eq!(f.len(), 1);
    assert!(f[0].message.contains("BadLoginActivity"));
    assert!(!f[0].message.contains("GoodWebActivity"));
    assert!(evidence_for(&r, Control::Platform3, "PLT-010").is_empty());

    let f = found(&r, "PLT-011", "BadIpc", "leak");
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(of(&r, "PLT-011").len(), 1);
    let f = found(&r, "PLT-012", "BadIpc", "redirect");
    assert!(f.message.contains("getParcelableExtra"), "{}", f.message);
    assert_eq!(f.severity, Severity::Medium, "BadIpc is not a component");
    assert_eq!(of(&r, "PLT-012").len(), 1);
    let f = found(&r, "PLT-013", "BadIpc", "listen");
    assert!(
        f.message.contains("dev.mastiff.fixture.codeweb.PING"),
        "{}",
        f.message
    );
    assert_eq!(of(&r, "PLT-013").len(), 1);

    // GoodSocket verifies its host name: the app-wide check is satisfied.
    assert!(of(&r, "NET-008").is_empty());
    // No pinning anywhere in this app.
    let f = of(&r, "NET-003");
    assert_eq!(f.len(), 1);
    assert!(
        f[0].message.contains("no OkHttp CertificatePinner"),
        "{}",
        f[0].message
    );
}
