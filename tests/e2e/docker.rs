//! Docker step kinds and the OpenDolphin legacy restore, against the real Docker Engine.
//!
//! Every test drives the built `runbook` binary against `runbook/postgres:15` (built offline by
//! `scripts/build-postgres-image` on first use, or `RUNBOOK_TEST_POSTGRES_IMAGE`). What a test
//! creates carries the test's `io.runbook.test` label, or, for the shipped OpenDolphin runbook,
//! names unique to the test; the harness removes both at the end and the tests assert that the
//! runbooks themselves left nothing behind. On a machine without a Docker Engine the tests say
//! they were skipped.

pub(crate) mod harness;

mod check;
mod compose;
mod failures;
mod finally;
mod identity;
mod kinds;
mod opendolphin;
mod opendolphin_modernized;
mod outputs;
mod wait_until;
