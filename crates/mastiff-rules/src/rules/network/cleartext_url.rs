use std::collections::BTreeMap;

use mastiff_android::nsc::policy_for_host;
use mastiff_code::{CodeIndex, MethodId};
use mastiff_core::{Location, Severity};

use crate::rule::{Rule, Sink};
use crate::rules::network::{http_host, method_label, CodeHits};
use crate::rules::redact;
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Hard-coded `http://` URLs:
    /// - string constants in the app's own code (not in known libraries), including a bare
    ///   `"http://"` prefix that URLs are built from;
    /// - strings of `resources.arsc`, and text files under `assets/` and `res/raw/`.
    ///
    /// Each URL's host is looked up in the effective network security policy (domain-configs,
    /// base-config, `usesCleartextTraffic`, targetSdk defaults), and the severity follows:
    /// - high: cleartext to the host is permitted and the constant is passed straight to a
    ///   network API in the same method (`new URL(..)`, `WebView.loadUrl`, OkHttp
    ///   `Request.Builder.url`, Retrofit `baseUrl`, Apache `HttpGet`/`HttpPost`, Volley
    ///   requests);
    /// - medium: cleartext permitted, other uses (and every URL in resources or assets);
    /// - low: the policy blocks cleartext to that host (the request fails at run time, but the
    ///   app was built to send it), or the host is local (`localhost`, `127.*`, `10.0.2.2`,
    ///   private networks).
    ///
    /// Not reported: XML namespaces and schema URLs (`schemas.android.com`, `www.w3.org`,
    /// `ns.adobe.com`, `xmlpull.org`, `purl.org`, ...), license URLs
    /// (`www.apache.org/licenses/...`), the reserved `example.com/.net/.org` domains, and
    /// asset files whose name says they hold licenses or notices.
    ///
    /// ## Why it matters
    /// Whatever travels over HTTP can be read and changed by anyone on the network path. A
    /// hard-coded `http://` endpoint is the most direct sign that the app sends or loads data
    /// without TLS; where the network security config blocks it, the app is one configuration
    /// change away from doing so.
    ///
    /// ## How to fix
    /// Use `https://` for every endpoint, and keep
    /// `<base-config cleartextTrafficPermitted="false"/>` so a forgotten URL fails instead of
    /// leaking.
    ///
    /// ## False positives
    /// URLs that are only displayed or handed to the browser (an "about" link) are reported at
    /// medium; URL constants in libraries are not reported (most are namespaces or
    /// documentation). Query strings are not shown, and user-info (`user:password@`) is
    /// redacted.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0233: Hardcoded HTTP URLs
    /// - CWE-319: Cleartext Transmission of Sensitive Information
    pub CleartextUrl {
        id: "NET-010",
        name: "cleartext-http-url",
        title: "Hard-coded cleartext http:// URL",
        severity: High,
        masvs: [Network1],
        mastg: ["MASTG-TEST-0233"],
        cwe: [319],
        inputs: [Code],
    }
}

/// Hosts of XML namespaces, schemas and licenses: identifiers, never fetched.
const NAMESPACE_HOSTS: &[&str] = &[
    "schemas.android.com",
    "www.w3.org",
    "w3.org",
    "ns.adobe.com",
    "xmlpull.org",
    "www.xmlpull.org",
    "purl.org",
    "xml.org",
    "www.xml.org",
    "xmlns.com",
    "schemas.xmlsoap.org",
    "schemas.microsoft.com",
    "schemas.openxmlformats.org",
    "java.sun.com",
    "xml.apache.org",
    "ns.google.com",
];

