//! The value syntaxes that a runbook and a Compose file share with `docker run`: sizes (`1.5g`),
//! permission bits (`"0600"`), numeric owners (`999:999`), published ports
//! (`127.0.0.1:5432:5432/tcp`), the short mount syntax (`pgdata:/var/lib/postgresql/data:ro`)
//! and Docker's grammar for container and volume names.
//!
//! One implementation, used by `runbook-spec` (what `validate` accepts) and `runbook-docker`
//! (what a Compose file gives and what reaches the engine), so that the two can never disagree
//! on a value again: they once did on `1.5g`, which Compose took and `validate` refused. Where
//! Docker has a rule, it is Docker's (sizes follow `go-units`' `RAMInBytes`, which `docker run
//! --shm-size` and Compose use). Pure functions: no I/O, nothing async.

mod errors;
mod mode;
mod mount;
mod names;
mod owner;
mod port;
mod size;

pub use errors::ValueError;
pub use mode::parse_mode;
pub use mount::{Mount, MountSource, parse_mount};
pub use names::is_docker_name;
pub use owner::Owner;
pub use port::{PortMapping, Protocol, parse_port_mapping};
pub use size::parse_size;
