//! Network security configuration: parsing (`res/xml/*.xml`) and the effective policy the platform
//! applies, per domain and by default, including the targetSdk-dependent defaults.
//!
//! The semantics follow AOSP `android.security.net.config` (`ManifestConfigSource`,
//! `XmlConfigSource`, `NetworkSecurityConfig.getDefaultBuilder`, `ApplicationConfig`,
//! `NetworkSecurityTrustManager`):
//!
//! * No config: cleartext is `android:usesCleartextTraffic`, whose absent value is
//!   `targetSdk < 28`; trust anchors are `system`, plus `user` when `targetSdk <= 23`.
//! * With a config: `android:usesCleartextTraffic` is ignored. The platform defaults
//!   (cleartext `targetSdk < 28`, same anchors) are the parent of `<base-config>` (or stand in for
//!   it), `<base-config>` is the parent of top-level `<domain-config>`s, and a nested
//!   `<domain-config>` inherits from its enclosing one. Unset cleartext, trust anchors and pin-set
//!   are taken from the nearest ancestor that sets them.
//! * `<debug-overrides>` is read only when the app is debuggable, and only its trust anchors are
//!   used (their `overridePins` defaults to true): they are added to the platform defaults, to the
//!   base-config and to every domain-config that declares its own `<trust-anchors>` (the others
//!   inherit them). Its `cleartextTrafficPermitted` has no effect.
//! * A pin-set whose `expiration` day has begun is not enforced.

use mastiff_core::{Date, NetworkDomainPolicy, NetworkPolicy, TrustAnchorSummary};
use mastiff_formats::axml::{Element, Value, XmlDocument};

use crate::resources::value_bool;
use crate::Resources;

/// A parsed `<network-security-config>`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetworkSecurityConfig {
    pub warnings: Vec<String>,
    /// `<base-config>`, when present.
    pub base: Option<ConfigEntry>,
    /// Top-level `<domain-config>`s, each with its nested ones.
    pub domain_configs: Vec<DomainConfig>,
    /// `<debug-overrides>`, when present (parsed whether or not the app is debuggable).
    pub debug_overrides: Option<ConfigEntry>,
    /// Problems for which the platform rejects the whole file: `XmlConfigSource` throws on first
    /// network use, so the app crashes instead of applying any of it.
    pub platform_errors: Vec<String>,
}

/// `<base-config>` or `<debug-overrides>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigEntry {
    /// Element path, e.g. `network-security-config/base-config`.
    pub element: String,
    pub cleartext_permitted: Option<bool>,
    /// `None` when the entry has no `<trust-anchors>` (it then inherits).
    pub trust_anchors: Option<Vec<CertificatesRef>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DomainConfig {
    /// Element path, e.g. `network-security-config/domain-config[example.com]`.
    pub element: String,
    pub domains: Vec<DomainEntry>,
    pub cleartext_permitted: Option<bool>,
    pub trust_anchors: Option<Vec<CertificatesRef>>,
    pub pin_set: Option<PinSet>,
    /// Nested `<domain-config>`s.
    pub children: Vec<DomainConfig>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainEntry {
    /// Trimmed and lower-cased, as the platform stores it.
    pub name: String,
    pub include_subdomains: bool,
}

/// One `<certificates>` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificatesRef {
    /// `system`, `user`, `wfa`, a resource path (`res/raw/ca.pem`), or the reference text when it
    /// could not be resolved (`@raw/ca`, `@0x7f..`).
    pub source: String,
    /// Effective `overridePins` (absent: false, but true inside `<debug-overrides>`).
    pub overrides_pins: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PinSet {
    /// `expiration` as written.
    pub expiration: Option<String>,
    /// `expiration` parsed; `None` when absent or unparsable.
    pub expiration_date: Option<Date>,
    /// Valid SHA-256 pins, base64 as written (trimmed).
    pub pins: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum NscError {
    #[error("root element is <{0}>, not <network-security-config>")]
    WrongRoot(String),
    #[error("empty document")]
    Empty,
}

const ROOT: &str = "network-security-config";
/// Deepest `domain-config` nesting read (real configs nest two or three levels).
const MAX_NESTING: usize = 64;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Base,
    Domain,
    Debug,
}

impl Kind {
    fn tag(self) -> &'static str {
        match self {
            Kind::Base => "base-config",
            Kind::Domain => "domain-config",
            Kind::Debug => "debug-overrides",
        }
    }
}

struct Parser<'d, 'r, 'a> {
    doc: &'d XmlDocument,
    res: &'r Resources<'a>,
    out: NetworkSecurityConfig,
    seen_domains: Vec<String>,
}

