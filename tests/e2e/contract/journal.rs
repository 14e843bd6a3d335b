//! The run as a journal: `finally:` steps run however `steps` ended (a failure, Ctrl-C), a
//! step with `retry:` runs again while it fails, and every attempt and every finally step is a
//! record of its own in the evidence, which verifies.

use std::time::Duration;

use crate::contract::case::{Case, dedent, runbook_text};
use crate::support::*;

/// `runbook_text` with a `finally:` list after the steps.
fn with_finally(case: &Case, name: &str, steps: &str, finally: &str) {
    let mut text = runbook_text(name, "", steps);
    text.push_str("finally:\n");
    for line in dedent(finally).split('\n') {
        text.push_str("  ");
        text.push_str(line);
        text.push('\n');
    }
    case.scratch.write("rb.yaml", text);
}

/// (id, phase, attempt, status, dir) of every record in `run.json`, in journal order.
fn journal(dir: &std::path::Path) -> Vec<(String, String, u64, String, String)> {
    run_record(dir)["steps"]
        .as_array()
        .expect("steps in run.json")
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap_or_default().to_owned(),
                s["phase"].as_str().unwrap_or("main").to_owned(),
                s["attempt"].as_u64().unwrap_or(1),
                s["status"].as_str().unwrap_or_default().to_owned(),
                s["dir"].as_str().unwrap_or("-").to_owned(),
            )
        })
        .collect()
}

fn row(
    id: &str,
    phase: &str,
    attempt: u64,
    status: &str,
    dir: &str,
) -> (String, String, u64, String, String) {
    (
        id.to_owned(),
        phase.to_owned(),
        attempt,
        status.to_owned(),
        dir.to_owned(),
    )
}

fn assert_verifies(case: &Case, dir: &std::path::Path) {
    let verify = case.run(&["verify", dir.to_str().unwrap()]);
    assert_eq!(verify.code, 0, "{}", verify.all_output());
    let (ok, output) = sha256sum_check(dir);
    assert!(ok, "{output}");
}

#[test]
fn a_failed_run_still_runs_its_finally_steps() {
    let case = Case::new("e2e_journal_finally");
    let marker = case.path().join("cleaned-up");
    with_finally(
        &case,
        "journal-finally",
        "
        - id: work
          kind: shell
          command: [sh, -c, 'echo working']
        - id: breaks
          kind: shell
          command: [sh, -c, 'exit 4']
        - id: never
          kind: shell
          command: [sh, -c, 'echo never']
        ",
        &format!(
            "
            - id: clean-up
              kind: shell
              command: [touch, '{}']
            ",
            marker.display()
        ),
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 1, "{}", result.all_output());
    assert!(marker.exists(), "the finally step did not run");
    assert!(
        result
            .stdout
            .contains("[finally 1/1] clean-up (shell)  passed"),
        "{}",
        result.stdout
    );
    let dir = result.evidence_dir(case.path());
    assert_eq!(
        journal(&dir),
        [
            row("work", "main", 1, "passed", "steps/01-work"),
            row("breaks", "main", 1, "failed", "steps/02-breaks"),
            row("never", "main", 1, "not_run", "-"),
            row(
                "clean-up",
                "finally",
                1,
                "passed",
                "steps/finally-01-clean-up"
            ),
        ]
    );
    assert_eq!(run_record(&dir)["status"], "failed");
    // The step that decided the run is the main one, not the cleanup.
    assert!(
        result
            .all_output()
            .contains("step 'breaks' (shell): failed"),
        "{}",
        result.all_output()
    );
    assert_verifies(&case, &dir);
}

