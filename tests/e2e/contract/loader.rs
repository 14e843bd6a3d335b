//! The SQL loader as an operator meets it through the CLI: `sql_file` errors at `file:line:col`
//! inside the file with SQLSTATE and the caret line, in the step's `output.log` and on the
//! terminal; `sql` errors at the runbook's line; `on_error: continue` goes on like psql's
//! default; `single_transaction: true` leaves nothing behind when a statement fails.

use crate::contract::case::Case;
use crate::support::*;

/// The issue's example: a statement that starts on line 5 and fails at `NUL` on line 7, column 25.
const SCHEMA_WITH_TYPO: &str = r"-- clinic schema
CREATE TABLE d_facility (id bigint PRIMARY KEY);

-- patients
CREATE TABLE d_patient (
  id bigint PRIMARY KEY,
  kana_name varchar(10) NUL,
  facility bigint REFERENCES d_facility
);
CREATE TABLE d_after (id int);
";

fn load_runbook(case: &Case, extra: &str) {
    case.runbook(
        "loader",
        "",
        &format!(
            "
            - id: load
              kind: sql_file
              target: db
              path: schema.sql
              {extra}
            - id: after
              kind: sql
              target: db
              text: CREATE TABLE step_after (id int);
            "
        ),
    );
}

#[test]
fn a_sql_file_error_names_file_line_column_sqlstate_and_the_caret_line() {
    let case = Case::new("e2e_loader_position");
    case.scratch.write("schema.sql", SCHEMA_WITH_TYPO);
    load_runbook(&case, "");
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 1, "{}", result.all_output());

    let caret = format!(
        "{}^",
        " ".repeat("LINE 7: ".len() + "  kana_name varchar(10) ".len())
    );
    let expected = format!(
        "step 'load' (sql_file): failed: schema.sql:7:25: syntax error at or near \"NUL\" (SQLSTATE 42601) (after 1 statement succeeded)\n\
         \x20 | LINE 7:   kana_name varchar(10) NUL,\n  | {caret}\n"
    );
    assert!(
        result.stdout.contains(&expected),
        "expected\n{expected}in\n{}",
        result.stdout
    );

    let dir = result.evidence_dir(case.path());
    let log = step_log(&dir, "01-load");
    assert!(log.contains("schema.sql:2:1  CREATE TABLE"), "{log}");
    assert!(log.contains(&format!("error: schema.sql:7:25: syntax error at or near \"NUL\" (SQLSTATE 42601)\nLINE 7:   kana_name varchar(10) NUL,\n{caret}\n")), "{log}");
    let error = &step_result(&dir, "01-load")["error"];
    assert_eq!(error["file"], "schema.sql");
    assert_eq!(error["line"], 7);
    assert_eq!(error["column"], 25);
    assert_eq!(error["sqlstate"], "42601");
    // Stopped at the error: the statements after it and the next step did not run.
    assert_eq!(case.sql("SELECT to_regclass('d_facility') IS NULL, to_regclass('d_after') IS NULL, to_regclass('step_after') IS NULL"), "f|t|t");

    // The failing file is still recorded by path, size and digest.
    let inputs = &step_result(&dir, "01-load")["inputs"];
    assert_eq!(
        inputs,
        &serde_json::json!([{ "path": "schema.sql", "size": SCHEMA_WITH_TYPO.len(), "sha256": sha256_hex(SCHEMA_WITH_TYPO.as_bytes()) }])
    );
}

#[test]
fn an_inline_sql_error_names_the_runbook_line() {
    let case = Case::new("e2e_loader_inline");
    case.runbook(
        "loader-inline",
        "",
        "
        - id: fix
          kind: sql
          target: db
          text: |
            CREATE TABLE a (id int);
            INSERT INTO a VALUES (1);
            INSERT INTO missing_table VALUES (1);
        ",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 1, "{}", result.all_output());
    assert!(
        result.stdout.contains("step 'fix' (sql): failed: rb.yaml:16:19: relation \"missing_table\" does not exist (SQLSTATE 42P01) (after 2 statements succeeded)"),
        "{}",
        result.stdout
    );
    let error = &step_result(&result.evidence_dir(case.path()), "01-fix")["error"];
    assert_eq!(
        (
            error["file"].as_str(),
            error["line"].as_u64(),
            error["column"].as_u64()
        ),
        (Some("rb.yaml"), Some(16), Some(19))
    );
}

#[test]
fn on_error_continue_reports_the_error_and_goes_on() {
    let case = Case::new("e2e_loader_continue");
    case.scratch.write("schema.sql", SCHEMA_WITH_TYPO);
    load_runbook(&case, "on_error: continue");
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    let load = step_result(&dir, "01-load");
    assert_eq!(load["status"], "passed");
    assert!(
        load["summary"]
            .as_str()
            .is_some_and(|s| s.ends_with(", 1 error (on_error: continue)")),
        "{load:#}"
    );
    assert!(
        step_log(&dir, "01-load").contains("error: schema.sql:7:25: syntax error"),
        "the error is not in the log"
    );
    assert_eq!(case.sql("SELECT to_regclass('d_facility') IS NULL, to_regclass('d_after') IS NULL, to_regclass('step_after') IS NULL"), "f|f|f");
}

#[test]
fn single_transaction_leaves_nothing_when_a_statement_fails() {
    let case = Case::new("e2e_loader_single");
    case.scratch.write("schema.sql", SCHEMA_WITH_TYPO);
    load_runbook(&case, "single_transaction: true");
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 1, "{}", result.all_output());
    assert!(
        result.stdout.contains("schema.sql:7:25: syntax error at or near \"NUL\" (SQLSTATE 42601) (single transaction: rolled back, nothing was kept)"),
        "{}",
        result.stdout
    );
    assert_eq!(
        case.sql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
        "0",
        "a single-transaction load left tables behind"
    );

    // And with the typo fixed, all of it is there.
    case.scratch
        .write("schema.sql", SCHEMA_WITH_TYPO.replace(" NUL,", " NULL,"));
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    assert_eq!(
        case.sql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
        "4"
    );
}

#[test]
fn copy_blocks_crlf_and_psql_variables_load_like_psql() {
    let case = Case::new("e2e_loader_copy");
    let script = "SET client_min_messages = warning;\r\n\
                  CREATE TABLE d_user (id int, name text, note text);\r\n\
                  COPY d_user (id, name, note) FROM stdin;\r\n\
                  1\tyamada\t\\N\r\n\
                  2\tsato\ttab\\there\r\n\
                  \\.\r\n\
                  INSERT INTO d_user VALUES (3, :'who', 'from a var');\r\n";
    case.scratch.write("data.sql", script);
    let text = crate::contract::case::runbook_text(
        "loader-copy",
        "",
        "
        - id: load
          kind: sql_file
          target: db
          path: data.sql
          variables: { who: \"o'brien\" }
        ",
    );
    case.scratch.write("rb.yaml", text);
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    assert_eq!(
        case.sql(
            "SELECT id || ':' || name || ':' || coalesce(note, 'NULL') FROM d_user ORDER BY id"
        ),
        "1:yamada:NULL\n2:sato:tab\there\n3:o'brien:from a var"
    );
    let dir = result.evidence_dir(case.path());
    let load = step_result(&dir, "01-load");
    assert!(
        load["summary"]
            .as_str()
            .is_some_and(|s| s.contains("2 rows copied")),
        "{load:#}"
    );
    assert!(
        step_log(&dir, "01-load").contains("data.sql:3:1  COPY  2 rows"),
        "{}",
        step_log(&dir, "01-load")
    );
}