impl NetworkSecurityConfig {
    pub fn from_xml(doc: &XmlDocument, res: &Resources<'_>) -> Result<Self, NscError> {
        let root = doc.root().ok_or(NscError::Empty)?;
        if root.name != ROOT {
            return Err(NscError::WrongRoot(root.name.clone()));
        }
        let mut p = Parser {
            doc,
            res,
            out: NetworkSecurityConfig::default(),
            seen_domains: Vec::new(),
        };
        p.out
            .warnings
            .extend(doc.warnings.iter().map(|w| format!("binary XML: {w}")));
        for (idx, e) in doc.children(0) {
            match e.name.as_str() {
                "base-config" => {
                    let path = format!("{ROOT}/base-config");
                    if p.out.base.is_some() {
                        p.platform_error(format!("{path}: only one base-config allowed"));
                        continue;
                    }
                    let entry = p.config_entry(idx, e, Kind::Base, path);
                    p.out.base = Some(entry);
                }
                "debug-overrides" => {
                    let path = format!("{ROOT}/debug-overrides");
                    if p.out.debug_overrides.is_some() {
                        p.platform_error(format!("{path}: only one debug-overrides allowed"));
                        continue;
                    }
                    let entry = p.config_entry(idx, e, Kind::Debug, path);
                    p.out.debug_overrides = Some(entry);
                }
                "domain-config" => {
                    let d = p.domain_config(idx, e, ROOT, 0);
                    p.out.domain_configs.push(d);
                }
                _ => {}
            }
        }
        Ok(p.out)
    }

    /// All domain-configs, outer before inner, in document order.
    pub fn all_domain_configs(&self) -> Vec<&DomainConfig> {
        let mut out = Vec::new();
        let mut stack: Vec<&DomainConfig> = self.domain_configs.iter().rev().collect();
        while let Some(d) = stack.pop() {
            out.push(d);
            stack.extend(d.children.iter().rev());
        }
        out
    }

    /// Where the platform looks for debug overrides when the config itself has none and the app
    /// is debuggable: the resource `<name>_debug` of type xml, e.g. `res/xml/nsc_debug.xml` for
    /// `res/xml/nsc.xml` (by resource name; obfuscated resource paths will not match).
    pub fn debug_resource_path(config_path: &str) -> Option<String> {
        let stem = config_path.strip_suffix(".xml")?;
        Some(format!("{stem}_debug.xml"))
    }
}

impl<'d> Parser<'d, '_, '_> {
    fn platform_error(&mut self, e: String) {
        self.out.platform_errors.push(e);
    }

    fn children(&self, idx: usize) -> Vec<(usize, &'d Element)> {
        // A hostile document may list an element as its own descendant; recursion is bounded by
        // only descending into children with a greater depth.
        let doc = self.doc;
        let depth = doc.elements.get(idx).map_or(0, |e| e.depth);
        doc.children(idx).filter(|(_, c)| c.depth > depth).collect()
    }

    fn bool_attr(&mut self, e: &Element, name: &str, path: &str) -> Option<bool> {
        let a = e.plain_attr(name)?;
        let v = self.res.resolve(&a.value);
        let b = value_bool(&v);
        if b.is_none() {
            self.out.warnings.push(format!(
                "{path}: {name} is not a boolean ({v:?}); the platform uses the default"
            ));
        }
        b
    }

    fn config_entry(
        &mut self,
        idx: usize,
        e: &Element,
        kind: Kind,
        element: String,
    ) -> ConfigEntry {
        let mut entry = ConfigEntry {
            cleartext_permitted: self.bool_attr(e, "cleartextTrafficPermitted", &element),
            element,
            trust_anchors: None,
        };
        for (cidx, c) in self.children(idx) {
            match c.name.as_str() {
                "trust-anchors" => {
                    if entry.trust_anchors.is_some() {
                        self.platform_error(format!(
                            "{}: multiple trust-anchors elements",
                            entry.element
                        ));
                        continue;
                    }
                    entry.trust_anchors = Some(self.trust_anchors(cidx, kind, &entry.element));
                }
                "domain" | "pin-set" | "domain-config" => self.platform_error(format!(
                    "{}: <{}> not allowed in {}",
                    entry.element,
                    c.name,
                    kind.tag()
                )),
                _ => {}
            }
        }
        entry
    }

    fn domain_config(
        &mut self,
        idx: usize,
        e: &Element,
        parent_path: &str,
        nesting: usize,
    ) -> DomainConfig {
        let bare = format!("{parent_path}/domain-config");
        // Name the element after its first domain, for locations.
        let first_domain = self
            .children(idx)
            .into_iter()
            .find(|(_, c)| c.name == "domain")
            .map(|(_, c)| c.text.trim().to_ascii_lowercase())
            .filter(|d| !d.is_empty());
        let element = match first_domain {
            Some(d) => format!("{bare}[{d}]"),
            None => bare,
        };
        let mut d = DomainConfig {
            cleartext_permitted: self.bool_attr(e, "cleartextTrafficPermitted", &element),
            element,
            ..DomainConfig::default()
        };
        for (cidx, c) in self.children(idx) {
            match c.name.as_str() {
                "domain" => {
                    let name = c.text.trim().to_ascii_lowercase();
                    if name.is_empty() {
                        self.platform_error(format!("{}: domain name missing", d.element));
                        continue;
                    }
                    if self.seen_domains.contains(&name) {
                        self.platform_error(format!(
                            "{}: {name} has already been specified",
                            d.element
                        ));
                    } else {
                        self.seen_domains.push(name.clone());
                    }
                    let include_subdomains = self
                        .bool_attr(c, "includeSubdomains", &d.element)
                        .unwrap_or(false);
                    d.domains.push(DomainEntry {
                        name,
                        include_subdomains,
                    });
                }
                "trust-anchors" => {
                    if d.trust_anchors.is_some() {
                        self.platform_error(format!(
                            "{}: multiple trust-anchors elements",
                            d.element
                        ));
                        continue;
                    }
                    d.trust_anchors = Some(self.trust_anchors(cidx, Kind::Domain, &d.element));
                }
                "pin-set" => {
                    if d.pin_set.is_some() {
                        self.platform_error(format!("{}: multiple pin-set elements", d.element));
                        continue;
                    }
                    d.pin_set = Some(self.pin_set(cidx, c, &d.element));
                }
                "domain-config" if nesting >= MAX_NESTING => {
                    self.out.warnings.push(format!(
                        "{}: domain-config nested deeper than {MAX_NESTING}; ignored",
                        d.element
                    ));
                }
                "domain-config" => {
                    let path = d.element.clone();
                    let child = self.domain_config(cidx, c, &path, nesting.saturating_add(1));
                    d.children.push(child);
                }
                _ => {}
            }
        }
        if d.domains.is_empty() {
            self.platform_error(format!(
                "{}: no domain elements in domain-config",
                d.element
            ));
        }
        d
    }

