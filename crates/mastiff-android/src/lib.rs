//! The Android side of mastiff's analysis: from parsed formats to a model with the platform's
//! semantics (what `exported` really means at each targetSdk, the defaults of an absent attribute,
//! how the network security config is inherited).
//!
//! Everything here reads attacker-controlled files: no panics on any input.

#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]
#![cfg_attr(
    test,
    allow(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

pub mod attrs;
pub mod manifest;
pub mod nsc;
pub mod resources;
#[cfg(test)]
pub(crate) mod testxml;

pub use manifest::{
    Application, Component, ComponentKind, DataSpec, ExportReason, IntentFilter, LaunchMode,
    Manifest, MetaData, PermissionDecl, ProtectionLevel, UsesPermission,
};
pub use mastiff_core::Date;
pub use nsc::{
    effective_policy, effective_policy_with_debug_resource, policy_for_host, NetworkSecurityConfig,
    NscError, PolicyInputs,
};
pub use resources::Resources;

/// The model against the committed fixture apps (`fixtures/apps`, built by aapt from sources kept
/// next to them): real binary XML and resource tables rather than the text-XML helper.
#[cfg(test)]
mod fixture_tests {
    use mastiff_formats::arsc::ResourceTable;
    use mastiff_formats::zip::Archive;
    use mastiff_formats::{axml, Limits};

    use super::*;

    struct App {
        manifest: Manifest,
        policy: mastiff_core::NetworkPolicy,
    }

    fn load(name: &str) -> App {
        let path = format!(
            "{}/../../fixtures/apps/{name}.apk",
            env!("CARGO_MANIFEST_DIR")
        );
        let data = std::fs::read(&path).unwrap();
        let limits = Limits::default();
        let zip = Archive::parse(&data, &limits).unwrap();
        let read = |entry: &str| {
            zip.read(zip.find(entry).unwrap(), &limits)
                .unwrap()
                .into_owned()
        };
        let arsc = read("resources.arsc");
        let res = Resources::new(
            Some(ResourceTable::parse(&arsc, &limits).unwrap()),
            limits.clone(),
        );
        let manifest = Manifest::from_xml(
            &axml::parse(&read("AndroidManifest.xml"), &limits).unwrap(),
            &res,
        );
        let nsc = manifest
            .application
            .network_security_config
            .as_deref()
            .map(|p| {
                NetworkSecurityConfig::from_xml(&axml::parse(&read(p), &limits).unwrap(), &res)
                    .unwrap()
            });
        let policy = effective_policy(
            nsc.as_ref(),
            &PolicyInputs {
                config_path: manifest.application.network_security_config.as_deref(),
                target_sdk: manifest.target_sdk,
                uses_cleartext_traffic: manifest.application.uses_cleartext_traffic,
                debuggable: manifest.application.is_debuggable(),
                scan_date: Date::parse("2026-01-15").unwrap(),
            },
        );
        App { manifest, policy }
    }

    fn exported(m: &Manifest) -> Vec<(&str, bool, ExportReason)> {
        m.components
            .iter()
            .map(|c| {
                (
                    c.name.rsplit('.').next().unwrap(),
                    c.exported,
                    c.export_reason,
                )
            })
            .collect()
    }

    #[test]
    fn exported_semantics_at_30() {
        let a = load("exported-semantics");
        use ExportReason::*;
        assert_eq!(
            exported(&a.manifest),
            vec![
                ("MainActivity", true, Explicit),
                ("FilterActivity", true, ImplicitIntentFilter),
                ("FilterService", true, ImplicitIntentFilter),
                ("FilterReceiver", true, ImplicitIntentFilter),
                ("HiddenActivity", false, Explicit),
                ("PlainService", false, Default),
                ("DefaultProvider", false, Default),
            ]
        );
        assert_eq!(
            a.manifest.components[1].intent_filters[0].schemes(),
            vec!["semantics"]
        );
        assert_eq!(
            a.manifest.components[1].element,
            "manifest/application/activity[dev.mastiff.fixture.exported_semantics.FilterActivity]"
        );
    }

    #[test]
    fn exported_legacy_provider_at_16() {
        let a = load("exported-legacy");
        assert_eq!((a.manifest.min_sdk, a.manifest.target_sdk), (14, 16));
        assert_eq!(
            exported(&a.manifest)[1],
            (
                "LegacyProvider",
                true,
                ExportReason::ProviderDefaultBeforeApi17
            )
        );
        assert_eq!(
            a.manifest.components[1].authorities,
            vec!["dev.mastiff.fixture.exported_legacy.provider"]
        );
    }

    #[test]
    fn exported_s_missing_attribute_is_warned() {
        let a = load("exported-s");
        let no = a
            .manifest
            .component("dev.mastiff.fixture.exported_s.NoExportedActivity")
            .unwrap();
        assert_eq!(
            (no.exported, no.export_reason),
            (true, ExportReason::ImplicitIntentFilter)
        );
        assert_eq!(
            a.manifest
                .warnings
                .iter()
                .filter(|w| w.contains("fails to install"))
                .count(),
            1,
            "{:?}",
            a.manifest.warnings
        );
    }

    #[test]
    fn resource_references_follow_aliases_and_configurations() {
        let a = load("nsc-resource-refs");
        let app = &a.manifest.application;
        assert_eq!(app.debuggable, Some(true));
        assert_eq!(app.allow_backup, Some(true));
        assert_eq!(app.config_dependent.len(), 2, "{:?}", app.config_dependent);
        assert_eq!(
            app.network_security_config.as_deref(),
            Some("res/xml/nsc_real.xml")
        );
        assert!(a.policy.default.cleartext_permitted);
    }

    #[test]
    fn nested_fixture_policy() {
        let a = load("nsc-nested");
        let p = &a.policy;
        assert_eq!(
            p.basis,
            "network_security_config.xml on top of targetSdk 30 defaults"
        );
        assert!(!p.default.cleartext_permitted);
        let anchors: Vec<&str> = p
            .default
            .trust_anchors
            .iter()
            .map(|t| t.source.as_str())
            .collect();
        assert_eq!(anchors, vec!["system", "res/raw/extra_ca.pem"]);
        let summary: Vec<(&str, bool, bool, usize)> = p
            .domains
            .iter()
            .map(|d| {
                (
                    d.domain.as_deref().unwrap(),
                    d.include_subdomains,
                    d.cleartext_permitted,
                    d.pins.len(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("example.com", true, true, 0),
                ("inner.secure.example.com", false, false, 2),
                ("secure.example.com", true, false, 2),
            ]
        );
        assert_eq!(
            policy_for_host(p, "a.inner.secure.example.com")
                .domain
                .as_deref(),
            Some("secure.example.com")
        );
    }

    #[test]
    fn fixture_flags_match_expected_tsv() {
        let tsv = std::fs::read_to_string(format!(
            "{}/../../fixtures/apps/expected.tsv",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let mut checked = 0;
        for line in tsv.lines().skip(1) {
            let f: Vec<&str> = line.split('\t').collect();
            let name = f[0].trim_end_matches(".apk");
            let m = load(name).manifest;
            assert_eq!(m.package.as_deref(), Some(f[1]), "{name}");
            assert_eq!(m.min_sdk.to_string(), f[2], "{name}");
            assert_eq!(m.target_sdk.to_string(), f[3], "{name}");
            let flag = |v: Option<bool>| v.map_or("unset".to_string(), |b| b.to_string());
            if !f[4].starts_with('@') {
                assert_eq!(flag(m.application.debuggable), f[4], "{name} debuggable");
            }
            if !f[5].starts_with('@') {
                assert_eq!(flag(m.application.allow_backup), f[5], "{name} allowBackup");
            }
            assert_eq!(
                flag(m.application.uses_cleartext_traffic),
                f[6],
                "{name} usesCleartextTraffic"
            );
            assert_eq!(
                m.application
                    .network_security_config
                    .as_deref()
                    .unwrap_or("none"),
                f[7],
                "{name} nsc"
            );
            checked += 1;
        }
        assert!(checked >= 16, "{checked}");
    }

    fn anchors(p: &mastiff_core::NetworkDomainPolicy) -> Vec<(&str, bool)> {
        p.trust_anchors
            .iter()
            .map(|t| (t.source.as_str(), t.overrides_pins))
            .collect()
    }

    #[test]
    fn fixture_policies_by_platform_rules() {
        let p = load("nsc-expired-pins").policy;
        assert!(!p.default.cleartext_permitted);
        let d = &p.domains[0];
        assert_eq!(
            (d.domain.as_deref(), d.pins.len(), d.pins_expired),
            (Some("pinned.example.com"), 2, true)
        );
        assert_eq!(d.pin_expiration.as_deref(), Some("2018-01-01"));

        let p = load("nsc-debug-overrides").policy;
        assert!(!p.debug_overrides_applied);
        assert_eq!(anchors(&p.default), vec![("system", false)]);
        let p = load("nsc-debug-overrides-debuggable").policy;
        assert!(p.debug_overrides_applied);
        assert_eq!(anchors(&p.default), vec![("system", false), ("user", true)]);

        let p = load("nsc-defaults-old").policy;
        assert_eq!(
            (p.config.as_deref(), p.default.cleartext_permitted),
            (None, true)
        );
        assert_eq!(
            anchors(&p.default),
            vec![("system", false), ("user", false)]
        );
        let p = load("nsc-defaults-28").policy;
        assert_eq!(
            (p.default.cleartext_permitted, anchors(&p.default)),
            (false, vec![("system", false)])
        );
        let p = load("nsc-usescleartext-false-old").policy;
        assert_eq!(
            (p.default.cleartext_permitted, anchors(&p.default)),
            (false, vec![("system", false)])
        );
        assert_eq!(
            p.basis,
            "targetSdk 26 defaults with usesCleartextTraffic=false"
        );

        let a = load("insecure");
        assert!(a.policy.default.cleartext_permitted);
        assert_eq!(
            anchors(&a.policy.default),
            vec![("system", false), ("user", false)]
        );
        assert_eq!(a.manifest.application.test_only, Some(true));
        let task = a
            .manifest
            .components
            .iter()
            .find(|c| c.name.ends_with("TaskActivity"))
            .unwrap();
        assert_eq!(
            (task.launch_mode, task.task_affinity.as_deref()),
            (Some(LaunchMode::SingleTask), Some("com.victim.bank"))
        );
        let sync = a
            .manifest
            .components
            .iter()
            .find(|c| c.name.ends_with("SyncService"))
            .unwrap();
        let level = a
            .manifest
            .permission(sync.permission.as_deref().unwrap())
            .unwrap()
            .protection_level;
        assert_eq!(level.describe(), "normal");
        let provider = a
            .manifest
            .components
            .iter()
            .find(|c| c.name.ends_with("OpenProvider"))
            .unwrap();
        assert!(provider.exported && provider.grant_uri_permissions);
        let files = a
            .manifest
            .component("dev.mastiff.fixture.insecure.SharedFileProvider")
            .unwrap();
        assert_eq!(
            files.meta_data,
            vec![MetaData {
                name: "android.support.FILE_PROVIDER_PATHS".into(),
                resource: Some("res/xml/provider_paths.xml".into()),
            }]
        );
    }
}
