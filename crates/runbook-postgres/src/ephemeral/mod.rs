//! Throwaway local PostgreSQL clusters: a runbook's `ephemeral: true` target and the test
//! cluster.
//!
//! [`EphemeralCluster::start`] finds the server programs ([`PgBinaries`]), makes a directory,
//! runs `initdb`, writes the settings (a free port on 127.0.0.1, a private socket directory)
//! and starts the server with `pg_ctl -w`. PostgreSQL refuses to run as root, so when Runbook
//! is root every server program runs as the `postgres` account ([`ServerAccount`]) and the
//! directory is handed to it. The cluster stops (and its temporary directory goes) on
//! [`EphemeralCluster::stop`] or drop, unless it was started with `keep`.

mod account;
mod binaries;
mod cluster;

pub use account::ServerAccount;
pub use binaries::PgBinaries;
pub use cluster::{EphemeralCluster, EphemeralOptions};
