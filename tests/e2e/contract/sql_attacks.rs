//! Attacks on the SQL promises, one test each (issue 7): consent on a protected target and a
//! dry run that cannot write. Every statement here got past the keyword classifier of the first
//! version (it ran without `--confirm`, or `check` sent it); now consent and check mode decide
//! from PostgreSQL's own parser and catalog. What the tests assert is what an operator relies on:
//! the data is still there, no row was written, no lock is held, and the refusal says why.

use crate::contract::case::Case;
use crate::support::*;

/// A victim database: patients with rows, a function that wipes them, an audit table.
fn seed(case: &Case) {
    sql_exec(
        &case.db.spec,
        "CREATE TABLE patients (id int PRIMARY KEY, name text);
         INSERT INTO patients SELECT g, 'p' || g FROM generate_series(1, 5) g;
         CREATE TABLE audit (note text);
         CREATE SEQUENCE patients_id_seq START 100;
         CREATE FUNCTION wipe() RETURNS void LANGUAGE sql AS 'DELETE FROM patients';
         CREATE PROCEDURE wipe_proc() LANGUAGE sql AS 'DELETE FROM patients';
         CREATE TABLE src (id int); INSERT INTO src VALUES (1), (2);",
    );
}

/// Runs `sql` as a `sql` step on a protected target without `--confirm` and asserts that nothing
/// changed, that the run was refused (exit 2) and that the refusal names `reason`.
fn refused_without_consent(prefix: &str, sql: &str, reason: &str) {
    let case = Case::new(prefix);
    seed(&case);
    let indented: String = sql
        .split('\n')
        .map(|l| format!("            {l}\n"))
        .collect();
    case.runbook(
        "consent-attack",
        "protected: true",
        &format!(
            "
        - id: attack
          kind: sql
          target: db
          text: |
{indented}"
        ),
    );
    let before = runbook_testkit::postgres::pg_dump_normalized(&case.db.spec);
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(
        runbook_testkit::postgres::pg_dump_normalized(&case.db.spec),
        before,
        "the protected database changed without --confirm:\n{}",
        result.all_output()
    );
    assert_eq!(result.code, 2, "{}", result.all_output());
    assert!(
        result
            .stderr
            .contains("target 'db' is protected and step 'attack' would run")
            && result.stderr.contains(reason),
        "the refusal does not say {reason:?}:\n{}",
        result.stderr
    );
}

macro_rules! consent_attack {
    ($($name:ident: $sql:expr => $reason:expr;)*) => {$(
        #[test]
        fn $name() {
            refused_without_consent(concat!("e2e_att_", stringify!($name)), $sql, $reason);
        }
    )*};
}

consent_attack! {
    do_block_executing_drops:
        "DO $$ DECLARE r record; BEGIN FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP EXECUTE 'DROP TABLE ' || quote_ident(r.tablename) || ' CASCADE'; END LOOP; END $$;"
        => "DO block: its code cannot be analysed";
    do_block_with_execute_format:
        "DO $x$ BEGIN EXECUTE format('TRUNCATE %I', 'patients'); END $x$;"
        => "DO block";
    calling_a_function_that_deletes:
        "SELECT wipe();"
        => "calls wipe(), which is not known to leave data alone";
    calling_a_procedure:
        "CALL wipe_proc();"
        => "CALL";
    alter_table_drop_column:
        "ALTER TABLE patients DROP COLUMN name;"
        => "ALTER TABLE patients DROP COLUMN";
    alter_column_type_using_null:
        "ALTER TABLE patients ALTER COLUMN name TYPE text USING NULL;"
        => "ALTER COLUMN TYPE";
    rename_table:
        "ALTER TABLE patients RENAME TO patients_gone;"
        => "RENAME";
    delete_hidden_in_a_cte:
        "WITH gone AS (DELETE FROM patients RETURNING *) SELECT count(*) FROM gone;"
        => "DELETE FROM patients";
    merge_that_deletes:
        "MERGE INTO patients p USING src s ON p.id = s.id WHEN MATCHED THEN DELETE;"
        => "MERGE INTO patients";
    prepare_then_execute_a_delete:
        "PREPARE wipe_it AS DELETE FROM patients;\nEXECUTE wipe_it;"
        => "EXECUTE of a prepared statement: DELETE FROM patients";
    delete_where_true:
        "DELETE FROM patients WHERE true;"
        => "DELETE FROM patients WHERE true";
    upsert_overwriting_rows:
        "INSERT INTO patients VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET name = NULL;"
        => "ON CONFLICT DO UPDATE overwrites rows of patients";
    create_rule_that_deletes:
        "CREATE RULE r AS ON INSERT TO audit DO ALSO DELETE FROM patients;\nINSERT INTO audit VALUES ('x');"
        => "CREATE RULE";
    quoted_name_of_a_writing_builtin:
        "SELECT \"lo_unlink\"(1);"
        => "lo_unlink";
    setval_on_an_existing_sequence:
        "SELECT setval('patients_id_seq', 1);"
        => "changes a sequence this script did not create";
    trigger_on_an_existing_table:
        "CREATE FUNCTION t() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM patients; RETURN NEW; END $$;\nCREATE TRIGGER t BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION t();\nINSERT INTO audit VALUES ('x');"
        => "CREATE TRIGGER on audit, which this script did not create";
}

