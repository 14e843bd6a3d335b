//! Gate checks a reviewer signs: `equals: null` means NULL (it used to mean "the query runs"),
//! the catalog checks (enum labels, privileges, triggers, functions, roles, extensions, foreign
//! key actions, row counts, a sequence ahead of its column) pass on the right schema and fail on
//! the wrong one with what was expected and what was found, and `as_role` gates row-level
//! security without leaving the session in that role. Each in `run` and in `check`.

use crate::contract::case::Case;
use crate::support::*;

/// A role of the shared test cluster (roles are cluster-wide: the name carries the test's
/// database name), dropped with what it was granted when the test ends.
struct TestRole<'a> {
    case: &'a Case,
    name: String,
}

impl<'a> TestRole<'a> {
    fn new(case: &'a Case, suffix: &str) -> TestRole<'a> {
        let name = format!("{}_{suffix}", case.db.name);
        sql_exec(
            &case.db.spec,
            &format!("DROP ROLE IF EXISTS \"{name}\"; CREATE ROLE \"{name}\" NOLOGIN"),
        );
        TestRole { case, name }
    }
}

impl Drop for TestRole<'_> {
    fn drop(&mut self) {
        let name = &self.name;
        let _ = std::process::Command::new("psql")
            .args([
                self.case.db.url.as_str(),
                "-qc",
                &format!("DROP OWNED BY \"{name}\"; DROP ROLE \"{name}\""),
            ])
            .output();
    }
}

fn check<'a>(result: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    result["gate"]
        .as_array()
        .expect("gate records")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check '{name}' in {result:#}"))
}

#[test]
fn equals_null_means_the_value_is_null_and_fails_on_a_value() {
    let case = Case::new("e2e_gate_null");
    case.runbook(
        "nulls",
        "",
        "
        - id: gate
          kind: gate
          target: db
          checks:
            - name: null is null
              query: SELECT NULL::text
              expect: { equals: null }
            - name: a value is not null
              query: SELECT 'x'
              expect: { equals: null }
        ",
    );
    for command in ["run", "check"] {
        let result = case.run(&[command, "rb.yaml"]);
        // A failing gate: exit 4 for run, 1 ("a step would fail") for check.
        let code = if command == "run" { 4 } else { 1 };
        assert_eq!(result.code, code, "{command}: {}", result.all_output());
        let dir = result.evidence_dir(case.path());
        let gate = step_result(&dir, "01-gate");
        let null = check(&gate, "null is null");
        assert_eq!(null["passed"], true, "{gate:#}");
        assert_eq!(null["expected"], "the value null");
        let value = check(&gate, "a value is not null");
        assert_eq!(value["passed"], false, "{gate:#}");
        assert_eq!(value["expected"], "the value null");
        assert_eq!(value["actual"], "the value 'x'");
    }
}

#[test]
fn an_explicit_null_in_expect_is_an_error_at_its_position_not_a_dropped_condition() {
    let case = Case::new("e2e_gate_null_bound");
    case.runbook(
        "nulls",
        "",
        "
        - id: gate
          kind: gate
          target: db
          checks:
            - name: at least
              query: SELECT 0
              expect: { min: null }
        ",
    );
    for command in ["validate", "check", "run"] {
        let result = case.run(&[command, "rb.yaml"]);
        assert_eq!(result.code, 2, "{command}: {}", result.all_output());
        assert!(
            result.stderr.contains(
                "rb.yaml:16:24: invalid null for 'checks[0].expect.min' in step 'gate': expected a number; leave 'min' out for no lower bound"
            ),
            "{command}: {}",
            result.stderr
        );
    }
}

/// The clinic schema the checks below look at; `nurse` is the role name.
fn clinic_schema(nurse: &str) -> String {
    format!(
        r#"CREATE EXTENSION IF NOT EXISTS plpgsql;
           CREATE SCHEMA app;
           CREATE TYPE app.mood AS ENUM ('calm', 'anxious', 'in pain');
           CREATE TABLE app.d_facility (id bigint PRIMARY KEY, name text);
           INSERT INTO app.d_facility VALUES (1, 'north'), (2, 'south'), (103, 'east');
           CREATE SEQUENCE app.facility_num;
           SELECT setval('app.facility_num', 200);
           CREATE TABLE app.d_patient (id bigint PRIMARY KEY,
               facility_id bigint REFERENCES app.d_facility (id) ON DELETE CASCADE,
               mood app.mood, updated_at timestamptz);
           INSERT INTO app.d_patient VALUES (1, 1, 'calm', now()), (2, 2, 'in pain', now());
           CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql
               AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
           CREATE TRIGGER patient_touch BEFORE UPDATE ON app.d_patient
               FOR EACH ROW EXECUTE FUNCTION app.touch();
           CREATE FUNCTION app.patient_count(fac bigint) RETURNS bigint LANGUAGE sql STABLE
               BEGIN ATOMIC SELECT count(*) FROM app.d_patient WHERE facility_id = fac; END;
           GRANT USAGE ON SCHEMA app TO "{nurse}";
           GRANT SELECT ON app.d_patient TO "{nurse}";"#
    )
}

