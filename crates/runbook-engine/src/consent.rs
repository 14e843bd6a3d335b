//! Consent before destruction: a protected target's data is only destroyed when the operator
//! said so, on the command line (`--confirm TARGET`) or by typing the target's name.
//!
//! Consent is gathered before the first step, from what each step says it would destroy
//! (`Step::destruction`, known from the runbook and its files alone), so a restore never stops
//! half-way to ask. Check mode asks nothing; it notes which steps a run would need consent for.

use std::collections::BTreeMap;

use runbook_evidence::{Confirmation, ConfirmationMethod, EvidenceDir, Redactor};
use runbook_spec::Runbook;

use crate::docker_identity::DockerFacts;
use crate::errors::EngineError;
use crate::options::RunOptions;
use crate::output::StepOutput;
use crate::plan::Plan;
use crate::step::Destruction;

/// Asks for (or finds) consent for every protected target that a step from `start` on, and not
/// skipped by its `when:`, would damage. Returns the index of the first refused step and the refusal message when consent
/// is missing.
pub(crate) fn obtain_consent(
    plan: &Plan,
    start: usize,
    options: &mut RunOptions,
    evidence: &mut EvidenceDir,
    redactor: &Redactor,
    docker: &DockerFacts,
) -> Result<Option<(usize, String)>, EngineError> {
    let runbook = &plan.runbook;
    let mut needed: BTreeMap<String, Vec<(String, Destruction)>> = BTreeMap::new();
    // The finally steps too: they run whatever happens, so consent for them is asked before
    // anything runs, like for the main steps.
    let steps = runbook.steps.iter().zip(&plan.steps).skip(start);
    // And the undo steps of those main steps: a failure may run them (`on_failure: undo`).
    let undo = crate::undo::bound_undo_steps(plan, start);
    let planned: Vec<(&runbook_spec::Step, &Box<dyn crate::step::Step>)> = match &options.undo_of {
        // `runbook undo`: only the undo steps it runs.
        Some(of) => {
            let due = crate::undo::undo_run_steps(runbook, &of.passed);
            crate::undo::undo_run_queue(plan, &due)
                .into_iter()
                .map(|(step, _, number, _)| {
                    let (i, j) = due[number - 1];
                    (step, &plan.undo[i][j])
                })
                .collect()
        }
        None => steps
            .chain(undo)
            .chain(runbook.finally.iter().zip(&plan.finally))
            .collect(),
    };
    for (step, bound) in planned {
        // A step that `when:` skips destroys nothing: asking for it would refuse a run that
        // is harmless, or train the operator to confirm without reading.
        if !runbook.is_enabled(step) || !may_damage_protected(runbook) {
            continue;
        }
        let destructions = match destruction_of(bound.as_ref(), step, runbook, docker) {
            Ok(d) => d,
            // Unreadable input: the step will fail on its own, but consent cannot be skipped
            // on the strength of a file nobody could read.
            Err(error) => step
                .target
                .iter()
                .filter_map(|t| crate::script_consent::protected_identity(runbook, t))
                .map(|target| Destruction {
                    target,
                    what: format!("change it in ways that cannot be listed ({error})"),
                })
                .collect(),
        };
        for d in destructions {
            if let Some(target) = protected_name(runbook, &d.target) {
                needed.entry(target).or_default().push((step.id.clone(), d));
            }
        }
    }
    for (target, items) in needed {
        let method = if options.confirmed_targets.contains(&target) {
            Some(ConfirmationMethod::Flag)
        } else if let Some(confirmer) = options.confirmer.as_mut() {
            // The prompt is on the terminal: the statements it quotes are redacted like
            // everything else the run shows.
            let destructions: Vec<Destruction> = items
                .iter()
                .map(|(_, d)| Destruction {
                    target: d.target.clone(),
                    what: redactor.redact(&d.what).into_owned(),
                })
                .collect();
            confirmer
                .confirm(&target, &destructions)
                .then_some(ConfirmationMethod::Tty)
        } else {
            None
        };
        match method {
            Some(how) => evidence.add_confirmation(Confirmation { target, how })?,
            None => {
                let (step, first) = &items[0];
                let more = match items.len() {
                    1 => String::new(),
                    n => format!(
                        " (and {} more step{})",
                        n - 1,
                        if n == 2 { "" } else { "s" }
                    ),
                };
                let index = runbook
                    .steps
                    .iter()
                    .position(|s| &s.id == step)
                    .unwrap_or(start);
                return Ok(Some((
                    index,
                    format!(
                        "target '{target}' is protected and step '{step}' would {}{more}; nothing was run. Pass --confirm {target} to allow it, or run on a terminal and type the target's name when asked",
                        redactor.redact(&first.what)
                    ),
                )));
            }
        }
    }
    Ok(None)
}

