//! Every key a JSON report emits is documented in `docs/report-schema.md`.

use assert_cmd::Command;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn keys(v: &serde_json::Value, out: &mut BTreeSet<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                out.insert(k.clone());
                keys(v, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| keys(i, out)),
        _ => {}
    }
}

#[test]
fn every_emitted_key_is_documented() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let doc = std::fs::read_to_string(root.join("docs/report-schema.md")).expect("schema doc");
    let mut seen = BTreeSet::new();
    for app in [
        "insecure.apk",
        "hardened.apk",
        "nsc-nested.apk",
        "unsigned.apk",
    ] {
        let out = Command::cargo_bin("mastiff")
            .expect("binary")
            .args(["scan", "--format", "json"])
            .arg(root.join("fixtures/apps").join(app))
            .output()
            .expect("runs");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        keys(&v, &mut seen);
    }
    let undocumented: Vec<&String> = seen
        .iter()
        .filter(|k| !doc.contains(&format!("`{k}`")) && !doc.contains(&format!(".{k}`")))
        .collect();
    assert!(
        undocumented.is_empty(),
        "keys missing from docs/report-schema.md: {undocumented:?}"
    );
    assert!(seen.len() > 40, "only {} keys seen", seen.len());
}
