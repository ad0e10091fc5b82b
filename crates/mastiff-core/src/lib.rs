//! The shared vocabulary of mastiff: what a finding, a location, a diagnostic and a per-control verdict
//! are, and the report that every output format renders. No I/O and no parsing live here.

mod control;
mod date;
mod finding;
mod report;

pub use control::{Control, ControlGroup};
pub use date::Date;
pub use finding::{Artifact, Diagnostic, DiagnosticKind, Evidence, Finding, Location, Severity};
pub use report::{
    CertificateSummary, ComponentSummary, ControlResult, NetworkDomainPolicy, NetworkPolicy,
    Platform, Report, SchemeVerification, SeverityCounts, SigningSummary, Target, ToolInfo,
    TrustAnchorSummary, Verdict, VulnDbSummary, REPORT_SCHEMA_VERSION,
};
