//! `container_start`: bring up the database container (create it from an image, or start the
//! existing one, or a Compose service) and wait until it accepts connections.

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;

use indexmap::IndexMap;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer};

use crate::byte_size::ByteSize;
use crate::duration::Duration;
use crate::qualified_name::visit_name;
use crate::redacted_env::RedactedEnv;
use crate::steps::kind::{KindSpec, Needs, StepCx};

/// Starts a container.
#[derive(Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContainerStart {
    /// Image to create the container from when it does not exist (nothing is pulled: it must be
    /// present). Without image or compose, the container must already exist.
    pub image: Option<String>,
    /// Container name; defaults to the target's container.
    pub name: Option<String>,
    /// Environment variables of a new container.
    #[serde(default)]
    #[schemars(with = "IndexMap<String, crate::schema::TextValue>")]
    pub env: IndexMap<String, String>,
    /// Published ports: CONTAINER, HOST:CONTAINER or IP:HOST:CONTAINER, optionally /tcp or /udp.
    /// Host port 0 picks a free port.
    #[serde(default)]
    pub ports: Vec<PortMapping>,
    /// Mounts: VOLUME:/path or /host/path:/path, optionally :ro.
    #[serde(default)]
    pub volumes: Vec<VolumeMount>,
    /// Command of a new container (default: the image's).
    pub command: Option<Vec<String>>,
    /// Labels of a new container.
    #[serde(default)]
    #[schemars(with = "IndexMap<String, crate::schema::TextValue>")]
    pub labels: IndexMap<String, String>,
    /// Size of /dev/shm (Docker's default 64m is too small for real loads), e.g. 1g.
    pub shm_size: Option<ByteSize>,
    /// How long to wait for the database to accept connections.
    #[serde(default = "default_wait")]
    #[schemars(extend("default" = "60s"))]
    pub wait: Duration,
    /// Start a service of a Compose file instead (instead of image, env, ports and volumes).
    pub compose: Option<Compose>,
}

fn default_wait() -> Duration {
    Duration::from_secs(60)
}

/// A service of a Compose file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Compose {
    /// The Compose file, e.g. docker-compose.yml.
    pub file: PathBuf,
    /// The service to start, e.g. db.
    pub service: String,
}

/// A published port, as `docker run -p` takes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PortMapping {
    pub host_ip: Option<String>,
    /// `None`: only the container port was written; like `docker run -p 5432`, it is still
    /// published, on a free host port Docker chooses. `Some(0)`: the same, written explicitly.
    pub host_port: Option<u16>,
    pub container_port: u16,
    /// `tcp` or `udp`.
    pub protocol: String,
}

impl PortMapping {
    /// `docker run -p`'s syntax, by the parser the Docker adapter uses too
    /// (`runbook_values::parse_port_mapping`). An address must be an IP address: Docker binds to
    /// addresses, not host names, and refuses `localhost:5432:5432` only when the container is
    /// created; `validate` says so instead.
    pub fn parse(text: &str) -> Result<Self, String> {
        let parsed = runbook_values::parse_port_mapping(text).map_err(|e| e.to_string())?;
        Ok(Self {
            host_ip: parsed.host_ip.map(|ip| ip.to_string()),
            // Only a mapping without ':' names no host port.
            host_port: text.contains(':').then_some(parsed.host_port),
            container_port: parsed.container_port,
            protocol: parsed.protocol.as_str().to_owned(),
        })
    }
}

impl fmt::Display for PortMapping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.host_ip, self.host_port) {
            (Some(ip), Some(host)) if ip.contains(':') => write!(f, "[{ip}]:{host}:")?,
            (Some(ip), Some(host)) => write!(f, "{ip}:{host}:")?,
            (None, Some(host)) => write!(f, "{host}:")?,
            _ => {}
        }
        write!(f, "{}/{}", self.container_port, self.protocol)
    }
}

/// A mount, as `docker run -v` takes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VolumeMount {
    /// A named volume, or a host path (absolute or starting with `.`).
    pub source: String,
    /// Path inside the container.
    pub target: String,
    pub read_only: bool,
}

