//! `runbook verify DIR`: is the evidence exactly what the run wrote?

use std::fmt::Write as _;
use std::io::Write as _;
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
    // Assembled, then laid out for the terminal at once (`sanitize::fit`).
    let mut out = String::new();
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
        // Approvals are names a reviewer typed: sanitised like file names.
        for approval in &report.approvals {
            if let Some(record) = &approval.record {
                let _ = writeln!(
                    out,
                    "approved by {} at {} ({}): unchanged since",
                    sanitize::line(&record.approver),
                    record.approved_at.format("%Y-%m-%d %H:%M:%S UTC"),
                    sanitize::line(&approval.path)
                );
            }
        }
        if !report.pending_approvals.is_empty() {
            let _ = writeln!(
                out,
                "note: an interrupted `runbook approve` left files that approve nothing (the next approve removes them): {}",
                sanitize::line(&report.pending_approvals.join(", "))
            );
        }
        print(&out);
        return exit_codes::OK;
    }
    // Problems name the files found: a file name is the tamperer's to choose, and one holding
    // escape codes or a line break could otherwise erase "NOT INTACT" and print "intact".
    let _ = writeln!(out, "NOT INTACT: {}", sanitize::path(dir));
    for problem in report.problems() {
        let _ = writeln!(out, "  {}", sanitize::line(&problem));
    }
    print(&out);
    exit_codes::NOT_INTACT
}

fn print(text: &str) {
    let _ = std::io::stdout()
        .lock()
        .write_all(sanitize::fit(text, sanitize::stdout_width()).as_bytes());
}
