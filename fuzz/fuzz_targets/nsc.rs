#![no_main]

//! Binary XML -> network security config -> effective policy, and the manifest model on the same
//! document: none of it may panic, whatever the bytes.

use libfuzzer_sys::fuzz_target;
use mastiff_android::{
    effective_policy, effective_policy_with_debug_resource, policy_for_host, Date, Manifest,
    NetworkSecurityConfig, PolicyInputs, Resources,
};
use mastiff_formats::Limits;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let Ok(doc) = mastiff_formats::axml::parse(data, &limits) else {
        return;
    };
    let res = Resources::none();

    let manifest = Manifest::from_xml(&doc, &res);
    let _ = manifest.exported_components().count();

    let Ok(nsc) = NetworkSecurityConfig::from_xml(&doc, &res) else {
        return;
    };
    let scan_date = Date { year: 2025, month: 6, day: 1 };
    for (target_sdk, debuggable) in [(manifest.target_sdk, manifest.application.is_debuggable()), (23, true), (30, false)] {
        let inputs = PolicyInputs {
            config_path: Some("res/xml/network_security_config.xml"),
            target_sdk,
            uses_cleartext_traffic: manifest.application.uses_cleartext_traffic,
            debuggable,
            scan_date,
        };
        let policy = effective_policy(Some(&nsc), &inputs);
        let _ = effective_policy_with_debug_resource(Some(&nsc), Some(&nsc), &inputs);
        for d in &policy.domains {
            if let Some(host) = d.domain.as_deref() {
                let _ = policy_for_host(&policy, host);
                let _ = policy_for_host(&policy, &format!("x.{host}."));
            }
        }
    }
});
