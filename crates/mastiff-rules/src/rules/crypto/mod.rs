//! MASVS-CRYPTO: algorithms, modes, keys and randomness.

use crate::rule::Rule;

/// This group's rules, in id order.
pub(crate) static RULES: &[&dyn Rule] = &[];
