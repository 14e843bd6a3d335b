//! Docker objects by identity, for consent and for check mode's descriptions.
//!
//! Consent used to compare the names written in the runbook as strings, and Docker does not:
//! it resolves a reference to a container by full ID, then by name, then by ID prefix, and a
//! volume is destroyed with whichever container mounts it. So `container_remove volumes: true`
//! of `838d8` (a prefix of the protected target's container) or of a step whose `target` is
//! unprotected, and `volume_remove` of the volume the protected container mounts, all ran
//! without consent. Here every container and volume a destructive Docker step names is
//! resolved once, before consent (which is synchronous and has no client), into a snapshot:
//! containers to their IDs and mounts, volumes to the containers that mount them, and the
//! containers and volumes the runbook's own `container_start` steps would create.
//!
//! Fail closed: when the engine cannot be asked, a volume cannot be proven not to belong to a
//! protected target's container, and a reference that could be an ID prefix cannot be proven
//! not to be one; objects that do not exist yet (an earlier step creates them) are compared by
//! name.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use runbook_docker::{ContainerInfo, DockerClient, MountKind};
use runbook_spec::{Runbook, StepKind};

use crate::options::RunEnv;
use crate::steps::container_start::{RUNBOOK_LABEL, STEP_LABEL};

/// How long the pre-pass waits for the engine before it treats it as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the pre-pass's inspections may take in all before the engine counts as unreachable.
const INSPECT_TIMEOUT: Duration = Duration::from_secs(30);

/// A container as the engine knows it, reduced to what identity needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LiveContainer {
    pub id: String,
    pub name: String,
    /// Names of the volumes (named and anonymous) it mounts.
    pub volumes: Vec<String>,
}

impl LiveContainer {
    fn from_info(info: &ContainerInfo) -> Self {
        LiveContainer {
            id: info.id.clone(),
            name: info.name.trim_start_matches('/').to_owned(),
            volumes: info
                .mounts
                .iter()
                .filter(|m| m.kind == MountKind::Volume)
                .filter_map(|m| m.name.clone())
                .collect(),
        }
    }
}

/// Whether the engine answered the pre-pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Engine {
    /// Nothing needed it (no protected target, or no destructive Docker step).
    NotAsked,
    /// It could not be reached: nothing can be resolved, so nothing is proven harmless.
    Unreachable(String),
    Reached,
}

/// What a `container_start` of the runbook would create.
#[derive(Debug, Clone)]
struct Planned {
    container: Option<String>,
    /// `None`: unknown (a Compose file that cannot be read now): it may mount any volume.
    volumes: Option<Vec<String>>,
}

/// The snapshot handed to consent: taken once before the first step, by the runner.
#[derive(Debug, Clone)]
pub struct DockerFacts {
    pub(crate) engine: Engine,
    /// Every container reference resolved: `None` when no container answers to it.
    containers: BTreeMap<String, Option<LiveContainer>>,
    /// Every volume named by a `volume_remove`: the containers (ID, name) that mount it.
    volume_users: BTreeMap<String, Vec<(String, String)>>,
    planned: Vec<Planned>,
    /// The run's environment, which Compose files are read with.
    env: RunEnv,
}

impl DockerFacts {
    /// A snapshot of nothing: for runbooks that cannot damage a protected target. `env` is
    /// what the runbook's Compose files are read with (the run's environment).
    pub(crate) fn not_asked(runbook: &Runbook, env: &RunEnv) -> Self {
        DockerFacts {
            engine: Engine::NotAsked,
            containers: BTreeMap::new(),
            volume_users: BTreeMap::new(),
            planned: planned(runbook, env),
            env: env.clone(),
        }
    }

