//! Static SQL checks for `runbook validate`: scripts the runbook names must be scripts psql
//! could run (no unsupported meta-commands, quotes and `\restrict` blocks closed), found before
//! anything is started.

use std::io::{BufReader, Cursor, Read};

use indexmap::IndexMap;
use runbook_spec::{Runbook, StepKind};
use runbook_sql::ScriptReader;

use crate::script::{self, Origin};

/// Every problem found, as `file:line:col: message (step 'id')`. Files that do not exist are not
/// reported here: `check` and `run` say so when they matter (they may be created by earlier
/// steps).
pub fn lint(runbook: &Runbook) -> Vec<String> {
    let mut findings = Vec::new();
    for step in &runbook.steps {
        match &step.kind {
            StepKind::Sql(sql) => {
                let origin = Origin::Inline {
                    runbook: runbook.file.display().to_string(),
                    origin: sql.text_origin,
                };
                let reader = script::reader(
                    Cursor::new(sql.text.clone().into_bytes()),
                    script::variables(runbook, &IndexMap::new()),
                );
                scan(reader, &origin, &step.id, &mut findings);
            }
            StepKind::SqlFile(file) => {
                // Never opened when it is not a regular file: /dev/zero would be read forever,
                // a FIFO would hang `validate`. Refused unless the step allows it, and then
                // left to `run` (it can be read only once).
                // No more than `stat` says: a file of /proc or /sys says 0 or 4096 bytes and may
                // give more, or block.
                let handle = match crate::input_file::open_regular(&file.path) {
                    Ok((handle, meta)) => handle.take(meta.len()),
                    Err(crate::StepError::Blocked(_)) if file.allow_special_file => continue,
                    Err(crate::StepError::Blocked(refusal)) => {
                        findings.push(at_step(runbook, step, &refusal));
                        continue;
                    }
                    Err(_) => continue,
                };
                let origin = Origin::File(file.path.display().to_string());
                scan(
                    script::file_reader(BufReader::new(handle), runbook, file),
                    &origin,
                    &step.id,
                    &mut findings,
                );
            }
            StepKind::CopyToContainer(copy) if !copy.follow_symlinks => {
                if let Some((link, to)) = crate::steps::copy_to_container::symlink_in(&copy.path) {
                    let refusal =
                        crate::steps::copy_to_container::symlink_refusal(&copy.path, &link, &to);
                    findings.push(at_step(runbook, step, &refusal));
                }
            }
            _ => {}
        }
    }
    findings
}

/// A finding placed at the step it belongs to: `rb.yaml:10:5: ... (step 'load')`.
fn at_step(runbook: &Runbook, step: &runbook_spec::Step, finding: &str) -> String {
    format!(
        "{}:{}:{}: {finding} (step '{}')",
        runbook.file.display(),
        step.position.line,
        step.position.column,
        step.id
    )
}

fn scan<R: Read>(reader: ScriptReader<R>, origin: &Origin, step: &str, findings: &mut Vec<String>) {
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
}
