use mastiff_core::Severity;

use super::{const_origin_arg, CodeFindings, Origin};
use crate::rule::{Rule, Sink};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// An IV or nonce that is the same on every run:
    /// - `new IvParameterSpec(iv)`, `new GCMParameterSpec(tagLen, iv)` or
    ///   `new ChaCha20ParameterSpec(nonce, counter)`
    /// - where `iv` is a constant: an array literal, `"…".getBytes()`, a static field holding
    ///   one, a field only ever assigned one constant, a constant passed by the caller, or a
    ///   `new byte[n]` that nothing wrote to before (all zeros).
    ///
    /// A fresh array first handed to another call (`SecureRandom.nextBytes(iv)`,
    /// `in.read(iv)`) is not reported: the call may have filled it.
    ///
    /// ## Why it matters
    /// With a fixed IV, CBC encryption is deterministic (equal messages and equal prefixes are
    /// visible) and GCM/CTR/ChaCha20 reuse the keystream: two messages XORed together reveal both,
    /// and GCM's authentication key can be recovered, allowing forgeries.
    ///
    /// ## How to fix
    /// Generate a new random IV for every encryption (`SecureRandom().nextBytes(iv)`, or let the
    /// Cipher generate it: `cipher.init(ENCRYPT_MODE, key)` then `cipher.getIV()`) and store it
    /// next to the ciphertext; it is not secret.
    ///
    /// ## False positives
    /// A constant IV used only to decrypt data produced elsewhere with a random IV is not
    /// possible to tell apart statically. A field is taken as constant when every store the
    /// index sees is the same constant; stores through reflection or native code are not seen.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0232: Broken Symmetric Encryption Modes; MASWE-0022: Predictable
    ///   Initialization Vectors
    /// - CWE-329: Generation of Predictable IV with CBC Mode; CWE-1204: Generation of Weak
    ///   Initialization Vector
    pub StaticIv {
        id: "CRY-003",
        name: "static-iv",
        title: "Static or zero IV / nonce",
        severity: High,
        masvs: [Crypto1],
        mastg: ["MASTG-TEST-0232"],
        cwe: [329, 1204],
        inputs: [Code],
    }
}

/// `(class, IV argument index, what)` of the parameter specs that take an IV or nonce.
const SPECS: &[(&str, usize, &str)] = &[
    (
        "Ljavax/crypto/spec/IvParameterSpec;",
        1,
        "new IvParameterSpec",
    ),
    (
        "Ljavax/crypto/spec/GCMParameterSpec;",
        2,
        "new GCMParameterSpec",
    ),
    (
        "Ljavax/crypto/spec/ChaCha20ParameterSpec;",
        1,
        "new ChaCha20ParameterSpec",
    ),
];

impl Rule for StaticIv {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut found = CodeFindings::new(code);
        for &(class, idx, what) in SPECS {
            for site in code.calls_to(class, "<init>") {
                let Some(origin) = const_origin_arg(code, &site, idx, "[B", 0) else {
                    continue;
                };
                let shown = match &origin {
                    // An IV is not secret: show it when short, so the finding is checkable.
                    Origin::Bytes { bytes, how } if bytes.len() <= 32 => {
                        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                        format!("{how} {hex}")
                    }
                    o => o.describe_redacted(),
                };
                let kind = if origin.is_trivial() {
                    "trivial"
                } else {
                    "constant"
                };
                found.add(
                    Severity::High,
                    site.caller,
                    site.offset,
                    &format!("{what}(<{kind} IV>)"),
                    &format!("the IV is {shown}"),
                );
            }
        }
        found.emit(out);
    }
}
