//! `scan_path` reads the app from its file entry by entry; it must give exactly the report (and
//! SBOM) that `scan` gives for the same bytes in memory: on every fixture app, on every app of
//! `../shared/corpus` when present, and on files that are not apps at all.

use std::path::{Path, PathBuf};

use mastiff_core::Date;
use mastiff_rules::{scan, scan_path, ScanOptions};

fn options() -> ScanOptions {
    ScanOptions {
        scan_date: Date {
            year: 2026,
            month: 11,
            day: 22,
        },
        ..ScanOptions::default()
    }
}

/// The `.apk`/`.ipa` files of `dir`, sorted; none when it does not exist.
fn apps_in(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "apk" || x == "ipa"))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// A temporary file, removed on drop (also when an assertion fails).
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn assert_same_scan(path: &Path, opts: &ScanOptions) {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).expect("readable input");
    let from_bytes = scan(&shown, &bytes, opts);
    let from_file = scan_path(path, &shown, opts).expect("scan_path reads the file");
    let json = |s: &mastiff_rules::Scan| serde_json::to_string_pretty(&s.report).expect("json");
    assert_eq!(json(&from_file), json(&from_bytes), "{shown}");
    assert_eq!(
        format!("{:?}", from_file.sbom),
        format!("{:?}", from_bytes.sbom),
        "{shown}: SBOM"
    );
}

#[test]
fn fixture_apps_give_the_same_report_from_the_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/apps");
    let apps = apps_in(&dir);
    assert!(
        apps.len() >= 10,
        "fixture apps missing from {}",
        dir.display()
    );
    let opts = options();
    for app in &apps {
        assert_same_scan(app, &opts);
    }
}

#[test]
fn corpus_apps_give_the_same_report_from_the_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/apps");
    let apps = apps_in(&dir);
    if apps.is_empty() {
        eprintln!("skipping: no apps under {}", dir.display());
        return;
    }
    let opts = options();
    for app in &apps {
        assert_same_scan(app, &opts);
    }
}

#[test]
fn files_that_are_not_apps_give_the_same_report_and_missing_ones_fail() {
    let opts = options();
    let dir = std::env::temp_dir();
    let fixture = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/apps/insecure.apk"),
    )
    .expect("fixture");
    let inputs: [(&str, Vec<u8>); 4] = [
        ("empty", Vec::new()),
        ("text", b"not a zip archive at all\n".to_vec()),
        (
            "cut",
            fixture
                .get(..fixture.len() / 2)
                .unwrap_or_default()
                .to_vec(),
        ),
        ("trailing", [fixture.as_slice(), b"trailing junk"].concat()),
    ];
    for (tag, bytes) in inputs {
        let file = TempFile(dir.join(format!(
            "mastiff-scan-path-{}-{tag}.apk",
            std::process::id()
        )));
        std::fs::write(&file.0, &bytes).expect("temp file");
        assert_same_scan(&file.0, &opts);
    }
    let missing = dir.join(format!(
        "mastiff-scan-path-{}-missing.apk",
        std::process::id()
    ));
    assert!(scan_path(&missing, "missing.apk", &opts).is_err());
    assert!(scan_path(&dir, "a directory", &opts).is_err());
}
