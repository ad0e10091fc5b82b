//! MASVS-NETWORK: TLS, cleartext and pinning.

pub mod cleartext;
pub mod expired_pins;
pub mod no_pinning;
pub mod user_ca;

use crate::rule::Rule;

/// This group's rules, in id order.
pub(crate) static RULES: &[&dyn Rule] = &[
    &cleartext::CleartextTraffic,
    &user_ca::UserCaTrusted,
    &no_pinning::NoPinning,
    &expired_pins::ExpiredPins,
];
