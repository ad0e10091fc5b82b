//! Fallback ordering for schemes we do not know: the text is split into runs of digits and runs
//! of letters (anything else separates). Digit runs compare numerically, letter runs
//! case-insensitively; at the end of the shorter version a missing number counts as 0 and a
//! remaining letter run ranks below it (`1.0-rc1` < `1.0` = `1.0.0` < `1.0.1`). A leading `v`
//! is ignored.

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenericVersion {
    tokens: Vec<Token>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Num(String),
    Word(String),
}

/// Most tokens kept from one version string.
const MAX_TOKENS: usize = 64;

impl GenericVersion {
    pub fn parse(text: &str) -> GenericVersion {
        let t = text.trim();
        let t = match t.strip_prefix(['v', 'V']) {
            Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
            _ => t,
        };
        let mut tokens = Vec::new();
        let mut cur = String::new();
        let mut cur_digit = false;
        let flush = |cur: &mut String, digit: bool, tokens: &mut Vec<Token>| {
            if cur.is_empty() || tokens.len() >= MAX_TOKENS {
                cur.clear();
                return;
            }
            let s = std::mem::take(cur);
            tokens.push(if digit {
                let z = s.trim_start_matches('0');
                Token::Num(if z.is_empty() { "0".into() } else { z.into() })
            } else {
                Token::Word(s.to_lowercase())
            });
        };
        for c in t.chars() {
            if c.is_ascii_digit() {
                if !cur_digit {
                    flush(&mut cur, false, &mut tokens);
                }
                cur_digit = true;
                cur.push(c);
            } else if c.is_alphabetic() {
                if cur_digit {
                    flush(&mut cur, true, &mut tokens);
                }
                cur_digit = false;
                cur.push(c);
            } else {
                flush(&mut cur, cur_digit, &mut tokens);
            }
        }
        flush(&mut cur, cur_digit, &mut tokens);
        // Trailing zeros do not matter: 1.0 = 1.
        while matches!(tokens.last(), Some(Token::Num(n)) if n == "0") {
            tokens.pop();
        }
        GenericVersion { tokens }
    }
}

impl Ord for GenericVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.tokens.len().max(other.tokens.len());
        for i in 0..n {
            let o = match (self.tokens.get(i), other.tokens.get(i)) {
                (Some(Token::Num(a)), Some(Token::Num(b))) => cmp_digits(a, b),
                (Some(Token::Num(_)), Some(Token::Word(_))) => Ordering::Greater,
                (Some(Token::Word(_)), Some(Token::Num(_))) => Ordering::Less,
                (Some(Token::Word(a)), Some(Token::Word(b))) => a.cmp(b),
                // A missing number is 0 (trailing zeros were dropped at parse time).
                (Some(Token::Num(a)), None) => cmp_digits(a, "0"),
                (Some(Token::Word(_)), None) => Ordering::Less,
                (None, Some(Token::Num(b))) => cmp_digits("0", b),
                (None, Some(Token::Word(_))) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            };
            if o.is_ne() {
                return o;
            }
        }
        Ordering::Equal
    }
}
fn cmp_digits(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

impl PartialOrd for GenericVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> GenericVersion {
        GenericVersion::parse(s)
    }

    #[test]
    fn ordering() {
        let list = [
            "0.9", "1.0-rc1", "1.0", "1.0.1", "1.2", "1.10", "2", "v2.1", "10.0",
        ];
        for (i, a) in list.iter().enumerate() {
            for b in list.iter().skip(i + 1) {
                assert!(v(a) < v(b), "expected {a} < {b}");
            }
        }
        assert_eq!(v("1.0"), v("1"));
        assert_eq!(v("1.0.0"), v("v1"));
        assert_eq!(v("4.4.0"), v("4.4"));
    }

    #[test]
    fn hostile() {
        let long = "1.".repeat(10_000);
        assert!(v(&long).tokens.len() <= MAX_TOKENS);
        assert_eq!(v(""), v("..."));
    }
}
