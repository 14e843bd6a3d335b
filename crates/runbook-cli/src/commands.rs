//! One module per subcommand; each returns the process exit code.

pub mod approve;
pub mod execute;
pub mod identify;
pub mod report;
pub mod schema;
pub mod undo;
pub mod validate;
pub mod verify;

use std::io::Write;
use std::path::Path;

use runbook_evidence::VerifyReport;

use crate::{exit_codes, sanitize};

/// Verifies `dir` before a command lends it weight (a report's verdict, a reviewer's name).
/// Returns the exit code of the refusal when it does not verify: `refusing` says what was not
/// done ("to approve", "to render a report") and `because` why that matters.
pub(crate) fn verified(dir: &Path, refusing: &str, because: &str) -> Result<VerifyReport, i32> {
    let integrity = match runbook_evidence::verify(dir) {
        Ok(integrity) => integrity,
        Err(error) => {
            crate::report_error(&crate::chain(error));
            return Err(exit_codes::INVALID_INPUT);
        }
    };
    if integrity.is_intact() {
        return Ok(integrity);
    }
    refuse_not_intact(dir, refusing, because, &integrity.problems());
    Err(exit_codes::NOT_INTACT)
}

/// The refusal of [`verified`], with one line per problem, each sanitised on its own: they name
/// the files found.
pub(crate) fn refuse_not_intact(dir: &Path, refusing: &str, because: &str, problems: &[String]) {
    crate::report_error(&format!(
        "refusing {refusing}: {} does not verify, so {because} (`runbook verify {}` says the same):",
        dir.display(),
        dir.display()
    ));
    let width = sanitize::stderr_width();
    let mut err = std::io::stderr().lock();
    for problem in problems {
        let line = format!("  {}", sanitize::line(problem));
        let _ = writeln!(err, "{}", sanitize::fit(&line, width));
    }
}
