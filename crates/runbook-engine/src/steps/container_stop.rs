//! `container_stop`: stop a container, giving the database `grace` to shut down cleanly before
//! it is killed, like `docker stop -t`.
//!
//! A container that is already stopped is fine (the runbook wants it stopped, and it is); one
//! that does not exist is not, because a wrong name would otherwise pass unnoticed. Cached
//! connection details of targets in the container are forgotten afterwards. Check mode inspects.

use std::time::Instant;

use async_trait::async_trait;
use runbook_docker::StopOutcome;
use runbook_evidence::{StepOutcome, StepStatus};
use runbook_spec::ContainerStop;
use serde_json::json;

use crate::context::StepContext;
use crate::errors::StepError;
use crate::step::Step;
use crate::text::humantime;

pub(crate) struct ContainerStopStep(pub ContainerStop);

#[async_trait]
impl Step for ContainerStopStep {
    async fn run(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let container = cx.container_of(self.0.container.as_deref())?;
        let grace = self.0.grace.as_std();
        let docker = cx.docker().await?.clone();
        let started = Instant::now();
        let stopped = docker.stop_container(&container, grace).await;
        cx.container_changed(&container);
        let summary = match stopped? {
            StopOutcome::Stopped => {
                let state = docker.require_container(&container).await?.state;
                format!(
                    "stopped container {container} in {:.1}s (grace {}); it is now {state}",
                    started.elapsed().as_secs_f64(),
                    humantime(grace)
                )
            }
            StopOutcome::AlreadyStopped => {
                format!("container {container} was already stopped; nothing to do")
            }
        };
        cx.log(&summary);
        let mut outcome = StepOutcome::new(StepStatus::Passed, summary);
        outcome.details = json!({ "container": container, "grace": humantime(grace) });
        Ok(outcome)
    }

    async fn check(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let container = cx.container_of(self.0.container.as_deref())?;
        let info = cx.docker().await?.inspect_container(&container).await?;
        let provided = cx.provided_by(&container);
        let summary = match (info, provided) {
            // An existing container is described from the engine, never as the earlier step's.
            (None, Some(step)) => {
                format!("would stop container {container}, which step '{step}' would start")
            }
            (Some(_), Some(step)) => {
                format!("would stop container {container} (step '{step}' would start it first)")
            }
            (Some(info), None)
                if info.state.is_running()
                    || info.state == runbook_docker::ContainerState::Paused =>
            {
                format!(
                    "would stop container {container} (now {}, {})",
                    info.state,
                    crate::docker_identity::made_by(&info.labels, &cx.runbook().name, None)
                )
            }
            (Some(info), None) => format!(
                "container {container} is already stopped ({}); nothing to do",
                info.state
            ),
            (None, None) => {
                return Err(StepError::failed(format!(
                    "container {container} does not exist; there is nothing to stop"
                )));
            }
        };
        cx.log(&summary);
        cx.will_change_target();
        Ok(StepOutcome::new(StepStatus::Passed, summary))
    }
}
