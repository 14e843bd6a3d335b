//! Errors of the Docker adapter.
//!
//! Variants are shaped for the engine to match on (a missing container is a different story from
//! an unreachable engine), and their messages are lowercase fragments that read well after
//! "failed to ...". Nothing here carries a bollard type: the engine never sees bollard.

use std::path::PathBuf;

/// Everything that can go wrong talking to the Docker Engine.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DockerError {
    /// Nothing answered at the endpoint, or it answered something that is not a Docker Engine.
    #[error("cannot reach the Docker Engine at {endpoint}: {cause}")]
    Unreachable { endpoint: String, cause: String },

    /// `DOCKER_HOST` names a transport this build cannot use.
    #[error("unsupported DOCKER_HOST '{value}': {reason}")]
    UnsupportedEndpoint { value: String, reason: String },

    #[error("container {name} does not exist")]
    NoSuchContainer { name: String },

    /// Never pulled: the engines this tool runs against may have no registry, and a silent pull
    /// of a different image than the one tested is worse than stopping.
    #[error(
        "image {image} is not present on this Docker Engine and cannot be pulled here; build it \
         (scripts/build-postgres-image) or load it (docker load)"
    )]
    NoSuchImage { image: String },

    #[error("volume {name} does not exist")]
    NoSuchVolume { name: String },

    #[error("volume {name} is in use by {}", in_use_by(containers))]
    VolumeInUse {
        name: String,
        containers: Vec<String>,
    },

    /// A container with the requested name exists already.
    #[error("container name {name} is already in use by container {existing}")]
    Conflict { name: String, existing: String },

    /// A published host port is taken, by another container or a server on the host.
    #[error(
        "port {address} is already in use on the host (by another container or a local server), so container {container} cannot publish it"
    )]
    PortInUse { container: String, address: String },

    #[error("container {name} is running; stop it first or remove it with force")]
    ContainerRunning { name: String },

    #[error("container {name} is not running ({state})")]
    NotRunning { name: String, state: String },

    /// The command could not be started inside the container (as opposed to running and
    /// exiting non-zero, which is an exit code, not an error).
    #[error("run {command} in container {container}: {message}")]
    ExecFailed {
        container: String,
        command: String,
        message: String,
    },

    #[error("directory {path} does not exist in container {container}")]
    NoSuchPathInContainer { container: String, path: String },

    /// A local file to copy in could not be read.
    #[error("read {}: {source}", path.display())]
    LocalFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The local file shrank while it was streamed: the copy in the container is not the file
    /// that was hashed.
    #[error("copy {}: the file changed while it was being copied ({expected} bytes expected, {found} read)", path.display())]
    FileChanged {
        path: PathBuf,
        expected: u64,
        found: u64,
    },

    /// The local file grew while it was streamed (how much is not known: reading stops at the
    /// size the archive announced).
    #[error("copy {}: the file changed while it was being copied (it grew beyond the {expected} bytes it had when the copy started)", path.display())]
    FileGrew { path: PathBuf, expected: u64 },

    /// Bad input in a container, exec or copy spec.
    #[error(transparent)]
    Spec(#[from] SpecError),

    /// The engine refused a request for a reason not covered above.
    #[error("{operation}: the Docker Engine answered {status}: {message}")]
    Api {
        operation: String,
        status: u16,
        message: String,
    },

    /// The request did not complete (connection dropped, timeout, undecodable answer).
    #[error("{operation}: {message}")]
    Transport { operation: String, message: String },
}

fn in_use_by(containers: &[String]) -> String {
    match containers {
        [] => "a container".to_owned(),
        [one] => format!("container {one}"),
        many => format!("containers {}", many.join(", ")),
    }
}

/// Bad text in a port mapping, volume, size, mode, owner or name: the value parsers' one error
/// type (`invalid {what} '{text}': {problem}`), shared with the runbook format.
pub use runbook_values::ValueError as SpecError;

/// A compose file that cannot be turned into a container spec.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ComposeError {
    #[error("read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Something at a known place in the file (YAML syntax, a bad value, an unsupported key).
    #[error("{}:{line}:{column}: {message}", path.display())]
    At {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    #[error("{}: no service '{service}' (services: {})", path.display(), available.join(", "))]
    NoSuchService {
        path: PathBuf,
        service: String,
        available: Vec<String>,
    },

    /// A problem with no single position (an empty file, a bad project name).
    #[error("{}: {message}", path.display())]
    File { path: PathBuf, message: String },
}
