//! Docker Engine adapter over bollard: containers, exec, copy, volumes, logs.
//!
//! The engine's Docker step kinds (`container_start`, `container_exec`, `copy_to_container`,
//! `container_stop`, `container_remove`, `volume_remove`, `container_logs`, `sql_file` with
//! `via: container`) run on this crate, and it is the only crate that imports bollard: its API
//! speaks the workspace's own types.
//!
//! How data flows:
//! - [`DockerClient::connect`] reads `DOCKER_HOST` (or uses the local socket), negotiates the
//!   API version down to the engine's (Docker 20.10 speaks 1.41) and pings it; an absent engine
//!   is one clear [`DockerError::Unreachable`].
//! - Text from runbooks and compose files goes through pure parsers ([`PortMapping`],
//!   [`VolumeMount`], [`parse_size`], [`parse_mode`], [`Owner`]; all but the volume syntax live
//!   in `runbook-values`, shared with the runbook format) into a [`ContainerSpec`];
//!   [`compose::load_service`] builds the same spec from a compose file, labelled like Compose.
//! - Container operations ([`DockerClient::ensure_running`], `stop_container`, ...) say which
//!   case happened (created, started existing, already running) for the evidence. Images are
//!   never pulled.
//! - [`DockerClient::exec`] streams output chunks to a callback ([`DockerClient::exec_cancellable`]
//!   also stops the command inside the container on Ctrl-C or a timeout); [`DockerClient::copy_file_into`]
//!   streams a file as a tar archive from a blocking thread, hashing it on the way; both keep
//!   memory bounded whatever the size. [`LineSplitter`] turns chunks into lines.
//! - Every failure is a [`DockerError`] variant the engine can match on.

mod cancel;
mod client;
pub mod compose;
mod containers;
mod copy;
mod endpoint;
mod errors;
mod exec;
mod failure;
mod images;
mod info;
mod lines;
mod logs;
mod mount;
mod names;
mod spec;
mod volumes;

pub use cancel::ExecEnd;
pub use client::{DockerClient, EngineInfo};
pub use containers::{EnsureOutcome, EnsureReport, RemoveOptions, StartOutcome, StopOutcome};
pub use copy::CopyReport;
pub use endpoint::{DEFAULT_SOCKET, Endpoint};
pub use errors::{ComposeError, DockerError, SpecError};
pub use exec::{ExecOutput, ExecSpec, OutputStream};
pub use images::ImageInfo;
pub use info::{
    ContainerInfo, ContainerState, ContainerSummary, Health, MountInfo, MountKind, PublishedPort,
};
pub use lines::{LineSplitter, MAX_LINE};
pub use logs::LogLine;
pub use mount::{VolumeMount, VolumeSource, parse_volume};
pub use names::{check_container_ref, check_volume_ref, looks_like_id};
/// The value syntaxes shared with the runbook format (one implementation, in `runbook-values`).
pub use runbook_values::{
    Owner, PortMapping, Protocol, ValueError, parse_mode, parse_port_mapping, parse_size,
};
pub use spec::{ContainerSpec, check_container_name};
