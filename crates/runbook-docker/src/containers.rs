//! Container lifecycle: inspect, create, start, stop, remove, list by label.
//!
//! Starting and stopping report which case happened (created, started an existing container,
//! already running) so the evidence says what was really done. Nothing is pulled, and nothing is
//! replaced: an existing container with a different configuration is reported as drift, not
//! recreated.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use bollard::models::{ContainerCreateBody, HostConfig, PortBinding};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, InspectContainerOptions, ListContainersOptionsBuilder,
    RemoveContainerOptionsBuilder, StopContainerOptionsBuilder,
};

use crate::client::DockerClient;
use crate::errors::DockerError;
use crate::failure::classify;
use crate::info::{ContainerInfo, ContainerSummary};
use crate::mount::VolumeSource;
use crate::names::{check_container_ref, path_segment};
use crate::spec::ContainerSpec;

/// What [`DockerClient::start_container`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartOutcome {
    Started,
    AlreadyRunning,
}

/// What [`DockerClient::ensure_running`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnsureOutcome {
    /// No container had the name: it was created from the spec and started.
    CreatedAndStarted,
    /// A stopped container with the name existed and was started as it is.
    StartedExisting,
    /// A container with the name was already running; nothing was done.
    AlreadyRunning,
}

/// The result of [`DockerClient::ensure_running`].
#[derive(Debug, Clone)]
pub struct EnsureReport {
    pub outcome: EnsureOutcome,
    /// The container after starting it (published ports are known only now).
    pub info: ContainerInfo,
    /// Where an existing container differs from the spec (image, mounts, ports, environment
    /// variable names), one sentence each; empty for a created container. Values of the
    /// environment are never shown.
    pub drift: Vec<String>,
}

/// What [`DockerClient::stop_container`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopOutcome {
    Stopped,
    AlreadyStopped,
}

/// How to remove a container.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RemoveOptions {
    /// Kill a running container first (`docker rm -f`).
    pub force: bool,
    /// Also remove its anonymous volumes (`docker rm -v`); named volumes are never removed.
    pub volumes: bool,
}

impl DockerClient {
    /// The container named `name` (or with that id), or `None` when there is none.
    pub async fn inspect_container(
        &self,
        name: &str,
    ) -> Result<Option<ContainerInfo>, DockerError> {
        check_container_ref(name)?;
        match self
            .docker
            .inspect_container(&path_segment(name), None::<InspectContainerOptions>)
            .await
        {
            Ok(raw) => Ok(Some(ContainerInfo::from_inspect(raw))),
            Err(e) => match classify(e) {
                f if f.status() == Some(404) => Ok(None),
                f => Err(self.fail(format!("inspect container {name}"), f)),
            },
        }
    }

    /// Like [`inspect_container`](Self::inspect_container), for callers that need it to exist.
    pub async fn require_container(&self, name: &str) -> Result<ContainerInfo, DockerError> {
        self.inspect_container(name)
            .await?
            .ok_or_else(|| DockerError::NoSuchContainer {
                name: name.to_owned(),
            })
    }

    /// Creates (does not start) a container; returns its id. Named volumes that do not exist
    /// yet are created first, with the spec's volume labels (and removed again when the
    /// container cannot be created). The image must be present: it is never pulled.
    pub async fn create_container(&self, spec: &ContainerSpec) -> Result<String, DockerError> {
        self.create_container_tracked(spec)
            .await
            .map(|(id, _volumes)| id)
    }

    /// [`create_container`](Self::create_container), also returning the named volumes it
    /// created, so that a caller that gives up on the container can remove them too. When the
    /// container cannot be created, those volumes are removed here.
    async fn create_container_tracked(
        &self,
        spec: &ContainerSpec,
    ) -> Result<(String, Vec<String>), DockerError> {
        spec.validate()?;
        if !self.image_exists(&spec.image).await? {
            return Err(DockerError::NoSuchImage {
                image: spec.image.clone(),
            });
        }
        let mut created = Vec::new();
        let result = self.create_with_volumes(spec, &mut created).await;
        if result.is_err() {
            self.remove_volumes_best_effort(&created).await;
        }
        result.map(|id| (id, created))
    }