#[test]
fn a_failed_finally_step_fails_a_run_that_passed_and_the_other_finally_steps_still_run() {
    let case = Case::new("e2e_journal_finally_fails");
    let marker = case.path().join("second-ran");
    with_finally(
        &case,
        "journal-finally-fails",
        "
        - id: work
          kind: shell
          command: [sh, -c, 'echo working']
        ",
        &format!(
            "
            - id: rm-nothing
              kind: shell
              command: [sh, -c, 'echo no such container >&2; exit 1']
            - id: second
              kind: shell
              command: [touch, '{}']
            - id: tolerated
              kind: shell
              continue_on_error: true
              command: [sh, -c, 'exit 1']
            ",
            marker.display()
        ),
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 1, "{}", result.all_output());
    assert!(
        marker.exists(),
        "a failed finally step stopped the next one"
    );
    let dir = result.evidence_dir(case.path());
    let record = run_record(&dir);
    assert_eq!(record["status"], "failed");
    let statuses: Vec<_> = journal(&dir)
        .into_iter()
        .map(|(id, phase, _, status, _)| (id, phase, status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("work".into(), "main".into(), "passed".into()),
            ("rm-nothing".into(), "finally".into(), "failed".into()),
            ("second".into(), "finally".into(), "passed".into()),
            ("tolerated".into(), "finally".into(), "failed".into()),
        ]
    );
    assert!(
        result
            .all_output()
            .contains("step 'rm-nothing' (shell): failed"),
        "{}",
        result.all_output()
    );
    assert_verifies(&case, &dir);
}

#[test]
fn a_retried_step_passes_when_one_attempt_passes_and_every_attempt_is_recorded() {
    let case = Case::new("e2e_journal_retry");
    let counter = case.path().join("count");
    case.runbook(
        "journal-retry",
        "",
        &format!(
            "
            - id: flaky
              kind: shell
              retry: {{ attempts: 3, delay: 200ms, backoff: 2 }}
              command: [sh, -c, 'n=$(cat {c} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {c}; echo attempt $n; [ $n -ge 3 ]']
            - id: after
              kind: shell
              command: [sh, -c, 'echo after']
            ",
            c = counter.display()
        ),
    );
    let started = std::time::Instant::now();
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 0, "{}", result.all_output());
    // 200ms, then 400ms between the attempts.
    assert!(started.elapsed() >= Duration::from_millis(600));
    assert_eq!(std::fs::read_to_string(&counter).unwrap().trim(), "3");
    for shown in [
        "[1/2] flaky (shell)  FAILED",
        "[1/2] flaky (shell) attempt 2 of 3  FAILED",
        "[1/2] flaky (shell) attempt 3 of 3  passed",
        "[2/2] after (shell)  passed",
    ] {
        assert!(result.stdout.contains(shown), "{shown}:\n{}", result.stdout);
    }
    let dir = result.evidence_dir(case.path());
    assert_eq!(run_record(&dir)["status"], "passed");
    assert_eq!(
        journal(&dir),
        [
            row("flaky", "main", 1, "failed", "steps/01-flaky"),
            row("after", "main", 1, "passed", "steps/02-after"),
            row("flaky", "main", 2, "failed", "steps/01-flaky.attempt-2"),
            row("flaky", "main", 3, "passed", "steps/01-flaky.attempt-3"),
        ]
    );
    let log = std::fs::read_to_string(dir.join("steps/01-flaky.attempt-3/output.log")).unwrap();
    assert!(log.starts_with("attempt 3 of 3\n"), "{log}");
    assert!(log.contains("[stdout] attempt 3\n"), "{log}");
    // The report lists each attempt with its outcome.
    let report = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(
        report.contains("| 01 | flaky (attempt 2) | shell | **failed** |"),
        "{report}"
    );
    // CI sees the step as it ended: one test case, its last attempt, passed.
    let junit = case.run(&["report", dir.to_str().unwrap(), "--format", "junit"]);
    assert_eq!(junit.code, 0, "{}", junit.all_output());
    assert!(junit.stdout.contains("failures=\"0\""), "{}", junit.stdout);
    assert!(
        junit.stdout.contains("flaky (attempt 3)") && !junit.stdout.contains("flaky (attempt 2)"),
        "{}",
        junit.stdout
    );
    assert_verifies(&case, &dir);
}

