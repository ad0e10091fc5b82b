//! The in-process floor of a scan: list the archive and inflate every entry once through
//! [`EntryCache`], on bytes already in memory. `bench/run.sh` compares `mastiff scan` with it.
//!
//! Usage: `cargo run --release -p mastiff-formats --example inflate_floor -- <apk> [runs]`
//! Prints one line: `entries=<n> inflated=<bytes> errors=<n> best_ms=<ms>`.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use mastiff_formats::zip::{Archive, EntryCache};
use mastiff_formats::Limits;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(path), runs) = (args.next(), args.next()) else {
        eprintln!("usage: inflate_floor <apk> [runs]");
        return ExitCode::from(2);
    };
    let runs: u32 = runs.and_then(|r| r.parse().ok()).unwrap_or(10).max(1);
    let data = match std::fs::read(&path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("inflate_floor: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let limits = Limits::default();
    let mut best = Duration::MAX;
    let mut last = (0, 0, 0);
    for _ in 0..runs {
        let start = Instant::now();
        let archive = match Archive::parse(&data, &limits) {
            Ok(a) => a,
            Err(e) => {
                eprintln!("inflate_floor: {path}: {e}");
                return ExitCode::from(2);
            }
        };
        let cache = EntryCache::new(&archive, limits.clone());
        let mut bytes = 0u64;
        let mut errors = 0;
        for i in 0..archive.entries().len() {
            match cache.get_index(i) {
                Ok(b) => bytes += b.len() as u64,
                Err(_) => errors += 1,
            }
        }
        best = best.min(start.elapsed());
        last = (archive.entries().len(), bytes, errors);
    }
    println!(
        "entries={} inflated={} errors={} best_ms={:.2}",
        last.0,
        last.1,
        last.2,
        best.as_secs_f64() * 1e3
    );
    ExitCode::SUCCESS
}
