use mastiff_code::{ArgValue, CallSite, CodeIndex};
use mastiff_core::Severity;

use super::{producer_of_arg, CodeFindings};
use crate::rule::{Rule, Sink};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Keys generated with a constant size that is too small:
    /// - RSA, DSA and Diffie-Hellman below 2048 bits: `KeyPairGenerator.initialize(n)`,
    ///   `new RSAKeyGenParameterSpec(n, e)`, `KeyGenParameterSpec.Builder.setKeySize(n)`;
    /// - elliptic curves below 224 bits (`KeyPairGenerator.getInstance("EC").initialize(192)`);
    /// - symmetric keys below 128 bits: `KeyGenerator.init(n)`, `setKeySize(n)` for an AES/HMAC
    ///   key.
    ///
    /// The algorithm is taken from the `getInstance` call on the same generator (or, for a
    /// `KeyGenParameterSpec`, the `KeyPairGenerator`/`KeyGenerator.getInstance(alg,
    /// "AndroidKeyStore")` in the same method). When it is not visible, a size of 512-2047 bits that is not an elliptic-curve size
    /// is reported as an RSA/DSA/DH size.
    ///
    /// ## Why it matters
    /// RSA-1024 and DH-1024 are within reach of well-funded attackers and below every current
    /// guideline (NIST SP 800-131A: 2048 bits minimum; the seed requirement is "keys of at least
    /// 2048 bits"); RSA-512 is factored in hours on rented machines. Short symmetric keys are
    /// brute-forced.
    ///
    /// ## How to fix
    /// RSA/DSA/DH: 2048 bits or more (3072 for data that must stay secret past 2030). Prefer EC
    /// P-256 (`KeyPairGenerator.getInstance("EC")` with `ECGenParameterSpec("secp256r1")`).
    /// AES: 256 bits.
    ///
    /// ## False positives
    /// Sizes computed at run time are not seen (no finding). Keys generated for compatibility
    /// with old peers are still weak.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0208: Insufficient Key Sizes
    /// - CWE-326: Inadequate Encryption Strength
    /// - NIST SP 800-57 Part 1 Rev. 5, table 2; NIST SP 800-131A Rev. 2
    pub WeakKeySize {
        id: "CRY-005",
        name: "weak-key-size",
        title: "Key size too small",
        severity: High,
        masvs: [Crypto1],
        mastg: ["MASTG-TEST-0208"],
        cwe: [326],
        inputs: [Code],
    }
}

const KPG: &str = "Ljava/security/KeyPairGenerator;";
const KG: &str = "Ljavax/crypto/KeyGenerator;";

/// Elliptic-curve sizes (prime and binary NIST/SEC curves, Curve25519/448).
fn is_ec_size(n: i64) -> bool {
    matches!(
        n,
        112 | 128
            | 160
            | 163
            | 192
            | 224
            | 233
            | 239
            | 255
            | 256
            | 283
            | 384
            | 409
            | 448
            | 521
            | 571
    )
}

/// Why `bits` is too small for `alg` (upper case, `None` when unknown); `None` when it is not.
fn too_small(alg: Option<&str>, bits: i64, symmetric: bool) -> Option<String> {
    if bits <= 0 {
        return None;
    }
    let alg = alg.map(|a| a.split('/').next().unwrap_or(a).to_ascii_uppercase());
    match alg.as_deref() {
        Some("RSA" | "DSA" | "DH" | "DIFFIEHELLMAN") if bits < 2048 => Some(format!(
            "{bits}-bit {} key (at least 2048 bits required)",
            alg.as_deref().unwrap_or("")
        )),
        Some("EC" | "ECDSA" | "ECDH") if bits < 224 => {
            Some(format!("{bits}-bit EC key (at least 224 bits required)"))
        }
        Some(a) if symmetric && !a.starts_with("HMAC") && bits < 128 => {
            Some(format!("{bits}-bit {a} key (at least 128 bits required)"))
        }
        Some(a) if a.starts_with("HMAC") && bits < 128 => {
            Some(format!("{bits}-bit {a} key (at least 128 bits required)"))
        }
        Some(_) => None,
        None if symmetric && bits < 128 => {
            Some(format!("{bits}-bit key (at least 128 bits required)"))
        }
        None if !symmetric && (512..2048).contains(&bits) && !is_ec_size(bits) => Some(format!(
            "{bits}-bit key: an RSA/DSA/DH size below 2048 bits"
        )),
        None => None,
    }
}

