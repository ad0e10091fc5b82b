//! OpenSSL release ordering: numeric `MAJOR.MINOR.FIX`, then the letter patch suffix of the 0.9.x
//! and 1.x series (`1.0.2` < `1.0.2a` < … < `1.0.2z` < `1.0.2za` < … < `1.0.2zh` < `1.1.0`),
//! then pre-releases below the release (`1.1.0-pre1`, `3.0.0-alpha1`, `3.0.0-beta2`). Other
//! dash suffixes (`-fips`, `-dev` builds of a release) do not change the position.

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSslVersion {
    nums: Vec<u64>,
    letters: String,
    /// `None` for a release; `Some((stage, n))` for pre-releases (stage: 0 pre/alpha, 1 beta).
    pre: Option<(u8, u64)>,
}

impl OpenSslVersion {
    pub fn parse(text: &str) -> Option<OpenSslVersion> {
        let t = text.trim();
        if t.len() > 64 {
            return None;
        }
        let t = t
            .strip_prefix("OpenSSL_")
            .or_else(|| t.strip_prefix("openssl-"))
            .unwrap_or(t);
        let (main, tag) = match t.split_once(['-', '_']) {
            Some((m, tag)) => (m, Some(tag.to_ascii_lowercase())),
            None => (t, None),
        };
        let digits_end = main
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(main.len());
        let (numeric, letters) = main.split_at(digits_end);
        if numeric.is_empty() || !letters.bytes().all(|b| b.is_ascii_alphabetic()) {
            return None;
        }
        let nums = numeric
            .trim_end_matches('.')
            .split('.')
            .map(|p| p.parse::<u64>().ok())
            .collect::<Option<Vec<_>>>()?;
        let pre = tag.and_then(|tag| {
            let split = tag.find(|c: char| c.is_ascii_digit()).unwrap_or(tag.len());
            let (word, n) = tag.split_at(split);
            let n = n.parse::<u64>().unwrap_or(0);
            match word {
                "pre" | "alpha" => Some((0, n)),
                "beta" => Some((1, n)),
                _ => None,
            }
        });
        Some(OpenSslVersion {
            nums,
            letters: letters.to_ascii_lowercase(),
            pre,
        })
    }
}

impl Ord for OpenSslVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.nums.len().max(other.nums.len());
        for i in 0..n {
            let a = self.nums.get(i).copied().unwrap_or(0);
            let b = other.nums.get(i).copied().unwrap_or(0);
            if a != b {
                return a.cmp(&b);
            }
        }
        // Letter suffixes: "" < "a" < … < "z" < "za" < … — plain lexical order does this.
        self.letters
            .cmp(&other.letters)
            .then_with(|| match (&self.pre, &other.pre) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => a.cmp(b),
            })
    }
}
impl PartialOrd for OpenSslVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> OpenSslVersion {
        OpenSslVersion::parse(s).unwrap_or_else(|| panic!("{s} should parse"))
    }

    #[test]
    fn release_ladder() {
        let list = [
            "0.9.8",
            "0.9.8zh",
            "1.0.1",
            "1.0.1f",
            "1.0.1g",
            "1.0.2",
            "1.0.2a",
            "1.0.2k",
            "1.0.2z",
            "1.0.2za",
            "1.0.2zd",
            "1.0.2zh",
            "1.1.0-pre1",
            "1.1.0",
            "1.1.0l",
            "1.1.1",
            "1.1.1k",
            "1.1.1n",
            "1.1.1w",
            "3.0.0-alpha1",
            "3.0.0-beta2",
            "3.0.0",
            "3.0.2",
            "3.0.10",
            "3.1.0",
        ];
        for (i, a) in list.iter().enumerate() {
            for b in list.iter().skip(i + 1) {
                assert!(v(a) < v(b), "expected {a} < {b}");
            }
        }
    }

    #[test]
    fn suffixes_and_tags() {
        assert_eq!(v("1.0.2k-fips"), v("1.0.2k"));
        assert_eq!(v("1.1.1K"), v("1.1.1k"));
        assert!(OpenSslVersion::parse("abc").is_none());
        assert!(OpenSslVersion::parse("1.0.2k2").is_none());
    }
}