#[test]
fn catalog_checks_pass_on_the_right_schema_in_run_and_check() {
    let case = Case::new("e2e_gate_catalog");
    let nurse = TestRole::new(&case, "nurse");
    sql_exec(&case.db.spec, &clinic_schema(&nurse.name));
    let n = &nurse.name;
    let db = &case.db.name;
    case.runbook(
        "catalog",
        "",
        &format!(
            r#"
        - id: gate
          kind: gate
          target: db
          checks:
            - name: moods
              enum_values: {{ type: app.mood, values: [calm, anxious, in pain] }}
            - name: nurse reads patients
              privileges: {{ role: '"{n}"', on: app.d_patient, has: [select] }}
            - name: nurse reaches the schema
              privileges: {{ role: '"{n}"', on: {{ schema: app }}, has: [USAGE] }}
            - name: nurse connects
              privileges: {{ role: '"{n}"', on: {{ database: '"{db}"' }}, has: [CONNECT, temp] }}
            - name: nurse counts patients
              privileges: {{ role: '"{n}"', on: {{ function: "app.patient_count(bigint)" }}, has: [EXECUTE] }}
            - name: nobody draws facility numbers
              query: SELECT NOT has_sequence_privilege('{n}', 'app.facility_num', 'USAGE')
              expect: {{ equals: true }}
            - name: triggers
              triggers_exist: [app.d_patient.patient_touch]
            - name: functions
              functions_exist: [app.patient_count(bigint), app.patient_count(int8), app.touch]
            - name: roles
              roles_exist: ['"{n}"']
            - name: extensions
              extensions_exist: [{{ name: plpgsql, version: "1.0" }}]
            - name: keys
              foreign_keys:
                - {{ table: app.d_patient, columns: [facility_id], references: app.d_facility(id), on_delete: CASCADE }}
            - name: facilities
              row_count: {{ table: app.d_facility, equals: 3 }}
            - name: facility_num
              sequence_ahead: {{ sequence: app.facility_num, of: app.d_facility.id }}
        "#
        ),
    );
    for command in ["run", "check"] {
        let result = case.run(&[command, "rb.yaml"]);
        assert_eq!(result.code, 0, "{command}: {}", result.all_output());
        let dir = result.evidence_dir(case.path());
        let gate = step_result(&dir, "01-gate");
        let checks = gate["gate"].as_array().expect("records");
        assert_eq!(checks.len(), 13, "{command}: {gate:#}");
        assert!(
            checks.iter().all(|c| c["passed"] == true),
            "{command}: {gate:#}"
        );
        assert_eq!(
            check(&gate, "facility_num")["actual"],
            "next nextval() = 201, max(app.d_facility.id) = 103"
        );
        assert_eq!(check(&gate, "facilities")["actual"], "3 rows");
        assert_eq!(
            check(&gate, "facilities")["query"],
            "SELECT count(*)::text FROM app.d_facility"
        );
        assert_eq!(
            check(&gate, "moods")["actual"],
            "labels 'calm', 'anxious', 'in pain'"
        );
        assert_eq!(
            check(&gate, "keys")["actual"],
            "app.d_patient(facility_id) -> app.d_facility(id): d_patient_facility_id_fkey on delete cascade on update no action"
        );
    }
}

