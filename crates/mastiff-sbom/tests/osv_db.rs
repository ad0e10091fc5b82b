//! The advisory-data traps of shared/reference/offline_data_options.md, the OSV range
//! algorithm, and the database loaders, against the shipped seed set and hand-made records.

use std::io::Write;

use mastiff_core::Date;
use mastiff_sbom::component::{purl, Component, Method};
use mastiff_sbom::osv::{DbSource, OsvRecord, VulnDb};
use mastiff_sbom::{match_vulns, MatchStatus, VulnMatch};

fn comp(eco: &str, group: Option<&str>, name: &str, version: Option<&str>) -> Component {
    Component {
        ecosystem: eco.into(),
        group: group.map(Into::into),
        name: name.into(),
        version: version.map(Into::into),
        purl: purl(eco, group, name, version),
        method: Method::VersionFile,
        confidence: 1.0,
        supplier: None,
        evidence: Vec::new(),
    }
}

fn maven(ga: &str, v: Option<&str>) -> Component {
    let (g, a) = ga.split_once(':').unwrap();
    comp("Maven", Some(g), a, v)
}

fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn ids(c: &Component, db: &VulnDb) -> Vec<(String, MatchStatus)> {
    match_vulns(std::slice::from_ref(c), db, date("2026-11-22"), None)
        .vulns
        .into_iter()
        .map(|m| (m.advisory_id, m.status))
        .collect()
}

fn find(c: &Component, db: &VulnDb, id: &str) -> Option<VulnMatch> {
    match_vulns(std::slice::from_ref(c), db, date("2026-11-22"), None)
        .vulns
        .into_iter()
        .find(|m| m.advisory_id == id)
}

#[test]
fn seed_set_loads_completely() {
    let db = VulnDb::seed();
    let info = db.info();
    assert_eq!(info.source, DbSource::Seed);
    assert_eq!(info.advisories, 30);
    assert_eq!(info.unreadable, 0, "{:?}", db.warnings());
    assert!(!info.exhaustive);
    assert_eq!(
        info.newest_modified.as_deref(),
        Some("2026-11-21T00:00:00Z")
    );
    let d = info.describe();
    assert!(
        d.starts_with("mastiff seed set, 30 advisories, newest modified 2026-11-21"),
        "{d}"
    );
    assert!(d.contains("not exhaustive"), "{d}");
}

#[test]
fn trap1_okhttp2_range_listed_under_okhttp3_coordinates() {
    let db = VulnDb::seed();
    let old = maven("com.squareup.okhttp:okhttp", Some("2.7.0"));
    let m = find(&old, &db, "GHSA-4hc2-jh7r-wrc3").expect("okhttp 2.7.0 is in [0, 2.7.4)");
    assert_eq!(m.status, MatchStatus::Affected);
    assert!(m.via_alias);
    assert_eq!(m.fixed_in.as_deref(), Some("2.7.4"));
    assert!(find(
        &maven("com.squareup.okhttp:okhttp", Some("2.7.5")),
        &db,
        "GHSA-4hc2-jh7r-wrc3"
    )
    .is_none());
    // okhttp3 3.1.1 is in the second range; 3.1.2 is fixed.
    assert!(find(
        &maven("com.squareup.okhttp3:okhttp", Some("3.1.1")),
        &db,
        "GHSA-4hc2-jh7r-wrc3"
    )
    .is_some());
    assert!(find(
        &maven("com.squareup.okhttp3:okhttp", Some("3.1.2")),
        &db,
        "GHSA-4hc2-jh7r-wrc3"
    )
    .is_none());
}