/// The algorithm given to the `getInstance` that produced the receiver of `site`.
fn receiver_algorithm(code: &CodeIndex, site: &CallSite) -> Option<String> {
    let p = producer_of_arg(code, site, 0)?;
    if p.callee.name != "getInstance" {
        return None;
    }
    code.arg(p, 0)?.as_str().map(str::to_string)
}

/// The algorithm of the Keystore generator in the method of `site` (a `KeyGenParameterSpec` only
/// serves `KeyGenerator`/`KeyPairGenerator.getInstance(alg, "AndroidKeyStore")`), with whether
/// it is symmetric; `None` when there is none or they disagree.
fn method_algorithm(code: &CodeIndex, site: &CallSite) -> Option<(String, bool)> {
    let mut found: Option<(String, bool)> = None;
    for c in code.calls_in(site.caller) {
        let sym = match c.callee.class {
            KPG => false,
            KG => true,
            _ => continue,
        };
        if c.callee.name != "getInstance"
            || code.arg(c, 1).and_then(ArgValue::as_str) != Some("AndroidKeyStore")
        {
            continue;
        }
        let alg = code.arg(c, 0).and_then(ArgValue::as_str)?;
        match &found {
            Some((a, _)) if !a.eq_ignore_ascii_case(alg) => return None,
            _ => found = Some((alg.to_string(), sym)),
        }
    }
    found
}

impl Rule for WeakKeySize {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut found = CodeFindings::new(code);
        let mut add = |site: &CallSite, what: &str, why: String| {
            found.add(Severity::High, site.caller, site.offset, what, &why);
        };
        for site in code.calls_to(KPG, "initialize") {
            let Some(bits) = code.arg(site, 1).and_then(ArgValue::as_int) else {
                continue;
            };
            let alg = receiver_algorithm(code, &site);
            if let Some(why) = too_small(alg.as_deref(), bits, false) {
                add(&site, &format!("KeyPairGenerator.initialize({bits})"), why);
            }
        }
        for site in code.calls_to(KG, "init") {
            let Some(bits) = code.arg(site, 1).and_then(ArgValue::as_int) else {
                continue;
            };
            let alg = receiver_algorithm(code, &site);
            if let Some(why) = too_small(alg.as_deref(), bits, true) {
                add(&site, &format!("KeyGenerator.init({bits})"), why);
            }
        }
        for site in code.calls_to("Ljava/security/spec/RSAKeyGenParameterSpec;", "<init>") {
            let Some(bits) = code.arg(site, 1).and_then(ArgValue::as_int) else {
                continue;
            };
            if let Some(why) = too_small(Some("RSA"), bits, false) {
                add(
                    &site,
                    &format!("new RSAKeyGenParameterSpec({bits}, …)"),
                    why,
                );
            }
        }
        for site in code.calls_to(
            "Landroid/security/keystore/KeyGenParameterSpec$Builder;",
            "setKeySize",
        ) {
            let Some(bits) = code.arg(site, 1).and_then(ArgValue::as_int) else {
                continue;
            };
            let (alg, sym) = match method_algorithm(code, &site) {
                Some((a, s)) => (Some(a), s),
                None => (None, bits < 512),
            };
            if let Some(why) = too_small(alg.as_deref(), bits, sym) {
                add(
                    &site,
                    &format!("KeyGenParameterSpec.Builder.setKeySize({bits})"),
                    why,
                );
            }
        }
        found.emit(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds() {
        assert!(too_small(Some("RSA"), 1024, false).is_some());
        assert!(too_small(Some("RSA"), 2048, false).is_none());
        assert!(too_small(Some("DiffieHellman"), 1024, false).is_some());
        assert!(too_small(Some("EC"), 256, false).is_none());
        assert!(too_small(Some("EC"), 192, false).is_some());
        assert!(too_small(Some("AES"), 64, true).is_some());
        assert!(too_small(Some("AES"), 128, true).is_none());
        assert!(too_small(None, 1024, false).is_some());
        assert!(too_small(None, 256, false).is_none(), "an EC size");
        assert!(too_small(None, 4096, false).is_none());
        assert!(too_small(Some("HmacSHA256"), 256, true).is_none());
    }
}
