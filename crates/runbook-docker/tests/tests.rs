//! Integration tests against a real Docker Engine: one binary, one module per area.
//!
//! Every container and volume a test creates carries `io.runbook.test=<value of the test>`;
//! each test ends with `DockerTest::finish`, which removes them and asserts nothing is left.

mod compose;
mod connect;
mod containers;
mod copy;
mod exec;
mod postgres_image;
mod support;
