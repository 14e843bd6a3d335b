//! What a running step can see and use: its place in the run, the live systems, its output.

use std::collections::BTreeMap;

use runbook_docker::DockerClient;
use runbook_evidence::Mode;
use runbook_postgres::Session;
use runbook_spec::{Runbook, RuntimeRef, Step};
use tokio_util::sync::CancellationToken;

use crate::errors::StepError;
use crate::output::StepOutput;
use crate::resources::{Provisional, Resources};
use crate::run_values::RunValues;

/// Handed to [`Step::run`](crate::Step::run) and [`Step::check`](crate::Step::check).
pub struct StepContext<'a> {
    pub(crate) mode: Mode,
    pub(crate) step: &'a Step,
    pub(crate) runbook: &'a Runbook,
    pub(crate) resources: &'a mut Resources,
    pub(crate) output: StepOutput,
    pub(crate) cancel: CancellationToken,
    /// `${run.*}` and the outputs of the steps that finished before this one.
    pub(crate) values: &'a RunValues,
}

impl std::fmt::Debug for StepContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StepContext")
            .field("mode", &self.mode)
            .field("step", &self.step.id)
            .finish_non_exhaustive()
    }
}

impl StepContext<'_> {
    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn is_check(&self) -> bool {
        self.mode == Mode::Check
    }

    pub fn step(&self) -> &Step {
        self.step
    }

    pub fn runbook(&self) -> &Runbook {
        self.runbook
    }

    /// A handle on the step's evidence log and the listeners; cheap to clone.
    pub fn output(&self) -> StepOutput {
        self.output.clone()
    }

    pub fn log(&self, text: impl AsRef<str>) {
        self.output.log(text);
    }

    /// Cancelled on Ctrl-C and when the step's timeout expires.
    pub fn cancellation(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// The step's `target`, which the runbook's validation guarantees for kinds that need one.
    pub fn target_name(&self) -> Result<&str, StepError> {
        self.step
            .target
            .as_deref()
            .ok_or_else(|| StepError::failed(format!("step '{}' names no target", self.step.id)))
    }

    /// A session on the step's target (read-only transaction in check mode).
    pub async fn session(&mut self) -> Result<&Session, StepError> {
        let name = self.target_name()?.to_owned();
        self.resources.session(&name).await
    }

    /// A new session on the step's target for one script load (closed when dropped), so that
    /// what the script sets does not outlive it, as with `psql -f`.
    pub async fn script_session(&mut self) -> Result<Session, StepError> {
        let name = self.target_name()?.to_owned();
        self.resources.script_session(&name).await
    }

    /// Whether the operator consented to destroying data of the protected target `target`.
    pub(crate) fn confirmed(&self, target: &str) -> bool {
        self.resources.confirmed.contains(target)
    }

    /// The ID the protected target's container had before the first step, when it existed.
    pub(crate) fn protected_id(&self, target: &str) -> Option<&str> {
        self.resources.protected_ids.get(target).map(String::as_str)
    }

    /// The run's id, as the run lock and the `io.runbook.run` label carry it.
    pub(crate) fn run_id(&self) -> &str {
        self.resources.run_id()
    }

    pub async fn docker(&mut self) -> Result<&DockerClient, StepError> {
        self.resources.docker().await
    }

    /// The container a Docker step acts on: its own `container`, else its target's.
    pub fn container_of(&self, own: Option<&str>) -> Result<String, StepError> {
        if let Some(name) = own {
            return Ok(name.to_owned());
        }
        self.step
            .target
            .as_ref()
            .and_then(|t| self.runbook.targets.get(t))
            .and_then(|t| t.container.clone())
            .ok_or_else(|| {
                StepError::failed(format!(
                    "step '{}' names no container and its target has none",
                    self.step.id
                ))
            })
    }

    /// Check mode: remember that this step would bring `container` up, so later steps that
    /// cannot reach it now are reported as depending on this step rather than as failing.
    pub(crate) fn will_provide_container(&mut self, container: &str) {
        self.resources.provisional_containers.insert(
            container.to_owned(),
            Provisional {
                step: self.step.id.clone(),
            },
        );
    }

    /// Check mode: the step that an earlier `will_provide_container` named for `container`.
    pub(crate) fn provided_by(&self, container: &str) -> Option<String> {
        self.resources
            .provisional_containers
            .get(container)
            .map(|p| p.step.clone())
    }

    /// Check mode: this step would change its target, so gates after it are predictions.
    pub(crate) fn will_change_target(&mut self) {
        if let Some(target) = &self.step.target {
            self.resources.changed_targets.insert(target.clone());
        }
    }

    /// Whether an earlier step (in check mode) would change the target.
    pub(crate) fn target_changed_earlier(&self) -> Option<&str> {
        let target = self.step.target.as_deref()?;
        self.resources
            .changed_targets
            .contains(target)
            .then_some(target)
    }

    /// A container's cached connection details are stale after it was stopped or re-created.
    pub(crate) fn container_changed(&mut self, container: &str) {
        self.resources.forget_container(container);
    }

    /// Expands the run-time references of a parsed string: `${targets.NAME.url}` (ephemeral
    /// targets and container ports are only known while the run goes; URLs never carry the
    /// password), `${run.*}` and `${steps.ID.outputs.NAME}`. An output the step did not produce
    /// in this run (it was skipped, or failed under `continue_on_error`) is an error of this
    /// step; in check mode, where earlier steps only say what they would do, it reads
    /// `<output of step ID>`.
    pub async fn expand(&mut self, text: &str) -> Result<String, StepError> {
        let mut values = BTreeMap::new();
        for (target, field) in runbook_spec::target_refs(text) {
            if field == "url" && !values.contains_key(&target) {
                let url = self.resources.target_url(&target).await?;
                values.insert(target, url);
            }
        }
        let check = self.is_check();
        let run_values = self.values;
        let mut missing = None;
        let expanded = runbook_spec::expand_runtime_refs(text, &mut |reference| match reference {
            RuntimeRef::Target { name, field } => (field == "url")
                .then(|| values.get(name).cloned())
                .flatten(),
            RuntimeRef::Run { field } => run_values.run_field(field).map(str::to_owned),
            RuntimeRef::Output { step, name } => match run_values.output(step, name) {
                Some(output) => Some(output.value.clone()),
                None if check => Some(format!("<output of step {step}>")),
                None => {
                    missing.get_or_insert_with(|| (step.to_owned(), name.to_owned()));
                    None
                }
            },
        });
        if let Some((step, name)) = missing {
            return Err(StepError::failed(format!(
                "${{steps.{step}.outputs.{name}}} has no value: step '{step}' did not produce it in this run (it was skipped, failed, or came before --from)"
            )));
        }
        Ok(expanded)
    }

    /// Check mode: the earlier step whose output `text` uses, or whose `produces` names the
    /// path `text` (as written, after parse-time interpolation), so a file that does not exist
    /// yet is reported as provided by that step rather than missing.
    pub(crate) fn producer_of(&self, text: &str) -> Option<String> {
        crate::run_values::producer_before(self.runbook, &self.step.id, text)
    }

    /// The environment the run reads (the process's unless the run was given one): steps
    /// read variables through it, never from the process directly.
    pub(crate) fn env(&self) -> &crate::options::RunEnv {
        self.resources.env()
    }

    /// For `PGAPPNAME` of child processes: the run's `application_name`, so that the run lock
    /// of a later run sees what they left running (see `lock.rs`).
    pub fn application_name(&self) -> String {
        self.resources.application_name()
    }

    /// Passwords of the targets a text references, for `PGPASSWORD` of child processes.
    pub async fn referenced_password(&mut self, text: &str) -> Result<Option<String>, StepError> {
        for (target, _) in runbook_spec::target_refs(text) {
            if let Some(password) = self.resources.target_password(&target).await? {
                return Ok(Some(password));
            }
        }
        Ok(None)
    }
}
