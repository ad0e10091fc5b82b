use mastiff_code::java_type_name;
use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::network::{method_label, CodeHits};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// `WebViewClient` subclasses (also through `androidx.webkit.WebViewClientCompat` and any
    /// intermediate class) whose `onReceivedSslError` calls `SslErrorHandler.proceed()`.
    ///
    /// - High: the method never calls `cancel()` (nor `super.onReceivedSslError`, which
    ///   cancels): every certificate error is ignored.
    /// - Medium: it also cancels on some path (proceeds for some errors, or after asking the
    ///   user): certificate errors are still accepted for the cases that proceed.
    ///
    /// ## Why it matters
    /// `proceed()` loads the page over a connection whose certificate failed validation, so
    /// anyone on the network path can serve their own content into the WebView (and into any
    /// JavaScript bridge it exposes) and read what the user types. Users cannot judge
    /// certificate errors; a dialog asking them does not make it safe.
    ///
    /// ## How to fix
    /// Do not override `onReceivedSslError`, or call `handler.cancel()` in it. Fix the server
    /// certificate, or trust a private CA through the network security config.
    ///
    /// ## False positives
    /// An override that proceeds only for a hard-coded test host is still reported: the check
    /// is on the presence of `proceed()`, not on the conditions around it.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0284: Incorrect SSL Error Handling in WebViews
    /// - CWE-295: Improper Certificate Validation
    /// - https://developer.android.com/reference/android/webkit/WebViewClient#onReceivedSslError(android.webkit.WebView,%20android.webkit.SslErrorHandler,%20android.net.http.SslError)
    pub SslErrorProceed {
        id: "NET-007",
        name: "webview-ssl-error-proceed",
        title: "WebView ignores TLS certificate errors",
        severity: High,
        masvs: [Network1],
        mastg: ["MASTG-TEST-0284"],
        cwe: [295],
        inputs: [Code],
    }
}

const ON_SSL_ERROR: &str =
    "(Landroid/webkit/WebView;Landroid/webkit/SslErrorHandler;Landroid/net/http/SslError;)V";

impl Rule for SslErrorProceed {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut hits = CodeHits::default();
        for class in code.subclasses_of("Landroid/webkit/WebViewClient;") {
            let Some(m) = code.overrides(class.descriptor, "onReceivedSslError", ON_SSL_ERROR)
            else {
                continue;
            };
            let calls = code.calls_in(m);
            let Some(proceed) = calls
                .iter()
                .find(|c| c.callee.name == "proceed" && c.callee.descriptor == "()V")
            else {
                continue;
            };
            let cancels = calls.iter().any(|c| {
                (c.callee.name == "cancel" && c.callee.descriptor == "()V")
                    || (c.callee.name == "onReceivedSslError"
                        && c.callee.descriptor == ON_SSL_ERROR)
            });
            let (severity, how) = if cancels {
                (
                    Severity::Medium,
                    "proceeds on some paths and cancels on others",
                )
            } else {
                (Severity::High, "proceeds on every certificate error")
            };
            hits.add(
                code,
                m,
                proceed.offset,
                "proceed",
                severity,
                format!(
                    "{}: SslErrorHandler.proceed() in {} {how}",
                    java_type_name(class.descriptor),
                    method_label(code, m)
                ),
            );
        }
        hits.emit(code, out);
    }
}
