//! Integration tests of runbook-spec: fixture folders (`data/ok`, `data/err`), interpolation,
//! secrets, the JSON Schema and robustness against arbitrary input.

mod fixtures;
mod interpolation;
mod limits;
mod model;
mod no_panic;
mod schema;
mod support;
