use mastiff_core::{Control, Location, Severity};
use mastiff_sbom::{MatchStatus, VulnMatch};

use crate::rule::{Rule, Sink};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Third-party components identified in the app (`META-INF/*.version` files, Maven
    /// `pom.properties`, version strings compiled into DEX or native code, JavaScript asset
    /// banners, package prefixes) that an advisory of the vulnerability database affects. The
    /// database is the built-in seed set (a small curated OSV set, not exhaustive) or an OSV
    /// export given with `--vuln-db DIR` (osv-scanner's offline layout). Versions are compared
    /// with each ecosystem's rules (Maven ComparableVersion, semver, OpenSSL letter releases);
    /// known coordinate aliases (okhttp / okhttp3, the Bouncy Castle artifacts, SpongyCastle)
    /// count as one component.
    ///
    /// One finding per vulnerable component, naming the advisories, the highest severity (CVSS
    /// where the advisory has it), the fixed version and where the component was found. A
    /// component whose version could not be determined is reported as *potentially affected*
    /// at low severity, never as clear. Components with no matching advisory are listed in the
    /// report's `components` as positive evidence for MASVS-CODE-3 only when their version is
    /// known.
    ///
    /// ## Why it matters
    /// Most of an app's code is third-party. A library with a published vulnerability (OkHttp's
    /// hostname verification bypass CVE-2021-0341, Gson deserialization CVE-2022-25647...) is
    /// the easiest way in, and attackers scan for exactly these versions.
    ///
    /// ## How to fix
    /// Upgrade the component to the fixed version (or later) and rebuild; review the SBOM
    /// (`mastiff sbom app.apk`) with each release.
    ///
    /// ## False positives
    /// The vulnerable function may be unused by the app (reachability is not analysed). An
    /// unknown version may be a fixed one: check the build's dependency lock. The seed set only
    /// knows a few advisories; an empty result with it is not proof of absence.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0272 / MASTG-TEST-0274: Dependencies with Known Vulnerabilities
    /// - CWE-1395: Dependency on Vulnerable Third-Party Component
    /// - https://ossf.github.io/osv-schema/
    pub VulnerableComponent {
        id: "CODE-020",
        name: "vulnerable-component",
        title: "Third-party component with known vulnerabilities",
        severity: High,
        masvs: [Code3],
        mastg: ["MASTG-TEST-0272", "MASTG-TEST-0274"],
        cwe: [1395],
        inputs: [Container],
    }
}

fn level(v: &VulnMatch) -> Severity {
    match v
        .severity
        .level
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("critical") => Severity::Critical,
        Some("high") => Severity::High,
        Some("moderate" | "medium") => Severity::Medium,
        Some("low") => Severity::Low,
        _ => Severity::Medium,
    }
}

impl Rule for VulnerableComponent {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(sbom) = app.sbom else { return };
        for (index, component) in sbom.components.iter().enumerate() {
            let vulns: Vec<&VulnMatch> =
                sbom.vulns.iter().filter(|v| v.component == index).collect();
            let locations: Vec<Location> = component
                .evidence
                .iter()
                .take(3)
                .map(|e| Location::Entry {
                    entry: e.location.clone(),
                    offset: None,
                })
                .collect();
            if vulns.is_empty() {
                if component.version.is_some() {
                    out.evidence(
                        Control::Code3,
                        format!("{} has no advisory in the database", component.purl),
                        locations,
                    );
                }
                continue;
            }
            let affected: Vec<&&VulnMatch> = vulns
                .iter()
                .filter(|v| v.status == MatchStatus::Affected)
                .collect();
            let describe = |v: &VulnMatch| {
                let mut s = v.advisory_id.clone();
                let cves: Vec<&str> = v
                    .aliases
                    .iter()
                    .filter(|a| a.starts_with("CVE-"))
                    .map(String::as_str)
                    .collect();
                if !cves.is_empty() {
                    s.push_str(&format!(" ({})", cves.join(", ")));
                }
                if let Some(score) = v.severity.cvss_score {
                    s.push_str(&format!(" CVSS {score:.1}"));
                }
                if let Some(fixed) = v.fixed_in.as_ref().or(v.fixed_versions.first()) {
                    s.push_str(&format!(", fixed in {fixed}"));
                }
                s
            };
            let name = component.package_name();
            let version = component.version.as_deref().unwrap_or("unknown version");
            if !affected.is_empty() {
                let severity = affected
                    .iter()
                    .map(|v| level(v))
                    .max()
                    .unwrap_or(Severity::Medium);
                let list: Vec<String> = affected.iter().map(|v| describe(v)).collect();
                let alias = if affected.iter().any(|v| v.via_alias) {
                    " (advisory names an alias coordinate)"
                } else {
                    ""
                };
                out.report_at(
                    severity,
                    format!("{name} {version} is affected by {}{alias}", list.join("; ")),
                    locations,
                );
            } else {
                let list: Vec<String> = vulns.iter().map(|v| describe(v)).collect();
                let why = if component.version.is_none() {
                    "its version could not be determined"
                } else {
                    "the advisory's affected versions could not be compared"
                };
                out.report_at(
                    Severity::Low,
                    format!(
                        "{name} ({version}) is potentially affected by {}: {why}",
                        list.join("; ")
                    ),
                    locations,
                );
            }
        }
    }
}
