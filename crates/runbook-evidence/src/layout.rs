//! Names inside an evidence directory, in one place so the writer, `verify` and the loader
//! agree on them.

use chrono::{DateTime, Utc};

pub const RUN_FILE: &str = "run.json";
pub const RUNBOOK_FILE: &str = "runbook.yaml";
pub const REPORT_FILE: &str = "report.md";
pub const STEPS_DIR: &str = "steps";
pub const LOG_FILE: &str = "output.log";
/// The log of a step in progress; renamed to [`LOG_FILE`] when the step ends, so a file called
/// `output.log` is always complete and covered by `SHA256SUMS`.
pub const PARTIAL_LOG_FILE: &str = "output.log.partial";
pub const RESULT_FILE: &str = "result.json";
/// Covered copies of the old and the new `run.json`, listed in `SHA256SUMS` only while `run.json`
/// is being replaced (see `ledger.rs`): they let `verify` tell a run killed inside an update from
/// a `run.json` that was edited and whose line was removed.
pub const PREVIOUS_RUN_FILE: &str = "run.prev.json";
/// The new `run.json` while it replaces the old one; see [`PREVIOUS_RUN_FILE`].
pub const PENDING_RUN_FILE: &str = "run.next.json";

/// The run directory's name: the UTC start, `YYYYMMDDTHHMMSSZ`.
pub fn stamp(started: DateTime<Utc>) -> String {
    started.format("%Y%m%dT%H%M%SZ").to_string()
}

/// `steps/NN-id`: the 1-based index zero-padded to two digits, or to as many as the plan's
/// largest index needs, so directory listings sort in run order.
pub fn step_dir(index: usize, step_count: usize, id: &str) -> String {
    let width = step_count.to_string().len().max(2);
    format!("{STEPS_DIR}/{index:0width$}-{id}")
}

/// Whether an attachment name is a plain file name the step directory can hold.
pub(crate) fn is_valid_attachment(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && ![LOG_FILE, PARTIAL_LOG_FILE, RESULT_FILE].contains(&name)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn names_follow_the_contract() {
        let t = Utc.with_ymd_and_hms(2025, 11, 8, 6, 24, 36).unwrap();
        assert_eq!(stamp(t), "20251108T062436Z");
        assert_eq!(step_dir(3, 12, "load-schema"), "steps/03-load-schema");
        assert_eq!(step_dir(3, 100, "x"), "steps/003-x");
        assert_eq!(step_dir(7, 5, "x"), "steps/07-x");
    }

    #[test]
    fn attachment_names_are_plain() {
        assert!(is_valid_attachment("container-log.txt"));
        assert!(is_valid_attachment("gate_rows.json"));
        for bad in [
            "",
            ".hidden",
            "a/b",
            "../x",
            "result.json",
            "output.log",
            "a b",
            "é",
        ] {
            assert!(!is_valid_attachment(bad), "{bad}");
        }
    }
}