/// Calls that fetch the URL they are given: (class or `""` for any, method name, display).
const SINKS: &[(&str, &str, &str)] = &[
    ("Ljava/net/URL;", "<init>", "new URL(..)"),
    ("", "loadUrl", "WebView.loadUrl"),
    ("", "postUrl", "WebView.postUrl"),
    (
        "Lokhttp3/Request$Builder;",
        "url",
        "OkHttp Request.Builder.url",
    ),
    (
        "Lcom/squareup/okhttp/Request$Builder;",
        "url",
        "OkHttp Request.Builder.url",
    ),
    (
        "Lretrofit2/Retrofit$Builder;",
        "baseUrl",
        "Retrofit baseUrl",
    ),
    (
        "Lretrofit/RestAdapter$Builder;",
        "setEndpoint",
        "Retrofit setEndpoint",
    ),
    (
        "Lorg/apache/http/client/methods/HttpGet;",
        "<init>",
        "new HttpGet(..)",
    ),
    (
        "Lorg/apache/http/client/methods/HttpPost;",
        "<init>",
        "new HttpPost(..)",
    ),
    (
        "Lorg/apache/http/client/methods/HttpPut;",
        "<init>",
        "new HttpPut(..)",
    ),
    (
        "Lcom/android/volley/toolbox/StringRequest;",
        "<init>",
        "Volley StringRequest",
    ),
    (
        "Lcom/android/volley/toolbox/JsonObjectRequest;",
        "<init>",
        "Volley JsonObjectRequest",
    ),
    (
        "Lcom/android/volley/toolbox/JsonArrayRequest;",
        "<init>",
        "Volley JsonArrayRequest",
    ),
];

/// Most bytes of one asset file searched for URLs.
const MAX_ASSET_BYTES: u64 = 2 * 1024 * 1024;
/// Most asset files searched.
const MAX_ASSET_FILES: usize = 300;
/// Most files (resources, assets) reported.
const MAX_FILE_FINDINGS: usize = 20;
/// Most URLs named in one finding.
const MAX_URLS_SHOWN: usize = 8;

