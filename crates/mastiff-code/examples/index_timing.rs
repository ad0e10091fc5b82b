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

/// CPU time of this process so far (all threads), from `/proc/self/task/*/schedstat`; on a busy
/// machine it says more than wall time. `None` where procfs is missing.
fn cpu_ns() -> Option<u64> {
    let mut total = 0u64;
    for t in std::fs::read_dir("/proc/self/task").ok()? {
        let p = t.ok()?.path().join("schedstat");
        let s = std::fs::read_to_string(p).ok()?;
        total += s.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(total)
}

/// A `kB` field of `/proc/self/status` (`VmRSS`, `VmHWM`), in MB.
fn status_mb(field: &str) -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
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
    let rss_before = status_mb("VmRSS:").unwrap_or(0.0);
    let mut best = None;
    let mut best_cpu = u64::MAX;
    let mut last = None;
    // Memory is taken after the first build: later builds reuse (and fragment) the heap the
    // earlier ones freed, which says more about the allocator than about the index.
    let mut first_mem: Option<(f64, f64)> = None;
    for _ in 0..runs.max(1) {
        drop(last.take());
        let c0 = cpu_ns();
        let t = Instant::now();
        let r = CodeIndex::build(&dex, package.as_deref(), &Limits::default());
        let el = t.elapsed();
        if let (Some(a), Some(b)) = (c0, cpu_ns()) {
            best_cpu = best_cpu.min(b.saturating_sub(a));
        }
        best = Some(best.map_or(el, |b: std::time::Duration| b.min(el)));
        last = Some(r);
        first_mem.get_or_insert_with(|| {
            (
                status_mb("VmRSS:").unwrap_or(0.0),
                status_mb("VmHWM:").unwrap_or(0.0),
            )
        });
    }
    let (ix, problems) = last.unwrap_or_default();
    let (rss_after, peak) = first_mem.unwrap_or_default();
    let app_classes = ix.classes().filter(|c| c.is_app_code).count();
    let rss_line = format!(
        "  memory: RSS {rss_before:.1} MB with the APK and inflated dex loaded, {rss_after:.1} MB with the index built ({:.1} MB for the index), peak {peak:.1} MB (after the first build)",
        rss_after - rss_before
    );
    println!("{path}");
    println!(
        "  dex files: {}  ({} bytes uncompressed, inflated in {:.1} ms)",
        ix.dex_files().len(),
        total,
        inflate.as_secs_f64() * 1e3
    );
    println!(
        "  build: {:.1} ms wall, {:.1} ms CPU over all threads (best of {runs}, {} threads)",
        best.unwrap_or_default().as_secs_f64() * 1e3,
        best_cpu as f64 / 1e6,
        rayon::current_num_threads()
    );
    println!("{rss_line}");
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
        ix.strings().count()
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