    async fn create_with_volumes(
        &self,
        spec: &ContainerSpec,
        created_volumes: &mut Vec<String>,
    ) -> Result<String, DockerError> {
        for mount in &spec.volumes {
            if let VolumeSource::Named(volume) = &mount.source
                && !self.volume_exists(volume).await?
            {
                self.create_volume(volume, &spec.volume_labels).await?;
                created_volumes.push(volume.clone());
            }
        }
        let options = CreateContainerOptionsBuilder::default()
            .name(&spec.name)
            .build();
        match self
            .docker
            .create_container(Some(options), create_body(spec))
            .await
        {
            Ok(created) => Ok(created.id),
            Err(e) => {
                let failure = classify(e);
                match failure.status() {
                    Some(409) => {
                        let existing = self
                            .inspect_container(&spec.name)
                            .await?
                            .map_or_else(|| "(unknown)".to_owned(), |c| short_id(&c.id));
                        Err(DockerError::Conflict {
                            name: spec.name.clone(),
                            existing,
                        })
                    }
                    Some(404) if failure.message().contains("image") => {
                        Err(DockerError::NoSuchImage {
                            image: spec.image.clone(),
                        })
                    }
                    _ => Err(self.fail(format!("create container {}", spec.name), failure)),
                }
            }
        }
    }

    /// Starts a created or stopped container; one that is already running is left alone.
    pub async fn start_container(&self, name: &str) -> Result<StartOutcome, DockerError> {
        let info = self.require_container(name).await?;
        if info.state.is_running() {
            return Ok(StartOutcome::AlreadyRunning);
        }
        match self
            .docker
            .start_container(
                &path_segment(name),
                None::<bollard::query_parameters::StartContainerOptions>,
            )
            .await
        {
            Ok(()) => Ok(StartOutcome::Started),
            Err(e) => match classify(e) {
                f if f.status() == Some(404) => Err(DockerError::NoSuchContainer {
                    name: name.to_owned(),
                }),
                f => match crate::failure::port_in_use(f.message()) {
                    Some(address) => Err(DockerError::PortInUse {
                        container: name.to_owned(),
                        address,
                    }),
                    None => Err(self.fail(format!("start container {name}"), f)),
                },
            },
        }
    }

    /// Makes sure a container named `spec.name` runs: creates it from `spec` when there is
    /// none, otherwise starts the existing one as it is and reports how it differs from `spec`.
    /// Waiting for the service inside to be ready is the caller's business.
    pub async fn ensure_running(&self, spec: &ContainerSpec) -> Result<EnsureReport, DockerError> {
        spec.validate()?;
        let (outcome, drift) = match self.inspect_container(&spec.name).await? {
            None => {
                let (_, created_volumes) = self.create_container_tracked(spec).await?;
                if let Err(e) = self.start_container(&spec.name).await {
                    // A container this call created and could not start is removed again, with
                    // the (empty) named volumes it created for it, so that the next attempt
                    // starts afresh (from a corrected spec) instead of finding a broken one.
                    let _ = self
                        .remove_container(
                            &spec.name,
                            RemoveOptions {
                                force: true,
                                volumes: true,
                            },
                        )
                        .await;
                    self.remove_volumes_best_effort(&created_volumes).await;
                    return Err(e);
                }
                (EnsureOutcome::CreatedAndStarted, Vec::new())
            }
            Some(existing) => {
                let env = self.container_env(&spec.name).await?;
                let drift = drift(spec, &existing, &env);
                let outcome = match self.start_container(&spec.name).await? {
                    StartOutcome::Started => EnsureOutcome::StartedExisting,
                    StartOutcome::AlreadyRunning => EnsureOutcome::AlreadyRunning,
                };
                (outcome, drift)
            }
        };
        let info = self.require_container(&spec.name).await?;
        Ok(EnsureReport {
            outcome,
            info,
            drift,
        })
    }

