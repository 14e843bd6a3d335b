//! `container_exec`: run a command inside a running container, like `docker exec`.
//!
//! Arguments are expanded (`${targets.NAME.url}`) and passed as an argument vector, never
//! through a shell. Both streams go into `output.log` line by line as the engine delivers them,
//! capped like `shell`'s (lines at 1 MiB, the log at `max_output_bytes`), stderr lines marked; the exit code
//! decides the status against `allow_exit_codes`; a failure's record (`error.detail`) carries
//! the last 20 lines of stderr, as `shell`'s does. A password that a referenced URL needs, in an
//! argument or in `env`, goes to the command in `PGPASSWORD`, never into its arguments. Docker
//! cannot kill an exec'd process by itself, so the command runs under a small `sh` wrapper (the
//! container needs `sh`) that lets a timeout or Ctrl-C stop it inside the container: a `psql`
//! must not go on changing a database after the operator gave up. In check mode the container
//! is inspected and the command described, not run.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use runbook_docker::{ExecEnd, ExecSpec, OutputStream};
use runbook_evidence::{ErrorRecord, StepOutcome, StepStatus};
use runbook_spec::ContainerExec;
use serde_json::json;

use crate::context::StepContext;
use crate::docker_identity::DockerFacts;
use crate::errors::StepError;
use crate::output::CommandOutput;
use crate::step::{Destruction, Step};

/// How long a cancelled command gets between SIGTERM and SIGKILL: well inside the runner's
/// own grace period, so the step's evidence is sealed with the command's end in it.
const STOP_GRACE: Duration = Duration::from_secs(5);

pub(crate) struct ContainerExecStep(pub ContainerExec);

#[async_trait]
impl Step for ContainerExecStep {
    async fn run(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let container = cx.container_of(self.0.container.as_deref())?;
        let spec = self.exec_spec(cx).await?;
        let mut password = None;
        for arg in self.0.command.iter().chain(self.0.env.values()) {
            if let Some(p) = cx.referenced_password(arg).await? {
                password = Some(p);
            }
        }
        let shown = format!(
            "docker exec {}{container} {}",
            self.options_shown(),
            spec.display_command()
        );
        cx.log(format!("$ {shown}"));
        let mut spec = spec;
        if let Some(password) = password {
            spec = spec.env("PGPASSWORD", password);
        }
        // The run's name for sessions, so a later run's lock sees a `psql` left running.
        if !self.0.env.contains_key("PGAPPNAME") {
            spec = spec.env("PGAPPNAME", cx.application_name());
        }
        let docker = cx.docker().await?.clone();
        let output = cx.output();
        let cancel = cx.cancellation();
        let started = Instant::now();
        // Lines are assembled here, under the line cap and the step's output budget: the
        // engine's frames are small, a line across them is not.
        let captured = CommandOutput::new(output, self.0.max_output_bytes);
        let mut out = captured.stream("stdout");
        let mut err = captured.stream("stderr");
        let result = {
            let mut on_output = |stream: OutputStream, chunk: &[u8]| match stream {
                OutputStream::Stdout => out.push(chunk),
                OutputStream::Stderr => err.push(chunk),
            };
            docker
                .exec_cancellable(
                    &container,
                    &spec,
                    &mut on_output,
                    cancel.cancelled(),
                    STOP_GRACE,
                )
                .await
        };
        let out_lines = out.finish();
        let err_lines = err.finish();
        let counts = captured.finish();
        let code = match result? {
            ExecEnd::Exited(code) => code,
            ExecEnd::Cancelled { exit_code } => {
                cx.log(format!(
                    "stopped the command in container {container} because the step was cancelled (SIGTERM, then SIGKILL after {}s){}",
                    STOP_GRACE.as_secs(),
                    exit_code.map(|c| format!("; it ended with exit code {c}")).unwrap_or_default()
                ));
                return Err(StepError::Interrupted);
            }
        };
        let elapsed = started.elapsed();
        cx.log(format!(
            "exit code {code} after {:.1}s",
            elapsed.as_secs_f64()
        ));
        let details = json!({
            "container": container,
            "command": spec.cmd,
            "user": self.0.user,
            "workdir": self.0.workdir,
            "exit_code": code,
            "stdout_lines": out_lines,
            "stderr_lines": err_lines,
            "output_bytes_kept": counts.kept,
            "output_bytes_not_kept": counts.not_kept,
            "output_lines_cut": counts.cut_lines,
            "duration_ms": u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
        });
        let program = spec.cmd.first().cloned().unwrap_or_default();
        if self.0.allow_exit_codes.contains(&code) {
            let mut outcome = StepOutcome::new(
                StepStatus::Passed,
                format!("{program} in {container} exited {code}"),
            );
            outcome.details = details;
            return Ok(outcome);
        }
        let allowed = self
            .0
            .allow_exit_codes
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let why = match code {
            126 => " (the program could not be executed)",
            127 => " (the program was not found in the container)",
            _ => "",
        };
        let mut record = ErrorRecord::new(format!(
            "{program} in container {container} exited with code {code}{why} (allowed: {allowed}); its output is in output.log"
        ));
        record.context = Some(format!("command: {shown}"));
        record.detail = captured.stderr_detail(err_lines);
        let mut outcome =
            StepOutcome::new(StepStatus::Failed, format!("failed: {}", record.message));
        outcome.error = Some(record);
        outcome.details = details;
        Ok(outcome)
    }

