//! `docs/rules/` is generated from the rules' doc comments. This test fails when it is stale;
//! `UPDATE_DOCS=1 cargo test -p mastiff-rules --test docs` rewrites it.

use std::path::Path;

#[test]
fn rule_docs_are_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules");
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    if update {
        std::fs::create_dir_all(&dir).expect("create docs/rules");
    }
    let mut stale = Vec::new();
    let files = mastiff_rules::docs::generated_files();
    for (name, content) in &files {
        let path = dir.join(name);
        if update {
            std::fs::write(&path, content).expect("write doc");
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(content.as_str()) {
            stale.push(name.clone());
        }
    }
    // No leftover pages of removed rules.
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if !files.iter().any(|(n, _)| *n == name) {
                if update {
                    let _ = std::fs::remove_file(e.path());
                } else {
                    stale.push(format!("{name} (no such rule)"));
                }
            }
        }
    }
    assert!(
        stale.is_empty(),
        "docs/rules is stale: {stale:?}; run UPDATE_DOCS=1 cargo test -p mastiff-rules --test docs"
    );
}
