//! The JSON report (schema: `docs/report-schema.md`).

use mastiff_core::Report;

/// One report as a pretty-printed JSON object.
pub fn to_json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// Several reports: a JSON array of report objects (one per input, in input order).
pub fn to_json_many(reports: &[Report]) -> String {
    serde_json::to_string_pretty(reports).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}
