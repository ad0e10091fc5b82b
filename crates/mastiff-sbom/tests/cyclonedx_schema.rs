//! Every SBOM mastiff writes validates against the official CycloneDX 1.6 JSON schema
//! (vendored in tests/schema, draft-07, local `$ref`s registered as resources).
//! With `MASTIFF_SBOM_OUT=DIR` the generated files are also written there, for
//! `tests/validate_with_cyclonedx_python.sh`.

mod common;

use jsonschema::{Draft, Registry, Validator};
use mastiff_core::Date;
use mastiff_sbom::{
    analyse, to_cyclonedx, AnalyseOptions, AppMeta, MemoryEntries, SbomInputs, VulnDb,
};
use serde_json::Value;

fn load(name: &str) -> Value {
    let p = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schema/").to_string() + name;
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn validator() -> Validator {
    let registry = Registry::new()
        .add(
            "http://cyclonedx.org/schema/spdx.schema.json",
            load("spdx.schema.json"),
        )
        .unwrap()
        .add(
            "http://cyclonedx.org/schema/jsf-0.82.schema.json",
            load("jsf-0.82.schema.json"),
        )
        .unwrap()
        .prepare()
        .unwrap();
    let schema = load("bom-1.6.schema.json");
    jsonschema::options()
        .with_draft(Draft::Draft7)
        .with_registry(&registry)
        .build(&schema)
        .unwrap()
}

fn check(v: &Validator, name: &str, bom: &Value) {
    let errors: Vec<String> = v
        .iter_errors(bom)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{name}: {} schema errors:\n{}",
        errors.len(),
        errors.join("\n")
    );
    if let Some(dir) = std::env::var_os("MASTIFF_SBOM_OUT") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(format!("{name}.cdx.json")),
            serde_json::to_vec_pretty(bom).unwrap(),
        )
        .unwrap();
    }
}

fn opts() -> AnalyseOptions {
    AnalyseOptions {
        scan_date: Date::parse("2027-06-01").unwrap(),
        max_db_age_days: Some(30),
        ..AnalyseOptions::default()
    }
}

#[test]
fn validator_rejects_invalid_boms() {
    let v = validator();
    assert!(!v.is_valid(&serde_json::json!({"bomFormat": "CycloneDX"})));
    assert!(!v.is_valid(&serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "serialNumber": "not-a-urn"})));
    assert!(!v.is_valid(&serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.6",
        "components": [{"type": "library", "name": "x", "evidence": {"identity": [{"field": "bogus"}]}}]})));
}