    fn trust_anchors(&mut self, idx: usize, kind: Kind, path: &str) -> Vec<CertificatesRef> {
        let mut out = Vec::new();
        for (_, c) in self.children(idx) {
            if c.name != "certificates" {
                continue;
            }
            let overrides_pins = self
                .bool_attr(c, "overridePins", path)
                .unwrap_or(kind == Kind::Debug);
            let Some(src) = c.plain_attr("src") else {
                self.platform_error(format!(
                    "{path}: certificates element missing src attribute"
                ));
                continue;
            };
            let source = match &src.value {
                Value::Reference(id) => match self.res.resolve_file(&src.value) {
                    Some(p) => p,
                    None => {
                        let text = src
                            .raw
                            .clone()
                            .filter(|r| r.starts_with('@'))
                            .unwrap_or_else(|| self.res.reference_text(*id));
                        self.out.warnings.push(format!(
                            "{path}: certificates src {text} could not be resolved"
                        ));
                        text
                    }
                },
                Value::String(s) if matches!(s.as_str(), "system" | "user" | "wfa") => s.clone(),
                other => {
                    let text = src.raw.clone().unwrap_or_else(|| format!("{other:?}"));
                    self.platform_error(format!(
                        "{path}: unknown certificates src {text:?} (should be system, user or @resource)"
                    ));
                    continue;
                }
            };
            out.push(CertificatesRef {
                source,
                overrides_pins,
            });
        }
        out
    }

    fn pin_set(&mut self, idx: usize, e: &Element, path: &str) -> PinSet {
        let mut set = PinSet::default();
        if let Some(a) = e.plain_attr("expiration") {
            let text = match &a.value {
                Value::String(s) => s.clone(),
                other => a.raw.clone().unwrap_or_else(|| format!("{other:?}")),
            };
            set.expiration_date = Date::parse(&text);
            if set.expiration_date.is_none() {
                self.platform_error(format!(
                    "{path}: invalid expiration date in pin-set: {text:?}"
                ));
            }
            set.expiration = Some(text);
        }
        for (_, c) in self.children(idx) {
            if c.name != "pin" {
                continue;
            }
            let digest = c.plain_attr("digest").and_then(|a| match &a.value {
                Value::String(s) => Some(s.clone()),
                _ => a.raw.clone(),
            });
            if digest.as_deref() != Some("SHA-256") {
                self.platform_error(format!(
                    "{path}: unsupported pin digest algorithm: {digest:?}"
                ));
                continue;
            }
            let b64 = c.text.trim();
            match base64_decoded_len(b64) {
                Some(32) => set.pins.push(b64.to_string()),
                Some(n) => self.platform_error(format!(
                    "{path}: pin digest length {n} does not match expected length for SHA-256 of 32"
                )),
                None => self.platform_error(format!("{path}: invalid pin digest {b64:?}")),
            }
        }
        set
    }
}

