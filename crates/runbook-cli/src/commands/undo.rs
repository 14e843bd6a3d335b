//! `runbook undo DIR`: roll back a finished run later, e.g. when a reviewer rejects its gates.
//!
//! The journal decides what is undone, so it must be trusted first: DIR must verify (exit 5
//! otherwise), and the runbook must be the one that ran (its sha256 equal to `run.json`'s
//! `runbook.sha256`; exit 2 otherwise), since an undo step of an edited runbook may not put back
//! what the run did. Then the undo steps of every main step that passed run, last first, with
//! consent as for `run`, in a **new** evidence directory (DIR is left as it is: appending to it
//! would need it reopened), whose steps are phase `undo`.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use runbook_engine::UndoOf;
use runbook_evidence::{Evidence, Mode, Phase, RunStatus, SUMS_FILE, StepStatus, sha256_hex};

use crate::commands::execute::{Request, execute};
use crate::{exit_codes, runbook_file, sanitize};

pub fn undo(dir: &Path, runbook: Option<&Path>, request: Request<'_>) -> i32 {
    let sums = match super::verified(
        dir,
        "to undo",
        "its journal cannot be trusted to say which steps passed",
    ) {
        Ok(_) => match std::fs::read(dir.join(SUMS_FILE)) {
            Ok(bytes) => sha256_hex(&bytes),
            Err(error) => {
                crate::report_error(&format!(
                    "cannot read {SUMS_FILE} of {}: {error}",
                    dir.display()
                ));
                return exit_codes::INVALID_INPUT;
            }
        },
        Err(code) => return code,
    };
    let evidence = match Evidence::load(dir) {
        Ok(evidence) => evidence,
        Err(error) => {
            crate::report_error(&crate::chain(error));
            return exit_codes::INVALID_INPUT;
        }
    };
    let run = &evidence.run;
    let refuse = |why: String| {
        crate::report_error(&format!("refusing to undo {}: {why}", dir.display()));
        exit_codes::INVALID_INPUT
    };
    if run.mode != Mode::Run {
        return refuse("it is a check (dry run), which changed nothing".to_owned());
    }
    if run.status == RunStatus::Running {
        return refuse(
            "its run never finished (status running): resume it or undo it once it has ended"
                .to_owned(),
        );
    }
    if run
        .steps
        .iter()
        .any(|s| s.phase == Phase::Undo && s.status != StepStatus::NotRun)
    {
        return refuse("its undo steps already ran (on_failure: undo); see its report".to_owned());
    }
    let file = runbook.map_or_else(|| PathBuf::from(&run.runbook.path), Path::to_path_buf);
    let bytes = match std::fs::read(&file) {
        Ok(bytes) => bytes,
        Err(error) => {
            return refuse(format!(
                "cannot read the runbook {}: {error}; pass the runbook that ran with --runbook FILE",
                file.display()
            ));
        }
    };
    let digest = sha256_hex(&bytes);
    if digest != run.runbook.sha256 {
        return refuse(format!(
            "{} has sha256 {digest}, but the run executed a runbook with sha256 {}: undo runs the undo steps of the runbook that ran (pass it with --runbook FILE)",
            file.display(),
            run.runbook.sha256
        ));
    }
    let mut passed: Vec<String> = Vec::new();
    for step in &run.steps {
        if step.phase == Phase::Main
            && step.status == StepStatus::Passed
            && !passed.contains(&step.id)
        {
            passed.push(step.id.clone());
        }
    }
    // Parsed here too, to say "nothing to undo" without writing an empty run.
    let parsed = match runbook_file::load(&file, request.vars, runbook_file::Purpose::Execute) {
        Ok(parsed) => parsed,
        Err(code) => return code,
    };
    let count: usize = parsed
        .steps
        .iter()
        .filter(|s| passed.contains(&s.id))
        .map(|s| s.undo.len())
        .sum();
    if count == 0 {
        let _ = writeln!(
            std::io::stdout(),
            "nothing to undo: no step that passed in {} declares undo:",
            sanitize::path(dir)
        );
        return exit_codes::OK;
    }
    let _ = writeln!(
        std::io::stdout(),
        "undoing {} (SHA256SUMS sha256 {sums}): {count} undo step{} of {} passed step{}",
        sanitize::path(dir),
        if count == 1 { "" } else { "s" },
        passed.len(),
        if passed.len() == 1 { "" } else { "s" },
    );
    execute(
        Mode::Run,
        Request {
            file: &file,
            undo_of: Some(UndoOf {
                dir: dir.to_path_buf(),
                sums_sha256: sums,
                passed,
            }),
            ..request
        },
    )
}
