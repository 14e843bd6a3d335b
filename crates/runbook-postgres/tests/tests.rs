//! Integration tests for runbook-postgres, against a real server: the shared test cluster from
//! `runbook-testkit` (one database per test), or clusters of their own where a test needs
//! special server settings (TLS).

mod connect;
mod differential;
mod ephemeral;
mod load;
mod migrate;
mod session;
mod support;
mod tls;