    /// Resolves what the runbook's destructive Docker steps and its targets name. Asks the
    /// engine only when a protected target exists and a step could destroy Docker data.
    /// `env` is the run's environment (`DOCKER_HOST`, what Compose files interpolate).
    pub(crate) async fn gather(runbook: &Runbook, env: &RunEnv) -> Self {
        let protected = runbook.targets.values().any(|t| t.protected);
        if !protected {
            // Consent asks nothing of a runbook without a protected target: no Compose file
            // needs reading for it.
            return DockerFacts {
                engine: Engine::NotAsked,
                containers: BTreeMap::new(),
                volume_users: BTreeMap::new(),
                planned: Vec::new(),
                env: env.clone(),
            };
        }
        let mut facts = Self::not_asked(runbook, env);
        let mut container_refs: BTreeSet<String> = runbook
            .targets
            .values()
            .filter_map(|t| t.container.clone())
            .collect();
        let mut volumes = BTreeSet::new();
        for step in runbook.all_steps() {
            match &step.kind {
                StepKind::ContainerRemove(remove) => {
                    container_refs.extend(remove.container.clone());
                }
                StepKind::VolumeRemove(remove) => {
                    volumes.insert(remove.name.clone());
                }
                StepKind::ContainerExec(exec) => container_refs.extend(exec.container.clone()),
                StepKind::CopyToContainer(copy) => container_refs.extend(copy.container.clone()),
                StepKind::ContainerStart(start) => {
                    let planned = planned_by(start, env);
                    container_refs.extend(planned.container);
                    volumes.extend(planned.volumes.unwrap_or_default());
                }
                _ => {}
            }
        }
        let destructive = runbook.all_steps().any(|s| match &s.kind {
            StepKind::ContainerRemove(r) => r.volumes,
            // Acting inside a container (`acting_in`) is judged by the container's identity too.
            StepKind::VolumeRemove(_)
            | StepKind::ContainerExec(_)
            | StepKind::CopyToContainer(_) => true,
            StepKind::ContainerStart(start) => {
                start.compose.is_some() || start.volumes.iter().any(|v| v.is_named_volume())
            }
            _ => false,
        });
        if !protected || !destructive {
            return facts;
        }
        let docker = match tokio::time::timeout(
            CONNECT_TIMEOUT,
            DockerClient::connect_from_env(&|key| env.var(key)),
        )
        .await
        {
            Ok(Ok(client)) => client,
            Ok(Err(error)) => {
                facts.engine = Engine::Unreachable(error.to_string());
                return facts;
            }
            Err(_) => {
                facts.engine =
                    Engine::Unreachable(format!("no answer within {}s", CONNECT_TIMEOUT.as_secs()));
                return facts;
            }
        };
        // The engine may accept the connection and then stall: consent must not wait forever.
        facts.engine = match tokio::time::timeout(
            INSPECT_TIMEOUT,
            facts.inspect(&docker, container_refs, volumes),
        )
        .await
        {
            Ok(Ok(())) => Engine::Reached,
            Ok(Err(error)) => Engine::Unreachable(error.to_string()),
            Err(_) => {
                Engine::Unreachable(format!("no answer within {}s", INSPECT_TIMEOUT.as_secs()))
            }
        };
        facts
    }

