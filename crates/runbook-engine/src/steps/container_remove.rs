//! `container_remove`: remove a container, like `docker rm [-f] [-v]`.
//!
//! A container that is already gone is fine: the runbook wants it gone. A running one is refused
//! unless `force` says to kill it. `volumes: true` also drops its anonymous volumes, and with
//! them the data of an image that declares its data directory a volume (the Postgres images do):
//! that is why it needs consent on a protected target: every protected target whose container
//! the reference reaches, judged by Docker ID from the snapshot taken before consent
//! (`docker_identity.rs`), since Docker resolves an ID prefix as readily as a name and the step's
//! own `target` need not be the container's. Named volumes always stay and are named in the log
//! (`volume_remove` drops them). Check mode reports what would be removed and who made the
//! container; only one that does not exist yet is credited to the step that would start it.

use async_trait::async_trait;
use runbook_docker::{ContainerInfo, MountKind, RemoveOptions};
use runbook_evidence::{StepOutcome, StepStatus};
use runbook_spec::{ContainerRemove, Runbook};
use serde_json::json;

use crate::context::StepContext;
use crate::docker_identity::{DockerFacts, made_by};
use crate::errors::StepError;
use crate::step::{Destruction, Step};
use crate::text::plural;

pub(crate) struct ContainerRemoveStep(pub ContainerRemove);

#[async_trait]
impl Step for ContainerRemoveStep {
    async fn run(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let container = cx.container_of(self.0.container.as_deref())?;
        let docker = cx.docker().await?.clone();
        let Some(info) = docker.inspect_container(&container).await? else {
            let summary = format!("container {container} does not exist; nothing to remove");
            cx.log(&summary);
            let mut outcome = StepOutcome::new(StepStatus::Passed, summary);
            outcome.details = json!({ "container": container, "existed": false });
            return Ok(outcome);
        };
        let (anonymous, named) = volumes_of(&info);
        cx.log(format!(
            "container {container} ({}), id {}, image {}, {}",
            info.state,
            short(&info.id),
            info.image,
            made_by(&info.labels, &cx.runbook().name, Some(cx.run_id()))
        ));
        if info.state.is_running() && !self.0.force {
            return Err(StepError::failed(format!(
                "container {container} is running; stop it first (container_stop) or set force: true to kill and remove it"
            )));
        }
        if self.0.volumes
            && let Some(target) =
                crate::docker_identity::unconsented_owner(cx, &docker, &[info.id.as_str()]).await?
        {
            return Err(StepError::Blocked(format!(
                "container {container} is now the container of protected target '{target}' (id {}), which this run has no consent for; nothing was removed. Pass --confirm {target}",
                short(&info.id)
            )));
        }
        let options = RemoveOptions {
            force: self.0.force,
            volumes: self.0.volumes,
        };
        let removed = docker.remove_container(&info.id, options).await;
        cx.container_changed(&container);
        match removed {
            Ok(()) => {}
            // Gone between the inspection and the removal: what the step wanted.
            Err(runbook_docker::DockerError::NoSuchContainer { .. }) => {}
            Err(error) => return Err(error.into()),
        }
        let mut summary = format!("removed container {container}");
        if info.state.is_running() {
            summary.push_str(" (it was running: killed first, force: true)");
        }
        if self.0.volumes && !anonymous.is_empty() {
            summary.push_str(&format!(
                " and its anonymous volume{} {}",
                plural(anonymous.len() as u64),
                anonymous.join(", ")
            ));
        }
        cx.log(&summary);
        if !self.0.volumes && !anonymous.is_empty() {
            cx.log(format!(
                "kept its anonymous volume{} {} (volumes: true removes them with the container)",
                plural(anonymous.len() as u64),
                anonymous.join(", ")
            ));
        }
        if !named.is_empty() {
            cx.log(format!(
                "named volume{} {} stay{} (volume_remove drops a named volume)",
                plural(named.len() as u64),
                named.join(", "),
                if named.len() == 1 { "s" } else { "" }
            ));
        }
        let mut outcome = StepOutcome::new(StepStatus::Passed, summary);
        outcome.details = json!({
            "container": container,
            "existed": true,
            "id": info.id,
            "image": info.image,
            "state": info.state.to_string(),
            "anonymous_volumes_removed": if self.0.volumes { anonymous.clone() } else { Vec::new() },
            "named_volumes_kept": named,
        });
        Ok(outcome)
    }

    async fn check(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let container = cx.container_of(self.0.container.as_deref())?;
        let info = cx.docker().await?.inspect_container(&container).await?;
        let provided = cx.provided_by(&container);
        let summary = match (info, provided) {
            // Only a container that does not exist yet is the earlier step's: an existing one
            // is described from the engine, with who made it.
            (None, Some(step)) => format!(
                "would remove container {container} (started by step '{step}'){}",
                if self.0.volumes {
                    " with its anonymous volumes"
                } else {
                    ""
                }
            ),
            (None, None) => format!("container {container} does not exist; nothing to remove"),
            (Some(info), provided) => {
                if info.state.is_running() && !self.0.force && provided.is_none() {
                    return Err(StepError::failed(format!(
                        "container {container} is running; stop it first (container_stop) or set force: true to kill and remove it"
                    )));
                }
                let (anonymous, named) = volumes_of(&info);
                let mut text = format!(
                    "would remove container {container} ({}, id {}, {})",
                    info.state,
                    short(&info.id),
                    made_by(&info.labels, &cx.runbook().name, None)
                );
                if self.0.volumes && !anonymous.is_empty() {
                    text.push_str(&format!(
                        " and its anonymous volume{} {}",
                        plural(anonymous.len() as u64),
                        anonymous.join(", ")
                    ));
                }
                if !named.is_empty() {
                    text.push_str(&format!(
                        "; named volume{} {} would stay",
                        plural(named.len() as u64),
                        named.join(", ")
                    ));
                }
                text
            }
        };
        cx.log(&summary);
        cx.will_change_target();
        Ok(StepOutcome::new(StepStatus::Passed, summary))
    }

