//! Volumes and bind mounts: `named:/path[:ro]`, `/abs/host:/path[:ro]`, or `/path` alone.
//!
//! Pure parsing, so a bad mount is reported before any container exists.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use runbook_values::MountSource;

use crate::errors::SpecError;

const WHAT: &str = "volume";

/// Where the data of a mount lives.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum VolumeSource {
    /// A named volume; created (with the spec's volume labels) if it does not exist.
    Named(String),
    /// A directory or file of the host, by absolute path.
    Bind(PathBuf),
    /// A fresh anonymous volume, removed with the container only when asked to.
    Anonymous,
}

/// One mount of a container.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VolumeMount {
    pub source: VolumeSource,
    /// Absolute path inside the container.
    pub target: String,
    pub read_only: bool,
}

impl VolumeMount {
    pub fn named(name: impl Into<String>, target: impl Into<String>) -> Self {
        VolumeMount {
            source: VolumeSource::Named(name.into()),
            target: target.into(),
            read_only: false,
        }
    }

    /// The `binds` entry Docker expects, or `None` for an anonymous volume (which is declared
    /// in the container's `Volumes` instead).
    pub(crate) fn bind_string(&self) -> Option<String> {
        let source = match &self.source {
            VolumeSource::Named(name) => name.clone(),
            VolumeSource::Bind(path) => path.display().to_string(),
            VolumeSource::Anonymous => return None,
        };
        let mode = if self.read_only { ":ro" } else { "" };
        Some(format!("{source}:{}{mode}", self.target))
    }
}

impl fmt::Display for VolumeMount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.bind_string() {
            Some(text) => f.write_str(&text),
            None => f.write_str(&self.target),
        }
    }
}

impl FromStr for VolumeMount {
    type Err = SpecError;

    fn from_str(text: &str) -> Result<Self, SpecError> {
        parse_volume(text)
    }
}

/// Parses the short volume syntax of `docker run -v` (`runbook_values::parse_mount`, the
/// grammar the runbook format uses too). Relative host paths are refused here: only the caller
/// knows what they are relative to (the engine resolves a runbook's, the Compose loader a
/// project's).
pub fn parse_volume(text: &str) -> Result<VolumeMount, SpecError> {
    let mount = runbook_values::parse_mount(text)?;
    let source = match mount.source {
        MountSource::Anonymous => VolumeSource::Anonymous,
        MountSource::Named(name) => VolumeSource::Named(name.to_owned()),
        MountSource::HostPath(path) if path.starts_with('/') => {
            VolumeSource::Bind(PathBuf::from(path))
        }
        MountSource::HostPath(path) => {
            return Err(SpecError::new(
                WHAT,
                text,
                format!("the host path '{path}' is relative; use an absolute path"),
            ));
        }
    };
    Ok(VolumeMount {
        source,
        target: mount.target.to_owned(),
        read_only: mount.read_only,
    })
}

/// Docker's rule for volume names (the one for container names), with a message that says it.
pub(crate) fn check_volume_name(name: &str) -> Result<(), String> {
    if crate::spec::is_docker_name(name) {
        Ok(())
    } else {
        Err(format!(
            "'{name}' is not a valid volume name (letters, digits, '_', '.', '-', at least 2 characters, starting with a letter or digit)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> VolumeMount {
        parse_volume(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn err(text: &str) -> String {
        match parse_volume(text) {
            Ok(v) => panic!("{text} parsed as {v:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn named_bind_and_anonymous() {
        assert_eq!(
            ok("opendolphin-pgdata:/var/lib/postgresql/data"),
            VolumeMount::named("opendolphin-pgdata", "/var/lib/postgresql/data")
        );
        let bind = ok("/srv/dumps:/dumps:ro");
        assert_eq!(bind.source, VolumeSource::Bind(PathBuf::from("/srv/dumps")));
        assert!(bind.read_only);
        assert_eq!(
            ok("/var/lib/postgresql/data").source,
            VolumeSource::Anonymous
        );
        assert!(!ok("data:/data:rw").read_only);
    }

    #[test]
    fn display_is_the_docker_text() {
        for text in ["pgdata:/var/lib/postgresql/data", "/srv:/srv:ro", "/data"] {
            assert_eq!(ok(text).to_string(), text);
        }
    }

    #[test]
    fn errors_say_what_was_expected() {
        assert_eq!(
            err("pgdata:relative"),
            "invalid volume 'pgdata:relative': the path in the container 'relative' is not absolute"
        );
        assert_eq!(
            err("pgdata:/data:rx"),
            "invalid volume 'pgdata:/data:rx': unknown mode 'rx'; expected ro or rw"
        );
        assert_eq!(
            err("./data:/data"),
            "invalid volume './data:/data': the host path './data' is relative; use an absolute path"
        );
        assert_eq!(
            err("bad name:/data"),
            "invalid volume 'bad name:/data': 'bad name' is not a valid volume name: expected letters, digits, '_', '.' and '-', at least 2 characters, starting with a letter or digit (or a host path starting with /, ./ or ~/)"
        );
        assert_eq!(
            err("a:b:c:d"),
            "invalid volume 'a:b:c:d': expected VOLUME:/PATH or /HOST/PATH:/PATH (optionally :ro), or /PATH alone for an anonymous volume"
        );
    }
}
