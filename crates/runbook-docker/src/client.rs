//! The connection to one Docker Engine.
//!
//! Connecting does the round trips that prove the engine is there (version negotiation, ping)
//! so that a missing engine is reported once, up front, with the address that was tried. Every
//! other operation lives in its own file as an `impl DockerClient` block.

use std::path::Path;
use std::time::Duration;

use bollard::{API_DEFAULT_VERSION, Docker};

use crate::endpoint::Endpoint;
use crate::errors::DockerError;
use crate::failure::{Failure, classify};

/// How long connecting waits for the engine to answer before calling it unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// How long one request may take before its answer starts. Uploads of large dumps answer only
/// once the whole archive is written, so this is long; steps bound their own time.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(6 * 60 * 60);

/// What the engine said about itself, for the evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineInfo {
    /// Engine version, like `20.10.24+dfsg1`.
    pub version: String,
    /// The API version the client speaks after negotiation, like `1.41`.
    pub api_version: String,
    pub os: String,
    pub arch: String,
}

/// A connected Docker Engine. Cheap to clone; clones share the connection pool.
#[derive(Debug, Clone)]
pub struct DockerClient {
    pub(crate) docker: Docker,
    endpoint: String,
    engine: EngineInfo,
}

impl DockerClient {
    /// Connects to the engine `DOCKER_HOST` names, or to the local socket.
    pub fn connect() -> impl Future<Output = Result<DockerClient, DockerError>> + Send + 'static {
        DockerClient::connect_from_env(&|key| std::env::var(key).ok())
    }

    /// Like [`connect`](Self::connect), reading variables through `env` (the engine may pass
    /// its own environment; tests pass a fixed one). `env` is read before the returned future
    /// is first polled, so it need not be `Sync` and the future is `Send`.
    pub fn connect_from_env(
        env: &dyn Fn(&str) -> Option<String>,
    ) -> impl Future<Output = Result<DockerClient, DockerError>> + Send + 'static {
        let endpoint = Endpoint::from_env(env);
        async move { DockerClient::connect_to(&endpoint?).await }
    }

    /// Connects to `endpoint`, negotiates the API version down to what the engine speaks (an
    /// engine older than bollard's default, like Docker 20.10 with API 1.41, refuses every
    /// call otherwise) and pings it.
    pub async fn connect_to(endpoint: &Endpoint) -> Result<DockerClient, DockerError> {
        let shown = endpoint.to_string();
        let unreachable = |cause: String| DockerError::Unreachable {
            endpoint: shown.clone(),
            cause,
        };
        let docker = match endpoint {
            Endpoint::Unix(path) => {
                check_socket(path).map_err(unreachable)?;
                let path = path
                    .to_str()
                    .ok_or_else(|| unreachable("the socket path is not valid UTF-8".to_owned()))?;
                Docker::connect_with_unix(path, REQUEST_TIMEOUT.as_secs(), API_DEFAULT_VERSION)
            }
            Endpoint::Tcp(host_port) => Docker::connect_with_http(
                &format!("tcp://{host_port}"),
                REQUEST_TIMEOUT.as_secs(),
                API_DEFAULT_VERSION,
            ),
        }
        .map_err(|e| unreachable(crate::failure::root_cause(&e)))?;

        let docker = tokio::time::timeout(CONNECT_TIMEOUT, docker.negotiate_version())
            .await
            .map_err(|_| no_answer())
            .map_err(&unreachable)?;
        let docker = answered(docker, &shown)?;
        let version = tokio::time::timeout(CONNECT_TIMEOUT, docker.version())
            .await
            .map_err(|_| unreachable(no_answer()))?;
        let version = answered(version, &shown)?;
        let ping = tokio::time::timeout(CONNECT_TIMEOUT, docker.ping())
            .await
            .map_err(|_| unreachable(no_answer()))?;
        answered(ping, &shown)?;

        let api = docker.client_version();
        let engine = EngineInfo {
            version: version.version.unwrap_or_default(),
            api_version: format!("{}.{}", api.major_version, api.minor_version),
            os: version.os.unwrap_or_default(),
            arch: version.arch.unwrap_or_default(),
        };
        Ok(DockerClient {
            docker,
            endpoint: shown,
            engine,
        })
    }

    /// Where this client is connected, like `unix:///var/run/docker.sock`, for the evidence.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The engine's version and the negotiated API version.
    pub fn engine(&self) -> &EngineInfo {
        &self.engine
    }
}

/// Maps the result of a connection round trip: any failure means the engine is not reachable
/// as a Docker Engine at that address.
fn answered<T>(
    result: Result<T, bollard::errors::Error>,
    endpoint: &str,
) -> Result<T, DockerError> {
    result.map_err(|e| DockerError::Unreachable {
        endpoint: endpoint.to_owned(),
        cause: match classify(e) {
            Failure::Status { status, message } => {
                format!("the answer was not a Docker Engine's (status {status}: {message})")
            }
            other => other.message().to_owned(),
        },
    })
}

fn no_answer() -> String {
    format!("no answer within {}s", CONNECT_TIMEOUT.as_secs())
}

/// Says plainly that the socket is missing or not accessible, rather than "os error 2".
fn check_socket(path: &Path) -> Result<(), String> {
    match std::fs::metadata(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(format!(
            "no socket at {} (is the Docker Engine running? for rootless Docker set DOCKER_HOST=unix://$XDG_RUNTIME_DIR/docker.sock)",
            path.display()
        )),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Err(format!(
            "permission denied on {} (is this user in the docker group?)",
            path.display()
        )),
        Err(e) => Err(e.to_string()),
    }
}
