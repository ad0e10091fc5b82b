use mastiff_code::{java_type_name, CodeIndex, MethodId};
use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::network::{code_off, method_label, CodeHits};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Classes implementing `javax.net.ssl.X509TrustManager` (directly, through
    /// `X509ExtendedTrustManager` or by extending an implementor; abstract classes and interfaces
    /// excluded) whose own `checkServerTrusted` accepts every certificate: it never throws and
    /// calls nothing that could validate the chain (only logging, string building and Kotlin's
    /// parameter null checks).
    ///
    /// A trust manager that is never instantiated in the app's code is reported at medium
    /// severity; one that is created (and so can be installed with `SSLContext.init`) at high.
    ///
    /// ## Why it matters
    /// `checkServerTrusted` is the only thing standing between the TLS handshake and any
    /// certificate an attacker presents. One that returns without throwing makes every
    /// connection through it interceptable by anyone on the network path (public Wi-Fi, a
    /// hostile proxy), with no warning to the user.
    ///
    /// ## How to fix
    /// Delete the custom trust manager and use the platform default. To trust a private CA or
    /// pin keys, declare it in the network security config (`<trust-anchors>`, `<pin-set>`);
    /// for debug builds use `<debug-overrides>`.
    ///
    /// ## False positives
    /// Trust managers that are only installed in debug builds or test code still ship in the
    /// APK and are reported. A `checkServerTrusted` that validates by calling other code
    /// (delegating to the default trust manager, comparing pins) is not reported.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0282: Unsafe Custom Trust Evaluation
    /// - CWE-295: Improper Certificate Validation
    /// - https://developer.android.com/privacy-and-security/security-ssl#UnknownCa
    pub TrustAllTrustManager {
        id: "NET-005",
        name: "trust-all-trust-manager",
        title: "TrustManager accepts every server certificate",
        severity: High,
        masvs: [Network1],
        mastg: ["MASTG-TEST-0282"],
        cwe: [295],
        inputs: [Code],
    }
}

/// Classes a `checkServerTrusted` may call without validating anything.
const HARMLESS_CALLS: &[&str] = &[
    "Landroid/util/Log;",
    "Ljava/io/PrintStream;",
    "Ljava/lang/StringBuilder;",
    "Ljava/lang/String;",
    "Ljava/lang/Object;",
    "Ljava/lang/Throwable;",
    "Lkotlin/jvm/internal/Intrinsics;",
    "Ltimber/log/Timber;",
];

/// `access_flags` bit of abstract classes and methods.
const ACC_ABSTRACT: u32 = 0x0400;

/// Whether the method accepts whatever it is given: no `throw`, and no call that could check.
pub(crate) fn accepts_everything(code: &CodeIndex, method: MethodId) -> bool {
    let Some(m) = code.method(method) else {
        return false;
    };
    m.has_code
        && !m.summary.throws
        && (m.summary.only_returns
            || code
                .calls_in(method)
                .iter()
                .all(|c| HARMLESS_CALLS.contains(&c.callee.class)))
}

/// Whether any code creates an instance of `class`: constructor chaining inside the class
/// (`this(...)`) does not count, its static factories and initialisers do.
pub(crate) fn instantiated(code: &CodeIndex, class: &str) -> bool {
    code.calls_to(class, "<init>").any(|s| {
        code.method(s.caller)
            .is_some_and(|m| m.class != class || m.name != "<init>")
    })
}

impl Rule for TrustAllTrustManager {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut hits = CodeHits::default();
        for class in code.implementors_of("Ljavax/net/ssl/X509TrustManager;") {
            if class.access_flags & ACC_ABSTRACT != 0 {
                continue;
            }
            for m in code.methods_named(class.descriptor, "checkServerTrusted") {
                if !accepts_everything(code, m) {
                    continue;
                }
                let (severity, usage) = if instantiated(code, class.descriptor) {
                    (Severity::High, "and is instantiated")
                } else {
                    (
                        Severity::Medium,
                        "but is never instantiated in the indexed code",
                    )
                };
                hits.add(
                    code,
                    m,
                    code_off(code, m),
                    "trust-all",
                    severity,
                    format!(
                        "{} accepts every server certificate: {} neither throws nor validates, {usage}",
                        java_type_name(class.descriptor),
                        method_label(code, m)
                    ),
                );
            }
        }
        hits.emit(code, out);
    }
}
