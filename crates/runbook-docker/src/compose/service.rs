//! One service of a compose file turned into a [`ContainerSpec`].
//!
//! Reads the settings that decide what runs and what it keeps (image, name, environment,
//! ports, volumes, command, labels, `shm_size`). Settings that only matter to Compose itself
//! (`healthcheck`, `restart`, `depends_on`, ...) are ignored with a warning; anything else is
//! refused by name, because starting a container that silently lacks, say, its `entrypoint`
//! would not be the container the runbook was written for.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use super::dotenv;
use super::interpolate::interpolate;
use super::project::ComposeProject;
use super::shell_words;
use super::yaml::{Node, Value};
use crate::errors::ComposeError;
use crate::mount::{VolumeMount, VolumeSource, check_volume_name};
use crate::spec::{ContainerSpec, check_container_name};
use runbook_values::{PortMapping, Protocol, parse_port_mapping, parse_size};

const SUPPORTED: &str =
    "image, container_name, environment, env_file, ports, volumes, command, labels and shm_size";

/// Keys that change nothing about the container itself, or that runbook cannot honour but
/// whose absence does not change what runs (the container joins the default network).
const IGNORED: &[&str] = &[
    "healthcheck",
    "restart",
    "depends_on",
    "logging",
    "profiles",
    "deploy",
    "expose",
    "stop_grace_period",
    "networks",
    "build",
    "pull_policy",
    "platform",
];

pub(crate) struct ServiceReader<'p, 'env> {
    project: &'p ComposeProject<'env>,
    service: &'p str,
    pub(crate) warnings: Vec<String>,
}

impl<'p, 'env> ServiceReader<'p, 'env> {
    pub(crate) fn new(project: &'p ComposeProject<'env>, service: &'p str) -> Self {
        ServiceReader {
            project,
            service,
            warnings: Vec::new(),
        }
    }

    /// Reads the service whose name is `key` and settings `node`.
    pub(crate) fn read(&mut self, key: &Node, node: &Node) -> Result<ContainerSpec, ComposeError> {
        let Value::Map(entries) = &node.value else {
            return Err(self.at(
                node,
                format!(
                    "expected the settings of service '{}', found {}",
                    self.service,
                    node.kind()
                ),
            ));
        };
        let mut spec = ContainerSpec::default();
        let mut env_from_files = BTreeMap::new();
        let mut environment = BTreeMap::new();
        let mut image = None;
        let mut name = None;
        for (key_node, value) in entries {
            let Some(key) = key_node.scalar_text() else {
                return Err(self.at(key_node, "expected a setting name"));
            };
            match key {
                "image" => image = Some((self.string(value, "image")?, value)),
                "container_name" => {
                    let text = self.string(value, "container_name")?;
                    check_container_name(&text).map_err(|e| self.at(value, e.to_string()))?;
                    name = Some(text);
                }
                "environment" => environment = self.environment(value)?,
                "env_file" => env_from_files = self.env_files(value)?,
                "ports" => spec.ports = self.ports(value)?,
                "volumes" => spec.volumes = self.volumes(value)?,
                "command" => spec.command = Some(self.command(value)?),
                "labels" => spec.labels = self.labels(value)?,
                "shm_size" => {
                    let text = self.string(value, "shm_size")?;
                    spec.shm_size =
                        Some(parse_size(&text).map_err(|e| self.at(value, e.to_string()))?);
                }
                k if k.starts_with("x-") => {}
                k if IGNORED.contains(&k) => {
                    let has_image = entries
                        .iter()
                        .any(|(k, _)| k.scalar_text() == Some("image"));
                    if k == "build" && !has_image {
                        return Err(self.at(
                            key_node,
                            format!("service '{}' has 'build' but no 'image': runbook does not build images; build it first and set image:", self.service),
                        ));
                    }
                    self.warnings.push(format!(
                        "{}:{}: '{k}' of service '{}' is ignored",
                        self.project.shown_path.display(),
                        key_node.pos.line,
                        self.service
                    ));
                }
                other => {
                    return Err(self.at(
                        key_node,
                        format!(
                            "service '{}' uses '{other}', which runbook cannot apply; it reads {SUPPORTED}",
                            self.service
                        ),
                    ));
                }
            }
        }
        let Some((image, image_node)) = image else {
            return Err(self.at(key, format!("service '{}' has no 'image'", self.service)));
        };
        if image.trim().is_empty() {
            return Err(self.at(image_node, "the image is empty"));
        }
        spec.image = image;
        spec.env = env_from_files;
        spec.env.extend(environment);
        spec.name = name.unwrap_or_else(|| format!("{}-{}-1", self.project.name, self.service));
        self.add_compose_labels(&mut spec);
        Ok(spec)
    }

