//! Corpus accuracy (issue 3, point 7): recall of mastiff's rules on the documented weaknesses of
//! the vulnerable apps in `../shared/corpus`.
//!
//! `tests/accuracy/truth.toml` lists, by hand, every statically detectable item of each app with a
//! truth file (CWE and/or MASVS control, what it is and where, and hints that the finding must
//! name), and says why the other documented items were left out. This test scans each listed app,
//! matches items to findings (or, for `kind = "evidence"`, to the positive evidence of a control)
//! one to one, prints a table per app, the recall per app and per scope, and fails when the
//! overall recall is below 90 %. Negative controls (`expect = "absent"`) are printed as false
//! positives; they do not count in recall.
//!
//! Run: `cargo test --release -p mastiff-rules --test accuracy -- --include-ignored --nocapture`.
//! It passes with a note when `../shared/corpus` is absent.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use mastiff_core::{Control, Date, Report};
use mastiff_rules::{scan_bytes, ScanOptions};

/// Overall recall below this fails the test.
const MIN_RECALL: f64 = 0.90;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

fn truth_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/accuracy/truth.toml")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Finding,
    Evidence,
}

#[derive(Debug)]
struct Item {
    app: String,
    id: String,
    what: String,
    masvs: Option<Control>,
    cwe: Vec<u32>,
    /// All must appear.
    hint: Vec<String>,
    /// At least one must appear (when not empty).
    hint_any: Vec<String>,
    kind: Kind,
    scope: String,
    absent: bool,
}

impl Item {
    fn label(&self) -> String {
        let mut ids: Vec<String> = self.masvs.iter().map(|c| c.id().to_string()).collect();
        ids.extend(self.cwe.iter().map(|c| format!("CWE-{c}")));
        format!("{} [{}]", self.id, ids.join(" "))
    }

    fn hints_match(&self, text: &str) -> bool {
        let text = text.to_lowercase();
        self.hint.iter().all(|h| text.contains(&h.to_lowercase()))
            && (self.hint_any.is_empty()
                || self
                    .hint_any
                    .iter()
                    .any(|h| text.contains(&h.to_lowercase())))
    }
}

const SCOPES: [&str; 3] = ["code", "manifest", "beyond"];
const KEYS: [&str; 10] = [
    "app", "id", "what", "masvs", "cwe", "hint", "hint_any", "kind", "scope", "expect",
];

fn strings(t: &toml::Table, key: &str, ctx: &str) -> Vec<String> {
    match t.get(key) {
        None => Vec::new(),
        Some(toml::Value::String(s)) => vec![s.clone()],
        Some(toml::Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str()
                    .unwrap_or_else(|| panic!("{ctx}: {key} holds a non-string"))
                    .to_string()
            })
            .collect(),
        Some(v) => panic!("{ctx}: {key} must be a string or a list of strings, not {v:?}"),
    }
}

