//! `container_start`: bring up the database container and wait until it is really ready.
//!
//! The container is created from `image` (never pulled: the engine may have no registry), or
//! from a service of a Compose file, labelled like Compose does; an existing stopped container
//! is started as it is, and a running one is only recorded. Which of the three happened is said
//! in the log and in `details`, with the published ports (host port 0 is resolved to the port
//! the engine picked) and how an existing container differs from the step. Everything the step
//! creates carries `io.runbook.runbook` and `io.runbook.step` labels besides the user's, so it
//! can be found and cleaned up.
//!
//! Then the step waits, within `wait`, for real readiness, never for a log line (the official
//! image logs "ready to accept connections" for its temporary init server too):
//! - when the step's target, or a target naming this container, has `postgres`: a connection
//!   from here through the run's own session machinery succeeds (cached connection details are
//!   dropped first, so the freshly published port is used);
//! - otherwise `pg_isready -h 127.0.0.1` inside the container, when the image has it;
//! - otherwise the container runs (and is healthy, if its image has a healthcheck).
//!
//! A server that answers but refuses us (wrong password, missing database) ends the wait at
//! once: waiting longer cannot help. A container that exits while we wait, or a wait that runs
//! out, attaches the last 100 lines of the container's log as `container.log`.
//!
//! Check mode inspects only: the engine, the container and its state, the image, the host
//! ports (by binding them for a moment) and the named volumes. When `run` would create or start
//! the container, later steps that cannot reach it now are reported as depending on this step.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use runbook_docker::{
    ContainerInfo, ContainerSpec, DockerClient, DockerError, EnsureOutcome, ExecSpec, Health,
    PortMapping, Protocol, RemoveOptions, VolumeSource,
};
use runbook_evidence::{OutputValue, StepOutcome, StepStatus};
use runbook_postgres::ConnectError;
use runbook_spec::{Connection, ContainerStart};
use serde_json::json;

use super::container_logs::{LOG_FILE, save_log};
use crate::context::StepContext;
use crate::errors::StepError;
use crate::step::Step;
use crate::text::humantime;

/// Label naming the runbook that created a container or volume.
pub(crate) const RUNBOOK_LABEL: &str = "io.runbook.runbook";
/// Label naming the step that created a container or volume.
pub(crate) const STEP_LABEL: &str = "io.runbook.step";

/// Lines of the container's log kept when it does not become ready.
const LOG_TAIL: u64 = 100;

/// Pause between readiness probes.
const POLL: Duration = Duration::from_millis(500);

pub(crate) struct ContainerStartStep(pub ContainerStart);

/// How readiness is judged, from the most to the least telling.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Probe {
    /// A connection to this Postgres target succeeds.
    Target(String),
    /// `pg_isready -h 127.0.0.1` inside the container exits 0.
    PgIsReady,
    /// The container runs (and is healthy when it has a healthcheck).
    Running,
}

impl Probe {
    fn waited_for(&self) -> String {
        match self {
            Probe::Target(target) => format!("target '{target}' to accept a connection"),
            Probe::PgIsReady => "pg_isready -h 127.0.0.1 inside it to succeed".to_owned(),
            Probe::Running => "it to run (and pass its healthcheck, if it has one)".to_owned(),
        }
    }
}

#[async_trait]
impl Step for ContainerStartStep {
    /// Mounting a volume that a protected target's container mounts into another container
    /// (with its own image and command) can change or delete that target's data, so it needs
    /// the target's consent; starting the target's own container with its volume does not.
    fn docker_destruction(
        &self,
        _step: &runbook_spec::Step,
        runbook: &runbook_spec::Runbook,
        facts: &crate::docker_identity::DockerFacts,
    ) -> Option<Result<Vec<crate::step::Destruction>, StepError>> {
        let (container, volumes) = facts.volumes_started_with(&self.0);
        let container = container?;
        let mut out: Vec<crate::step::Destruction> = Vec::new();
        for volume in &volumes {
            for target in facts.targets_of_volume(runbook, volume) {
                if facts.is_targets_container(runbook, &target, &container)
                    || out.iter().any(|d| d.target == target)
                {
                    continue;
                }
                out.push(crate::step::Destruction {
                    target: target.clone(),
                    what: format!(
                        "mount volume {volume}, which the container of target '{target}' uses, into container {container}, where it can be changed or deleted"
                    ),
                });
            }
        }
        Some(Ok(out))
    }

