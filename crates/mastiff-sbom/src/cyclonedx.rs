//! CycloneDX 1.6 JSON, as plain serde structs (validated against the official schema in
//! `tests/cyclonedx_schema.rs`).

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::matching::{MatchStatus, VulnMatch};
use crate::SbomResult;

/// The analysed app, for `metadata.component`.
#[derive(Debug, Clone, Default)]
pub struct AppMeta {
    /// Package name (`com.example.app`); the file name if the manifest could not be read.
    pub package: String,
    /// `versionName` from the manifest.
    pub version: Option<String>,
    /// SHA-256 of the input file, lowercase hex. Also seeds the serial number, so the same app
    /// gives the same SBOM.
    pub sha256: String,
    /// `metadata.timestamp` (RFC 3339); omitted when `None`, keeping the output reproducible.
    pub timestamp: Option<String>,
}

/// Namespace of mastiff's `properties` names.
pub const PROPERTY_PREFIX: &str = "mastiff:";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bom<'a> {
    bom_format: &'static str,
    spec_version: &'static str,
    serial_number: String,
    version: u32,
    metadata: Metadata<'a>,
    components: Vec<CdxComponent<'a>>,
    dependencies: Vec<Dependency<'a>>,
    compositions: Vec<Composition<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    vulnerabilities: Vec<Vulnerability<'a>>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<&'a str>,
    tools: Tools,
    component: AppComponent<'a>,
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Tools {
    components: Vec<ToolComponent>,
}

#[derive(Serialize)]
struct ToolComponent {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct AppComponent<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref")]
    bom_ref: &'static str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<Hash<'a>>,
}

#[derive(Serialize)]
struct Hash<'a> {
    alg: &'static str,
    content: &'a str,
}

#[derive(Serialize)]
struct Property {
    name: String,
    value: String,
}

fn prop(name: &str, value: impl Into<String>) -> Property {
    Property {
        name: format!("{PROPERTY_PREFIX}{name}"),
        value: value.into(),
    }
}

#[derive(Serialize)]
struct CdxComponent<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref")]
    bom_ref: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    supplier: Option<Supplier<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<&'a str>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
    purl: &'a str,
    evidence: ComponentEvidence<'a>,
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Supplier<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct ComponentEvidence<'a> {
    identity: Vec<Identity<'a>>,
    occurrences: Vec<Occurrence<'a>>,
}

#[derive(Serialize)]
struct Identity<'a> {
    field: &'static str,
    confidence: f32,
    #[serde(rename = "concludedValue")]
    concluded_value: &'a str,
    methods: Vec<IdentityMethod<'a>>,
}

#[derive(Serialize)]
struct IdentityMethod<'a> {
    technique: &'static str,
    confidence: f32,
    value: &'a str,
}

#[derive(Serialize)]
struct Occurrence<'a> {
    location: &'a str,
    #[serde(rename = "additionalContext")]
    additional_context: &'a str,
}

#[derive(Serialize)]
struct Dependency<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
    #[serde(rename = "dependsOn")]
    depends_on: Vec<&'a str>,
}

#[derive(Serialize)]
struct Composition<'a> {
    aggregate: &'static str,
    assemblies: Vec<&'a str>,
}

#[derive(Serialize)]
struct Vulnerability<'a> {
    id: &'a str,
    source: Source,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    references: Vec<VulnReference<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ratings: Vec<Rating<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    cwes: Vec<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recommendation: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    advisories: Vec<Advisory<'a>>,
    analysis: Analysis,
    affects: Vec<Affects<'a>>,
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Source {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
struct VulnReference<'a> {
    id: &'a str,
    source: Source,
}

#[derive(Serialize)]
struct Rating<'a> {
    source: Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    severity: Option<&'a str>,
    method: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    vector: Option<&'a str>,
}

#[derive(Serialize)]
struct Advisory<'a> {
    url: &'a str,
}

#[derive(Serialize)]
struct Analysis {
    state: &'static str,
    detail: String,
}

#[derive(Serialize)]
struct Affects<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
}

/// A `urn:uuid:` derived from the input's SHA-256 (UUIDv8 layout, RFC 9562): same app, same
/// serial number.
pub fn serial_number(sha256_hex: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"mastiff-sbom serial\0")
        .chain_update(sha256_hex.trim().to_ascii_lowercase().as_bytes())
        .finalize();
    let mut b = [0u8; 16];
    for (dst, src) in b.iter_mut().zip(digest.iter()) {
        *dst = *src;
    }
    b[6] = (b[6] & 0x0f) | 0x80; // version 8
    b[8] = (b[8] & 0x3f) | 0x80; // RFC variant
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        h.get(0..8).unwrap_or(""),
        h.get(8..12).unwrap_or(""),
        h.get(12..16).unwrap_or(""),
        h.get(16..20).unwrap_or(""),
        h.get(20..32).unwrap_or("")
    )
}