    /// Stops a running container, giving its main process `grace` to exit after SIGTERM (or
    /// the image's stop signal) before it is killed.
    pub async fn stop_container(
        &self,
        name: &str,
        grace: Duration,
    ) -> Result<StopOutcome, DockerError> {
        let info = self.require_container(name).await?;
        if !info.state.is_running() && info.state != crate::info::ContainerState::Paused {
            return Ok(StopOutcome::AlreadyStopped);
        }
        let seconds = i32::try_from(grace.as_secs()).unwrap_or(i32::MAX);
        let options = StopContainerOptionsBuilder::default().t(seconds).build();
        match self
            .docker
            .stop_container(&path_segment(name), Some(options))
            .await
        {
            Ok(()) => Ok(StopOutcome::Stopped),
            Err(e) => match classify(e) {
                f if f.status() == Some(404) => Err(DockerError::NoSuchContainer {
                    name: name.to_owned(),
                }),
                f => Err(self.fail(format!("stop container {name}"), f)),
            },
        }
    }

    /// Removes a container. A running one is refused unless `force` is set.
    pub async fn remove_container(
        &self,
        name: &str,
        options: RemoveOptions,
    ) -> Result<(), DockerError> {
        check_container_ref(name)?;
        let query = RemoveContainerOptionsBuilder::default()
            .force(options.force)
            .v(options.volumes)
            .build();
        match self
            .docker
            .remove_container(&path_segment(name), Some(query))
            .await
        {
            Ok(()) => Ok(()),
            Err(e) => match classify(e) {
                f if f.status() == Some(404) => Err(DockerError::NoSuchContainer {
                    name: name.to_owned(),
                }),
                f if f.status() == Some(409) && f.message().contains("running") => {
                    Err(DockerError::ContainerRunning {
                        name: name.to_owned(),
                    })
                }
                f => Err(self.fail(format!("remove container {name}"), f)),
            },
        }
    }

    /// Every container (running or not) carrying the label `key=value`.
    pub async fn list_containers_by_label(
        &self,
        key: &str,
        value: &str,
    ) -> Result<Vec<ContainerSummary>, DockerError> {
        self.list_containers_filtered("label", &format!("{key}={value}"))
            .await
    }

