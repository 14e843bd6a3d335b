//! `runbook check`, the on-call dry run: it changes nothing anywhere (a `pg_dump` before and after
//! is identical, sequences keep their values), says what destructive statements would destroy
//! right now, and exits 0 ready, 1 a step would fail, 3 blocked. Its evidence says mode `check`.

use runbook_testkit::postgres::pg_dump_normalized;

use crate::contract::case::Case;
use crate::support::*;

/// A small clinic: two tables with rows, a sequence that has been used, a view.
fn seed(case: &Case) {
    sql_exec(
        &case.db.spec,
        "CREATE TABLE d_facility (id bigint PRIMARY KEY, name text);
         INSERT INTO d_facility VALUES (1, 'north'), (2, 'south');
         CREATE TABLE d_patient (id serial PRIMARY KEY, facility bigint REFERENCES d_facility, name text);
         INSERT INTO d_patient (facility, name) SELECT 1 + i % 2, 'p' || i FROM generate_series(1, 40) i;
         CREATE SEQUENCE facility_num;
         SELECT nextval('facility_num'), nextval('facility_num');
         CREATE VIEW north AS SELECT * FROM d_patient WHERE facility = 1;",
    );
}

fn sequences(case: &Case) -> String {
    case.sql(
        "SELECT (SELECT last_value || '/' || is_called FROM facility_num) || ' ' || \
                (SELECT last_value || '/' || is_called FROM d_patient_id_seq)",
    )
}

