//! MASVS-AUTH: credentials, sessions and local authentication.

use crate::rule::Rule;

/// This group's rules, in id order.
pub(crate) static RULES: &[&dyn Rule] = &[];
