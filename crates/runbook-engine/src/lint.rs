//! Static checks for `runbook validate`: what each step finds wrong with itself before anything
//! is started (scripts psql could not run: unsupported meta-commands, quotes and `\restrict`
//! blocks left open; paths a step would refuse). Each kind says what it checks in its own
//! `Step::lint`; this module only walks the steps and holds the helpers they share.

use std::io::Read;

use runbook_spec::Runbook;
use runbook_sql::ScriptReader;

use crate::script::Origin;

/// Every problem found, as `file:line:col: message (step 'id')`. Files that do not exist are not
/// reported here: `check` and `run` say so when they matter (they may be created by earlier
/// steps).
pub fn lint(runbook: &Runbook) -> Vec<String> {
    runbook
        .all_steps()
        .flat_map(|step| crate::registry::bind(&step.kind).lint(step, runbook))
        .collect()
}

/// A finding placed at the step it belongs to: `rb.yaml:10:5: ... (step 'load')`.
pub(crate) fn at_step(runbook: &Runbook, step: &runbook_spec::Step, finding: &str) -> String {
    format!(
        "{}:{}:{}: {finding} (step '{}')",
        runbook.file.display(),
        step.position.line,
        step.position.column,
        step.id
    )
}

/// Every scanning error of a script, at its place in the file or the runbook; reading stops at
/// the first fatal one.
pub(crate) fn scan<R: Read>(reader: ScriptReader<R>, origin: &Origin, step: &str) -> Vec<String> {
    let mut findings = Vec::new();
    for item in reader {
        if let Err(error) = item {
            findings.push(format!(
                "{}: {} (step '{step}')",
                origin.show(error.position),
                error.kind
            ));
            if error.is_fatal() {
                break;
            }
        }
    }
    findings
}
