//! Matching detected components against an OSV database.

use std::cmp::Ordering;

use mastiff_core::Date;
use serde::Serialize;

use crate::component::Component;
use crate::cvss;
use crate::osv::{DbInfo, OsvRecord, RangeStatus, VulnDb};
use crate::version::Scheme;

/// Whether the component's version is known to be affected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchStatus {
    /// The detected version is inside an affected range.
    Affected,
    /// The version is unknown (or the advisory's versions could not be read): the component
    /// may be affected. Never reported as clear.
    PotentiallyAffected,
}

/// Severity as the advisory gives it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Severity {
    /// `CVSS_V3`, `CVSS_V4`, … as in OSV `severity[].type`.
    pub cvss_type: Option<String>,
    pub cvss_vector: Option<String>,
    /// Base score computed from a CVSS v3 vector (v2 and v4 vectors are kept without a score).
    pub cvss_score: Option<f64>,
    /// Qualitative level: `critical`, `high`, `medium`, `low` (from the CVSS score, else from the
    /// database's own rating such as GitHub's `MODERATE`).
    pub level: Option<String>,
}

/// One advisory that applies (or may apply) to one component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VulnMatch {
    /// Index into the component list given to [`match_vulns`].
    pub component: usize,
    /// The component's purl (its CycloneDX bom-ref).
    pub component_ref: String,
    pub advisory_id: String,
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    pub details: Option<String>,
    pub severity: Severity,
    pub cwes: Vec<String>,
    /// `fixed` versions of the matching ranges, lowest first.
    pub fixed_versions: Vec<String>,
    /// The lowest fixed version above the detected one (when the version is known).
    pub fixed_in: Option<String>,
    /// `last_affected` ceilings of the matching ranges.
    pub last_affected: Vec<String>,
    pub status: MatchStatus,
    /// 0.0–1.0: component identification confidence, lowered for unknown versions and for
    /// matches through a coordinate alias.
    pub confidence: f32,
    /// The advisory's package as written (`Maven` `com.squareup.okhttp3:okhttp`).
    pub advisory_package: String,
    /// True when the advisory names another coordinate of the same logical component
    /// (okhttp vs okhttp3, another Bouncy Castle artifact, SpongyCastle).
    pub via_alias: bool,
    /// Reference URLs of the advisory.
    pub references: Vec<String>,
    /// When the database has it: `database_specific.ecosystem_specific.affected_functions`.
    pub affected_functions: Vec<String>,
}

/// Result of [`match_vulns`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Matches {
    /// Sorted by component, then advisory id.
    pub vulns: Vec<VulnMatch>,
    /// Staleness and other database warnings.
    pub warnings: Vec<String>,
}

/// The staleness warning for a database, relative to `scan_date`, if it is older than
/// `max_age_days` or its age cannot be told.
pub fn staleness_warning(
    info: &DbInfo,
    scan_date: Date,
    max_age_days: Option<u32>,
) -> Option<String> {
    let max = max_age_days?;
    match info.age_days(scan_date) {
        Some(age) if age > i64::from(max) => Some(format!(
            "vulnerability database is {age} days old on {scan_date} (newest advisory modified {}), more than the allowed {max} days: advisories published or changed since are missing",
            info.newest_modified.as_deref().unwrap_or("?")
        )),
        Some(_) => None,
        None => Some(format!(
            "vulnerability database age unknown (no readable 'modified' date); cannot check it against the allowed {max} days"
        )),
    }
}

/// Every advisory of `db` that affects, or may affect, each component. A component with an
/// unknown version is "potentially affected" by every advisory of its package; it is never
/// reported clear. `max_age_days` (if set) produces a staleness warning against `scan_date`.
pub fn match_vulns(
    components: &[Component],
    db: &VulnDb,
    scan_date: Date,
    max_age_days: Option<u32>,
) -> Matches {
    let mut out = Matches::default();
    if let Some(w) = staleness_warning(db.info(), scan_date, max_age_days) {
        out.warnings.push(w);
    }
    for (ci, comp) in components.iter().enumerate() {
        let pkg = comp.package_name();
        let candidates = db.candidates(&comp.ecosystem, &pkg);
        // Group the affected entries by record (GitHub writes one entry per range).
        let mut by_record: Vec<(&OsvRecord, Vec<&crate::osv::OsvAffected>)> = Vec::new();
        for (rec, aff) in candidates {
            match by_record.iter_mut().find(|(r, _)| std::ptr::eq(*r, rec)) {
                Some((_, list)) => list.push(aff),
                None => by_record.push((rec, vec![aff])),
            }
        }
        for (rec, affs) in by_record {
            if let Some(m) = evaluate(ci, comp, &pkg, rec, &affs) {
                out.vulns.push(m);
            }
        }
    }
    out.vulns.sort_by(|a, b| {
        a.component
            .cmp(&b.component)
            .then_with(|| a.advisory_id.cmp(&b.advisory_id))
    });
    out
}