    async fn run(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let (spec, warnings) = self.container_spec(cx)?;
        let name = self.container_name(spec.as_ref())?;
        for warning in &warnings {
            cx.log(warning);
        }
        let docker = cx.docker().await?.clone();
        let existing = docker.inspect_container(&name).await?;
        let (case, drift) = match (&existing, &spec) {
            (None, None) => return Err(no_recipe(&name)),
            (None, Some(spec)) => {
                check_ports_free(&spec.ports)?;
                create_and_start(&docker, spec).await?;
                ("created", Vec::new())
            }
            (Some(_), Some(spec)) => {
                let report = docker.ensure_running(spec).await?;
                let case = match report.outcome {
                    EnsureOutcome::CreatedAndStarted => "created",
                    EnsureOutcome::StartedExisting => "started existing",
                    EnsureOutcome::AlreadyRunning => "already running",
                };
                (case, report.drift)
            }
            (Some(info), None) => {
                let case = if info.state.is_running() {
                    "already running"
                } else {
                    "started existing"
                };
                docker.start_container(&name).await?;
                (case, Vec::new())
            }
        };
        // A container that was already running kept its port and its sessions, and the run
        // lock held on it must not be let go for a moment.
        if case != "already running" {
            cx.container_changed(&name);
        }
        let info = docker.require_container(&name).await?;
        cx.log(match case {
            "created" => format!("created and started container {name} from image {} ({})", info.image, short(&info.image_id)),
            "started existing" => format!(
                "started the existing container {name} (image {}); it was not re-created, so its settings are the ones it was created with",
                info.image
            ),
            _ => format!("container {name} was already running (image {}); it was left as it is", info.image),
        });
        for line in describe_ports(&info) {
            cx.log(line);
        }
        for line in &drift {
            cx.log(format!("note: the container differs from the step: {line}"));
        }

        let probe = self.probe(cx, &name);
        let started = Instant::now();
        let ready = wait_ready(cx, &docker, &name, probe, self.0.wait.as_std()).await?;
        let waited = started.elapsed();
        cx.log(format!("ready after {:.1}s: {ready}", waited.as_secs_f64()));

        let mut outcome = StepOutcome::new(
            StepStatus::Passed,
            format!(
                "container {name} {case}, ready after {:.1}s ({ready})",
                waited.as_secs_f64()
            ),
        );
        outcome.details = json!({
            "container": name,
            "id": info.id,
            "case": case,
            "image": info.image,
            "image_id": info.image_id,
            "ports": info.ports.iter().map(|p| json!({
                "container_port": p.container_port,
                "protocol": p.protocol.to_string(),
                "host_ip": p.host_ip,
                "host_port": p.host_port,
            })).collect::<Vec<_>>(),
            "mounts": info.mounts.iter().map(|m| json!({
                "volume": m.name,
                "source": m.source,
                "destination": m.destination,
            })).collect::<Vec<_>>(),
            "drift": drift,
            "ready": ready,
            "ready_after_ms": u64::try_from(waited.as_millis()).unwrap_or(u64::MAX),
        });
        // Outputs for later steps: the container's ID and the host port it publishes for
        // PostgreSQL (5432), else for its first mapping; none when it publishes no port.
        outcome.outputs.insert(
            "container_id".to_owned(),
            OutputValue::plain(info.id.clone()),
        );
        if let Some(port) = info
            .ports
            .iter()
            .find(|p| p.container_port == 5432)
            .or_else(|| info.ports.first())
        {
            outcome.outputs.insert(
                "port".to_owned(),
                OutputValue::plain(port.host_port.to_string()),
            );
        }
        Ok(outcome)
    }

