//! The CRY and AUTH bytecode rules end to end on the fixture apps `code-crypto` and `code-auth`
//! (`fixtures/apps/`): each rule finds its positive case in a `Bad*` class and nothing in the
//! matching `Good*` class, and records its positive evidence from the `Good*` class.

use std::path::Path;

use mastiff_core::{Finding, Location, Report, Severity};
use mastiff_rules::{scan_bytes, ScanOptions};

fn scan(name: &str) -> Report {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/apps")
        .join(name);
    let data = std::fs::read(&path).expect("fixture APK");
    scan_bytes(
        &format!("fixtures/apps/{name}"),
        &data,
        &ScanOptions::default(),
    )
}

/// `(class, method)` of a finding's first location when it is in code.
fn code_location(f: &Finding) -> Option<(&str, &str)> {
    match f.locations.first()? {
        Location::Dex { class, method, .. } => Some((class.as_str(), method.as_str())),
        _ => None,
    }
}

fn findings<'a>(r: &'a Report, rule: &str) -> Vec<&'a Finding> {
    r.findings.iter().filter(|f| f.rule == rule).collect()
}

/// The rule reports `method` of `bad` at `severity`, and nothing in `good`.
fn assert_bad_not_good(
    r: &Report,
    rule: &str,
    bad: &str,
    method: &str,
    severity: Severity,
    good: &str,
) {
    let all = findings(r, rule);
    assert!(
        all.iter().any(|f| code_location(f)
            .is_some_and(|(c, m)| c == bad && m.starts_with(&format!("{method}(")))
            && f.severity == severity
            && f.library.is_none()),
        "{rule}: no {severity:?} finding in {bad}.{method}: {all:#?}"
    );
    assert!(
        !all.iter()
            .any(|f| code_location(f).is_some_and(|(c, _)| c == good)),
        "{rule}: a finding in {good}: {all:#?}"
    );
}

fn evidence<'a>(r: &'a Report, rule: &str) -> Vec<&'a str> {
    r.controls
        .iter()
        .flat_map(|c| c.evidence.iter())
        .filter(|e| e.rule == rule)
        .map(|e| e.message.as_str())
        .collect()
}

const BAD_CRYPTO: &str = "dev.mastiff.fixture.code_crypto.BadCrypto";
const GOOD_CRYPTO: &str = "dev.mastiff.fixture.code_crypto.GoodCrypto";
const BAD_AUTH: &str = "dev.mastiff.fixture.code_auth.BadAuth";
const GOOD_AUTH: &str = "dev.mastiff.fixture.code_auth.GoodAuth";

#[test]
fn crypto_rules_find_the_bad_cases_and_not_the_good_ones() {
    let r = scan("code-crypto.apk");
    let high = Severity::High;
    assert_bad_not_good(&r, "CRY-001", BAD_CRYPTO, "weakCipher", high, GOOD_CRYPTO);
    assert_bad_not_good(&r, "CRY-002", BAD_CRYPTO, "ecbCipher", high, GOOD_CRYPTO);
    assert_bad_not_good(&r, "CRY-003", BAD_CRYPTO, "zeroIv", high, GOOD_CRYPTO);
    assert_bad_not_good(&r, "CRY-004", BAD_CRYPTO, "hardcodedKey", high, GOOD_CRYPTO);
    assert_bad_not_good(&r, "CRY-005", BAD_CRYPTO, "weakRsa", high, GOOD_CRYPTO);
    assert_bad_not_good(
        &r,
        "CRY-006",
        BAD_CRYPTO,
        "md5",
        Severity::Medium,
        GOOD_CRYPTO,
    );
    // Wrappers taking the algorithm as a parameter: reported where the caller chooses it.
    assert_bad_not_good(
        &r,
        "CRY-006",
        BAD_CRYPTO,
        "passwordHash",
        Severity::Medium,
        GOOD_CRYPTO,
    );
    assert_bad_not_good(&r, "CRY-001", BAD_CRYPTO, "legacyCipher", high, GOOD_CRYPTO);
    assert_bad_not_good(
        &r,
        "CRY-002",
        BAD_CRYPTO,
        "ecbViaWrapper",
        high,
        GOOD_CRYPTO,
    );
    assert!(findings(&r, "CRY-006").iter().any(|f| f
        .message
        .contains("BadCrypto.digestWith(\"MD5\", ..) → MessageDigest.getInstance")));
    assert_bad_not_good(&r, "CRY-007", BAD_CRYPTO, "seededRandom", high, GOOD_CRYPTO);
    assert_bad_not_good(
        &r,
        "CRY-007",
        BAD_CRYPTO,
        "generateToken",
        Severity::Medium,
        GOOD_CRYPTO,
    );
    assert_bad_not_good(&r, "CRY-009", BAD_CRYPTO, "storeKey", high, GOOD_CRYPTO);

    // Messages say what was seen, and never the key.
    let key = &findings(&r, "CRY-004")[0].message;
    assert!(
        key.contains("SecretKeySpec") && key.contains("16 bytes"),
        "{key}"
    );
    assert!(!key.contains("Xk9#mP2$vL7@qR4!"), "key not redacted: {key}");
    // A static final named as a cipher key: medium, redacted; the alias is not key material.
    let fields: Vec<&str> = findings(&r, "CRY-004")
        .iter()
        .filter(|f| f.message.starts_with("static field"))
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(fields.len(), 1, "{fields:?}");
    assert!(
        fields[0].contains("BadCrypto.XOR_KEY = Zm9v") && !fields[0].contains("Zm9vYmFy"),
        "{fields:?}"
    );
    let iv = &findings(&r, "CRY-003")[0].message;
    assert!(iv.contains("new byte[16] never written"), "{iv}");
    let stored = &findings(&r, "CRY-009")[0].message;
    assert!(
        stored.contains("getEncoded") && stored.contains("\"aes_key\""),
        "{stored}"
    );

    // CRY-008 is evidence only: the Keystore generator and the user-authentication binding.
    assert!(findings(&r, "CRY-008").is_empty());
    let ev = evidence(&r, "CRY-008");
    assert!(
        ev.iter()
            .any(|e| e.contains("KeyGenerator.getInstance(\"AES\", \"AndroidKeyStore\")")),
        "{ev:?}"
    );
    assert!(
        ev.iter()
            .any(|e| e.contains("setUserAuthenticationRequired(true)")
                && e.contains("GoodCrypto.strongKeys")),
        "{ev:?}"
    );
}

