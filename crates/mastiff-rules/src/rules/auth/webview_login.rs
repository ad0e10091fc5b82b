use mastiff_code::ArgValue;
use mastiff_core::{Control, Severity};

use crate::rule::{Rule, Sink};
use crate::rules::crypto::{method_name, CodeFindings};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// OAuth or sign-in pages loaded into the app's own WebView: `WebView.loadUrl` /
    /// `postUrl` with a literal URL of an authorization endpoint (path containing `/oauth`,
    /// `/authorize`, `/o/oauth2/`, `/login/oauth`, `/signin`, or a `response_type=` /
    /// `client_id=` query), in app code.
    ///
    /// Use of Custom Tabs (`androidx.browser.customtabs.CustomTabsIntent`) or AppAuth
    /// (`net.openid.appauth.AuthorizationService`) is recorded as positive evidence for
    /// MASVS-AUTH-1.
    ///
    /// ## Why it matters
    /// In an embedded WebView the app can read everything the user types, including the
    /// identity provider's password, and the user cannot check the address bar. RFC 8252 (OAuth
    /// 2.0 for Native Apps) requires an external user agent; Google blocks OAuth in WebViews.
    ///
    /// ## How to fix
    /// Open the authorization request in a Custom Tab through AppAuth, with PKCE, and receive the
    /// code on an App Link redirect.
    ///
    /// ## False positives
    /// URLs built at run time are not seen. A WebView that shows the app's own first-party login
    /// page is reported too: the same reasoning applies to any password typed into it.
    ///
    /// ## References
    /// - RFC 8252, section 8.12; OWASP MASTG (MASVS-AUTH-1, OAuth 2.0 in mobile apps)
    /// - CWE-1021 / CWE-522: Insufficiently Protected Credentials
    pub WebViewLogin {
        id: "AUTH-005",
        name: "oauth-in-webview",
        title: "OAuth / sign-in page loaded in an embedded WebView",
        severity: Medium,
        masvs: [Auth1],
        mastg: [],
        cwe: [522],
        inputs: [Code],
    }
}

/// Whether a URL is an authorization or sign-in endpoint.
pub(crate) fn is_auth_url(url: &str) -> bool {
    let u = url.to_ascii_lowercase();
    if !(u.starts_with("https://") || u.starts_with("http://")) {
        return false;
    }
    [
        "/oauth",
        "/authorize",
        "/o/oauth2/",
        "/login/oauth",
        "/signin",
        "response_type=",
        "client_id=",
    ]
    .iter()
    .any(|p| u.contains(p))
}

impl Rule for WebViewLogin {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut found = CodeFindings::new(code);
        for name in ["loadUrl", "postUrl"] {
            for site in code.calls_to_method_named(name) {
                if !site.callee.class.contains("WebView") || !code.is_app_code(site.caller) {
                    continue;
                }
                let Some(url) = code.arg(site, 1).and_then(ArgValue::as_str) else {
                    continue;
                };
                if is_auth_url(url) {
                    found.add(
                        Severity::Medium,
                        site.caller,
                        site.offset,
                        &format!("WebView.{name}(\"{url}\")"),
                        "the user signs in inside the app's WebView (use a Custom Tab)",
                    );
                }
            }
        }
        found.emit(out);
        for (class, name, what) in [
            (
                "Landroidx/browser/customtabs/CustomTabsIntent;",
                "launchUrl",
                "CustomTabsIntent.launchUrl",
            ),
            (
                "Lnet/openid/appauth/AuthorizationService;",
                "getAuthorizationRequestIntent",
                "AppAuth AuthorizationService",
            ),
            (
                "Lnet/openid/appauth/AuthorizationService;",
                "performAuthorizationRequest",
                "AppAuth AuthorizationService",
            ),
        ] {
            if let Some(site) = code.calls_to(class, name).next() {
                out.evidence(
                    Control::Auth1,
                    format!(
                        "{what} in {} (external user agent for sign-in)",
                        method_name(code, site.caller)
                    ),
                    vec![code.location(site.caller, site.offset)],
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_urls() {
        assert!(is_auth_url(
            "https://accounts.example.com/oauth/authorize?client_id=x"
        ));
        assert!(is_auth_url("https://github.com/login/oauth/authorize"));
        assert!(!is_auth_url("https://example.com/help"));
        assert!(!is_auth_url("file:///android_asset/oauth.html"));
    }
}