    async fn inspect(
        &mut self,
        docker: &DockerClient,
        container_refs: BTreeSet<String>,
        volumes: BTreeSet<String>,
    ) -> Result<(), runbook_docker::DockerError> {
        for reference in container_refs {
            let live = match docker.inspect_container(&reference).await {
                Ok(found) => found.map(|info| LiveContainer::from_info(&info)),
                // A name Docker's grammar refuses is resolved by nobody; the step fails on it.
                Err(runbook_docker::DockerError::Spec(_)) => None,
                Err(error) => return Err(error),
            };
            self.containers.insert(reference, live);
        }
        for volume in volumes {
            match docker.volume_users(&volume).await {
                Ok(users) => {
                    let users = users.into_iter().map(|c| (c.id, c.name)).collect();
                    self.volume_users.insert(volume, users);
                }
                Err(runbook_docker::DockerError::Spec(_)) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    /// Why identity could not be established, for the consent message: said when the
    /// destruction was assumed rather than found.
    pub(crate) fn unknown_because(&self) -> Option<String> {
        match &self.engine {
            Engine::Unreachable(why) => Some(format!(
                "the Docker Engine could not be asked what it belongs to: {why}"
            )),
            _ => None,
        }
    }

    /// The destructions of a Docker step: its own target and `reached` (targets found by
    /// identity), each told `what` the step destroys, with why identity is unknown if it is.
    pub(crate) fn destructions(
        &self,
        step: &runbook_spec::Step,
        reached: Vec<String>,
        what: &str,
    ) -> Vec<crate::step::Destruction> {
        let mut targets: Vec<String> = step.target.iter().cloned().collect();
        for target in reached {
            if !targets.contains(&target) {
                targets.push(target);
            }
        }
        let what = match self.unknown_because() {
            Some(why) => format!("{what} ({why})"),
            None => what.to_owned(),
        };
        targets
            .into_iter()
            .map(|target| crate::step::Destruction {
                target,
                what: what.clone(),
            })
            .collect()
    }

    /// A step that acts inside a container (`container_exec`, `copy_to_container`): its effects
    /// cannot be analysed (a command may run `psql -c 'DROP ...'`, a copy may overwrite the
    /// data directory), so every protected target the container belongs to, by identity, must
    /// consent. `own` is the step's `container:`; else its target's container.
    pub(crate) fn acting_in(
        &self,
        step: &runbook_spec::Step,
        runbook: &Runbook,
        own: Option<&str>,
        what: impl Fn(&str) -> String,
    ) -> Option<Result<Vec<crate::step::Destruction>, crate::errors::StepError>> {
        let container = own.map(str::to_owned).or_else(|| {
            step.target
                .as_ref()
                .and_then(|t| runbook.targets.get(t))
                .and_then(|t| t.container.clone())
        })?;
        Some(Ok(self.destructions(
            step,
            self.targets_of_container(runbook, &container),
            &what(&container),
        )))
    }

    fn live(&self, reference: &str) -> Option<&LiveContainer> {
        self.containers.get(reference).and_then(Option::as_ref)
    }

    /// Targets whose container is (or shares anonymous data with) the container `reference`
    /// names: the ones a `container_remove volumes: true` of it destroys.
    pub(crate) fn targets_of_container(&self, runbook: &Runbook, reference: &str) -> Vec<String> {
        let found = self.live(reference);
        runbook
            .targets
            .iter()
            .filter(|(_, t)| {
                let Some(own) = t.container.as_deref() else {
                    return false;
                };
                if own == reference {
                    return true;
                }
                match (found, self.live(own)) {
                    (Some(a), Some(b)) => {
                        a.id == b.id
                            || a.volumes
                                .iter()
                                .any(|v| is_anonymous(v) && b.volumes.contains(v))
                    }
                    (Some(a), None) => a.name == own,
                    // Unresolved (no such container now, or no engine to ask): Docker resolves
                    // a reference by full ID, then by name, then by ID prefix, so a hex one
                    // could be a prefix of the target's container when the step runs, unless
                    // the runbook creates a container of that name first.
                    (None, _) => {
                        runbook_docker::looks_like_id(reference)
                            && !self
                                .planned
                                .iter()
                                .any(|p| p.container.as_deref() == Some(reference))
                    }
                }
            })
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// Targets whose container mounts the volume `volume`, now or once the runbook created it.
    pub(crate) fn targets_of_volume(&self, runbook: &Runbook, volume: &str) -> Vec<String> {
        let users = self.volume_users.get(volume);
        runbook
            .targets
            .iter()
            .filter(|(_, t)| {
                let Some(own) = t.container.as_deref() else {
                    return false;
                };
                let live = self.live(own);
                let mounts_now = live.is_some_and(|c| c.volumes.iter().any(|v| v == volume));
                let listed = users.is_some_and(|users| {
                    users
                        .iter()
                        .any(|(id, name)| name == own || live.is_some_and(|c| &c.id == id))
                });
                let planned = self.planned.iter().any(|p| {
                    p.container.as_deref().is_none_or(|c| c == own)
                        && p.volumes
                            .as_ref()
                            .is_none_or(|v| v.iter().any(|v| v == volume))
                });
                let unknowable = matches!(self.engine, Engine::Unreachable(_));
                mounts_now || listed || planned || unknowable
            })
            .map(|(name, _)| name.clone())
            .collect()
    }
}

impl DockerFacts {
    /// The IDs of protected targets' containers in the snapshot, by target.
    pub(crate) fn protected_ids(&self, runbook: &Runbook) -> BTreeMap<String, String> {
        runbook
            .targets
            .iter()
            .filter(|(_, t)| t.protected)
            .filter_map(|(name, t)| {
                let live = self.live(t.container.as_deref()?)?;
                Some((name.clone(), live.id.clone()))
            })
            .collect()
    }

    /// Targets whose container the container `reference` is (same name, or same ID now).
    pub(crate) fn is_targets_container(
        &self,
        runbook: &Runbook,
        target: &str,
        reference: &str,
    ) -> bool {
        let Some(own) = runbook
            .targets
            .get(target)
            .and_then(|t| t.container.as_deref())
        else {
            return false;
        };
        own == reference
            || matches!((self.live(own), self.live(reference)), (Some(a), Some(b)) if a.id == b.id)
    }

    /// The named volumes a `container_start` mounts, when they can be known now.
    pub(crate) fn volumes_started_with(
        &self,
        start: &runbook_spec::ContainerStart,
    ) -> (Option<String>, Vec<String>) {
        let planned = planned_by(start, &self.env);
        (planned.container, planned.volumes.unwrap_or_default())
    }
}

/// Run mode, right before a Docker step destroys: the protected target, without the operator's
/// consent, whose container is one of `ids` (container IDs as the engine has them now). Consent
/// was gathered from a snapshot before the first step; an earlier step (a shell renaming or
/// re-creating containers) can change what a name reaches since, so the step looks again.
pub(crate) async fn unconsented_owner(
    cx: &crate::context::StepContext<'_>,
    docker: &DockerClient,
    ids: &[&str],
) -> Result<Option<String>, crate::errors::StepError> {
    for (name, target) in cx.runbook().targets.iter().filter(|(_, t)| t.protected) {
        let Some(container) = target.container.as_deref() else {
            continue;
        };
        if cx.confirmed(name) {
            continue;
        }
        // Its ID before the first step (it may have been renamed since) and now.
        if cx.protected_id(name).is_some_and(|id| ids.contains(&id)) {
            return Ok(Some(name.clone()));
        }
        if let Some(info) = docker.inspect_container(container).await?
            && ids.contains(&info.id.as_str())
        {
            return Ok(Some(name.clone()));
        }
    }
    Ok(None)
}

/// Docker names an anonymous volume with 64 hex digits; every other name was given by someone.
pub(crate) fn is_anonymous(name: &str) -> bool {
    name.len() == 64 && name.chars().all(|c| c.is_ascii_hexdigit())
}

/// The containers and named volumes the runbook's `container_start` steps would create.
fn planned(runbook: &Runbook, env: &RunEnv) -> Vec<Planned> {
    runbook
        .all_steps()
        .filter_map(|s| match &s.kind {
            StepKind::ContainerStart(start) => Some(planned_by(start, env)),
            _ => None,
        })
        .collect()
}

/// Check mode: the first `container_start` before `this_step` that would create the named
/// volume `volume`, and whether that is certain (`false`: its Compose file cannot be read
/// now, so it may). `env` is the run's, for the Compose files.
pub(crate) fn volume_created_by(
    runbook: &Runbook,
    volume: &str,
    this_step: &str,
    env: &RunEnv,
) -> Option<(String, bool)> {
    runbook
        .steps
        .iter()
        .take_while(|s| s.id != this_step)
        .filter(|s| runbook.is_enabled(s))
        .find_map(|s| match &s.kind {
            StepKind::ContainerStart(start) => match planned_by(start, env).volumes {
                Some(v) if v.iter().any(|v| v == volume) => Some((s.id.clone(), true)),
                Some(_) => None,
                None => Some((s.id.clone(), false)),
            },
            _ => None,
        })
}

fn planned_by(start: &runbook_spec::ContainerStart, env: &RunEnv) -> Planned {
    match &start.compose {
        Some(compose) => {
            let env = |key: &str| env.var(key);
            match runbook_docker::compose::load_service(&compose.file, &compose.service, &env) {
                Ok(spec) => Planned {
                    container: Some(start.name.clone().unwrap_or(spec.name.clone())),
                    volumes: Some(
                        spec.volumes
                            .iter()
                            .filter_map(|v| match &v.source {
                                runbook_docker::VolumeSource::Named(n) => Some(n.clone()),
                                _ => None,
                            })
                            .collect(),
                    ),
                },
                Err(_) => Planned {
                    container: start.name.clone(),
                    volumes: None,
                },
            }
        }
        None => Planned {
            container: start.name.clone(),
            volumes: Some(
                start
                    .volumes
                    .iter()
                    .filter(|v| v.is_named_volume())
                    .map(|v| v.source.clone())
                    .collect(),
            ),
        },
    }
}

/// Who made a container or volume, from its labels, as check mode and the log say it.
pub(crate) fn made_by(
    labels: &BTreeMap<String, String>,
    runbook: &str,
    run: Option<&str>,
) -> String {
    let label_run = labels.get(RUN_LABEL).map(String::as_str);
    match (labels.get(RUNBOOK_LABEL), labels.get(STEP_LABEL)) {
        (Some(rb), step) if rb == runbook => {
            let step = step.map(|s| format!(", step '{s}'")).unwrap_or_default();
            if run.is_some() && label_run == run {
                format!("created by this run{step}")
            } else {
                format!("created by an earlier run of this runbook{step}")
            }
        }
        (Some(rb), _) => format!("created by another runbook, '{rb}'"),
        (None, _) => match labels.get("com.docker.compose.project") {
            Some(project) => format!(
                "created by someone else (Compose project '{project}'), not by this runbook"
            ),
            None => "created by someone else, not by this runbook".to_owned(),
        },
    }
}

/// Label naming the run that created a container or volume.
pub(crate) const RUN_LABEL: &str = "io.runbook.run";

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const RUNBOOK: &str = r#"
version: 1
name: identity
targets:
  db: { container: box, protected: true }
  scratch: { container: spare }
steps:
  - { id: rm, kind: container_remove, container: 838d8, volumes: true }
  - { id: drop, kind: volume_remove, name: data }
"#;

    fn runbook() -> Runbook {
        runbook_spec::parse(RUNBOOK, Path::new("rb.yaml"), &Default::default()).unwrap()
    }

    fn live(id: &str, name: &str, volumes: &[&str]) -> Option<LiveContainer> {
        Some(LiveContainer {
            id: id.into(),
            name: name.into(),
            volumes: volumes.iter().map(|v| (*v).to_owned()).collect(),
        })
    }

    fn facts(engine: Engine) -> DockerFacts {
        let mut facts = DockerFacts::not_asked(&runbook(), &RunEnv::Process);
        facts.engine = engine;
        facts
    }

    #[test]
    fn a_prefix_that_resolves_to_the_protected_container_is_that_target() {
        let runbook = runbook();
        let mut facts = facts(Engine::Reached);
        facts
            .containers
            .insert("838d8".into(), live("838d8aa", "box", &[]));
        facts
            .containers
            .insert("box".into(), live("838d8aa", "box", &[]));
        facts
            .containers
            .insert("spare".into(), live("99", "spare", &[]));
        assert_eq!(facts.targets_of_container(&runbook, "838d8"), ["db"]);
        // A prefix of nothing now may be a prefix of the target's container when the step
        // runs (it could be re-created); a name that is not hex is only a name.
        facts.containers.insert("838d8".into(), None);
        assert_eq!(
            facts.targets_of_container(&runbook, "838d8"),
            ["db", "scratch"]
        );
        facts.containers.insert("other".into(), None);
        assert!(facts.targets_of_container(&runbook, "other").is_empty());
    }

    #[test]
    fn without_the_engine_a_hex_reference_and_any_volume_fail_closed() {
        let runbook = runbook();
        let facts = facts(Engine::Unreachable("down".into()));
        // Either target's container could have an ID starting 838d8.
        assert_eq!(
            facts.targets_of_container(&runbook, "838d8"),
            ["db", "scratch"]
        );
        // A name that is not hex can only be a name.
        assert!(facts.targets_of_container(&runbook, "other").is_empty());
        assert_eq!(facts.targets_of_volume(&runbook, "data"), ["db", "scratch"]);
    }

    #[test]
    fn a_volume_belongs_to_the_targets_whose_containers_mount_it() {
        let runbook = runbook();
        let mut facts = facts(Engine::Reached);
        facts
            .containers
            .insert("box".into(), live("838d8aa", "box", &["data"]));
        assert_eq!(facts.targets_of_volume(&runbook, "data"), ["db"]);
        assert!(facts.targets_of_volume(&runbook, "other").is_empty());
        // Listed by the engine as a user, under its ID.
        facts
            .containers
            .insert("box".into(), live("838d8aa", "box", &[]));
        facts
            .volume_users
            .insert("data".into(), vec![("838d8aa".into(), "renamed".into())]);
        assert_eq!(facts.targets_of_volume(&runbook, "data"), ["db"]);
    }

    #[test]
    fn labels_say_who_made_an_object() {
        let labels = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let ours = labels(&[
            (RUNBOOK_LABEL, "rb"),
            (STEP_LABEL, "start"),
            (RUN_LABEL, "r1"),
        ]);
        assert_eq!(
            made_by(&ours, "rb", Some("r1")),
            "created by this run, step 'start'"
        );
        assert_eq!(
            made_by(&ours, "rb", None),
            "created by an earlier run of this runbook, step 'start'"
        );
        assert_eq!(
            made_by(&ours, "other", None),
            "created by another runbook, 'rb'"
        );
        assert_eq!(
            made_by(&labels(&[]), "rb", None),
            "created by someone else, not by this runbook"
        );
    }
}
