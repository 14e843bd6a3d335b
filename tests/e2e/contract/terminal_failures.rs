//! The terminal says why a step failed, so nobody has to open the evidence to learn it: a gate
//! prints each failed check as `name: expected X, found Y` (and what is missing), a shell step
//! the last 20 lines of its stderr (sanitised and redacted; the same tail is in `result.json`),
//! a SQL statement its `file:line:col`, SQLSTATE, message, caret and the statement's first line
//! when the caret's line is not it; `--quiet` keeps all of it.

use crate::contract::case::Case;
use crate::support::*;

/// The lines of `stdout` from the one starting with `prefix` up to the next step's line or
/// the verdict.
fn section<'a>(stdout: &'a str, prefix: &str) -> &'a str {
    let start = stdout
        .find(prefix)
        .unwrap_or_else(|| panic!("no line starting with {prefix:?}:\n{stdout}"));
    let rest = &stdout[start..];
    let end = rest
        .match_indices('\n')
        .map(|(i, _)| i + 1)
        .find(|&i| {
            let next = &rest[i..];
            next.starts_with('[') || next.starts_with("run ") || next.starts_with("check ")
        })
        .unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn a_failed_gate_prints_each_failed_check_with_expected_and_found() {
    let case = Case::new("e2e_termfail_gate");
    sql_exec(
        &case.db.spec,
        "CREATE TABLE patient (id int); INSERT INTO patient VALUES (1), (2);",
    );
    case.runbook(
        "termfail-gate",
        "",
        "
        - id: gate
          kind: gate
          target: db
          checks:
            - name: patient table
              tables_exist: [patient]
            - name: three patients
              query: SELECT count(*) FROM patient
              expect: { equals: 3 }
            - name: restored tables
              tables_exist: [patient, d_facility, d_users]
        ",
    );
    for quiet in [false, true] {
        let args: &[&str] = if quiet {
            &["run", "rb.yaml", "--quiet"]
        } else {
            &["run", "rb.yaml"]
        };
        let result = case.run(args);
        assert_no_panic(&result);
        assert_eq!(result.code, 4, "{}", result.all_output());
        let gate = section(&result.stdout, "[1/1] gate (gate)  FAILED");
        assert!(
            gate.ends_with(
                "2 of 3 checks failed: three patients, restored tables\n\
                 \x20   three patients: expected the value 3, found the value '2'\n\
                 \x20   restored tables: expected tables exist: patient, d_facility, d_users, found 1 of 3 present\n\
                 \x20     missing: d_facility, d_users\n"
            ),
            "quiet: {quiet}: the failed checks are not shown under the gate:\n{}",
            result.stdout
        );
        assert!(
            !gate.contains("patient table:"),
            "a passed check is listed as failed:\n{gate}"
        );
        assert!(
            result.stdout.contains("\nrun gate_failed in "),
            "quiet: {quiet}: {}",
            result.stdout
        );
    }
}

