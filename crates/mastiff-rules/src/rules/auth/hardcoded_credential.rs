use mastiff_code::{ArgValue, FieldAccessKind, MethodId};
use mastiff_core::{Location, Severity};

use super::{credential_kind, entropy, string_resources, words};
use crate::rule::{Rule, Sink};
use crate::rules::code::helpers::library_of_method;
use crate::rules::crypto::CodeFindings;
use crate::rules::redact;
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// String constants that a name announces as a credential (words `password`, `passwd`,
    /// `pwd`, `passcode`, `secret`, `api key`, `token`, `pin`, `credential`):
    /// - static final fields (`API_KEY = "…"`) and field stores of a literal
    ///   (`this.password = "…"`);
    /// - a literal passed right after a literal key name (`map.put("password", "…")`,
    ///   `addHeader("X-Api-Key", "…")`, `putExtra("token", "…")`);
    /// - string resources named so (`<string name="aws_secret">`);
    /// - a user table: literal `(user, password)` pairs put into a map by an app method named
    ///   for credentials (`getUserCreds() { creds.put("shopuser", "…"); }`), medium;
    /// - a credential written out in a literal of the app's own code: `label: value`,
    ///   `label = value` or `label is value` where the label ends with such a word
    ///   (`"API Password: p@ssword"`); after `is`, only a value with a digit or a capital
    ///   inside the word counts (`"Password is empty!"` is a sentence,
    ///   `"Password is CrazyPassword"` is not).
    ///
    /// The value must look like a secret rather than a label or a key name: no spaces, at least
    /// 6 characters, not itself named like a credential (`KEY_PASSWORD = "password"` is a key
    /// name), with letters mixed with digits or symbols, or high entropy. High when it is 16
    /// characters or more with a Shannon entropy of at least 3.5 bits per character (3.0 for
    /// hexadecimal); medium otherwise. Two places relax this (medium): a literal stored into a
    /// field whose name ends with a password word (`this.password = "verycomplicatedpassword"`;
    /// not `passwordKey`), and a value written out after a credential label; there a single
    /// token without key-name separators (`_ . - / :`) counts even when it is a plain word or
    /// contains "password". Google/Firebase configuration resources are left to AUTH-001.
    ///
    /// ## Why it matters
    /// A password or API secret in the APK is readable by everyone who downloads it, and shared
    /// by every install: it cannot be revoked for one user, and usually unlocks a back-end or a
    /// third-party account.
    ///
    /// ## How to fix
    /// Authenticate users, not the app: issue per-user tokens from the back-end after login and
    /// store them in Keystore-protected storage. Keep third-party secrets on the server.
    ///
    /// ## False positives
    /// A non-secret value under a secret-sounding name (a default PIN shown to the user, a test
    /// fixture) is reported; values are redacted so the report can be shared.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0212; MASWE-0005 (API Keys Hardcoded in the App Package)
    /// - CWE-798: Use of Hard-coded Credentials; CWE-259: Use of Hard-coded Password
    pub HardcodedCredential {
        id: "AUTH-002",
        name: "hardcoded-credential",
        title: "Hard-coded password, secret or token",
        severity: High,
        masvs: [Auth1],
        mastg: ["MASTG-TEST-0212"],
        cwe: [798, 259],
        inputs: [Container],
    }
}

/// Resource names owned by SDK configuration (checked by AUTH-001 by value).
fn is_sdk_resource(name: &str) -> bool {
    let n = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    [
        "google_",
        "firebase_",
        "gcm_",
        "com_",
        "default_web_client_id",
        "fb_",
        "facebook_",
        "abc_",
        "mtrl_",
        "common_",
    ]
    .iter()
    .any(|p| n.starts_with(p))
}