#[test]
fn each_catalog_check_fails_saying_what_was_expected_and_what_was_found() {
    let case = Case::new("e2e_gate_catalog_fail");
    let nurse = TestRole::new(&case, "nurse");
    sql_exec(&case.db.spec, &clinic_schema(&nurse.name));
    // The restore's bug: rows loaded, the sequence left behind them.
    sql_exec(&case.db.spec, "SELECT setval('app.facility_num', 50)");
    let n = &nurse.name;
    case.runbook(
        "catalog",
        "",
        &format!(
            r#"
        - id: gate
          kind: gate
          target: db
          checks:
            - name: moods in another order
              enum_values: {{ type: app.mood, values: [anxious, calm, in pain] }}
            - name: no such enum
              enum_values: {{ type: app.nothing, values: [a] }}
            - name: nurse writes patients
              privileges: {{ role: '"{n}"', on: app.d_patient, has: [SELECT, INSERT, UPDATE] }}
            - name: a role that is not there
              privileges: {{ role: nobody_at_all, on: app.d_patient, has: [SELECT] }}
            - name: a table that is not there
              privileges: {{ role: '"{n}"', on: app.d_missing, has: [SELECT] }}
            - name: nurse draws facility numbers
              privileges: {{ role: '"{n}"', on: {{ sequence: app.facility_num }}, has: [usage] }}
            - name: triggers
              triggers_exist: [app.d_patient.patient_touch, app.d_patient.audit, app.d_missing.audit]
            - name: functions
              functions_exist: [app.patient_count(text), app.patient_count(no_such_type), app.nothing]
            - name: roles
              roles_exist: ['"{n}"', nobody_at_all]
            - name: extensions
              extensions_exist: [{{ name: plpgsql, version: "9.9" }}, surely_not_installed]
            - name: keys
              foreign_keys:
                - {{ table: app.d_patient, columns: [facility_id], references: app.d_facility(id), on_delete: restrict }}
                - {{ table: app.d_patient, columns: [id], references: app.d_facility(id) }}
            - name: facilities
              row_count: {{ table: app.d_facility, min: 5 }}
            - name: facility_num
              sequence_ahead: {{ sequence: app.facility_num, of: app.d_facility.id }}
        "#
        ),
    );
    for command in ["run", "check"] {
        let result = case.run(&[command, "rb.yaml"]);
        // A failing gate: exit 4 for run, 1 ("a step would fail") for check.
        let code = if command == "run" { 4 } else { 1 };
        assert_eq!(result.code, code, "{command}: {}", result.all_output());
        let dir = result.evidence_dir(case.path());
        let gate = step_result(&dir, "01-gate");
        assert_eq!(gate["status"], "failed", "{command}: {gate:#}");
        let records = gate["gate"].as_array().expect("records");
        assert!(
            records.iter().all(|c| c["passed"] == false),
            "{command}: every check fails: {gate:#}"
        );
        let found = |name: &str| {
            let c = check(&gate, name);
            (
                c["expected"].as_str().unwrap_or_default().to_owned(),
                c["actual"].as_str().unwrap_or_default().to_owned(),
                c["missing"].clone(),
            )
        };
        assert_eq!(
            found("moods in another order"),
            (
                "enum app.mood with labels 'anxious', 'calm', 'in pain' in this order".to_owned(),
                "labels 'calm', 'anxious', 'in pain'".to_owned(),
                serde_json::json!([])
            )
        );
        assert_eq!(found("no such enum").1, "type app.nothing does not exist");
        let (expected, actual, missing) = found("nurse writes patients");
        assert_eq!(
            expected,
            format!("role {n} has SELECT, INSERT, UPDATE on table app.d_patient")
        );
        assert_eq!(actual, "has SELECT; lacks INSERT, UPDATE");
        assert_eq!(missing, serde_json::json!(["INSERT", "UPDATE"]));
        assert_eq!(
            found("a role that is not there").1,
            "role nobody_at_all does not exist"
        );
        assert_eq!(
            found("a table that is not there").1,
            "table app.d_missing does not exist"
        );
        assert_eq!(
            found("nurse draws facility numbers"),
            (
                format!("role {n} has USAGE on sequence app.facility_num"),
                "lacks USAGE".to_owned(),
                serde_json::json!(["USAGE"])
            )
        );
        assert_eq!(
            found("triggers").2,
            serde_json::json!([
                "app.d_patient.audit",
                "app.d_missing.audit (table app.d_missing does not exist)"
            ])
        );
        let functions = found("functions").2;
        assert_eq!(functions[0], "app.patient_count(text)");
        assert_eq!(
            functions[1],
            "app.patient_count(no_such_type) (type \"no_such_type\" does not exist)"
        );
        assert_eq!(functions[2], "app.nothing");
        assert_eq!(found("roles").2, serde_json::json!(["nobody_at_all"]));
        assert_eq!(
            found("extensions").2,
            serde_json::json!(["plpgsql 9.9 (installed: 1.0)", "surely_not_installed"])
        );
        let (expected, actual, missing) = found("keys");
        assert_eq!(
            expected,
            "foreign keys app.d_patient(facility_id) -> app.d_facility(id) on delete restrict; app.d_patient(id) -> app.d_facility(id)"
        );
        assert_eq!(
            missing,
            serde_json::json!([
                "app.d_patient(facility_id) -> app.d_facility(id): d_patient_facility_id_fkey on delete cascade, expected restrict",
                "app.d_patient(id) -> app.d_facility(id): no foreign key on app.d_patient(id)"
            ])
        );
        assert!(
            actual.contains("on delete cascade, expected restrict"),
            "{actual}"
        );
        assert_eq!(
            found("facilities"),
            (
                "at least 5 rows in app.d_facility".to_owned(),
                "3 rows".to_owned(),
                serde_json::json!([])
            )
        );
        assert_eq!(
            found("facility_num"),
            (
                "the next nextval() of app.facility_num above every app.d_facility.id".to_owned(),
                "next nextval() = 51, max(app.d_facility.id) = 103".to_owned(),
                serde_json::json!([])
            )
        );
    }
}

