use mastiff_core::{Location, Severity};

use super::{entry_location, native_strings, string_resources, text_files};
use crate::rule::{Rule, Sink};
use crate::rules::redact;
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Credentials of known services, by their documented formats, in every string of the app:
    /// dex string tables, string resources (`resources.arsc`), text assets and raw resources
    /// (up to 1 MiB each), and printable strings of native libraries.
    /// - high: AWS secret access key next to an access key id, Stripe secret/restricted keys
    ///   (`sk_live_`, `rk_live_`), Slack tokens (`xox[baprs]-`) and webhooks, GitHub tokens
    ///   (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`), PEM private keys, credentials
    ///   in a URL (`https://user:password@host`);
    /// - medium: AWS access key ids (`AKIA…`/`ASIA…`) alone, JSON Web Tokens (`eyJ….eyJ….`);
    /// - low: AWS Cognito identity pool ids (unauthenticated AWS access if the pool allows it);
    /// - info: Google API keys (`AIza…`) and Firebase database URLs, which Firebase and Maps
    ///   ship in every app by design (restrict them by package and signing certificate).
    ///
    /// Values are redacted in every output: the first four characters, the length and a hash.
    ///
    /// ## Why it matters
    /// Anything in the APK is public. A cloud or payment secret in the app gives every user
    /// (and every attacker) the app's server-side privileges: S3 buckets, charges, repositories,
    /// chat workspaces.
    ///
    /// ## How to fix
    /// Revoke the credential now. Keep service secrets on a server the app talks to with a
    /// per-user session; for AWS use Cognito with least-privilege unauthenticated roles.
    ///
    /// ## False positives
    /// Documentation examples (`AKIAIOSFODNN7EXAMPLE`) are skipped. A test token that is
    /// already revoked is still reported: the bytecode cannot tell.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0212 (hard-coded keys); MASWE-0005 (API Keys Hardcoded in the App
    ///   Package)
    /// - CWE-798: Use of Hard-coded Credentials
    pub ServiceSecret {
        id: "AUTH-001",
        name: "hardcoded-service-secret",
        title: "Hard-coded service credential (cloud, payment, API tokens, private keys)",
        severity: High,
        masvs: [Auth1, Crypto2],
        mastg: ["MASTG-TEST-0212"],
        cwe: [798],
        inputs: [Container],
    }
}

/// One credential found in a string.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SecretHit {
    pub kind: &'static str,
    pub severity: Severity,
    pub value: String,
}

