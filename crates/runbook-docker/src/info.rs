//! What the engine says about a container, in the workspace's own types.
//!
//! Converted from bollard's models in one place so the rest of the workspace never sees them;
//! fields a runbook or a reviewer needs (state and exit code, published ports, mounts, labels)
//! and nothing that holds secrets (the environment is left out on purpose).

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use bollard::models::{ContainerInspectResponse, ContainerStateStatusEnum, HealthStatusEnum};

use runbook_values::Protocol;

/// Lifecycle state of a container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainerState {
    Created,
    Running,
    Paused,
    Restarting,
    Removing,
    /// Stopped; the exit code of its main process.
    Exited {
        exit_code: i64,
    },
    Dead,
    /// A state this build does not know (a newer engine), as the engine wrote it.
    Other(String),
}

impl ContainerState {
    pub fn is_running(&self) -> bool {
        matches!(self, ContainerState::Running | ContainerState::Restarting)
    }
}

impl fmt::Display for ContainerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContainerState::Created => f.write_str("created"),
            ContainerState::Running => f.write_str("running"),
            ContainerState::Paused => f.write_str("paused"),
            ContainerState::Restarting => f.write_str("restarting"),
            ContainerState::Removing => f.write_str("being removed"),
            ContainerState::Exited { exit_code } => write!(f, "exited with code {exit_code}"),
            ContainerState::Dead => f.write_str("dead"),
            ContainerState::Other(text) => f.write_str(text),
        }
    }
}

/// Result of the image's healthcheck, when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    Starting,
    Healthy,
    /// `last_output` is what the last failing check printed, to say why.
    Unhealthy {
        failing_streak: i64,
        last_output: String,
    },
}

/// A container port published on the host, as the engine reports it (after choosing a free
/// host port when 0 was asked for).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedPort {
    pub container_port: u16,
    pub protocol: Protocol,
    /// `0.0.0.0` or `::` when bound on every interface.
    pub host_ip: String,
    pub host_port: u16,
}

/// Kind of a mount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountKind {
    Volume,
    Bind,
    Tmpfs,
    Other,
}

/// A mount of a container, as the engine reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountInfo {
    pub kind: MountKind,
    /// Volume name (for volumes, including anonymous ones).
    pub name: Option<String>,
    /// Where the data is on the host.
    pub source: String,
    pub destination: String,
    pub read_only: bool,
}

/// A container as `docker inspect` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerInfo {
    pub id: String,
    /// Without Docker's leading `/`.
    pub name: String,
    /// The image as the container was created with it (`postgres:15`).
    pub image: String,
    /// The image's id (`sha256:...`), which says exactly what ran.
    pub image_id: String,
    pub state: ContainerState,
    pub health: Option<Health>,
    /// When the container last started (RFC 3339), if it ever did.
    pub started_at: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub ports: Vec<PublishedPort>,
    pub mounts: Vec<MountInfo>,
    /// The command the container runs (entrypoint and arguments).
    pub command: Vec<String>,
}

impl ContainerInfo {
    /// The host address and port where `container_port`/tcp is published, preferring IPv4:
    /// how the engine reaches a database whose host port was left to Docker.
    pub fn host_port(&self, container_port: u16) -> Option<(String, u16)> {
        let mut candidates: Vec<&PublishedPort> = self
            .ports
            .iter()
            .filter(|p| p.container_port == container_port && p.protocol == Protocol::Tcp)
            .collect();
        candidates.sort_by_key(|p| {
            p.host_ip
                .parse::<IpAddr>()
                .map_or(2, |ip| u8::from(ip.is_ipv6()))
        });
        candidates.first().map(|p| (p.host_ip.clone(), p.host_port))
    }

    /// Where a client on this host reaches `container_port`/tcp: like
    /// [`host_port`](Self::host_port), with a binding on every interface (`0.0.0.0`, `::`)
    /// turned into the loopback address, which is one of them.
    pub fn local_endpoint(&self, container_port: u16) -> Option<(String, u16)> {
        self.host_port(container_port).map(|(ip, port)| {
            let ip = match ip.parse::<IpAddr>() {
                Ok(IpAddr::V4(v4)) if v4.is_unspecified() => "127.0.0.1".to_owned(),
                Ok(IpAddr::V6(v6)) if v6.is_unspecified() => "::1".to_owned(),
                _ if ip.is_empty() => "127.0.0.1".to_owned(),
                _ => ip,
            };
            (ip, port)
        })
    }