#[test]
fn as_role_gates_row_level_security_and_leaves_the_session_as_its_own_user() {
    let case = Case::new("e2e_gate_as_role");
    let nurse = TestRole::new(&case, "nurse");
    let n = &nurse.name;
    sql_exec(
        &case.db.spec,
        &format!(
            r#"CREATE TABLE note (id int, author text);
               INSERT INTO note VALUES (1, '{n}'), (2, '{n}'), (3, 'doctor');
               ALTER TABLE note ENABLE ROW LEVEL SECURITY;
               CREATE POLICY own_notes ON note USING (author = current_user);
               GRANT SELECT ON note TO "{n}";"#
        ),
    );
    let steps = |missing_role: &str| {
        format!(
            r#"
        - id: gate
          kind: gate
          target: db
          checks:
            - name: the nurse sees her two notes
              query: SELECT count(*) FROM note
              as_role: '"{n}"'
              expect: {{ equals: 2 }}
            - name: the owner sees all three
              query: SELECT count(*) FROM note
              expect: {{ equals: 3 }}
            - name: the nurse cannot see the doctor's note
              query: SELECT id FROM note WHERE author = 'doctor'
              as_role: '"{n}"'
              expect: {{ empty: true }}{missing_role}
        - id: after
          kind: gate
          target: db
          checks:
            - name: back to the login role
              query: SELECT current_user = session_user AND current_user <> '{n}'
              expect: {{ equals: true }}
        "#
        )
    };
    case.runbook(
        "rls",
        "",
        &steps(
            "
            - name: a role that does not exist
              query: SELECT 1
              as_role: nobody_at_all
              expect: { equals: 1 }",
        ),
    );
    for command in ["run", "check"] {
        let result = case.run(&[command, "rb.yaml"]);
        // A failing gate: exit 4 for run, 1 ("a step would fail") for check.
        let code = if command == "run" { 4 } else { 1 };
        assert_eq!(result.code, code, "{command}: {}", result.all_output());
        let dir = result.evidence_dir(case.path());
        let gate = step_result(&dir, "01-gate");
        let nurse_sees = check(&gate, "the nurse sees her two notes");
        assert_eq!(nurse_sees["passed"], true, "{command}: {gate:#}");
        assert_eq!(nurse_sees["expected"], format!("as role {n}: the value 2"));
        assert_eq!(
            check(&gate, "the owner sees all three")["passed"],
            true,
            "{command}: the role did not outlive its check: {gate:#}"
        );
        assert_eq!(
            check(&gate, "the nurse cannot see the doctor's note")["passed"],
            true,
            "{command}: {gate:#}"
        );
        let missing = check(&gate, "a role that does not exist");
        assert_eq!(missing["passed"], false);
        assert_eq!(
            missing["actual"],
            "error (22023): role \"nobody_at_all\" does not exist"
        );
    }
    // With only passing checks the later step runs, on the reused session.
    case.runbook("rls", "", &steps(""));
    for command in ["run", "check"] {
        let result = case.run(&[command, "rb.yaml"]);
        assert_eq!(result.code, 0, "{command}: {}", result.all_output());
        let dir = result.evidence_dir(case.path());
        let after = step_result(&dir, "02-after");
        assert_eq!(
            check(&after, "back to the login role")["passed"],
            true,
            "{command}: {after:#}"
        );
    }
}

