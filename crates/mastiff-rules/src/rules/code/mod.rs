//! MASVS-CODE: platform version, updates, input validation.

pub mod command_exec;
pub mod deserialization;
pub mod dynamic_code;
pub mod forced_update;
pub(crate) mod helpers;
pub mod min_sdk;
pub mod path_traversal;
pub mod sql_injection;
pub mod target_sdk;

use crate::rule::Rule;

/// This group's rules, in id order.
pub(crate) static RULES: &[&dyn Rule] = &[
    &min_sdk::MinSdkTooOld,
    &target_sdk::TargetSdkTooOld,
    &sql_injection::SqlInjection,
    &dynamic_code::DynamicCodeLoading,
    &command_exec::CommandExecution,
    &deserialization::UnsafeDeserialization,
    &forced_update::ForcedUpdate,
    &path_traversal::PathTraversal,
];
