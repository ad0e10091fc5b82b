use mastiff_core::Severity;
use mastiff_formats::signing::Scheme;

use crate::rule::{Rule, Sink};
use crate::rules::manifest_location;
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// The app can be installed on a device affected by Janus (CVE-2017-13156, Android 5.0 to
    /// 8.0, API 21-26) and such a device would verify only its v1 signature:
    /// - v1-only signing and minSdk <= 26: every affected device (API max(minSdk, 21) to 26);
    /// - v1 + v2/v3 and minSdk < 24: devices on API 21-23, which do not know v2.
    ///
    /// Apps with minSdk >= 27 are never reported: no affected device can install them.
    ///
    /// ## Why it matters
    /// Janus lets an attacker prepend a DEX file to a signed APK without breaking the v1
    /// signature: the device installs it as an update of the genuine app and runs the attacker's
    /// code with the app's data and permissions.
    ///
    /// ## How to fix
    /// Sign with APK Signature Scheme v2 or v3 (default in current build tools) and, to protect
    /// API 21-23 devices too, raise minSdk to 24.
    ///
    /// ## False positives
    /// Devices with the December 2017 security patch are not affected; the app cannot rely on its
    /// users having it.
    ///
    /// ## References
    /// - CVE-2017-13156; OWASP MASTG-TEST-0224: Usage of Insecure Signature Version
    /// - CWE-347: Improper Verification of Cryptographic Signature
    /// - https://source.android.com/docs/security/bulletin/2017-12-01
    pub Janus {
        id: "RES-006",
        name: "janus-v1-signature",
        title: "Janus: devices rely on the v1 signature alone",
        severity: High,
        masvs: [Resilience2],
        mastg: ["MASTG-TEST-0224"],
        cwe: [347],
        inputs: [Manifest, Signing],
    }
}

/// Last API level affected by Janus.
const LAST_AFFECTED_API: u32 = 26;
/// First API level affected by Janus.
const FIRST_AFFECTED_API: u32 = 21;

impl Rule for Janus {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let (Some(m), Some(signing)) = (app.manifest, app.signing) else {
            return;
        };
        if !signing.schemes.contains(&Scheme::V1) || m.min_sdk > LAST_AFFECTED_API {
            return;
        }
        let from = m.min_sdk.max(FIRST_AFFECTED_API);
        let loc = vec![manifest_location(
            app,
            "manifest/uses-sdk",
            Some("android:minSdkVersion"),
        )];
        let has_v2_plus = signing.schemes.iter().any(|s| *s != Scheme::V1);
        if !has_v2_plus {
            out.report(
                format!(
                    "signed with v1 only and minSdk {}: devices on API {from}-{LAST_AFFECTED_API} without the December 2017 patch accept a Janus-modified APK",
                    m.min_sdk
                ),
                loc,
            );
        } else if m.min_sdk < 24 {
            out.report_at(
                Severity::Medium,
                format!(
                    "minSdk {} lets the app run on API {from}-23, which ignore the v2/v3 signature and verify only v1 (Janus)",
                    m.min_sdk
                ),
                loc,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{app_with, cert, manifest, signing};

    fn run(min_sdk: u32, schemes: &[Scheme]) -> Vec<mastiff_core::Finding> {
        let mut m = manifest(30);
        m.min_sdk = min_sdk;
        let pairs: Vec<_> = schemes.iter().map(|s| (*s, cert("RSA", 2048))).collect();
        let s = signing(&pairs);
        app_with(&m).signing(&s).run(&Janus)
    }

    #[test]
    fn janus_boundaries() {
        assert_eq!(run(21, &[Scheme::V1])[0].severity, Severity::High);
        assert_eq!(run(26, &[Scheme::V1])[0].severity, Severity::High);
        assert!(
            run(27, &[Scheme::V1]).is_empty(),
            "minSdk 27 is never affected"
        );
        assert!(run(15, &[Scheme::V1])[0].message.contains("API 21-26"));
        assert_eq!(
            run(23, &[Scheme::V1, Scheme::V2])[0].severity,
            Severity::Medium
        );
        assert!(run(24, &[Scheme::V1, Scheme::V2]).is_empty());
        assert!(run(21, &[Scheme::V2]).is_empty(), "no v1, nothing to forge");
    }
}
