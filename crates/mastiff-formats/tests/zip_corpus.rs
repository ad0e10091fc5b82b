//! The zip reader against real packages: the shared corpus (APKs and IPAs, never copied into the
//! repository) and Debian's framework-res.apk. Every test skips when its inputs are absent.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use mastiff_formats::zip::{codes, Archive, ArchiveFile, EntryCache};
use mastiff_formats::Limits;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/apps");
const FRAMEWORK_RES: &str = "/usr/share/android-framework-res/framework-res.apk";

/// Every APK/IPA in the corpus plus framework-res, whichever exist.
fn packages() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(CORPUS)
        .map(|dir| {
            dir.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "apk" || x == "ipa"))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    if Path::new(FRAMEWORK_RES).exists() {
        out.push(PathBuf::from(FRAMEWORK_RES));
    }
    if out.is_empty() {
        eprintln!("no corpus packages found under {CORPUS}; skipping");
    }
    out
}

#[test]
fn every_package_lists_and_fully_inflates() {
    for path in packages() {
        let data = std::fs::read(&path).unwrap();
        let archive = Archive::parse(&data, &Limits::default())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(!archive.entries().is_empty(), "{}", path.display());
        // Well-formed packages from ordinary build tools have nothing odd about their container.
        assert_eq!(archive.anomalies(), &[], "{}", path.display());
        let cache = EntryCache::new(&archive, Limits::default());
        for entry in archive.entries() {
            let bytes = cache
                .get_index(entry.index)
                .unwrap_or_else(|e| panic!("{} {}: {e}", path.display(), entry.name));
            assert_eq!(bytes.len() as u64, entry.uncompressed_size);
            assert!(
                Archive::crc_matches(entry, bytes),
                "{} {}: CRC",
                path.display(),
                entry.name
            );
        }
    }
}

/// Read from the file, every package lists the same entries and anomalies, and every entry the
/// same bytes, as read from memory; stored copies never reach the file-size budget.
#[test]
fn file_backed_archives_match_byte_backed_ones() {
    let limits = Limits::default();
    for path in packages() {
        let data = std::fs::read(&path).unwrap();
        let file = ArchiveFile::open(&path).unwrap();
        let ours = Archive::parse(&data, &limits).unwrap();
        let theirs = Archive::open(&file, &limits).unwrap();
        assert_eq!(ours.entries(), theirs.entries(), "{}", path.display());
        assert_eq!(ours.anomalies(), theirs.anomalies(), "{}", path.display());
        assert_eq!(
            (ours.cd_offset, ours.cd_size, ours.eocd_offset),
            (theirs.cd_offset, theirs.cd_size, theirs.eocd_offset)
        );
        let (a, b) = (
            EntryCache::new(&ours, limits.clone()),
            EntryCache::new(&theirs, limits.clone()),
        );
        for entry in ours.entries() {
            let (x, y) = (a.get_index(entry.index), b.get_index(entry.index));
            assert!(x == y, "{} {}", path.display(), entry.name);
        }
        assert_eq!(a.total_inflated(), b.total_inflated());
        assert!(b.total_copied() <= file.len());
    }
}

/// The `zip` crate is an independent reader: with no duplicate names (where it collapses
/// entries) both must list the same names in the same order with the same bytes.
#[test]
fn matches_the_zip_crate() {
    for path in packages() {
        let data = std::fs::read(&path).unwrap();
        let ours = Archive::parse(&data, &Limits::default()).unwrap();
        if ours
            .anomalies()
            .iter()
            .any(|a| a.code == codes::DUPLICATE_ENTRY)
        {
            continue;
        }
        let mut theirs = zip::ZipArchive::new(std::io::Cursor::new(&data[..])).unwrap();
        assert_eq!(theirs.len(), ours.entries().len(), "{}", path.display());
        let cache = EntryCache::new(&ours, Limits::default());
        for (i, entry) in ours.entries().iter().enumerate() {
            let mut file = theirs.by_index(i).unwrap();
            assert_eq!(
                file.name().unwrap(),
                entry.name.as_str(),
                "{} #{i}",
                path.display()
            );
            assert_eq!(file.compressed_size(), entry.compressed_size);
            let mut expected = Vec::new();
            file.read_to_end(&mut expected).unwrap();
            assert!(
                cache.get_index(i).unwrap() == expected.as_slice(),
                "{} {}: bytes differ",
                path.display(),
                entry.name
            );
        }
    }
}

/// Not a correctness test: `cargo test --release -p mastiff-formats --test zip_corpus -- --ignored
/// --nocapture` prints listing and full-inflation times (best of 10).
#[test]
#[ignore = "timing figures, run by hand in release mode"]
fn timing() {
    for path in packages() {
        let data = std::fs::read(&path).unwrap();
        let mut list = f64::MAX;
        let mut full = f64::MAX;
        let mut inflated = 0;
        for _ in 0..10 {
            let t = Instant::now();
            let archive = Archive::parse(&data, &Limits::default()).unwrap();
            list = list.min(t.elapsed().as_secs_f64());
            let t = Instant::now();
            let cache = EntryCache::new(&archive, Limits::default());
            for i in 0..archive.entries().len() {
                cache.get_index(i).unwrap();
            }
            full = full.min(t.elapsed().as_secs_f64());
            inflated = cache.total_inflated();
        }
        let archive = Archive::parse(&data, &Limits::default()).unwrap();
        let t = Instant::now();
        let mut theirs = zip::ZipArchive::new(std::io::Cursor::new(&data[..])).unwrap();
        let zip_list = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let mut sink = Vec::new();
        for i in 0..theirs.len() {
            sink.clear();
            theirs.by_index(i).unwrap().read_to_end(&mut sink).unwrap();
        }
        let zip_full = t.elapsed().as_secs_f64();
        println!(
            "{:60} {:6} entries {:9} B: list {:7.3} ms, inflate all {:8.2} ms ({} B inflated) \
             | zip crate list {:7.3} ms, read all {:8.2} ms",
            path.file_name().unwrap().to_string_lossy(),
            archive.entries().len(),
            data.len(),
            list * 1e3,
            full * 1e3,
            inflated,
            zip_list * 1e3,
            zip_full * 1e3,
        );
    }
}