#[test]
fn trap2_bouncycastle_artifacts_are_one_component() {
    let db = VulnDb::seed();
    // GHSA-hr8g-6v94-x4m9 does not list bcprov-jdk15on, the artifact Android apps used.
    let jdk15on = maven("org.bouncycastle:bcprov-jdk15on", Some("1.70"));
    let m = find(&jdk15on, &db, "GHSA-hr8g-6v94-x4m9")
        .expect("jdk15on 1.70 matched through the family");
    assert!(m.via_alias);
    let direct = find(&jdk15on, &db, "GHSA-8xfc-gm6g-vgpv").expect("listed directly");
    assert!(!direct.via_alias);
    let spongy = maven("com.madgag.spongycastle:prov", Some("1.58.0.0"));
    assert_eq!(ids(&spongy, &db).len(), 2);
    assert!(ids(&maven("org.bouncycastle:bcprov-jdk18on", Some("1.78")), &db).is_empty());
    // bcpkix is another component: GHSA-8xfc names bcpkix artifacts, GHSA-hr8g only bcprov.
    assert_eq!(
        ids(&maven("org.bouncycastle:bcpkix-jdk15on", Some("1.70")), &db),
        vec![("GHSA-8xfc-gm6g-vgpv".to_string(), MatchStatus::Affected)]
    );
}

#[test]
fn trap3_v_prefixed_fixed_version() {
    let db = VulnDb::seed();
    let m = find(
        &maven("net.lingala.zip4j:zip4j", Some("2.11.2")),
        &db,
        "GHSA-2pj2-gchf-wmw7",
    )
    .unwrap();
    assert_eq!(m.status, MatchStatus::Affected);
    assert_eq!(m.fixed_in.as_deref(), Some("v2.11.3"));
    assert!(ids(&maven("net.lingala.zip4j:zip4j", Some("2.11.3")), &db).is_empty());
}

#[test]
fn trap4_ranges_are_trusted_over_details() {
    let db = VulnDb::seed();
    let id = "GHSA-jjjh-jjxp-wpff";
    let m = find(
        &maven(
            "com.fasterxml.jackson.core:jackson-databind",
            Some("2.13.4"),
        ),
        &db,
        id,
    )
    .unwrap();
    assert_eq!(m.fixed_in.as_deref(), Some("2.13.4.1"));
    assert!(
        m.details.unwrap().contains("2.13.4.2"),
        "details are shown as written"
    );
    assert!(find(
        &maven(
            "com.fasterxml.jackson.core:jackson-databind",
            Some("2.13.4.1")
        ),
        &db,
        id
    )
    .is_none());
    // Four-part versions: 2.12.6.1 fixes GHSA-57j2, 2.12.6 does not.
    let j = |v| maven("com.fasterxml.jackson.core:jackson-databind", Some(v));
    assert!(find(&j("2.12.6"), &db, "GHSA-57j2-w4cx-62h2").is_some());
    assert!(find(&j("2.12.6.1"), &db, "GHSA-57j2-w4cx-62h2").is_none());
    // introduced 2.4.0-rc1: 2.3.x is before it.
    assert!(find(&j("2.3.5"), &db, id).is_none());
    assert!(find(&j("2.4.0"), &db, id).is_some());
}

#[test]
fn trap5_last_affected_rc_and_qualifiers() {
    let db = VulnDb::seed();
    let g = |v| maven("com.google.guava:guava", Some(v));
    // last_affected is inclusive.
    let m = find(&g("29.0"), &db, "GHSA-5mg8-w23w-74h3").unwrap();
    assert_eq!(m.last_affected, vec!["29.0".to_string()]);
    assert_eq!(
        m.affected_functions,
        vec!["com.google.common.io.Files.createTempDir".to_string()]
    );
    assert!(find(&g("29.0-android"), &db, "GHSA-5mg8-w23w-74h3").is_some());
    assert!(find(&g("29.0-jre"), &db, "GHSA-5mg8-w23w-74h3").is_some());
    assert!(find(&g("30.0-android"), &db, "GHSA-5mg8-w23w-74h3").is_none());
    // qualifiers: 31.1-android < 32.0.0.
    assert!(find(&g("31.1-android"), &db, "GHSA-7g45-4rm6-3mm3").is_some());
    assert!(find(&g("32.0.1-android"), &db, "GHSA-7g45-4rm6-3mm3").is_none());
    // rc pre-releases: 3.21.0-rc-2 is inside [3.21.0-rc-1, 3.21.7), 3.20.3 is fixed.
    let p = |v| maven("com.google.protobuf:protobuf-javalite", Some(v));
    assert!(find(&p("3.21.0-rc-2"), &db, "GHSA-h4h5-3hr4-j3g2").is_some());
    assert!(find(&p("3.21.5"), &db, "GHSA-h4h5-3hr4-j3g2").is_some());
    assert!(find(&p("3.20.3"), &db, "GHSA-h4h5-3hr4-j3g2").is_none());
}

