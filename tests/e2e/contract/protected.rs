//! Protected targets: a destructive step on a `protected: true` target needs `--confirm TARGET`.
//! Without it the run stops before its first step (exit 2), says which target, which step and
//! how to confirm, leaves the database as it was, and the evidence records the refusal. With it
//! the run goes ahead and `run.json` records the confirmation.

use crate::contract::case::Case;
use crate::support::*;

const PROTECTED: &str = "protected: true";

fn seed(case: &Case) {
    sql_exec(
        &case.db.spec,
        "CREATE TABLE patient (id int PRIMARY KEY, name text); INSERT INTO patient VALUES (1, 'a'), (2, 'b'), (3, 'c');",
    );
}

/// First a harmless step that leaves a marker, so "nothing ran" is visible; then the damage.
fn wipe_runbook(case: &Case) {
    case.runbook(
        "protected-wipe",
        PROTECTED,
        "
        - id: marker
          kind: sql
          target: db
          text: CREATE TABLE run_marker (id int);
        - id: wipe
          kind: sql
          target: db
          text: |
            DROP SCHEMA public CASCADE;
            CREATE SCHEMA public;
        ",
    );
}

#[test]
fn a_destructive_sql_step_on_a_protected_target_needs_confirm_and_nothing_runs_without_it() {
    let case = Case::new("e2e_protected_sql");
    seed(&case);
    wipe_runbook(&case);
    let before = runbook_testkit::postgres::pg_dump_normalized(&case.db.spec);

    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 2, "{}", result.all_output());
    assert_eq!(
        result.stderr,
        "error: target 'db' is protected and step 'wipe' would run DROP SCHEMA public CASCADE (rb.yaml:19:7); nothing was run. \
         Pass --confirm db to allow it, or run on a terminal and type the target's name when asked\n"
    );
    assert_eq!(
        runbook_testkit::postgres::pg_dump_normalized(&case.db.spec),
        before,
        "the database changed although the run was refused"
    );

    // The refusal is evidence too: the run is blocked, the refused step says why, and
    // nothing before it ran.
    let dir = result.evidence_dir(case.path());
    let (ok, text) = sha256sum_check(&dir);
    assert!(ok, "{text}");
    let record = run_record(&dir);
    assert_eq!(record["status"], "blocked");
    assert_eq!(record["confirmations"], serde_json::json!([]));
    assert_eq!(
        step_statuses(&dir),
        [
            ("marker".into(), "not_run".into()),
            ("wipe".into(), "blocked".into())
        ]
    );
    let wipe = step_result(&dir, "02-wipe");
    assert!(
        wipe["summary"]
            .as_str()
            .is_some_and(|s| s.contains("target 'db' is protected") && s.contains("--confirm db")),
        "{wipe:#}"
    );
    let report = std::fs::read_to_string(dir.join("report.md")).expect("report.md");
    assert!(
        report.contains("--confirm db"),
        "the report does not say why the run stopped:\n{report}"
    );

    // With --confirm the same run goes ahead, and says who allowed it how.
    let result = case.run(&["run", "rb.yaml", "--confirm", "db"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    assert_eq!(
        case.sql("SELECT to_regclass('public.patient') IS NULL"),
        "t",
        "the confirmed wipe did not run"
    );
    let record = run_record(&result.evidence_dir(case.path()));
    assert_eq!(
        record["confirmations"],
        serde_json::json!([{ "target": "db", "how": "flag" }])
    );
}

#[test]
fn a_sql_file_that_truncates_a_protected_target_needs_confirm() {
    let case = Case::new("e2e_protected_file");
    seed(&case);
    case.scratch.write(
        "cleanup.sql",
        "-- nightly cleanup\nSELECT 1;\nTRUNCATE patient;\nDROP TABLE IF EXISTS scratch_copy;\n",
    );
    case.runbook(
        "protected-file",
        PROTECTED,
        "
        - id: cleanup
          kind: sql_file
          target: db
          path: cleanup.sql
        ",
    );
    let result = case.run(&["run", "rb.yaml", "--yes"]);
    assert_eq!(result.code, 2, "{}", result.all_output());
    assert!(
        result.stderr.contains(
            "target 'db' is protected and step 'cleanup' would run TRUNCATE patient (cleanup.sql:3:1) and 1 more destructive statement; nothing was run. Pass --confirm db"
        ),
        "{}",
        result.stderr
    );
    assert_eq!(case.sql("SELECT count(*) FROM patient"), "3");

    let result = case.run(&["run", "rb.yaml", "--confirm", "db"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    assert_eq!(case.sql("SELECT count(*) FROM patient"), "0");
    let record = run_record(&result.evidence_dir(case.path()));
    assert_eq!(
        record["confirmations"],
        serde_json::json!([{ "target": "db", "how": "flag" }])
    );
    assert_eq!(record["targets"]["db"]["protected"], true);
}

#[test]
fn steps_that_change_nothing_need_no_confirmation_and_check_mode_says_what_run_will_need() {
    let case = Case::new("e2e_protected_check");
    seed(&case);
    wipe_runbook(&case);
    let check = case.run(&["check", "rb.yaml"]);
    assert_eq!(
        check.code,
        0,
        "check needs no confirmation: {}",
        check.all_output()
    );
    let log = step_log(&check.evidence_dir(case.path()), "02-wipe");
    assert!(
        log.contains("note: target 'db' is protected; `runbook run` needs --confirm db because this step would run DROP SCHEMA public CASCADE"),
        "{log}"
    );
    assert_eq!(case.sql("SELECT count(*) FROM patient"), "3");

    case.runbook(
        "protected-harmless",
        PROTECTED,
        "
        - id: add
          kind: sql
          target: db
          text: INSERT INTO patient VALUES (4, 'd');
        - id: gate
          kind: gate
          target: db
          checks:
            - name: four patients
              query: SELECT count(*) FROM patient
              expect: { equals: 4 }
        ",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
}

#[test]
fn a_destructive_step_that_when_skips_needs_no_confirmation() {
    let case = Case::new("e2e_protected_when");
    seed(&case);
    let text = crate::contract::case::runbook_text(
        "protected-when",
        PROTECTED,
        "
        - id: reseed
          kind: sql
          target: db
          when: vars.reseed
          text: TRUNCATE patient;
        - id: gate
          kind: gate
          target: db
          checks:
            - name: patients kept
              query: SELECT count(*) FROM patient
              expect: { equals: 3 }
        ",
    )
    .replace("vars:\n", "vars:\n  reseed: \"\"\n");
    case.scratch.write("rb.yaml", text);

    let result = case.run(&["run", "rb.yaml", "--yes"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    assert_eq!(
        step_statuses(&dir),
        [
            ("reseed".into(), "skipped".into()),
            ("gate".into(), "passed".into())
        ]
    );
    assert_eq!(run_record(&dir)["confirmations"], serde_json::json!([]));

    // Once the step would run, its target's consent is needed again.
    let result = case.run(&["run", "rb.yaml", "--yes", "--var", "reseed=yes"]);
    assert_eq!(result.code, 2, "{}", result.all_output());
    assert!(
        result.stderr.contains(
            "target 'db' is protected and step 'reseed' would run TRUNCATE patient (rb.yaml:"
        ),
        "{}",
        result.stderr
    );
    assert_eq!(case.sql("SELECT count(*) FROM patient"), "3");
}

#[test]
fn a_script_that_cannot_be_read_still_needs_confirmation_on_a_protected_target() {
    let case = Case::new("e2e_protected_unreadable");
    case.runbook(
        "protected-unreadable",
        PROTECTED,
        "
        - id: load
          kind: sql_file
          target: db
          path: not-there.sql
        ",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 2, "{}", result.all_output());
    assert_eq!(
        result.stderr,
        "error: target 'db' is protected and step 'load' would change it in ways that cannot be listed \
         (cannot read not-there.sql: No such file or directory (os error 2)); nothing was run. \
         Pass --confirm db to allow it, or run on a terminal and type the target's name when asked\n"
    );
}
