//! Maven version ordering: our own implementation of the rules of Maven's `ComparableVersion`
//! (the "Version Order Specification" of the POM reference, as of Maven 3.9 / 4, including
//! MNG-5568, MNG-6572, MNG-6964, MNG-7644 and MNG-7714).
//!
//! A version is split into items at `.`, `-` and every letter/digit transition. Numbers compare
//! numerically (any length); strings are qualifiers, ordered
//! `alpha` < `beta` < `milestone` < `rc` = `cr` < `snapshot` < `""` = `ga` = `final` = `release`
//! < `sp` < unknown qualifiers (lexically); `a1`, `b1`, `m1` are `alpha-1`, `beta-1`,
//! `milestone-1`. A `-` opens a sub-list that ranks below a `.`-separated number, and `X-1` /
//! `X1` form a qualifier+number combination. Trailing zeros and release qualifiers are dropped,
//! so `1` = `1.0` = `1-0` = `1-ga`.
//!
//! Only ordering is provided (`Ord`); two versions that order equal compare `Equal` even if
//! they were written differently. Input longer than [`MAX_LEN`] is refused, like Maven does,
//! which also bounds the nesting depth of the comparison.

use std::cmp::Ordering;

/// Longest version string accepted (Maven's own bound).
pub const MAX_LEN: usize = 256;

/// A parsed Maven version.
#[derive(Debug, Clone)]
pub struct MavenVersion {
    original: String,
    items: Vec<Item>,
}

#[derive(Debug, Clone)]
enum Item {
    /// A number: ASCII digits with leading zeros stripped ("0" for zero).
    Num(String),
    Str(Qualifier),
    /// A qualifier directly followed by a number (`rc1`, `sp-2`).
    Comb(Qualifier, Box<Item>),
    List(Vec<Item>),
}

#[derive(Debug, Clone)]
struct Qualifier {
    /// Rank among the known qualifiers; unknown qualifiers rank 7 and then sort by `value`.
    rank: u8,
    value: String,
}

const RELEASE_RANK: u8 = 5;
const UNKNOWN_RANK: u8 = 7;

impl Qualifier {
    fn new(raw: &str, followed_by_digit: bool) -> Qualifier {
        let value = match (followed_by_digit, raw) {
            (true, "a") => "alpha",
            (true, "b") => "beta",
            (true, "m") => "milestone",
            (_, "cr") => "rc",
            (_, v) => v,
        };
        let rank = match value {
            "alpha" => 0,
            "beta" => 1,
            "milestone" => 2,
            "rc" => 3,
            "snapshot" => 4,
            "" | "ga" | "final" | "release" => RELEASE_RANK,
            "sp" => 6,
            _ => UNKNOWN_RANK,
        };
        Qualifier {
            rank,
            value: value.to_string(),
        }
    }

    fn key(&self) -> (u8, &str) {
        if self.rank == UNKNOWN_RANK {
            (self.rank, self.value.as_str())
        } else {
            (self.rank, "")
        }
    }

    fn cmp_q(&self, other: &Qualifier) -> Ordering {
        self.key().cmp(&other.key())
    }

    /// Against "nothing": below a release (`1-rc < 1`), above it (`1-sp > 1`), or equal.
    fn cmp_null(&self) -> Ordering {
        self.rank.cmp(&RELEASE_RANK)
    }
}

/// Version strings Maven would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MavenVersionError {
    #[error("version string too long ({0} bytes, at most {MAX_LEN})")]
    TooLong(usize),
}

impl MavenVersion {
    pub fn parse(version: &str) -> Result<MavenVersion, MavenVersionError> {
        if version.len() > MAX_LEN {
            return Err(MavenVersionError::TooLong(version.len()));
        }
        Ok(MavenVersion {
            original: version.to_string(),
            items: parse_items(version),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.original
    }
}

impl PartialEq for MavenVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for MavenVersion {}
impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_lists(&self.items, &other.items)
    }
}

/// Lists under construction live in an arena; `Node::Sub(i)` points at arena slot `i`.
enum Node {
    Item(Item),
    Sub(usize),
}

struct Builder {
    arena: Vec<Vec<Node>>,
    /// Sub-lists in the order they were opened; normalised innermost (last) first.
    opened: Vec<usize>,
    current: usize,
}