    async fn check(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let (spec, warnings) = self.container_spec(cx)?;
        let name = self.container_name(spec.as_ref())?;
        for warning in &warnings {
            cx.log(warning);
        }
        let docker = cx.docker().await?.clone();
        let existing = docker.inspect_container(&name).await?;
        if let Some(info) = &existing {
            cx.log(format!(
                "container {name} exists (id {}): {}",
                short(&info.id),
                crate::docker_identity::made_by(&info.labels, &cx.runbook().name, None)
            ));
        }
        let summary = match existing {
            Some(info) if info.state.is_running() => {
                for line in describe_ports(&info) {
                    cx.log(line);
                }
                format!(
                    "container {name} is running (image {}); would record it and wait until it is ready",
                    info.image
                )
            }
            Some(info) => {
                self.will_provide(cx, &name);
                format!(
                    "would start the existing container {name} (now {}, image {})",
                    info.state, info.image
                )
            }
            None => {
                let Some(spec) = &spec else {
                    return Err(no_recipe(&name));
                };
                let Some(image) = docker.inspect_image(&spec.image).await? else {
                    return Err(DockerError::NoSuchImage {
                        image: spec.image.clone(),
                    }
                    .into());
                };
                check_ports_free(&spec.ports)?;
                for port in &spec.ports {
                    cx.log(match port.host_port {
                        0 => format!(
                            "port {}: the engine would pick a free host port",
                            port.container_key()
                        ),
                        _ => format!("port {port}: free on this host now"),
                    });
                }
                for mount in &spec.volumes {
                    if let VolumeSource::Named(volume) = &mount.source {
                        cx.log(if docker.volume_exists(volume).await? {
                            format!(
                                "volume {volume} exists: its data is reused (a Postgres image skips initdb and the POSTGRES_* settings then)"
                            )
                        } else {
                            format!("volume {volume} does not exist: it would be created")
                        });
                    }
                }
                self.will_provide(cx, &name);
                format!(
                    "would create container {name} from image {} ({})",
                    spec.image,
                    short(&image.id)
                )
            }
        };
        cx.log(&summary);
        let probe = self.probe(cx, &name);
        cx.log(format!(
            "run would wait up to {} for {}",
            humantime(self.0.wait.as_std()),
            probe.waited_for()
        ));
        Ok(StepOutcome::new(StepStatus::Passed, summary))
    }
}

impl ContainerStartStep {
    /// The container to create, from the step or its Compose service; `None` when the step
    /// names neither an image nor a service (the container must exist then).
    fn container_spec(
        &self,
        cx: &StepContext<'_>,
    ) -> Result<(Option<ContainerSpec>, Vec<String>), StepError> {
        let step = &self.0;
        let mut warnings = Vec::new();
        let mut spec = if let Some(compose) = &step.compose {
            let run_env = cx.env();
            let env = |key: &str| run_env.var(key);
            let project = runbook_docker::compose::ComposeProject::load(&compose.file, &env)
                .map_err(|e| StepError::failed(e.to_string()))?;
            let loaded = project
                .service(&compose.service)
                .map_err(|e| StepError::failed(e.to_string()))?;
            warnings = loaded
                .warnings
                .into_iter()
                .map(|w| format!("compose: {w}"))
                .collect();
            let mut spec = loaded.spec;
            // The runbook's name wins: its targets and later steps use it.
            if let Some(name) = &step.name
                && *name != spec.name
            {
                warnings.push(format!(
                    "compose: the container is named {name} (from the runbook) rather than {} (Compose's name)",
                    spec.name
                ));
                spec.name = name.clone();
            }
            spec
        } else if let Some(image) = &step.image {
            let name = step.name.clone().unwrap_or_default();
            let mut spec = ContainerSpec::new(name, image.clone());
            // Parsing has undone `$${targets.` escapes here already: the engine does not
            // expand a new container's env.
            spec.env = step
                .env
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            for port in &step.ports {
                spec.ports.push(
                    runbook_docker::parse_port_mapping(&port.to_string())
                        .map_err(DockerError::from)?,
                );
            }
            for volume in &step.volumes {
                let source = host_path(&volume.source, cx.env().var("HOME").as_deref());
                let text = format!(
                    "{source}:{}{}",
                    volume.target,
                    if volume.read_only { ":ro" } else { "" }
                );
                spec.volumes
                    .push(runbook_docker::parse_volume(&text).map_err(DockerError::from)?);
            }
            spec
        } else {
            return Ok((None, warnings));
        };
        // A port written without an address is published on 127.0.0.1 only: `docker run -p
        // 55491:5432` listens on every interface (0.0.0.0 and [::]), which put a restored
        // database on the network without anyone asking for it. `0.0.0.0:` must be written.
        for port in spec.ports.iter_mut().filter(|p| p.host_ip.is_none()) {
            port.host_ip = Some(std::net::IpAddr::from([127, 0, 0, 1]));
            warnings.push(format!(
                "note: port {}/{} is published on 127.0.0.1 only (write 0.0.0.0:{}:{} to publish it on every interface)",
                port.container_port,
                port.protocol.as_str(),
                if port.host_port == 0 { String::new() } else { port.host_port.to_string() },
                port.container_port
            ));
        }
        if let Some(command) = &step.command {
            spec.command = Some(command.clone());
        }
        if let Some(size) = step.shm_size {
            spec.shm_size = Some(size.bytes());
        }
        let mut labels: BTreeMap<String, String> = step
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        labels.insert(RUNBOOK_LABEL.to_owned(), cx.runbook().name.clone());
        labels.insert(STEP_LABEL.to_owned(), cx.step().id.clone());
        labels.insert(
            crate::docker_identity::RUN_LABEL.to_owned(),
            cx.run_id().to_owned(),
        );
        spec.labels.extend(labels.clone());
        spec.volume_labels.extend(labels);
        spec.validate().map_err(DockerError::from)?;
        Ok((Some(spec), warnings))
    }

