//! MASVS-PRIVACY: personal data and identifiers leaving the device.

pub mod sms_leak;

use crate::rule::Rule;

/// This group's rules, in id order.
pub(crate) static RULES: &[&dyn Rule] = &[&sms_leak::SensitiveDataBySms];