fn is_b64url(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// The run of bytes at `s[from..]` satisfying `ok`, up to `max`.
fn run(s: &[u8], from: usize, max: usize, ok: impl Fn(u8) -> bool) -> usize {
    s.get(from..)
        .unwrap_or(&[])
        .iter()
        .take(max)
        .take_while(|&&c| ok(c))
        .count()
}

fn boundary_before(s: &[u8], i: usize) -> bool {
    i == 0 || s.get(i - 1).is_none_or(|c| !c.is_ascii_alphanumeric())
}

/// Every match of `prefix` followed by `min..=max` bytes satisfying `ok`, whole word.
fn prefixed(
    text: &str,
    prefix: &str,
    min: usize,
    max: usize,
    ok: impl Fn(u8) -> bool + Copy,
) -> Vec<String> {
    let s = text.as_bytes();
    let mut out = Vec::new();
    for (i, _) in text.match_indices(prefix) {
        if !boundary_before(s, i) {
            continue;
        }
        let body = i + prefix.len();
        let n = run(s, body, max + 1, ok);
        if (min..=max).contains(&n) {
            if let Some(v) = text.get(i..body + n) {
                out.push(v.to_string());
            }
        }
    }
    out
}

/// Placeholder passwords in documentation URLs.
fn is_placeholder(p: &str) -> bool {
    let l = p.to_ascii_lowercase();
    l.is_empty()
        || l.starts_with('<')
        || l.starts_with('{')
        || l.starts_with('$')
        || l.starts_with('%')
        || l.chars().all(|c| c == '*' || c == 'x')
        || matches!(
            l.as_str(),
            "password" | "pass" | "pwd" | "secret" | "passwd"
        )
}

/// Credentials in URLs: `scheme://user:password@host`.
fn url_credentials(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("://") {
        let rest = text.get(i + 3..).unwrap_or("");
        let authority = rest
            .split(['/', '?', '#', ' ', '"', '\''])
            .next()
            .unwrap_or("");
        let Some((userinfo, host)) = authority.rsplit_once('@') else {
            continue;
        };
        let Some((user, pass)) = userinfo.split_once(':') else {
            continue;
        };
        let scheme_ok = text
            .get(..i)
            .and_then(|h| h.rsplit(|c: char| !c.is_ascii_alphanumeric()).next())
            .is_some_and(|s| {
                matches!(
                    s.to_ascii_lowercase().as_str(),
                    "http"
                        | "https"
                        | "ftp"
                        | "ftps"
                        | "mongodb"
                        | "postgres"
                        | "postgresql"
                        | "mysql"
                        | "redis"
                        | "amqp"
                        | "smtp"
                )
            });
        if scheme_ok
            && !user.is_empty()
            && !is_placeholder(pass)
            && !is_placeholder(user)
            && host.contains('.')
            && !host.contains(['%', '{', '<'])
        {
            out.push(format!("{user}:{pass}@{host}"));
        }
    }
    out
}

/// AWS secret access keys: 40 characters of base64, with upper, lower case and a digit.
fn aws_secret_like(text: &str) -> Vec<String> {
    let s = text.as_bytes();
    let ok = |c: u8| c.is_ascii_alphanumeric() || c == b'/' || c == b'+';
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let n = run(s, i, 41, ok);
        if n == 40 && boundary_before(s, i) {
            if let Some(v) = text.get(i..i + 40) {
                let upper = v.bytes().any(|c| c.is_ascii_uppercase());
                let lower = v.bytes().any(|c| c.is_ascii_lowercase());
                let digit = v.bytes().any(|c| c.is_ascii_digit());
                if upper && lower && digit && super::entropy(v) > 4.0 {
                    out.push(v.to_string());
                }
            }
        }
        i += n.max(1);
    }
    out
}

/// Every known credential in `text`.
/// Substrings at least one of which every format below contains: one scan over a string rules
/// out the ones that hold no secret before the checks run one by one.
static TRIGGERS: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> =
    std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::new([
            "AKIA",
            "ASIA",
            "_live_",
            "xox",
            "hooks.slack.com/services/",
            "ghp_",
            "gho_",
            "ghu_",
            "ghs_",
            "ghr_",
            "github_pat_",
            "PRIVATE KEY-----",
            "eyJ",
            "://",
            ":",
            "AIza",
            ".firebaseio.com",
            ".firebasedatabase.app",
        ])
        .ok()
    });

