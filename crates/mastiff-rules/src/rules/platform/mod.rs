//! MASVS-PLATFORM: IPC, WebViews and UI.

pub mod content_provider;
pub mod dynamic_receiver;
pub mod exported_component;
pub mod file_provider;
pub mod flag_secure;
pub mod implicit_broadcast;
pub mod intent_redirection;
pub(crate) mod ipc;
pub mod pending_intent;
pub mod task_hijacking;
pub mod weak_permission;
pub mod webview_debugging;
pub mod webview_file_access;
pub mod webview_intent_url;
pub mod webview_js_bridge;

use crate::rule::Rule;

/// This group's rules, in id order.
pub(crate) static RULES: &[&dyn Rule] = &[
    &exported_component::ExportedComponent,
    &content_provider::ContentProviderExposed,
    &weak_permission::WeakCustomPermission,
    &task_hijacking::TaskHijacking,
    &webview_js_bridge::WebViewJsBridge,
    &webview_file_access::WebViewFileAccess,
    &webview_debugging::WebViewDebugging,
    &webview_intent_url::WebViewIntentUrl,
    &pending_intent::MutablePendingIntent,
    &flag_secure::FlagSecure,
    &implicit_broadcast::ImplicitBroadcast,
    &intent_redirection::IntentRedirection,
    &dynamic_receiver::UnprotectedDynamicReceiver,
    &file_provider::FileProviderBroadPaths,
];
