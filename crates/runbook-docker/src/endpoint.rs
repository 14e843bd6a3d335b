//! Where the Docker Engine is: `DOCKER_HOST` or the local socket.
//!
//! Parsed separately from connecting so that an unsupported value is reported as such, and so
//! that tests can point the client anywhere without touching the process environment.

use std::fmt;
use std::path::PathBuf;

use crate::errors::DockerError;

/// The local socket Docker listens on by default.
pub const DEFAULT_SOCKET: &str = "/var/run/docker.sock";

/// A Docker Engine address this build can talk to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A Unix socket (`unix:///var/run/docker.sock`).
    Unix(PathBuf),
    /// Plain HTTP over TCP (`tcp://host:2375` or `http://host:2375`), kept as `host:port`.
    Tcp(String),
}

impl Endpoint {
    /// The endpoint `DOCKER_HOST` names (looked up through `env`), or the local socket.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Endpoint, DockerError> {
        match env("DOCKER_HOST") {
            Some(value) if !value.trim().is_empty() => {
                let tls = env("DOCKER_TLS_VERIFY").is_some_and(|v| !v.is_empty());
                Endpoint::parse_with_tls(value.trim(), tls)
            }
            _ => Ok(Endpoint::Unix(PathBuf::from(DEFAULT_SOCKET))),
        }
    }

    /// Parses a `DOCKER_HOST` value.
    pub fn parse(value: &str) -> Result<Endpoint, DockerError> {
        Endpoint::parse_with_tls(value, false)
    }

    fn parse_with_tls(value: &str, tls: bool) -> Result<Endpoint, DockerError> {
        let unsupported = |reason: &str| DockerError::UnsupportedEndpoint {
            value: value.to_owned(),
            reason: reason.to_owned(),
        };
        if let Some(path) = value.strip_prefix("unix://") {
            if !path.starts_with('/') {
                return Err(unsupported("expected unix:///ABSOLUTE/PATH"));
            }
            return Ok(Endpoint::Unix(PathBuf::from(path)));
        }
        let tcp = value
            .strip_prefix("tcp://")
            .or_else(|| value.strip_prefix("http://"));
        if let Some(rest) = tcp {
            if tls {
                return Err(unsupported(
                    "TLS (DOCKER_TLS_VERIFY) is not supported by this build; reach the engine over its Unix socket or an SSH-forwarded socket",
                ));
            }
            let host_port = rest.trim_end_matches('/');
            let has_port = host_port
                .rsplit_once(':')
                .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
            if !has_port {
                return Err(unsupported("expected tcp://HOST:PORT"));
            }
            return Ok(Endpoint::Tcp(host_port.to_owned()));
        }
        if value.starts_with("ssh://") {
            return Err(unsupported(
                "ssh:// is not supported by this build; forward the remote socket (ssh -nNT -L /tmp/docker.sock:/var/run/docker.sock HOST) and set DOCKER_HOST=unix:///tmp/docker.sock",
            ));
        }
        if value.starts_with("https://") {
            return Err(unsupported("TLS endpoints are not supported by this build"));
        }
        Err(unsupported(
            "expected unix:///PATH, tcp://HOST:PORT or http://HOST:PORT",
        ))
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Unix(path) => write!(f, "unix://{}", path.display()),
            Endpoint::Tcp(host_port) => write!(f, "tcp://{host_port}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Result<Endpoint, DockerError> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Endpoint::from_env(&move |key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
    }

    #[test]
    fn default_is_the_local_socket() {
        assert_eq!(
            from(&[]).unwrap().to_string(),
            "unix:///var/run/docker.sock"
        );
        assert_eq!(
            from(&[("DOCKER_HOST", "")]).unwrap().to_string(),
            "unix:///var/run/docker.sock"
        );
    }

    #[test]
    fn docker_host_forms() {
        assert_eq!(
            from(&[("DOCKER_HOST", "unix:///run/user/1000/docker.sock")]).unwrap(),
            Endpoint::Unix("/run/user/1000/docker.sock".into())
        );
        assert_eq!(
            from(&[("DOCKER_HOST", "tcp://10.0.0.5:2375")])
                .unwrap()
                .to_string(),
            "tcp://10.0.0.5:2375"
        );
        assert_eq!(
            from(&[("DOCKER_HOST", "http://localhost:2375/")]).unwrap(),
            Endpoint::Tcp("localhost:2375".into())
        );
    }

    #[test]
    fn unsupported_forms_say_what_to_do() {
        assert_eq!(
            from(&[("DOCKER_HOST", "ssh://ops@db1")])
                .unwrap_err()
                .to_string(),
            "unsupported DOCKER_HOST 'ssh://ops@db1': ssh:// is not supported by this build; forward the remote socket (ssh -nNT -L /tmp/docker.sock:/var/run/docker.sock HOST) and set DOCKER_HOST=unix:///tmp/docker.sock"
        );
        assert_eq!(
            from(&[("DOCKER_HOST", "tcp://db1")])
                .unwrap_err()
                .to_string(),
            "unsupported DOCKER_HOST 'tcp://db1': expected tcp://HOST:PORT"
        );
        assert_eq!(
            from(&[("DOCKER_HOST", "/var/run/docker.sock")])
                .unwrap_err()
                .to_string(),
            "unsupported DOCKER_HOST '/var/run/docker.sock': expected unix:///PATH, tcp://HOST:PORT or http://HOST:PORT"
        );
        assert!(matches!(
            from(&[
                ("DOCKER_HOST", "tcp://db1:2376"),
                ("DOCKER_TLS_VERIFY", "1")
            ]),
            Err(DockerError::UnsupportedEndpoint { .. })
        ));
    }
}