#[test]
fn trap6_javalite_not_flagged_by_protobuf_java_advisory() {
    let db = VulnDb::seed();
    let lite = maven("com.google.protobuf:protobuf-javalite", Some("3.16.0"));
    assert!(find(&lite, &db, "GHSA-wrvw-hg22-4m67").is_none());
    let full = maven("com.google.protobuf:protobuf-java", Some("3.16.0"));
    assert!(find(&full, &db, "GHSA-wrvw-hg22-4m67").is_some());
}

#[test]
fn trap7_snapshot_date_and_staleness() {
    let db = VulnDb::seed();
    let c = [maven("com.squareup.okhttp3:okhttp", Some("4.9.0"))];
    let fresh = match_vulns(&c, &db, date("2026-12-01"), Some(30));
    assert!(fresh.warnings.is_empty(), "{:?}", fresh.warnings);
    assert!(fresh
        .vulns
        .iter()
        .any(|m| m.advisory_id == "GHSA-3cqm-mf7h-prrj"));
    let stale = match_vulns(&c, &db, date("2027-06-01"), Some(30));
    assert_eq!(stale.warnings.len(), 1);
    assert!(
        stale.warnings[0].contains("192 days old"),
        "{}",
        stale.warnings[0]
    );
    // A snapshot taken before GHSA-3cqm was reviewed misses it: only the date tells.
    let old: Vec<OsvRecord> = db
        .records()
        .iter()
        .filter(|r| r.modified.as_str() < "2025-11-13")
        .cloned()
        .collect();
    let old_db = VulnDb::from_records(old, DbSource::Seed, false);
    assert!(old_db.info().newest_modified.as_deref().unwrap() < "2025-11-13");
    assert!(match_vulns(&c, &old_db, date("2026-12-01"), None)
        .vulns
        .is_empty());
    assert_eq!(
        match_vulns(&c, &old_db, date("2026-12-01"), Some(365))
            .warnings
            .len(),
        1
    );
}

#[test]
fn trap8_mobile_sdk_advisories_without_cve() {
    let db = VulnDb::seed();
    let fb = maven("com.facebook.android:facebook-android-sdk", Some("3.15"));
    assert_eq!(
        ids(&fb, &db),
        vec![("LIBSCOUT-FACEBOOK-3.15".to_string(), MatchStatus::Affected)]
    );
    assert!(ids(
        &maven("com.facebook.android:facebook-android-sdk", Some("3.16")),
        &db
    )
    .is_empty());
    let mopub = maven("com.mopub:mopub-sdk", None);
    assert_eq!(
        ids(&mopub, &db),
        vec![(
            "LIBSCOUT-MOPUB-WEBVIEW".to_string(),
            MatchStatus::PotentiallyAffected
        )]
    );
}

