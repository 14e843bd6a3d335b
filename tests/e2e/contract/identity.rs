//! Target identity: `run.json` says which server each target reached (system identifier,
//! version, database, address, recovery), read on the run's first connection, so a reviewer
//! can tell production from staging after the fact even when both were `127.0.0.1:5432`.

use crate::contract::case::Case;
use crate::support::*;

const ONE_STEP: &str = "
    - id: make
      kind: sql
      target: db
      text: CREATE TABLE touched (id int);
";

#[test]
fn run_json_records_which_server_each_target_reached() {
    let case = Case::new("e2e_identity_record");
    case.runbook("identity-record", "", ONE_STEP);
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let record = run_record(&result.evidence_dir(case.path()));
    let identity = &record["targets"]["db"]["identity"];
    // What the server itself says, asked independently of the tool.
    let expected = case.sql("SELECT system_identifier::text FROM pg_control_system()");
    assert_eq!(
        identity["system_identifier"],
        expected.as_str(),
        "{record:#}"
    );
    assert_eq!(
        identity["server_version"],
        case.sql("SHOW server_version").as_str()
    );
    assert_eq!(identity["database"], case.db.name.as_str());
    assert_eq!(identity["in_recovery"], false);
    let address = identity["server_address"].as_str().unwrap_or_default();
    assert!(!address.is_empty(), "{record:#}");
    assert!(identity["recorded_at"].is_string(), "{record:#}");
    let text = serde_json::to_string(&record).expect("json");
    if let Some(password) = case.db.spec.password() {
        assert!(!text.contains(password), "a password in run.json: {text}");
    }
}

/// A shell step first: a refused run must not even reach steps that do not touch the database.
fn guarded_steps() -> &'static str {
    "
    - id: mark
      kind: shell
      command: [touch, ran.marker]
    - id: make
      kind: sql
      target: db
      text: CREATE TABLE touched (id int);
    "
}

#[test]
fn a_server_that_is_not_the_expected_one_blocks_before_any_step() {
    let case = Case::new("e2e_identity_wrong");
    let actual = case.sql("SELECT system_identifier::text FROM pg_control_system()");
    // Another cluster's identifier: the real one with its last digit changed.
    let mut wrong = actual.clone();
    let last = wrong.pop().expect("an identifier");
    wrong.push(if last == '1' { '2' } else { '1' });
    case.runbook(
        "identity-wrong",
        &format!(
            "expect:\n  system_identifier: \"{wrong}\"\n  database: {}\n",
            case.db.name
        ),
        guarded_steps(),
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 3, "{}", result.all_output());
    let output = result.all_output();
    assert!(
        output.contains(&format!(
            "system_identifier: expected {wrong}, server has {actual}"
        )),
        "{output}"
    );
    // The database matched, so it is not named as a difference.
    assert!(!output.contains("database: expected"), "{output}");
    assert!(!case.path().join("ran.marker").exists(), "a step ran");
    assert_eq!(
        case.sql("SELECT count(*) FROM pg_tables WHERE tablename = 'touched'"),
        "0"
    );
    let record = run_record(&result.evidence_dir(case.path()));
    assert_eq!(record["status"], "blocked");
    // The evidence still says which server was reached.
    assert_eq!(
        record["targets"]["db"]["identity"]["system_identifier"],
        actual.as_str()
    );

    let check = case.run(&["check", "rb.yaml"]);
    assert_no_panic(&check);
    assert_eq!(check.code, 3, "{}", check.all_output());
    assert!(
        check.all_output().contains("system_identifier: expected"),
        "{}",
        check.all_output()
    );
}

#[test]
fn the_expected_server_runs_with_a_major_version_and_the_address() {
    let case = Case::new("e2e_identity_right");
    let identifier = case.sql("SELECT system_identifier::text FROM pg_control_system()");
    let major = case.sql("SELECT current_setting('server_version_num')::int / 10000");
    let host = case.sql("SELECT coalesce(host(inet_server_addr()), 'unix socket')");
    case.runbook(
        "identity-right",
        &format!(
            "expect:\n  system_identifier: {identifier}\n  server_version: {major}\n  database: {}\n  host: {host}\n",
            case.db.name
        ),
        guarded_steps(),
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 0, "{}", result.all_output());
    assert!(case.path().join("ran.marker").exists());
}

#[test]
fn a_minor_version_that_differs_blocks_and_a_float_version_is_refused_where_written() {
    let case = Case::new("e2e_identity_minor");
    let version = case.sql("SHOW server_version");
    let major = version.split('.').next().unwrap_or_default().to_owned();
    case.runbook(
        "identity-minor",
        &format!("expect:\n  server_version: \"{major}.999\"\n"),
        guarded_steps(),
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 3, "{}", result.all_output());
    assert!(
        result.all_output().contains(&format!(
            "server_version: expected {major}.999, server has {version}"
        )),
        "{}",
        result.all_output()
    );
    assert!(!case.path().join("ran.marker").exists());

    case.runbook(
        "identity-float",
        "expect:\n  server_version: 15.10\n",
        guarded_steps(),
    );
    let invalid = case.run(&["validate", "rb.yaml"]);
    assert_ne!(invalid.code, 0, "{}", invalid.all_output());
    assert!(
        invalid.all_output().contains("rb.yaml:") && invalid.all_output().contains("quote it"),
        "{}",
        invalid.all_output()
    );
}

#[test]
fn identify_prints_an_expect_block_that_passes_when_pasted_back() {
    let case = Case::new("e2e_identity_paste");
    let url = case.db.url.clone();
    let identified = case.run(&["identify", &url]);
    assert_no_panic(&identified);
    assert_eq!(identified.code, 0, "{}", identified.all_output());
    let block = identified.stdout.clone();
    assert!(block.starts_with("expect:\n"), "{block}");
    let identifier = case.sql("SELECT system_identifier::text FROM pg_control_system()");
    assert!(block.contains(&identifier), "{block}");
    if let Some(password) = case.db.spec.password() {
        assert!(
            !block.contains(password),
            "a password in the block: {block}"
        );
    }
    case.runbook("identity-paste", &block, guarded_steps());
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 0, "{}", result.all_output());
    assert!(case.path().join("ran.marker").exists());

    // The same block on another database of the same cluster names the database only.
    let other = Case::new("e2e_identity_paste_other");
    other.runbook("identity-paste", &block, guarded_steps());
    let refused = other.run(&["run", "rb.yaml"]);
    assert_eq!(refused.code, 3, "{}", refused.all_output());
    let output = refused.all_output();
    assert!(
        output.contains(&format!(
            "database: expected {}, server has {}",
            case.db.name, other.db.name
        )),
        "{output}"
    );
    assert!(!output.contains("system_identifier: expected"), "{output}");
}
