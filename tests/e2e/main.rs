//! End-to-end tests: the built `runbook` binary against a real PostgreSQL server and a real
//! Docker Engine, asserting what users and reviewers rely on (exit codes, messages, evidence).
//!
//! One test binary for all of them keeps link times down; each area is a module.

mod support;

mod contract;
mod docker;
mod quickstart;