/// The severity a literal deserves under a credential name, or `None` when it does not look
/// like a secret.
pub(crate) fn secret_value_severity(value: &str) -> Option<Severity> {
    let v = value.trim();
    let len = v.chars().count();
    // Natural-language text (UI prompts, translations) is not a secret: hard-coded passwords
    // and keys are single ASCII tokens, and do not end like a sentence.
    if !(6..=512).contains(&len)
        || v.contains(char::is_whitespace)
        || !v.is_ascii()
        || v.ends_with(['.', ':', '…'])
        || credential_kind(v).is_some()
        || v.contains("://")
        || v.contains("%s")
        || v.contains("%d")
        || v.contains('{')
        || v.starts_with('@')
        || v.starts_with('?')
        || v.starts_with("android.")
        || v.starts_with("com.")
    {
        return None;
    }
    let e = entropy(v);
    // Hex has 4 bits per character at most: a random 32-digit hex key scores about 3.6.
    let hex = v.chars().all(|c| c.is_ascii_hexdigit());
    if len >= 16 && (e >= 3.5 || (hex && e >= 3.0)) {
        return Some(Severity::High);
    }
    let letters = v.chars().any(|c| c.is_ascii_alphabetic());
    let others = v
        .chars()
        .any(|c| c.is_ascii_digit() || c.is_ascii_punctuation());
    // snake_case / dotted identifiers are key names, not secrets.
    let identifier = v
        .chars()
        .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.' || c == '-');
    if letters && others && !identifier || (len >= 12 && e >= 3.2 && !identifier) {
        Some(Severity::Medium)
    } else {
        None
    }
}

/// `label: value`, `label = value` and `label is value` pairs in a text whose label names a
/// credential (`API Password: p@ssword`): (label, kind, value), the value without trailing
/// punctuation.
fn spelled_out(text: &str) -> Vec<(String, &'static str, &str)> {
    let tokens: Vec<&str> = text.split_whitespace().take(200).collect();
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        // The separator: a label token ending in ':' or '=', or a bare ':', '=' or 'is'.
        let (label_end, value_at) = if matches!(*t, ":" | "=" | "is") {
            (i, i + 1)
        } else if t.len() > 1 && t.ends_with([':', '=']) {
            (i + 1, i + 1)
        } else {
            continue;
        };
        let Some(value) = tokens.get(value_at) else {
            continue;
        };
        let value = value.trim_end_matches([',', ';', '.', ')', '!', '?']);
        // "Password is empty!" is a sentence: after "is", only a value with a digit or a
        // capital inside the word ("CrazyPassword") counts.
        if *t == "is" && !value.contains(|c: char| c.is_ascii_digit()) && !camel_hump(value) {
            continue;
        }
        // The label: the one or two words before the separator ("Password", "API Key").
        let words: Vec<&str> = tokens
            .get(label_end.saturating_sub(2)..label_end)
            .unwrap_or(&[])
            .iter()
            .map(|w| w.trim_end_matches([':', '=']))
            .collect();
        // A connective, or the end of an earlier clause, is not part of the label ("Key is x
        // and PIN = y", "User is bob, Password is z").
        let words = match words.as_slice() {
            [first, rest @ ..]
                if !rest.is_empty()
                    && ([
                        "and", "or", "the", "your", "my", "a", "an", "with", "is", "of", "to",
                    ]
                    .contains(&first.to_ascii_lowercase().as_str())
                        || first.ends_with([',', ';', '.', '!', '?'])) =>
            {
                rest.to_vec()
            }
            _ => words,
        };
        let label = words.join(" ");
        let last = words.last().copied().unwrap_or("");
        // The credential word must end the label ("API Key", not "Password hint").
        let Some(kind) = credential_kind(&label).filter(|_| {
            credential_kind(last).is_some() || label.to_ascii_lowercase().ends_with("api key")
        }) else {
            continue;
        };
        out.push((label, kind, value));
    }
    out
}

/// Map classes whose `put` fills a credentials table.
const MAPS: &[&str] = &[
    "Ljava/util/Map;",
    "Ljava/util/HashMap;",
    "Ljava/util/LinkedHashMap;",
    "Ljava/util/Hashtable;",
    "Ljava/util/TreeMap;",
];