fn evaluate(
    ci: usize,
    comp: &Component,
    pkg: &str,
    rec: &OsvRecord,
    affs: &[&crate::osv::OsvAffected],
) -> Option<VulnMatch> {
    let version = comp.version.as_deref();
    let mut status = None;
    let mut matching = Vec::new();
    for a in affs {
        match a.status(version) {
            RangeStatus::Affected => {
                status = Some(MatchStatus::Affected);
                matching.push(*a);
            }
            RangeStatus::Unknown => {
                if status.is_none() {
                    status = Some(MatchStatus::PotentiallyAffected);
                }
                matching.push(*a);
            }
            RangeStatus::NotAffected => {}
        }
    }
    let status = status?;
    // With a known version, only the ranges that contain it say how to fix it.
    if status == MatchStatus::Affected {
        matching.retain(|a| a.status(version) == RangeStatus::Affected);
    }
    let first = matching.first()?;
    let (adv_eco, adv_name) = first
        .package
        .as_ref()
        .map(|p| (p.ecosystem.clone(), p.name.clone()))
        .unwrap_or_default();
    let via_alias = matching.iter().all(|a| {
        a.package
            .as_ref()
            .is_none_or(|p| !p.name.eq_ignore_ascii_case(pkg))
    });
    let scheme = Scheme::for_package(&adv_eco, &adv_name);
    let mut fixed: Vec<String> = matching.iter().flat_map(|a| a.fixed_versions()).collect();
    fixed.sort_by(|a, b| scheme.compare(a, b).unwrap_or(Ordering::Equal));
    fixed.dedup();
    let fixed_in = version.and_then(|v| {
        fixed
            .iter()
            .find(|f| scheme.compare(f, v) == Some(Ordering::Greater))
            .cloned()
    });
    let mut last_affected: Vec<String> = matching
        .iter()
        .flat_map(|a| a.last_affected_versions())
        .collect();
    last_affected.dedup();
    let mut confidence = comp.confidence;
    if status == MatchStatus::PotentiallyAffected {
        confidence = confidence.min(0.3);
    }
    if via_alias {
        confidence *= 0.9;
    }
    let affected_functions = matching
        .iter()
        .filter_map(|a| a.ecosystem_specific.as_ref())
        .filter_map(|e| e.get("affected_functions")?.as_array().cloned())
        .flatten()
        .filter_map(|f| f.as_str().map(str::to_string))
        .collect();
    Some(VulnMatch {
        component: ci,
        component_ref: comp.purl.clone(),
        advisory_id: rec.id.clone(),
        aliases: rec.aliases.clone(),
        summary: rec.summary.clone(),
        details: rec.details.clone(),
        severity: severity_of(rec, first),
        cwes: rec.cwe_ids(),
        fixed_versions: fixed,
        fixed_in,
        last_affected,
        status,
        confidence,
        advisory_package: format!("{adv_eco} {adv_name}"),
        via_alias,
        references: rec.references.iter().map(|r| r.url.clone()).collect(),
        affected_functions,
    })
}

fn severity_of(rec: &OsvRecord, aff: &crate::osv::OsvAffected) -> Severity {
    // Prefer a CVSS v3 vector (we can score it), then any other vector.
    let all: Vec<&crate::osv::OsvSeverity> =
        rec.severity.iter().chain(aff.severity.iter()).collect();
    let chosen = all
        .iter()
        .find(|s| s.kind.starts_with("CVSS_V3"))
        .or_else(|| all.iter().find(|s| s.kind.starts_with("CVSS")))
        .copied();
    let mut sev = Severity::default();
    if let Some(s) = chosen {
        sev.cvss_type = Some(s.kind.clone());
        sev.cvss_vector = Some(s.score.clone());
        sev.cvss_score = cvss::v3_base_score(&s.score);
    }
    sev.level = match sev.cvss_score {
        Some(score) => Some(cvss::v3_rating(score).to_string()),
        None => rec
            .severity_level()
            .map(|l| match l.to_ascii_uppercase().as_str() {
                "MODERATE" | "MEDIUM" => "medium".to_string(),
                "CRITICAL" => "critical".to_string(),
                "HIGH" => "high".to_string(),
                "LOW" => "low".to_string(),
                other => other.to_ascii_lowercase(),
            }),
    };
    sev
}
