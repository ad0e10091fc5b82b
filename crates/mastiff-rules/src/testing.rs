//! Builders for rule unit tests: small models instead of APKs.

use mastiff_android::{Component, ComponentKind, ExportReason, IntentFilter, Manifest};
use mastiff_core::{
    Date, Evidence, Finding, NetworkDomainPolicy, NetworkPolicy, TrustAnchorSummary,
};
use mastiff_formats::signing::{Certificate, Scheme, Signer, SigningInfo, Verification};

use crate::context::{AppContext, BackupRules, Config, EntryReader};
use crate::rule::{Rule, Sink};

/// A manifest with the given targetSdk, minSdk 29 and an empty application.
pub fn manifest(target_sdk: u32) -> Manifest {
    let mut m = Manifest {
        package: Some("com.x".into()),
        min_sdk: 29.min(target_sdk),
        min_sdk_declared: Some(29.min(target_sdk)),
        target_sdk,
        target_sdk_declared: Some(target_sdk),
        ..Manifest::default()
    };
    m.application.present = true;
    m.application.element = "manifest/application".into();
    m
}

pub fn component(kind: ComponentKind, name: &str, exported: bool) -> Component {
    Component {
        kind,
        name: name.into(),
        element: format!("manifest/application/{}[{name}]", kind.as_str()),
        exported,
        export_reason: if exported {
            ExportReason::Explicit
        } else {
            ExportReason::Default
        },
        enabled: true,
        permission: None,
        read_permission: None,
        write_permission: None,
        authorities: Vec::new(),
        grant_uri_permissions: false,
        path_permissions: 0,
        grant_uri_permission_patterns: 0,
        intent_filters: Vec::new(),
        launch_mode: None,
        task_affinity: None,
        allow_task_reparenting: false,
        target_activity: None,
        meta_data: Vec::new(),
    }
}

pub fn launcher(name: &str) -> Component {
    let mut c = component(ComponentKind::Activity, name, true);
    c.intent_filters.push(IntentFilter {
        actions: vec!["android.intent.action.MAIN".into()],
        categories: vec!["android.intent.category.LAUNCHER".into()],
        ..IntentFilter::default()
    });
    c
}

pub fn cert(alg: &str, bits: u32) -> Certificate {
    Certificate {
        subject: "CN=Test".into(),
        issuer: "CN=Test".into(),
        serial: "01".into(),
        not_before: "2020-01-01T00:00:00Z".into(),
        not_after: "2050-01-01T00:00:00Z".into(),
        key_algorithm: alg.into(),
        key_bits: Some(bits),
        signature_algorithm: "sha256WithRSAEncryption".into(),
        sha256: format!("{alg}{bits}").repeat(8),
        known_key: None,
    }
}

pub fn signing(signers: &[(Scheme, Certificate)]) -> SigningInfo {
    let mut schemes: Vec<Scheme> = signers.iter().map(|(s, _)| *s).collect();
    schemes.sort();
    schemes.dedup();
    SigningInfo {
        verification: schemes
            .iter()
            .map(|s| (*s, Verification::DigestsVerified))
            .collect(),
        schemes,
        signers: signers
            .iter()
            .map(|(scheme, c)| Signer {
                scheme: *scheme,
                certificates: vec![c.clone()],
                algorithms: vec!["SHA-256".into()],
                min_sdk: None,
                max_sdk: None,
            })
            .collect(),
        warnings: Vec::new(),
    }
}

pub fn anchor(source: &str) -> TrustAnchorSummary {
    TrustAnchorSummary {
        source: source.into(),
        overrides_pins: false,
    }
}

/// A policy whose default trusts system CAs and permits cleartext as given.
pub fn policy(cleartext: bool) -> NetworkPolicy {
    NetworkPolicy {
        config: Some("res/xml/network_security_config.xml".into()),
        basis: "test".into(),
        debug_overrides_applied: false,
        default: NetworkDomainPolicy {
            cleartext_permitted: cleartext,
            trust_anchors: vec![anchor("system")],
            ..NetworkDomainPolicy::default()
        },
        domains: Vec::new(),
    }
}

pub fn domain(name: &str, cleartext: bool) -> NetworkDomainPolicy {
    NetworkDomainPolicy {
        domain: Some(name.into()),
        include_subdomains: true,
        cleartext_permitted: cleartext,
        trust_anchors: vec![anchor("system")],
        ..NetworkDomainPolicy::default()
    }
}

/// Archive entries held in memory, for rules that read files through `AppContext::cache`.
pub struct MapReader {
    entries: Vec<(String, Vec<u8>)>,
}

impl MapReader {
    pub fn new(entries: &[(&str, Vec<u8>)]) -> Self {
        MapReader {
            entries: entries
                .iter()
                .map(|(n, b)| ((*n).to_string(), b.clone()))
                .collect(),
        }
    }
}

impl EntryReader for MapReader {
    fn get_bounded(
        &self,
        name: &str,
        _max: u64,
    ) -> Option<Result<&[u8], mastiff_formats::zip::ZipError>> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| Ok(b.as_slice()))
    }
}

pub struct TestApp<'a> {
    manifest: &'a Manifest,
    network: Option<&'a NetworkPolicy>,
    signing: Option<&'a SigningInfo>,
    backup: Option<&'a BackupRules>,
    config: Option<&'a Config>,
    cache: Option<&'a dyn EntryReader>,
}

pub fn app_with(manifest: &Manifest) -> TestApp<'_> {
    TestApp {
        manifest,
        network: None,
        signing: None,
        backup: None,
        config: None,
        cache: None,
    }
}

impl<'a> TestApp<'a> {
    pub fn network(mut self, p: &'a NetworkPolicy) -> Self {
        self.network = Some(p);
        self
    }
    pub fn signing(mut self, s: &'a SigningInfo) -> Self {
        self.signing = Some(s);
        self
    }
    pub fn backup(mut self, b: &'a BackupRules) -> Self {
        self.backup = Some(b);
        self
    }
    pub fn config(mut self, c: &'a Config) -> Self {
        self.config = Some(c);
        self
    }
    pub fn cache(mut self, c: &'a dyn EntryReader) -> Self {
        self.cache = Some(c);
        self
    }

    pub fn run_full(&self, rule: &dyn Rule) -> (Vec<Finding>, Vec<Evidence>) {
        let default_config = Config::default();
        let ctx = AppContext {
            manifest: Some(self.manifest),
            network: self.network,
            signing: self.signing,
            backup: self.backup,
            code: None,
            sbom: None,
            extra_code_entries: &[],
            entries: &[],
            cache: self.cache,
            config: self.config.unwrap_or(&default_config),
            shared: &crate::context::Shared::default(),
            scan_date: Date {
                year: 2026,
                month: 11,
                day: 22,
            },
            manifest_entry: "AndroidManifest.xml",
        };
        let mut sink = Sink::new(rule.meta());
        rule.check(&ctx, &mut sink);
        sink.into_parts()
    }

    pub fn run(&self, rule: &dyn Rule) -> Vec<Finding> {
        self.run_full(rule).0
    }
}