impl Builder {
    fn push(&mut self, item: Item) {
        if let Some(list) = self.arena.get_mut(self.current) {
            list.push(Node::Item(item));
        }
    }

    fn current_is_empty(&self) -> bool {
        self.arena.get(self.current).is_none_or(Vec::is_empty)
    }

    /// Opens a sub-list inside the current list and makes it current.
    fn open(&mut self) {
        let id = self.arena.len();
        self.arena.push(Vec::new());
        if let Some(list) = self.arena.get_mut(self.current) {
            list.push(Node::Sub(id));
        }
        self.opened.push(id);
        self.current = id;
    }
}

fn parse_items(version: &str) -> Vec<Item> {
    let v = version.to_lowercase();
    let mut b = Builder {
        arena: vec![Vec::new()],
        opened: vec![0],
        current: 0,
    };
    let mut is_digit = false;
    let mut is_comb = false;
    let mut start = 0usize;
    let mut chars = v.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let piece = v.get(start..i).unwrap_or("");
        match c {
            '.' => {
                if i == start {
                    b.push(Item::Num("0".into()));
                } else {
                    b.push(make_item(is_comb, is_digit, piece));
                }
                is_comb = false;
                start = i + 1;
            }
            '-' => {
                if i == start {
                    b.push(Item::Num("0".into()));
                } else {
                    // `X-1` is read as `X1`.
                    if !is_digit && next.is_some_and(|n| n.is_ascii_digit()) {
                        is_comb = true;
                        continue;
                    }
                    b.push(make_item(is_comb, is_digit, piece));
                }
                start = i + 1;
                if !b.current_is_empty() {
                    b.open();
                }
                is_comb = false;
            }
            '0'..='9' => {
                if !is_digit && i > start {
                    // `X1`
                    is_comb = true;
                    if !b.current_is_empty() {
                        b.open();
                    }
                }
                is_digit = true;
            }
            _ => {
                if is_digit && i > start {
                    b.push(make_item(is_comb, true, piece));
                    start = i;
                    b.open();
                    is_comb = false;
                }
                is_digit = false;
            }
        }
    }
    if let Some(rest) = v.get(start..).filter(|r| !r.is_empty()) {
        // `1.0.0.X1 < 1.0.0-X2`: a trailing `.X` is read as `-X`.
        if !is_digit && !b.current_is_empty() {
            b.open();
        }
        b.push(make_item(is_comb, is_digit, rest));
    }
    for &id in b.opened.iter().rev() {
        normalize(&mut b.arena, id);
    }
    build(&mut b.arena, 0)
}

fn make_item(is_comb: bool, is_digit: bool, buf: &str) -> Item {
    if is_comb {
        let buf: String = buf.chars().filter(|&c| c != '-').collect();
        let split = buf.find(|c: char| c.is_ascii_digit()).unwrap_or(0);
        let (s, d) = buf.split_at(split);
        Item::Comb(Qualifier::new(s, true), Box::new(number(d)))
    } else if is_digit {
        number(buf)
    } else {
        Item::Str(Qualifier::new(buf, false))
    }
}

fn number(digits: &str) -> Item {
    let trimmed: String = digits
        .chars()
        .filter(char::is_ascii_digit)
        .skip_while(|&c| c == '0')
        .collect();
    Item::Num(if trimmed.is_empty() {
        "0".into()
    } else {
        trimmed
    })
}

fn node_is_null(arena: &[Vec<Node>], node: &Node) -> bool {
    match node {
        Node::Item(Item::Num(n)) => n == "0",
        Node::Item(Item::Str(q)) => q.value.is_empty(),
        Node::Item(Item::Comb(..)) => false,
        Node::Item(Item::List(l)) => l.is_empty(),
        Node::Sub(id) => arena.get(*id).is_none_or(Vec::is_empty),
    }
}

/// Drops null items (zeros, empty lists) that are followed by nothing, by a qualifier, or by a
/// sub-list that starts with a qualifier; then unwraps a list whose only item is a list.
fn normalize(arena: &mut [Vec<Node>], id: usize) {
    let Some(mut list) = arena.get_mut(id).map(std::mem::take) else {
        return;
    };
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        let Some(node) = list.get(i) else { continue };
        if !node_is_null(arena, node) {
            continue;
        }
        let remove = match list.get(i + 1) {
            None => true,
            Some(Node::Item(Item::Str(_))) => true,
            Some(Node::Sub(sub)) => matches!(
                arena.get(*sub).and_then(|l| l.first()),
                Some(Node::Item(Item::Comb(..) | Item::Str(_)))
            ),
            Some(_) => false,
        };
        if remove {
            list.remove(i);
        }
    }
    if let [Node::Sub(sub)] = list.as_slice() {
        let sub = *sub;
        if let Some(inner) = arena.get_mut(sub).map(std::mem::take) {
            list = inner;
        }
    }
    if let Some(slot) = arena.get_mut(id) {
        *slot = list;
    }
}

