//! `volume_remove`: drop a named volume and its data, like `docker volume rm`.
//!
//! The usual way to start a database from an empty data directory, and the one step that
//! destroys a database's files outright: on a protected target it needs consent. The targets are
//! the step's own and every one whose container mounts the volume, now (the engine's snapshot
//! taken before consent, so a `container_remove force` earlier in the runbook does not hide it)
//! or once a `container_start` of the runbook (image or Compose service) created it, so a
//! protected database cannot lose its files because a step forgot its `target`. A volume that is already gone is fine; one that a container still uses
//! is a failure that names the container. Check mode says whether the volume exists and who
//! uses it, counting containers that earlier steps remove.

use async_trait::async_trait;
use runbook_docker::DockerError;
use runbook_evidence::{StepOutcome, StepStatus};
use runbook_spec::{Runbook, StepKind, VolumeRemove};
use serde_json::json;

use crate::context::StepContext;
use crate::docker_identity::{DockerFacts, made_by, volume_created_by};
use crate::errors::StepError;
use crate::step::{Destruction, Step};

pub(crate) struct VolumeRemoveStep(pub VolumeRemove);

#[async_trait]
impl Step for VolumeRemoveStep {
    async fn run(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let name = &self.0.name;
        let docker = cx.docker().await?.clone();
        let users = docker.volume_users(name).await?;
        let ids: Vec<&str> = users.iter().map(|c| c.id.as_str()).collect();
        if let Some(target) = crate::docker_identity::unconsented_owner(cx, &docker, &ids).await? {
            return Err(StepError::Blocked(format!(
                "volume {name} is now mounted by the container of protected target '{target}', which this run has no consent for; nothing was removed. Pass --confirm {target}"
            )));
        }
        let (summary, existed) = match docker.remove_volume(name).await {
            Ok(()) => (format!("removed volume {name} and its data"), true),
            Err(DockerError::NoSuchVolume { .. }) => (
                format!("volume {name} does not exist; nothing to remove"),
                false,
            ),
            Err(DockerError::VolumeInUse { containers, .. }) => {
                return Err(in_use(name, &containers));
            }
            Err(error) => return Err(error.into()),
        };
        cx.log(&summary);
        let mut outcome = StepOutcome::new(StepStatus::Passed, summary);
        outcome.details = json!({ "volume": name, "existed": existed });
        Ok(outcome)
    }

    async fn check(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let name = &self.0.name;
        let docker = cx.docker().await?.clone();
        let summary = if let Some(labels) = docker.volume_labels(name).await? {
            cx.log(format!(
                "volume {name}: {}",
                made_by(&labels, &cx.runbook().name, None)
            ));
            let users = docker.containers_using_volume(name).await?;
            let removed_first = removed_earlier(cx, &users);
            let blocking: Vec<String> = users
                .iter()
                .filter(|c| !removed_first.contains(c))
                .cloned()
                .collect();
            if !blocking.is_empty() {
                return Err(in_use(name, &blocking));
            }
            match users.as_slice() {
                [] => {
                    format!("would remove volume {name} and its data (no container uses it)")
                }
                _ => format!(
                    "would remove volume {name} and its data (used by {}, which an earlier step removes)",
                    users.join(", ")
                ),
            }
        } else {
            match volume_created_by(cx.runbook(), name, &cx.step().id, cx.env()) {
                Some((step, true)) => {
                    format!("would remove volume {name} and its data (created by step '{step}')")
                }
                Some((step, false)) => format!(
                    "volume {name} does not exist now, but step '{step}' may create it (its Compose file cannot be read now), and then this step would remove it and its data"
                ),
                None => format!("volume {name} does not exist; nothing to remove"),
            }
        };
        cx.log(&summary);
        cx.will_change_target();
        Ok(StepOutcome::new(StepStatus::Passed, summary))
    }

    /// The step's own target and every target whose container mounts the volume: now (the
    /// engine's snapshot, whatever the container is called), or once a `container_start` of
    /// the runbook (image or Compose service) created it; every target with a container when
    /// the engine could not be asked.
    fn docker_destruction(
        &self,
        step: &runbook_spec::Step,
        runbook: &Runbook,
        facts: &DockerFacts,
    ) -> Option<Result<Vec<Destruction>, StepError>> {
        let name = &self.0.name;
        Some(Ok(facts.destructions(
            step,
            facts.targets_of_volume(runbook, name),
            &format!("remove volume {name} and the data in it"),
        )))
    }
}

fn in_use(name: &str, containers: &[String]) -> StepError {
    let who = match containers {
        [] => "a container".to_owned(),
        [one] => format!("container {one}"),
        many => format!("containers {}", many.join(", ")),
    };
    StepError::failed(format!(
        "volume {name} is in use by {who}; remove {} first (container_remove)",
        if containers.len() > 1 { "them" } else { "it" }
    ))
}

/// Check mode: which of `containers` a `container_remove` before this step removes.
fn removed_earlier(cx: &StepContext<'_>, containers: &[String]) -> Vec<String> {
    let runbook = cx.runbook();
    runbook
        .steps
        .iter()
        .take_while(|s| s.id != cx.step().id)
        .filter(|s| runbook.is_enabled(s))
        .filter_map(|s| match &s.kind {
            StepKind::ContainerRemove(remove) => remove.container.clone(),
            _ => None,
        })
        .filter(|c| containers.contains(c))
        .collect()
}
