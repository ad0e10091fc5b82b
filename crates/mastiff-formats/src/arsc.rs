//! `resources.arsc`: the compiled resource table.
//!
//! Only what analysis needs: resolve a resource id to its values across configurations, and name
//! it (`xml/network_security_config`). Parsing is lazy over the borrowed bytes where it matters:
//! Debian's framework-res (32 MB arsc) must parse in well under a second.

use crate::axml::Value;
use crate::Limits;

/// A parsed resource table borrowing the file's bytes.
#[derive(Debug)]
pub struct ResourceTable<'a> {
    data: &'a [u8],
}

/// One value of a resource in one configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedValue {
    /// Human-readable configuration qualifier, `""` for the default configuration
    /// (e.g. `"v24"`, `"night"`, `"en-rUS"`).
    pub config: String,
    pub value: Value,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArscError {
    #[error("not a resource table: {0}")]
    NotResourceTable(&'static str),
    #[error("resource table truncated while reading {what} at offset {offset:#x}")]
    Truncated { what: &'static str, offset: usize },
    #[error("resource table malformed: {what} at offset {offset:#x}")]
    Malformed { what: &'static str, offset: usize },
    #[error("resource table exceeds the limit on {what} ({max})")]
    LimitExceeded { what: &'static str, max: usize },
}

impl<'a> ResourceTable<'a> {
    pub fn parse(data: &'a [u8], limits: &Limits) -> Result<ResourceTable<'a>, ArscError> {
        let _ = limits;
        Err(ArscError::NotResourceTable(if data.is_empty() {
            "empty"
        } else {
            "reader not implemented yet"
        }))
    }

    /// Every value of `id` across configurations (default configuration first). Complex (bag)
    /// entries are skipped. References are *not* followed; see [`ResourceTable::resolve`].
    pub fn values(&self, id: u32) -> Vec<ResolvedValue> {
        let _ = (self.data, id);
        Vec::new()
    }

    /// Follows references from `id` (up to `limits.max_reference_depth` hops) and returns the final
    /// values across configurations, default configuration first. String values of `res/...` file
    /// references come back as `Value::String("res/xml/foo.xml")`.
    pub fn resolve(&self, id: u32, limits: &Limits) -> Vec<ResolvedValue> {
        let _ = (id, limits);
        Vec::new()
    }

    /// `(type, entry)` name of a resource id, e.g. `("xml", "network_security_config")`.
    pub fn name(&self, id: u32) -> Option<(String, String)> {
        let _ = id;
        None
    }
}