/// Reads and validates truth.toml (unknown keys, unknown controls, duplicate ids are errors).
fn load_truth() -> (Vec<Item>, BTreeMap<String, String>) {
    let text = std::fs::read_to_string(truth_path()).expect("tests/accuracy/truth.toml");
    let table: toml::Table = text.parse().expect("truth.toml is valid TOML");
    let mut items = Vec::new();
    let mut seen = BTreeSet::new();
    let list = table
        .get("item")
        .and_then(toml::Value::as_array)
        .expect("truth.toml has [[item]] entries");
    for (n, v) in list.iter().enumerate() {
        let t = v.as_table().expect("[[item]] is a table");
        let ctx = format!("item #{}", n + 1);
        for k in t.keys() {
            assert!(KEYS.contains(&k.as_str()), "{ctx}: unknown key {k}");
        }
        let get = |k: &str| t.get(k).and_then(toml::Value::as_str).map(str::to_string);
        let app = get("app").unwrap_or_else(|| panic!("{ctx}: no app"));
        let id = get("id").unwrap_or_else(|| panic!("{ctx}: no id"));
        let ctx = format!("{app} {id}");
        assert!(
            seen.insert((app.clone(), id.clone())),
            "{ctx}: duplicate id"
        );
        let masvs = get("masvs")
            .map(|m| Control::from_id(&m).unwrap_or_else(|| panic!("{ctx}: unknown control {m}")));
        let cwe: Vec<u32> = match t.get("cwe") {
            None => Vec::new(),
            Some(v) => v
                .as_array()
                .unwrap_or_else(|| panic!("{ctx}: cwe must be a list"))
                .iter()
                .map(|c| {
                    c.as_integer()
                        .and_then(|c| u32::try_from(c).ok())
                        .unwrap_or_else(|| panic!("{ctx}: bad CWE {c:?}"))
                })
                .collect(),
        };
        let kind = match get("kind").as_deref() {
            None | Some("finding") => Kind::Finding,
            Some("evidence") => Kind::Evidence,
            Some(k) => panic!("{ctx}: unknown kind {k}"),
        };
        let scope = get("scope").unwrap_or_else(|| panic!("{ctx}: no scope"));
        assert!(SCOPES.contains(&scope.as_str()), "{ctx}: unknown scope");
        let absent = match get("expect").as_deref() {
            None => false,
            Some("absent") => true,
            Some(e) => panic!("{ctx}: unknown expect {e}"),
        };
        assert!(
            masvs.is_some() || !cwe.is_empty(),
            "{ctx}: needs a MASVS control or a CWE"
        );
        assert!(
            kind == Kind::Finding || masvs.is_some(),
            "{ctx}: evidence items need the control"
        );
        items.push(Item {
            what: get("what").unwrap_or_else(|| panic!("{ctx}: no what")),
            hint: strings(t, "hint", &ctx),
            hint_any: strings(t, "hint_any", &ctx),
            app,
            id,
            masvs,
            cwe,
            kind,
            scope,
            absent,
        });
    }
    let mut skips = BTreeMap::new();
    if let Some(list) = table.get("skip").and_then(toml::Value::as_array) {
        for v in list {
            let t = v.as_table().expect("[[skip]] is a table");
            let app = t["app"].as_str().expect("skip.app").to_string();
            let why = t["why"].as_str().expect("skip.why").to_string();
            skips.insert(app, why);
        }
    }
    (items, skips)
}

fn scan(file: &str) -> Report {
    let data = std::fs::read(corpus_dir().join("apps").join(file))
        .unwrap_or_else(|e| panic!("truth.toml names {file}, not readable in the corpus: {e}"));
    let opts = ScanOptions {
        scan_date: Date {
            year: 2026,
            month: 11,
            day: 22,
        },
        ..ScanOptions::default()
    };
    scan_bytes(file, &data, &opts)
}

/// Something a truth item can be matched to: a finding or a piece of positive evidence.
struct Candidate {
    kind: Kind,
    rule: String,
    controls: Vec<Control>,
    cwe: Vec<u32>,
    /// Message and every location, for the hints.
    text: String,
    /// An informational finding: it does not fail a control, so it is not a claim that the
    /// weakness is there (negative controls ignore it).
    info: bool,
}

fn candidates(report: &Report) -> Vec<Candidate> {
    let mut out = Vec::new();
    for f in &report.findings {
        let mut text = f.message.clone();
        for l in &f.locations {
            text.push('\n');
            text.push_str(&l.to_string());
        }
        out.push(Candidate {
            kind: Kind::Finding,
            rule: f.rule.clone(),
            controls: f.masvs.clone(),
            cwe: f.cwe.clone(),
            text,
            info: f.severity == mastiff_core::Severity::Info,
        });
    }
    for c in &report.controls {
        for e in &c.evidence {
            let mut text = e.message.clone();
            for l in &e.locations {
                text.push('\n');
                text.push_str(&l.to_string());
            }
            out.push(Candidate {
                kind: Kind::Evidence,
                rule: e.rule.clone(),
                controls: vec![e.control],
                cwe: Vec::new(),
                text,
                info: false,
            });
        }
    }
    out
}

fn matches(item: &Item, c: &Candidate) -> bool {
    if item.kind != c.kind {
        return false;
    }
    let by_id = item.masvs.is_some_and(|m| c.controls.contains(&m))
        || item.cwe.iter().any(|w| c.cwe.contains(w));
    by_id && item.hints_match(&c.text)
}

