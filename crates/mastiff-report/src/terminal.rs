//! A summary a person reads in ten seconds: what the app is, the verdict per control, counts by
//! severity, the top findings with where they are, and the input problems.

use std::fmt::Write;

use mastiff_core::{Control, DiagnosticKind, Report, Severity, Verdict};

#[derive(Debug, Clone)]
pub struct TerminalOptions {
    /// ANSI colours.
    pub color: bool,
    /// How many findings to list (the rest are counted).
    pub max_findings: usize,
}

impl Default for TerminalOptions {
    fn default() -> Self {
        TerminalOptions {
            color: false,
            max_findings: 15,
        }
    }
}

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn bold(&self, t: &str) -> String {
        self.paint("1", t)
    }
    fn dim(&self, t: &str) -> String {
        self.paint("2", t)
    }
    fn severity(&self, s: Severity) -> String {
        let label = format!("{:<8}", s.as_str().to_uppercase());
        let code = match s {
            Severity::Critical => "1;35",
            Severity::High => "1;31",
            Severity::Medium => "33",
            Severity::Low => "36",
            Severity::Info => "2",
        };
        self.paint(code, &label)
    }
    fn verdict(&self, v: Verdict) -> String {
        let (code, label) = match v {
            Verdict::Pass => ("32", "pass"),
            Verdict::Fail => ("1;31", "FAIL"),
            Verdict::Incomplete => ("33", "incomplete"),
            Verdict::NotChecked => ("2", "not checked"),
        };
        self.paint(code, &format!("{label:<11}"))
    }
}

/// Renders one report.
pub fn render_terminal(report: &Report, opts: &TerminalOptions) -> String {
    let st = Style { on: opts.color };
    let mut out = String::new();
    let t = &report.target;

    // What was scanned.
    let _ = writeln!(out, "{}", st.bold(&t.path));
    let mut facts = Vec::new();
    if let Some(p) = &t.package {
        let mut s = p.clone();
        if let Some(v) = &t.version_name {
            s.push_str(&format!(" {v}"));
        }
        facts.push(s);
    }
    if let (Some(min), Some(target)) = (t.min_sdk, t.target_sdk) {
        facts.push(format!("minSdk {min}, targetSdk {target}"));
    }
    if t.debuggable == Some(true) {
        facts.push("debuggable".into());
    }
    let s = &report.signing;
    if !s.schemes.is_empty() {
        let key = s
            .certificates
            .first()
            .map(|c| {
                let bits = c.key_bits.map(|b| format!("-{b}")).unwrap_or_default();
                let known = c
                    .known_key
                    .as_deref()
                    .map(|k| format!(", {k}"))
                    .unwrap_or_default();
                format!(" ({}{bits}{known})", c.key_algorithm)
            })
            .unwrap_or_default();
        facts.push(format!("signed {}{key}", s.schemes.join("+")));
    } else if t.package.is_some() {
        facts.push("unsigned".into());
    }
    if !facts.is_empty() {
        let _ = writeln!(out, "  {}", facts.join(" · "));
    }
    if let Some(n) = &report.network {
        let cleartext = if n.default.cleartext_permitted {
            "cleartext allowed"
        } else {
            "cleartext blocked"
        };
        let pinned = n
            .domains
            .iter()
            .filter(|d| !d.pins.is_empty() && !d.pins_expired)
            .count();
        let _ = writeln!(
            out,
            "  {} {cleartext} by default, {pinned} pinned domain(s) ({})",
            st.dim("network:"),
            n.basis
        );
    }
    let _ = writeln!(out, "  {} {}", st.dim("sha256:"), t.sha256);
    out.push('\n');

    // Controls.
    let count = |v: Verdict| report.controls.iter().filter(|c| c.verdict == v).count();
    let _ = writeln!(
        out,
        "{}  {} fail · {} pass · {} incomplete · {} not checked",
        st.bold("MASVS v2 controls"),
        count(Verdict::Fail),
        count(Verdict::Pass),
        count(Verdict::Incomplete),
        count(Verdict::NotChecked)
    );
    for c in report
        .controls
        .iter()
        .filter(|c| c.verdict != Verdict::NotChecked)
    {
        let _ = writeln!(
            out,
            "  {} {:<19} {}",
            st.verdict(c.verdict),
            c.id.id(),
            st.dim(&c.reason)
        );
    }
    let not_checked: Vec<&str> = report
        .controls
        .iter()
        .filter(|c| c.verdict == Verdict::NotChecked)
        .map(|c| short_id(c.id))
        .collect();
    if !not_checked.is_empty() {
        let _ = writeln!(
            out,
            "  {} {}",
            st.verdict(Verdict::NotChecked),
            st.dim(&not_checked.join(", "))
        );
    }
    out.push('\n');

    // Findings.
    let sc = &report.summary;
    let _ = writeln!(
        out,
        "{}  {} critical · {} high · {} medium · {} low · {} info",
        st.bold(&format!("{} findings", report.findings.len())),
        sc.critical,
        sc.high,
        sc.medium,
        sc.low,
        sc.info
    );
    for f in report.findings.iter().take(opts.max_findings) {
        let _ = writeln!(
            out,
            "  {} {:<9}{}",
            st.severity(f.severity),
            f.rule,
            f.message
        );
        if let Some(loc) = f.locations.first() {
            let _ = writeln!(out, "  {:<8} {:<9}{}", "", "", st.dim(&format!("at {loc}")));
        }
    }
    if report.findings.len() > opts.max_findings {
        let _ = writeln!(
            out,
            "  … and {} more (use --format json for all)",
            report.findings.len() - opts.max_findings
        );
    }

    // Diagnostics.
    if !report.diagnostics.is_empty() {
        out.push('\n');
        let anomalies = report
            .diagnostics
            .iter()
            .filter(|d| d.kind == DiagnosticKind::Anomaly)
            .count();
        let _ = writeln!(
            out,
            "{}  {} anomal{} in the input",
            st.bold(&format!("{} diagnostics", report.diagnostics.len())),
            anomalies,
            if anomalies == 1 { "y" } else { "ies" }
        );
        let mut shown = 0;
        for d in report
            .diagnostics
            .iter()
            .filter(|d| d.kind != DiagnosticKind::Anomaly)
        {
            if shown == 8 {
                break;
            }
            let _ = writeln!(out, "  {:<10} {}", kind_label(d.kind), d.message);
            shown += 1;
        }
        for d in report
            .diagnostics
            .iter()
            .filter(|d| d.kind == DiagnosticKind::Anomaly)
            .take(8usize.saturating_sub(shown))
        {
            let _ = writeln!(
                out,
                "  {:<10} {} {}",
                kind_label(d.kind),
                d.code,
                st.dim(&d.message)
            );
        }
    }
    out
}

fn kind_label(k: DiagnosticKind) -> &'static str {
    match k {
        DiagnosticKind::Anomaly => "anomaly",
        DiagnosticKind::ParseError => "unreadable",
        DiagnosticKind::RuleError => "rule error",
        DiagnosticKind::Internal => "internal",
        DiagnosticKind::Note => "note",
    }
}

/// `STORAGE-1` for `MASVS-STORAGE-1`.
fn short_id(c: Control) -> &'static str {
    c.id().strip_prefix("MASVS-").unwrap_or(c.id())
}
