//! The 24 controls of OWASP MASVS v2.

use serde::{Serialize, Serializer};
use std::fmt;

/// A MASVS v2 control group (the part between `MASVS-` and the number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ControlGroup {
    Storage,
    Crypto,
    Auth,
    Network,
    Platform,
    Code,
    Resilience,
    Privacy,
}

impl ControlGroup {
    pub fn as_str(self) -> &'static str {
        match self {
            ControlGroup::Storage => "STORAGE",
            ControlGroup::Crypto => "CRYPTO",
            ControlGroup::Auth => "AUTH",
            ControlGroup::Network => "NETWORK",
            ControlGroup::Platform => "PLATFORM",
            ControlGroup::Code => "CODE",
            ControlGroup::Resilience => "RESILIENCE",
            ControlGroup::Privacy => "PRIVACY",
        }
    }
}

macro_rules! controls {
    ($($variant:ident => ($group:ident, $n:literal, $id:literal, $statement:literal),)*) => {
        /// One MASVS v2 control, e.g. `MASVS-NETWORK-1`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Control {
            $($variant,)*
        }

        impl Control {
            /// Every control, in MASVS order.
            pub const ALL: &'static [Control] = &[$(Control::$variant,)*];

            /// The control's identifier, e.g. `MASVS-NETWORK-1`.
            pub fn id(self) -> &'static str {
                match self { $(Control::$variant => $id,)* }
            }

            /// The control's statement as written in MASVS v2.
            pub fn statement(self) -> &'static str {
                match self { $(Control::$variant => $statement,)* }
            }

            pub fn group(self) -> ControlGroup {
                match self { $(Control::$variant => ControlGroup::$group,)* }
            }

            pub fn number(self) -> u8 {
                match self { $(Control::$variant => $n,)* }
            }

            /// Parses `MASVS-NETWORK-1` (case-insensitive).
            pub fn from_id(id: &str) -> Option<Control> {
                Control::ALL.iter().copied().find(|c| c.id().eq_ignore_ascii_case(id))
            }
        }
    };
}

controls! {
    Storage1 => (Storage, 1, "MASVS-STORAGE-1", "The app securely stores sensitive data."),
    Storage2 => (Storage, 2, "MASVS-STORAGE-2", "The app prevents leakage of sensitive data."),
    Crypto1 => (Crypto, 1, "MASVS-CRYPTO-1", "The app employs current strong cryptography and uses it according to industry best practices."),
    Crypto2 => (Crypto, 2, "MASVS-CRYPTO-2", "The app performs key management according to industry best practices."),
    Auth1 => (Auth, 1, "MASVS-AUTH-1", "The app uses secure authentication and authorization protocols and follows the relevant best practices."),
    Auth2 => (Auth, 2, "MASVS-AUTH-2", "The app performs local authentication securely according to the platform best practices."),
    Auth3 => (Auth, 3, "MASVS-AUTH-3", "The app secures sensitive operations with additional authentication."),
    Network1 => (Network, 1, "MASVS-NETWORK-1", "The app secures all network traffic according to the current best practices."),
    Network2 => (Network, 2, "MASVS-NETWORK-2", "The app performs identity pinning for all remote endpoints under the developer's control."),
    Platform1 => (Platform, 1, "MASVS-PLATFORM-1", "The app uses IPC mechanisms securely."),
    Platform2 => (Platform, 2, "MASVS-PLATFORM-2", "The app uses WebViews securely."),
    Platform3 => (Platform, 3, "MASVS-PLATFORM-3", "The app uses the user interface securely."),
    Code1 => (Code, 1, "MASVS-CODE-1", "The app requires an up-to-date platform version."),
    Code2 => (Code, 2, "MASVS-CODE-2", "The app has a mechanism for enforcing app updates."),
    Code3 => (Code, 3, "MASVS-CODE-3", "The app only uses software components without known vulnerabilities."),
    Code4 => (Code, 4, "MASVS-CODE-4", "The app validates and sanitizes all untrusted inputs."),
    Resilience1 => (Resilience, 1, "MASVS-RESILIENCE-1", "The app validates the integrity of the platform."),
    Resilience2 => (Resilience, 2, "MASVS-RESILIENCE-2", "The app implements anti-tampering mechanisms."),
    Resilience3 => (Resilience, 3, "MASVS-RESILIENCE-3", "The app implements anti-static analysis mechanisms."),
    Resilience4 => (Resilience, 4, "MASVS-RESILIENCE-4", "The app implements anti-dynamic analysis techniques."),
    Privacy1 => (Privacy, 1, "MASVS-PRIVACY-1", "The app minimizes access to sensitive data and resources."),
    Privacy2 => (Privacy, 2, "MASVS-PRIVACY-2", "The app prevents identification of the user."),
    Privacy3 => (Privacy, 3, "MASVS-PRIVACY-3", "The app is transparent about data collection and usage."),
    Privacy4 => (Privacy, 4, "MASVS-PRIVACY-4", "The app offers user control over their data."),
}

impl fmt::Display for Control {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for Control {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_four_controls_with_unique_ids() {
        assert_eq!(Control::ALL.len(), 24);
        let mut ids: Vec<_> = Control::ALL.iter().map(|c| c.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 24);
        for c in Control::ALL {
            assert_eq!(
                c.id(),
                format!("MASVS-{}-{}", c.group().as_str(), c.number())
            );
            assert_eq!(Control::from_id(&c.id().to_lowercase()), Some(*c));
        }
    }
}