/// With `standard_conforming_strings = off` on the server, `'a\'; SELECT '` is one string, so
/// the `DROP` after it is code. The first version split the text with the setting on and saw two
/// harmless SELECTs.
#[test]
fn a_statement_split_differently_on_a_server_without_standard_conforming_strings() {
    let case = Case::new("e2e_att_scs_off");
    seed(&case);
    sql_exec(
        &case.db.spec,
        &format!(
            "ALTER DATABASE {} SET standard_conforming_strings = off; CREATE TABLE victim2 (id int); INSERT INTO victim2 VALUES (1);",
            case.db.spec.dbname()
        ),
    );
    case.runbook(
        "consent-scs",
        "protected: true",
        r"
        - id: attack
          kind: sql
          target: db
          text: |
            SELECT 'a\'; SELECT '; DROP TABLE victim2; --';
        ",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(
        case.sql("SELECT count(*) FROM victim2"),
        "1",
        "{}",
        result.all_output()
    );
    assert_eq!(result.code, 2, "{}", result.all_output());
    assert!(
        result.stderr.contains("DROP TABLE victim2"),
        "{}",
        result.stderr
    );
}

/// A script on an unprotected target whose `\connect` reaches the protected target's database.
#[test]
fn a_connect_from_an_unprotected_target_into_the_protected_database() {
    let case = Case::new("e2e_att_connect");
    seed(&case);
    let scratch = runbook_testkit::postgres::create_database("e2e_att_connect_scratch");
    let protected_db = case.db.spec.dbname().to_owned();
    case.scratch.write(
        "hop.sql",
        format!("SELECT 1;\n\\connect {protected_db}\nDELETE FROM patients;\n"),
    );
    let text = format!(
        "version: 1\nname: connect-hop\ntargets:\n  db:\n    postgres: {{ url: '{}' }}\n    protected: true\n  scratch:\n    postgres: {{ url: '{}' }}\nsteps:\n  - id: hop\n    kind: sql_file\n    target: scratch\n    path: hop.sql\n",
        case.db.url, scratch.url
    );
    case.scratch.write("rb.yaml", text);
    let result = case.scratch.runbook(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(
        case.sql("SELECT count(*) FROM patients"),
        "5",
        "{}",
        result.all_output()
    );
    assert_eq!(result.code, 2, "{}", result.all_output());
    assert!(
        result.stderr.contains(&format!(
            "target 'db' is protected and step 'hop' would \\connect to database {protected_db} of protected target 'db' (hop.sql:2:1)"
        )),
        "{}",
        result.stderr
    );
    // With consent it goes ahead.
    let result = case.scratch.runbook(&["run", "rb.yaml", "--confirm", "db"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    assert_eq!(case.sql("SELECT count(*) FROM patients"), "0");
}

/// Control: the common restore (drop the schema, load a pg_dump) asks consent for the drop only;
/// the dump's set_config/setval calls touch what it creates itself.
#[test]
fn a_pg_dump_load_after_the_drop_needs_no_consent_of_its_own() {
    let case = Case::new("e2e_att_control_dump");
    seed(&case);
    let dump = workspace_root().join("runbooks/data/clinic-sample.sql");
    case.runbook(
        "consent-control",
        "protected: true",
        &format!(
            "
        - id: reset
          kind: sql
          target: db
          text: |
            DROP SCHEMA public CASCADE;
            CREATE SCHEMA public;
        - id: load
          kind: sql_file
          target: db
          path: {}
        ",
            dump.display()
        ),
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 2, "{}", result.all_output());
    assert!(
        result
            .stderr
            .contains("step 'reset' would run DROP SCHEMA public CASCADE")
            && !result.stderr.contains("more step"),
        "the load asked for consent too:\n{}",
        result.stderr
    );
    let result = case.run(&["run", "rb.yaml", "--confirm", "db"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
}

/// `check` on the attack of `refused_without_consent` names what consent will be asked for,
/// instead of "none destructive".
#[test]
fn check_names_what_needs_consent_instead_of_none_destructive() {
    let case = Case::new("e2e_att_check_names");
    seed(&case);
    case.runbook(
        "consent-check",
        "protected: true",
        "
        - id: attack
          kind: sql
          target: db
          text: SELECT wipe();
        ",
    );
    let result = case.run(&["check", "rb.yaml"]);
    assert_no_panic(&result);
    let log = step_log(&result.evidence_dir(case.path()), "01-attack");
    assert!(!log.contains("none destructive"), "{log}");
    assert!(
        log.contains("needs consent  rb.yaml:")
            && log.contains("calls wipe(), which is not known to leave data alone"),
        "{log}"
    );
    assert!(log.contains("needs --confirm db"), "{log}");
    assert_eq!(case.sql("SELECT count(*) FROM patients"), "5");
}

/// Gate queries in `check`: each one below wrote, locked or escaped the read-only transaction
/// on the first version. Now none is sent, and a plain read still is.
#[test]
fn check_sends_no_gate_query_that_could_write_lock_or_escape() {
    let case = Case::new("e2e_att_check_gates");
    seed(&case);
    let db = case.db.spec.dbname().to_owned();
    let conn = format!(
        "dbname={db} host=127.0.0.1 port={} user={}",
        case.db.spec.port(),
        case.db.spec.user()
    );
    sql_exec(
        &case.db.spec,
        &format!(
            "CREATE EXTENSION IF NOT EXISTS dblink;
             CREATE FUNCTION write_volatile() RETURNS text LANGUAGE sql VOLATILE AS $f$ SELECT dblink_exec('{conn}', 'INSERT INTO audit VALUES (''volatile'')') $f$;
             CREATE FUNCTION write_stable() RETURNS text LANGUAGE sql STABLE AS $f$ SELECT dblink_exec('{conn}', 'INSERT INTO audit VALUES (''stable'')') $f$;
             CREATE FUNCTION dump_file() RETURNS int LANGUAGE plpgsql VOLATILE AS $f$ BEGIN EXECUTE 'COPY (SELECT 1) TO ''/tmp/runbook-e2e-check-{db}'''; RETURN 1; END $f$;
             CREATE VIEW sneaky AS SELECT write_volatile() AS w;"
        ),
    );
    case.runbook(
        "check-gates",
        "",
        &format!(
            r#"
        - id: gate
          kind: gate
          target: db
          checks:
            - name: quoted dblink
              query: SELECT "dblink_exec"('{conn}', 'INSERT INTO audit VALUES (''quoted'')')
            - name: volatile wrapper
              query: SELECT write_volatile()
            - name: stable wrapper
              query: SELECT write_stable()
            - name: server file through a function
              query: SELECT dump_file()
            - name: lock behind dollar-quoted aliases
              query: SELECT 1 AS "$a$", pg_advisory_lock(424242) AS "$a$"
            - name: view calling a writer
              query: SELECT * FROM sneaky
            - name: plain read
              query: SELECT count(*) FROM patients
              expect: {{ equals: 5 }}
        "#
        ),
    );
    let result = case.run(&["check", "rb.yaml"]);
    assert_no_panic(&result);
    let file = format!("/tmp/runbook-e2e-check-{db}");
    let wrote_file = std::path::Path::new(&file).exists();
    let _ = std::fs::remove_file(&file);
    assert!(!wrote_file, "check wrote a file on the server host");
    assert_eq!(
        case.sql("SELECT count(*) FROM audit"),
        "0",
        "check wrote rows through dblink"
    );
    assert_eq!(
        case.sql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 424242"),
        "0",
        "check left an advisory lock behind"
    );
    let log = step_log(&result.evidence_dir(case.path()), "01-gate");
    for name in [
        "quoted dblink",
        "volatile wrapper",
        "stable wrapper",
        "server file through a function",
        "lock behind dollar-quoted aliases",
        "view calling a writer",
    ] {
        assert!(
            log.contains(&format!("not checked  {name}: it calls")),
            "{name}:\n{log}"
        );
    }
    assert!(log.contains("pass  plain read"), "{log}");
}

/// On a server with `standard_conforming_strings = off` the gate below is three statements:
/// the first version sent it whole and `check` said "ready" after dropping the table.
#[test]
fn check_sends_no_gate_that_smuggles_a_commit_past_the_split() {
    let case = Case::new("e2e_att_check_scs");
    seed(&case);
    sql_exec(
        &case.db.spec,
        &format!(
            "ALTER DATABASE {} SET standard_conforming_strings = off; CREATE TABLE victim2 (id int);",
            case.db.spec.dbname()
        ),
    );
    case.runbook(
        "check-scs",
        "",
        r"
        - id: gate
          kind: gate
          target: db
          checks:
            - name: smuggled
              query: SELECT 'a\'; SELECT '; COMMIT; DROP TABLE victim2; --'
        ",
    );
    let result = case.run(&["check", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(
        case.sql("SELECT to_regclass('victim2') IS NOT NULL"),
        "t",
        "check dropped the table:\n{}",
        result.all_output()
    );
    let log = step_log(&result.evidence_dir(case.path()), "01-gate");
    assert!(
        log.contains("not checked  smuggled: it is 3 statements"),
        "{log}"
    );
}

/// A foreign table of file_fdw with a `program` runs that command on every read: reading it is
/// not a plain read, and check mode does not send the gate.
#[test]
fn check_does_not_read_a_foreign_table_whose_wrapper_runs_a_program() {
    let case = Case::new("e2e_att_check_fdw");
    seed(&case);
    let marker = format!("/tmp/runbook-e2e-fdw-{}", case.db.spec.dbname());
    sql_exec(
        &case.db.spec,
        &format!(
            "CREATE EXTENSION IF NOT EXISTS file_fdw;
             CREATE SERVER files FOREIGN DATA WRAPPER file_fdw;
             CREATE FOREIGN TABLE ft (line text) SERVER files OPTIONS (program 'touch {marker}; echo x');"
        ),
    );
    case.runbook(
        "check-fdw",
        "",
        "
        - id: gate
          kind: gate
          target: db
          checks:
            - name: foreign read
              query: SELECT count(*) FROM ft
        ",
    );
    let result = case.run(&["check", "rb.yaml"]);
    assert_no_panic(&result);
    let ran = std::path::Path::new(&marker).exists();
    let _ = std::fs::remove_file(&marker);
    assert!(
        !ran,
        "check ran the foreign table's program:\n{}",
        result.all_output()
    );
    let log = step_log(&result.evidence_dir(case.path()), "01-gate");
    assert!(
        log.contains("not checked  foreign read: it calls") && log.contains("file_fdw_handler"),
        "{log}"
    );
}
