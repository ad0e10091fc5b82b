//! MASVS-PLATFORM: IPC, WebViews and UI.

pub mod content_provider;
pub mod exported_component;
pub mod task_hijacking;
pub mod weak_permission;

use crate::rule::Rule;

/// This group's rules, in id order.
pub(crate) static RULES: &[&dyn Rule] = &[
    &exported_component::ExportedComponent,
    &content_provider::ContentProviderExposed,
    &weak_permission::WeakCustomPermission,
    &task_hijacking::TaskHijacking,
];
