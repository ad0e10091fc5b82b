use mastiff_code::CodeIndex;
use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::network::{method_label, CodeHits};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// `javax.net.ssl.SSLSocketFactory.createSocket(...)` is called, and nothing in the app
    /// (its own code or any bundled library) verifies host names for sockets: no call to
    /// `HostnameVerifier.verify(host, session)` (any implementation, including OkHttp's),
    /// `HttpsURLConnection.getDefaultHostnameVerifier()` or
    /// `SSLParameters.setEndpointIdentificationAlgorithm(...)`.
    ///
    /// ## Why it matters
    /// Unlike `HttpsURLConnection`, a raw `SSLSocket` does not check that the certificate
    /// belongs to the host it connected to. Without an explicit check any valid certificate
    /// for any domain is accepted, and the connection can be intercepted.
    ///
    /// ## How to fix
    /// After the handshake call
    /// `HttpsURLConnection.getDefaultHostnameVerifier().verify(host, socket.getSession())` and
    /// close the socket when it returns false, or set
    /// `sslParameters.setEndpointIdentificationAlgorithm("HTTPS")` (API 24+). Better, use an
    /// HTTP client that does it (OkHttp, `HttpsURLConnection`).
    ///
    /// ## False positives
    /// The check is app-wide: a verification anywhere silences every socket, and a socket
    /// verified through a helper this analysis cannot see (reflection, native code) is reported.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0234: Missing Implementation of Server Hostname Verification with SSLSockets
    /// - CWE-297: Improper Validation of Certificate with Host Mismatch
    /// - https://developer.android.com/privacy-and-security/security-ssl#WarningsSslSocket
    pub SslSocketNoHostnameCheck {
        id: "NET-008",
        name: "sslsocket-without-hostname-verification",
        title: "SSLSocket used without hostname verification",
        severity: Medium,
        masvs: [Network1],
        mastg: ["MASTG-TEST-0234"],
        cwe: [297],
        inputs: [Code],
    }
}

/// Whether anything in the app verifies host names of TLS sockets.
fn verifies_hostnames(code: &CodeIndex) -> bool {
    code.calls_to_method_named("verify")
        .any(|c| c.callee.descriptor == "(Ljava/lang/String;Ljavax/net/ssl/SSLSession;)Z")
        || code
            .calls_to_method_named("getDefaultHostnameVerifier")
            .next()
            .is_some()
        || code
            .calls_to_method_named("setEndpointIdentificationAlgorithm")
            .next()
            .is_some()
}

impl Rule for SslSocketNoHostnameCheck {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut sites = code
            .calls_to("Ljavax/net/ssl/SSLSocketFactory;", "createSocket")
            .peekable();
        if sites.peek().is_none() || verifies_hostnames(code) {
            return;
        }
        let mut hits = CodeHits::default();
        for s in sites {
            hits.add(
                code,
                s.caller,
                s.offset,
                "createSocket",
                Severity::Medium,
                format!(
                    "SSLSocketFactory.createSocket in {} and no hostname verification anywhere in the app (HostnameVerifier.verify, getDefaultHostnameVerifier, setEndpointIdentificationAlgorithm)",
                    method_label(code, s.caller)
                ),
            );
        }
        hits.emit(code, out);
    }
}
