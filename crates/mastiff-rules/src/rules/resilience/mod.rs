//! MASVS-RESILIENCE: debuggability, signing, tamper and reverse-engineering resistance.

pub mod anti_debug;
pub mod debug_signing_key;
pub mod debuggable;
pub(crate) mod detection;
pub mod janus;
pub mod obfuscation;
pub mod root_detection;
pub mod tamper_detection;
pub mod test_only;
pub mod unsigned;
pub mod weak_signature_digest;
pub mod weak_signing_key;

use crate::rule::Rule;

/// This group's rules, in id order.
pub(crate) static RULES: &[&dyn Rule] = &[
    &debuggable::Debuggable,
    &test_only::TestOnly,
    &debug_signing_key::DebugSigningKey,
    &weak_signing_key::WeakSigningKey,
    &weak_signature_digest::WeakSignatureDigest,
    &janus::Janus,
    &unsigned::UnsignedOrTampered,
    &root_detection::RootDetection,
    &tamper_detection::TamperDetection,
    &obfuscation::Obfuscation,
    &anti_debug::AntiDebug,
];