/// A password in a credentials table: 4 to 64 ASCII characters with a digit or a symbol, at
/// most one space (a password, not a sentence), not itself a credential word.
fn table_password(v: &str) -> bool {
    (4..=64).contains(&v.len())
        && v.is_ascii()
        && v.matches(' ').count() <= 1
        && !v.ends_with(['.', ':'])
        && v.chars()
            .any(|c| c.is_ascii_digit() || c.is_ascii_punctuation())
        && v.chars().any(|c| c.is_ascii_alphanumeric())
        && credential_kind(v).is_none()
}

/// Whether a lowercase letter is followed by an uppercase one (`CrazyPassword`, `myKey`).
fn camel_hump(v: &str) -> bool {
    v.as_bytes()
        .windows(2)
        .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
}

/// A single-token value that is a password rather than a word or a key name: 6 to 64 ASCII
/// letters, digits and symbols, none of the separators of key names and paths (`_ . - / :`),
/// and not a bare credential word (`"password"`).
fn password_token(v: &str) -> bool {
    (6..=64).contains(&v.len())
        && v.bytes().all(|b| b.is_ascii_graphic())
        && !v.contains(['_', '.', '-', '/', ':', '%', '{', '@'])
        && !matches!(
            v.to_ascii_lowercase().as_str(),
            "password" | "passwd" | "passcode" | "secret" | "credential" | "credentials"
        )
}

/// The severity of a value written out after a credential label ("Password is
/// CrazyPassword"): [`secret_value_severity`], or medium for a password-like token, which here
/// may contain the word "password" (the label already says what it is).
fn spelled_value_severity(v: &str) -> Option<Severity> {
    secret_value_severity(v).or_else(|| {
        (password_token(v) && (camel_hump(v) || v.contains(|c: char| c.is_ascii_digit())))
            .then_some(Severity::Medium)
    })
}

/// The severity of a literal stored into a field: [`secret_value_severity`], or medium for a
/// password-like token stored into a field whose name ends with a password word (`password`,
/// `adminPwd`, not `passwordKey` or `PREF_PASSWORD_NAME`). Such a field holds the value itself,
/// so the value may be a plain word (`"verycomplicatedpassword"`).
fn field_value_severity(field: &str, v: &str) -> Option<Severity> {
    secret_value_severity(v).or_else(|| {
        let last = words(field).pop().unwrap_or_default();
        (matches!(last.as_str(), "password" | "passwd" | "pwd" | "passcode")
            && password_token(v)
            && !v.eq_ignore_ascii_case(field))
        .then_some(Severity::Medium)
    })
}