    /// The labels `docker compose ps` and `docker compose ls` look for.
    fn add_compose_labels(&self, spec: &mut ContainerSpec) {
        let hash = config_hash(spec);
        let p = self.project;
        let mut labels = vec![
            ("com.docker.compose.project", p.name.clone()),
            ("com.docker.compose.service", self.service.to_owned()),
            ("com.docker.compose.container-number", "1".to_owned()),
            ("com.docker.compose.oneoff", "False".to_owned()),
            ("com.docker.compose.config-hash", hash),
            (
                "com.docker.compose.project.config_files",
                p.file.display().to_string(),
            ),
            (
                "com.docker.compose.project.working_dir",
                p.dir.display().to_string(),
            ),
        ];
        if let Some(env_file) = &p.env_file {
            labels.push((
                "com.docker.compose.project.environment_file",
                env_file.display().to_string(),
            ));
        }
        for (k, v) in labels {
            spec.labels.insert(k.to_owned(), v);
        }
        spec.volume_labels
            .insert("com.docker.compose.project".to_owned(), p.name.clone());
    }

    fn at(&self, node: &Node, message: impl Into<String>) -> ComposeError {
        self.project.at(node, message)
    }

    fn interpolate(&mut self, node: &Node, text: &str) -> Result<String, ComposeError> {
        let lookup = |name: &str| self.project.lookup(name);
        let mut warnings = Vec::new();
        let out = interpolate(text, &lookup, &mut warnings).map_err(|m| self.at(node, m))?;
        for w in warnings {
            let w = format!(
                "{}:{}: {w}",
                self.project.shown_path.display(),
                node.pos.line
            );
            if !self.warnings.contains(&w) {
                self.warnings.push(w);
            }
        }
        Ok(out)
    }

    /// A scalar, interpolated.
    fn string(&mut self, node: &Node, what: &str) -> Result<String, ComposeError> {
        match &node.value {
            Value::Scalar { text, .. } => self.interpolate(node, text),
            _ => Err(self.at(
                node,
                format!("expected a value for '{what}', found {}", node.kind()),
            )),
        }
    }

