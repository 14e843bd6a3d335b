//! Volumes and bind mounts: `named:/path[:ro]`, `/abs/host:/path[:ro]`, or `/path` alone.
//!
//! Pure parsing, so a bad mount is reported before any container exists.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use crate::errors::SpecError;

const WHAT: &str = "volume";
const EXPECTED: &str = "expected NAME:/PATH[:ro], /HOST/PATH:/PATH[:ro] or /PATH";

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

/// Parses the short volume syntax of `docker run -v` and Compose. Relative host paths are
/// refused here: only the compose loader knows what they are relative to.
pub fn parse_volume(text: &str) -> Result<VolumeMount, SpecError> {
    let err = |problem: String| SpecError::new(WHAT, text, problem);
    let parts: Vec<&str> = text.split(':').collect();
    let (source, target, mode) = match parts.as_slice() {
        [target] => (None, *target, None),
        [source, target] => (Some(*source), *target, None),
        [source, target, mode] => (Some(*source), *target, Some(*mode)),
        _ => return Err(err(EXPECTED.to_owned())),
    };
    if !target.starts_with('/') {
        return Err(err(format!(
            "the container path '{target}' is not absolute; {EXPECTED}"
        )));
    }
    let read_only = match mode {
        None | Some("rw") => false,
        Some("ro") => true,
        Some(other) => return Err(err(format!("unknown mode '{other}'; expected ro or rw"))),
    };
    let source = match source {
        None => VolumeSource::Anonymous,
        Some("") => return Err(err(EXPECTED.to_owned())),
        Some(s) if s.starts_with('/') => VolumeSource::Bind(PathBuf::from(s)),
        Some(s) if s.starts_with('.') || s.starts_with('~') => {
            return Err(err(format!(
                "the host path '{s}' is relative; use an absolute path"
            )));
        }
        Some(s) => {
            check_volume_name(s).map_err(err)?;
            VolumeSource::Named(s.to_owned())
        }
    };
    Ok(VolumeMount {
        source,
        target: target.to_owned(),
        read_only,
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
            "invalid volume 'pgdata:relative': the container path 'relative' is not absolute; expected NAME:/PATH[:ro], /HOST/PATH:/PATH[:ro] or /PATH"
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
            "invalid volume 'bad name:/data': 'bad name' is not a valid volume name (letters, digits, '_', '.', '-', at least 2 characters, starting with a letter or digit)"
        );
        assert_eq!(
            err("a:b:c:d"),
            "invalid volume 'a:b:c:d': expected NAME:/PATH[:ro], /HOST/PATH:/PATH[:ro] or /PATH"
        );
    }
}
