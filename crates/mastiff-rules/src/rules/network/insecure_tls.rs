use std::collections::HashMap;

use mastiff_code::MethodId;
use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::network::{class_of, method_label, CodeHits};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Code that explicitly asks for SSL 3.0, TLS 1.0 or TLS 1.1:
    /// - `SSLContext.getInstance("SSLv3" | "SSLv2" | "TLSv1" | "TLSv1.1")` (high: on Android
    ///   such a context offers only that protocol);
    /// - `setEnabledProtocols(...)` on a socket, engine or `SSLParameters` in a method that
    ///   also holds one of those protocol names as a constant (medium: the array enables them);
    /// - OkHttp `TlsVersion.TLS_1_0` / `TLS_1_1` / `SSL_3_0` used outside OkHttp itself, and
    ///   `ConnectionSpec.COMPATIBLE_TLS` (which allows TLS 1.0 and 1.1) (medium / low).
    ///
    /// `SSLContext.getInstance("TLS")` and `"SSL"` are not reported: on Android they give the
    /// platform's default protocol set.
    ///
    /// ## Why it matters
    /// SSL 3.0, TLS 1.0 and 1.1 have known attacks (POODLE, BEAST, weak MAC and hash
    /// constructions) and are deprecated (RFC 8996). Enabling them lets an attacker on the path
    /// force a downgrade when the server still accepts them.
    ///
    /// ## How to fix
    /// Use `SSLContext.getInstance("TLS")` and leave the enabled protocols at the platform
    /// default (TLS 1.2 and 1.3), or list only `"TLSv1.2"`, `"TLSv1.3"`. With OkHttp use
    /// `ConnectionSpec.MODERN_TLS` / `RESTRICTED_TLS`.
    ///
    /// ## False positives
    /// A method that holds a protocol name to *remove* it from the enabled list is reported;
    /// the name and `setEnabledProtocols` are only seen together, not how the array is built.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0217: Insecure TLS Protocols Explicitly Allowed in Code
    /// - CWE-757: Selection of Less-Secure Algorithm During Negotiation
    /// - RFC 8996: Deprecating TLS 1.0 and TLS 1.1
    pub InsecureTlsProtocol {
        id: "NET-009",
        name: "insecure-tls-protocol",
        title: "Deprecated SSL/TLS protocol enabled in code",
        severity: High,
        masvs: [Network1],
        mastg: ["MASTG-TEST-0217"],
        cwe: [757, 327],
        inputs: [Code],
    }
}

/// Protocol names of SSL 2/3 and TLS 1.0/1.1 as the JSSE API spells them.
const OLD_PROTOCOLS: &[&str] = &["SSLv2", "SSLv2Hello", "SSLv3", "TLSv1", "TLSv1.1"];

/// OkHttp's own classes define and use the old versions for its compatibility specs.
fn is_okhttp(class: &str) -> bool {
    class.starts_with("Lokhttp3/") || class.starts_with("Lcom/squareup/okhttp/")
}

impl Rule for InsecureTlsProtocol {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut hits = CodeHits::default();
        for s in code.calls_to("Ljavax/net/ssl/SSLContext;", "getInstance") {
            let Some(p) = code.arg(s, 0).and_then(|a| a.as_str()) else {
                continue;
            };
            if OLD_PROTOCOLS.contains(&p) {
                hits.add(
                    code,
                    s.caller,
                    s.offset,
                    "getInstance",
                    Severity::High,
                    format!(
                        "SSLContext.getInstance(\"{p}\") in {}",
                        method_label(code, s.caller)
                    ),
                );
            }
        }
        let mut old_names: HashMap<MethodId, Vec<&str>> = HashMap::new();
        for u in code.string_uses() {
            if let Some(p) = OLD_PROTOCOLS.iter().find(|p| **p == &*u.value) {
                let v = old_names.entry(u.method).or_default();
                if !v.contains(p) {
                    v.push(p);
                }
            }
        }
        for s in code.calls_to_method_named("setEnabledProtocols") {
            let Some(names) = old_names.get(&s.caller) else {
                continue;
            };
            hits.add(
                code,
                s.caller,
                s.offset,
                "setEnabledProtocols",
                Severity::Medium,
                format!(
                    "setEnabledProtocols in {} with {} among the method's constants",
                    method_label(code, s.caller),
                    names.join(", ")
                ),
            );
        }
        for version in ["TLS_1_0", "TLS_1_1", "SSL_3_0"] {
            for class in ["Lokhttp3/TlsVersion;", "Lcom/squareup/okhttp/TlsVersion;"] {
                for a in code
                    .field_accesses(class, version)
                    .filter(|a| !is_okhttp(class_of(code, a.method)))
                {
                    hits.add(
                        code,
                        a.method,
                        a.offset,
                        version,
                        Severity::Medium,
                        format!(
                            "OkHttp TlsVersion.{version} enabled in {}",
                            method_label(code, a.method)
                        ),
                    );
                }
            }
        }
        for class in [
            "Lokhttp3/ConnectionSpec;",
            "Lcom/squareup/okhttp/ConnectionSpec;",
        ] {
            for a in code
                .field_accesses(class, "COMPATIBLE_TLS")
                .filter(|a| !is_okhttp(class_of(code, a.method)))
            {
                hits.add(
                    code,
                    a.method,
                    a.offset,
                    "COMPATIBLE_TLS",
                    Severity::Low,
                    format!(
                        "OkHttp ConnectionSpec.COMPATIBLE_TLS (allows TLS 1.0 and 1.1) in {}",
                        method_label(code, a.method)
                    ),
                );
            }
        }
        hits.emit(code, out);
    }
}
