//! The verdict a reviewer signs: `continue_on_error` keeps a run going but never hides a
//! failure. An allowed non-gate failure ends `passed_with_failures` (exit 0, said in words and
//! naming the step); a failed gate is `gate_failed` (exit 4) whether or not the run went on
//! past it; a hard failure after an allowed one is `failed` (exit 1) with both listed; check
//! mode predicts the same (see `crates/runbook-engine/src/verdict.rs` for the table).

use crate::contract::case::Case;
use crate::support::*;

/// The lines after the step lines: from the verdict (`run ...`/`check ...` at the left
/// margin) to the end.
fn final_lines(stdout: &str) -> String {
    let start = stdout
        .split_inclusive('\n')
        .position(|l| l.starts_with("run ") || l.starts_with("check "))
        .unwrap_or_else(|| panic!("no verdict line:\n{stdout}"));
    stdout.split_inclusive('\n').skip(start).collect()
}

#[test]
fn an_allowed_step_failure_passes_with_failures_exit_0_and_is_named() {
    let case = Case::new("e2e_verdict_allowed");
    case.runbook(
        "verdict-allowed",
        "",
        "
        - id: optional-cleanup
          kind: shell
          continue_on_error: true
          command: [sh, -c, 'echo no such backup >&2; exit 3']
        - id: next
          kind: sql
          target: db
          text: CREATE TABLE next_marker (id int);
        ",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    assert_eq!(run_record(&dir)["status"], "passed_with_failures");
    assert_eq!(
        step_statuses(&dir),
        [
            ("optional-cleanup".into(), "failed".into()),
            ("next".into(), "passed".into())
        ]
    );
    assert_eq!(case.sql("SELECT to_regclass('next_marker') IS NULL"), "f");
    let last = final_lines(&result.stdout);
    assert!(
        last.starts_with("run passed_with_failures in ")
            && last
                .split('\n')
                .next()
                .is_some_and(|l| l.ends_with(": PASSED WITH 1 ALLOWED FAILURE (continue_on_error)")),
        "the verdict says in words that a step failed:\n{last}"
    );
    assert!(
        last.contains(
            "\nstep 'optional-cleanup' (shell), allowed (continue_on_error): failed: sh ended with exit code 3 (allowed: 0)\n"
        ),
        "the final lines name the failed step:\n{last}"
    );
    assert!(
        last.contains("      | no such backup\n"),
        "and what it printed on stderr:\n{last}"
    );
    assert!(
        !result.stdout.contains("run passed in"),
        "{}",
        result.stdout
    );
}

#[test]
fn a_gate_failing_under_continue_on_error_lets_later_steps_run_but_exits_4() {
    let case = Case::new("e2e_verdict_gate_allowed");
    case.runbook(
        "verdict-gate-allowed",
        "",
        "
        - id: make
          kind: sql
          target: db
          text: CREATE TABLE patient (id int); INSERT INTO patient VALUES (1);
        - id: gate
          kind: gate
          target: db
          continue_on_error: true
          checks:
            - name: three patients
              query: SELECT count(*) FROM patient
              expect: { equals: 3 }
        - id: cleanup
          kind: sql
          target: db
          text: CREATE TABLE cleanup_marker (id int);
        ",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 4, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    assert_eq!(run_record(&dir)["status"], "gate_failed");
    assert_eq!(
        step_statuses(&dir),
        [
            ("make".into(), "passed".into()),
            ("gate".into(), "failed".into()),
            ("cleanup".into(), "passed".into())
        ]
    );
    assert_eq!(
        case.sql("SELECT to_regclass('cleanup_marker') IS NULL"),
        "f",
        "the step after the allowed gate failure did not run"
    );
    let last = final_lines(&result.stdout);
    assert!(last.starts_with("run gate_failed in "), "{last}");
    assert!(
        last.contains(
            "\nstep 'gate' (gate), allowed (continue_on_error): 1 of 1 checks failed: three patients\n    three patients: expected the value 3, found the value '1'\n"
        ),
        "{last}"
    );
}

#[test]
fn a_gate_failing_without_continue_on_error_stops_the_run_with_exit_4_and_says_why() {
    let case = Case::new("e2e_verdict_gate_stops");
    case.runbook(
        "verdict-gate-stops",
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
    let dir = result.evidence_dir(case.path());
    assert_eq!(run_record(&dir)["status"], "gate_failed");
    assert_eq!(step_statuses(&dir)[2], ("after".into(), "not_run".into()));
    assert_eq!(case.sql("SELECT to_regclass('after_marker') IS NULL"), "t");
    let last = final_lines(&result.stdout);
    assert!(
        last.contains(
            "\nstep 'gate' (gate): 1 of 1 checks failed: tables\n    tables: expected tables exist: patient, d_facility, found 1 of 2 present\n      missing: d_facility\n"
        ),
        "the verdict's recap shows what the gate expected and found:\n{last}"
    );
    assert!(!last.contains("also failed"), "{last}");
}

#[test]
fn an_allowed_failure_then_a_hard_failure_is_failed_with_both_listed() {
    let case = Case::new("e2e_verdict_both");
    case.runbook(
        "verdict-both",
        "",
        "
        - id: optional
          kind: sql
          target: db
          continue_on_error: true
          text: DROP ROLE no_such_role_here;
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
    let dir = result.evidence_dir(case.path());
    assert_eq!(run_record(&dir)["status"], "failed");
    assert_eq!(
        step_statuses(&dir),
        [
            ("optional".into(), "failed".into()),
            ("broken".into(), "failed".into()),
            ("after".into(), "not_run".into())
        ]
    );
    let last = final_lines(&result.stdout);
    // The deciding failure first, then the allowed one, marked.
    let deciding = last
        .find("\nstep 'broken' (sql): failed: rb.yaml:18:25: relation \"no_such_table\" does not exist (SQLSTATE 42P01)")
        .unwrap_or_else(|| panic!("the deciding failure is not listed:\n{last}"));
    let allowed = last
        .find("\nalso failed:\n  step 'optional' (sql), allowed (continue_on_error): failed: rb.yaml:14:11: role \"no_such_role_here\" does not exist (SQLSTATE 42704)")
        .unwrap_or_else(|| panic!("the allowed failure is not listed:\n{last}"));
    assert!(deciding < allowed, "{last}");
}

#[test]
fn check_mode_is_ready_despite_an_allowed_failure_and_would_fail_on_an_allowed_gate() {
    let case = Case::new("e2e_verdict_check");
    sql_exec(
        &case.db.spec,
        "CREATE TABLE patient (id int); INSERT INTO patient VALUES (1);",
    );
    let allowed_step = "
        - id: optional
          kind: shell
          continue_on_error: true
          command: [no-such-program-e2e-verdict]
        - id: gate
          kind: gate
          target: db
          checks:
            - name: one patient
              query: SELECT count(*) FROM patient
              expect: { equals: 1 }
        ";
    case.runbook("verdict-check", "", allowed_step);
    let result = case.run(&["check", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    assert_eq!(run_record(&dir)["status"], "ready");
    let last = final_lines(&result.stdout);
    assert!(
        last.split('\n')
            .next()
            .is_some_and(|l| l.starts_with("check ready in ")
                && l.ends_with(": READY, 1 step would fail (allowed by continue_on_error)")),
        "a ready check with a failure says so:\n{last}"
    );
    assert!(
        last.contains("\nstep 'optional' (shell), allowed (continue_on_error): would fail: program 'no-such-program-e2e-verdict' not found on PATH\n"),
        "{last}"
    );

    case.runbook(
        "verdict-check",
        "",
        "
        - id: gate
          kind: gate
          target: db
          continue_on_error: true
          checks:
            - name: three patients
              query: SELECT count(*) FROM patient
              expect: { equals: 3 }
        - id: after
          kind: shell
          command: [echo, after]
        ",
    );
    let result = case.run(&["check", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 1, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    assert_eq!(run_record(&dir)["status"], "would_fail");
    assert_eq!(
        step_statuses(&dir),
        [
            ("gate".into(), "failed".into()),
            ("after".into(), "passed".into())
        ]
    );
    let last = final_lines(&result.stdout);
    assert!(last.starts_with("check would_fail in "), "{last}");
    assert!(
        last.contains("    three patients: expected the value 3, found the value '1'\n"),
        "{last}"
    );
}
