//! Test helper: text XML to the [`XmlDocument`] model, with `android:` attributes given their
//! framework resource ids, so manifest and NSC semantics can be tested without building APKs.
