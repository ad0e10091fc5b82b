//! Per-control verdicts from what the rules found, what they saw in favour, and what they could
//! not check.

use mastiff_core::{Control, ControlResult, Evidence, Finding, Severity, Verdict};

use crate::rule::{Coverage, RuleMeta};

/// What happened to one rule during a scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleOutcome {
    Ran,
    /// An input it needs could not be read.
    Skipped(String),
    /// The rule panicked (a bug in mastiff); turned into a diagnostic.
    Crashed(String),
}

/// Findings below this severity are observations: they do not fail a control.
pub const FAILING_SEVERITY: Severity = Severity::Low;

/// Computes the verdict of every MASVS control.
///
/// - `not_checked`: no rule covers the control, or only rules of [`Coverage::Partial`] do and
///   they found nothing;
/// - `fail`: a finding at low severity or above maps to it;
/// - `incomplete`: no such finding, but a covering rule could not run;
/// - `pass`: every covering rule ran and found nothing (or recorded positive evidence).
pub fn control_verdicts(
    outcomes: &[(&'static RuleMeta, RuleOutcome)],
    findings: &[Finding],
    evidence: &[Evidence],
) -> Vec<ControlResult> {
    Control::ALL
        .iter()
        .map(|&control| {
            let covering: Vec<&(&'static RuleMeta, RuleOutcome)> = outcomes
                .iter()
                .filter(|(m, _)| m.masvs.contains(&control))
                .collect();
            let rules: Vec<String> = covering.iter().map(|(m, _)| m.id.to_string()).collect();
            let ev: Vec<Evidence> = evidence
                .iter()
                .filter(|e| e.control == control)
                .cloned()
                .collect();
            let failing: Vec<&Finding> = findings
                .iter()
                .filter(|f| f.severity >= FAILING_SEVERITY && f.masvs.contains(&control))
                .collect();
            let not_run: Vec<String> = covering
                .iter()
                .filter_map(|(m, o)| match o {
                    RuleOutcome::Ran => None,
                    RuleOutcome::Skipped(why) => Some(format!("{} ({why})", m.id)),
                    RuleOutcome::Crashed(why) => Some(format!("{} (internal error: {why})", m.id)),
                })
                .collect();
            let whole = covering.iter().any(|(m, _)| m.coverage == Coverage::Full);
            let (verdict, reason) = if covering.is_empty() {
                (
                    Verdict::NotChecked,
                    "no rule covers this control yet".to_string(),
                )
            } else if !failing.is_empty() {
                let mut ids: Vec<&str> = failing.iter().map(|f| f.rule.as_str()).collect();
                ids.sort_unstable();
                ids.dedup();
                let n = failing.len();
                (
                    Verdict::Fail,
                    format!(
                        "{n} finding{} from {}",
                        if n == 1 { "" } else { "s" },
                        ids.join(", ")
                    ),
                )
            } else if !not_run.is_empty() {
                (
                    Verdict::Incomplete,
                    format!("could not run: {}", not_run.join("; ")),
                )
            } else if !whole {
                // Only narrow checks cover it: their silence is not a pass.
                (
                    Verdict::NotChecked,
                    format!(
                        "only partial checks cover this control; nothing found by {}",
                        rules.join(", ")
                    ),
                )
            } else if !ev.is_empty() {
                (
                    Verdict::Pass,
                    format!(
                        "positive evidence from {}; nothing found by {}",
                        ev_rules(&ev),
                        rules.join(", ")
                    ),
                )
            } else {
                (
                    Verdict::Pass,
                    format!("nothing found by {}", rules.join(", ")),
                )
            };
            ControlResult {
                id: control,
                statement: control.statement(),
                verdict,
                reason,
                rules,
                evidence: ev,
            }
        })
        .collect()
}

fn ev_rules(ev: &[Evidence]) -> String {
    let mut ids: Vec<&str> = ev.iter().map(|e| e.rule.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RULES;

    fn finding(rule: &str, severity: Severity, control: Control) -> Finding {
        Finding {
            rule: rule.into(),
            title: String::new(),
            severity,
            masvs: vec![control],
            mastg: vec![],
            cwe: vec![],
            message: String::new(),
            locations: vec![],
            library: None,
        }
    }

    fn verdict_of(results: &[ControlResult], c: Control) -> Verdict {
        results
            .iter()
            .find(|r| r.id == c)
            .map(|r| r.verdict)
            .unwrap()
    }

    #[test]
    fn pass_fail_incomplete_not_checked() {
        let mut outcomes: Vec<_> = RULES.iter().map(|r| (r.meta(), RuleOutcome::Ran)).collect();
        for (m, o) in &mut outcomes {
            if m.id == "STO-001" {
                *o = RuleOutcome::Skipped("manifest unreadable".into());
            }
        }
        let findings = vec![
            finding("RES-001", Severity::High, Control::Resilience4),
            finding("PLT-002", Severity::Info, Control::Platform1),
        ];
        let r = control_verdicts(&outcomes, &findings, &[]);
        assert_eq!(r.len(), 24);
        assert_eq!(verdict_of(&r, Control::Resilience4), Verdict::Fail);
        assert_eq!(
            verdict_of(&r, Control::Platform1),
            Verdict::Pass,
            "info findings do not fail"
        );
        assert_eq!(verdict_of(&r, Control::Storage2), Verdict::Incomplete);
        assert_eq!(verdict_of(&r, Control::Privacy4), Verdict::NotChecked);
        assert!(r
            .iter()
            .find(|c| c.id == Control::Storage2)
            .unwrap()
            .reason
            .contains("STO-001"));
    }

    #[test]
    fn a_failure_outranks_an_incomplete_input() {
        let outcomes: Vec<_> = RULES
            .iter()
            .map(|r| {
                (
                    r.meta(),
                    if r.meta().id == "NET-002" {
                        RuleOutcome::Skipped("x".into())
                    } else {
                        RuleOutcome::Ran
                    },
                )
            })
            .collect();
        let r = control_verdicts(
            &outcomes,
            &[finding("NET-001", Severity::High, Control::Network1)],
            &[],
        );
        assert_eq!(verdict_of(&r, Control::Network1), Verdict::Fail);
    }

    #[test]
    fn partial_coverage_fails_but_never_passes() {
        let outcomes: Vec<_> = RULES.iter().map(|r| (r.meta(), RuleOutcome::Ran)).collect();
        assert!(outcomes
            .iter()
            .filter(|(m, _)| m.masvs.contains(&Control::Privacy1))
            .all(|(m, _)| m.coverage == Coverage::Partial));
        let clean = control_verdicts(&outcomes, &[], &[]);
        assert_eq!(verdict_of(&clean, Control::Privacy1), Verdict::NotChecked);
        let found = control_verdicts(
            &outcomes,
            &[finding("PRIV-001", Severity::High, Control::Privacy1)],
            &[],
        );
        assert_eq!(verdict_of(&found, Control::Privacy1), Verdict::Fail);
    }
}
