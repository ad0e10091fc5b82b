use mastiff_core::Control;

use crate::rule::{Rule, Sink};
use crate::rules::network::{code_pins, method_label};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Certificate pinning set up in the app's own code (not in known libraries), recorded as
    /// positive evidence for MASVS-NETWORK-2 with the hosts it covers:
    /// - OkHttp `CertificatePinner.Builder.add(host, pins...)` (OkHttp 2, 3 and 4), naming
    ///   the constant hosts and counting the `sha256/…` pins of the same method;
    /// - TrustKit initialisation (`TrustKit.initializeWithNetworkSecurityConfiguration`), whose
    ///   pins live in the network security config;
    /// - custom checks that hash a certificate's public key (`getPublicKey().getEncoded()`
    ///   fed to `MessageDigest`), the usual shape of a hand-written pin comparison.
    ///
    /// This rule reports no findings; `NET-003` uses the same detection and stays silent when
    /// it finds pinning here.
    ///
    /// ## Why it matters
    /// Pinning limits which keys the app accepts for its own hosts, so a rogue or coerced CA,
    /// or a user-installed proxy CA, cannot intercept the traffic. MASVS-NETWORK-2 asks for it
    /// on every endpoint the developer controls; naming the pinned hosts lets a reviewer
    /// compare them with the hosts the app talks to.
    ///
    /// ## How to fix
    /// Nothing to fix. Make sure every API host is pinned, with a backup pin, and prefer the
    /// declarative `<pin-set>` of the network security config where it suffices.
    ///
    /// ## False positives
    /// A pinner that is built but never attached to the client used for the requests still
    /// counts, as does a public-key hash computed for another purpose; hosts built at run time
    /// are not named.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0242: Missing Certificate Pinning in Network Security Configuration
    /// - OWASP MASTG-TEST-0022: Testing Custom Certificate Stores and Certificate Pinning
    /// - CWE-295: Improper Certificate Validation
    /// - https://square.github.io/okhttp/4.x/okhttp/okhttp3/-certificate-pinner/
    pub CodePinning {
        id: "NET-011",
        name: "certificate-pinning-in-code",
        title: "Certificate pinning in code",
        severity: Info,
        masvs: [Network2],
        mastg: ["MASTG-TEST-0242", "MASTG-TEST-0022"],
        cwe: [295],
        inputs: [Code],
    }
}

impl Rule for CodePinning {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        for pin in code_pins(code) {
            let hosts = if pin.hosts.is_empty() {
                match pin.mechanism {
                    "TrustKit" => "the hosts of TrustKit's network security config".to_string(),
                    _ => "hosts not visible as constants".to_string(),
                }
            } else {
                pin.hosts.join(", ")
            };
            let pins = if pin.pins > 0 {
                format!(" with {} pin(s)", pin.pins)
            } else {
                String::new()
            };
            out.evidence(
                Control::Network2,
                format!(
                    "{} pins {hosts}{pins} in {}",
                    pin.mechanism,
                    method_label(code, pin.method)
                ),
                vec![pin.location],
            );
        }
    }
}