pub(crate) fn find_secrets(text: &str) -> Vec<SecretHit> {
    let mut hits = Vec::new();
    // Every format below is at least 14 characters long.
    if text.len() < 14 {
        return hits;
    }
    if TRIGGERS.as_ref().is_some_and(|t| !t.is_match(text)) {
        return hits;
    }
    let mut push = |kind, severity, values: Vec<String>| {
        for value in values {
            hits.push(SecretHit {
                kind,
                severity,
                value,
            });
        }
    };
    let upper_digit = |c: u8| c.is_ascii_uppercase() || c.is_ascii_digit();
    let alnum = |c: u8| c.is_ascii_alphanumeric();
    let aws_ids: Vec<String> = ["AKIA", "ASIA"]
        .iter()
        .flat_map(|p| prefixed(text, p, 16, 16, upper_digit))
        .filter(|v| !v.ends_with("EXAMPLE"))
        .collect();
    if !aws_ids.is_empty() {
        let secrets = aws_secret_like(text);
        if secrets.is_empty() {
            push("AWS access key id", Severity::Medium, aws_ids);
        } else {
            push("AWS access key id", Severity::High, aws_ids);
            push("AWS secret access key", Severity::High, secrets);
        }
    }
    if text.contains("_live_") {
        push(
            "Stripe secret key",
            Severity::High,
            prefixed(text, "sk_live_", 16, 128, alnum),
        );
        push(
            "Stripe restricted key",
            Severity::High,
            prefixed(text, "rk_live_", 16, 128, alnum),
        );
    }
    if text.contains("xox") {
        for p in ["xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-"] {
            push(
                "Slack token",
                Severity::High,
                prefixed(text, p, 10, 200, |c| alnum(c) || c == b'-'),
            );
        }
    }
    if text.contains("hooks.slack.com/services/") {
        push(
            "Slack webhook",
            Severity::High,
            prefixed(text, "https://hooks.slack.com/services/", 20, 120, |c| {
                alnum(c) || c == b'/'
            }),
        );
    }
    if text.contains("gh") && (text.contains("_") || text.contains("github_pat_")) {
        for p in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] {
            push(
                "GitHub token",
                Severity::High,
                prefixed(text, p, 36, 36, alnum),
            );
        }
        push(
            "GitHub fine-grained token",
            Severity::High,
            prefixed(text, "github_pat_", 22, 255, |c| alnum(c) || c == b'_'),
        );
    }
    if text.contains("PRIVATE KEY-----") {
        for kind in ["RSA ", "EC ", "DSA ", "OPENSSH ", ""] {
            let header = format!("-----BEGIN {kind}PRIVATE KEY-----");
            if let Some(i) = text.find(&header) {
                let body = text.get(i + header.len()..).unwrap_or("");
                let b64 = body
                    .bytes()
                    .take(64)
                    .filter(|c| c.is_ascii_alphanumeric())
                    .count();
                // A real key follows; a bare header in a PEM parser is not one.
                if b64 >= 32 {
                    let v = body.trim_start().chars().take(64).collect();
                    push("PEM private key", Severity::High, vec![v]);
                }
            }
        }
    }
    if text.contains("eyJ") {
        for v in prefixed(text, "eyJ", 10, 4096, |c| is_b64url(c) || c == b'.') {
            let parts: Vec<&str> = v.split('.').collect();
            if parts.len() == 3
                && parts
                    .get(1)
                    .is_some_and(|p| p.starts_with("eyJ") && p.len() >= 10)
                && parts.get(2).is_some_and(|p| p.len() >= 16)
            {
                push("JSON Web Token", Severity::Medium, vec![v]);
            }
        }
    }
    if text.contains("://") && text.contains('@') {
        push(
            "credentials in a URL",
            Severity::High,
            url_credentials(text),
        );
    }
    if text.contains(":") && text.len() <= 64 {
        // us-east-1:7e9426f7-42af-4717-8689-00a9a4b65c1c
        if let Some((region, id)) = text.trim().split_once(':') {
            let region_ok = region.split('-').count() == 3
                && region
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-');
            let uuid_ok = id.len() == 36
                && id.bytes().all(|c| c.is_ascii_hexdigit() || c == b'-')
                && id.matches('-').count() == 4;
            if region_ok && uuid_ok {
                push(
                    "AWS Cognito identity pool id",
                    Severity::Low,
                    vec![text.trim().to_string()],
                );
            }
        }
    }
    if text.contains("AIza") {
        push(
            "Google API key",
            Severity::Info,
            prefixed(text, "AIza", 35, 35, is_b64url),
        );
    }
    if text.contains(".firebaseio.com") || text.contains(".firebasedatabase.app") {
        for (i, _) in text.match_indices("https://") {
            let host: String = text
                .get(i + 8..)
                .unwrap_or("")
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.')
                .collect();
            if host.ends_with(".firebaseio.com") || host.ends_with(".firebasedatabase.app") {
                hits.push(SecretHit {
                    kind: "Firebase database URL",
                    severity: Severity::Info,
                    value: format!("https://{host}"),
                });
            }
        }
    }
    hits
}