impl VolumeMount {
    /// `docker run -v`'s short syntax, by the grammar the Docker adapter uses too
    /// (`runbook_values::parse_mount`): a named volume must follow Docker's name rule, so that
    /// validate finds what the run would stop at. A relative host path (`./init`) is resolved
    /// by the engine; a mount with no source (an anonymous volume) is not taken here.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mount = runbook_values::parse_mount(text).map_err(|e| e.to_string())?;
        let source = match mount.source {
            runbook_values::MountSource::Named(s) | runbook_values::MountSource::HostPath(s) => s,
            runbook_values::MountSource::Anonymous => {
                return Err(format!(
                    "invalid volume '{text}': expected SOURCE:/path/in/container (a volume name or a host path), optionally :ro"
                ));
            }
        };
        Ok(Self {
            source: source.to_owned(),
            target: mount.target.to_owned(),
            read_only: mount.read_only,
        })
    }

    /// Named volumes are Docker's to manage (and to remove with `volume_remove`); bind mounts are
    /// host directories.
    pub fn is_named_volume(&self) -> bool {
        !(self.source.starts_with('/')
            || self.source.starts_with('.')
            || self.source.starts_with('~'))
    }
}

impl fmt::Display for VolumeMount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}{}",
            self.source,
            self.target,
            if self.read_only { ":ro" } else { "" }
        )
    }
}

impl<'de> Deserialize<'de> for PortMapping {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        visit_name(
            deserializer,
            "a port such as 127.0.0.1:5432:5432",
            PortMapping::parse,
        )
    }
}

impl JsonSchema for PortMapping {
    fn schema_name() -> Cow<'static, str> {
        "PortMapping".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "CONTAINER, HOST:CONTAINER or IP:HOST:CONTAINER, optionally /tcp or /udp; host port 0 picks a free port.",
            "type": ["string", "integer"],
            "examples": ["127.0.0.1:5432:5432", "55432:5432"]
        })
    }
}

impl<'de> Deserialize<'de> for VolumeMount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        visit_name(
            deserializer,
            "a mount such as pgdata:/var/lib/postgresql/data",
            VolumeMount::parse,
        )
    }
}

impl JsonSchema for VolumeMount {
    fn schema_name() -> Cow<'static, str> {
        "VolumeMount".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "VOLUME:/path or /host/path:/path, optionally :ro.",
            "type": "string",
            "examples": ["opendolphin-pgdata:/var/lib/postgresql/data"]
        })
    }
}

/// Which part of a `container_start` entry a `${...}` reference may not decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    /// A `volumes:` entry whose source is written with a reference.
    VolumeSource,
    /// A `ports:` entry written with a reference.
    Port,
}

/// The `volumes:` and `ports:` entries of `container_start` steps written with a `${...}`
/// reference, found before interpolation: once substituted, the text no longer says what its
/// author wrote. A volume source like `${vars.volume}` given `./dir` or `/` would turn a named
/// volume into a bind mount of a host tree (which the Postgres image then re-owns), and a port
/// given `0.0.0.0:5432` would publish the database on every interface. So a referenced volume
/// source must give a volume name (host paths are written literally), and a referenced port may
/// not bring an address other than a loopback one (`0.0.0.0:` is written literally).
pub(crate) fn referenced_entries(
    tree: &crate::yaml::tree::Tree,
    steps_node: Option<crate::yaml::tree::NodeId>,
) -> Vec<(crate::yaml::tree::NodeId, Slot)> {
    let mut nodes = Vec::new();
    for &step in steps_node.map(|s| tree.items(s)).unwrap_or_default() {
        if tree.get(step, "kind").and_then(|(_, k)| tree.text(k)) != Some("container_start") {
            continue;
        }
        for (key, slot) in [("volumes", Slot::VolumeSource), ("ports", Slot::Port)] {
            let entries = tree
                .get(step, key)
                .map(|(_, v)| tree.items(v))
                .unwrap_or_default();
            for &entry in entries {
                let Some(text) = tree.text(entry) else {
                    continue;
                };
                let decided = match slot {
                    Slot::VolumeSource => text.split(':').next().unwrap_or_default(),
                    Slot::Port => text,
                };
                if has_reference(decided) {
                    nodes.push((entry, slot));
                }
            }
        }
    }
    nodes
}