#[test]
fn the_gates_runbook_passes_every_check_on_the_sample_database() {
    let root = workspace_root();
    let evidence = tempfile::tempdir().expect("temp dir");
    let run = runbook(
        &root,
        &[
            "run",
            "runbooks/gates.yaml",
            "--evidence-dir",
            evidence.path().to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "gates.yaml failed:\n{}", run.all_output());
    let dir = run.evidence_dir(&root);
    assert_eq!(run_record(&dir)["status"], "passed");
    let catalog = step_result(&dir, "05-gate-catalog");
    let checks = catalog["gate"].as_array().expect("gate checks");
    let kinds: std::collections::BTreeSet<&str> =
        checks.iter().filter_map(|c| c["check"].as_str()).collect();
    for kind in [
        "enum_values",
        "privileges",
        "triggers_exist",
        "functions_exist",
        "roles_exist",
        "extensions_exist",
        "foreign_keys",
        "row_count",
        "sequence_ahead",
    ] {
        assert!(kinds.contains(kind), "no {kind} check: {catalog:#}");
    }
    assert!(
        checks
            .iter()
            .all(|c| c["passed"] == true && !c["expected"].as_str().unwrap_or("").is_empty()),
        "{catalog:#}"
    );
    let rls = step_result(&dir, "06-gate-row-security");
    let checks = rls["gate"].as_array().expect("gate checks");
    assert!(checks.iter().all(|c| c["passed"] == true), "{rls:#}");
    assert_eq!(
        check(&rls, "the nurse sees only her notes")["expected"],
        "as role clinic_nurse: exactly the rows ('clinic_nurse', 2)"
    );
}

#[test]
fn a_gate_query_run_as_a_role_still_needs_consent_on_a_protected_target() {
    let case = Case::new("e2e_gate_as_role_consent");
    let nurse = TestRole::new(&case, "nurse");
    sql_exec(
        &case.db.spec,
        &format!(
            r#"CREATE TABLE note (id int); INSERT INTO note VALUES (1);
               GRANT SELECT, DELETE ON note TO "{}";"#,
            nurse.name
        ),
    );
    case.runbook(
        "consent",
        "protected: true",
        &format!(
            r#"
        - id: gate
          kind: gate
          target: db
          checks:
            - name: a delete in disguise
              query: DELETE FROM note RETURNING id
              as_role: '"{}"'
              expect: {{ rows: 1 }}
        "#,
            nurse.name
        ),
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 2, "{}", result.all_output());
    assert!(
        result
            .stderr
            .contains("target 'db' is protected and step 'gate' would run the query of check 'a delete in disguise'"),
        "{}",
        result.stderr
    );
    assert_eq!(case.sql("SELECT count(*) FROM note"), "1");
}

#[test]
fn settings_let_a_gate_query_see_rows_as_a_signed_in_user_and_end_with_the_check() {
    // Seed 002's policies read the signed-in user from the request (Supabase's auth.uid()).
    let case = Case::new("e2e_gate_settings");
    let user = TestRole::new(&case, "authenticated");
    let n = &user.name;
    sql_exec(
        &case.db.spec,
        &format!(
            r#"CREATE TABLE traces (id int, user_id text);
               INSERT INTO traces VALUES (1, 'alice'), (2, 'alice'), (3, 'bob');
               ALTER TABLE traces ENABLE ROW LEVEL SECURITY;
               CREATE POLICY own_traces ON traces FOR SELECT
                   USING (user_id = current_setting('request.jwt.claim.sub', true));
               GRANT SELECT ON traces TO "{n}";"#
        ),
    );
    case.runbook(
        "settings",
        "",
        &format!(
            r#"
        - id: gate
          kind: gate
          target: db
          checks:
            - name: alice sees her two traces
              query: SELECT id FROM traces ORDER BY id
              as_role: '"{n}"'
              settings: {{ request.jwt.claim.sub: alice }}
              expect: {{ equals: [[1], [2]] }}
            - name: nobody signed in sees nothing
              query: SELECT id FROM traces
              as_role: '"{n}"'
              expect: {{ empty: true }}
            - name: the setting ended with its check
              query: SELECT coalesce(current_setting('request.jwt.claim.sub', true), '')
              expect: {{ equals: '' }}
        "#
        ),
    );
    for command in ["run", "check"] {
        let result = case.run(&[command, "rb.yaml"]);
        assert_eq!(result.code, 0, "{command}: {}", result.all_output());
        let gate = step_result(&result.evidence_dir(case.path()), "01-gate");
        assert_eq!(
            check(&gate, "alice sees her two traces")["expected"],
            format!("as role {n}, request.jwt.claim.sub = 'alice': exactly the rows (1), (2)")
        );
    }
}
