use std::collections::HashSet;

use mastiff_code::{java_type_name, ArgValue, CodeIndex, MethodId};
use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::network::trust_all::instantiated;
use crate::rules::network::{code_off, method_label, CodeHits};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Hostname verification switched off:
    /// - classes implementing `javax.net.ssl.HostnameVerifier` whose `verify` always returns
    ///   `true` (directly, or through the one method a lambda class delegates to);
    /// - the stock accept-all verifiers: `SSLSocketFactory.ALLOW_ALL_HOSTNAME_VERIFIER`,
    ///   `AllowAllHostnameVerifier` and `NoopHostnameVerifier` (Apache HttpClient), read or
    ///   created.
    ///
    /// Sites that install such a verifier with `setHostnameVerifier` /
    /// `setDefaultHostnameVerifier` (the argument is visibly one of them) are named. A verifier
    /// class never instantiated is reported at medium severity.
    ///
    /// ## Why it matters
    /// TLS proves the server holds a key certified for *some* host name; hostname verification
    /// checks it is the one the app meant to reach. Without it, any valid certificate for any
    /// domain (which an attacker can get for free) is accepted for the app's API host.
    ///
    /// ## How to fix
    /// Remove the custom verifier and keep the default
    /// (`HttpsURLConnection.getDefaultHostnameVerifier()`, OkHttp's `OkHostnameVerifier`). If a
    /// host needs a different certificate, fix the certificate or use the network security
    /// config, not the verifier.
    ///
    /// ## False positives
    /// Verifiers used only against `localhost` in tests still ship in the APK and are reported.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0283: Incorrect Implementation of Server Hostname Verification
    /// - CWE-297: Improper Validation of Certificate with Host Mismatch
    pub AllowAllHostnameVerifier {
        id: "NET-006",
        name: "allow-all-hostname-verifier",
        title: "Hostname verification disabled",
        severity: High,
        masvs: [Network1],
        mastg: ["MASTG-TEST-0283"],
        cwe: [297],
        inputs: [Code],
    }
}

const VERIFY: &str = "(Ljava/lang/String;Ljavax/net/ssl/SSLSession;)Z";

/// Accept-all verifier classes shipped by Apache HttpClient (platform and 4.4+).
const STOCK_VERIFIERS: &[&str] = &[
    "Lorg/apache/http/conn/ssl/AllowAllHostnameVerifier;",
    "Lorg/apache/http/conn/ssl/NoopHostnameVerifier;",
];

/// Whether `verify` returns true on every path, also through one delegated call (the shape
/// of a desugared lambda `{ _, _ -> true }`).
fn always_true(code: &CodeIndex, method: MethodId) -> bool {
    let Some(m) = code.method(method) else {
        return false;
    };
    let returns = code.returns_const(method);
    if returns == Some(1) {
        return true;
    }
    let calls = code.calls_in(method);
    if m.summary.throws || returns.is_some() || calls.len() != 1 {
        return false;
    }
    calls.first().is_some_and(|c| {
        c.callee.return_type() == "Z"
            && code
                .methods_named(c.callee.class, c.callee.name)
                .filter(|&id| {
                    code.method(id)
                        .is_some_and(|t| t.descriptor == c.callee.descriptor)
                })
                .any(|id| code.returns_const(id) == Some(1))
    })
}

impl Rule for AllowAllHostnameVerifier {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut hits = CodeHits::default();
        let mut accept_all: Vec<String> = STOCK_VERIFIERS.iter().map(|s| s.to_string()).collect();
        for class in code.implementors_of("Ljavax/net/ssl/HostnameVerifier;") {
            let Some(m) = code.overrides(class.descriptor, "verify", VERIFY) else {
                continue;
            };
            if !always_true(code, m) {
                continue;
            }
            accept_all.push(class.descriptor.to_string());
            let (severity, usage) = if instantiated(code, class.descriptor) {
                (Severity::High, "")
            } else {
                (
                    Severity::Medium,
                    " (never instantiated in the indexed code)",
                )
            };
            hits.add(
                code,
                m,
                code_off(code, m),
                "verifier",
                severity,
                format!(
                    "{} accepts every host name: {} always returns true{usage}",
                    java_type_name(class.descriptor),
                    method_label(code, m)
                ),
            );
        }
        let mut installers = HashSet::new();
        for name in ["setHostnameVerifier", "setDefaultHostnameVerifier"] {
            for s in code.calls_to_method_named(name) {
                let installed = code.args(s).iter().find_map(|a| match a {
                    ArgValue::NewInstance(c) if accept_all.iter().any(|x| **x == **c) => {
                        Some(java_type_name(c))
                    }
                    ArgValue::StaticField { field, .. }
                        if &*field.name == "ALLOW_ALL_HOSTNAME_VERIFIER"
                            || (&*field.name == "INSTANCE"
                                && accept_all.iter().any(|x| **x == *field.class)) =>
                    {
                        Some(format!("{}.{}", java_type_name(&field.class), field.name))
                    }
                    _ => None,
                });
                if let Some(v) = installed {
                    installers.insert(s.caller);
                    hits.add(
                        code,
                        s.caller,
                        s.offset,
                        "install",
                        Severity::High,
                        format!(
                            "{}.{name}({v}) in {} installs a verifier that accepts every host name",
                            java_type_name(s.callee.class),
                            method_label(code, s.caller)
                        ),
                    );
                }
            }
        }
        // Reads and creations of the stock verifiers, unless the method installs them (above).
        for a in code
            .field_accesses(
                "Lorg/apache/http/conn/ssl/SSLSocketFactory;",
                "ALLOW_ALL_HOSTNAME_VERIFIER",
            )
            .filter(|a| !installers.contains(&a.method))
        {
            hits.add(
                code,
                a.method,
                a.offset,
                "ALLOW_ALL_HOSTNAME_VERIFIER",
                Severity::High,
                format!(
                    "SSLSocketFactory.ALLOW_ALL_HOSTNAME_VERIFIER read in {}",
                    method_label(code, a.method)
                ),
            );
        }
        for stock in STOCK_VERIFIERS {
            for a in code
                .field_accesses(stock, "INSTANCE")
                .filter(|a| !installers.contains(&a.method))
            {
                hits.add(
                    code,
                    a.method,
                    a.offset,
                    stock,
                    Severity::High,
                    format!(
                        "{}.INSTANCE used in {}",
                        java_type_name(stock),
                        method_label(code, a.method)
                    ),
                );
            }
            for s in code
                .calls_to(stock, "<init>")
                .filter(|s| code.method(s.caller).is_some_and(|m| m.class != *stock))
                .filter(|s| !installers.contains(&s.caller))
            {
                hits.add(
                    code,
                    s.caller,
                    s.offset,
                    stock,
                    Severity::High,
                    format!(
                        "new {}() in {}",
                        java_type_name(stock),
                        method_label(code, s.caller)
                    ),
                );
            }
        }
        hits.emit(code, out);
    }
}
