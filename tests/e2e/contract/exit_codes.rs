//! The exit codes scripts branch on: 0 passed, 1 a step failed, 3 blocked, 4 a gate failed;
//! `schema` 0 with valid JSON. Each run also leaves the statuses the code stands for in
//! `run.json`, and nothing after the deciding step runs.

use crate::contract::case::Case;
use crate::support::*;

const MAKE_AND_GATE: &str = "
    - id: make
      kind: sql
      target: db
      text: |
        CREATE TABLE patient (id int PRIMARY KEY, name text);
        INSERT INTO patient VALUES (1, 'a'), (2, 'b');
    - id: gate
      kind: gate
      target: db
      checks:
        - name: patient table
          tables_exist: [patient]
        - name: two patients
          query: SELECT count(*) FROM patient
          expect: { equals: 2 }
";

#[test]
fn a_run_whose_steps_and_gates_pass_exits_0() {
    let case = Case::new("e2e_exit_passed");
    case.runbook("exit-passed", "", MAKE_AND_GATE);
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 0, "{}", result.all_output());
    assert!(
        result.stdout.contains("run passed in "),
        "{}",
        result.stdout
    );
    let dir = result.evidence_dir(case.path());
    assert_eq!(run_record(&dir)["status"], "passed");
    assert_eq!(
        step_statuses(&dir),
        [
            ("make".into(), "passed".into()),
            ("gate".into(), "passed".into())
        ]
    );
    assert_eq!(case.sql("SELECT count(*) FROM patient"), "2");
}