    fn container_name(&self, spec: Option<&ContainerSpec>) -> Result<String, StepError> {
        spec.map(|s| s.name.clone())
            .or_else(|| self.0.name.clone())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| StepError::failed("the step names no container: add name: CONTAINER or a target with container: CONTAINER"))
    }

    /// The Postgres target whose readiness counts: the step's own, else one naming the container.
    fn probe(&self, cx: &StepContext<'_>, container: &str) -> Probe {
        // An ephemeral cluster is not in a container: only a URL target can be this database.
        let served = |t: &runbook_spec::Target| {
            t.postgres
                .as_ref()
                .is_some_and(|p| matches!(p.connection(), Connection::Url { .. }))
        };
        let runbook = cx.runbook();
        let own = cx
            .step()
            .target
            .as_ref()
            .filter(|t| runbook.targets.get(*t).is_some_and(served));
        let naming = || {
            runbook
                .targets
                .iter()
                .find(|(_, t)| served(t) && t.container.as_deref() == Some(container))
                .map(|(name, _)| name)
        };
        match own.or_else(naming) {
            Some(target) => Probe::Target(target.clone()),
            None => Probe::PgIsReady,
        }
    }

    /// Check mode: `run` would bring the container up, so what needs it depends on this step,
    /// and the databases in it are about to change.
    fn will_provide(&self, cx: &mut StepContext<'_>, container: &str) {
        cx.will_provide_container(container);
        cx.will_change_target();
        let targets: Vec<String> = cx
            .runbook()
            .targets
            .iter()
            .filter(|(_, t)| t.container.as_deref() == Some(container))
            .map(|(name, _)| name.clone())
            .collect();
        cx.resources.changed_targets.extend(targets);
    }
}

/// Creates the container and starts it. When it cannot start (a host port taken meanwhile, a
/// bad command), the container just created is removed again, so that a second attempt does
/// not find a broken container and start it "as it is".
async fn create_and_start(docker: &DockerClient, spec: &ContainerSpec) -> Result<(), StepError> {
    docker.create_container(spec).await?;
    if let Err(error) = docker.start_container(&spec.name).await {
        let removed = docker
            .remove_container(
                &spec.name,
                RemoveOptions {
                    force: true,
                    volumes: true,
                },
            )
            .await;
        let cleanup = match removed {
            Ok(()) => "the container created for it was removed again".to_owned(),
            Err(e) => format!("the container created for it could not be removed: {e}"),
        };
        return Err(StepError::failed(format!(
            "cannot start container {}: {error}; {cleanup}",
            spec.name
        )));
    }
    Ok(())
}