#[test]
fn every_tier_and_vulnerabilities_validate() {
    let entries = MemoryEntries::new([
        ("META-INF/androidx.core_core.version", &b"1.9.0"[..]),
        (
            "META-INF/androidx.foo_bar.version",
            &b"task ':x:writeVersionFile'"[..],
        ),
        ("META-INF/kotlin-stdlib.kotlin_module", &b"\0"[..]),
        (
            "META-INF/maven/org.jsoup/jsoup/pom.properties",
            &b"version=1.13.1\ngroupId=org.jsoup\nartifactId=jsoup\n"[..],
        ),
        (
            "lib/arm64-v8a/libcrypto.so",
            &b"\0OpenSSL 1.1.1k  25 Mar 2021\0"[..],
        ),
        ("lib/arm64-v8a/libflutter.so", &b"\0"[..]),
        (
            "assets/www/cordova.js",
            &b"var PLATFORM_VERSION_BUILD_LABEL = '4.0.0';"[..],
        ),
        (
            "assets/www/jquery.js",
            &b"/*! jQuery v1.8.3 jquery.com */"[..],
        ),
    ]);
    let strings = [
        "okhttp/3.8.0",
        "BouncyCastle Security Provider v1.54",
        "fire-core",
    ];
    let classes = [
        "Lcom/google/gson/Gson;",
        "Lorg/apache/logging/log4j/core/Logger;",
        "Lcom/google/common/collect/Lists;",
    ];
    let db = VulnDb::seed();
    let inputs = SbomInputs::new(&entries)
        .with_dex_strings(strings.into_iter())
        .with_class_names(classes.into_iter());
    let r = analyse(inputs, &db, &opts());
    assert!(r.vulns.len() >= 10, "{:#?}", r.vulns);
    let app = AppMeta {
        package: "com.example.tiers".into(),
        version: Some("1.0".into()),
        sha256: common::sha256_hex(b"synthetic"),
        timestamp: Some("2027-06-01T00:00:00Z".into()),
    };
    let bom = to_cyclonedx(&r, &app);
    check(&validator(), "synthetic", &bom);

    // Content checks on what the schema cannot see.
    assert_eq!(bom["specVersion"], "1.6");
    assert_eq!(bom["metadata"]["component"]["hashes"][0]["alg"], "SHA-256");
    let props = bom["metadata"]["properties"].as_array().unwrap();
    assert!(props.iter().any(|p| p["value"]
        .as_str()
        .unwrap()
        .starts_with("mastiff seed set, 30 advisories")));
    assert!(props.iter().any(
        |p| p["name"] == "mastiff:warning" && p["value"].as_str().unwrap().contains("days old")
    ));
    let vulns = bom["vulnerabilities"].as_array().unwrap();
    let log4shell = vulns
        .iter()
        .find(|v| v["id"] == "GHSA-jfh8-c2jp-5v3q")
        .unwrap();
    assert_eq!(log4shell["analysis"]["state"], "in_triage");
    assert!(log4shell["analysis"]["detail"]
        .as_str()
        .unwrap()
        .contains("version unknown"));
    assert_eq!(log4shell["ratings"][0]["score"], 10.0);
    assert_eq!(log4shell["ratings"][0]["method"], "CVSSv31");
    let okhttp = vulns
        .iter()
        .find(|v| v["id"] == "GHSA-3cqm-mf7h-prrj")
        .unwrap();
    assert_eq!(
        okhttp["affects"][0]["ref"],
        "pkg:maven/com.squareup.okhttp3/okhttp@3.8.0"
    );
    assert!(okhttp["recommendation"]
        .as_str()
        .unwrap()
        .contains("upgrade to 4.9.2"));
    assert_eq!(okhttp["ratings"][0]["severity"], "high");
    assert!(
        okhttp["ratings"][0].get("score").is_none(),
        "no vector, no invented score"
    );
    assert_eq!(okhttp["cwes"][0], 295);
    let comps = bom["components"].as_array().unwrap();
    for c in comps {
        let p = c["properties"].as_array().unwrap();
        assert!(p
            .iter()
            .any(|x| x["name"] == "mastiff:fda:level-of-support" && x["value"] == "unknown"));
        assert!(p
            .iter()
            .any(|x| x["name"] == "mastiff:fda:end-of-support-date" && x["value"] == "unknown"));
    }
    // Same app, same SBOM (no timestamp).
    let app2 = AppMeta {
        timestamp: None,
        ..app
    };
    let inputs = SbomInputs::new(&entries)
        .with_dex_strings(strings.into_iter())
        .with_class_names(classes.into_iter());
    let again = to_cyclonedx(&analyse(inputs, &db, &opts()), &app2);
    let inputs = SbomInputs::new(&entries)
        .with_dex_strings(strings.into_iter())
        .with_class_names(classes.into_iter());
    let again2 = to_cyclonedx(&analyse(inputs, &db, &opts()), &app2);
    assert_eq!(again, again2);
    assert_eq!(again["serialNumber"], bom["serialNumber"]);
    assert!(again["metadata"].get("timestamp").is_none());
}

#[test]
fn real_apps_validate() {
    let v = validator();
    let db = VulnDb::seed();
    let mut paths = common::corpus_apks();
    paths.extend(common::apidemos());
    if paths.is_empty() {
        eprintln!("no corpus or ApiDemos: skipped");
        return;
    }
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let app = common::App::open(&path);
        let bom = common::with_app(&app, |cache, strings, types| {
            let inputs = SbomInputs::new(cache)
                .with_dex_strings(strings.iter().map(String::as_str))
                .with_class_names(types.iter().map(String::as_str));
            let r = analyse(inputs, &db, &opts());
            to_cyclonedx(
                &r,
                &AppMeta {
                    package: name.trim_end_matches(".apk").to_string(),
                    version: None,
                    sha256: common::sha256_hex(&app.bytes),
                    timestamp: None,
                },
            )
        });
        check(&v, &name, &bom);
    }
}
