//! User documentation generated from the rules' doc comments (the single source): one page per
//! rule, an index, and the rules behind each MASVS control. `tests/docs.rs` keeps `docs/` in sync.

use std::fmt::Write;

use mastiff_core::Control;

use crate::rule::RuleMeta;
use crate::RULES;

/// One rule's page.
pub fn rule_page(m: &RuleMeta) -> String {
    let mut s = format!("# {} `{}`\n\n**{}**\n\n", m.id, m.name, m.title);
    let masvs: Vec<&str> = m.masvs.iter().map(|c| c.id()).collect();
    let cwe: Vec<String> = m
        .cwe
        .iter()
        .map(|c| format!("[CWE-{c}](https://cwe.mitre.org/data/definitions/{c}.html)"))
        .collect();
    let inputs: Vec<&str> = m.inputs.iter().map(|a| a.as_str()).collect();
    let _ = writeln!(s, "| | |\n|---|---|");
    let _ = writeln!(s, "| Severity | {} |", m.severity);
    let _ = writeln!(s, "| MASVS v2 | {} |", masvs.join(", "));
    if !m.mastg.is_empty() {
        let _ = writeln!(s, "| MASTG | {} |", m.mastg.join(", "));
    }
    let _ = writeln!(s, "| CWE | {} |", cwe.join(", "));
    let _ = writeln!(s, "| Reads | {} |", inputs.join(", "));
    if m.coverage == crate::rule::Coverage::Partial {
        let _ = writeln!(
            s,
            "| Coverage | partial: its findings fail these controls; finding nothing does not pass them |"
        );
    }
    s.push('\n');
    s.push_str(
        &m.doc_markdown()
            .replace("\n## ", "\n### ")
            .replacen("## ", "### ", 1),
    );
    s.push_str(&format!(
        "\n_Generated from the rule's source; `mastiff explain {}` prints the same text._\n",
        m.id
    ));
    s
}

/// `docs/rules/README.md`: every rule and every control.
pub fn index() -> String {
    let mut s = String::from("# Rules\n\nGenerated from the rules' sources (`crates/mastiff-rules/src/rules/`); do not edit by hand.\n\n");
    s.push_str("| ID | Name | Severity | MASVS | Title |\n|---|---|---|---|---|\n");
    for r in RULES.iter() {
        let m = r.meta();
        let masvs: Vec<&str> = m.masvs.iter().map(|c| c.id()).collect();
        let _ = writeln!(
            s,
            "| [{}]({}.md) | `{}` | {} | {} | {} |",
            m.id,
            m.id,
            m.name,
            m.severity,
            masvs.join(", "),
            m.title
        );
    }
    s.push_str("\n## Coverage of MASVS v2 controls\n\nA control is `pass` only when a rule below ran and found nothing or recorded positive evidence; a control with no rule is always reported `not_checked`.\n\n| Control | Statement | Rules |\n|---|---|---|\n");
    for c in Control::ALL {
        let ids: Vec<String> = RULES
            .iter()
            .filter(|r| r.meta().masvs.contains(c))
            .map(|r| format!("[{}]({}.md)", r.meta().id, r.meta().id))
            .collect();
        let rules = if ids.is_empty() {
            "not checked yet".to_string()
        } else {
            ids.join(", ")
        };
        let _ = writeln!(s, "| {} | {} | {} |", c.id(), c.statement(), rules);
    }
    s
}

/// Every generated file: (path relative to `docs/rules/`, content).
pub fn generated_files() -> Vec<(String, String)> {
    let mut files = vec![("README.md".to_string(), index())];
    for r in RULES.iter() {
        files.push((format!("{}.md", r.meta().id), rule_page(r.meta())));
    }
    files
}