/// Decoded length of base64 text the way `android.util.Base64.decode(_, DEFAULT)` reads it:
/// characters outside the alphabet are skipped, `=` ends the data. `None` for an impossible
/// length (a single dangling character).
fn base64_decoded_len(s: &str) -> Option<usize> {
    let mut sextets = 0usize;
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' => {
                sextets = sextets.saturating_add(1)
            }
            b'=' => break,
            _ => {}
        }
    }
    let full = (sextets / 4).saturating_mul(3);
    match sextets % 4 {
        0 => Some(full),
        1 => None,
        r => Some(full.saturating_add(r - 1)),
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
pub fn effective_policy(
    nsc: Option<&NetworkSecurityConfig>,
    inputs: &PolicyInputs<'_>,
) -> NetworkPolicy {
    effective_policy_with_debug_resource(nsc, None, inputs)
}

/// [`effective_policy`], also given the `<name>_debug.xml` companion file
/// ([`NetworkSecurityConfig::debug_resource_path`]) whose `<debug-overrides>` the platform uses
/// when the app is debuggable and the config itself has none.
pub fn effective_policy_with_debug_resource(
    nsc: Option<&NetworkSecurityConfig>,
    debug_resource: Option<&NetworkSecurityConfig>,
    inputs: &PolicyInputs<'_>,
) -> NetworkPolicy {
    let target = inputs.target_sdk;
    let mut platform_anchors = vec![anchor("system", false)];
    if target <= 23 {
        platform_anchors.push(anchor("user", false));
    }
    let platform_cleartext = target < 28;

    let Some(nsc) = nsc else {
        let cleartext = inputs.uses_cleartext_traffic.unwrap_or(platform_cleartext);
        let mut basis = format!("targetSdk {target} defaults");
        if let Some(u) = inputs.uses_cleartext_traffic {
            basis.push_str(&format!(" with usesCleartextTraffic={u}"));
        }
        if let Some(p) = inputs.config_path {
            basis.push_str(&format!(" ({p} could not be read)"));
        }
        return NetworkPolicy {
            config: None,
            basis,
            debug_overrides_applied: false,
            default: NetworkDomainPolicy {
                cleartext_permitted: cleartext,
                trust_anchors: platform_anchors,
                ..NetworkDomainPolicy::default()
            },
            domains: Vec::new(),
        };
    };

    // Debug anchors: from the config's debug-overrides, else from the _debug companion.
    let debug_anchors: Option<Vec<TrustAnchorSummary>> = if inputs.debuggable {
        nsc.debug_overrides
            .as_ref()
            .or_else(|| debug_resource.and_then(|d| d.debug_overrides.as_ref()))
            .and_then(|d| d.trust_anchors.as_ref())
            .map(|refs| summaries(refs))
    } else {
        None
    };
    let add_debug = |anchors: Vec<TrustAnchorSummary>| -> Vec<TrustAnchorSummary> {
        match &debug_anchors {
            Some(d) => merge(anchors.into_iter().chain(d.iter().cloned())),
            None => anchors,
        }
    };

    let platform_anchors = add_debug(platform_anchors);
    let (base_cleartext, base_anchors) = match &nsc.base {
        Some(b) => (
            b.cleartext_permitted.unwrap_or(platform_cleartext),
            match &b.trust_anchors {
                Some(refs) => add_debug(summaries(refs)),
                None => platform_anchors.clone(),
            },
        ),
        None => (platform_cleartext, platform_anchors.clone()),
    };
    let base = Resolved {
        cleartext: base_cleartext,
        anchors: base_anchors,
        pins: None,
    };

    let mut domains = Vec::new();
    for d in &nsc.domain_configs {
        resolve_domain(d, &base, &add_debug, inputs.scan_date, &mut domains);
    }
    domains.sort_by(|a, b| {
        a.domain
            .cmp(&b.domain)
            .then(a.include_subdomains.cmp(&b.include_subdomains))
    });

    let file = inputs
        .config_path
        .map(|p| p.rsplit('/').next().unwrap_or(p).to_string())
        .unwrap_or_else(|| "network security config".to_string());
    NetworkPolicy {
        config: inputs.config_path.map(str::to_string),
        basis: format!("{file} on top of targetSdk {target} defaults"),
        debug_overrides_applied: debug_anchors.is_some(),
        default: NetworkDomainPolicy {
            cleartext_permitted: base.cleartext,
            trust_anchors: base.anchors.clone(),
            ..NetworkDomainPolicy::default()
        },
        domains,
    }
}

#[derive(Clone)]
struct Resolved<'p> {
    cleartext: bool,
    anchors: Vec<TrustAnchorSummary>,
    pins: Option<&'p PinSet>,
}

fn resolve_domain<'p>(
    d: &'p DomainConfig,
    parent: &Resolved<'p>,
    add_debug: &dyn Fn(Vec<TrustAnchorSummary>) -> Vec<TrustAnchorSummary>,
    scan_date: Date,
    out: &mut Vec<NetworkDomainPolicy>,
) {
    let here = Resolved {
        cleartext: d.cleartext_permitted.unwrap_or(parent.cleartext),
        anchors: match &d.trust_anchors {
            Some(refs) => add_debug(summaries(refs)),
            None => parent.anchors.clone(),
        },
        pins: d.pin_set.as_ref().or(parent.pins),
    };
    for dom in &d.domains {
        let pins: Vec<String> = here
            .pins
            .map(|p| p.pins.iter().map(|b| format!("sha256/{b}")).collect())
            .unwrap_or_default();
        let expiration = here.pins.and_then(|p| p.expiration.clone());
        // The platform stores the expiration as the start of that day and stops enforcing pins
        // once the current time is past it: expired from the expiration day on.
        let expired = !pins.is_empty()
            && here
                .pins
                .and_then(|p| p.expiration_date)
                .is_some_and(|e| e <= scan_date);
        out.push(NetworkDomainPolicy {
            domain: Some(dom.name.clone()),
            include_subdomains: dom.include_subdomains,
            cleartext_permitted: here.cleartext,
            trust_anchors: here.anchors.clone(),
            pins,
            pin_expiration: expiration,
            pins_expired: expired,
        });
    }
    for c in &d.children {
        resolve_domain(c, &here, add_debug, scan_date, out);
    }
}