fn advisory_source(id: &str) -> Source {
    if id.starts_with("GHSA-") {
        Source {
            name: "GitHub Advisory Database".into(),
            url: Some(format!("https://github.com/advisories/{id}")),
        }
    } else if id.starts_with("CVE-") {
        Source {
            name: "NVD".into(),
            url: Some(format!("https://nvd.nist.gov/vuln/detail/{id}")),
        }
    } else {
        Source {
            name: "OSV".into(),
            url: None,
        }
    }
}

fn method_of(cvss_type: Option<&str>, vector: Option<&str>) -> &'static str {
    match (cvss_type, vector) {
        (_, Some(v)) if v.starts_with("CVSS:3.1/") => "CVSSv31",
        (_, Some(v)) if v.starts_with("CVSS:3.0/") => "CVSSv3",
        (_, Some(v)) if v.starts_with("CVSS:4.0/") => "CVSSv4",
        (Some("CVSS_V2"), _) => "CVSSv2",
        _ => "other",
    }
}

/// The SBOM of a result, as CycloneDX 1.6 JSON.
pub fn to_cyclonedx(result: &SbomResult, app: &AppMeta) -> serde_json::Value {
    let db_desc = result.db_info.describe();
    let mut meta_props = vec![
        prop("vulnerability-database", db_desc.clone()),
        prop(
            "vulnerability-database:newest-modified",
            result
                .db_info
                .newest_modified
                .clone()
                .unwrap_or_else(|| "unknown".into()),
        ),
        prop(
            "vulnerability-database:exhaustive",
            if result.db_info.exhaustive {
                "true"
            } else {
                "false"
            },
        ),
    ];
    for w in &result.warnings {
        meta_props.push(prop("warning", w.clone()));
    }
    let components: Vec<CdxComponent> = result
        .components
        .iter()
        .map(|c| {
            let methods = c
                .evidence
                .iter()
                .map(|e| IdentityMethod {
                    technique: e.method.cyclonedx_technique(),
                    confidence: if e.method == c.method {
                        c.confidence
                    } else {
                        c.confidence.min(0.6)
                    },
                    value: &e.value,
                })
                .collect();
            let mut seen = std::collections::BTreeSet::new();
            let occurrences = c
                .evidence
                .iter()
                .filter(|e| seen.insert((e.location.as_str(), e.value.as_str())))
                .map(|e| Occurrence {
                    location: &e.location,
                    additional_context: &e.value,
                })
                .collect();
            CdxComponent {
                kind: "library",
                bom_ref: c.bom_ref(),
                supplier: c.supplier.as_deref().map(|name| Supplier { name }),
                group: c.group.as_deref(),
                name: &c.name,
                version: c.version.as_deref(),
                purl: &c.purl,
                evidence: ComponentEvidence {
                    identity: vec![Identity {
                        field: "purl",
                        confidence: c.confidence,
                        concluded_value: &c.purl,
                        methods,
                    }],
                    occurrences,
                },
                properties: vec![
                    prop("detection-method", serde_plain(&c.method)),
                    prop(
                        "version-status",
                        if c.version.is_some() {
                            "known"
                        } else {
                            "unknown"
                        },
                    ),
                    // FDA premarket guidance elements the spec has no field for. mastiff cannot
                    // know them from the binary, and says so rather than guess.
                    prop("fda:level-of-support", "unknown"),
                    prop("fda:end-of-support-date", "unknown"),
                ],
            }
        })
        .collect();
    let refs: Vec<&str> = result.components.iter().map(|c| c.bom_ref()).collect();
    let vulnerabilities = group_vulns(&result.vulns, &db_desc);
    let bom = Bom {
        bom_format: "CycloneDX",
        spec_version: "1.6",
        serial_number: serial_number(&app.sha256),
        version: 1,
        metadata: Metadata {
            timestamp: app.timestamp.as_deref(),
            tools: Tools {
                components: vec![ToolComponent {
                    kind: "application",
                    name: "mastiff",
                    version: env!("CARGO_PKG_VERSION"),
                }],
            },
            component: AppComponent {
                kind: "application",
                bom_ref: "app",
                name: &app.package,
                version: app.version.as_deref(),
                hashes: if app.sha256.is_empty() {
                    Vec::new()
                } else {
                    vec![Hash {
                        alg: "SHA-256",
                        content: &app.sha256,
                    }]
                },
            },
            properties: meta_props,
        },
        components,
        dependencies: vec![Dependency {
            reference: "app",
            depends_on: refs.clone(),
        }],
        // Transitive relations are not recoverable from an APK, and detection can miss
        // libraries (shrunk, renamed or relocated code).
        compositions: vec![Composition {
            aggregate: "incomplete",
            assemblies: refs,
        }],
        vulnerabilities,
    };
    serde_json::to_value(&bom).unwrap_or(serde_json::Value::Null)
}