/// After interpolation: each entry [`referenced_entries`] found must still mean what a
/// reference may mean there.
pub(crate) fn check_referenced_entries(
    tree: &crate::yaml::tree::Tree,
    nodes: &[(crate::yaml::tree::NodeId, Slot)],
    diags: &mut crate::load::diagnostics::Diagnostics,
) {
    for &(node, slot) in nodes {
        let Some(text) = tree.text(node) else {
            continue;
        };
        let problem = match slot {
            Slot::VolumeSource => {
                let source = text.split(':').next().unwrap_or_default();
                (!is_volume_name(source)).then(|| format!(
                    "invalid volume '{text}': its source comes from a ${{...}} reference, which must give a volume name (letters, digits, '_', '.' and '-', at least 2 characters, starting with a letter or digit), and gave '{source}'; a host directory is mounted only when its path is written in the runbook itself"
                ))
            }
            Slot::Port => PortMapping::parse(text)
                .ok()
                .and_then(|p| p.host_ip)
                .filter(|ip| !ip.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback()))
                .map(|ip| format!(
                    "invalid port '{text}': a ${{...}} reference gave it the address {ip}; publishing beyond this machine (0.0.0.0 or another address) must be written in the runbook itself"
                )),
        };
        if let Some(message) = problem {
            diags.error(tree.node(node).pos, message);
        }
    }
}

/// Whether `text` holds a `${` reference (not a `$${` escape).
fn has_reference(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'$' && bytes[i + 1] == b'$' {
            i += 2;
        } else if bytes[i] == b'$' && bytes[i + 1] == b'{' {
            return true;
        } else {
            i += 1;
        }
    }
    false
}

/// Reports a container or volume name that Docker's grammar refuses, at `path` (the step's
/// own key, or the step when the name came from its target). The engine checks again before
/// any request, and percent-encodes: a name like `adv-anon/json?x=` was pasted into the Engine
/// API's path and addressed the container `adv-anon`.
pub(crate) fn check_docker_name(cx: &mut StepCx<'_>, path: &[&str], what: &str, name: &str) {
    if !is_volume_name(name) {
        let message = format!(
            "invalid {what} '{name}' in {}; expected letters, digits, '_', '.' or '-', at least 2 characters, starting with a letter or digit",
            cx.label()
        );
        cx.error(path, message);
    }
}

/// Docker's rule for volume names (and container names), as the Docker adapter checks it.
pub(crate) use runbook_values::is_docker_name as is_volume_name;

/// Environment variable names must be usable in a shell and by Docker.
pub(crate) fn check_env_names(cx: &mut StepCx<'_>, env: &IndexMap<String, String>) {
    for name in env.keys() {
        if name.is_empty() || name.contains('=') || name.contains('\0') {
            let message = format!(
                "invalid environment variable name '{name}' in 'env' of {}",
                cx.label()
            );
            cx.key_error(&["env", name], message);
        }
    }
}

impl fmt::Debug for ContainerStart {
    /// `env` values are hidden: they hold passwords.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContainerStart")
            .field("image", &self.image)
            .field("name", &self.name)
            .field("env", &RedactedEnv(&self.env))
            .field("ports", &self.ports)
            .field("volumes", &self.volumes)
            .field("command", &self.command)
            .field("labels", &self.labels)
            .field("shm_size", &self.shm_size)
            .field("wait", &self.wait)
            .field("compose", &self.compose)
            .finish()
    }
}

impl KindSpec for ContainerStart {
    const KIND: &'static str = "container_start";
    const NEEDS: Needs = Needs::Nothing;