/// Maximum one-to-one matching of items to candidates (Kuhn's augmenting paths): a finding
/// satisfies at most one item, so two documented weaknesses in one class need two findings.
fn assign(items: &[&Item], cands: &[Candidate]) -> Vec<Option<usize>> {
    let edges: Vec<Vec<usize>> = items
        .iter()
        .map(|i| {
            (0..cands.len())
                .filter(|&c| matches(i, &cands[c]))
                .collect()
        })
        .collect();
    let mut owner: Vec<Option<usize>> = vec![None; cands.len()];
    fn augment(
        i: usize,
        edges: &[Vec<usize>],
        owner: &mut [Option<usize>],
        seen: &mut [bool],
    ) -> bool {
        for &c in &edges[i] {
            if seen[c] {
                continue;
            }
            seen[c] = true;
            if owner[c].is_none_or(|o| augment(o, edges, owner, seen)) {
                owner[c] = Some(i);
                return true;
            }
        }
        false
    }
    for i in 0..items.len() {
        let mut seen = vec![false; cands.len()];
        augment(i, &edges, &mut owner, &mut seen);
    }
    let mut out = vec![None; items.len()];
    for (c, o) in owner.iter().enumerate() {
        if let Some(i) = o {
            out[*i] = Some(c);
        }
    }
    out
}

#[derive(Default, Clone, Copy)]
struct Tally {
    found: usize,
    total: usize,
}

impl Tally {
    fn add(&mut self, found: bool) {
        self.total += 1;
        self.found += usize::from(found);
    }
    fn recall(self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.found as f64 / self.total as f64
        }
    }
    fn show(self) -> String {
        format!(
            "{}/{} = {:.1} %",
            self.found,
            self.total,
            self.recall() * 100.0
        )
    }
}

fn android_apps_with_truth() -> Vec<String> {
    let text = std::fs::read_to_string(corpus_dir().join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (file, platform, truth) = (col("filename"), col("platform"), col("truth_file"));
    lines
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|r| r.get(platform) == Some(&"android"))
        .filter(|r| r.get(truth).is_some_and(|t| !t.trim().is_empty()))
        .map(|r| r[file].to_string())
        .collect()
}

