//! Resolving attribute values through `resources.arsc` (`@bool/x`, `@xml/nsc`, `@string/v`...).

use mastiff_formats::arsc::ResourceTable;
use mastiff_formats::axml::Value;
use mastiff_formats::Limits;

/// The app's resource table, if it has a readable one.
pub struct Resources<'a> {
    pub table: Option<ResourceTable<'a>>,
    pub limits: Limits,
}

impl<'a> Resources<'a> {
    pub fn new(table: Option<ResourceTable<'a>>, limits: Limits) -> Self {
        Resources { table, limits }
    }

    pub fn none() -> Self {
        Resources { table: None, limits: Limits::default() }
    }

    /// Resolves a value to its default-configuration value, following references.
    /// Non-references come back unchanged; an unresolvable reference stays a `Reference`.
    pub fn resolve(&self, value: &Value) -> Value {
        match (value, &self.table) {
            (Value::Reference(id), Some(t)) => t
                .resolve(*id, &self.limits)
                .into_iter()
                .next()
                .map(|r| r.value)
                .unwrap_or_else(|| value.clone()),
            _ => value.clone(),
        }
    }
}
