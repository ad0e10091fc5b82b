//! A detected third-party component and the evidence behind it.

use serde::Serialize;

/// How a component was recognised, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// `META-INF/<group>_<artifact>.version` written by the library's build.
    VersionFile,
    /// `META-INF/maven/<group>/<artifact>/pom.properties`.
    PomProperties,
    /// A version literal compiled into dex code (`okhttp/3.8.0`).
    DexVersionString,
    /// A version string in a native library (`OpenSSL 1.1.1k  25 Mar 2021`).
    NativeVersionString,
    /// A version banner in a web asset (`cordova.js`, jQuery).
    AssetVersionString,
    /// A dex string the library always carries (Firebase `fire-*` component names).
    DexMarker,
    /// A native library file name (`libflutter.so`).
    NativeFileName,
    /// A web asset file name (`assets/index.android.bundle`).
    AssetFileName,
    /// `META-INF/<module>.kotlin_module`.
    KotlinModule,
    /// Classes under the library's package (renamed or shrunk code defeats this).
    ClassPrefix,
}

impl Method {
    /// The CycloneDX 1.6 `evidence.identity[].methods[].technique` for this method.
    pub fn cyclonedx_technique(self) -> &'static str {
        match self {
            Method::VersionFile | Method::PomProperties => "manifest-analysis",
            Method::DexVersionString
            | Method::NativeVersionString
            | Method::DexMarker
            | Method::ClassPrefix => "binary-analysis",
            Method::AssetVersionString => "source-code-analysis",
            Method::NativeFileName | Method::AssetFileName | Method::KotlinModule => "filename",
        }
    }

    /// Whether this method can tell the version (as opposed to presence only).
    pub fn gives_version(self) -> bool {
        matches!(
            self,
            Method::VersionFile
                | Method::PomProperties
                | Method::DexVersionString
                | Method::NativeVersionString
                | Method::AssetVersionString
        )
    }
}

/// Where the component was seen.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Evidence {
    pub method: Method,
    /// The zip entry (`META-INF/androidx.core_core.version`, `lib/arm64-v8a/libcrypto.so`) or
    /// `classes*.dex` for dex strings and class names.
    pub location: String,
    /// What was read there (`1.9.0`, `okhttp/3.8.0`, `okhttp3/OkHttpClient (+213 classes)`).
    pub value: String,
}

/// One third-party component found in the app.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Component {
    /// OSV ecosystem: `Maven`, `npm`, or `generic` for native code without a package ecosystem.
    pub ecosystem: String,
    /// Maven groupId (none for npm/generic).
    pub group: Option<String>,
    pub name: String,
    /// `None`: present, version unknown.
    pub version: Option<String>,
    /// Package URL: `pkg:maven/g/a@v`, `pkg:npm/x@v`, `pkg:generic/openssl@1.1.1k` (no `@v` when
    /// the version is unknown).
    pub purl: String,
    /// The strongest method among the evidence.
    pub method: Method,
    /// 0.0–1.0: how sure the identification (name and version) is.
    pub confidence: f32,
    pub supplier: Option<String>,
    /// Every place the component was seen, strongest method first.
    pub evidence: Vec<Evidence>,
}

impl Component {
    /// The OSV package name: `group:artifact` for Maven, the plain name otherwise.
    pub fn package_name(&self) -> String {
        match &self.group {
            Some(g) => format!("{g}:{}", self.name),
            None => self.name.clone(),
        }
    }

    /// A stable CycloneDX `bom-ref`: the purl.
    pub fn bom_ref(&self) -> &str {
        &self.purl
    }
}

/// Percent-encodes a purl segment (RFC 3986 unreserved characters and `+` stay).
fn purl_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b'+') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The purl of a component.
pub fn purl(ecosystem: &str, group: Option<&str>, name: &str, version: Option<&str>) -> String {
    let eco = ecosystem
        .split(':')
        .next()
        .unwrap_or(ecosystem)
        .to_ascii_lowercase();
    let ty = match eco.as_str() {
        "maven" if group.is_some() => "maven",
        "npm" => "npm",
        _ => "generic",
    };
    let mut p = format!("pkg:{ty}/");
    if ty == "maven" {
        if let Some(g) = group {
            p.push_str(&purl_escape(g));
            p.push('/');
        }
    }
    if ty == "npm" {
        // Scoped npm names: `@scope/name` → namespace `%40scope`, name `name`.
        if let Some((scope, n)) = name.split_once('/') {
            p.push_str(&purl_escape(scope));
            p.push('/');
            p.push_str(&purl_escape(n));
        } else {
            p.push_str(&purl_escape(name));
        }
    } else {
        p.push_str(&purl_escape(name));
    }
    if let Some(v) = version {
        p.push('@');
        p.push_str(&purl_escape(v));
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls() {
        assert_eq!(
            purl("Maven", Some("androidx.core"), "core", Some("1.9.0")),
            "pkg:maven/androidx.core/core@1.9.0"
        );
        assert_eq!(
            purl("npm", None, "jquery", Some("3.5.1")),
            "pkg:npm/jquery@3.5.1"
        );
        assert_eq!(purl("npm", None, "@scope/x", None), "pkg:npm/%40scope/x");
        assert_eq!(
            purl("generic", None, "openssl", Some("1.1.1k")),
            "pkg:generic/openssl@1.1.1k"
        );
        // A Maven component without a group cannot be a maven purl.
        assert_eq!(
            purl("Maven", None, "kotlinx_coroutines_core", Some("1.6.1")),
            "pkg:generic/kotlinx_coroutines_core@1.6.1"
        );
        assert_eq!(
            purl("Maven", Some("g"), "a", Some("1 2/3")),
            "pkg:maven/g/a@1%202%2F3"
        );
    }
}