/// What a step destroys: Docker steps judge by identity from the engine's snapshot.
fn destruction_of(
    bound: &dyn crate::step::Step,
    step: &runbook_spec::Step,
    runbook: &Runbook,
    docker: &DockerFacts,
) -> Result<Vec<Destruction>, crate::errors::StepError> {
    bound
        .docker_destruction(step, runbook, docker)
        .unwrap_or_else(|| bound.destruction(step, runbook))
}

/// Whether a step could damage a protected target at all. A step on a target that is not
/// protected (and is no other name for a protected database) can still reach one: a script's
/// `\connect` to its database, or a Docker step naming its container. So only runbooks with no
/// protected target at all skip the scan.
fn may_damage_protected(runbook: &Runbook) -> bool {
    runbook.targets.values().any(|t| t.protected)
}

/// The protected target a destruction of `target` falls on, if any: the target itself, or the
/// protected target whose database it names under another name.
fn protected_name(runbook: &Runbook, target: &str) -> Option<String> {
    crate::script_consent::protected_identity(runbook, target)
}

/// Check mode: tell the operator that the real run will ask for consent.
pub(crate) fn note_consent_needed(
    bound: &dyn crate::step::Step,
    step: &runbook_spec::Step,
    runbook: &Runbook,
    output: &StepOutput,
    docker: &DockerFacts,
) {
    if !may_damage_protected(runbook) {
        return;
    }
    for d in destruction_of(bound, step, runbook, docker).unwrap_or_default() {
        if let Some(target) = protected_name(runbook, &d.target) {
            output.log(format!(
                "note: target '{target}' is protected; `runbook run` needs --confirm {target} because this step would {}",
                d.what
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::{Arc, Mutex};

    use runbook_evidence::{Mode, RunStatus};
    use runbook_spec::ParseOptions;
    use tokio_util::sync::CancellationToken;

    use crate::options::{Confirmer, RunOptions};
    use crate::plan::Plan;
    use crate::step::Destruction;

    /// Refuses, and keeps what the operator was shown.
    struct Refuser(Arc<Mutex<Vec<String>>>);

    impl Confirmer for Refuser {
        fn confirm(&mut self, _target: &str, destructions: &[Destruction]) -> bool {
            let mut shown = self.0.lock().unwrap();
            shown.extend(destructions.iter().map(|d| d.what.clone()));
            false
        }
    }

    #[tokio::test]
    async fn the_terminal_prompt_quotes_statements_with_their_secrets_redacted() {
        let source = "version: 1\nname: consent-prompt\nvars:\n  app_password: placeholder\n\
            targets:\n  db:\n    postgres: { url: 'postgres://u@127.0.0.1:1/db' }\n    protected: true\n\
            steps:\n  - id: rotate\n    kind: sql\n    target: db\n    text: UPDATE app_user SET password = :'app_password';\n";
        let options = ParseOptions {
            vars: [("app_password".to_owned(), "hunter2-s3cret".to_owned())].into(),
            ..ParseOptions::default()
        };
        let runbook = runbook_spec::parse(source, Path::new("rb.yaml"), &options).unwrap();
        let evidence = tempfile::tempdir().unwrap();
        let shown = Arc::new(Mutex::new(Vec::new()));
        let mut run = RunOptions::new(Mode::Run, "rb.yaml");
        run.evidence_base = Some(evidence.path().to_path_buf());
        run.confirmer = Some(Box::new(Refuser(Arc::clone(&shown))));
        let plan = Plan::new(runbook);
        let report = crate::runner::execute(&plan, run, Vec::new(), CancellationToken::new())
            .await
            .unwrap();
        assert_eq!(report.status, RunStatus::Blocked);
        assert_eq!(
            *shown.lock().unwrap(),
            ["run UPDATE app_user SET password = '****' (rb.yaml:13:11)"]
        );
    }
}
