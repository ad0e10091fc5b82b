//! Resolving attribute values through `resources.arsc` (`@bool/x`, `@xml/nsc`, `@string/v`...).

use mastiff_formats::arsc::ResourceTable;
use mastiff_formats::axml::Value;
use mastiff_formats::Limits;

/// The app's resource table, if it has a readable one.
pub struct Resources<'a> {
    pub table: Option<ResourceTable<'a>>,
    pub limits: Limits,
    /// Test-only backing: resource id -> (type, entry name, default-configuration value).
    #[cfg(test)]
    pub(crate) fake: std::collections::HashMap<u32, (String, String, Value)>,
    /// Test-only: values of non-default configurations, e.g. `(id, "v24", Bool(true))`.
    #[cfg(test)]
    pub(crate) fake_configs: Vec<(u32, String, Value)>,
}

impl<'a> Resources<'a> {
    pub fn new(table: Option<ResourceTable<'a>>, limits: Limits) -> Self {
        Resources {
            table,
            limits,
            #[cfg(test)]
            fake: std::collections::HashMap::new(),
            #[cfg(test)]
            fake_configs: Vec::new(),
        }
    }

    pub fn none() -> Self {
        Resources::new(None, Limits::default())
    }

    /// Resolves a value to its default-configuration value, following references.
    /// Non-references come back unchanged; an unresolvable reference stays a `Reference`.
    pub fn resolve(&self, value: &Value) -> Value {
        #[cfg(test)]
        if !self.fake.is_empty() {
            return self.resolve_fake(value);
        }
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

    /// Resolves a value in every configuration the resource table has for it, default
    /// configuration first: `[("", Bool(false)), ("v24", Bool(true))]`. A non-reference comes
    /// back as `[("", value)]`; an unresolvable reference as `[("", Reference)]`.
    pub fn resolve_all(&self, value: &Value) -> Vec<(String, Value)> {
        #[cfg(test)]
        if !self.fake.is_empty() {
            let mut out = vec![(String::new(), self.resolve_fake(value))];
            if let Value::Reference(id) = value {
                out.extend(
                    self.fake_configs
                        .iter()
                        .filter(|(i, _, _)| i == id)
                        .map(|(_, c, v)| (c.clone(), self.resolve_fake(v))),
                );
            }
            return out;
        }
        match (value, &self.table) {
            (Value::Reference(id), Some(t)) => {
                let all: Vec<(String, Value)> = t
                    .resolve(*id, &self.limits)
                    .into_iter()
                    .map(|r| (r.config, r.value))
                    .collect();
                if all.is_empty() {
                    vec![(String::new(), value.clone())]
                } else {
                    all
                }
            }
            _ => vec![(String::new(), value.clone())],
        }
    }

    #[cfg(test)]
    fn resolve_fake(&self, value: &Value) -> Value {
        let mut current = value.clone();
        for _ in 0..=self.limits.max_reference_depth {
            match &current {
                Value::Reference(id) => match self.fake.get(id) {
                    Some((_, _, v)) => current = v.clone(),
                    None => return current,
                },
                _ => return current,
            }
        }
        // Too many hops: give up like the table reader does, leaving the reference.
        value.clone()
    }

    /// `(type, entry)` name of a resource id, e.g. `("xml", "network_security_config")`.
    pub fn name(&self, id: u32) -> Option<(String, String)> {
        #[cfg(test)]
        if let Some((t, n, _)) = self.fake.get(&id) {
            return Some((t.clone(), n.clone()));
        }
        self.table.as_ref().and_then(|t| t.name(id))
    }

    /// How a reference reads in source: `@xml/nsc` when the table names it, else `@0x7f0f0001`.
    pub fn reference_text(&self, id: u32) -> String {
        match self.name(id) {
            Some((t, n)) => format!("@{t}/{n}"),
            None => format!("@{id:#010x}"),
        }
    }

    /// Resolves a value that names a resource file (`@xml/nsc`, `@raw/ca`) to its zip path
    /// (`res/xml/nsc.xml`). `None` when the value does not resolve to a path.
    pub fn resolve_file(&self, value: &Value) -> Option<String> {
        match self.resolve(value) {
            Value::String(s) if s.starts_with("res/") => Some(s),
            _ => None,
        }
    }
}

/// Liberal boolean reading of a resolved value: `Bool`, integers (non-zero is true, as the
/// platform's `TypedArray.getBoolean` reads them) and the strings `true`/`false`.
pub(crate) fn value_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::IntDec(n) => Some(*n != 0),
        Value::IntHex(n) => Some(*n != 0),
        Value::String(s) => match s.trim() {
            t if t.eq_ignore_ascii_case("true") => Some(true),
            t if t.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Integer reading: `IntDec`/`IntHex`, or a string holding a decimal or `0x` hex number.
pub(crate) fn value_int(v: &Value) -> Option<i64> {
    match v {
        Value::IntDec(n) => Some(i64::from(*n)),
        Value::IntHex(n) => Some(i64::from(*n)),
        Value::String(s) => parse_int(s),
        _ => None,
    }
}

pub(crate) fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim();
    if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        i64::from_str_radix(h, 16).ok()
    } else {
        t.parse::<i64>().ok()
    }
}

/// String reading: strings as they are, numbers and booleans in their decimal/text form (aapt
/// types `android:versionName="2"` as a string, but hand-made or obfuscated files may not).
pub(crate) fn value_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::IntDec(n) => Some(n.to_string()),
        Value::IntHex(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Float(f) => Some(f.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testxml::{fake_id, resources};

    #[test]
    fn resolves_chained_references_to_default_value() {
        let res = resources(&[
            ("@bool/a", Value::Reference(fake_id("@bool/b"))),
            ("@bool/b", Value::Bool(true)),
        ]);
        assert_eq!(
            res.resolve(&Value::Reference(fake_id("@bool/a"))),
            Value::Bool(true)
        );
        assert_eq!(res.reference_text(fake_id("@bool/a")), "@bool/a");
    }

    #[test]
    fn unresolvable_reference_stays_reference() {
        let res = resources(&[("@bool/a", Value::Bool(false))]);
        let r = Value::Reference(0x7f99_0001);
        assert_eq!(res.resolve(&r), r);
        assert_eq!(res.reference_text(0x7f99_0001), "@0x7f990001");
        assert_eq!(Resources::none().resolve(&r), r);
    }

    #[test]
    fn reference_loop_is_bounded() {
        let a = fake_id("@bool/a");
        let res = resources(&[("@bool/a", Value::Reference(a))]);
        assert_eq!(res.resolve(&Value::Reference(a)), Value::Reference(a));
    }

    #[test]
    fn file_references_resolve_to_paths() {
        let res = resources(&[("@xml/nsc", Value::String("res/xml/nsc.xml".into()))]);
        assert_eq!(
            res.resolve_file(&Value::Reference(fake_id("@xml/nsc")))
                .as_deref(),
            Some("res/xml/nsc.xml")
        );
        assert_eq!(res.resolve_file(&Value::Bool(true)), None);
    }

    #[test]
    fn liberal_value_readers() {
        assert_eq!(value_bool(&Value::String(" TRUE ".into())), Some(true));
        assert_eq!(value_bool(&Value::IntDec(0)), Some(false));
        assert_eq!(value_bool(&Value::String("yes".into())), None);
        assert_eq!(value_int(&Value::String("0x1f".into())), Some(31));
        assert_eq!(value_int(&Value::String("R".into())), None);
        assert_eq!(value_string(&Value::IntDec(7)).as_deref(), Some("7"));
    }
}