#[test]
fn auth_rules_find_the_bad_cases_and_not_the_good_ones() {
    let r = scan("code-auth.apk");
    let high = Severity::High;
    assert_bad_not_good(&r, "AUTH-001", BAD_AUTH, "chargeKey", high, GOOD_AUTH);
    assert_bad_not_good(&r, "AUTH-003", BAD_AUTH, "checkPin", high, GOOD_AUTH);
    assert_bad_not_good(&r, "AUTH-004", BAD_AUTH, "savePassword", high, GOOD_AUTH);
    assert_bad_not_good(
        &r,
        "AUTH-005",
        BAD_AUTH,
        "login",
        Severity::Medium,
        GOOD_AUTH,
    );
    assert_bad_not_good(
        &r,
        "AUTH-006",
        BAD_AUTH,
        "unlock",
        Severity::Medium,
        GOOD_AUTH,
    );

    // AUTH-001: the live secret key, redacted; the publishable key is not reported.
    let secrets = findings(&r, "AUTH-001");
    assert_eq!(secrets.len(), 1, "{secrets:#?}");
    assert!(
        secrets[0].message.starts_with("Stripe secret key sk_l…"),
        "{}",
        secrets[0].message
    );
    assert!(!secrets[0].message.contains("4eC39Hq"));

    // AUTH-002: the static field and the string resource, not the key name or the UI label.
    let creds = findings(&r, "AUTH-002");
    let msgs: Vec<&str> = creds.iter().map(|f| f.message.as_str()).collect();
    assert!(
        msgs.iter().any(|m| m.contains("BadAuth.CLIENT_SECRET")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter().any(|m| m.contains("string/backend_api_key")),
        "{msgs:?}"
    );
    assert!(
        creds
            .iter()
            .any(|f| f.message.contains("literal \"Service password: Tq7#")
                && f.message.contains("BadAuth.showServiceLogin")),
        "{msgs:?}"
    );
    assert!(
        !creds.iter().any(|f| f.message.contains("GoodAuth")),
        "{msgs:?}"
    );
    assert!(
        !msgs
            .iter()
            .any(|m| m.contains("KEY_PASSWORD") || m.contains("password_label")),
        "{msgs:?}"
    );
    // Medium: a plain-word password in a password field, one written out after "is", and a
    // user table.
    let medium: Vec<&str> = creds
        .iter()
        .filter(|f| f.severity == Severity::Medium)
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(medium.len(), 3, "{medium:?}");
    assert!(
        medium
            .iter()
            .any(|m| m.starts_with("Map.put(\"support\", h3lp")
                && m.contains("BadAuth.getUserCreds")),
        "{medium:?}"
    );
    assert!(
        medium
            .iter()
            .any(|m| m.starts_with("field adminPassword = open")
                && m.contains("BadAuth.setDefaults")),
        "{medium:?}"
    );
    assert!(
        medium
            .iter()
            .any(|m| m.starts_with("literal \"Password: Open") && m.contains("BadAuth.showReset")),
        "{medium:?}"
    );
    assert!(
        creds
            .iter()
            .filter(|f| f.severity != Severity::Medium)
            .all(|f| f.severity == high),
        "{creds:#?}"
    );
    assert!(
        !msgs
            .iter()
            .any(|m| m.contains("Zq8kL2vB9xW4") || m.contains("b7Xq9Lm2Pz8R")),
        "{msgs:?}"
    );

    // Positive evidence from the Good class.
    let tabs = evidence(&r, "AUTH-005");
    assert!(
        tabs.iter()
            .any(|e| e.contains("CustomTabsIntent.launchUrl") && e.contains("GoodAuth.login")),
        "{tabs:?}"
    );
    let bio = evidence(&r, "AUTH-006");
    assert!(
        bio.iter()
            .any(|e| e.contains("with a CryptoObject") && e.contains("GoodAuth.unlock")),
        "{bio:?}"
    );
}

/// The rules of both groups ran (no skipped or crashed rule) on both fixtures.
#[test]
fn every_rule_of_the_groups_ran() {
    for app in ["code-crypto.apk", "code-auth.apk"] {
        let r = scan(app);
        for d in &r.diagnostics {
            let text = format!("{d:?}");
            assert!(
                !(text.contains("CRY-") || text.contains("AUTH-")),
                "{app}: {text}"
            );
        }
    }
}
