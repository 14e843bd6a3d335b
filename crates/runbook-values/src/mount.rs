//! The short mount syntax of `docker run -v`: `VOLUME:/PATH`, `/HOST/PATH:/PATH`, `/PATH`, each
//! optionally `:ro` or `:rw`.
//!
//! This is the grammar both readers share; what a source may be is theirs to decide: the runbook
//! format takes relative host paths (resolved by the engine) and refuses anonymous volumes, the
//! Docker adapter wants absolute host paths. A Compose file's `volumes` have options of their
//! own (`z`, `Z`, paths relative to the project) and are read by the Compose loader.

use crate::ValueError;
use crate::names::is_docker_name;

const EXPECTED: &str = "expected VOLUME:/PATH or /HOST/PATH:/PATH (optionally :ro), or /PATH alone for an anonymous volume";

/// Where a mount's data comes from, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountSource<'a> {
    /// Only the path in the container was written.
    Anonymous,
    /// A named volume (checked against Docker's name grammar).
    Named(&'a str),
    /// A host path: it starts with `/`, `.` or `~` (relative ones are the caller's to resolve or
    /// refuse).
    HostPath(&'a str),
}

/// One mount, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mount<'a> {
    pub source: MountSource<'a>,
    /// Absolute path inside the container.
    pub target: &'a str,
    pub read_only: bool,
}

/// Splits and checks the short syntax.
pub fn parse_mount(text: &str) -> Result<Mount<'_>, ValueError> {
    let err = |problem: String| ValueError::new("volume", text, problem);
    let parts: Vec<&str> = text.split(':').collect();
    let (source, target, mode) = match parts.as_slice() {
        [target] => (None, *target, None),
        [source, target] => (Some(*source), *target, None),
        [source, target, mode] => (Some(*source), *target, Some(*mode)),
        _ => return Err(err(EXPECTED.to_owned())),
    };
    if !target.starts_with('/') {
        return Err(err(format!(
            "the path in the container '{target}' is not absolute"
        )));
    }
    let read_only = match mode {
        None | Some("rw") => false,
        Some("ro") => true,
        Some(other) => return Err(err(format!("unknown mode '{other}'; expected ro or rw"))),
    };
    let source = match source {
        None => MountSource::Anonymous,
        Some("") => {
            return Err(err(
                "the source (volume name or host path) is empty".to_owned()
            ));
        }
        Some(s) if s.starts_with('/') || s.starts_with('.') || s.starts_with('~') => {
            MountSource::HostPath(s)
        }
        Some(s) if is_docker_name(s) => MountSource::Named(s),
        Some(s) => {
            return Err(err(format!(
                "'{s}' is not a valid volume name: expected letters, digits, '_', '.' and '-', at least 2 characters, starting with a letter or digit (or a host path starting with /, ./ or ~/)"
            )));
        }
    };
    Ok(Mount {
        source,
        target,
        read_only,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_host_path_and_anonymous() {
        assert_eq!(
            parse_mount("pgdata:/var/lib/postgresql/data"),
            Ok(Mount {
                source: MountSource::Named("pgdata"),
                target: "/var/lib/postgresql/data",
                read_only: false
            })
        );
        let bind = parse_mount("./init:/docker-entrypoint-initdb.d:ro").unwrap();
        assert_eq!(bind.source, MountSource::HostPath("./init"));
        assert!(bind.read_only);
        assert_eq!(
            parse_mount("/srv:/srv:rw").unwrap().source,
            MountSource::HostPath("/srv")
        );
        assert_eq!(parse_mount("/data").unwrap().source, MountSource::Anonymous);
    }

    #[test]
    fn errors_say_what_was_expected() {
        let err = |text: &str| parse_mount(text).unwrap_err().to_string();
        assert_eq!(
            err("pgdata:relative"),
            "invalid volume 'pgdata:relative': the path in the container 'relative' is not absolute"
        );
        assert_eq!(
            err("pgdata:/data:rx"),
            "invalid volume 'pgdata:/data:rx': unknown mode 'rx'; expected ro or rw"
        );
        assert_eq!(
            err(":/data"),
            "invalid volume ':/data': the source (volume name or host path) is empty"
        );
        assert_eq!(
            err("pg data:/data"),
            "invalid volume 'pg data:/data': 'pg data' is not a valid volume name: expected letters, digits, '_', '.' and '-', at least 2 characters, starting with a letter or digit (or a host path starting with /, ./ or ~/)"
        );
        assert_eq!(
            err("a:b:c:d"),
            format!("invalid volume 'a:b:c:d': {EXPECTED}")
        );
        assert!(parse_mount("x:/data").is_err());
    }
}