impl Rule for HardcodedCredential {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        if let Some(code) = app.code {
            let mut found = CodeFindings::new(code);
            // Static final fields with an initial value.
            crate::rules::crypto::report_static_fields(code, out, |f| {
                let (Some(kind), ArgValue::Str(v)) = (credential_kind(f.name), &f.value) else {
                    return None;
                };
                let sev = secret_value_severity(v)?;
                Some((sev, redact(v), format!("a hard-coded {kind}")))
            });
            // Stores of a literal into a credential-named field.
            for a in code.field_accesses_where(|_, name| credential_kind(name).is_some()) {
                if !matches!(
                    a.kind,
                    FieldAccessKind::InstancePut | FieldAccessKind::StaticPut
                ) {
                    continue;
                }
                // The name first: tracking the storing method is the costly part.
                let Some(kind) = credential_kind(a.field.name) else {
                    continue;
                };
                let Some(v) = code.stored_value(a).as_str() else {
                    continue;
                };
                let Some(sev) = field_value_severity(a.field.name, v) else {
                    continue;
                };
                found.add(
                    sev,
                    a.method,
                    a.offset,
                    &format!("field {} = {}", a.field.name, redact(v)),
                    &format!("a hard-coded {kind}"),
                );
            }
            // A literal right after a literal key name in one call. The key is a const-string
            // of the calling method (or a static final read there), so only methods holding a
            // credential-named literal or reading a credential-named static are tracked.
            let mut candidates: Vec<MethodId> = code
                .string_uses()
                .filter(|u| u.value.len() <= 40 && credential_kind(u.value).is_some())
                .map(|u| u.method)
                .chain(
                    code.field_accesses_where(|_, name| credential_kind(name).is_some())
                        .filter(|a| a.kind == FieldAccessKind::StaticGet)
                        .map(|a| a.method),
                )
                .collect();
            candidates.sort_unstable_by_key(|m| m.0);
            candidates.dedup();
            for site in candidates.iter().flat_map(|&m| code.calls_in(m)) {
                let args = code.args(site);
                if args.len() < 2 {
                    continue;
                }
                for pair in args.windows(2) {
                    let (Some(k), Some(v)) = (
                        pair.first().and_then(ArgValue::as_str),
                        pair.get(1).and_then(ArgValue::as_str),
                    ) else {
                        continue;
                    };
                    let Some(kind) = credential_kind(k).filter(|_| k.len() <= 40) else {
                        continue;
                    };
                    // "Authorization: Bearer xyz" style values carry a scheme word first.
                    let value = v
                        .strip_prefix("Bearer ")
                        .or_else(|| v.strip_prefix("Basic "))
                        .unwrap_or(v);
                    let Some(sev) = secret_value_severity(value) else {
                        continue;
                    };
                    found.add(
                        sev,
                        site.caller,
                        site.offset,
                        &format!(
                            "{}(\"{k}\", {})",
                            crate::rules::crypto::short_call(&site.callee),
                            redact(v)
                        ),
                        &format!("a hard-coded {kind}"),
                    );
                }
            }
            // A user table: literal (user, password) pairs put into a map by a method named for
            // credentials (`getUserCreds() { map.put("shopuser", "..."); }`).
            for id in (0..code.method_count() as u32).map(MethodId) {
                let Some(name) = code.method_name(id) else {
                    continue;
                };
                if credential_kind(name).is_none() || !code.is_app_code(id) {
                    continue;
                }
                for site in code.calls_in(id) {
                    if site.callee.name != "put" || !MAPS.contains(&site.callee.class) {
                        continue;
                    }
                    let (Some(user), Some(v)) = (
                        code.arg(site, 1).and_then(ArgValue::as_str),
                        code.arg(site, 2).and_then(ArgValue::as_str),
                    ) else {
                        continue;
                    };
                    if !table_password(v) {
                        continue;
                    }
                    found.add(
                        Severity::Medium,
                        id,
                        site.offset,
                        &format!(
                            "{}(\"{user}\", {})",
                            crate::rules::crypto::short_call(&site.callee),
                            redact(v)
                        ),
                        "a hard-coded user and password in a credentials table",
                    );
                }
            }
            // A credential written out in a literal of the app's own code ("API Password:
            // p@ssword"), as shown on screen or in a message.
            for u in code.string_uses() {
                if u.value.len() > 512
                    || !code.is_app_code(u.method)
                    || library_of_method(code, u.method).is_some()
                {
                    continue;
                }
                for (label, kind, value) in spelled_out(u.value) {
                    let Some(sev) = spelled_value_severity(value) else {
                        continue;
                    };
                    found.add(
                        sev,
                        u.method,
                        u.offset,
                        &format!("literal \"{label}: {}\"", redact(value)),
                        &format!("a hard-coded {kind} written out in a string"),
                    );
                }
            }
            found.emit(out);
        }
        let mut n = 0;
        for r in string_resources(app) {
            let Some(name) = r.name.as_deref() else {
                continue;
            };
            if is_sdk_resource(name) {
                continue;
            }
            let (Some(kind), Some(sev)) = (
                credential_kind(name.rsplit('/').next().unwrap_or(name)),
                secret_value_severity(&r.value),
            ) else {
                continue;
            };
            n += 1;
            if n > crate::rules::crypto::MAX_FINDINGS {
                break;
            }
            out.report_code(
                sev,
                format!(
                    "string resource {name} = {} looks like a hard-coded {kind}",
                    redact(&r.value)
                ),
                vec![Location::Xml {
                    entry: "resources.arsc".into(),
                    element: name.to_string(),
                    attribute: None,
                }],
                None,
            );
        }
    }
}