    pub(crate) fn from_inspect(raw: ContainerInspectResponse) -> ContainerInfo {
        let config = raw.config.unwrap_or_default();
        let state = raw.state.unwrap_or_default();
        let exit_code = state.exit_code.unwrap_or(0);
        let status = match state.status {
            Some(ContainerStateStatusEnum::CREATED) => ContainerState::Created,
            Some(ContainerStateStatusEnum::RUNNING) => ContainerState::Running,
            Some(ContainerStateStatusEnum::PAUSED) => ContainerState::Paused,
            Some(ContainerStateStatusEnum::RESTARTING) => ContainerState::Restarting,
            Some(ContainerStateStatusEnum::REMOVING) => ContainerState::Removing,
            Some(ContainerStateStatusEnum::EXITED) => ContainerState::Exited { exit_code },
            Some(ContainerStateStatusEnum::DEAD) => ContainerState::Dead,
            Some(other) => ContainerState::Other(other.to_string()),
            None => ContainerState::Other("unknown".to_owned()),
        };
        let health = state.health.and_then(|h| match h.status {
            Some(HealthStatusEnum::STARTING) => Some(Health::Starting),
            Some(HealthStatusEnum::HEALTHY) => Some(Health::Healthy),
            Some(HealthStatusEnum::UNHEALTHY) => Some(Health::Unhealthy {
                failing_streak: h.failing_streak.unwrap_or(0),
                last_output: h
                    .log
                    .and_then(|log| log.into_iter().last())
                    .and_then(|r| r.output)
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
            }),
            _ => None,
        });
        let mut ports = Vec::new();
        for (key, bindings) in raw
            .network_settings
            .and_then(|n| n.ports)
            .unwrap_or_default()
        {
            let (port, proto) = key.split_once('/').unwrap_or((&key, "tcp"));
            let (Ok(container_port), Some(protocol)) = (port.parse(), Protocol::parse(proto))
            else {
                continue;
            };
            for binding in bindings.unwrap_or_default() {
                let Some(host_port) = binding.host_port.and_then(|p| p.parse().ok()) else {
                    continue;
                };
                ports.push(PublishedPort {
                    container_port,
                    protocol,
                    host_ip: binding.host_ip.unwrap_or_default(),
                    host_port,
                });
            }
        }
        ports.sort_by(|a, b| {
            (a.container_port, a.protocol, &a.host_ip).cmp(&(
                b.container_port,
                b.protocol,
                &b.host_ip,
            ))
        });
        let mounts = raw
            .mounts
            .unwrap_or_default()
            .into_iter()
            .map(|m| MountInfo {
                kind: match m.typ.as_deref() {
                    Some("volume") => MountKind::Volume,
                    Some("bind") => MountKind::Bind,
                    Some("tmpfs") => MountKind::Tmpfs,
                    _ => MountKind::Other,
                },
                name: m.name.filter(|n| !n.is_empty()),
                source: m.source.unwrap_or_default(),
                destination: m.destination.unwrap_or_default(),
                read_only: !m.rw.unwrap_or(true),
            })
            .collect();
        let mut command: Vec<String> = raw.path.into_iter().collect();
        command.extend(raw.args.unwrap_or_default());
        ContainerInfo {
            id: raw.id.unwrap_or_default(),
            name: raw
                .name
                .unwrap_or_default()
                .trim_start_matches('/')
                .to_owned(),
            image: config.image.unwrap_or_default(),
            image_id: raw.image.unwrap_or_default(),
            state: status,
            health,
            started_at: state
                .started_at
                .filter(|s| !s.is_empty() && !s.starts_with("0001-")),
            labels: config.labels.unwrap_or_default().into_iter().collect(),
            ports,
            mounts,
            command,
        }
    }
}

/// One line of `docker ps -a`: enough to find and clean up containers by label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerSummary {
    pub id: String,
    pub name: String,
    pub image: String,
    /// `running`, `exited`, ... as the engine wrote it.
    pub state: String,
    pub labels: BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_ports(ports: &[(u16, &str, u16)]) -> ContainerInfo {
        ContainerInfo {
            id: String::new(),
            name: "db".into(),
            image: "postgres:15".into(),
            image_id: String::new(),
            state: ContainerState::Running,
            health: None,
            started_at: None,
            labels: BTreeMap::new(),
            ports: ports
                .iter()
                .map(|(c, ip, h)| PublishedPort {
                    container_port: *c,
                    protocol: Protocol::Tcp,
                    host_ip: (*ip).to_owned(),
                    host_port: *h,
                })
                .collect(),
            mounts: Vec::new(),
            command: Vec::new(),
        }
    }

    #[test]
    fn ipv4_is_preferred_and_wildcards_become_loopback() {
        let info = with_ports(&[
            (5432, "::", 32769),
            (5432, "0.0.0.0", 32768),
            (9187, "127.0.0.1", 9187),
        ]);
        assert_eq!(info.host_port(5432), Some(("0.0.0.0".to_owned(), 32768)));
        assert_eq!(
            info.local_endpoint(5432),
            Some(("127.0.0.1".to_owned(), 32768))
        );
        assert_eq!(
            info.local_endpoint(9187),
            Some(("127.0.0.1".to_owned(), 9187))
        );
        assert_eq!(info.host_port(80), None);
        let v6 = with_ports(&[(5432, "::", 5432)]);
        assert_eq!(v6.local_endpoint(5432), Some(("::1".to_owned(), 5432)));
    }

    #[test]
    fn states_read_well_in_messages() {
        assert_eq!(
            ContainerState::Exited { exit_code: 1 }.to_string(),
            "exited with code 1"
        );
        assert_eq!(ContainerState::Created.to_string(), "created");
        assert!(ContainerState::Restarting.is_running());
        assert!(!ContainerState::Paused.is_running());
    }
}
