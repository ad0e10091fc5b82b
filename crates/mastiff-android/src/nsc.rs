//! Network security configuration: parsing (`res/xml/*.xml`) and the effective policy the platform
//! applies, per domain and by default, including the targetSdk-dependent defaults.

use mastiff_core::{Date, NetworkPolicy};
use mastiff_formats::axml::XmlDocument;

use crate::Resources;

/// A parsed `<network-security-config>`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetworkSecurityConfig {
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum NscError {
    #[error("root element is <{0}>, not <network-security-config>")]
    WrongRoot(String),
    #[error("empty document")]
    Empty,
}

impl NetworkSecurityConfig {
    pub fn from_xml(doc: &XmlDocument, res: &Resources<'_>) -> Result<Self, NscError> {
        let _ = (doc, res);
        Err(NscError::Empty)
    }
}

/// Inputs of the effective policy besides the config itself.
#[derive(Debug, Clone)]
pub struct PolicyInputs<'a> {
    /// Zip path of the config file, when there is one.
    pub config_path: Option<&'a str>,
    pub target_sdk: u32,
    /// `android:usesCleartextTraffic` as written.
    pub uses_cleartext_traffic: Option<bool>,
    pub debuggable: bool,
    pub scan_date: Date,
}

/// Computes the effective policy: with no config, the platform defaults for `target_sdk`
/// (cleartext permitted below 28 unless `usesCleartextTraffic=false`; user CAs trusted below 24).
pub fn effective_policy(nsc: Option<&NetworkSecurityConfig>, inputs: &PolicyInputs<'_>) -> NetworkPolicy {
    let _ = (nsc, inputs);
    NetworkPolicy::default()
}
