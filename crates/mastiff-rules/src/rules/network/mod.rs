//! MASVS-NETWORK: TLS, cleartext and pinning.
//!
//! Also the helpers the bytecode rules of this group and of `platform` share: labelled,
//! capped reporting of code sites ([`CodeHits`]) and the detection of certificate pinning in
//! code ([`code_pins`]), which both `NET-003` and the evidence rule `NET-011` use.

pub mod cleartext;
pub mod cleartext_url;
pub mod code_pinning;
pub mod expired_pins;
pub mod hostname_verifier;
pub mod insecure_tls;
pub mod no_pinning;
pub mod ssl_error_proceed;
pub mod sslsocket_hostname;
pub mod trust_all;
pub mod user_ca;

use std::collections::BTreeMap;

use mastiff_code::{java_type_name, method_signature, CodeIndex, MethodId};
use mastiff_core::{Location, Severity};

use crate::rule::{Rule, Sink};

/// This group's rules, in id order.
pub(crate) static RULES: &[&dyn Rule] = &[
    &cleartext::CleartextTraffic,
    &user_ca::UserCaTrusted,
    &no_pinning::NoPinning,
    &expired_pins::ExpiredPins,
    &trust_all::TrustAllTrustManager,
    &hostname_verifier::AllowAllHostnameVerifier,
    &ssl_error_proceed::SslErrorProceed,
    &sslsocket_hostname::SslSocketNoHostnameCheck,
    &insecure_tls::InsecureTlsProtocol,
    &cleartext_url::CleartextUrl,
    &code_pinning::CodePinning,
];

/// Most findings one code rule reports per app; the rest are summed up in one more finding.
pub(crate) const MAX_CODE_FINDINGS: usize = 50;

/// `com.x.Crypto.encrypt(byte[])`.
pub(crate) fn method_label(code: &CodeIndex, method: MethodId) -> String {
    match code.method(method) {
        Some(m) => format!(
            "{}.{}",
            java_type_name(m.class),
            method_signature(m.name, m.descriptor)
        ),
        None => "?".to_string(),
    }
}

/// The class descriptor of a method (`""` for a foreign id).
pub(crate) fn class_of<'a>(code: &'a CodeIndex<'_>, method: MethodId) -> &'a str {
    code.method(method).map_or("", |m| m.class)
}

/// The dex offset of a method's code item, for findings about a whole method.
pub(crate) fn code_off(code: &CodeIndex, method: MethodId) -> u32 {
    code.method(method).map_or(0, |m| m.code_off)
}

/// One finding in code, before capping.
struct CodeHit {
    severity: Severity,
    message: String,
    location: Location,
    library: Option<&'static str>,
}

/// The findings of one code rule: one per (method, pattern) key, app code first and most
/// severe first, at most [`MAX_CODE_FINDINGS`]; library findings carry the library's name.
#[derive(Default)]
pub(crate) struct CodeHits {
    hits: BTreeMap<(MethodId, String), CodeHit>,
}

impl CodeHits {
    /// Records a site; a second site with the same method and `pattern` keeps the first one
    /// (raising its severity if the new one is worse).
    pub(crate) fn add(
        &mut self,
        code: &CodeIndex,
        method: MethodId,
        offset: u32,
        pattern: &str,
        severity: Severity,
        message: String,
    ) {
        let entry = self
            .hits
            .entry((method, pattern.to_string()))
            .or_insert_with(|| CodeHit {
                severity,
                message,
                location: code.location(method, offset),
                library: code.library_of(class_of(code, method)),
            });
        entry.severity = entry.severity.max(severity);
    }

    /// Reports everything recorded.
    pub(crate) fn emit(self, code: &CodeIndex, out: &mut Sink) {
        let mut hits: Vec<(bool, CodeHit)> = self
            .hits
            .into_iter()
            .map(|((m, _), h)| (code.is_app_code(m), h))
            .collect();
        hits.sort_by_key(|(app, h)| (!*app, std::cmp::Reverse(h.severity)));
        let rest = hits.split_off(hits.len().min(MAX_CODE_FINDINGS));
        for (_, h) in hits {
            out.report_code(h.severity, h.message, vec![h.location], h.library);
        }
        if let Some((_, first)) = rest.first() {
            let worst = rest
                .iter()
                .map(|(_, h)| h.severity)
                .max()
                .unwrap_or(first.severity);
            let in_app = rest.iter().filter(|(app, _)| *app).count();
            out.report_code(
                worst,
                format!(
                    "{} more sites not listed ({in_app} in app code), the first: {}",
                    rest.len(),
                    first.message
                ),
                vec![first.location.clone()],
                first.library,
            );
        }
    }
}