/// Text files under `assets/` and `res/raw/` worth searching.
const TEXT_EXTENSIONS: &[&str] = &[
    "html",
    "htm",
    "js",
    "json",
    "xml",
    "txt",
    "properties",
    "conf",
    "cfg",
    "ini",
    "yml",
    "yaml",
    "config",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HostKind {
    /// A namespace, schema, license or reserved example host: not reported.
    Ignored,
    /// The device itself, the emulator host, or a private network.
    Local,
    Remote,
}

fn host_kind(host: &str, url: &str) -> HostKind {
    let lower = url.to_ascii_lowercase();
    let reserved = ["example.com", "example.net", "example.org"]
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")));
    if NAMESPACE_HOSTS.contains(&host)
        || reserved
        || (host.ends_with("apache.org") && lower.contains("/licenses"))
    {
        return HostKind::Ignored;
    }
    let private = host.starts_with("10.")
        || host.starts_with("192.168.")
        || host.starts_with("127.")
        || host.strip_prefix("172.").is_some_and(|r| {
            r.split('.')
                .next()
                .and_then(|o| o.parse::<u8>().ok())
                .is_some_and(|o| (16..=31).contains(&o))
        });
    if matches!(host, "localhost" | "0.0.0.0" | "::1") || private {
        HostKind::Local
    } else {
        HostKind::Remote
    }
}

/// A URL as reports show it: user-info redacted, query and fragment dropped, at most 100
/// characters.
fn display_url(url: &str) -> String {
    let rest = url.get(7..).unwrap_or("");
    let (before_query, had_query) = match rest.find(['?', '#']) {
        Some(i) => (rest.get(..i).unwrap_or(""), true),
        None => (rest, false),
    };
    let (authority, path) = match before_query.find('/') {
        Some(i) => before_query.split_at(i),
        None => (before_query, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((info, host)) => format!("{}@{host}", redact(info)),
        None => authority.to_string(),
    };
    let mut s = format!("http://{authority}{path}");
    if s.chars().count() > 100 {
        s = s.chars().take(100).collect::<String>() + "…";
    }
    if had_query {
        s.push_str("?…");
    }
    s
}

/// Whether the effective policy permits cleartext to `host`, and why (`None` without a policy).
fn policy_note(app: &AppContext<'_>, host: &str) -> (Option<bool>, String) {
    let Some(policy) = app.network else {
        return (None, "network policy unknown".into());
    };
    let placeholder = host.is_empty() || host.contains(['%', '{', '$', '<', '+']);
    let d = if placeholder {
        &policy.default
    } else {
        policy_for_host(policy, host)
    };
    let verdict = if d.cleartext_permitted {
        "cleartext permitted"
    } else {
        "cleartext blocked"
    };
    let why = match &d.domain {
        Some(name) => format!("{verdict} by the domain-config for {name}"),
        None => format!("{verdict} by default ({})", policy.basis),
    };
    (Some(d.cleartext_permitted), why)
}

/// Severity of a URL to a host of this kind, given the policy verdict and whether the code
/// hands it to a network API.
fn severity(kind: HostKind, permitted: Option<bool>, fetched: bool) -> Severity {
    match (kind, permitted) {
        (HostKind::Local, _) | (_, Some(false)) => Severity::Low,
        _ if fetched => Severity::High,
        _ => Severity::Medium,
    }
}

/// The network API a method passes the constant `url` to, if any.
fn sink_of(code: &CodeIndex, method: MethodId, url: &str) -> Option<&'static str> {
    code.calls_in(method).iter().find_map(|c| {
        let (_, _, shown) = SINKS.iter().find(|(class, name, _)| {
            &*c.callee.name == *name && (class.is_empty() || &*c.callee.class == *class)
        })?;
        code.args(c)
            .iter()
            .any(|a| a.as_str() == Some(url))
            .then_some(*shown)
    })
}

/// `http://` URLs inside free text (resource strings, asset files).
fn urls_in_text(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices("http://").filter_map(move |(i, _)| {
        let rest = text.get(i..)?;
        let end = rest
            .find(|c: char| c.is_whitespace() || "\"'<>`()[]{}\\,".contains(c))
            .unwrap_or(rest.len());
        rest.get(..end)
    })
}

/// Distinct reportable URLs of one file, with the worst severity among them.
#[derive(Default)]
struct FileUrls {
    urls: Vec<String>,
    notes: Vec<String>,
    worst: Option<Severity>,
}

impl FileUrls {
    fn add(&mut self, app: &AppContext<'_>, url: &str) {
        let Some(host) = http_host(url) else { return };
        let kind = host_kind(&host, url);
        if kind == HostKind::Ignored || host.is_empty() {
            return;
        }
        let shown = display_url(url);
        if self.urls.contains(&shown) {
            return;
        }
        let (permitted, note) = policy_note(app, &host);
        // Resources and assets are not known to be fetched: at most medium.
        let sev = severity(kind, permitted, false);
        self.worst = Some(self.worst.map_or(sev, |w| w.max(sev)));
        self.urls.push(shown);
        self.notes.push(note);
    }

    fn report(self, entry: &str, out: &mut Sink) {
        let Some(sev) = self.worst else { return };
        let mut list: Vec<String> = self
            .urls
            .iter()
            .zip(&self.notes)
            .take(MAX_URLS_SHOWN)
            .map(|(u, n)| format!("{u} ({n})"))
            .collect();
        if self.urls.len() > MAX_URLS_SHOWN {
            list.push(format!("{} more", self.urls.len() - MAX_URLS_SHOWN));
        }
        out.report_at(
            sev,
            format!("cleartext URLs in {entry}: {}", list.join(", ")),
            vec![Location::Entry {
                entry: entry.to_string(),
                offset: None,
            }],
        );
    }
}

fn is_text_asset(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (lower.starts_with("assets/") || lower.starts_with("res/raw/"))
        && lower
            .rsplit_once('.')
            .is_some_and(|(_, ext)| TEXT_EXTENSIONS.contains(&ext))
        && ![
            "licen",
            "notice",
            "copying",
            "credits",
            "third_party",
            "thirdparty",
        ]
        .iter()
        .any(|w| lower.contains(w))
}

impl CleartextUrl {
    fn check_code(&self, app: &AppContext<'_>, code: &CodeIndex, out: &mut Sink) {
        // Per method: each distinct URL with its severity and description.
        let mut per_method: BTreeMap<MethodId, (u32, Vec<(Severity, String)>)> = BTreeMap::new();
        for u in code.string_uses() {
            let Some(host) = http_host(u.value) else {
                continue;
            };
            if !code.is_app_code(u.method) {
                continue;
            }
            let kind = host_kind(&host, u.value);
            if kind == HostKind::Ignored {
                continue;
            }
            let entry = per_method
                .entry(u.method)
                .or_insert_with(|| (u.offset, Vec::new()));
            let shown = if host.is_empty() {
                "the \"http://\" prefix (URL built at run time)".to_string()
            } else {
                display_url(u.value)
            };
            if entry.1.iter().any(|(_, d)| d.starts_with(&shown)) {
                continue;
            }
            let (permitted, note) = policy_note(app, &host);
            let sink = sink_of(code, u.method, u.value);
            let sev = severity(kind, permitted, sink.is_some());
            let used = sink.map(|s| format!(", passed to {s}")).unwrap_or_default();
            entry.1.push((sev, format!("{shown} ({note}{used})")));
        }
        let mut hits = CodeHits::default();
        for (method, (offset, urls)) in per_method {
            let worst = urls.iter().map(|(s, _)| *s).max().unwrap_or(Severity::Low);
            let mut list: Vec<&str> = urls
                .iter()
                .take(MAX_URLS_SHOWN)
                .map(|(_, d)| d.as_str())
                .collect();
            let more = format!("{} more", urls.len().saturating_sub(MAX_URLS_SHOWN));
            if urls.len() > MAX_URLS_SHOWN {
                list.push(&more);
            }
            hits.add(
                code,
                method,
                offset,
                "http",
                worst,
                format!(
                    "cleartext URL in {}: {}",
                    method_label(code, method),
                    list.join(", ")
                ),
            );
        }
        hits.emit(code, out);
    }

    fn check_files(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(cache) = app.cache else { return };
        let mut reported = 0;
        // The resource strings are read once per scan and shared with the secret rules.
        let strings = crate::rules::auth::string_resources(app);
        if !strings.is_empty() {
            let mut urls = FileUrls::default();
            for s in strings {
                for url in urls_in_text(&s.value) {
                    urls.add(app, url);
                }
            }
            if urls.worst.is_some() {
                reported += 1;
            }
            urls.report("resources.arsc", out);
        }
        for name in app
            .entries
            .iter()
            .filter(|n| is_text_asset(n))
            .take(MAX_ASSET_FILES)
        {
            if reported >= MAX_FILE_FINDINGS {
                break;
            }
            let Some(Ok(bytes)) = cache.get_bounded(name, MAX_ASSET_BYTES) else {
                continue;
            };
            let text = String::from_utf8_lossy(bytes);
            let mut urls = FileUrls::default();
            for url in urls_in_text(&text) {
                urls.add(app, url);
            }
            if urls.worst.is_some() {
                reported += 1;
            }
            urls.report(name, out);
        }
    }
}

impl Rule for CleartextUrl {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        if let Some(code) = app.code {
            self.check_code(app, code, out);
        }
        self.check_files(app, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_classified() {
        let k = |u: &str| host_kind(&http_host(u).unwrap_or_default(), u);
        assert_eq!(
            k("http://schemas.android.com/apk/res/android"),
            HostKind::Ignored
        );
        assert_eq!(
            k("http://www.apache.org/licenses/LICENSE-2.0"),
            HostKind::Ignored
        );
        assert_eq!(k("http://api.example.com/v1"), HostKind::Ignored);
        assert_eq!(k("http://10.0.2.2:8080/"), HostKind::Local);
        assert_eq!(k("http://172.20.1.1/"), HostKind::Local);
        assert_eq!(k("http://172.40.1.1/"), HostKind::Remote);
        assert_eq!(k("http://demo.testfire.net"), HostKind::Remote);
    }

    #[test]
    fn urls_are_shown_without_secrets() {
        let d = display_url("http://adm1n:passw0rd@dev.victim.com/login?token=abc");
        assert!(d.ends_with("@dev.victim.com/login?…"), "{d}");
        assert!(!d.contains("passw0rd") && !d.contains("abc"), "{d}");
        let found: Vec<&str> =
            urls_in_text("see <a href=\"http://a.org/x\">http://b.org</a>, http://c.org.")
                .collect();
        assert_eq!(
            found,
            vec!["http://a.org/x", "http://b.org", "http://c.org."]
        );
    }

    #[test]
    fn severity_follows_policy_and_use() {
        use HostKind::*;
        assert_eq!(severity(Remote, Some(true), true), Severity::High);
        assert_eq!(severity(Remote, Some(true), false), Severity::Medium);
        assert_eq!(severity(Remote, Some(false), true), Severity::Low);
        assert_eq!(severity(Local, Some(true), true), Severity::Low);
        assert_eq!(severity(Remote, None, false), Severity::Medium);
    }
}