    fn validate(&mut self, cx: &mut StepCx<'_>) {
        if self.compose.is_some() {
            let conflicting: Vec<&str> = [
                ("image", self.image.is_some()),
                ("env", !self.env.is_empty()),
                ("ports", !self.ports.is_empty()),
                ("volumes", !self.volumes.is_empty()),
            ]
            .into_iter()
            .filter_map(|(key, given)| given.then_some(key))
            .collect();
            if !conflicting.is_empty() {
                let message = format!(
                    "{} sets both compose and {}; the Compose file defines those, so give one or the other",
                    cx.label(),
                    conflicting.join(", ")
                );
                cx.error(&["compose"], message);
            }
        }
        if self.name.is_none() {
            self.name = cx.target_container().map(str::to_owned);
        }
        if let Some(name) = self.name.clone() {
            check_docker_name(cx, &["name"], "container name", &name);
        }
        if self.name.is_none() && self.compose.is_none() {
            let message = format!(
                "{} does not say which container to start; add name: CONTAINER or a target with container: CONTAINER",
                cx.label()
            );
            cx.error(&[], message);
        }
        if let Some(command) = &self.command {
            super::shell::check_argv(cx, command);
        }
        check_env_names(cx, &self.env);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_as_docker_writes_them() {
        let p = PortMapping::parse("127.0.0.1:5432:5432").unwrap();
        assert_eq!(
            (p.host_ip.as_deref(), p.host_port, p.container_port),
            (Some("127.0.0.1"), Some(5432), 5432)
        );
        assert_eq!(PortMapping::parse("5432").unwrap().host_port, None);
        assert_eq!(PortMapping::parse("0:5432").unwrap().host_port, Some(0));
        assert_eq!(
            PortMapping::parse("127.0.0.1::5432").unwrap().host_port,
            Some(0)
        );
        assert_eq!(
            PortMapping::parse("[::1]:5433:5432/tcp")
                .unwrap()
                .to_string(),
            "[::1]:5433:5432/tcp"
        );
        assert_eq!(PortMapping::parse("53:53/udp").unwrap().protocol, "udp");
        assert_eq!(
            PortMapping::parse("x:5432").unwrap_err(),
            "invalid port 'x:5432': 'x' is not a port number (1 to 65535)"
        );
        assert_eq!(
            PortMapping::parse("localhost:5432:5432").unwrap_err(),
            "invalid port 'localhost:5432:5432': 'localhost' is not an IP address; expected one like 127.0.0.1"
        );
        assert!(PortMapping::parse("[db]:5432:5432").is_err());
        assert!(PortMapping::parse("1:2:3:4").is_err());
        assert_eq!(
            PortMapping::parse("5432/xyz").unwrap_err(),
            "invalid port '5432/xyz': unknown protocol 'xyz'; expected tcp, udp or sctp"
        );
    }

    #[test]
    fn volumes_as_docker_writes_them() {
        let v = VolumeMount::parse("opendolphin-pgdata:/var/lib/postgresql/data").unwrap();
        assert!(v.is_named_volume() && !v.read_only);
        let b = VolumeMount::parse("./init:/docker-entrypoint-initdb.d:ro").unwrap();
        assert!(!b.is_named_volume() && b.read_only);
        assert_eq!(
            VolumeMount::parse("data:relative").unwrap_err(),
            "invalid volume 'data:relative': the path in the container 'relative' is not absolute"
        );
        assert!(VolumeMount::parse("/just/one").is_err());
        assert_eq!(
            VolumeMount::parse("pg data:/var/lib/postgresql/data").unwrap_err(),
            "invalid volume 'pg data:/var/lib/postgresql/data': 'pg data' is not a valid volume name: expected letters, digits, '_', '.' and '-', at least 2 characters, starting with a letter or digit (or a host path starting with /, ./ or ~/)"
        );
        assert!(VolumeMount::parse("x:/data").is_err());
        assert!(VolumeMount::parse("pg.data_1-a:/data").is_ok());
    }

    fn parse_with(volume_entry: &str, volume: &str) -> Result<crate::Runbook, String> {
        let source = format!(
            "version: 1\nname: vols\nvars:\n  volume: data\ntargets:\n  db: {{ container: box }}\nsteps:\n  - id: start\n    kind: container_start\n    target: db\n    image: postgres:15\n    volumes: [\"{volume_entry}\"]\n"
        );
        let options = crate::ParseOptions {
            vars: [("volume".to_owned(), volume.to_owned())].into(),
            ..crate::ParseOptions::default()
        };
        crate::parse(&source, std::path::Path::new("rb.yaml"), &options).map_err(|e| e.to_string())
    }

    #[test]
    fn a_reference_in_a_volume_source_must_stay_a_volume_name() {
        let entry = "${vars.volume}:/var/lib/postgresql/data";
        assert!(parse_with(entry, "pgdata").is_ok());
        for path in ["./dir", "/", "/etc", "~/x", ".."] {
            let error = parse_with(entry, path).unwrap_err();
            assert!(
                error.contains(&format!(
                    "rb.yaml:12:15: invalid volume '{path}:/var/lib/postgresql/data': its source comes from a ${{...}} reference, which must give a volume name"
                )),
                "{path}: {error}"
            );
        }
        // Host paths written in the runbook itself stay bind mounts; `$${` is no reference.
        assert!(parse_with("./init:/docker-entrypoint-initdb.d:ro", "x").is_ok());
        // A reference inside a host path is refused too: `../..` would leave the directory.
        assert!(parse_with("/srv/${vars.volume}:/data", "pgdata").is_err());
        assert!(!has_reference("a$${b}"));
        assert!(has_reference("a$$${b}"));
    }

    #[test]
    fn container_and_volume_names_follow_dockers_grammar_at_validate_time() {
        let source = "version: 1\nname: names\nvars:\n  c: box\ntargets:\n  db: { container: box }\nsteps:\n  - { id: rm, kind: container_remove, container: \"${vars.c}\", volumes: true }\n  - { id: stop, kind: container_stop, container: \"a b\" }\n  - { id: drop, kind: volume_remove, name: \"x\" }\n";
        let options = crate::ParseOptions {
            vars: [("c".to_owned(), "adv-anon/json?x=".to_owned())].into(),
            ..crate::ParseOptions::default()
        };
        let error = crate::parse(source, std::path::Path::new("rb.yaml"), &options)
            .unwrap_err()
            .to_string();
        for expected in [
            "rb.yaml:8:50: invalid container name 'adv-anon/json?x=' in step 'rm'; expected letters, digits",
            "rb.yaml:9:50: invalid container name 'a b' in step 'stop'",
            "rb.yaml:10:44: invalid volume name 'x' in step 'drop'",
        ] {
            assert!(error.contains(expected), "{expected}\n{error}");
        }
    }

    #[test]
    fn a_reference_in_a_port_may_not_bring_a_public_address() {
        let parse = |port: &str| {
            let source = "version: 1\nname: ports\nvars:\n  port: \"5432\"\ntargets:\n  db: { container: box }\nsteps:\n  - id: start\n    kind: container_start\n    target: db\n    image: postgres:15\n    ports: [\"${vars.port}:5432\"]\n";
            let options = crate::ParseOptions {
                vars: [("port".to_owned(), port.to_owned())].into(),
                ..crate::ParseOptions::default()
            };
            crate::parse(source, std::path::Path::new("rb.yaml"), &options)
                .map_err(|e| e.to_string())
        };
        assert!(parse("55432").is_ok());
        assert!(parse("127.0.0.1:55432").is_ok());
        let error = parse("0.0.0.0:55432").unwrap_err();
        assert!(
            error.contains("rb.yaml:12:13: invalid port '0.0.0.0:55432:5432': a ${...} reference gave it the address 0.0.0.0; publishing beyond this machine (0.0.0.0 or another address) must be written in the runbook itself"),
            "{error}"
        );
    }
}