#[test]
fn check_changes_nothing_and_names_the_blast_radius() {
    let case = Case::new("e2e_check_nothing");
    seed(&case);
    case.scratch.write(
        "restore.sql",
        "-- a restore script\n\
         DROP TABLE IF EXISTS d_patient CASCADE;\n\
         TRUNCATE d_facility CASCADE;\n\
         CREATE TABLE d_audit (id int);\n\
         COPY d_audit (id) FROM stdin;\n1\n2\n3\n\\.\n\
         SELECT setval('facility_num', 1000);\n",
    );
    case.runbook(
        "check-nothing",
        "",
        "
        - id: inputs
          kind: require_files
          files:
            - path: restore.sql
        - id: reset
          kind: sql
          target: db
          text: |
            DROP SCHEMA public CASCADE;
            CREATE SCHEMA public;
        - id: load
          kind: sql_file
          target: db
          path: restore.sql
        - id: sequence
          kind: sequence_reset
          target: db
          sequence: facility_num
          to: { next: 500 }
        - id: max-sequence
          kind: sequence_reset
          target: db
          sequence: d_patient_id_seq
          to: { max_of: { table: d_facility, column: id } }
        - id: gate
          kind: gate
          target: db
          checks:
            - name: audit table
              tables_exist: [d_audit]
            - name: next facility
              query: SELECT nextval('facility_num')
            - name: patients
              query: SELECT count(*) FROM d_patient
              expect: { min: 1 }
        ",
    );
    let dump_before = pg_dump_normalized(&case.db.spec);
    let sequences_before = sequences(&case);

    let result = case.run(&["check", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 0, "{}", result.all_output());
    assert!(
        result.stdout.contains("check ready in "),
        "{}",
        result.stdout
    );

    assert_eq!(
        pg_dump_normalized(&case.db.spec),
        dump_before,
        "check changed the database"
    );
    assert_eq!(sequences(&case), sequences_before, "check moved a sequence");

    let dir = result.evidence_dir(case.path());
    let record = run_record(&dir);
    assert_eq!(record["mode"], "check");
    assert_eq!(record["status"], "ready");
    let (ok, text) = sha256sum_check(&dir);
    assert!(ok, "{text}");

    let reset = step_log(&dir, "02-reset");
    assert!(
        reset.contains("destructive  rb.yaml:18:7  DROP SCHEMA: drops schema public: 2 tables, 1 view, 2 sequences, 42 rows"),
        "the blast radius is not named:\n{reset}"
    );
    let load = step_log(&dir, "03-load");
    for line in [
        "would run 5 statements",
        "COPY data: 3 rows",
        "destructive  restore.sql:2:1  DROP TABLE: drops table d_patient: 40 rows; and everything that depends on it (CASCADE)",
        "destructive  restore.sql:3:1  TRUNCATE: empties d_facility: 2 rows; and tables that reference them (CASCADE)",
    ] {
        assert!(load.contains(line), "missing '{line}' in:\n{load}");
    }
    let sequence = step_log(&dir, "04-sequence");
    assert!(
        sequence.contains("would raise facility_num: next value 500 (now 3); next: 500 as written"),
        "{sequence}"
    );
    let gate = step_log(&dir, "06-gate");
    assert!(
        gate.contains(
            "not checked  next facility: it calls pg_catalog.nextval(), a VOLATILE function"
        ),
        "{gate}"
    );
}

#[test]
fn check_exits_1_when_a_sql_file_uses_a_meta_command_psql_does_not_know() {
    let case = Case::new("e2e_check_meta");
    case.scratch.write(
        "reset_seq.sql",
        "\\set ON_ERROR_STOP on\nSELECT 1;\n\\tee /tmp/reset.log\nSELECT setval('d_audit_event_seq', 1);\n",
    );
    case.runbook(
        "check-meta",
        "",
        "
        - id: reset
          kind: sql_file
          target: db
          path: reset_seq.sql
        ",
    );
    let result = case.run(&["check", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 1, "{}", result.all_output());
    assert!(
        result.stdout.contains("check would_fail in "),
        "{}",
        result.stdout
    );
    assert!(
        result.stdout.contains(
            "step 'reset' (sql_file): would fail: reset_seq.sql:3:1: unsupported psql meta-command \\tee (psql does not know it either)"
        ),
        "{}",
        result.stdout
    );
    let dir = result.evidence_dir(case.path());
    assert_eq!(run_record(&dir)["status"], "would_fail");
    let error = &step_result(&dir, "01-reset")["error"];
    assert_eq!(
        (
            error["file"].as_str(),
            error["line"].as_u64(),
            error["column"].as_u64()
        ),
        (Some("reset_seq.sql"), Some(3), Some(1))
    );
}

#[test]
fn check_exits_1_when_a_gate_fails_on_a_target_nothing_changes() {
    let case = Case::new("e2e_check_gate");
    seed(&case);
    case.runbook(
        "check-gate",
        "",
        "
        - id: gate
          kind: gate
          target: db
          checks:
            - name: facilities
              query: SELECT count(*) FROM d_facility
              expect: { equals: 3 }
        ",
    );
    let result = case.run(&["check", "rb.yaml"]);
    assert_eq!(result.code, 1, "{}", result.all_output());
    assert!(
        result
            .stdout
            .contains("step 'gate' (gate): 1 of 1 checks failed: facilities"),
        "{}",
        result.stdout
    );
    assert_eq!(
        run_record(&result.evidence_dir(case.path()))["status"],
        "would_fail"
    );
}

#[test]
fn check_exits_3_when_a_required_file_is_missing_and_still_looks_at_every_step() {
    let case = Case::new("e2e_check_blocked");
    case.runbook(
        "check-blocked",
        "",
        "
        - id: inputs
          kind: require_files
          files:
            - path: secrets/baseline.sql
        - id: gate
          kind: gate
          target: db
          checks:
            - name: answers
              query: SELECT 1
        ",
    );
    let result = case.run(&["check", "rb.yaml"]);
    assert_eq!(result.code, 3, "{}", result.all_output());
    assert!(
        result.stdout.contains("check blocked in "),
        "{}",
        result.stdout
    );
    assert!(
        result
            .stdout
            .contains("step 'inputs' (require_files): blocked: secrets/baseline.sql: missing"),
        "{}",
        result.stdout
    );
    let dir = result.evidence_dir(case.path());
    assert_eq!(run_record(&dir)["status"], "blocked");
    // The on-call engineer gets the whole list, not just the first problem.
    assert_eq!(
        step_statuses(&dir),
        [
            ("inputs".into(), "blocked".into()),
            ("gate".into(), "passed".into())
        ]
    );
}

#[test]
fn check_refuses_gate_queries_that_could_leave_the_read_only_transaction() {
    let case = Case::new("e2e_check_escape");
    seed(&case);
    case.runbook(
        "check-escape",
        "",
        "
        - id: gate
          kind: gate
          target: db
          checks:
            - name: commit first
              query: COMMIT; CREATE TABLE escaped_commit (id int)
            - name: begin again
              query: BEGIN; CREATE TABLE escaped_begin (id int)
            - name: read write
              query: SET default_transaction_read_only = off
            - name: then write
              query: CREATE TABLE escaped_write (id int)
            - name: write through a function
              query: SELECT set_config('transaction_read_only', 'off', false), nextval('facility_num')
            - name: server file
              query: COPY (SELECT 1) TO :'file'
            - name: server program
              query: COPY (SELECT 1) TO PROGRAM :'program'
        ",
    );
    // The server runs as another account: /tmp is where it could write.
    let file = format!("/tmp/runbook-e2e-check-{}-file", std::process::id());
    let touched = format!("/tmp/runbook-e2e-check-{}-program", std::process::id());
    let text = std::fs::read_to_string(case.path().join("rb.yaml")).expect("rb.yaml");
    let text = text.replace(
        "vars:\n",
        &format!("vars:\n  file: {file}\n  program: touch {touched}\n"),
    );
    case.scratch.write("rb.yaml", text);
    let dump_before = pg_dump_normalized(&case.db.spec);
    let result = case.run(&["check", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(
        pg_dump_normalized(&case.db.spec),
        dump_before,
        "check changed the database"
    );
    for table in ["escaped_commit", "escaped_begin", "escaped_write"] {
        assert_eq!(
            case.sql(&format!("SELECT to_regclass('{table}') IS NULL")),
            "t",
            "{table} was created in check mode"
        );
    }
    let log = step_log(&result.evidence_dir(case.path()), "01-gate");
    for line in [
        "not checked  commit first: it is 2 statements; a check query is one statement",
        "not checked  begin again: it is 2 statements; a check query is one statement",
        "not checked  read write: SET could leave the read-only transaction, so check mode does not send it",
    ] {
        assert!(log.contains(line), "missing '{line}' in:\n{log}");
    }
    for path in [&file, &touched] {
        let existed = std::path::Path::new(path).exists();
        let _ = std::fs::remove_file(path);
        assert!(!existed, "check mode wrote {path} on the server host");
    }
    for line in [
        "not checked  server file: COPY is not a plain read, so check mode does not send it",
        "not checked  server program: COPY is not a plain read",
    ] {
        assert!(log.contains(line), "missing '{line}' in:\n{log}");
    }
    assert!(
        !log.contains("pass  then write"),
        "a CREATE TABLE passed in check mode:\n{log}"
    );
}

#[test]
fn check_does_not_send_gate_queries_whose_functions_act_outside_the_transaction() {
    // A read-only transaction stops table writes, not pg_terminate_backend: the dry run must not
    // end the sessions of the people it is checking on.
    let case = Case::new("e2e_check_side_effects");
    seed(&case);
    let mut victim =
        std::process::Command::new(runbook_testkit::postgres::binaries().program("psql"))
            .args(["-X", "-q", "-c", "SELECT pg_sleep(60)", &case.db.url])
            .env("PGAPPNAME", "runbook-e2e-victim")
            .spawn()
            .expect("start psql");
    let running = || {
        case.sql(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'runbook-e2e-victim'",
        )
    };
    assert!(
        wait_until(std::time::Duration::from_secs(10), || running() == "1"),
        "the victim session did not start"
    );
    case.runbook(
        "check-side-effects",
        "",
        "
        - id: gate
          kind: gate
          target: db
          checks:
            - name: kill the others
              query: SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'runbook-e2e-victim'
              expect: { rows: 0 }
            - name: plain read
              query: SELECT count(*) FROM d_patient
        ",
    );
    let result = case.run(&["check", "rb.yaml"]);
    assert_no_panic(&result);
    let alive = running();
    let _ = victim.kill();
    let _ = victim.wait();
    assert_eq!(alive, "1", "check mode terminated another session");
    let log = step_log(&result.evidence_dir(case.path()), "01-gate");
    assert!(
        log.contains("not checked  kill the others: it calls pg_catalog.pg_terminate_backend(), a VOLATILE function, whose effects may escape the read-only transaction, so check mode does not send it"),
        "{log}"
    );
    assert!(log.contains("pass  plain read"), "{log}");
}
