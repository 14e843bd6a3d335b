//! Test support shared by every crate's tests and the end-to-end tests.
//!
//! Tests talk to real parts: [`postgres`] gives each test its own database on one PostgreSQL
//! cluster shared by the whole test run (started on first use, reused by later test processes),
//! and [`docker`] builds the local Postgres image and cleans up labelled containers.

pub mod docker;
pub mod postgres;