#[test]
fn unknown_version_is_potentially_affected_never_clear() {
    let db = VulnDb::seed();
    let c = maven("com.google.code.gson:gson", None);
    let m = match_vulns(std::slice::from_ref(&c), &db, date("2026-11-22"), None);
    assert_eq!(m.vulns.len(), 1);
    assert_eq!(m.vulns[0].status, MatchStatus::PotentiallyAffected);
    assert!(m.vulns[0].confidence <= 0.3);
    assert_eq!(m.vulns[0].fixed_in, None);
    assert_eq!(m.vulns[0].fixed_versions, vec!["2.8.9".to_string()]);
    // A version we cannot read either.
    let ssl = comp("generic", None, "openssl", Some("not-a-version"));
    let m = ids(&ssl, &db);
    assert!(
        !m.is_empty()
            && m.iter()
                .all(|(_, s)| *s == MatchStatus::PotentiallyAffected),
        "{m:?}"
    );
}

#[test]
fn openssl_letter_versions() {
    let db = VulnDb::seed();
    let s = |v| comp("generic", None, "openssl", Some(v));
    assert_eq!(
        ids(&s("1.1.1k"), &db),
        vec![("CVE-2022-0778".to_string(), MatchStatus::Affected)]
    );
    assert!(ids(&s("1.1.1n"), &db).is_empty());
    assert_eq!(ids(&s("1.0.2zc"), &db).len(), 1);
    assert!(ids(&s("1.0.2zd"), &db).is_empty());
    assert_eq!(
        ids(&s("1.0.1f"), &db),
        vec![("CVE-2014-0160".to_string(), MatchStatus::Affected)]
    );
    assert!(ids(&s("1.0.1g"), &db).is_empty());
}

#[test]
fn severity_and_cvss_scores() {
    let db = VulnDb::seed();
    let m = find(
        &maven("org.apache.logging.log4j:log4j-core", Some("2.14.1")),
        &db,
        "GHSA-jfh8-c2jp-5v3q",
    )
    .unwrap();
    assert_eq!(m.severity.cvss_score, Some(10.0));
    assert_eq!(m.severity.level.as_deref(), Some("critical"));
    assert_eq!(m.aliases, vec!["CVE-2021-44228".to_string()]);
    assert_eq!(m.fixed_in.as_deref(), Some("2.15.0"));
    // No vector: level from the database rating, no invented score.
    let m = find(
        &maven("org.bouncycastle:bcprov-jdk18on", Some("1.72")),
        &db,
        "GHSA-hr8g-6v94-x4m9",
    )
    .unwrap();
    assert_eq!(m.severity.cvss_score, None);
    assert_eq!(m.severity.level.as_deref(), Some("medium"));
}

fn record(json: &str) -> OsvRecord {
    serde_json::from_str(json).unwrap()
}