fn build(arena: &mut [Vec<Node>], id: usize) -> Vec<Item> {
    let list = arena.get_mut(id).map(std::mem::take).unwrap_or_default();
    list.into_iter()
        .map(|node| match node {
            Node::Item(item) => item,
            // Sub-lists always have a higher id than their parent: no cycles.
            Node::Sub(sub) if sub > id => Item::List(build(arena, sub)),
            Node::Sub(_) => Item::List(Vec::new()),
        })
        .collect()
}

fn cmp_num(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// `item` compared with "nothing" (the shorter side of a list comparison).
fn cmp_null(item: &Item) -> Ordering {
    match item {
        Item::Num(n) => {
            if n == "0" {
                Ordering::Equal
            } else {
                Ordering::Greater
            }
        }
        Item::Str(q) => q.cmp_null(),
        Item::Comb(q, digits) => match q.cmp_null() {
            Ordering::Equal => cmp_null(digits),
            other => other,
        },
        Item::List(l) => l
            .iter()
            .map(cmp_null)
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal),
    }
}

fn cmp_item(a: &Item, b: &Item) -> Ordering {
    use Item::*;
    match (a, b) {
        (Num(x), Num(y)) => cmp_num(x, y),
        (Num(_), _) => Ordering::Greater,
        (_, Num(_)) => Ordering::Less,
        (Str(x), Str(y)) => x.cmp_q(y),
        (Str(x), Comb(yq, yd)) => match x.cmp_q(yq) {
            Ordering::Equal if x.cmp_null().is_eq() => cmp_null(yd).reverse(),
            Ordering::Equal => Ordering::Less,
            other => other,
        },
        (Comb(..), Str(_)) => cmp_item(b, a).reverse(),
        (Comb(xq, xd), Comb(yq, yd)) => xq.cmp_q(yq).then_with(|| cmp_item(xd, yd)),
        (List(x), List(y)) => cmp_lists(x, y),
        (List(x), scalar) => cmp_list_scalar(x, scalar),
        (scalar, List(y)) => cmp_list_scalar(y, scalar).reverse(),
    }
}

fn cmp_list_scalar(list: &[Item], scalar: &Item) -> Ordering {
    let mut result = match list.first() {
        None => cmp_null(scalar).reverse(),
        Some(first) => cmp_item(first, scalar),
    };
    for item in list.iter().skip(1) {
        if result.is_ne() {
            break;
        }
        result = cmp_null(item);
    }
    result
}

