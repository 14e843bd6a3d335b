//! `runbook verify DIR`: is the evidence exactly what the run wrote?

use std::io::Write;
use std::path::Path;

use crate::exit_codes;

pub fn verify(dir: &Path) -> i32 {
    let report = match runbook_evidence::verify(dir) {
        Ok(report) => report,
        Err(error) => {
            crate::report_error(&crate::chain(error));
            return exit_codes::INVALID_INPUT;
        }
    };
    let mut out = std::io::stdout().lock();
    if report.is_intact() {
        let _ = writeln!(
            out,
            "intact: every file listed in {} matches, and no file is missing or extra",
            dir.join("SHA256SUMS").display()
        );
        if report.unfinished.is_some() {
            let _ = writeln!(
                out,
                "note: the run did not finish (it was killed or is still running); its last step's files are partial"
            );
        }
        return exit_codes::OK;
    }
    let _ = writeln!(out, "NOT INTACT: {}", dir.display());
    for problem in report.problems() {
        let _ = writeln!(out, "  {problem}");
    }
    exit_codes::NOT_INTACT
}
