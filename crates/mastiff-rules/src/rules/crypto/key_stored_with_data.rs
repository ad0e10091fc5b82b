use mastiff_code::{ArgValue, CallSite, CodeIndex, InvokeKind};
use mastiff_core::Severity;

use super::{producer_of_arg, short_call, CodeFindings};
use crate::rule::{Rule, Sink};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Secret key material written to app storage in the same method that extracts it: the result
    /// of `getEncoded()` on a secret or private key (directly, or through Base64/hex
    /// encoding) passed to `SharedPreferences.Editor.putString`, an `OutputStream` /
    /// `FileOutputStream.write`, `Files.write`, or a key object passed to
    /// `ObjectOutputStream.writeObject`. Public keys (`getPublic().getEncoded()`) are not
    /// reported.
    ///
    /// ## Why it matters
    /// A key stored in the app's files or preferences sits next to the data it protects: anyone
    /// who can read the data (backup, rooted device, another bug) reads the key too, and the
    /// encryption adds nothing. The seed requirement: "Creating a great key but storing it
    /// directly with the data is just head-scratching".
    ///
    /// ## How to fix
    /// Keep keys in the Android Keystore (generate them there; they are never exported), or wrap
    /// a data key with a Keystore key and store only the wrapped form. Jetpack Security's
    /// `EncryptedSharedPreferences` / `EncryptedFile` do this.
    ///
    /// ## False positives
    /// Only flows inside one method are seen; a key written to storage after encryption with a
    /// Keystore key (wrapping) in the same method is reported if the raw `getEncoded()` result
    /// reaches the write.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0015 (Testing the Purposes of Keys); MASWE-0014 (Cryptographic Keys Not
    ///   Properly Protected at Rest)
    /// - CWE-312: Cleartext Storage of Sensitive Information; CWE-320: Key Management Errors
    pub KeyStoredWithData {
        id: "CRY-009",
        name: "key-stored-with-data",
        title: "Encryption key written to app storage",
        severity: High,
        masvs: [Crypto2],
        mastg: ["MASTG-TEST-0015"],
        cwe: [312, 320],
        inputs: [Code],
    }
}

/// `(class, name, index of the written value)` of storage writes.
const SINKS: &[(&str, &str, usize)] = &[
    ("Landroid/content/SharedPreferences$Editor;", "putString", 2),
    ("Ljava/io/FileOutputStream;", "write", 1),
    ("Ljava/io/OutputStream;", "write", 1),
    ("Ljava/io/BufferedOutputStream;", "write", 1),
    ("Ljava/io/DataOutputStream;", "write", 1),
    ("Ljava/io/FileWriter;", "write", 1),
    ("Ljava/io/Writer;", "write", 1),
    ("Ljava/nio/file/Files;", "write", 1),
    ("Ljava/io/ObjectOutputStream;", "writeObject", 1),
];

/// Calls that turn bytes into another form of the same bytes.
fn is_encoding(site: &CallSite) -> bool {
    let c = site.callee.class;
    let n = site.callee.name;
    matches!(
        c,
        "Landroid/util/Base64;"
            | "Ljava/util/Base64$Encoder;"
            | "Lorg/apache/commons/codec/binary/Base64;"
            | "Lorg/apache/commons/codec/binary/Hex;"
    ) || (site.kind == InvokeKind::Static
        && site.callee.params().count() == 1
        && site.callee.params().next() == Some("[B")
        && matches!(
            site.callee.return_type(),
            "Ljava/lang/String;" | "[B" | "[C"
        )
        && (n.to_ascii_lowercase().contains("hex")
            || n.to_ascii_lowercase().contains("base64")
            || n.to_ascii_lowercase().contains("encode")))
}

/// How argument `idx` of `site` is a secret key or its encoding, as a short chain
/// (`SecretKey.getEncoded → Base64.encodeToString`).
fn key_material(code: &CodeIndex, site: &CallSite, idx: usize, depth: u32) -> Option<String> {
    if depth > 3 {
        return None;
    }
    let p = producer_of_arg(code, site, idx)?;
    let m = &p.callee;
    let name = m.name;
    if name == "getEncoded" {
        // A public key is fine to store.
        if m.class.contains("Public") {
            return None;
        }
        if let Some(r) = producer_of_arg(code, &p, 0) {
            if r.callee.name == "getPublic" || r.callee.return_type().contains("Public") {
                return None;
            }
        }
        return Some(short_call(m));
    }
    if matches!(name, "generateKey" | "getPrivate") && m.return_type() != "[B" {
        return Some(short_call(m));
    }
    if is_encoding(&p) {
        let args = code.args(p);
        let input = args
            .iter()
            .position(|a| matches!(a, ArgValue::ReturnOf(_)))?;
        let inner = key_material(code, &p, input, depth + 1)?;
        return Some(format!("{inner} → {}", short_call(m)));
    }
    None
}

impl Rule for KeyStoredWithData {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut found = CodeFindings::new(code);
        for &(class, name, idx) in SINKS {
            for site in code.calls_to(class, name) {
                let Some(chain) = key_material(code, &site, idx, 0) else {
                    continue;
                };
                let what = short_call(&site.callee);
                let pref = match (name, code.arg(site, 1).and_then(|a| a.as_str())) {
                    ("putString", Some(k)) => format!(" under \"{k}\""),
                    _ => String::new(),
                };
                found.add(
                    Severity::High,
                    site.caller,
                    site.offset,
                    &format!("{what}({chain}){pref}"),
                    "the key is stored next to the data it protects",
                );
            }
        }
        found.emit(out);
    }
}
