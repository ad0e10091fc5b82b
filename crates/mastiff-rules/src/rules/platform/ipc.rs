//! Helpers of the IPC rules (PLT-009, PLT-011..013): how an Intent is built in a method.

use std::collections::HashSet;

use mastiff_android::ComponentKind;
use mastiff_code::{ArgValue, CodeIndex, MethodId};

use crate::AppContext;

/// How the Intents created in a method address their target.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IntentShape {
    /// `new Intent()`, `new Intent(action)` or `new Intent(action, uri)`.
    pub(crate) implicit_ctor: bool,
    /// An explicit constructor, or `setClass`/`setClassName`/`setComponent`/`setPackage`.
    pub(crate) explicit: bool,
    /// `putExtra`/`putExtras`/`setData`/`setClipData`: the Intent carries data.
    pub(crate) carries_data: bool,
}

impl IntentShape {
    /// Every Intent of the method is implicit.
    pub(crate) fn implicit(self) -> bool {
        self.implicit_ctor && !self.explicit
    }
}

/// The shape of the Intents `method` builds (all of them together: the linear pass does not
/// tell which register each call is on).
pub(crate) fn intent_shape(code: &CodeIndex, method: MethodId) -> IntentShape {
    let mut s = IntentShape::default();
    for c in code
        .calls_in(method)
        .iter()
        .filter(|c| c.callee.class == "Landroid/content/Intent;")
    {
        match (c.callee.name, c.callee.descriptor) {
            (
                "<init>",
                "()V" | "(Ljava/lang/String;)V" | "(Ljava/lang/String;Landroid/net/Uri;)V",
            ) => s.implicit_ctor = true,
            ("<init>", _) | ("setClass" | "setClassName" | "setComponent" | "setPackage", _) => {
                s.explicit = true
            }
            ("putExtra" | "putExtras" | "setData" | "setDataAndType" | "setClipData", _) => {
                s.carries_data = true
            }
            _ => {}
        }
    }
    s
}

/// Whether `arg` is an Intent created in the method (not one received or returned).
pub(crate) fn is_new_intent(arg: Option<&ArgValue>) -> bool {
    matches!(arg, Some(ArgValue::NewInstance(c)) if &**c == "Landroid/content/Intent;")
}

/// Class descriptors of the exported, enabled components of the manifest (aliases count for
/// their target activity).
pub(crate) fn exported_components(app: &AppContext<'_>) -> HashSet<String> {
    let Some(m) = app.manifest else {
        return HashSet::new();
    };
    m.components
        .iter()
        .filter(|c| c.exported && c.enabled)
        .filter_map(|c| match c.kind {
            ComponentKind::ActivityAlias => c.target_activity.as_deref(),
            _ => Some(c.name.as_str()),
        })
        .map(|n| format!("L{};", n.replace('.', "/")))
        .collect()
}

/// The top-level class of a (possibly inner) class descriptor: `Lx/A$1;` → `Lx/A;`.
pub(crate) fn outer_class(descriptor: &str) -> String {
    match descriptor.split_once('$') {
        Some((outer, _)) => format!("{outer};"),
        None => descriptor.to_string(),
    }
}
