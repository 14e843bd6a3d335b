//! A compose file loaded as a project: its name, its `.env`, its services.
//!
//! The project name decides the container name (`<project>-<service>-1`), the volume names
//! (`<project>_<volume>`) and the labels, so it is worked out like Compose does:
//! `COMPOSE_PROJECT_NAME`, else the file's top-level `name:`, else the directory's name,
//! lowercased with everything but `a-z0-9_-` dropped.

use std::fmt;
use std::path::{Path, PathBuf};

use super::dotenv;
use super::interpolate::interpolate;
use super::service::ServiceReader;
use super::yaml::{self, Node, Value};
use crate::errors::ComposeError;
use crate::spec::ContainerSpec;

/// Loads `service` of the compose file `file` as a container spec; `env` answers for the
/// environment (it wins over the `.env` beside the file, as in Compose).
pub fn load_service(
    file: &Path,
    service: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ContainerSpec, ComposeError> {
    Ok(ComposeProject::load(file, env)?.service(service)?.spec)
}

/// A service read from a compose file.
#[derive(Debug, Clone)]
pub struct LoadedService {
    pub spec: ContainerSpec,
    /// What the caller should know but that does not stop the load: settings that were
    /// ignored (`healthcheck`, `restart`, ...), variables that were not set.
    pub warnings: Vec<String>,
}

/// A parsed compose file with what is needed to read its services.
pub struct ComposeProject<'env> {
    pub(crate) name: String,
    /// The file as the caller named it, for messages.
    pub(crate) shown_path: PathBuf,
    /// Absolute path of the file and of its directory, for labels and relative paths.
    pub(crate) file: PathBuf,
    pub(crate) dir: PathBuf,
    pub(crate) env_file: Option<PathBuf>,
    pub(crate) root: Node,
    dotenv: Vec<(String, String)>,
    env: &'env dyn Fn(&str) -> Option<String>,
    pub(crate) warnings: Vec<String>,
}

impl fmt::Debug for ComposeProject<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ComposeProject")
            .field("name", &self.name)
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}

impl<'env> ComposeProject<'env> {
    /// Reads and parses `file` and the `.env` beside it.
    pub fn load(
        file: &Path,
        env: &'env dyn Fn(&str) -> Option<String>,
    ) -> Result<ComposeProject<'env>, ComposeError> {
        let text = super::read_text(file).map_err(|source| ComposeError::Read {
            path: file.to_owned(),
            source,
        })?;
        let absolute = std::path::absolute(file).map_err(|source| ComposeError::Read {
            path: file.to_owned(),
            source,
        })?;
        let dir = absolute
            .parent()
            .map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
        let at = |pos: yaml::Pos, message: String| ComposeError::At {
            path: file.to_owned(),
            line: pos.line,
            column: pos.column,
            message,
        };
        let root = yaml::parse(&text)
            .map_err(|e| at(e.pos, format!("invalid YAML: {}", e.message)))?
            .ok_or_else(|| ComposeError::File {
                path: file.to_owned(),
                message: "the file is empty; expected a mapping with 'services'".to_owned(),
            })?;
        if !matches!(root.value, Value::Map(_)) {
            return Err(at(
                root.pos,
                format!("expected a mapping with 'services', found {}", root.kind()),
            ));
        }
        match root.get("services") {
            Some(Node {
                value: Value::Map(_),
                ..
            }) => {}
            Some(other) => {
                return Err(at(
                    other.pos,
                    format!("expected a mapping of services, found {}", other.kind()),
                ));
            }
            None => {
                return Err(ComposeError::File {
                    path: file.to_owned(),
                    message: "no 'services' section".to_owned(),
                });
            }
        }

        let mut warnings = Vec::new();
        let env_path = dir.join(".env");
        let (dotenv, env_file) = match super::read_text(&env_path) {
            Ok(text) => {
                let vars =
                    dotenv::parse(&text, env, &mut warnings).map_err(|e| ComposeError::At {
                        path: env_path.clone(),
                        line: e.line,
                        column: 1,
                        message: e.message,
                    })?;
                (vars, Some(env_path))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Vec::new(), None),
            Err(source) => {
                return Err(ComposeError::Read {
                    path: env_path,
                    source,
                });
            }
        };

        let mut project = ComposeProject {
            name: String::new(),
            shown_path: file.to_owned(),
            file: absolute,
            dir,
            env_file,
            root,
            dotenv,
            env,
            warnings,
        };
        project.name = project.project_name()?;
        Ok(project)
    }

    /// The project name, as Compose would choose it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Names of the services, in file order.
    pub fn service_names(&self) -> Vec<&str> {
        match self.root.get("services").map(|s| &s.value) {
            Some(Value::Map(entries)) => entries
                .iter()
                .filter_map(|(k, _)| k.scalar_text())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Reads `service` into a container spec labelled like Compose labels its containers.
    pub fn service(&self, service: &str) -> Result<LoadedService, ComposeError> {
        let (key, node) = self
            .root
            .get("services")
            .and_then(|s| s.entry(service))
            .ok_or_else(|| ComposeError::NoSuchService {
                path: self.shown_path.clone(),
                service: service.to_owned(),
                available: self
                    .service_names()
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
            })?;
        let mut reader = ServiceReader::new(self, service);
        let spec = reader.read(key, node)?;
        let mut warnings = self.warnings.clone();
        for w in reader.warnings {
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
        Ok(LoadedService { spec, warnings })
    }

    /// A variable from the environment, else from `.env`.
    pub(crate) fn lookup(&self, name: &str) -> Option<String> {
        (self.env)(name).or_else(|| {
            self.dotenv
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    pub(crate) fn at(&self, node: &Node, message: impl Into<String>) -> ComposeError {
        ComposeError::At {
            path: self.shown_path.clone(),
            line: node.pos.line,
            column: node.pos.column,
            message: message.into(),
        }
    }

    fn project_name(&mut self) -> Result<String, ComposeError> {
        let (raw, source) = if let Some(name) = self
            .lookup("COMPOSE_PROJECT_NAME")
            .filter(|n| !n.is_empty())
        {
            (name, "COMPOSE_PROJECT_NAME")
        } else if let Some(node) = self.root.get("name") {
            let Some(text) = node.scalar_text() else {
                return Err(self.at(
                    node,
                    format!("expected a project name, found {}", node.kind()),
                ));
            };
            let lookup = |n: &str| self.lookup(n);
            let mut warnings = Vec::new();
            let name = interpolate(text, &lookup, &mut warnings).map_err(|m| self.at(node, m))?;
            self.warnings.extend(warnings);
            (name, "the top-level name")
        } else {
            let dir_name = self
                .dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (dir_name, "the directory name")
        };
        let normalized: String = raw
            .to_lowercase()
            .chars()
            .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-'))
            .collect();
        let normalized = normalized.trim_start_matches(['_', '-']).to_owned();
        if normalized.is_empty() {
            return Err(ComposeError::File {
                path: self.shown_path.clone(),
                message: format!(
                    "cannot make a project name from {source} '{raw}'; set COMPOSE_PROJECT_NAME or a top-level name:"
                ),
            });
        }
        Ok(normalized)
    }
}