#[test]
fn a_failed_shell_step_prints_the_last_20_lines_of_its_stderr_redacted() {
    let case = Case::new("e2e_termfail_shell");
    let token = "Tok-e2e-termfail-8c1f3a";
    case.runbook(
        "termfail-shell",
        "",
        &format!(
            r#"
        - id: restore
          kind: shell
          env: {{ API_TOKEN: {token} }}
          command:
            - sh
            - -c
            - 'for i in $(seq 1 28); do echo "stderr line $i" >&2; echo "stdout line $i"; done; printf "token %s\n" "$API_TOKEN" >&2; printf "\033[2Kpg_restore: error: could not connect\n" >&2; exit 1'
        "#
        ),
    );
    let result = case.run(&["run", "rb.yaml", "--quiet"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 1, "{}", result.all_output());
    let mut tail = String::from("    stderr (last 20 of 30 lines):\n");
    for i in 11..=28 {
        tail.push_str(&format!("      | stderr line {i}\n"));
    }
    tail.push_str("      | token ****\n");
    tail.push_str("      | ␛[2Kpg_restore: error: could not connect\n");
    let step = section(&result.stdout, "[1/1] restore (shell)  FAILED");
    assert!(
        step.ends_with(&format!(
            "failed: sh ended with exit code 1 (allowed: 0)\n{tail}"
        )),
        "the stderr tail is not shown under the step:\n{}",
        result.stdout
    );
    assert!(
        !result.stdout.contains("stderr line 10\n"),
        "{}",
        result.stdout
    );
    assert!(!result.stdout.contains("stdout line"), "{}", result.stdout);
    assert!(
        !result.all_output().contains(token),
        "{}",
        result.all_output()
    );
    assert!(!result.stdout.contains('\x1b'), "{:?}", result.stdout);
    // The verdict's recap repeats it above the evidence path.
    let verdict = &result.stdout[result.stdout.find("\nrun failed in ").expect("verdict")..];
    assert!(verdict.contains(&tail), "{verdict}");
    // And the evidence keeps the same tail (raw control characters, secret masked).
    let dir = result.evidence_dir(case.path());
    let error = &step_result(&dir, "01-restore")["error"];
    let detail = error["detail"].as_str().expect("error.detail");
    assert!(
        detail.starts_with("stderr (last 20 of 30 lines):\nstderr line 11\n")
            && detail.ends_with("\ntoken ****\n\x1b[2Kpg_restore: error: could not connect"),
        "{error:#}"
    );
    assert!(!all_evidence_text(&dir).contains(token));
}

#[test]
fn a_failed_sql_statement_prints_its_place_sqlstate_message_and_caret() {
    let case = Case::new("e2e_termfail_sql");
    case.scratch.write(
        "load.sql",
        "CREATE TABLE t (id int PRIMARY KEY);\n\
         INSERT INTO t VALUES (1);\n\
         INSERT INTO t\n  VALUES (1);\n",
    );
    case.scratch
        .write("typo.sql", "SELECT 1;\nSELECT id,\n       nme\n  FROM t;\n");
    case.runbook(
        "termfail-sql",
        "",
        "
        - id: load
          kind: sql_file
          target: db
          continue_on_error: true
          path: load.sql
        - id: typo
          kind: sql_file
          target: db
          path: typo.sql
        ",
    );
    let result = case.run(&["run", "rb.yaml", "--quiet"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 1, "{}", result.all_output());
    let load = section(&result.stdout, "[1/2] load (sql_file)  FAILED");
    assert!(
        load.contains(
            "failed: load.sql:3:1: duplicate key value violates unique constraint \"t_pkey\" (SQLSTATE 23505) (after 2 statements succeeded)\n  | DETAIL:  Key (id)=(1) already exists.\n  | STATEMENT:  INSERT INTO t ...\n"
        ),
        "{}",
        result.stdout
    );
    let typo = section(&result.stdout, "[2/2] typo (sql_file)  FAILED");
    assert!(
        typo.contains(
            "failed: typo.sql:3:8: column \"nme\" does not exist (SQLSTATE 42703) (after 1 statement succeeded)\n  | LINE 3:        nme\n  |                ^\n  | STATEMENT (line 2):  SELECT id, ...\n"
        ),
        "{}",
        result.stdout
    );
    // The deciding failure is repeated by the verdict, the allowed one listed after it.
    let verdict = &result.stdout[result.stdout.find("\nrun failed in ").expect("verdict")..];
    assert!(
        verdict.contains("\nstep 'typo' (sql_file): failed: typo.sql:3:8: column \"nme\" does not exist (SQLSTATE 42703)")
            && verdict.contains("\nalso failed:\n  step 'load' (sql_file), allowed (continue_on_error): failed: load.sql:3:1: duplicate key value"),
        "{verdict}"
    );
}

/// A gate's found value can be a secret (a query that reads a password back): the terminal
/// masks it as the evidence does.
#[test]
fn a_failed_gate_masks_secrets_in_what_it_found() {
    let case = Case::new("e2e_termfail_gate_secret");
    let secret = "Sec-e2e-termfail-5d02b7";
    let text = crate::contract::case::runbook_text(
        "termfail-gate-secret",
        "",
        "
        - id: gate
          kind: gate
          target: db
          checks:
            - name: password rotated
              query: SELECT :'app_password'
              expect: { equals: rotated }
        ",
    )
    .replace("vars:\n", "vars:\n  app_password: unset\n");
    case.scratch.write("rb.yaml", text);
    let var = format!("app_password={secret}");
    let result = case.run(&["run", "rb.yaml", "--var", &var]);
    assert_no_panic(&result);
    assert_eq!(result.code, 4, "{}", result.all_output());
    assert!(
        result.stdout.contains(
            "\n    password rotated: expected the value 'rotated', found the value '****'\n"
        ),
        "{}",
        result.stdout
    );
    assert!(
        !result.all_output().contains(secret),
        "{}",
        result.all_output()
    );
}