    /// Every target whose container this step removes with its anonymous volumes: the step's
    /// own target and every target whose container the reference resolves to (by ID, so a
    /// prefix or another target's `container:` reaches the same one), or shares an anonymous
    /// volume with.
    fn docker_destruction(
        &self,
        step: &runbook_spec::Step,
        runbook: &Runbook,
        facts: &DockerFacts,
    ) -> Option<Result<Vec<Destruction>, StepError>> {
        if !self.0.volumes {
            return Some(Ok(Vec::new()));
        }
        let container = self.0.container.as_deref()?;
        Some(Ok(facts.destructions(
            step,
            facts.targets_of_container(runbook, container),
            &format!("remove container {container} with its anonymous volumes (its data)"),
        )))
    }
}

/// The container's anonymous and named volumes. Docker names an anonymous volume with 64 hex
/// digits; every other volume name was given by someone.
fn volumes_of(info: &ContainerInfo) -> (Vec<String>, Vec<String>) {
    let mut anonymous = Vec::new();
    let mut named = Vec::new();
    for mount in info.mounts.iter().filter(|m| m.kind == MountKind::Volume) {
        let Some(name) = &mount.name else { continue };
        if name.len() == 64 && name.chars().all(|c| c.is_ascii_hexdigit()) {
            anonymous.push(short(name));
        } else {
            named.push(name.clone());
        }
    }
    (anonymous, named)
}

fn short(id: &str) -> String {
    id.chars().take(12).collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use runbook_spec::{ParseOptions, StepKind};

    use super::*;
    use crate::steps::volume_remove::VolumeRemoveStep;

    const RUNBOOK: &str = r#"
version: 1
name: consent
targets:
  db: { container: box, protected: true }
  other: { container: spare }
steps:
  - { id: start, kind: container_start, target: db, image: "postgres:15", volumes: ["data:/var/lib/postgresql/data"] }
  - { id: rm, kind: container_remove, target: db }
  - { id: rm-data, kind: container_remove, container: box, volumes: true }
  - { id: rm-spare, kind: container_remove, container: spare, volumes: true }
  - { id: drop-data, kind: volume_remove, name: data }
  - { id: drop-other, kind: volume_remove, name: unrelated }
"#;

    fn destructions() -> Vec<(String, Option<Destruction>)> {
        let runbook =
            runbook_spec::parse(RUNBOOK, Path::new("consent.yaml"), &ParseOptions::default())
                .unwrap();
        runbook
            .steps
            .iter()
            .filter_map(|step| {
                let bound: Box<dyn Step> = match &step.kind {
                    StepKind::ContainerRemove(spec) => Box::new(ContainerRemoveStep(spec.clone())),
                    StepKind::VolumeRemove(spec) => Box::new(VolumeRemoveStep(spec.clone())),
                    _ => return None,
                };
                let found = bound
                    .docker_destruction(
                        step,
                        &runbook,
                        &DockerFacts::not_asked(&runbook, &crate::RunEnv::Process),
                    )
                    .unwrap_or_else(|| Ok(Vec::new()))
                    .unwrap();
                Some((step.id.clone(), found.into_iter().next()))
            })
            .collect()
    }

    #[test]
    fn data_loss_is_known_up_front_and_tied_to_the_target_that_holds_it() {
        let found = destructions();
        let of = |id: &str| found.iter().find(|(i, _)| i == id).unwrap().1.clone();
        // Removing a container alone keeps its volumes: no data is lost.
        assert_eq!(of("rm"), None);
        assert_eq!(
            of("rm-data"),
            Some(Destruction {
                target: "db".into(),
                what: "remove container box with its anonymous volumes (its data)".into()
            })
        );
        // The runner asks only for protected targets; the step still says what it destroys.
        assert_eq!(of("rm-spare").unwrap().target, "other");
        // A volume_remove without a target belongs to the target whose container mounts it.
        assert_eq!(
            of("drop-data"),
            Some(Destruction {
                target: "db".into(),
                what: "remove volume data and the data in it".into()
            })
        );
        assert_eq!(of("drop-other"), None);
    }

    #[test]
    fn anonymous_volumes_are_told_from_named_ones() {
        let mount = |name: &str| runbook_docker::MountInfo {
            kind: MountKind::Volume,
            name: Some(name.into()),
            source: String::new(),
            destination: "/data".into(),
            read_only: false,
        };
        let info = ContainerInfo {
            id: "abc".into(),
            name: "box".into(),
            image: "postgres:15".into(),
            image_id: String::new(),
            state: runbook_docker::ContainerState::Running,
            health: None,
            started_at: None,
            labels: Default::default(),
            ports: Vec::new(),
            mounts: vec![
                mount("8b968d3c3263c1c730322d76f07460ade002e184f96fabf5b18fee3c0371438b"),
                mount("opendolphin-pgdata"),
            ],
            command: Vec::new(),
        };
        assert_eq!(
            volumes_of(&info),
            (
                vec!["8b968d3c3263".to_owned()],
                vec!["opendolphin-pgdata".to_owned()]
            )
        );
    }
}
