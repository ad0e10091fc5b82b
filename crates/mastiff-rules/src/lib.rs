//! Rules, engine and verdicts.
