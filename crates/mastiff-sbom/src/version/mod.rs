//! Version ordering per ecosystem. Each scheme is its own module with that ecosystem's rules and
//! its documented test vectors; [`Scheme`] picks one for an OSV package and compares two version
//! strings under it.

pub mod generic;
pub mod maven;
pub mod openssl;
pub mod semver;

use std::cmp::Ordering;

/// How the versions of a package are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Maven `ComparableVersion` (OSV ecosystem `Maven`, with or without a repository suffix).
    Maven,
    /// SemVer 2.0.0 (OSV ecosystem `npm`, and every `SEMVER` range).
    SemVer,
    /// OpenSSL's letter-suffixed releases.
    OpenSsl,
    /// Anything else: digit and letter runs.
    Generic,
}

impl Scheme {
    /// The scheme for an OSV `(ecosystem, package name)`; the ecosystem's repository suffix
    /// (`Maven:https://maven.google.com`) is ignored.
    pub fn for_package(ecosystem: &str, name: &str) -> Scheme {
        let base = ecosystem.split(':').next().unwrap_or(ecosystem);
        if base.eq_ignore_ascii_case("maven") {
            Scheme::Maven
        } else if base.eq_ignore_ascii_case("npm") {
            Scheme::SemVer
        } else if name.eq_ignore_ascii_case("openssl") {
            Scheme::OpenSsl
        } else {
            Scheme::Generic
        }
    }

    /// Compares two version strings; `None` when either cannot be read under this scheme (the
    /// caller must then treat the result as unknown, never as "not affected").
    ///
    /// Advisory data sometimes writes versions with a `v` prefix (zip4j GHSA-2pj2-gchf-wmw7 has
    /// `"fixed": "v2.11.3"` for a Maven package); a `v` directly followed by a digit is dropped
    /// before comparing under every scheme.
    pub fn compare(self, a: &str, b: &str) -> Option<Ordering> {
        let a = normalize(a);
        let b = normalize(b);
        match self {
            Scheme::Maven => {
                let x = maven::MavenVersion::parse(a).ok()?;
                let y = maven::MavenVersion::parse(b).ok()?;
                Some(x.cmp(&y))
            }
            Scheme::SemVer => match (semver::SemVer::parse(a), semver::SemVer::parse(b)) {
                (Some(x), Some(y)) => Some(x.cmp(&y)),
                // npm data is SemVer; anything else is compared generically rather than lost.
                _ => {
                    Some(generic::GenericVersion::parse(a).cmp(&generic::GenericVersion::parse(b)))
                }
            },
            Scheme::OpenSsl => match (
                openssl::OpenSslVersion::parse(a),
                openssl::OpenSslVersion::parse(b),
            ) {
                (Some(x), Some(y)) => Some(x.cmp(&y)),
                _ => None,
            },
            Scheme::Generic => {
                Some(generic::GenericVersion::parse(a).cmp(&generic::GenericVersion::parse(b)))
            }
        }
    }
}

/// Drops surrounding whitespace and a `v`/`V` prefix directly followed by a digit.
pub fn normalize(v: &str) -> &str {
    let t = v.trim();
    match t.strip_prefix(['v', 'V']) {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering::*;

    #[test]
    fn scheme_selection() {
        assert_eq!(Scheme::for_package("Maven", "a:b"), Scheme::Maven);
        assert_eq!(
            Scheme::for_package("Maven:https://maven.google.com", "a:b"),
            Scheme::Maven
        );
        assert_eq!(Scheme::for_package("npm", "x"), Scheme::SemVer);
        assert_eq!(Scheme::for_package("generic", "openssl"), Scheme::OpenSsl);
        assert_eq!(Scheme::for_package("PyPI", "x"), Scheme::Generic);
    }

    #[test]
    fn v_prefix_trap_zip4j() {
        // GHSA-2pj2-gchf-wmw7: "fixed": "v2.11.3" in a Maven range.
        assert_eq!(Scheme::Maven.compare("2.11.2", "v2.11.3"), Some(Less));
        assert_eq!(Scheme::Maven.compare("2.11.3", "v2.11.3"), Some(Equal));
        assert_eq!(Scheme::Maven.compare("2.11.4", "v2.11.3"), Some(Greater));
    }

    #[test]
    fn maven_is_not_semver() {
        // 4-part versions and qualifiers: Maven orders them; SemVer cannot even read them.
        assert_eq!(Scheme::Maven.compare("2.12.6.1", "2.12.6"), Some(Greater));
        assert_eq!(Scheme::Maven.compare("1.0-SNAPSHOT", "1.0"), Some(Less));
        assert_eq!(Scheme::Maven.compare("1.0-sp", "1.0"), Some(Greater));
    }

    #[test]
    fn openssl_unreadable_is_unknown() {
        assert_eq!(Scheme::OpenSsl.compare("1.1.1k", "1.1.1n"), Some(Less));
        assert_eq!(Scheme::OpenSsl.compare("garbage", "1.1.1n"), None);
    }
}