#[test]
fn osv_algorithm_versions_limit_semver_withdrawn_unknown_ecosystem() {
    let recs = vec![
        record(
            r#"{"id":"T-LIST","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"Maven","name":"g:list"},"versions":["1.0","1.2"]}]}"#,
        ),
        record(
            r#"{"id":"T-LIMIT","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"Maven","name":"g:limit"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"limit":"2.0"}]}]}]}"#,
        ),
        record(
            r#"{"id":"T-SEMVER","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"SEMVER","events":[{"introduced":"1.0.0-alpha"},{"fixed":"1.0.0"}]}]}]}"#,
        ),
        record(
            r#"{"id":"T-WITHDRAWN","modified":"2025-01-01T00:00:00Z","withdrawn":"2025-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"Maven","name":"g:list"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}]}"#,
        ),
        record(
            r#"{"id":"T-NEWECO","modified":"2023-01-01T00:00:00Z","aliases":null,"severity":null,"affected":[{"package":{"ecosystem":"SomeFutureEcosystem:repo","name":"n"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}]}"#,
        ),
        record(
            r#"{"id":"T-GIT","modified":"2023-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"Maven","name":"g:git"},"ranges":[{"type":"GIT","repo":"r","events":[{"introduced":"abc"}]}]}]}"#,
        ),
        record(
            r#"{"id":"T-MULTI","modified":"2023-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"Maven","name":"g:multi"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"1.0"},{"fixed":"1.5"},{"introduced":"2.0"},{"last_affected":"2.3"}]}]}]}"#,
        ),
    ];
    let db = VulnDb::from_records(recs, DbSource::Seed, true);
    assert_eq!(db.info().withdrawn, 1);
    assert_eq!(db.info().advisories, 6);
    assert_eq!(
        db.info().newest_modified.as_deref(),
        Some("2024-01-01T00:00:00Z")
    );
    let hit = |c: &Component| !ids(c, &db).is_empty();
    assert!(hit(&maven("g:list", Some("1.2"))));
    assert!(hit(&maven("g:list", Some("1.0.0"))), "Maven 1.0.0 = 1.0");
    assert!(!hit(&maven("g:list", Some("1.1"))));
    assert!(hit(&maven("g:limit", Some("1.9"))));
    assert!(!hit(&maven("g:limit", Some("2.0"))));
    assert!(hit(&comp("npm", None, "x", Some("1.0.0-beta.2"))));
    assert!(!hit(&comp("npm", None, "x", Some("1.0.0"))));
    assert!(hit(&comp("SomeFutureEcosystem", None, "n", Some("5"))));
    assert!(
        !hit(&maven("g:git", Some("1.0"))),
        "GIT ranges are not evaluated against releases"
    );
    for (v, want) in [
        ("0.9", false),
        ("1.0", true),
        ("1.4.9", true),
        ("1.5", false),
        ("2.0", true),
        ("2.3", true),
        ("2.3.1", false),
    ] {
        assert_eq!(hit(&maven("g:multi", Some(v))), want, "{v}");
    }
}

fn write_zip(path: &std::path::Path, files: &[(&str, &str)]) {
    let f = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    for (name, body) in files {
        z.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(body.as_bytes()).unwrap();
    }
    z.finish().unwrap();
}

#[test]
fn osv_scanner_offline_layout() {
    let dir = std::env::temp_dir().join(format!("mastiff-sbom-osvdir-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("Maven")).unwrap();
    std::fs::create_dir_all(dir.join("npm/nested")).unwrap();
    write_zip(
        &dir.join("Maven/all.zip"),
        &[
            (
                "GHSA-aaaa.json",
                r#"{"id":"GHSA-aaaa","modified":"2025-03-01T10:00:00Z","affected":[{"package":{"ecosystem":"Maven","name":"com.squareup.okhttp3:okhttp"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"4.0.0"}]}]}]}"#,
            ),
            ("broken.json", "{not json"),
            ("README.txt", "ignored"),
        ],
    );
    std::fs::write(
        dir.join("npm/nested/GHSA-bbbb.json"),
        r#"{"id":"GHSA-bbbb","modified":"2025-04-02T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"jquery"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"3.5.0"}]}]}]}"#,
    )
    .unwrap();
    let db = VulnDb::load_dir(&dir).unwrap();
    let info = db.info();
    assert_eq!(info.advisories, 2);
    assert_eq!(info.unreadable, 1);
    assert_eq!(
        info.newest_modified.as_deref(),
        Some("2025-04-02T00:00:00Z")
    );
    assert!(info
        .describe()
        .starts_with(&format!("OSV directory {}, 2 advisories", dir.display())));
    assert_eq!(
        ids(&maven("com.squareup.okhttp3:okhttp", Some("3.8.0")), &db).len(),
        1
    );
    assert_eq!(
        ids(&comp("npm", None, "jquery", Some("3.4.1")), &db).len(),
        1
    );
    // Not a database.
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    assert!(VulnDb::load_dir(&empty).is_err());
    assert!(VulnDb::load_dir(&dir.join("missing")).is_err());
    // A corrupt zip is reported, not fatal.
    std::fs::write(dir.join("npm/all.zip"), b"PK\x03\x04garbage").unwrap();
    let db = VulnDb::load_dir(&dir).unwrap();
    assert_eq!(db.info().unreadable, 2);
    let _ = std::fs::remove_dir_all(&dir);
}