// Measured at 092ebcb: overall recall 165/181 = 91.2 % (all manifest items; the misses were
// hard-coded credentials without a telling name, MD5 through a parameter, taint across SMS,
// path traversal and FileProvider root paths). On 2026-12-07: 182/182 = 100 %, no false
// positive on the negative controls.
#[test]
fn corpus_recall_is_at_least_90_percent() {
    if !corpus_dir().join("MANIFEST.tsv").exists() {
        eprintln!("skipping: ../shared/corpus not found (accuracy needs the third-party corpus)");
        return;
    }
    let (items, skips) = load_truth();

    // Every Android app with a truth file is either in truth.toml or skipped with a reason.
    let listed: BTreeSet<&str> = items.iter().map(|i| i.app.as_str()).collect();
    for app in android_apps_with_truth() {
        assert!(
            listed.contains(app.as_str()) || skips.contains_key(&app),
            "{app} has a truth file but no item in truth.toml and no [[skip]] reason"
        );
    }
    for (app, why) in &skips {
        eprintln!("skipped {app}: {why}");
    }
    eprintln!(
        "iOS apps (.ipa) skipped: mastiff does not analyse iOS yet (out of scope of issue 3)"
    );

    let mut overall = Tally::default();
    let mut per_scope: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut per_app: Vec<(String, Tally)> = Vec::new();
    let mut missed_all = Vec::new();
    let mut false_positives = Vec::new();
    for app in &listed {
        let report = scan(app);
        let cands = candidates(&report);
        let app_items: Vec<&Item> = items
            .iter()
            .filter(|i| i.app == *app && !i.absent)
            .collect();
        let got = assign(&app_items, &cands);
        let mut tally = Tally::default();
        eprintln!("\n== {app}");
        for (item, hit) in app_items.iter().zip(&got) {
            let found = hit.is_some();
            tally.add(found);
            overall.add(found);
            per_scope.entry(item.scope.as_str()).or_default().add(found);
            match hit {
                Some(c) => eprintln!(
                    "  found   {:<48} {:<8} by {}",
                    item.label(),
                    item.scope,
                    cands[*c].rule
                ),
                None => {
                    eprintln!(
                        "  MISSED  {:<48} {:<8} {}",
                        item.label(),
                        item.scope,
                        item.what
                    );
                    missed_all.push(format!("{app} {} ({}): {}", item.id, item.scope, item.what));
                }
            }
        }
        for item in items.iter().filter(|i| i.app == *app && i.absent) {
            let hits: Vec<&str> = cands
                .iter()
                .filter(|c| !c.info && matches(item, c))
                .map(|c| c.rule.as_str())
                .collect();
            if hits.is_empty() {
                eprintln!("  absent  {:<48} (negative control holds)", item.label());
            } else {
                eprintln!(
                    "  FALSE+  {:<48} reported by {}",
                    item.label(),
                    hits.join(", ")
                );
                false_positives.push(format!("{app} {}: {}", item.id, hits.join(", ")));
            }
        }
        eprintln!("  recall {}", tally.show());
        per_app.push((app.to_string(), tally));
    }

    eprintln!("\n== recall per app");
    for (app, t) in &per_app {
        eprintln!("  {:<72} {}", app, t.show());
    }
    eprintln!("== recall per scope");
    for (scope, t) in &per_scope {
        eprintln!("  {scope:<10} {}", t.show());
    }
    eprintln!(
        "== false positives on negative controls: {}",
        false_positives.len()
    );
    for f in &false_positives {
        eprintln!("  {f}");
    }
    eprintln!("== overall recall {}", overall.show());
    assert!(overall.total > 0, "truth.toml lists no items");
    assert!(
        overall.recall() >= MIN_RECALL,
        "overall recall {} is below {:.0} %; missed:\n{}",
        overall.show(),
        MIN_RECALL * 100.0,
        missed_all.join("\n")
    );
}

/// The matcher itself: CWE or control, hints case-insensitive, kinds kept apart, one-to-one.
#[test]
fn matcher_is_one_to_one_and_needs_the_hints() {
    let item = |id: &str, cwe: u32, hint: &str| Item {
        app: "a".into(),
        id: id.into(),
        what: String::new(),
        masvs: None,
        cwe: vec![cwe],
        hint: vec![hint.into()],
        hint_any: Vec::new(),
        kind: Kind::Finding,
        scope: "code".into(),
        absent: false,
    };
    let cand = |cwe: u32, text: &str| Candidate {
        kind: Kind::Finding,
        rule: "X".into(),
        controls: Vec::new(),
        cwe: vec![cwe],
        text: text.into(),
        info: false,
    };
    let a = item("a", 327, "CryptoClass");
    let b = item("b", 327, "cryptoclass");
    let c = item("c", 532, "Log");
    let cands = [
        cand(327, "in com.x.CryptoClass.enc"),
        cand(319, "CryptoClass"),
    ];
    let got = assign(&[&a, &b, &c], &cands);
    assert_eq!(got.iter().filter(|g| g.is_some()).count(), 1, "{got:?}");
    assert!(got[2].is_none());
    let two = [cand(327, "CryptoClass"), cand(327, "CryptoClass")];
    let got = assign(&[&a, &b], &two);
    assert!(
        got[0].is_some() && got[1].is_some() && got[0] != got[1],
        "{got:?}"
    );
    let mut ev = item("e", 327, "CryptoClass");
    ev.kind = Kind::Evidence;
    assert!(!matches(&ev, &two[0]));
}

/// truth.toml parses, and every item names an app of the corpus (when present).
#[test]
fn truth_file_is_well_formed() {
    let (items, skips) = load_truth();
    assert!(items.len() > 100, "{} items", items.len());
    if corpus_dir().join("apps").exists() {
        for app in items
            .iter()
            .map(|i| &i.app)
            .chain(skips.keys())
            .collect::<BTreeSet<_>>()
        {
            assert!(
                corpus_dir().join("apps").join(app).exists(),
                "{app} not in the corpus"
            );
        }
    }
}