impl Rule for ServiceSecret {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let mut seen = std::collections::HashSet::new();
        let mut report = |out: &mut Sink,
                          hit: SecretHit,
                          place: String,
                          loc: Location,
                          library: Option<&str>| {
            if !seen.insert((hit.kind, hit.value.clone())) || seen.len() > 200 {
                return;
            }
            let shown = if hit.kind == "Firebase database URL" {
                hit.value.clone() // a host name, not a secret
            } else {
                redact(&hit.value)
            };
            let note = match hit.severity {
                Severity::Info => {
                    "; an identifier shipped by design: restrict it by package and certificate"
                }
                _ => "",
            };
            out.report_code(
                hit.severity,
                format!("{} {shown} in {place}{note}", hit.kind),
                vec![loc],
                library,
            );
        };
        if let Some(code) = app.code {
            for s in code.strings() {
                for hit in find_secrets(s) {
                    // Where the string is used, for the location and the library label.
                    let user = code.string_uses().find(|u| *u.value == *s);
                    let (place, loc, lib) = match user {
                        Some(u) => {
                            let class = code.method(u.method).map_or("", |m| m.class);
                            (
                                format!(
                                    "the code of {}",
                                    crate::rules::crypto::method_name(code, u.method)
                                ),
                                code.location(u.method, u.offset),
                                code.library_of(class),
                            )
                        }
                        None => (
                            "a dex string table".to_string(),
                            entry_location(
                                code.dex_files()
                                    .first()
                                    .map_or("classes.dex", |d| d.name.as_str()),
                                None,
                            ),
                            None,
                        ),
                    };
                    report(out, hit, place, loc, lib);
                }
            }
        }
        for r in string_resources(app) {
            for hit in find_secrets(&r.value) {
                let place = match &r.name {
                    Some(n) => format!("resource {n}"),
                    None => "resources.arsc".to_string(),
                };
                let loc = match &r.name {
                    Some(n) => Location::Xml {
                        entry: "resources.arsc".into(),
                        element: n.clone(),
                        attribute: None,
                    },
                    None => entry_location("resources.arsc", None),
                };
                report(out, hit, place, loc, None);
            }
        }
        for (name, text) in text_files(app) {
            for hit in find_secrets(&text) {
                report(out, hit, name.to_string(), entry_location(name, None), None);
            }
        }
        for (lib, runs) in native_strings(app) {
            for (off, s) in runs {
                for hit in find_secrets(&s) {
                    report(
                        out,
                        hit,
                        format!("native library {lib}"),
                        entry_location(lib, Some(off)),
                        None,
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<(&'static str, Severity)> {
        find_secrets(s)
            .into_iter()
            .map(|h| (h.kind, h.severity))
            .collect()
    }

    #[test]
    fn provider_patterns() {
        assert_eq!(
            kinds("AKIAIOSFODNN7EXAMPLE"),
            vec![],
            "the documentation example"
        );
        assert_eq!(
            kinds("id=AKIAQWERTYUIOPASDFGH"),
            vec![("AWS access key id", Severity::Medium)]
        );
        let both = "AKIAQWERTYUIOPASDFGH wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        assert_eq!(kinds(both).len(), 2);
        assert!(kinds(both).iter().all(|k| k.1 == Severity::High));
        assert_eq!(
            kinds("sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
            vec![("Stripe secret key", Severity::High)]
        );
        assert_eq!(
            kinds("pk_live_4eC39HqLyjWDarjtT1zdp7dc"),
            vec![],
            "publishable keys are public"
        );
        assert_eq!(
            kinds("xoxb-123456789012-abcdefABCDEF"),
            vec![("Slack token", Severity::High)]
        );
        assert_eq!(
            kinds("ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
            vec![("GitHub token", Severity::High)]
        );
        assert_eq!(kinds("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun"), vec![("PEM private key", Severity::High)]);
        assert_eq!(
            kinds("-----BEGIN PRIVATE KEY-----"),
            vec![],
            "a parser's header constant"
        );
        assert_eq!(
            kinds("AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe"),
            vec![("Google API key", Severity::Info)]
        );
        assert_eq!(
            kinds("https://my-app-1234.firebaseio.com"),
            vec![("Firebase database URL", Severity::Info)]
        );
        assert_eq!(kinds("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"), vec![("JSON Web Token", Severity::Medium)]);
        assert_eq!(
            kinds("https://adm1n:passw0rd@dev.victim.com"),
            vec![("credentials in a URL", Severity::High)]
        );
        assert_eq!(
            kinds("https://user:password@example.com"),
            vec![],
            "a placeholder"
        );
        assert_eq!(kinds("http://schemas.android.com/apk/res/android"), vec![]);
        assert_eq!(
            kinds("us-east-1:7e9426f7-42af-4717-8689-00a9a4b65c1c"),
            vec![("AWS Cognito identity pool id", Severity::Low)]
        );
        assert_eq!(kinds("com.example:id/x"), vec![]);
    }
}
