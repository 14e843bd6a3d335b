//! `runbook verify DIR`: is the evidence exactly what the run wrote?

use std::io::Write;
use std::path::Path;

use crate::{exit_codes, sanitize};

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
            sanitize::path(&dir.join("SHA256SUMS"))
        );
        if report.unfinished.is_some() {
            let _ = writeln!(
                out,
                "note: the run did not finish (it was killed or is still running); its last step's files are partial"
            );
        }
        return exit_codes::OK;
    }
    // Problems name the files found: a file name is the tamperer's to choose, and one holding
    // escape codes or a line break could otherwise erase "NOT INTACT" and print "intact".
    let _ = writeln!(out, "NOT INTACT: {}", sanitize::path(dir));
    for problem in report.problems() {
        let _ = writeln!(out, "  {}", sanitize::line(&problem));
    }
    exit_codes::NOT_INTACT
}
