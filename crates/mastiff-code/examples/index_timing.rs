//! Builds the code index of an APK and prints the build time and counts.
//!
//! `cargo run --release -p mastiff-code --example index_timing -- app.apk [runs] [package]`
//!
//! The dex files are inflated first (not timed); the time printed is `CodeIndex::build` alone,
//! the best of `runs` (default 5).

use std::time::Instant;

use mastiff_code::{CodeIndex, Limits};
use mastiff_formats::zip::{Archive, EntryCache};

fn dex_order(name: &str) -> Option<u32> {
    let n = name.strip_prefix("classes")?.strip_suffix(".dex")?;
    if n.is_empty() {
        Some(1)
    } else {
        n.parse().ok().filter(|&k| k >= 2)
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: index_timing APK [runs] [package]");
        std::process::exit(2);
    };
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let package = args.next();
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2)
    });
    let fl = mastiff_formats::Limits::default();
    let archive = Archive::parse(&bytes, &fl).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2)
    });
    let cache = EntryCache::new(&archive, fl.clone());
    let mut names: Vec<(u32, String)> = archive
        .entries()
        .iter()
        .filter_map(|e| dex_order(&e.name).map(|k| (k, e.name.clone())))
        .collect();
    names.sort();
    let t = Instant::now();
    let mut dex: Vec<(String, &[u8])> = Vec::new();
    for (_, n) in &names {
        match cache.get(n) {
            Some(Ok(b)) => dex.push((n.clone(), b)),
            Some(Err(e)) => eprintln!("{n}: {e}"),
            None => {}
        }
    }
    let inflate = t.elapsed();
    let total: usize = dex.iter().map(|(_, b)| b.len()).sum();
    let mut best = None;
    let mut last = None;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let r = CodeIndex::build(&dex, package.as_deref(), &Limits::default());
        let el = t.elapsed();
        best = Some(best.map_or(el, |b: std::time::Duration| b.min(el)));
        last = Some(r);
    }
    let (ix, problems) = last.unwrap_or_default();
    let app_classes = ix.classes().filter(|c| c.is_app_code).count();
    println!("{path}");
    println!(
        "  dex files: {}  ({} bytes uncompressed, inflated in {:.1} ms)",
        ix.dex_files().len(),
        total,
        inflate.as_secs_f64() * 1e3
    );
    println!(
        "  build: {:.1} ms (best of {runs})",
        best.unwrap_or_default().as_secs_f64() * 1e3
    );
    println!(
        "  classes: {} ({} app code)  methods: {}  with code: {}",
        ix.classes().count(),
        app_classes,
        ix.method_count(),
        ix.methods().filter(|(_, m)| m.has_code).count()
    );
    let insns: u64 = ix.dex_files().iter().map(|d| d.instructions).sum();
    println!(
        "  instructions: {insns}  call sites: {}  const-strings: {}  field accesses: {}  distinct strings: {}",
        ix.calls().len(),
        ix.string_uses().len(),
        ix.all_field_accesses().len(),
        ix.strings().len()
    );
    for d in ix.dex_files() {
        println!(
            "    {:<14} v{:?} {:>9} B  classes {:>5}  methods {:>6}  invokes {:>7}  {:?}",
            d.name, d.version, d.size, d.classes, d.methods, d.invokes, d.status
        );
    }
    for p in &problems {
        println!("  problem: {} {:?}: {}", p.file, p.kind, p.message);
    }
}
