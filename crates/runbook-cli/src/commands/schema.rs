//! `runbook schema`: the JSON Schema of the runbook format, for editors.

use std::io::Write;

use crate::exit_codes;

pub fn schema() -> i32 {
    let text = serde_json::to_string_pretty(&runbook_spec::json_schema()).unwrap_or_default();
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{text}").is_err() {
        return exit_codes::FAILED;
    }
    exit_codes::OK
}