fn anchor(source: &str, overrides_pins: bool) -> TrustAnchorSummary {
    TrustAnchorSummary {
        source: source.to_string(),
        overrides_pins,
    }
}

fn summaries(refs: &[CertificatesRef]) -> Vec<TrustAnchorSummary> {
    merge(refs.iter().map(|r| anchor(&r.source, r.overrides_pins)))
}

/// One entry per source, first-seen order; a source listed with and without `overridePins`
/// overrides pins (the platform keeps the overriding anchor for a certificate seen twice).
fn merge(it: impl Iterator<Item = TrustAnchorSummary>) -> Vec<TrustAnchorSummary> {
    let mut out: Vec<TrustAnchorSummary> = Vec::new();
    for a in it {
        match out.iter_mut().find(|o| o.source == a.source) {
            Some(o) => o.overrides_pins |= a.overrides_pins,
            None => out.push(a),
        }
    }
    out
}

/// The policy that applies to connections to `host`, by the platform's rule
/// (`ApplicationConfig.getConfigForHostname`): an exact domain match wins; otherwise the longest
/// `includeSubdomains` domain of which `host` is a subdomain; otherwise the default. Hosts are
/// compared case-insensitively, ignoring one trailing dot.
pub fn policy_for_host<'p>(policy: &'p NetworkPolicy, host: &str) -> &'p NetworkDomainPolicy {
    let mut h = host.to_ascii_lowercase();
    if h.ends_with('.') {
        h.pop();
    }
    if h.is_empty() || h.starts_with('.') {
        return &policy.default;
    }
    let mut best: Option<&NetworkDomainPolicy> = None;
    for d in &policy.domains {
        let Some(name) = d.domain.as_deref() else {
            continue;
        };
        if name == h {
            return d;
        }
        let is_sub = d.include_subdomains
            && h.len() > name.len()
            && h.ends_with(name)
            && h.as_bytes().get(h.len() - name.len() - 1) == Some(&b'.');
        if is_sub && best.is_none_or(|b| name.len() > b.domain.as_deref().map_or(0, str::len)) {
            best = Some(d);
        }
    }
    best.unwrap_or(&policy.default)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testxml::{parse, resources};

    fn nsc(xml: &str) -> NetworkSecurityConfig {
        NetworkSecurityConfig::from_xml(&parse(xml), &Resources::none()).unwrap()
    }

    fn date(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn inputs(target_sdk: u32) -> PolicyInputs<'static> {
        PolicyInputs {
            config_path: Some("res/xml/network_security_config.xml"),
            target_sdk,
            uses_cleartext_traffic: None,
            debuggable: false,
            scan_date: date("2025-06-01"),
        }
    }

    fn no_config(target_sdk: u32, uses_cleartext_traffic: Option<bool>) -> NetworkPolicy {
        let i = PolicyInputs {
            config_path: None,
            uses_cleartext_traffic,
            ..inputs(target_sdk)
        };
        effective_policy(None, &i)
    }

    fn ta(list: &[(&str, bool)]) -> Vec<TrustAnchorSummary> {
        list.iter().map(|(s, o)| anchor(s, *o)).collect()
    }

    const PIN_A: &str = "7HIpactkIAq2Y49orFOOQKurWxmmSFZhBCoQYcRhJ3Y=";
    const PIN_B: &str = "fwza0LRMXouZHRC8Ei+4PyuldPDcf3UKgO/04cDM1oE=";

    #[test]
    fn cleartext_default_flips_at_28_without_config() {
        let p = no_config(27, None);
        assert!(p.default.cleartext_permitted);
        assert_eq!(p.basis, "targetSdk 27 defaults");
        assert_eq!(p.config, None);
        assert!(p.domains.is_empty());
        assert!(!no_config(28, None).default.cleartext_permitted);
        assert!(no_config(28, Some(true)).default.cleartext_permitted);
    }

    #[test]
    fn uses_cleartext_false_on_26_without_config() {
        let p = no_config(26, Some(false));
        assert!(!p.default.cleartext_permitted);
        assert_eq!(
            p.basis,
            "targetSdk 26 defaults with usesCleartextTraffic=false"
        );
        assert_eq!(p.default.trust_anchors, ta(&[("system", false)]));
    }

    #[test]
    fn user_cas_trusted_by_default_below_24() {
        assert_eq!(
            no_config(23, None).default.trust_anchors,
            ta(&[("system", false), ("user", false)])
        );
        assert_eq!(
            no_config(24, None).default.trust_anchors,
            ta(&[("system", false)])
        );
        // Also as the parent of a config that sets no trust anchors.
        let c = nsc(
            r#"<network-security-config><base-config cleartextTrafficPermitted="false"/></network-security-config>"#,
        );
        let p = effective_policy(Some(&c), &inputs(23));
        assert_eq!(
            p.default.trust_anchors,
            ta(&[("system", false), ("user", false)])
        );
        assert!(!p.default.cleartext_permitted);
        assert_eq!(
            p.basis,
            "network_security_config.xml on top of targetSdk 23 defaults"
        );
        assert_eq!(
            p.config.as_deref(),
            Some("res/xml/network_security_config.xml")
        );
    }

    #[test]
    fn config_ignores_uses_cleartext_traffic() {
        let c = nsc(
            r#"<network-security-config><domain-config><domain>a.com</domain></domain-config></network-security-config>"#,
        );
        let i = PolicyInputs {
            uses_cleartext_traffic: Some(false),
            ..inputs(26)
        };
        let p = effective_policy(Some(&c), &i);
        assert!(
            p.default.cleartext_permitted,
            "targetSdk 26 default, manifest attribute ignored"
        );
        assert!(p.domains[0].cleartext_permitted);
        let i = PolicyInputs {
            uses_cleartext_traffic: Some(true),
            ..inputs(30)
        };
        let p = effective_policy(Some(&c), &i);
        assert!(!p.default.cleartext_permitted);
        assert!(!p.domains[0].cleartext_permitted);
    }

    const NESTED: &str = r#"<network-security-config>
        <base-config cleartextTrafficPermitted="false">
            <trust-anchors>
                <certificates src="system"/>
                <certificates src="@raw/extra_ca"/>
            </trust-anchors>
        </base-config>
        <domain-config cleartextTrafficPermitted="true">
            <domain includeSubdomains="true">Example.com</domain>
            <domain-config cleartextTrafficPermitted="false">
                <domain includeSubdomains="true">secure.example.com</domain>
                <pin-set expiration="2099-01-01">
                    <pin digest="SHA-256">7HIpactkIAq2Y49orFOOQKurWxmmSFZhBCoQYcRhJ3Y=</pin>
                    <pin digest="SHA-256"> fwza0LRMXouZHRC8Ei+4PyuldPDcf3UKgO/04cDM1oE= </pin>
                </pin-set>
                <domain-config>
                    <domain includeSubdomains="false">inner.secure.example.com</domain>
                </domain-config>
            </domain-config>
        </domain-config>
    </network-security-config>"#;

    #[test]
    fn nested_domains_inherit_cleartext_anchors_and_pins() {
        let res = resources(&[(
            "@raw/extra_ca",
            Value::String("res/raw/extra_ca.pem".into()),
        )]);
        let c = NetworkSecurityConfig::from_xml(&parse(NESTED), &res).unwrap();
        assert!(c.platform_errors.is_empty(), "{:?}", c.platform_errors);
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        assert_eq!(c.all_domain_configs().len(), 3);
        assert_eq!(
            c.all_domain_configs()[2].element,
            "network-security-config/domain-config[example.com]/domain-config[secure.example.com]/domain-config[inner.secure.example.com]"
        );
        let p = effective_policy(Some(&c), &inputs(30));
        let anchors = ta(&[("system", false), ("res/raw/extra_ca.pem", false)]);
        assert_eq!(
            p.default,
            NetworkDomainPolicy {
                cleartext_permitted: false,
                trust_anchors: anchors.clone(),
                ..NetworkDomainPolicy::default()
            }
        );
        let pins = vec![format!("sha256/{PIN_A}"), format!("sha256/{PIN_B}")];
        assert_eq!(
            p.domains,
            vec![
                NetworkDomainPolicy {
                    domain: Some("example.com".into()),
                    include_subdomains: true,
                    cleartext_permitted: true,
                    trust_anchors: anchors.clone(),
                    pins: vec![],
                    pin_expiration: None,
                    pins_expired: false,
                },
                NetworkDomainPolicy {
                    domain: Some("inner.secure.example.com".into()),
                    include_subdomains: false,
                    cleartext_permitted: false,
                    trust_anchors: anchors.clone(),
                    pins: pins.clone(),
                    pin_expiration: Some("2099-01-01".into()),
                    pins_expired: false,
                },
                NetworkDomainPolicy {
                    domain: Some("secure.example.com".into()),
                    include_subdomains: true,
                    cleartext_permitted: false,
                    trust_anchors: anchors,
                    pins,
                    pin_expiration: Some("2099-01-01".into()),
                    pins_expired: false,
                },
            ]
        );
    }

    #[test]
    fn unresolvable_raw_source_keeps_reference_text() {
        let c = nsc(NESTED);
        let base = c.base.as_ref().unwrap();
        assert_eq!(
            base.trust_anchors.as_ref().unwrap()[1],
            CertificatesRef {
                source: "@raw/extra_ca".into(),
                overrides_pins: false
            }
        );
        assert_eq!(c.warnings.len(), 1);
    }

    const DEBUG: &str = r#"<network-security-config>
        <base-config><trust-anchors><certificates src="system"/></trust-anchors></base-config>
        <domain-config cleartextTrafficPermitted="false">
            <domain>own.com</domain>
            <trust-anchors><certificates src="@raw/own" overridePins="true"/></trust-anchors>
        </domain-config>
        <domain-config><domain>inherit.com</domain></domain-config>
        <debug-overrides cleartextTrafficPermitted="true">
            <trust-anchors><certificates src="user"/></trust-anchors>
        </debug-overrides>
    </network-security-config>"#;

    #[test]
    fn debug_overrides_ignored_when_not_debuggable() {
        let c = nsc(DEBUG);
        assert_eq!(
            c.debug_overrides.as_ref().unwrap().trust_anchors,
            Some(vec![CertificatesRef {
                source: "user".into(),
                overrides_pins: true
            }])
        );
        let p = effective_policy(Some(&c), &inputs(30));
        assert!(!p.debug_overrides_applied);
        assert_eq!(p.default.trust_anchors, ta(&[("system", false)]));
        assert!(!p.default.cleartext_permitted);
        let inherit = &p.domains[0];
        assert_eq!(inherit.domain.as_deref(), Some("inherit.com"));
        assert_eq!(inherit.trust_anchors, ta(&[("system", false)]));
    }

    #[test]
    fn debug_overrides_anchors_apply_when_debuggable() {
        let c = nsc(DEBUG);
        let i = PolicyInputs {
            debuggable: true,
            ..inputs(30)
        };
        let p = effective_policy(Some(&c), &i);
        assert!(p.debug_overrides_applied);
        assert_eq!(
            p.default.trust_anchors,
            ta(&[("system", false), ("user", true)])
        );
        // debug-overrides' cleartextTrafficPermitted has no effect.
        assert!(!p.default.cleartext_permitted);
        let inherit = &p.domains[0];
        assert_eq!(
            inherit.trust_anchors,
            ta(&[("system", false), ("user", true)])
        );
        assert!(!inherit.cleartext_permitted);
        let own = &p.domains[1];
        assert_eq!(own.domain.as_deref(), Some("own.com"));
        assert_eq!(own.trust_anchors, ta(&[("@raw/own", true), ("user", true)]));
    }

    #[test]
    fn debug_overrides_reach_platform_defaults_without_base_config() {
        let c = nsc(r#"<network-security-config>
            <debug-overrides><trust-anchors><certificates src="@raw/debug_ca" overridePins="false"/></trust-anchors></debug-overrides>
        </network-security-config>"#);
        let i = PolicyInputs {
            debuggable: true,
            ..inputs(27)
        };
        let p = effective_policy(Some(&c), &i);
        assert_eq!(
            p.default.trust_anchors,
            ta(&[("system", false), ("@raw/debug_ca", false)])
        );
        assert!(p.default.cleartext_permitted);
    }

    #[test]
    fn debug_companion_resource_used_only_without_inline_overrides() {
        assert_eq!(
            NetworkSecurityConfig::debug_resource_path("res/xml/nsc.xml").as_deref(),
            Some("res/xml/nsc_debug.xml")
        );
        let main = nsc(r#"<network-security-config><base-config/></network-security-config>"#);
        let companion = nsc(
            r#"<network-security-config><debug-overrides><trust-anchors><certificates src="user"/></trust-anchors></debug-overrides></network-security-config>"#,
        );
        let dbg = PolicyInputs {
            debuggable: true,
            ..inputs(30)
        };
        let p = effective_policy_with_debug_resource(Some(&main), Some(&companion), &dbg);
        assert!(p.debug_overrides_applied);
        assert_eq!(
            p.default.trust_anchors,
            ta(&[("system", false), ("user", true)])
        );
        let p = effective_policy_with_debug_resource(Some(&main), Some(&companion), &inputs(30));
        assert!(!p.debug_overrides_applied);
        assert_eq!(p.default.trust_anchors, ta(&[("system", false)]));
    }

    fn expiring(expiration: &str, scan: &str) -> NetworkDomainPolicy {
        let c = nsc(&format!(
            r#"<network-security-config><domain-config><domain>a.com</domain>
                 <pin-set expiration="{expiration}"><pin digest="SHA-256">{PIN_A}</pin></pin-set>
               </domain-config></network-security-config>"#
        ));
        let i = PolicyInputs {
            scan_date: date(scan),
            ..inputs(30)
        };
        effective_policy(Some(&c), &i).domains.remove(0)
    }

    #[test]
    fn expired_pins_against_scan_date() {
        let d = expiring("2020-01-01", "2024-03-01");
        assert!(d.pins_expired);
        assert_eq!(d.pins, vec![format!("sha256/{PIN_A}")]);
        assert_eq!(d.pin_expiration.as_deref(), Some("2020-01-01"));
        assert!(!expiring("2020-01-01", "2019-12-31").pins_expired);
        // The platform stops enforcing at the start of the expiration day.
        assert!(expiring("2020-01-01", "2020-01-01").pins_expired);
    }

    #[test]
    fn pins_without_expiration_never_expire() {
        let c = nsc(&format!(
            r#"<network-security-config><domain-config><domain>a.com</domain>
                 <pin-set><pin digest="SHA-256">{PIN_A}</pin></pin-set></domain-config></network-security-config>"#
        ));
        let d = &effective_policy(Some(&c), &inputs(30)).domains[0];
        assert!(!d.pins_expired);
        assert_eq!(d.pin_expiration, None);
    }

    fn policy_with(domains: &[(&str, bool)]) -> NetworkPolicy {
        NetworkPolicy {
            domains: domains
                .iter()
                .map(|(d, inc)| NetworkDomainPolicy {
                    domain: Some((*d).into()),
                    include_subdomains: *inc,
                    ..NetworkDomainPolicy::default()
                })
                .collect(),
            ..NetworkPolicy::default()
        }
    }

    #[test]
    fn host_matching_is_most_specific() {
        let p = policy_with(&[
            ("example.com", true),
            ("secure.example.com", true),
            ("api.secure.example.com", false),
            ("exact.org", false),
        ]);
        let m = |h: &str| policy_for_host(&p, h).domain.as_deref();
        assert_eq!(m("example.com"), Some("example.com"));
        assert_eq!(m("www.example.com"), Some("example.com"));
        assert_eq!(m("a.b.secure.example.com"), Some("secure.example.com"));
        assert_eq!(m("api.secure.example.com"), Some("api.secure.example.com"));
        // Not a subdomain of a non-includeSubdomains entry: the next most specific suffix.
        assert_eq!(m("x.api.secure.example.com"), Some("secure.example.com"));
        assert_eq!(m("WWW.Example.COM."), Some("example.com"));
        assert_eq!(m("notexample.com"), None);
        assert_eq!(m("exact.org"), Some("exact.org"));
        assert_eq!(m("sub.exact.org"), None);
        assert_eq!(m(""), None);
        assert_eq!(m(".example.com"), None);
    }

    #[test]
    fn exact_match_beats_include_subdomains_parent() {
        let p = policy_with(&[("example.com", true), ("www.example.com", false)]);
        assert_eq!(
            policy_for_host(&p, "www.example.com").domain.as_deref(),
            Some("www.example.com")
        );
    }

    #[test]
    fn wrong_root_and_empty_are_errors() {
        assert_eq!(
            NetworkSecurityConfig::from_xml(&XmlDocument::default(), &Resources::none()),
            Err(NscError::Empty)
        );
        assert_eq!(
            NetworkSecurityConfig::from_xml(&parse("<manifest/>"), &Resources::none()),
            Err(NscError::WrongRoot("manifest".into()))
        );
    }

    #[test]
    fn platform_rejections_are_recorded() {
        let c = nsc(r#"<network-security-config>
            <base-config><domain>x.com</domain><pin-set/></base-config>
            <base-config/>
            <domain-config><domain>a.com</domain><domain>A.com</domain>
              <pin-set expiration="2020-13-01">
                <pin digest="SHA-1">AAAA</pin>
                <pin digest="SHA-256">AAAA</pin>
                <pin digest="SHA-256">7HIpactkIAq2Y49orFOOQKurWxmmSFZhBCoQYcRhJ3Y=</pin>
              </pin-set>
              <trust-anchors><certificates/><certificates src="everything"/></trust-anchors>
            </domain-config>
            <domain-config/>
        </network-security-config>"#);
        assert_eq!(c.platform_errors.len(), 10, "{:#?}", c.platform_errors);
        let d = &c.domain_configs[0];
        assert_eq!(d.pin_set.as_ref().unwrap().pins, vec![PIN_A.to_string()]);
        assert_eq!(d.pin_set.as_ref().unwrap().expiration_date, None);
        assert_eq!(d.trust_anchors, Some(vec![]));
        assert_eq!(d.domains.len(), 2);
    }

    #[test]
    fn string_booleans_are_read() {
        let mut doc = parse(
            r#"<network-security-config><base-config cleartextTrafficPermitted="true"/></network-security-config>"#,
        );
        doc.elements[1].attributes[0].value = Value::String("true".into());
        let c = NetworkSecurityConfig::from_xml(&doc, &Resources::none()).unwrap();
        assert_eq!(c.base.unwrap().cleartext_permitted, Some(true));
    }

    #[test]
    fn base64_lengths() {
        assert_eq!(base64_decoded_len(PIN_A), Some(32));
        assert_eq!(base64_decoded_len("AAAA"), Some(3));
        assert_eq!(base64_decoded_len("AAA="), Some(2));
        assert_eq!(base64_decoded_len("A"), None);
        assert_eq!(base64_decoded_len(" A A\nA A "), Some(3));
    }

    #[test]
    fn hostile_nesting_is_bounded() {
        let mut doc = parse(
            r#"<network-security-config><domain-config><domain>a.com</domain></domain-config></network-security-config>"#,
        );
        // The domain-config claims the root and itself as children.
        doc.elements[1].children.push(0);
        doc.elements[1].children.push(1);
        doc.elements[1].children.push(usize::MAX);
        let c = NetworkSecurityConfig::from_xml(&doc, &Resources::none()).unwrap();
        assert_eq!(c.all_domain_configs().len(), 1);
        let deep = format!(
            "<network-security-config>{}{}</network-security-config>",
            "<domain-config><domain>d.com</domain>".repeat(100),
            "</domain-config>".repeat(100)
        );
        let c = nsc(&deep);
        assert_eq!(c.all_domain_configs().len(), MAX_NESTING + 1);
        assert_eq!(c.warnings.len(), 1);
    }
}
