//! `runbook validate FILE...`: static checks that touch nothing.

use std::io::Write;
use std::path::PathBuf;

use crate::{exit_codes, runbook_file, sanitize};

pub fn validate(files: &[PathBuf], vars: &[(String, String)]) -> i32 {
    let mut code = exit_codes::OK;
    for file in files {
        let runbook = match runbook_file::load(file, vars, runbook_file::Purpose::Validate) {
            Ok(runbook) => runbook,
            Err(c) => {
                code = c;
                continue;
            }
        };
        let findings = runbook_engine::lint(&runbook);
        for finding in &findings {
            crate::report_error(finding);
        }
        if findings.is_empty() {
            let line = format!(
                "{}: valid ({} step{})",
                sanitize::path(file),
                runbook.steps.len(),
                if runbook.steps.len() == 1 { "" } else { "s" }
            );
            let _ = writeln!(
                std::io::stdout(),
                "{}",
                sanitize::fit(&line, sanitize::stdout_width())
            );
        } else {
            code = exit_codes::INVALID_INPUT;
        }
    }
    code
}