fn serde_plain<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// One CycloneDX vulnerability per advisory, affecting every matched component.
fn group_vulns<'a>(vulns: &'a [VulnMatch], db_desc: &str) -> Vec<Vulnerability<'a>> {
    let mut order: Vec<&str> = Vec::new();
    for v in vulns {
        if !order.contains(&v.advisory_id.as_str()) {
            order.push(&v.advisory_id);
        }
    }
    order
        .into_iter()
        .filter_map(|id| {
            let group: Vec<&VulnMatch> = vulns.iter().filter(|v| v.advisory_id == id).collect();
            let first = *group.first()?;
            let sev = &first.severity;
            let mut ratings = Vec::new();
            if sev.cvss_vector.is_some() || sev.level.is_some() {
                ratings.push(Rating {
                    source: advisory_source(id),
                    score: sev.cvss_score,
                    severity: sev.level.as_deref(),
                    method: method_of(sev.cvss_type.as_deref(), sev.cvss_vector.as_deref()),
                    vector: sev.cvss_vector.as_deref(),
                });
            }
            let cwes = first
                .cwes
                .iter()
                .filter_map(|c| c.strip_prefix("CWE-")?.parse().ok())
                .collect();
            let recommendation = {
                let mut parts = Vec::new();
                for v in &group {
                    let target = v
                        .fixed_in
                        .clone()
                        .or_else(|| (!v.fixed_versions.is_empty()).then(|| v.fixed_versions.join(" / ")));
                    match target {
                        Some(t) => parts.push(format!("{}: upgrade to {t} or later", v.component_ref)),
                        None if !v.last_affected.is_empty() => parts.push(format!(
                            "{}: affected up to and including {}; upgrade past it",
                            v.component_ref,
                            v.last_affected.join(" / ")
                        )),
                        None => {}
                    }
                }
                (!parts.is_empty()).then(|| parts.join("; "))
            };
            let any_exact = group.iter().any(|v| v.status == MatchStatus::Affected);
            let detail = group
                .iter()
                .map(|v| match v.status {
                    MatchStatus::Affected => format!(
                        "{}: the detected version is in the advisory's affected range for {}{}; reachability not assessed",
                        v.component_ref,
                        v.advisory_package,
                        if v.via_alias { " (another coordinate of the same library)" } else { "" }
                    ),
                    MatchStatus::PotentiallyAffected => format!(
                        "{}: version unknown, potentially affected (advisory package {})",
                        v.component_ref, v.advisory_package
                    ),
                })
                .collect::<Vec<_>>()
                .join("; ");
            let confidence = group.iter().map(|v| v.confidence).fold(0.0f32, f32::max);
            Some(Vulnerability {
                id,
                source: advisory_source(id),
                references: first
                    .aliases
                    .iter()
                    .map(|a| VulnReference {
                        id: a,
                        source: advisory_source(a),
                    })
                    .collect(),
                ratings,
                cwes,
                description: first.summary.as_deref(),
                detail: first.details.as_deref(),
                recommendation,
                advisories: first
                    .references
                    .iter()
                    .filter(|u| !u.is_empty())
                    .take(10)
                    .map(|url| Advisory { url })
                    .collect(),
                analysis: Analysis {
                    state: "in_triage",
                    detail,
                },
                affects: group
                    .iter()
                    .map(|v| Affects {
                        reference: &v.component_ref,
                    })
                    .collect(),
                properties: vec![
                    prop(
                        "match-status",
                        if any_exact { "affected" } else { "potentially-affected" },
                    ),
                    prop("match-confidence", format!("{confidence:.2}")),
                    prop("vulnerability-database", db_desc.to_string()),
                ],
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_is_deterministic_and_well_formed() {
        let a = serial_number("ab".repeat(32).as_str());
        let b = serial_number("AB".repeat(32).as_str());
        let c = serial_number("cd".repeat(32).as_str());
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), "urn:uuid:".len() + 36);
        let u = a.trim_start_matches("urn:uuid:");
        assert_eq!(&u[14..15], "8");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
    }
}
