//! npm / SemVer 2.0.0 ordering (semver.org §11): `MAJOR.MINOR.PATCH`, then pre-release
//! identifiers (a version with a pre-release ranks below the same version without one;
//! identifiers compare numerically when both are numeric, numeric below alphanumeric,
//! alphanumeric in ASCII order, and a shorter set ranks lower when all shared identifiers are
//! equal). Build metadata (`+…`) is ignored. Like npm's loose mode, a leading `v` or `=` and
//! surrounding whitespace are accepted.

use std::cmp::Ordering;

/// Longest version string accepted.
pub const MAX_LEN: usize = 256;

#[derive(Debug, Clone)]
pub struct SemVer {
    /// Major, minor, patch as digit strings without leading zeros (any length).
    core: [String; 3],
    pre: Vec<Ident>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Ident {
    Num(String),
    Alnum(String),
}

impl SemVer {
    /// `None` when the text is not a SemVer version.
    pub fn parse(text: &str) -> Option<SemVer> {
        if text.len() > MAX_LEN {
            return None;
        }
        let t = text.trim();
        let t = t.strip_prefix('=').unwrap_or(t);
        let t = t.strip_prefix(['v', 'V']).unwrap_or(t);
        let t = t.split_once('+').map_or(t, |(v, _build)| v);
        let (core, pre) = match t.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (t, None),
        };
        let mut parts = core.split('.');
        let mut nums: [String; 3] = Default::default();
        for slot in &mut nums {
            *slot = numeric(parts.next()?)?;
        }
        if parts.next().is_some() {
            return None;
        }
        let pre = match pre {
            None => Vec::new(),
            Some(p) => p
                .split('.')
                .map(|id| {
                    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    {
                        None
                    } else if id.bytes().all(|b| b.is_ascii_digit()) {
                        numeric(id).map(Ident::Num)
                    } else {
                        Some(Ident::Alnum(id.to_string()))
                    }
                })
                .collect::<Option<Vec<_>>>()?,
        };
        Some(SemVer { core: nums, pre })
    }
}

fn numeric(s: &str) -> Option<String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = s.trim_start_matches('0');
    Some(if t.is_empty() { "0".into() } else { t.into() })
}

fn cmp_num(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn cmp_ident(a: &Ident, b: &Ident) -> Ordering {
    match (a, b) {
        (Ident::Num(x), Ident::Num(y)) => cmp_num(x, y),
        (Ident::Num(_), Ident::Alnum(_)) => Ordering::Less,
        (Ident::Alnum(_), Ident::Num(_)) => Ordering::Greater,
        (Ident::Alnum(x), Ident::Alnum(y)) => x.as_bytes().cmp(y.as_bytes()),
    }
}

impl Ord for SemVer {
    fn cmp(&self, other: &Self) -> Ordering {
        for (a, b) in self.core.iter().zip(other.core.iter()) {
            let o = cmp_num(a, b);
            if o.is_ne() {
                return o;
            }
        }
        match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            (false, false) => {}
        }
        for (a, b) in self.pre.iter().zip(other.pre.iter()) {
            let o = cmp_ident(a, b);
            if o.is_ne() {
                return o;
            }
        }
        self.pre.len().cmp(&other.pre.len())
    }
}
impl PartialOrd for SemVer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for SemVer {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}
impl Eq for SemVer {}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> SemVer {
        SemVer::parse(s).unwrap_or_else(|| panic!("{s} should parse"))
    }

    fn ascending(list: &[&str]) {
        for (i, a) in list.iter().enumerate() {
            for b in list.iter().skip(i + 1) {
                assert!(v(a) < v(b), "expected {a} < {b}");
                assert!(v(b) > v(a), "expected {b} > {a}");
            }
        }
    }

    #[test]
    fn spec_11_examples() {
        // semver.org 2.0.0 §11 items 2 and 4.
        ascending(&["1.0.0", "2.0.0", "2.1.0", "2.1.1"]);
        ascending(&["1.0.0-alpha", "1.0.0"]);
        ascending(&[
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
        ]);
    }

    #[test]
    fn build_metadata_ignored_and_loose_prefixes() {
        assert_eq!(v("1.0.0+20130313144700"), v("1.0.0"));
        assert_eq!(v("1.0.0-beta+exp.sha.5114f85"), v("1.0.0-beta"));
        assert_eq!(v("v1.2.3"), v("1.2.3"));
        assert_eq!(v("=1.2.3"), v("1.2.3"));
        assert_eq!(v("01.2.3"), v("1.2.3"));
    }

    #[test]
    fn numbers_compare_numerically_at_any_length() {
        ascending(&["1.2.9", "1.2.10", "1.10.0", "99999999999999999999.0.0"]);
        ascending(&["1.0.0-2", "1.0.0-10", "1.0.0-a"]);
    }

    #[test]
    fn rejects_non_semver() {
        for s in [
            "",
            "1",
            "1.2",
            "1.2.3.4",
            "1.2.x",
            "a.b.c",
            "1.2.3-",
            "1.2.3-a..b",
            "1.2.3-é",
        ] {
            assert!(SemVer::parse(s).is_none(), "{s:?}");
        }
    }
}