/// Waits for the container to be ready; on a timeout or an exit, attaches its log's tail.
async fn wait_ready(
    cx: &mut StepContext<'_>,
    docker: &DockerClient,
    name: &str,
    mut probe: Probe,
    wait: Duration,
) -> Result<String, StepError> {
    let deadline = Instant::now() + wait;
    let cancel = cx.cancellation();
    cx.log(format!(
        "waiting up to {} for {}",
        humantime(wait),
        probe.waited_for()
    ));
    let mut last: String;
    loop {
        let info = docker.require_container(name).await?;
        if !info.state.is_running() {
            let saved = save_log(docker, name, Some(LOG_TAIL), &cx.output()).await?;
            return Err(StepError::failed(format!(
                "container {name} {} while waiting for it to become ready; {}",
                match info.state {
                    runbook_docker::ContainerState::Exited { exit_code } => {
                        format!("exited with code {exit_code}")
                    }
                    other => format!("stopped ({other})"),
                },
                where_the_log_is(saved.lines)
            )));
        }
        let remaining = deadline.saturating_duration_since(Instant::now());
        match &probe {
            Probe::Target(target) => {
                let attempt =
                    tokio::time::timeout(remaining.max(POLL), cx.resources.session(target)).await;
                match attempt {
                    Ok(Ok(_)) => {
                        let url = cx.resources.target_url(target).await?;
                        return Ok(format!("target '{target}' accepted a connection at {url}"));
                    }
                    Ok(Err(StepError::Connect { source, .. })) => {
                        if let Some(refusal) = refused(&source) {
                            return Err(StepError::failed(format!(
                                "the server in container {name} is up but refused target '{target}': {source}; waiting longer cannot help. {refusal}"
                            )));
                        }
                        last = source.to_string();
                    }
                    Ok(Err(other)) => {
                        // The container may have stopped since it was inspected: that is the
                        // story to tell, not the port it no longer publishes.
                        if !docker.require_container(name).await?.state.is_running() {
                            continue;
                        }
                        return Err(other);
                    }
                    Err(_) => {
                        last = format!(
                            "a connection attempt to target '{target}' did not finish in time"
                        )
                    }
                }
            }
            Probe::PgIsReady => {
                let exec = ExecSpec::new(["pg_isready", "-h", "127.0.0.1"]);
                match docker.exec_capture(name, &exec).await {
                    Ok(out) if out.exit_code == 0 => {
                        return Ok(
                            "pg_isready -h 127.0.0.1 inside the container succeeded".to_owned()
                        );
                    }
                    Ok(out) => {
                        last = format!(
                            "pg_isready exited {}: {}",
                            out.exit_code,
                            first_line(&format!("{}{}", out.stdout, out.stderr))
                        );
                    }
                    Err(DockerError::ExecFailed { message, .. }) => {
                        cx.log(format!(
                            "pg_isready cannot run in container {name} ({message}); waiting for it to run (and be healthy, if it has a healthcheck) instead"
                        ));
                        probe = Probe::Running;
                        continue;
                    }
                    Err(error) => return Err(error.into()),
                }
            }
            Probe::Running => match &info.health {
                None => {
                    return Ok(format!(
                        "container {name} is running (its image has no healthcheck)"
                    ));
                }
                Some(Health::Healthy) => {
                    return Ok(format!("container {name} is running and healthy"));
                }
                Some(Health::Starting) => last = "its healthcheck has not passed yet".to_owned(),
                Some(Health::Unhealthy {
                    failing_streak,
                    last_output,
                }) => {
                    last = format!(
                        "unhealthy ({failing_streak} failed checks in a row): {}",
                        first_line(last_output)
                    );
                }
            },
        }
        if Instant::now() >= deadline {
            let saved = save_log(docker, name, Some(LOG_TAIL), &cx.output()).await?;
            return Err(StepError::failed(format!(
                "container {name} was not ready within {}: waited for {} (last attempt: {last}); {}",
                humantime(wait),
                probe.waited_for(),
                where_the_log_is(saved.lines)
            )));
        }
        let pause = POLL.min(deadline.saturating_duration_since(Instant::now()));
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = cancel.cancelled() => return Err(StepError::Interrupted),
        }
    }
}

/// A refusal that waiting cannot fix: the server runs and said no. Returns what to do.
fn refused(error: &ConnectError) -> Option<&'static str> {
    let ConnectError::Failed {
        sqlstate: Some(code),
        ..
    } = error
    else {
        return None;
    };
    if code.starts_with("28") {
        Some(
            "Check the password and user; a data volume kept from an earlier run keeps the user and password it was first initialised with (POSTGRES_* apply only to an empty volume)",
        )
    } else if code == "3D000" {
        Some(
            "The database does not exist; a data volume kept from an earlier run keeps the databases it was first initialised with (POSTGRES_DB applies only to an empty volume)",
        )
    } else {
        None
    }
}

/// Fails before anything is created when a host port the step wants is taken: Docker's own
/// message comes only after the container exists.
fn check_ports_free(ports: &[PortMapping]) -> Result<(), StepError> {
    for port in ports.iter().filter(|p| p.host_port != 0) {
        let ip = port.host_ip.unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
        let address = std::net::SocketAddr::new(ip, port.host_port);
        let bound = match port.protocol {
            Protocol::Udp => std::net::UdpSocket::bind(address).map(drop),
            _ => std::net::TcpListener::bind(address).map(drop),
        };
        if let Err(error) = bound {
            return Err(StepError::failed(format!(
                "host port {address} is not free ({error}); stop what holds it, or publish another port (127.0.0.1:0:{} lets Docker pick a free one)",
                port.container_port
            )));
        }
    }
    Ok(())
}

fn no_recipe(name: &str) -> StepError {
    StepError::failed(format!(
        "container {name} does not exist, and the step names no image or compose service to create it from"
    ))
}

