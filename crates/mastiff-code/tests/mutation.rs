//! The index over mutated dex files: never a panic, bounded time, and problems instead of
//! silence when a file is damaged.

use std::time::{Duration, Instant};

use mastiff_code::{CodeIndex, Limits, ProblemKind};

fn app_dex() -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/app.dex")).unwrap()
}

fn build(d: &[u8]) -> (CodeIndex<'_>, Vec<mastiff_code::CodeProblem>) {
    let t = Instant::now();
    let r = CodeIndex::build(
        &[("classes.dex".to_string(), d)],
        Some("com.example.app"),
        &Limits::default(),
    );
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "took {:?}",
        t.elapsed()
    );
    r
}

#[test]
fn random_mutations() {
    let seed = app_dex();
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut rnd = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut with_problems = 0;
    for _ in 0..500 {
        let mut d = seed.clone();
        for _ in 0..1 + rnd() % 8 {
            let i = (rnd() % d.len() as u64) as usize;
            d[i] = rnd() as u8;
        }
        let (ix, problems) = build(&d);
        with_problems += usize::from(!problems.is_empty());
        // Constant tracking runs on demand: ask for everything it can give.
        for c in ix.calls() {
            let _ = ix.args(c);
        }
        for f in ix.all_field_accesses() {
            let _ = ix.stored_value(f);
        }
        for (id, _) in ix.methods() {
            let _ = ix.returns_const(id);
        }
    }
    // Many mutations land in string data or instruction operands and stay readable; a good share
    // damage structure and must be reported.
    assert!(with_problems > 50, "{with_problems}");
}

#[test]
fn truncated_code_is_reported() {
    let seed = app_dex();
    let (ix, _) = build(&seed);
    // Cut the file inside the last method body.
    let last = ix
        .methods()
        .filter(|(_, m)| m.has_code)
        .map(|(_, m)| m.code_off)
        .max()
        .unwrap() as usize;
    let (ix, problems) = build(&seed[..last + 20]);
    assert!(
        problems.iter().any(|p| matches!(
            p.kind,
            ProblemKind::TruncatedCode | ProblemKind::MalformedClass | ProblemKind::UnreadableDex
        )),
        "{problems:?}"
    );
    let _ = ix.calls().len();
}

#[test]
fn huge_header_counts_are_rejected_without_allocating() {
    let seed = app_dex();
    for field in (0x38..0x68).step_by(8) {
        let mut d = seed.clone();
        d[field..field + 4].copy_from_slice(&0x3fff_ffffu32.to_le_bytes());
        let (ix, problems) = build(&d);
        assert_eq!(problems.len(), 1, "{field:#x}: {problems:?}");
        assert_eq!(problems[0].kind, ProblemKind::UnreadableDex);
        assert_eq!(ix.classes().count(), 0);
    }
}
