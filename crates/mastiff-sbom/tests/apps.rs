//! Detection and matching on real apps: ApiDemos (npm `android-apidemos`) and the corpus APKs
//! in shared/corpus/apps (each skipped when absent).

mod common;

use std::time::Instant;

use common::{apidemos, corpus_apks, with_app, App};
use mastiff_core::Date;
use mastiff_sbom::{analyse, AnalyseOptions, MatchStatus, SbomInputs, SbomResult, VulnDb};

fn opts() -> AnalyseOptions {
    AnalyseOptions {
        scan_date: Date::parse("2026-11-22").unwrap(),
        max_db_age_days: Some(30),
        ..AnalyseOptions::default()
    }
}

fn run(app: &App, db: &VulnDb) -> (SbomResult, Vec<(String, String)>, std::time::Duration) {
    with_app(app, |cache, strings, types| {
        let version_files: Vec<(String, String)> = cache
            .archive()
            .entries()
            .iter()
            .filter(|e| {
                e.name.starts_with("META-INF/")
                    && e.name.ends_with(".version")
                    && !e.name["META-INF/".len()..].contains('/')
            })
            .map(|e| {
                let body = cache.get(&e.name).unwrap().unwrap();
                (
                    e.name.clone(),
                    String::from_utf8_lossy(body).trim().to_string(),
                )
            })
            .collect();
        let t = Instant::now();
        let inputs = SbomInputs::new(cache)
            .with_dex_strings(strings.iter().map(String::as_str))
            .with_class_names(types.iter().map(String::as_str));
        let r = analyse(inputs, db, &opts());
        (r, version_files, t.elapsed())
    })
}

fn summary(name: &str, r: &SbomResult, took: std::time::Duration) -> String {
    let exact: Vec<String> = r
        .components
        .iter()
        .filter(|c| c.version.is_some())
        .map(|c| c.purl.trim_start_matches("pkg:").to_string())
        .collect();
    let unknown: Vec<String> = r
        .components
        .iter()
        .filter(|c| c.version.is_none())
        .map(|c| c.purl.trim_start_matches("pkg:").to_string())
        .collect();
    let vulns: Vec<String> = r
        .vulns
        .iter()
        .map(|v| {
            format!(
                "{} {} {}",
                v.advisory_id,
                v.component_ref.trim_start_matches("pkg:"),
                match v.status {
                    MatchStatus::Affected => "affected",
                    MatchStatus::PotentiallyAffected => "potentially",
                }
            )
        })
        .collect();
    format!(
        "APP {name} ({took:?}): {} exact, {} version unknown\n  exact: {}\n  unknown: {}\n  vulns: {}",
        exact.len(),
        unknown.len(),
        exact.join(", "),
        unknown.join(", "),
        vulns.join("; ")
    )
}

/// Every `META-INF/*.version` file is one component with exactly that version.
fn check_version_files(name: &str, r: &SbomResult, files: &[(String, String)]) {
    for (entry, version) in files {
        let c = r
            .components
            .iter()
            .find(|c| c.evidence.iter().any(|e| &e.location == entry))
            .unwrap_or_else(|| panic!("{name}: no component for {entry}"));
        assert_eq!(
            c.version.as_deref(),
            Some(version.as_str()),
            "{name}: {entry}"
        );
    }
}

#[test]
fn apidemos_version_files_are_components() {
    let Some(path) = apidemos() else {
        eprintln!("ApiDemos not found (npm pack android-apidemos; set APIDEMOS_APK): skipped");
        return;
    };
    let db = VulnDb::seed();
    let app = App::open(&path);
    let (r, files, took) = run(&app, &db);
    println!("{}", summary("ApiDemos-debug.apk", &r, took));
    assert_eq!(
        files.len(),
        30,
        "ApiDemos 5.0.0 ships 30 META-INF/*.version files"
    );
    check_version_files("ApiDemos", &r, &files);
    let core = r
        .components
        .iter()
        .find(|c| c.purl == "pkg:maven/androidx.core/core@1.9.0")
        .expect("androidx.core 1.9.0");
    assert_eq!(core.confidence, 1.0);
    let coroutines = r
        .components
        .iter()
        .find(|c| c.purl == "pkg:maven/org.jetbrains.kotlinx/kotlinx-coroutines-core@1.6.1");
    assert!(
        coroutines.is_some(),
        "kotlinx_coroutines_core.version mapped to its coordinates"
    );
    // No component of ApiDemos is in the seed set.
    assert!(r.vulns.is_empty(), "{:?}", r.vulns);
    assert!(r.warnings.iter().any(|w| w.contains("mastiff seed set")));
}

#[test]
fn corpus_apps() {
    let apks = corpus_apks();
    if apks.is_empty() {
        eprintln!("corpus not found: skipped");
        return;
    }
    let db = VulnDb::seed();
    for path in apks {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let app = App::open(&path);
        let (r, files, took) = run(&app, &db);
        println!("{}", summary(&name, &r, took));
        check_version_files(&name, &r, &files);
        if name.starts_with("androgoat-") {
            // okhttp's version string survives in AndroGoat's dex.
            let ok = r
                .components
                .iter()
                .position(|c| c.purl == "pkg:maven/com.squareup.okhttp3/okhttp@3.8.0")
                .expect("okhttp 3.8.0 in AndroGoat");
            let v = r
                .vulns
                .iter()
                .find(|v| v.component == ok && v.advisory_id == "GHSA-3cqm-mf7h-prrj")
                .expect("CVE-2021-0341 applies to okhttp 3.8.0");
            assert_eq!(v.status, MatchStatus::Affected);
            assert_eq!(v.fixed_in.as_deref(), Some("4.9.2"));
            assert_eq!(v.aliases, vec!["CVE-2021-0341".to_string()]);
        }
    }
}