/// `./data` and `~/data` as Docker needs them: absolute (relative to the working directory;
/// `~` is `home`, the run's `HOME`).
fn host_path(source: &str, home: Option<&str>) -> String {
    let expanded: PathBuf = match source.strip_prefix("~/") {
        Some(rest) => home.map_or_else(|| PathBuf::from(source), |home| Path::new(home).join(rest)),
        None => PathBuf::from(source),
    };
    if source.starts_with('.') || source.starts_with("~/") {
        std::path::absolute(&expanded)
            .unwrap_or(expanded)
            .display()
            .to_string()
    } else {
        source.to_owned()
    }
}

fn describe_ports(info: &ContainerInfo) -> Vec<String> {
    info.ports
        .iter()
        .map(|p| {
            format!(
                "published {}/{} on {}:{}",
                p.container_port, p.protocol, p.host_ip, p.host_port
            )
        })
        .collect()
}

fn where_the_log_is(lines: u64) -> String {
    match lines {
        0 => format!("the container wrote nothing to its log ({LOG_FILE} is empty)"),
        1 => format!("the last line of its log is in {LOG_FILE}"),
        n => format!("the last {n} lines of its log are in {LOG_FILE}"),
    }
}

fn first_line(text: &str) -> &str {
    text.trim()
        .split('\n')
        .next()
        .unwrap_or("")
        .trim_end_matches('\r')
}

fn short(id: &str) -> String {
    match id.strip_prefix("sha256:") {
        Some(hex) => format!("sha256:{}", &hex[..hex.len().min(12)]),
        None => id.chars().take(12).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(sqlstate: Option<&str>) -> ConnectError {
        ConnectError::Failed {
            target: "postgres://u@127.0.0.1:5432/db".into(),
            reason: "no".into(),
            sqlstate: sqlstate.map(str::to_owned),
        }
    }

    #[test]
    fn only_a_refusal_by_a_running_server_ends_the_wait() {
        assert!(
            refused(&failed(Some("28P01")))
                .unwrap()
                .contains("password")
        );
        assert!(refused(&failed(Some("28000"))).is_some());
        assert!(
            refused(&failed(Some("3D000")))
                .unwrap()
                .starts_with("The database does not exist")
        );
        // Starting up, shutting down, too many clients: worth waiting for.
        assert!(refused(&failed(Some("57P03"))).is_none());
        assert!(refused(&failed(Some("53300"))).is_none());
        assert!(refused(&failed(None)).is_none());
    }

    #[test]
    fn a_taken_port_is_named_with_what_to_do() {
        let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = holder.local_addr().unwrap().port();
        let taken = PortMapping::localhost(port, 5432);
        let message = check_ports_free(&[taken]).unwrap_err().to_string();
        assert!(
            message.starts_with(&format!("host port 127.0.0.1:{port} is not free (")),
            "{message}"
        );
        assert!(
            message.ends_with("; stop what holds it, or publish another port (127.0.0.1:0:5432 lets Docker pick a free one)"),
            "{message}"
        );
        drop(holder);
        // Port 0 is Docker's to pick: nothing to check.
        assert!(check_ports_free(&[PortMapping::localhost(0, 5432)]).is_ok());
    }

    #[test]
    fn relative_bind_sources_become_absolute_and_volume_names_stay() {
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(
            host_path("./init", None),
            cwd.join("init").display().to_string()
        );
        assert_eq!(host_path("/srv/init", None), "/srv/init");
        assert_eq!(host_path("opendolphin-pgdata", None), "opendolphin-pgdata");
        // `~` is the run's HOME, whatever the process's is.
        assert_eq!(host_path("~/dumps", Some("/home/ops")), "/home/ops/dumps");
    }

    #[test]
    fn the_log_note_reads_well_for_any_count() {
        assert_eq!(
            where_the_log_is(0),
            "the container wrote nothing to its log (container.log is empty)"
        );
        assert_eq!(
            where_the_log_is(1),
            "the last line of its log is in container.log"
        );
        assert_eq!(
            where_the_log_is(100),
            "the last 100 lines of its log are in container.log"
        );
    }

    #[test]
    fn image_ids_are_shortened_like_docker_does() {
        assert_eq!(
            short("sha256:d59a2fba8ac9e64a111591fc6413ef354e6e8d834bcc25d50ed96e9f494d3600"),
            "sha256:d59a2fba8ac9"
        );
        assert_eq!(short("b4c5f5b38a275d5a132ffedb"), "b4c5f5b38a27");
    }
}