    async fn check(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let container = cx.container_of(self.0.container.as_deref())?;
        let info = cx.docker().await?.inspect_container(&container).await?;
        let ready = match &info {
            Some(info) if info.state.is_running() => None,
            _ => match cx.provided_by(&container) {
                Some(step) => Some(format!(
                    "container {container} is started by step '{step}' first"
                )),
                None => {
                    return Err(StepError::failed(match info {
                        None => format!(
                            "container {container} does not exist; the command cannot run in it"
                        ),
                        Some(info) => format!(
                            "container {container} is {}, not running; the command cannot run in it",
                            info.state
                        ),
                    }));
                }
            },
        };
        // A URL of a target whose container is not up yet cannot be resolved now: show the
        // command as written then.
        let command = match self.exec_spec(cx).await {
            Ok(spec) => spec.display_command(),
            Err(StepError::Deferred(_)) if ready.is_some() => {
                ExecSpec::new(self.0.command.clone()).display_command()
            }
            Err(error) => return Err(error),
        };
        let would = format!(
            "would run in container {container}: {}{command}",
            self.options_shown()
        );
        cx.log(&would);
        if !self.0.env.is_empty() {
            cx.log(format!(
                "environment: {}",
                self.0.env.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        if let Some(note) = &ready {
            cx.log(note);
        }
        Ok(StepOutcome::new(StepStatus::Passed, would))
    }

    /// Inside a protected target's container nothing is provably harmless.
    fn docker_destruction(
        &self,
        step: &runbook_spec::Step,
        runbook: &runbook_spec::Runbook,
        facts: &DockerFacts,
    ) -> Option<Result<Vec<Destruction>, StepError>> {
        facts.acting_in(step, runbook, self.0.container.as_deref(), |c| {
            format!(
                "run {} in container {c}, whose effects cannot be analysed",
                self.0.command.first().map_or("a command", String::as_str)
            )
        })
    }
}

impl ContainerExecStep {
    async fn exec_spec(&self, cx: &mut StepContext<'_>) -> Result<ExecSpec, StepError> {
        let mut argv = Vec::with_capacity(self.0.command.len());
        for arg in &self.0.command {
            argv.push(cx.expand(arg).await?);
        }
        if argv.first().is_none_or(String::is_empty) {
            return Err(StepError::failed(
                "empty command: expected a program name first",
            ));
        }
        let mut spec = ExecSpec::new(argv);
        spec.user = self.0.user.clone();
        spec.workdir = self.0.workdir.clone();
        for (key, value) in &self.0.env {
            spec.env.insert(key.clone(), cx.expand(value).await?);
        }
        Ok(spec)
    }

    /// `-u USER -w DIR -e NAME ` as `docker exec` takes them (environment values not shown).
    fn options_shown(&self) -> String {
        let mut shown = String::new();
        if let Some(user) = &self.0.user {
            shown.push_str(&format!("-u {user} "));
        }
        if let Some(dir) = &self.0.workdir {
            shown.push_str(&format!("-w {dir} "));
        }
        for key in self.0.env.keys() {
            shown.push_str(&format!("-e {key} "));
        }
        shown
    }
}