#[test]
fn a_step_that_fails_every_attempt_fails_the_run_after_the_last() {
    let case = Case::new("e2e_journal_retry_out");
    case.runbook(
        "journal-retry-out",
        "",
        "
        - id: hopeless
          kind: shell
          retry: { attempts: 2 }
          command: [sh, -c, 'exit 7']
        - id: after
          kind: shell
          command: [sh, -c, 'echo after']
        ",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 1, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    assert_eq!(
        journal(&dir),
        [
            row("hopeless", "main", 1, "failed", "steps/01-hopeless"),
            row("after", "main", 1, "not_run", "-"),
            row(
                "hopeless",
                "main",
                2,
                "failed",
                "steps/01-hopeless.attempt-2"
            ),
        ]
    );
    assert_verifies(&case, &dir);
}

#[test]
fn ctrl_c_interrupts_the_main_steps_and_the_finally_steps_still_run() {
    let case = Case::new("e2e_journal_ctrl_c");
    let started = case.path().join("started");
    let marker = case.path().join("cleaned-up");
    with_finally(
        &case,
        "journal-ctrl-c",
        &format!(
            "
            - id: long
              kind: shell
              command: [sh, -c, 'touch {}; sleep 30']
            - id: never
              kind: shell
              command: [sh, -c, 'echo never']
            ",
            started.display()
        ),
        &format!(
            "
            - id: clean-up
              kind: shell
              command: [touch, '{}']
            ",
            marker.display()
        ),
    );
    let child = case.spawn(&["run", "rb.yaml"]);
    let pid = child.id();
    assert!(
        wait_until(Duration::from_secs(10), || started.exists()),
        "the long step never started"
    );
    send_signal(pid, "INT");
    let result = finish(child);
    assert_no_panic(&result);
    assert_eq!(result.code, 130, "{}", result.all_output());
    assert!(marker.exists(), "the finally step did not run after Ctrl-C");
    let dir = result.evidence_dir(case.path());
    let record = run_record(&dir);
    assert_eq!(record["status"], "interrupted");
    let statuses: Vec<_> = journal(&dir)
        .into_iter()
        .map(|(id, _, _, status, _)| (id, status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("long".into(), "failed".into()),
            ("never".into(), "not_run".into()),
            ("clean-up".into(), "passed".into()),
        ]
    );
    assert_verifies(&case, &dir);
}

#[test]
fn check_mode_looks_at_the_finally_steps_too() {
    let case = Case::new("e2e_journal_check");
    with_finally(
        &case,
        "journal-check",
        "
        - id: count
          kind: sql
          target: db
          text: SELECT 1
        ",
        "
        - id: count-again
          kind: sql
          target: db
          text: SELECT 2
        ",
    );
    let result = case.run(&["check", "rb.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    assert!(
        result
            .stdout
            .contains("[finally 1/1] count-again (sql)  ready"),
        "{}",
        result.stdout
    );
}

#[test]
fn bad_retry_and_duplicate_ids_across_the_lists_are_refused_at_their_position() {
    let case = Case::new("e2e_journal_invalid");
    with_finally(
        &case,
        "journal-invalid",
        "
        - id: a
          kind: shell
          retry: { attempts: 11 }
          command: [sh, -c, 'true']
        - id: b
          kind: shell
          retry: { attempts: 2, delay: 2h }
          command: [sh, -c, 'true']
        ",
        "
        - id: a
          kind: shell
          command: [sh, -c, 'true']
        ",
    );
    let result = case.run(&["validate", "rb.yaml"]);
    assert_eq!(result.code, 2, "{}", result.all_output());
    for message in [
        "rb.yaml:12:12: invalid retry attempts 11 in step 'a': expected 1 to 10",
        "rb.yaml:16:12: invalid retry delay 2h in step 'b': expected at most 1h",
        "rb.yaml:19:9: duplicate step id 'a' (first used at line 10 column 9)",
    ] {
        assert!(
            result.stderr.contains(message),
            "{message}:\n{}",
            result.stderr
        );
    }
}