fn cmp_lists(a: &[Item], b: &[Item]) -> Ordering {
    let n = a.len().max(b.len());
    for i in 0..n {
        let r = match (a.get(i), b.get(i)) {
            (Some(l), Some(r)) => cmp_item(l, r),
            (Some(l), None) => cmp_null(l),
            (None, Some(r)) => cmp_null(r).reverse(),
            (None, None) => Ordering::Equal,
        };
        if r.is_ne() {
            return r;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    //! Test vectors from Maven's `ComparableVersionTest` (apache/maven, compat/maven-artifact).
    use super::*;

    fn v(s: &str) -> MavenVersion {
        MavenVersion::parse(s).unwrap()
    }

    fn check_order(versions: &[&str]) {
        for (i, low) in versions.iter().enumerate() {
            for high in versions.iter().skip(i + 1) {
                assert!(v(low) < v(high), "expected {low} < {high}");
                assert!(v(high) > v(low), "expected {high} > {low}");
            }
        }
    }

    fn check_eq(a: &str, b: &str) {
        assert_eq!(v(a).cmp(&v(b)), Ordering::Equal, "expected {a} == {b}");
        assert_eq!(v(b).cmp(&v(a)), Ordering::Equal, "expected {b} == {a}");
    }

    fn check_lt(a: &str, b: &str) {
        assert!(v(a) < v(b), "expected {a} < {b}");
        assert!(v(b) > v(a), "expected {b} > {a}");
    }

    const VERSIONS_QUALIFIER: &[&str] = &[
        "1-alpha2snapshot",
        "1-alpha2",
        "1-alpha-123",
        "1-beta-2",
        "1-beta123",
        "1-m2",
        "1-m11",
        "1-rc",
        "1-cr2",
        "1-rc123",
        "1-SNAPSHOT",
        "1",
        "1-sp",
        "1-sp2",
        "1-sp123",
        "1-abc",
        "1-def",
        "1-pom-1",
        "1-1-snapshot",
        "1-1",
        "1-2",
        "1-123",
    ];

    // Since MNG-7644 `2.0.a` (= `2-a`) sorts before `2-1`; older Maven had the reverse.
    const VERSIONS_NUMBER: &[&str] = &[
        "2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1",
        "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11", "11",
        "11.a", "11b", "11c", "11m",
    ];

    #[test]
    fn versions_qualifier() {
        check_order(VERSIONS_QUALIFIER);
    }

    #[test]
    fn versions_number() {
        check_order(VERSIONS_NUMBER);
    }

    #[test]
    fn versions_equal() {
        for (a, b) in [
            ("1", "1"),
            ("1", "1.0"),
            ("1", "1.0.0"),
            ("1.0", "1.0.0"),
            ("1", "1-0"),
            ("1", "1.0-0"),
            ("1.0", "1.0-0"),
            ("1a", "1-a"),
            ("1a", "1.0-a"),
            ("1a", "1.0.0-a"),
            ("1.0a", "1-a"),
            ("1.0.0a", "1-a"),
            ("1x", "1-x"),
            ("1x", "1.0-x"),
            ("1x", "1.0.0-x"),
            ("1.0x", "1-x"),
            ("1.0.0x", "1-x"),
            ("1cr", "1rc"),
            ("1a1", "1-alpha-1"),
            ("1b2", "1-beta-2"),
            ("1m3", "1-milestone-3"),
            ("1X", "1x"),
            ("1A", "1a"),
            ("1B", "1b"),
            ("1M", "1m"),
            ("1Cr", "1Rc"),
            ("1cR", "1rC"),
            ("1m3", "1Milestone3"),
            ("1m3", "1MileStone3"),
            ("1m3", "1MILESTONE3"),
            // Same order, though Maven's equals() tells them apart.
            ("1ga", "1"),
            ("1release", "1"),
            ("1final", "1"),
            ("1Ga", "1"),
            ("1GA", "1"),
            ("1RELEASE", "1"),
            ("1RELeaSE", "1"),
            ("1Final", "1"),
            ("1FinaL", "1"),
            ("1FINAL", "1"),
            ("1-ga", "1"),
            ("1-final", "1"),
            (
                "1-abcdefghijklmnopqrstuvwxyz",
                "1-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            ),
            ("1.0.0-alpha1", "1.0.0-ALPHA1"),
            ("1.a", "1.A"),
            ("1.é", "1.É"),
        ] {
            check_eq(a, b);
        }
    }

    #[test]
    fn version_comparing() {
        for (a, b) in [
            ("1", "2"),
            ("1.5", "2"),
            ("1", "2.5"),
            ("1.0", "1.1"),
            ("1.1", "1.2"),
            ("1.0.0", "1.1"),
            ("1.0.1", "1.1"),
            ("1.1", "1.2.0"),
            ("1.0-alpha-1", "1.0"),
            ("1.0-alpha-1", "1.0-alpha-2"),
            ("1.0-alpha-1", "1.0-beta-1"),
            ("1.0-beta-1", "1.0-SNAPSHOT"),
            ("1.0-SNAPSHOT", "1.0"),
            ("1.0-alpha-1-SNAPSHOT", "1.0-alpha-1"),
            ("1.0", "1.0-1"),
            ("1.0-1", "1.0-2"),
            ("1.0.0", "1.0-1"),
            ("2.0-1", "2.0.1"),
            ("2.0.1-klm", "2.0.1-lmn"),
            ("2.0.1", "2.0.1-xyz"),
            ("2.0.1", "2.0.1-123"),
            ("2.0.1-xyz", "2.0.1-123"),
            ("0.7", "2"),
            ("0.2", "1.0.7"),
            // Digits are greater than letters; lexical order of unknown qualifiers.
            ("J", "7"),
            ("c", "7"),
            ("\u{0668}", "1"),
            ("\u{0668}", "9"),
            ("é", "1"),
            ("aardvark", "zebra"),
            ("zebra", "ζέβρα"),
        ] {
            check_lt(a, b);
        }
    }

    #[test]
    fn mng_5568_transitivity() {
        check_lt("6.1.0rc3", "6.1.0");
        check_lt("6.1.0rc3", "6.1H.5-beta");
        check_lt("6.1.0", "6.1H.5-beta");
    }

    #[test]
    fn mng_6572_long_numbers() {
        let a = "20190126.230843";
        let b = "1234567890.12345";
        let c = "123456789012345.1H.5-beta";
        let d = "12345678901234567890.1H.5-beta";
        check_lt(a, b);
        check_lt(b, c);
        check_lt(a, c);
        check_lt(c, d);
        check_lt(b, d);
        check_lt(a, d);
    }

    #[test]
    fn leading_zeroes() {
        let ones: Vec<String> = (1..=19)
            .map(|n| format!("{}1", "0".repeat(n - 1)))
            .collect();
        let zeros: Vec<String> = (1..=19).map(|n| "0".repeat(n)).collect();
        for set in [ones, zeros] {
            for a in &set {
                for b in &set {
                    check_eq(a, b);
                }
            }
        }
    }

    #[test]
    fn mng_6964_zero_then_qualifier() {
        check_lt("1-0.alpha", "1");
        check_lt("1-0.beta", "1");
        check_lt("1-0.alpha", "1-0.beta");
    }

    #[test]
    fn mng_7644_dot_qualifier_is_dash_qualifier() {
        for x in [
            "abc",
            "alpha",
            "a",
            "beta",
            "b",
            "def",
            "milestone",
            "m",
            "RC",
        ] {
            check_lt(&format!("1.0.0.{x}1"), &format!("1.0.0-{x}2"));
            check_eq(&format!("2-{x}"), &format!("2.0.{x}"));
            check_eq(&format!("2-{x}"), &format!("2.0.0.{x}"));
            check_eq(&format!("2.0.{x}"), &format!("2.0.0.{x}"));
        }
    }

    #[test]
    fn mng_7714_sp_after_final() {
        check_lt("1.0.final-redhat", "1.0-sp1-redhat");
        check_lt("1.0.final-redhat", "1.0-sp-1-redhat");
        check_lt("1.0.final-redhat", "1.0-sp.1-redhat");
    }

    #[test]
    fn qualifier_ladder() {
        check_order(&[
            "1-alpha",
            "1-beta",
            "1-milestone",
            "1-rc",
            "1-snapshot",
            "1",
            "1-sp",
        ]);
        check_eq("1-rc", "1-cr");
        check_eq("1", "1-release");
    }

    #[test]
    fn advisory_versions() {
        // Four-part jackson versions, guava flavours, protobuf rc ranges.
        check_lt("2.12.6", "2.12.6.1");
        check_lt("2.12.6.1", "2.12.7");
        check_lt("2.13.4", "2.13.4.1");
        check_lt("2.13.4.1", "2.13.4.2");
        check_lt("3.21.0-rc-1", "3.21.0");
        check_lt("3.20.3", "3.21.0-rc-1");
        check_lt("31.1-android", "32.0.0");
        check_lt("29.0-android", "29.0-jre");
        check_lt("2.4.0-rc1", "2.4.0");
        check_lt("2.14.1", "2.15.0");
        check_lt("2.0-beta9", "2.14.1");
    }

    #[test]
    fn hostile_input() {
        assert!(MavenVersion::parse(&"1".repeat(MAX_LEN + 1)).is_err());
        let deep = "a-1".repeat(MAX_LEN / 3);
        let x = v(&deep);
        let y = v(&format!("{deep}x"));
        let _ = x.cmp(&y);
        for s in [
            "",
            "-",
            ".",
            "--",
            "..",
            "-.-",
            "a-",
            "1-",
            ".a",
            "-1",
            "0-0-0",
            "\u{10000}1",
        ] {
            let a = v(s);
            assert_eq!(a.cmp(&a), Ordering::Equal, "{s:?}");
            let _ = a.cmp(&v("1"));
        }
    }
}
