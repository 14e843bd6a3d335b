//! `sequence_reset` and `gate` as a restore uses them: the next `nextval()` follows the restored
//! data (schema-qualified and quoted names included) with the values before and after in the
//! evidence, and every kind of gate expectation passes on the right data and, on the wrong
//! data, fails saying what was expected and what was found.

use crate::contract::case::Case;
use crate::support::*;

#[test]
fn sequence_reset_makes_nextval_follow_the_data_and_records_before_and_after() {
    let case = Case::new("e2e_sequences");
    sql_exec(
        &case.db.spec,
        r#"CREATE SCHEMA app;
           CREATE TABLE app."Facility" (id bigint); INSERT INTO app."Facility" VALUES (40), (7);
           CREATE SEQUENCE app.facility_num;
           CREATE TABLE empty_table (id int); CREATE SEQUENCE empty_seq;
           CREATE SEQUENCE "MixedSeq"; SELECT nextval('"MixedSeq"');"#,
    );
    case.runbook(
        "sequences",
        "",
        r#"
        - id: facility
          kind: sequence_reset
          target: db
          sequence: app.facility_num
          to: { max_of: { table: app."Facility", column: id } }
        - id: empty
          kind: sequence_reset
          target: db
          sequence: empty_seq
          to: { max_of: { table: empty_table, column: id } }
        - id: fixed
          kind: sequence_reset
          target: db
          sequence: '"MixedSeq"'
          to: { next: 104 }
        "#,
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    assert_eq!(
        case.sql(r#"SELECT nextval('app.facility_num') || ' ' || nextval('empty_seq') || ' ' || nextval('"MixedSeq"')"#),
        "41 1 104"
    );
    let dir = result.evidence_dir(case.path());
    let facility = step_result(&dir, "01-facility");
    assert_eq!(
        facility["summary"],
        "app.facility_num: raised: next value 41 (was 1); max(id) + 1 of app.\"Facility\" = 41"
    );
    assert_eq!(facility["details"]["action"], "raised");
    assert_eq!(facility["details"]["before"]["next_value"], 1);
    assert_eq!(facility["details"]["after"]["next_value"], 41);
    assert_eq!(
        step_result(&dir, "03-fixed")["summary"],
        "\"MixedSeq\": raised: next value 104 (was 2); next: 104 as written"
    );
    let log = step_log(&dir, "03-fixed");
    assert!(
        log.contains("before: next nextval() = 2") && log.contains("after:  next nextval() = 104"),
        "{log}"
    );
}

#[test]
fn gate_expectations_pass_on_the_right_data_and_say_what_was_found_on_the_wrong_data() {
    let case = Case::new("e2e_gates");
    sql_exec(
        &case.db.spec,
        "CREATE SCHEMA app;
         CREATE TABLE app.d_patient (id int PRIMARY KEY, kana_name text, active boolean);
         INSERT INTO app.d_patient VALUES (1, 'ヤマダ', true), (2, NULL, false);
         CREATE INDEX d_patient_kana ON app.d_patient (kana_name);
         CREATE SEQUENCE app.patient_seq;
         ALTER TABLE app.d_patient ENABLE ROW LEVEL SECURITY;
         CREATE POLICY own_rows ON app.d_patient USING (true);",
    );
    case.runbook(
        "gates",
        "",
        "
        - id: gate
          kind: gate
          target: db
          checks:
            - name: catalog
              tables_exist: [app.d_patient]
            - name: columns
              columns_exist: [app.d_patient.kana_name]
            - name: index
              indexes_exist: [app.d_patient_kana]
            - name: sequence
              sequences_exist: [app.patient_seq]
            - name: constraint
              constraints_exist: [app.d_patient.d_patient_pkey]
            - name: rls
              rls_enabled: [app.d_patient]
            - name: policy
              policies_exist: [app.d_patient.own_rows]
            - name: rows by meaning
              query: SELECT id, kana_name, active FROM app.d_patient ORDER BY id
              expect: { equals: [[1.0, ヤマダ, true], [2, null, f]], rows: 2 }
            - name: contains and bounds
              query: SELECT count(*) FROM app.d_patient
              expect: { min: 1, max: 2, contains: [[2]], empty: false }
        ",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    assert_eq!(
        step_result(&result.evidence_dir(case.path()), "01-gate")["summary"],
        "9 of 9 checks passed"
    );

    case.runbook(
        "gates",
        "",
        "
        - id: gate
          kind: gate
          target: db
          checks:
            - name: catalog
              tables_exist: [app.d_patient, d_patient, app.d_users]
            - name: count
              query: SELECT count(*) FROM app.d_patient
              expect: { min: 3 }
            - name: empty
              query: SELECT id FROM app.d_patient WHERE kana_name IS NULL
              expect: { empty: true }
            - name: broken query
              query: SELECT nope FROM app.d_patient
        ",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 4, "{}", result.all_output());
    let checks = step_result(&result.evidence_dir(case.path()), "01-gate")["gate"].clone();
    let seen: Vec<(String, bool, String, String)> = checks
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().to_owned(),
                c["passed"].as_bool().unwrap_or(true),
                c["expected"].as_str().unwrap_or_default().to_owned(),
                c["actual"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let expected = [
        (
            "catalog",
            false,
            "tables exist: app.d_patient, d_patient, app.d_users",
            "1 of 3 present",
        ),
        ("count", false, "a value >= 3", "the value '2'"),
        ("empty", false, "no rows", "the value '2'"),
        (
            "broken query",
            false,
            "the query runs",
            "error (42703): column \"nope\" does not exist",
        ),
    ];
    for (got, want) in seen.iter().zip(expected) {
        assert_eq!(
            (got.0.as_str(), got.1, got.2.as_str(), got.3.as_str()),
            want
        );
    }
    assert_eq!(seen.len(), 4);
    assert_eq!(
        checks[0]["missing"],
        serde_json::json!(["d_patient", "app.d_users"]),
        "the missing objects are listed by name"
    );
    let report = std::fs::read_to_string(result.evidence_dir(case.path()).join("report.md"))
        .expect("report.md");
    // Named in the failures at the top, the check's row and the gate's log, never twice in one.
    let row = report
        .split('\n')
        .find(|l| l.starts_with("| catalog |"))
        .expect("the check's row");
    assert_eq!(
        row.matches("missing: d_patient, app.d_users").count(),
        1,
        "the report names the missing objects once:\n{report}"
    );
    assert!(
        report
            .split('\n')
            .all(|l| l.matches("missing: d_patient").count() <= 1),
        "{report}"
    );
}

/// Values that reach SQL are quoted, never pasted raw: `${vars.x}` with anything but a plain
/// word is refused before anything runs, and `:'x'` quotes it, in `sql` text and gate queries
/// alike (the refusal tells the author to write exactly that).
#[test]
fn vars_reach_sql_and_gate_queries_quoted_and_are_never_pasted_raw() {
    let case = Case::new("e2e_vars_quoted");
    sql_exec(
        &case.db.spec,
        "CREATE TABLE victim (id int); CREATE TABLE names (n text);",
    );
    let hostile = "who=x'); DROP TABLE victim; --";
    let pasted = crate::contract::case::runbook_text(
        "vars-pasted",
        "",
        "
        - id: add
          kind: sql
          target: db
          text: INSERT INTO names VALUES ('${vars.who}');
        ",
    )
    .replace("vars:\n", "vars:\n  who: alice\n");
    case.scratch.write("rb.yaml", pasted);
    let result = case.run(&["run", "rb.yaml", "--var", hostile]);
    assert_no_panic(&result);
    assert_eq!(result.code, 2, "{}", result.all_output());
    assert_eq!(
        result.stderr,
        "error: rb.yaml:14:38: cannot paste ${vars.who} into SQL text: its value has characters other than letters, \
         digits, '_', '.', ':' and '-'; write :'who' (a literal) or :\"who\" (an identifier) instead, runbook vars are psql variables\n"
    );

    let quoted = crate::contract::case::runbook_text(
        "vars-quoted",
        "",
        r#"
        - id: add
          kind: sql
          target: db
          text: INSERT INTO names VALUES (:'who');
        - id: gate
          kind: gate
          target: db
          checks:
            - name: stored as given
              query: SELECT count(*) FROM names WHERE n = :'who'
              expect: { equals: 1 }
            - name: identifier
              query: SELECT count(*) FROM :"table"
              expect: { equals: 0 }
        "#,
    )
    .replace("vars:\n", "vars:\n  who: alice\n  table: victim\n");
    case.scratch.write("rb.yaml", quoted);
    let result = case.run(&["run", "rb.yaml", "--var", hostile]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    assert_eq!(
        case.sql("SELECT n FROM names"),
        "x'); DROP TABLE victim; --"
    );
    assert_eq!(case.sql("SELECT to_regclass('victim') IS NOT NULL"), "t");
}
