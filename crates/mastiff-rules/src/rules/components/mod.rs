//! MASVS-CODE-3: third-party components with known vulnerabilities (from the SBOM).

pub mod vulnerable_component;

use crate::rule::Rule;

/// This group's rules, in id order.
pub(crate) static RULES: &[&dyn Rule] = &[&vulnerable_component::VulnerableComponent];
