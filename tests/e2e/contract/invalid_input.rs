//! Exit code 2: the input or the command line is wrong. The message names `file:line:col`
//! where there is one and says what was expected; nothing is run, no evidence directory is
//! created, and no panic or backtrace reaches the operator.
//!
//! `tests/data/invalid/NAME.yaml` holds one broken runbook each; `NAME.stderr` is exactly what
//! every command that reads it (`validate`, `check`, `run`) must print.

use std::path::PathBuf;

use crate::contract::case::{Case, dedent};
use crate::support::*;

fn invalid_dir() -> PathBuf {
    workspace_root().join("tests/data/invalid")
}

#[test]
fn every_invalid_runbook_exits_2_with_its_exact_message_from_validate_check_and_run() {
    let dir = invalid_dir();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/data/invalid")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 15,
        "the invalid fixtures are missing: {cases:?}"
    );
    let evidence = tempfile::tempdir().expect("temp dir");
    let evidence_arg = evidence.path().to_str().expect("utf-8 path");
    let mut failures = Vec::new();
    for case in &cases {
        let file = case
            .file_name()
            .and_then(|n| n.to_str())
            .expect("file name");
        let expected = std::fs::read_to_string(case.with_extension("stderr"))
            .unwrap_or_else(|e| panic!("{file}: no .stderr beside it: {e}"));
        for command in ["validate", "check", "run"] {
            let mut args = vec![command, file];
            if command != "validate" {
                args.extend(["--evidence-dir", evidence_arg]);
            }
            let result = runbook(&dir, &args);
            assert_no_panic(&result);
            if result.code != 2 || result.stderr != expected || !result.stdout.is_empty() {
                failures.push(format!(
                    "runbook {command} {file}: exit {} (expected 2)\n--- expected stderr\n{expected}--- actual stderr\n{}--- stdout\n{}",
                    result.code, result.stderr, result.stdout
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let written: Vec<_> = std::fs::read_dir(evidence.path())
        .expect("evidence dir")
        .collect();
    assert!(
        written.is_empty(),
        "an invalid runbook must not create evidence: {written:?}"
    );
}

#[test]
fn every_message_names_file_line_and_column() {
    // The fixture messages above are exact; this keeps the rule itself from eroding when a
    // fixture is regenerated.
    for entry in std::fs::read_dir(invalid_dir()).expect("tests/data/invalid") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "stderr") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read .stderr");
        let yaml = path.with_extension("yaml");
        let file = yaml
            .file_name()
            .and_then(|n| n.to_str())
            .expect("file name");
        for line in text.split('\n').filter(|l| !l.is_empty()) {
            let rest = line
                .strip_prefix(&format!("error: {file}:"))
                .unwrap_or_else(|| {
                    panic!(
                        "{}: '{line}' does not start with error: {file}:",
                        path.display()
                    )
                });
            let mut parts = rest.splitn(3, ':');
            let (l, c) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            assert!(
                l.parse::<u32>().is_ok_and(|n| n > 0) && c.parse::<u32>().is_ok_and(|n| n > 0),
                "{}: '{line}' has no line:column",
                path.display()
            );
        }
    }
}

#[test]
fn a_var_the_runbook_does_not_declare_is_refused() {
    let case = Case::new("e2e_unknown_var");
    case.runbook(
        "unknown-var",
        "",
        "- id: a\n  kind: shell\n  command: [\"true\"]",
    );
    let result = case.run(&["run", "rb.yaml", "--var", "dbb=clinic"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 2, "{}", result.all_output());
    assert_eq!(
        result.stderr,
        "error: rb.yaml:3:1: unknown var 'dbb' given with --var: the runbook declares url\n"
    );
    assert!(
        case.scratch.evidence_dirs().is_empty(),
        "nothing may be written"
    );
}

#[test]
fn from_naming_no_step_is_refused_before_anything_runs() {
    let case = Case::new("e2e_from_unknown");
    case.runbook(
        "from-unknown",
        "",
        &dedent(
            "
            - id: make
              kind: sql
              target: db
              text: CREATE TABLE marker (id int);
            - id: gate
              kind: gate
              target: db
              checks:
                - name: marker
                  tables_exist: [marker]
            ",
        ),
    );
    let result = case.run(&["run", "rb.yaml", "--from", "gat"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 2, "{}", result.all_output());
    assert_eq!(
        result.stderr,
        "error: --from gat: the runbook has no step with that id (steps: make, gate)\n"
    );
    assert_eq!(
        case.sql("SELECT to_regclass('marker') IS NULL"),
        "t",
        "no step may run"
    );
    assert!(
        case.scratch.evidence_dirs().is_empty(),
        "nothing may be written"
    );
}

#[test]
fn confirming_a_target_that_does_not_exist_is_refused() {
    let case = Case::new("e2e_confirm_unknown");
    case.runbook(
        "confirm-unknown",
        "",
        "- id: a\n  kind: shell\n  command: [\"true\"]",
    );
    let result = case.run(&["run", "rb.yaml", "--confirm", "prod"]);
    assert_eq!(result.code, 2, "{}", result.all_output());
    assert_eq!(
        result.stderr,
        "error: --confirm prod: the runbook has no target with that name (targets: db)\n"
    );
}

#[test]
fn a_runbook_file_that_does_not_exist_is_invalid_input() {
    let scratch = Scratch::new();
    for command in ["validate", "check", "run"] {
        let result = scratch.runbook(&[command, "restore.yaml"]);
        assert_no_panic(&result);
        assert_eq!(result.code, 2, "{command}: {}", result.all_output());
        assert_eq!(
            result.stderr,
            "error: cannot read restore.yaml: No such file or directory (os error 2)\n",
            "{command}"
        );
    }
}

#[test]
fn a_malformed_command_line_is_invalid_input() {
    let scratch = Scratch::new();
    for args in [
        &["run"][..],
        &["run", "x.yaml", "--var", "novalue"],
        &["frobnicate"],
        &["report", "x", "--format", "pdf"],
    ] {
        let result = scratch.runbook(args);
        assert_no_panic(&result);
        assert_eq!(result.code, 2, "{args:?}: {}", result.all_output());
        assert!(
            result.stderr.starts_with("error: "),
            "{args:?}: {}",
            result.stderr
        );
    }
    let result = scratch.runbook(&["run", "x.yaml", "--var", "novalue"]);
    assert!(
        result
            .stderr
            .contains("expected NAME=VALUE, found 'novalue'"),
        "{}",
        result.stderr
    );
}

#[test]
fn a_sql_file_that_does_not_exist_fails_its_step_naming_the_path() {
    let case = Case::new("e2e_missing_sql");
    case.runbook(
        "missing-sql",
        "",
        "- id: load\n  kind: sql_file\n  target: db\n  path: missing/schema.sql",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 1, "{}", result.all_output());
    assert!(
        result.stdout.contains("step 'load' (sql_file): failed: cannot read missing/schema.sql: No such file or directory"),
        "{}",
        result.all_output()
    );
}

#[test]
fn validate_lints_the_sql_a_runbook_names_and_touches_nothing() {
    let scratch = Scratch::new();
    scratch.write(
        "reset.sql",
        "\\set ON_ERROR_STOP on\nSELECT 1;\n\\tee /tmp/reset.log\n",
    );
    scratch.write(
        "rb.yaml",
        "version: 1
name: lint
targets:
  db:
    postgres:
      url: postgres://nobody@127.0.0.1:1/none
steps:
  - id: reset
    kind: sql_file
    target: db
    path: reset.sql
  - id: fix
    kind: sql
    target: db
    text: |
      SELECT 1;
      SELECT 'unterminated;
  - id: later
    kind: sql_file
    target: db
    path: created-by-an-earlier-step.sql
",
    );
    let result = scratch.runbook(&["validate", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 2, "{}", result.all_output());
    assert_eq!(
        result.stderr,
        "error: reset.sql:3:1: unsupported psql meta-command \\tee (psql does not know it either) (step 'reset')\n\
         error: rb.yaml:17:14: quoted string '...' is never closed (the input ends inside it) (step 'fix')\n"
    );
    assert!(result.stdout.is_empty(), "{}", result.stdout);
}

#[test]
fn an_unset_environment_variable_is_a_warning_for_validate_and_an_error_for_check_and_run() {
    // validate is static: a CI job linting runbooks has no secrets. check and run need the
    // value, so there the same reference is wrong input.
    let dir = workspace_root().join("tests/data");
    let evidence = tempfile::tempdir().expect("temp dir");
    let evidence_arg = evidence.path().to_str().expect("utf-8 path");
    let message = "unset-env.yaml:4:11: environment variable RUNBOOK_E2E_SURELY_UNSET_PASSWORD is not set and ${env.RUNBOOK_E2E_SURELY_UNSET_PASSWORD} has no default (write ${env.RUNBOOK_E2E_SURELY_UNSET_PASSWORD:-...})";
    let validate = runbook(&dir, &["validate", "unset-env.yaml"]);
    assert_eq!(validate.code, 0, "{}", validate.all_output());
    assert_eq!(
        validate.stderr,
        format!("warning: {message}; check and run will need it\n")
    );
    for command in ["check", "run"] {
        let result = runbook(
            &dir,
            &[command, "unset-env.yaml", "--evidence-dir", evidence_arg],
        );
        assert_eq!(result.code, 2, "{command}: {}", result.all_output());
        assert_eq!(result.stderr, format!("error: {message}\n"), "{command}");
    }
}