#[test]
fn a_failing_step_exits_1_and_nothing_after_it_runs() {
    let case = Case::new("e2e_exit_failed");
    case.runbook(
        "exit-failed",
        "",
        "
        - id: broken
          kind: sql
          target: db
          text: SELECT * FROM no_such_table;
        - id: after
          kind: sql
          target: db
          text: CREATE TABLE after_marker (id int);
        ",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 1, "{}", result.all_output());
    assert!(
        result.stdout.contains("run failed in "),
        "{}",
        result.stdout
    );
    assert!(
        result.stdout.contains("step 'broken' (sql): failed: rb.yaml:13:25: relation \"no_such_table\" does not exist (SQLSTATE 42P01) (after 0 statements succeeded)\n  | LINE 1: SELECT * FROM no_such_table;\n  |                       ^\n"),
        "the failure names the step, the runbook line and the server's message:\n{}",
        result.stdout
    );
    let dir = result.evidence_dir(case.path());
    assert_eq!(run_record(&dir)["status"], "failed");
    assert_eq!(
        step_statuses(&dir),
        [
            ("broken".into(), "failed".into()),
            ("after".into(), "not_run".into())
        ]
    );
    let error = &step_result(&dir, "01-broken")["error"];
    assert_eq!(error["sqlstate"], "42P01", "{error:#}");
    assert_eq!(
        case.sql("SELECT to_regclass('after_marker') IS NULL"),
        "t",
        "the step after the failure ran"
    );
}

#[test]
fn a_failing_gate_exits_4_with_expected_and_actual() {
    let case = Case::new("e2e_exit_gate");
    case.runbook(
        "exit-gate",
        "",
        "
        - id: make
          kind: sql
          target: db
          text: CREATE TABLE patient (id int);
        - id: gate
          kind: gate
          target: db
          checks:
            - name: three patients
              query: SELECT count(*) FROM patient
              expect: { equals: 3 }
            - name: tables
              tables_exist: [patient, d_facility]
        - id: after
          kind: sql
          target: db
          text: CREATE TABLE after_marker (id int);
        ",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 4, "{}", result.all_output());
    assert!(
        result.stdout.contains("run gate_failed in "),
        "{}",
        result.stdout
    );
    let dir = result.evidence_dir(case.path());
    assert_eq!(run_record(&dir)["status"], "gate_failed");
    let checks = step_result(&dir, "02-gate")["gate"].clone();
    assert_eq!(checks[0]["passed"], false);
    assert_eq!(checks[0]["expected"], "the value 3");
    assert_eq!(checks[0]["actual"], "the value '0'");
    assert_eq!(checks[1]["missing"], serde_json::json!(["d_facility"]));
    assert_eq!(step_statuses(&dir)[2], ("after".into(), "not_run".into()));
    assert_eq!(
        case.sql("SELECT to_regclass('after_marker') IS NULL"),
        "t",
        "a step after a failed gate ran"
    );
}

/// `require_files` that are missing, have the wrong mode or the wrong digest block the run:
/// exit 3, the evidence says `blocked`, and the step after it (which would change the
/// database) never runs.
#[test]
fn a_missing_or_mismatched_required_file_blocks_the_run_with_exit_3() {
    use std::os::unix::fs::PermissionsExt;
    let case = Case::new("e2e_exit_blocked");
    let dump = case
        .scratch
        .write("baseline.sql", "CREATE TABLE x (id int);\n");
    std::fs::set_permissions(&dump, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let digest = sha256_hex(b"CREATE TABLE x (id int);\n");
    let wrong = "0".repeat(64);
    let variants = [
        (
            "missing",
            "path: absent.sql".to_owned(),
            "blocked: absent.sql: missing".to_owned(),
        ),
        (
            "wrong mode",
            "path: baseline.sql\n    mode: \"0600\"".to_owned(),
            "blocked: baseline.sql: mode is 0644, expected 0600 (chmod 600 baseline.sql)"
                .to_owned(),
        ),
        (
            "wrong sha256",
            format!("path: baseline.sql\n    sha256: {wrong}"),
            format!("blocked: baseline.sql: sha256 is {digest}, expected {wrong}"),
        ),
    ];
    for (what, file, message) in variants {
        let steps = format!(
            "- id: inputs\n  kind: require_files\n  files:\n  - {file}\n- id: load\n  kind: sql_file\n  target: db\n  path: baseline.sql\n"
        );
        case.runbook("exit-blocked", "", &steps);
        let result = case.run(&["run", "rb.yaml"]);
        assert_no_panic(&result);
        assert_eq!(result.code, 3, "{what}: {}", result.all_output());
        assert!(
            result.stdout.contains("run blocked in "),
            "{what}: {}",
            result.stdout
        );
        assert!(
            result
                .stdout
                .contains(&format!("step 'inputs' (require_files): {message}")),
            "{what}: the message says what is wrong:\n{}",
            result.stdout
        );
        let dir = result.evidence_dir(case.path());
        assert_eq!(run_record(&dir)["status"], "blocked", "{what}");
        assert_eq!(
            step_statuses(&dir),
            [
                ("inputs".into(), "blocked".into()),
                ("load".into(), "not_run".into())
            ],
            "{what}"
        );
        assert_eq!(
            case.sql("SELECT to_regclass('x') IS NULL"),
            "t",
            "{what}: the load ran after a block"
        );
    }
    // And with everything right, the same runbook passes and records the file by digest.
    std::fs::set_permissions(&dump, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let steps = format!(
        "- id: inputs\n  kind: require_files\n  files:\n  - path: baseline.sql\n    mode: \"0600\"\n    sha256: {digest}\n- id: load\n  kind: sql_file\n  target: db\n  path: baseline.sql\n"
    );
    case.runbook("exit-blocked", "", &steps);
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let inputs = &step_result(&result.evidence_dir(case.path()), "01-inputs")["inputs"];
    assert_eq!(
        inputs,
        &serde_json::json!([{ "path": "baseline.sql", "size": 25, "sha256": digest }])
    );
}

#[test]
fn schema_prints_a_json_schema_and_exits_0() {
    let scratch = Scratch::new();
    let result = scratch.runbook(&["schema"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let schema: serde_json::Value = serde_json::from_str(&result.stdout).expect("schema is JSON");
    assert!(
        schema["$schema"]
            .as_str()
            .is_some_and(|s| s.contains("json-schema.org")),
        "{schema:#}"
    );
    let properties = schema["properties"]
        .as_object()
        .expect("top-level properties");
    for key in ["version", "name", "vars", "targets", "evidence", "steps"] {
        assert!(properties.contains_key(key), "the schema lacks '{key}'");
    }
}

#[test]
fn the_quickstart_runbook_validates() {
    let root = workspace_root();
    let result = runbook(&root, &["validate", "runbooks/quickstart.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    assert_eq!(result.stdout, "runbooks/quickstart.yaml: valid (5 steps)\n");
}
