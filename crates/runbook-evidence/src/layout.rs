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

/// The directory of each record of a journal (`run.json`'s `steps`, in order), or `None`
/// for a later attempt whose first attempt is not in the journal (a damaged record):
///
/// - a `main` step's first attempt: `steps/NN-id` ([`step_dir`], numbered among the `main`
///   first attempts, padded for as many), as before the journal existed;
/// - another phase's first attempt: `steps/PHASE-NN-id` (`steps/finally-01-rm-db`), numbered
///   within its phase, at least two digits (an appended phase's length is not known up front);
/// - attempt K of a step: its first attempt's directory with `.attempt-K`
///   (`steps/03-migrate.attempt-2`). Step ids are `[a-z0-9-]+`: the `.` and a phase prefix
///   (never a digit) keep every name unique and unambiguous.
///
/// Names depend only on the records before and at their position, so appending never renames
/// a directory.
pub fn record_dirs<'a>(
    records: impl IntoIterator<Item = (crate::run_record::Phase, &'a str, u32)>,
) -> Vec<Option<String>> {
    use std::collections::HashMap;
    let records: Vec<_> = records.into_iter().collect();
    let main_count = records
        .iter()
        .filter(|(phase, _, attempt)| phase.is_main() && *attempt == 1)
        .count();
    let mut numbers: HashMap<crate::run_record::Phase, usize> = HashMap::new();
    let mut firsts: HashMap<(crate::run_record::Phase, &str), String> = HashMap::new();
    records
        .iter()
        .map(|&(phase, id, attempt)| {
            if attempt == 1 {
                let n = numbers.entry(phase).or_default();
                *n += 1;
                let dir = if phase.is_main() {
                    step_dir(*n, main_count, id)
                } else {
                    format!("{STEPS_DIR}/{phase}-{n:02}-{id}")
                };
                firsts.entry((phase, id)).or_insert_with(|| dir.clone());
                Some(dir)
            } else {
                firsts
                    .get(&(phase, id))
                    .map(|first| format!("{first}.attempt-{attempt}"))
            }
        })
        .collect()
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
    fn journal_records_get_stable_unique_directories() {
        use crate::run_record::Phase::{Finally, Main};
        let records = [
            (Main, "a", 1),
            (Main, "b", 1),
            (Finally, "rm", 1),
            (Main, "b", 2),
            (Finally, "rm", 2),
            (Main, "b", 3),
            (Main, "ghost", 2),
        ];
        let dirs = record_dirs(records);
        let want = [
            Some("steps/01-a"),
            Some("steps/02-b"),
            Some("steps/finally-01-rm"),
            Some("steps/02-b.attempt-2"),
            Some("steps/finally-01-rm.attempt-2"),
            Some("steps/02-b.attempt-3"),
            None,
        ];
        assert_eq!(
            dirs,
            want.map(|d| d.map(str::to_owned)).to_vec(),
            "a later attempt extends its first attempt's name; one without a first has none"
        );
        // Appending never renames what is already there.
        assert_eq!(record_dirs(records[..3].iter().copied()), dirs[..3]);
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
