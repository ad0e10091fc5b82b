//! MASVS-CODE: platform version, components, input validation.

pub mod min_sdk;
pub mod target_sdk;

use crate::rule::Rule;

/// This group's rules, in id order.
pub(crate) static RULES: &[&dyn Rule] = &[&min_sdk::MinSdkTooOld, &target_sdk::TargetSdkTooOld];
