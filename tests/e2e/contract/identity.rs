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
