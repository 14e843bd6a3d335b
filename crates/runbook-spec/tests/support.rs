//! Helpers that state intent: `parse_ok` fails the test with the errors, `parse_err` fails it when
//! the input parses.

use std::collections::BTreeMap;
use std::path::Path;

use runbook_spec::{ParseOptions, Runbook, SpecErrors, parse};

/// The environment every fixture is parsed with.
pub fn fixture_env() -> BTreeMap<String, String> {
    [
        ("HOME", "/home/ops"),
        ("POSTGRES_PASSWORD", "hunter2-secret"),
        ("MODERNIZED_POSTGRES_PASSWORD", "modern-pw"),
        (
            "NEON_DATABASE_URL",
            "postgres://app:neon-pw@ep-cool.neon.tech/app",
        ),
        ("EMPTY", ""),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

pub fn parse_with(
    text: &str,
    env: &BTreeMap<String, String>,
    vars: &[(&str, &str)],
) -> Result<Runbook, SpecErrors> {
    let options = ParseOptions {
        vars: vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        env,
        ..Default::default()
    };
    parse(text, Path::new("runbook.yaml"), &options)
}

#[track_caller]
pub fn parse_ok(text: &str) -> Runbook {
    match parse_with(text, &fixture_env(), &[]) {
        Ok(runbook) => runbook,
        Err(errors) => panic!("expected the runbook to parse, got:\n{errors}"),
    }
}

/// The errors as `line:col: message` lines.
#[track_caller]
pub fn parse_err_with(
    text: &str,
    env: &BTreeMap<String, String>,
    vars: &[(&str, &str)],
) -> Vec<String> {
    match parse_with(text, env, vars) {
        Ok(_) => panic!("expected errors, but the runbook parsed"),
        Err(errors) => errors
            .iter()
            .map(|e| format!("{}:{}: {}", e.line, e.column, e.message))
            .collect(),
    }
}

#[track_caller]
pub fn parse_err(text: &str) -> Vec<String> {
    parse_err_with(text, &fixture_env(), &[])
}

/// A minimal runbook around the given steps (YAML list items indented by two spaces).
pub fn with_steps(steps: &str) -> String {
    format!(
        "version: 1\nname: t\nvars:\n  db: app\n  user: ops\ntargets:\n  pg:\n    postgres: {{ url: \"postgres://ops@db/app\" }}\n    container: pg-1\n  scratch:\n    postgres: {{ ephemeral: true }}\n  docker:\n    container: box\nsteps:\n{steps}"
    )
}
