//! Best-of-N in-process time of `scan_bytes` on bytes already in memory, and where it goes.
//!
//! Usage: `cargo run --release -p mastiff-cli --example scan_timing -- <apk> [runs] [--phases]`
//! Prints `best_ms=<ms>` and `without_sbom_ms=<ms>` (the same scan without the SBOM: library
//! detection and advisory matching, i.e. without CODE-020); with `--phases`, also the best time of each stage of the pipeline run
//! on its own (one thread, no overlap), which is how `bench/run.sh` explains a slow scan.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use mastiff_formats::arsc::ResourceTable;
use mastiff_formats::axml;
use mastiff_formats::signing;
use mastiff_formats::zip::{Archive, EntryCache};
use mastiff_formats::Limits;
use mastiff_rules::{scan_bytes, ScanOptions};
use sha2::{Digest, Sha256};

fn best_of<T>(runs: u32, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..runs {
        let start = Instant::now();
        let v = f();
        best = best.min(start.elapsed());
        out = Some(v);
    }
    (best, out.expect("runs >= 1"))
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e3)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let phases = args.iter().any(|a| a == "--phases");
    let mut pos = args.iter().filter(|a| !a.starts_with("--"));
    let Some(path) = pos.next() else {
        eprintln!("usage: scan_timing <apk> [runs] [--phases]");
        return ExitCode::from(2);
    };
    let runs: u32 = pos.next().and_then(|r| r.parse().ok()).unwrap_or(10).max(1);
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("scan_timing: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let opts = ScanOptions::default();
    let (best, report) = best_of(runs, || scan_bytes(path, &data, &opts));
    println!(
        "best_ms={} findings={} diagnostics={}",
        ms(best),
        report.findings.len(),
        report.diagnostics.len()
    );
    let no_sbom = ScanOptions {
        rules: mastiff_rules::RULES
            .iter()
            .copied()
            .filter(|r| r.meta().id != "CODE-020")
            .collect(),
        ..ScanOptions::default()
    };
    let (without, _) = best_of(runs, || scan_bytes(path, &data, &no_sbom));
    println!("without_sbom_ms={}", ms(without));
    if !phases {
        return ExitCode::SUCCESS;
    }

    let limits = Limits::default();
    let (t, _) = best_of(runs, || Sha256::digest(&data));
    println!("phase sha256_of_input_ms={}", ms(t));
    let (t, archive) = best_of(runs, || Archive::parse(&data, &limits));
    println!("phase zip_parse_ms={}", ms(t));
    let Ok(archive) = archive else {
        return ExitCode::SUCCESS;
    };
    let (t, _) = best_of(runs, || {
        let cache = EntryCache::new(&archive, limits.clone());
        signing::read_signing(&archive, &cache)
    });
    println!("phase signing_ms={}", ms(t));
    let (t, _) = best_of(runs, || {
        let cache = EntryCache::new(&archive, limits.clone());
        cache
            .get("AndroidManifest.xml")
            .and_then(|b| b.ok())
            .map(|b| axml::parse(b, &limits).is_ok())
    });
    println!("phase manifest_inflate_parse_ms={}", ms(t));
    let (t, _) = best_of(runs, || {
        let cache = EntryCache::new(&archive, limits.clone());
        cache.get("resources.arsc").map(|b| b.map(<[u8]>::len))
    });
    println!("phase arsc_inflate_ms={}", ms(t));
    let cache = EntryCache::new(&archive, limits.clone());
    if let Some(Ok(bytes)) = cache.get("resources.arsc") {
        let (t, _) = best_of(runs, || ResourceTable::parse(bytes, &limits).is_ok());
        println!("phase arsc_parse_ms={}", ms(t));
    }
    ExitCode::SUCCESS
}