#[cfg(test)]
mod spelled_out_tests {
    use super::*;

    #[test]
    fn label_value_pairs() {
        let got = |t: &str| {
            spelled_out(t)
                .into_iter()
                .map(|(l, k, v)| format!("{l}|{k}|{v}"))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            got("API Key: 123secretapikey123\nAPI User name: diva\nAPI Password: p@ssword"),
            vec![
                "API Key|API key|123secretapikey123",
                "API Password|password|p@ssword"
            ]
        );
        assert_eq!(
            got("Key is 123myKey456 and PIN = 4711."),
            vec!["PIN|PIN|4711"]
        );
        assert_eq!(
            got("admin password : hunter2!"),
            vec!["admin password|password|hunter2"]
        );
        assert_eq!(
            got("Username is CrazyUser, Password is CrazyPassword and Key is 123myKey456"),
            vec!["Password|password|CrazyPassword"]
        );
        assert!(got("Password is empty!").is_empty());
        assert!(got("Password is Incorrect.").is_empty());
        assert!(got("Password hint: blue").is_empty());
        assert!(got("Password:").is_empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        assert_eq!(secret_value_severity("password"), None);
        assert_eq!(secret_value_severity("pref_user_token"), None);
        assert_eq!(secret_value_severity("Enter your password"), None);
        assert_eq!(secret_value_severity("p@ssw0rd!"), Some(Severity::Medium));
        assert_eq!(
            secret_value_severity("8d127684cbc37c17616d806cf50473cc"),
            Some(Severity::High)
        );
        assert_eq!(secret_value_severity("abc"), None);
        assert_eq!(secret_value_severity("com.example.token"), None);
        // Translated prompts and labels are not secrets.
        assert_eq!(
            secret_value_severity("Palavra-passe"),
            Some(Severity::Medium)
        );
        assert_eq!(secret_value_severity("Passwort-ändern"), None);
        assert_eq!(secret_value_severity("パスワードを入力してください"), None);
        assert_eq!(secret_value_severity("PUK-Code:"), None);
    }

    #[test]
    fn table_passwords() {
        assert!(table_password("!ns3 csh0p"));
        assert!(table_password("s3cret"));
        assert!(!table_password("admin"));
        assert!(!table_password("Enter your password"));
        assert!(!table_password("password1"));
        assert!(!table_password("Wrong user."));
    }

    #[test]
    fn relaxed_values() {
        // Written out after a label: a camel-case or digit-bearing token, even one that
        // contains the word "password".
        assert_eq!(
            spelled_value_severity("CrazyPassword"),
            Some(Severity::Medium)
        );
        assert_eq!(spelled_value_severity("incorrect"), None);
        assert_eq!(spelled_value_severity("user_password"), None);
        // Stored into a password field: the value itself.
        assert_eq!(
            field_value_severity("password", "verycomplicatedpassword"),
            Some(Severity::Medium)
        );
        assert_eq!(
            field_value_severity("adminPwd", "letmein1"),
            Some(Severity::Medium)
        );
        assert_eq!(field_value_severity("password", "password"), None);
        assert_eq!(field_value_severity("passwordKey", "verycomplicated"), None);
        assert_eq!(field_value_severity("PREF_PASSWORD", "user_password"), None);
        assert_eq!(field_value_severity("password", "pass"), None);
    }
}