    fn list<'n>(&self, node: &'n Node, what: &str) -> Result<&'n [Node], ComposeError> {
        match &node.value {
            Value::Seq(items) => Ok(items),
            Value::Null => Ok(&[]),
            _ => Err(self.at(
                node,
                format!("expected a list for '{what}', found {}", node.kind()),
            )),
        }
    }

    /// `environment:` as a mapping or a list of `KEY=VALUE`; a key without a value takes the
    /// variable from the environment, or is left out when it is not set there.
    fn environment(&mut self, node: &Node) -> Result<BTreeMap<String, String>, ComposeError> {
        let mut out = BTreeMap::new();
        match &node.value {
            Value::Map(entries) => {
                for (k, v) in entries {
                    let key = k
                        .scalar_text()
                        .ok_or_else(|| self.at(k, "expected a variable name"))?
                        .to_owned();
                    match &v.value {
                        Value::Null => {
                            if let Some(value) = self.project.lookup(&key) {
                                out.insert(key, value);
                            }
                        }
                        Value::Scalar { .. } => {
                            let value = self.string(v, &key)?;
                            out.insert(key, value);
                        }
                        _ => {
                            return Err(self
                                .at(v, format!("expected a value for {key}, found {}", v.kind())));
                        }
                    }
                }
            }
            Value::Seq(items) => {
                for item in items {
                    let text = self.string(item, "environment")?;
                    match text.split_once('=') {
                        Some((k, v)) => {
                            out.insert(k.to_owned(), v.to_owned());
                        }
                        None => {
                            if let Some(value) = self.project.lookup(&text) {
                                out.insert(text, value);
                            }
                        }
                    }
                }
            }
            Value::Null => {}
            Value::Scalar { .. } => {
                return Err(self.at(
                    node,
                    "expected a mapping or a list of KEY=VALUE for 'environment'",
                ));
            }
        }
        Ok(out)
    }

    fn env_files(&mut self, node: &Node) -> Result<BTreeMap<String, String>, ComposeError> {
        let entries: Vec<(&Node, bool)> = match &node.value {
            Value::Scalar { .. } => vec![(node, true)],
            Value::Seq(items) => {
                let mut out = Vec::new();
                for item in items {
                    match &item.value {
                        Value::Scalar { .. } => out.push((item, true)),
                        Value::Map(_) => {
                            let path = item.get("path").ok_or_else(|| {
                                self.at(item, "expected 'path' in the env_file entry")
                            })?;
                            let required = item
                                .get("required")
                                .and_then(Node::scalar_text)
                                .is_none_or(|t| t != "false");
                            out.push((path, required));
                        }
                        _ => {
                            return Err(self
                                .at(item, format!("expected a file name, found {}", item.kind())));
                        }
                    }
                }
                out
            }
            _ => {
                return Err(self.at(
                    node,
                    format!(
                        "expected a file name or a list for 'env_file', found {}",
                        node.kind()
                    ),
                ));
            }
        };
        let mut vars = BTreeMap::new();
        for (path_node, required) in entries {
            let relative = self.string(path_node, "env_file")?;
            let path = self.host_path(path_node, &relative)?;
            let text = match super::read_text(&path) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => continue,
                Err(e) => {
                    return Err(self.at(
                        path_node,
                        format!("cannot read env file {}: {e}", path.display()),
                    ));
                }
            };
            let lookup = |name: &str| self.project.lookup(name);
            let mut warnings = Vec::new();
            let parsed =
                dotenv::parse(&text, &lookup, &mut warnings).map_err(|e| ComposeError::At {
                    path: path.clone(),
                    line: e.line,
                    column: 1,
                    message: e.message,
                })?;
            self.warnings.extend(warnings);
            vars.extend(parsed);
        }
        Ok(vars)
    }

    fn ports(&mut self, node: &Node) -> Result<Vec<PortMapping>, ComposeError> {
        let mut out = Vec::new();
        for item in self.list(node, "ports")? {
            match &item.value {
                Value::Scalar { .. } => {
                    let text = self.string(item, "ports")?;
                    out.push(parse_port_mapping(&text).map_err(|e| self.at(item, e.to_string()))?);
                }
                Value::Map(_) => out.push(self.long_port(item)?),
                _ => {
                    return Err(self.at(
                        item,
                        format!("expected a port mapping, found {}", item.kind()),
                    ));
                }
            }
        }
        Ok(out)
    }

    /// The long syntax: `{target, published, host_ip, protocol}`.
    fn long_port(&mut self, item: &Node) -> Result<PortMapping, ComposeError> {
        let number =
            |this: &mut Self, key: &str, allow_zero: bool| -> Result<Option<u16>, ComposeError> {
                let Some(n) = item.get(key) else {
                    return Ok(None);
                };
                let text = this.string(n, key)?;
                if text.is_empty() {
                    return Ok(None);
                }
                match text.parse::<u16>() {
                    Ok(0) if !allow_zero => Err(this.at(n, format!("invalid {key} port '0'"))),
                    Ok(p) => Ok(Some(p)),
                    Err(_) => Err(this.at(
                        n,
                        format!("invalid {key} port '{text}': expected a number from 1 to 65535"),
                    )),
                }
            };
        let container_port = number(self, "target", false)?
            .ok_or_else(|| self.at(item, "expected 'target' (the container port)"))?;
        let host_port = number(self, "published", true)?.unwrap_or(0);
        let host_ip = match item.get("host_ip") {
            Some(n) => {
                let text = self.string(n, "host_ip")?;
                Some(text.parse().map_err(|_| {
                    self.at(
                        n,
                        format!("invalid host_ip '{text}': expected an IP address"),
                    )
                })?)
            }
            None => None,
        };
        let protocol = match item.get("protocol") {
            Some(n) => {
                let text = self.string(n, "protocol")?;
                Protocol::parse(&text).ok_or_else(|| {
                    self.at(
                        n,
                        format!("unknown protocol '{text}'; expected tcp, udp or sctp"),
                    )
                })?
            }
            None => Protocol::Tcp,
        };
        Ok(PortMapping {
            host_ip,
            host_port,
            container_port,
            protocol,
        })
    }

    fn volumes(&mut self, node: &Node) -> Result<Vec<VolumeMount>, ComposeError> {
        let mut out = Vec::new();
        for item in self.list(node, "volumes")? {
            let mount = match &item.value {
                Value::Scalar { .. } => {
                    let text = self.string(item, "volumes")?;
                    self.short_volume(item, &text)?
                }
                Value::Map(_) => self.long_volume(item)?,
                _ => return Err(self.at(item, format!("expected a volume, found {}", item.kind()))),
            };
            out.push(mount);
        }
        Ok(out)
    }

    fn short_volume(&mut self, item: &Node, text: &str) -> Result<VolumeMount, ComposeError> {
        let bad = |this: &Self, problem: &str| {
            this.at(item, format!("invalid volume '{text}': {problem}; expected NAME:/PATH[:ro], ./HOST/PATH:/PATH[:ro] or /PATH"))
        };
        let parts: Vec<&str> = text.split(':').collect();
        let (source, target, mode) = match parts.as_slice() {
            [target] => (None, *target, None),
            [source, target] => (Some(*source), *target, None),
            [source, target, mode] => (Some(*source), *target, Some(*mode)),
            _ => return Err(bad(self, "too many ':'")),
        };
        if !target.starts_with('/') {
            return Err(bad(
                self,
                &format!("the container path '{target}' is not absolute"),
            ));
        }
        let read_only = match mode {
            None | Some("rw") => false,
            Some(m) if m.split(',').all(|o| matches!(o, "ro" | "rw" | "z" | "Z")) => {
                m.split(',').any(|o| o == "ro")
            }
            Some(m) => return Err(bad(self, &format!("unknown mode '{m}'"))),
        };
        let source = match source {
            None => VolumeSource::Anonymous,
            Some(s) if is_host_path(s) => VolumeSource::Bind(self.host_path(item, s)?),
            Some(s) => VolumeSource::Named(self.volume_name(item, s)?),
        };
        Ok(VolumeMount {
            source,
            target: target.to_owned(),
            read_only,
        })
    }

    fn long_volume(&mut self, item: &Node) -> Result<VolumeMount, ComposeError> {
        let kind = match item.get("type") {
            Some(n) => self.string(n, "type")?,
            None => "volume".to_owned(),
        };
        let target_node = item
            .get("target")
            .ok_or_else(|| self.at(item, "expected 'target' (the path in the container)"))?;
        let target = self.string(target_node, "target")?;
        if !target.starts_with('/') {
            return Err(self.at(
                target_node,
                format!("the container path '{target}' is not absolute"),
            ));
        }
        let read_only = item
            .get("read_only")
            .and_then(Node::scalar_text)
            .is_some_and(|t| t == "true");
        let source = match (kind.as_str(), item.get("source")) {
            ("volume", None) => VolumeSource::Anonymous,
            ("volume", Some(n)) => {
                let s = self.string(n, "source")?;
                VolumeSource::Named(self.volume_name(n, &s)?)
            }
            ("bind", Some(n)) => {
                let s = self.string(n, "source")?;
                VolumeSource::Bind(self.host_path(n, &s)?)
            }
            ("bind", None) => return Err(self.at(item, "a bind mount needs 'source'")),
            (other, _) => {
                return Err(self.at(
                    item,
                    format!("volume type '{other}' is not supported; expected volume or bind"),
                ));
            }
        };
        Ok(VolumeMount {
            source,
            target,
            read_only,
        })
    }

    /// The engine's name of a named volume: declared at the top level, prefixed with the
    /// project unless it is external or has its own `name:`.
    fn volume_name(&mut self, node: &Node, short: &str) -> Result<String, ComposeError> {
        let declared = self
            .project
            .root
            .get("volumes")
            .filter(|v| matches!(v.value, Value::Map(_)))
            .and_then(|v| v.get(short))
            .cloned();
        let Some(declared) = declared else {
            return Err(self.at(
                node,
                format!(
                    "named volume '{short}' is used in service '{}' but is not declared in the top-level volumes section",
                    self.service
                ),
            ));
        };
        let external = declared.get("external");
        let explicit = match declared.get("name") {
            Some(n) => Some(self.string(n, "name")?),
            None => match external.and_then(|e| e.get("name")) {
                Some(n) => Some(self.string(n, "name")?),
                None => None,
            },
        };
        let is_external = external
            .is_some_and(|e| e.scalar_text() == Some("true") || matches!(e.value, Value::Map(_)));
        let name = match explicit {
            Some(name) => name,
            None if is_external => short.to_owned(),
            None => format!("{}_{short}", self.project.name),
        };
        check_volume_name(&name)
            .map_err(|problem| self.at(node, format!("invalid volume '{name}': {problem}")))?;
        Ok(name)
    }

    /// A host path from the file, made absolute against the file's directory (`~` is HOME).
    fn host_path(&self, node: &Node, text: &str) -> Result<PathBuf, ComposeError> {
        let path = if text == "~" || text.starts_with("~/") {
            let home = self.project.lookup("HOME").ok_or_else(|| {
                self.at(
                    node,
                    format!("cannot expand '~' in '{text}': HOME is not set"),
                )
            })?;
            PathBuf::from(home).join(text.trim_start_matches('~').trim_start_matches('/'))
        } else {
            self.project.dir.join(text)
        };
        Ok(normalize(&path))
    }

    fn command(&mut self, node: &Node) -> Result<Vec<String>, ComposeError> {
        match &node.value {
            Value::Scalar { .. } => {
                let text = self.string(node, "command")?;
                shell_words::split(&text).map_err(|m| self.at(node, m))
            }
            Value::Seq(items) => items.iter().map(|i| self.string(i, "command")).collect(),
            _ => Err(self.at(
                node,
                format!("expected a command line or a list, found {}", node.kind()),
            )),
        }
    }

    fn labels(&mut self, node: &Node) -> Result<BTreeMap<String, String>, ComposeError> {
        let mut out = BTreeMap::new();
        match &node.value {
            Value::Map(entries) => {
                for (k, v) in entries {
                    let key = k
                        .scalar_text()
                        .ok_or_else(|| self.at(k, "expected a label name"))?
                        .to_owned();
                    let value = match &v.value {
                        Value::Null => String::new(),
                        _ => self.string(v, &key)?,
                    };
                    out.insert(key, value);
                }
            }
            Value::Seq(items) => {
                for item in items {
                    let text = self.string(item, "labels")?;
                    let (k, v) = text.split_once('=').unwrap_or((&text, ""));
                    out.insert(k.to_owned(), v.to_owned());
                }
            }
            Value::Null => {}
            Value::Scalar { .. } => {
                return Err(self.at(
                    node,
                    "expected a mapping or a list of KEY=VALUE for 'labels'",
                ));
            }
        }
        Ok(out)
    }
}

fn is_host_path(source: &str) -> bool {
    source.starts_with('/') || source.starts_with('.') || source.starts_with('~')
}

/// Removes `.` and `..` without touching the file system (the path may not exist yet).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A digest of everything that decides what the container is, so that a changed compose file
/// shows as a changed hash (Compose uses the label the same way).
fn config_hash(spec: &ContainerSpec) -> String {
    let mut hasher = Sha256::new();
    let mut field = |name: &str, value: &str| {
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update(value.as_bytes());
        hasher.update([0]);
    };
    field("image", &spec.image);
    for (k, v) in &spec.env {
        field("env", &format!("{k}={v}"));
    }
    for p in &spec.ports {
        field("port", &p.to_string());
    }
    for v in &spec.volumes {
        field("volume", &v.to_string());
    }
    for c in spec.command.iter().flatten() {
        field("command", c);
    }
    for (k, v) in &spec.labels {
        field("label", &format!("{k}={v}"));
    }
    field(
        "shm_size",
        &spec.shm_size.map(|s| s.to_string()).unwrap_or_default(),
    );
    hex::encode(hasher.finalize())
}