    pub(crate) async fn list_containers_filtered(
        &self,
        filter: &str,
        value: &str,
    ) -> Result<Vec<ContainerSummary>, DockerError> {
        let filters: HashMap<&str, Vec<&str>> = HashMap::from([(filter, vec![value])]);
        let options = ListContainersOptionsBuilder::default()
            .all(true)
            .filters(&filters)
            .build();
        let list = self
            .docker
            .list_containers(Some(options))
            .await
            .map_err(|e| self.fail("list containers", classify(e)))?;
        let mut out: Vec<ContainerSummary> = list
            .into_iter()
            .map(|c| ContainerSummary {
                id: c.id.unwrap_or_default(),
                name: c
                    .names
                    .and_then(|n| n.into_iter().next())
                    .unwrap_or_default()
                    .trim_start_matches('/')
                    .to_owned(),
                image: c.image.unwrap_or_default(),
                state: c.state.map(|s| s.to_string()).unwrap_or_default(),
                labels: c.labels.unwrap_or_default().into_iter().collect(),
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Cleanup on an error path: the error being returned says more than a failed removal.
    async fn remove_volumes_best_effort(&self, volumes: &[String]) {
        for volume in volumes {
            let _ = self.remove_volume(volume).await;
        }
    }

    /// The container's environment, kept inside the crate: it holds passwords.
    async fn container_env(&self, name: &str) -> Result<BTreeMap<String, String>, DockerError> {
        check_container_ref(name)?;
        let raw = self
            .docker
            .inspect_container(&path_segment(name), None::<InspectContainerOptions>)
            .await
            .map_err(|e| self.fail(format!("inspect container {name}"), classify(e)))?;
        Ok(raw
            .config
            .and_then(|c| c.env)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|kv| {
                kv.split_once('=')
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
            })
            .collect())
    }
}

fn create_body(spec: &ContainerSpec) -> ContainerCreateBody {
    let mut port_bindings: HashMap<String, Option<Vec<PortBinding>>> = HashMap::new();
    for port in &spec.ports {
        port_bindings
            .entry(port.container_key())
            .or_insert_with(|| Some(Vec::new()))
            .get_or_insert_with(Vec::new)
            .push(PortBinding {
                host_ip: Some(port.host_ip.map(|ip| ip.to_string()).unwrap_or_default()),
                host_port: Some(if port.host_port == 0 {
                    String::new()
                } else {
                    port.host_port.to_string()
                }),
            });
    }
    let mut exposed: Vec<String> = port_bindings.keys().cloned().collect();
    exposed.sort();
    let binds: Vec<String> = spec
        .volumes
        .iter()
        .filter_map(|v| v.bind_string())
        .collect();
    let anonymous: Vec<String> = spec
        .volumes
        .iter()
        .filter(|v| v.source == VolumeSource::Anonymous)
        .map(|v| v.target.clone())
        .collect();
    ContainerCreateBody {
        image: Some(spec.image.clone()),
        env: Some(spec.env.iter().map(|(k, v)| format!("{k}={v}")).collect()),
        cmd: spec.command.clone(),
        labels: Some(spec.labels.clone().into_iter().collect()),
        exposed_ports: (!exposed.is_empty()).then_some(exposed),
        volumes: (!anonymous.is_empty()).then_some(anonymous),
        host_config: Some(HostConfig {
            port_bindings: (!port_bindings.is_empty()).then_some(port_bindings),
            binds: (!binds.is_empty()).then_some(binds),
            shm_size: spec.shm_size.map(|s| i64::try_from(s).unwrap_or(i64::MAX)),
            ..HostConfig::default()
        }),
        ..ContainerCreateBody::default()
    }
}

/// How an existing container differs from what the runbook asked for.
fn drift(
    spec: &ContainerSpec,
    existing: &ContainerInfo,
    env: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut out = Vec::new();
    if existing.image != spec.image {
        out.push(format!(
            "image: the spec asks for {}, the container was created from {}",
            spec.image, existing.image
        ));
    }
    for mount in &spec.volumes {
        let found = existing
            .mounts
            .iter()
            .find(|m| m.destination == mount.target);
        let matches = match (&mount.source, found) {
            (_, None) => false,
            (VolumeSource::Named(name), Some(m)) => m.name.as_deref() == Some(name.as_str()),
            (VolumeSource::Bind(path), Some(m)) => std::path::Path::new(&m.source) == path,
            (VolumeSource::Anonymous, Some(_)) => true,
        };
        if !matches {
            let actual = found.map_or_else(
                || "nothing".to_owned(),
                |m| m.name.clone().unwrap_or_else(|| m.source.clone()),
            );
            out.push(format!(
                "mount {}: the spec asks for {mount}, the container has {actual} there",
                mount.target
            ));
        }
    }
    for (key, value) in &spec.env {
        match env.get(key) {
            None => out.push(format!("environment: {key} is not set in the container")),
            Some(v) if v != value => out.push(format!(
                "environment: {key} has a different value in the container"
            )),
            Some(_) => {}
        }
    }
    // Published ports are only known for a running container; compare them when possible.
    if existing.state.is_running() {
        for port in spec.ports.iter().filter(|p| p.host_port != 0) {
            let published = existing
                .ports
                .iter()
                .any(|p| p.container_port == port.container_port && p.host_port == port.host_port);
            if !published {
                out.push(format!(
                    "port {port}: not published by the running container"
                ));
            }
        }
    }
    out
}

fn short_id(id: &str) -> String {
    id.chars().take(12).collect()
}
