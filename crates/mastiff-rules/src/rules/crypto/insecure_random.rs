use mastiff_code::{CallSite, CodeIndex, MethodId};
use mastiff_core::Severity;

use super::{const_origin_arg, producer_of_arg, CodeFindings};
use crate::rule::{Rule, Sink};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// - `SecureRandom` made predictable: `new SecureRandom(seed)` or `setSeed(seed)` with a
    ///   constant seed (high when the generator is `SHA1PRNG`, which on Android 6 and older
    ///   returns a fixed sequence for a fixed seed; medium otherwise);
    /// - non-cryptographic generators, `new java.util.Random(...)` and `Math.random()`, in the
    ///   app's own code: medium when the method or its class does cryptography or is named for a
    ///   secret (token, password, salt, nonce, OTP, session, key, crypt), info otherwise (shuffling
    ///   a playlist is fine). In libraries: info.
    ///
    /// ## Why it matters
    /// `java.util.Random` is a 48-bit linear congruential generator: a few outputs reveal its
    /// state and every later value. Tokens, IVs, salts, passwords or OTPs drawn from it can be
    /// predicted. A constant seed makes even SecureRandom's output reproducible on affected
    /// versions.
    ///
    /// ## How to fix
    /// Use `new SecureRandom()` without seeding it (the platform seeds it from the kernel) for
    /// everything security relevant; `java.util.UUID.randomUUID()` for identifiers.
    ///
    /// ## False positives
    /// Whether a `Random` value is security relevant is a guess from names and nearby crypto
    /// calls; unrelated uses in a class named `TokenAdapter` are reported at medium.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0204: Insecure Random API Usage; MASTG-TEST-0205: Non-random Sources
    ///   Usage
    /// - CWE-330: Use of Insufficiently Random Values; CWE-336: Same Seed in PRNG
    pub InsecureRandom {
        id: "CRY-007",
        name: "insecure-random",
        title: "Insecure or predictable random numbers",
        severity: Medium,
        masvs: [Crypto1],
        mastg: ["MASTG-TEST-0204", "MASTG-TEST-0205"],
        cwe: [330, 336],
        inputs: [Code],
    }
}

const SECURE_RANDOM: &str = "Ljava/security/SecureRandom;";

/// Words in a class or method name that suggest a secret is being made.
const SECRET_WORDS: &[&str] = &[
    "token", "password", "passwd", "secret", "salt", "nonce", "otp", "session", "crypt", "cipher",
    "key",
];

fn names_a_secret(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| match *w {
        // "key" alone is too common in UI code (keyboard, onKeyDown, monkey).
        "key" => {
            n.contains("generatekey")
                || n.contains("randomkey")
                || n.contains("keygen")
                || n.ends_with("key")
        }
        w => n.contains(w),
    })
}

/// Whether the method of a `Random` use looks security relevant.
fn security_context(code: &CodeIndex, method: MethodId) -> bool {
    let Some(m) = code.method(method) else {
        return false;
    };
    let simple_class = m.class.rsplit('/').next().unwrap_or(m.class);
    if names_a_secret(m.name) || names_a_secret(simple_class.trim_end_matches(';')) {
        return true;
    }
    code.calls_in(method).iter().any(|c| {
        c.callee.class.starts_with("Ljavax/crypto/")
            || (c.callee.class.starts_with("Ljava/security/") && c.callee.class != SECURE_RANDOM)
    })
}

/// `SHA1PRNG` named by the `getInstance` that made the receiver of a `setSeed` call.
fn is_sha1prng(code: &CodeIndex, site: &CallSite) -> bool {
    producer_of_arg(code, site, 0)
        .filter(|p| p.callee.name == "getInstance")
        .and_then(|p| code.arg(p, 0)?.as_str())
        .is_some_and(|a| a.eq_ignore_ascii_case("SHA1PRNG"))
}

fn constant_seed(code: &CodeIndex, site: &CallSite) -> Option<String> {
    let arg = code.arg(site, 1)?;
    if let Some(i) = arg.as_int() {
        return Some(format!("constant seed {i}"));
    }
    let ty = site.callee.params().next()?;
    if ty != "[B" {
        return None;
    }
    const_origin_arg(code, site, 1, ty, 0)
        .map(|o| format!("constant seed: {}", o.describe_redacted()))
}

impl Rule for InsecureRandom {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut found = CodeFindings::new(code);
        for (name, what) in [
            ("<init>", "new SecureRandom(seed)"),
            ("setSeed", "SecureRandom.setSeed"),
        ] {
            for site in code.calls_to(SECURE_RANDOM, name) {
                let Some(seed) = constant_seed(code, &site) else {
                    continue;
                };
                let (severity, note) = if is_sha1prng(code, &site) {
                    (
                        Severity::High,
                        "SHA1PRNG with a fixed seed gives a fixed sequence on Android 6 and older",
                    )
                } else {
                    (
                        Severity::Medium,
                        "a fixed seed makes the output reproducible on some providers",
                    )
                };
                found.add(
                    severity,
                    site.caller,
                    site.offset,
                    what,
                    &format!("{seed}; {note}"),
                );
            }
        }
        let weak = code
            .calls_to("Ljava/util/Random;", "<init>")
            .map(|s| (s, "new java.util.Random()"))
            .chain(
                code.calls_to("Ljava/lang/Math;", "random")
                    .map(|s| (s, "Math.random()")),
            )
            .chain(
                code.calls_to("Ljava/lang/StrictMath;", "random")
                    .map(|s| (s, "StrictMath.random()")),
            );
        for (site, what) in weak {
            let (severity, note) = if !code.is_app_code(site.caller) {
                (Severity::Info, "in a library")
            } else if security_context(code, site.caller) {
                (
                    Severity::Medium,
                    "in code that handles keys, tokens or other secrets: its output is predictable",
                )
            } else {
                (
                    Severity::Info,
                    "not a cryptographic generator; fine unless the value must be unguessable",
                )
            };
            found.add(severity, site.caller, site.offset, what, note);
        }
        found.emit(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        assert!(names_a_secret("generateToken"));
        assert!(names_a_secret("EncryptionHelper"));
        assert!(names_a_secret("makeSessionId"));
        assert!(names_a_secret("randomKey"));
        assert!(!names_a_secret("onKeyDown"));
        assert!(!names_a_secret("shufflePlaylist"));
        assert!(!names_a_secret("KeyboardView"));
    }
}