/// Certificate pinning found in code.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CodePin {
    /// What pins: `OkHttp CertificatePinner`, `TrustKit`, `public-key hash check`.
    pub(crate) mechanism: &'static str,
    /// Pinned host names visible as constants (may be empty).
    pub(crate) hosts: Vec<String>,
    /// Pin arguments seen (OkHttp `sha256/...` strings in the same method).
    pub(crate) pins: usize,
    pub(crate) method: MethodId,
    pub(crate) location: Location,
}

/// OkHttp 3/4 and OkHttp 2 certificate pinner builders.
const PINNER_BUILDERS: &[&str] = &[
    "Lokhttp3/CertificatePinner$Builder;",
    "Lcom/squareup/okhttp/CertificatePinner$Builder;",
];

/// Pinning the app's own code sets up: OkHttp `CertificatePinner.Builder.add(host, pins...)`,
/// TrustKit initialisation, and custom checks that hash a certificate's public key
/// (`getPublicKey().getEncoded()` digested with `MessageDigest`). Only code outside known
/// libraries counts: a third-party SDK pinning its own backend does not pin the app's hosts.
pub(crate) fn code_pins(code: &CodeIndex) -> Vec<CodePin> {
    let own = |m: MethodId| code.library_of(class_of(code, m)).is_none();
    let mut by_method: BTreeMap<(MethodId, &'static str), CodePin> = BTreeMap::new();
    for builder in PINNER_BUILDERS {
        for site in code.calls_to(builder, "add").filter(|s| own(s.caller)) {
            let pin = by_method
                .entry((site.caller, "OkHttp CertificatePinner"))
                .or_insert_with(|| CodePin {
                    mechanism: "OkHttp CertificatePinner",
                    hosts: Vec::new(),
                    pins: 0,
                    method: site.caller,
                    location: code.location(site.caller, site.offset),
                });
            if let Some(host) = code.arg(site, 1).and_then(|a| a.as_str()) {
                if !pin.hosts.iter().any(|h| h == host) {
                    pin.hosts.push(host.to_string());
                }
            }
        }
    }
    // Pins are the `sha256/…` / `sha1/…` constants of the methods that add them.
    for u in code.string_uses() {
        if u.value.starts_with("sha256/") || u.value.starts_with("sha1/") {
            if let Some(p) = by_method.get_mut(&(u.method, "OkHttp CertificatePinner")) {
                p.pins += 1;
            }
        }
    }
    let mut trustkit: Vec<_> = code
        .calls_to_class_prefix("Lcom/datatheorem/android/trustkit/TrustKit;")
        .filter(|s| s.callee.name.starts_with("initialize") && own(s.caller))
        .collect();
    trustkit.sort_by_key(|s| (s.caller, s.offset));
    for site in trustkit {
        by_method
            .entry((site.caller, "TrustKit"))
            .or_insert_with(|| CodePin {
                mechanism: "TrustKit",
                hosts: Vec::new(),
                pins: 0,
                method: site.caller,
                location: code.location(site.caller, site.offset),
            });
    }
    for site in code.calls_to_method_named("getPublicKey") {
        let m = site.caller;
        if !own(m) || by_method.contains_key(&(m, "public-key hash check")) {
            continue;
        }
        let calls = code.calls_in(m);
        let encodes = calls.iter().any(|c| c.callee.name == "getEncoded");
        let digests = calls.iter().any(|c| {
            c.callee.class == "Ljava/security/MessageDigest;"
                && matches!(c.callee.name, "digest" | "update")
        });
        if encodes && digests {
            by_method.insert(
                (m, "public-key hash check"),
                CodePin {
                    mechanism: "public-key hash check",
                    hosts: Vec::new(),
                    pins: 0,
                    method: m,
                    location: code.location(m, site.offset),
                },
            );
        }
    }
    by_method.into_values().collect()
}

/// A host name from an `http://` URL (`http://user:pw@Host:8080/x` → `host`); empty for a bare
/// `http://` prefix.
pub(crate) fn http_host(url: &str) -> Option<String> {
    let rest = url
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("http://"))
        .and_then(|_| url.get(7..))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    Some(host.trim_end_matches('.').to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_of_http_urls() {
        assert_eq!(
            http_host("http://demo.testfire.net/x?y").as_deref(),
            Some("demo.testfire.net")
        );
        assert_eq!(
            http_host("HTTP://adm:pw@Host.Example:8080/").as_deref(),
            Some("host.example")
        );
        assert_eq!(http_host("http://[::1]:80/").as_deref(), Some("::1"));
        assert_eq!(http_host("http://").as_deref(), Some(""));
        assert_eq!(http_host("https://x.com"), None);
        assert_eq!(http_host("http:/"), None);
        assert_eq!(http_host("http://é"), Some("é".into()));
    }
}
