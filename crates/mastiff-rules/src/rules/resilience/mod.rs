//! MASVS-RESILIENCE: debuggability, signing, tamper and reverse-engineering resistance.

pub mod debug_signing_key;
pub mod debuggable;
pub mod janus;
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
];
