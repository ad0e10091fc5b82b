//! What a rule is: metadata (id, severity, MASVS/MASTG/CWE mappings, documentation) and a check
//! over the analysed app that reports findings and positive evidence.

use mastiff_core::{Artifact, Control, Evidence, Finding, Location, Severity};

use crate::context::AppContext;

/// Everything about a rule except its logic. The documentation is the rule's doc comment, which
/// `mastiff explain` prints and the generated docs render.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable id, e.g. `NET-001`; never reused.
    pub id: &'static str,
    /// Kebab-case name, e.g. `cleartext-traffic-permitted`.
    pub name: &'static str,
    /// One-line title used in reports.
    pub title: &'static str,
    pub severity: Severity,
    pub masvs: &'static [Control],
    pub mastg: &'static [&'static str],
    pub cwe: &'static [u32],
    /// Inputs the rule reads; when one of them could not be parsed the rule does not run and the
    /// controls it covers become `incomplete`.
    pub inputs: &'static [Artifact],
    /// Markdown documentation: What it checks / Why it matters / How to fix / False positives /
    /// References.
    pub doc: &'static str,
    /// How much of its controls the rule checks.
    pub coverage: Coverage,
}

/// How much of a MASVS control a rule checks, which decides what its silence means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// The rule checks what static analysis can see of the control: when it and the control's
    /// other rules run clean, the control passes.
    Full,
    /// The rule checks one narrow way the control can be broken (e.g. identifiers sent by
    /// SMS for MASVS-PRIVACY-1): its findings fail the control, but finding nothing does not
    /// make the control pass.
    Partial,
}

impl Coverage {
    pub fn as_str(self) -> &'static str {
        match self {
            Coverage::Full => "full",
            Coverage::Partial => "partial",
        }
    }
}

impl RuleMeta {
    /// The documentation with the one leading space of each doc-comment line removed.
    pub fn doc_markdown(&self) -> String {
        let mut out = String::with_capacity(self.doc.len());
        for line in self.doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim().to_string() + "\n"
    }
}

/// Gives a rule's metadata; implemented by [`declare_rule!`].
pub trait Described {
    fn meta(&self) -> &'static RuleMeta;
}

/// A check over one app.
pub trait Rule: Described + Send + Sync {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink);
}

/// Collects what one rule reports.
pub struct Sink {
    meta: &'static RuleMeta,
    pub(crate) findings: Vec<Finding>,
    pub(crate) evidence: Vec<Evidence>,
}

impl Sink {
    pub fn new(meta: &'static RuleMeta) -> Self {
        Sink {
            meta,
            findings: Vec::new(),
            evidence: Vec::new(),
        }
    }

    /// Reports a finding at the rule's severity.
    pub fn report(&mut self, message: impl Into<String>, locations: Vec<Location>) {
        self.report_at(self.meta.severity, message, locations);
    }

    /// Reports a finding at another severity than the rule's default (e.g. a milder variant).
    /// Reports a finding in code; `library` names the third-party library the code belongs to
    /// (from `CodeIndex::library_of`), `None` for the app's own code.
    pub fn report_code(
        &mut self,
        severity: Severity,
        message: impl Into<String>,
        locations: Vec<Location>,
        library: Option<&str>,
    ) {
        self.report_at(severity, message, locations);
        if let Some(f) = self.findings.last_mut() {
            f.library = library.map(str::to_string);
        }
    }

    pub fn report_at(
        &mut self,
        severity: Severity,
        message: impl Into<String>,
        locations: Vec<Location>,
    ) {
        self.findings.push(Finding {
            rule: self.meta.id.to_string(),
            title: self.meta.title.to_string(),
            severity,
            masvs: self.meta.masvs.to_vec(),
            mastg: self.meta.mastg.iter().map(|s| s.to_string()).collect(),
            cwe: self.meta.cwe.to_vec(),
            message: message.into(),
            locations,
            library: None,
        });
    }

    /// Records positive evidence for a control.
    pub fn evidence(
        &mut self,
        control: Control,
        message: impl Into<String>,
        locations: Vec<Location>,
    ) {
        self.evidence.push(Evidence {
            control,
            rule: self.meta.id.to_string(),
            message: message.into(),
            locations,
        });
    }

    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    pub fn into_parts(self) -> (Vec<Finding>, Vec<Evidence>) {
        (self.findings, self.evidence)
    }
}

/// Declares a rule type with its metadata; the doc comment becomes the rule's documentation.
///
/// ```ignore
/// declare_rule! {
///     /// ## What it checks
///     /// ...
///     pub Debuggable {
///         id: "RES-001", name: "debuggable", title: "App is debuggable",
///         severity: High, masvs: [Resilience4], mastg: ["MASTG-TEST-0226"], cwe: [489],
///         inputs: [Manifest],
///     }
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    (@coverage) => {
        $crate::rule::Coverage::Full
    };
    (@coverage $cov:ident) => {
        $crate::rule::Coverage::$cov
    };
    (
        $(#[doc = $doc:expr])*
        pub $name:ident {
            id: $id:literal,
            name: $rname:literal,
            title: $title:literal,
            severity: $sev:ident,
            masvs: [$($masvs:ident),* $(,)?],
            mastg: [$($mastg:literal),* $(,)?],
            cwe: [$($cwe:literal),* $(,)?],
            inputs: [$($input:ident),* $(,)?]
            $(, coverage: $cov:ident)? $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Default, Clone, Copy)]
        pub struct $name;

        impl $crate::rule::Described for $name {
            fn meta(&self) -> &'static $crate::rule::RuleMeta {
                static META: $crate::rule::RuleMeta = $crate::rule::RuleMeta {
                    id: $id,
                    name: $rname,
                    title: $title,
                    severity: ::mastiff_core::Severity::$sev,
                    masvs: &[$(::mastiff_core::Control::$masvs),*],
                    mastg: &[$($mastg),*],
                    cwe: &[$($cwe),*],
                    inputs: &[$(::mastiff_core::Artifact::$input),*],
                    doc: concat!($($doc, "\n"),*),
                    coverage: $crate::declare_rule!(@coverage $($cov)?),
                };
                &META
            }
        }
    };
}
