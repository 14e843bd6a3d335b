//! `wait_until`: a step that polls a condition until it holds (a row another process writes, a
//! file, a container's health) or its timeout passes, keeping a summary of the polls (first,
//! last, count) rather than every one; `check` polls once and does not fail on "not yet"; a
//! polled query that writes needs consent like a gate query.

use std::time::Duration;

use crate::contract::case::Case;
use crate::support::*;

#[test]
fn a_query_is_polled_until_a_row_written_by_another_session_appears() {
    let case = Case::new("e2e_wait_query");
    case.runbook(
        "wait-query",
        "",
        "
        - id: make-table
          kind: sql
          target: db
          text: CREATE TABLE promoted (at timestamptz NOT NULL)
        - id: wait-promoted
          kind: wait_until
          target: db
          query: SELECT count(*) FROM promoted
          expect: { min: 1 }
          every: 200ms
          timeout: 30s
        - id: after
          kind: sql
          target: db
          text: INSERT INTO promoted VALUES (now())
        ",
    );
    let child = case.spawn(&["run", "rb.yaml"]);
    // Another session writes the row once the runbook has been waiting for a while.
    assert!(
        wait_until(Duration::from_secs(20), || case
            .sql("SELECT to_regclass('promoted') IS NOT NULL")
            == "t"),
        "the runbook never created the table"
    );
    std::thread::sleep(Duration::from_millis(1200));
    sql_exec(&case.db.spec, "INSERT INTO promoted VALUES (now())");
    let result = finish(child);
    assert_no_panic(&result);
    assert_eq!(result.code, 0, "{}", result.all_output());
    // The step after the wait ran once the row was there.
    assert_eq!(case.sql("SELECT count(*) FROM promoted"), "2");

    let dir = result.evidence_dir(case.path());
    let record = step_result(&dir, "02-wait-promoted");
    assert_eq!(record["status"], "passed", "{record:#}");
    let details = &record["details"];
    assert_eq!(details["held"], true, "{details:#}");
    let polls = details["polls"].as_u64().expect("polls is a number");
    assert!(
        polls >= 3,
        "polled every 200ms for over a second: {details:#}"
    );
    assert_eq!(
        details["first"]["result"], "the value '0' (waiting for a value >= 1)",
        "{details:#}"
    );
    assert_eq!(
        details["last"]["result"], "the value '1' (waiting for a value >= 1)",
        "{details:#}"
    );
    assert!(
        details["last"]["at_seconds"].as_f64() >= Some(1.0),
        "{details:#}"
    );
    let summary = record["summary"].as_str().unwrap_or_default();
    assert!(
        summary.starts_with("the query's result held after ")
            && summary.ends_with(&format!(
                "({polls} polls): the value '1' (waiting for a value >= 1)"
            )),
        "{summary}"
    );
    // Two lines for any number of polls: the first and the last.
    let log = step_log(&dir, "02-wait-promoted");
    assert_eq!(log.matches("poll ").count(), 2, "{log}");
    assert!(log.contains("poll 1 at "), "{log}");
    assert!(log.contains(&format!("poll {polls} at ")), "{log}");
    let (ok, sums) = sha256sum_check(&dir);
    assert!(ok, "{sums}");
}

#[test]
fn a_condition_that_never_holds_fails_when_the_timeout_passes_and_says_what_it_last_saw() {
    let case = Case::new("e2e_wait_timeout");
    case.runbook(
        "wait-timeout",
        "",
        "
        - id: wait-forever
          kind: wait_until
          target: db
          query: SELECT 'standby'
          expect: { equals: primary }
          every: 100ms
          timeout: 2s
        - id: never
          kind: sql
          target: db
          text: CREATE TABLE never_created (x int)
        ",
    );
    let started = std::time::Instant::now();
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 1, "{}", result.all_output());
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "the wait ended with its timeout"
    );
    assert!(
        result
            .stdout
            .contains("the query's result did not hold within 2s (")
            && result
                .stdout
                .contains("last: the value 'standby' (waiting for the value 'primary')"),
        "{}",
        result.stdout
    );
    assert_eq!(case.sql("SELECT to_regclass('never_created') IS NULL"), "t");
    let dir = result.evidence_dir(case.path());
    let details = &step_result(&dir, "01-wait-forever")["details"];
    assert_eq!(details["held"], false, "{details:#}");
    assert!(details["polls"].as_u64() >= Some(5), "{details:#}");
}

#[test]
fn a_query_error_ends_the_wait_at_once() {
    let case = Case::new("e2e_wait_error");
    case.runbook(
        "wait-error",
        "",
        "
        - id: wait-missing
          kind: wait_until
          target: db
          query: SELECT count(*) FROM no_such_table
          expect: { min: 1 }
          timeout: 60s
        ",
    );
    let started = std::time::Instant::now();
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 1, "{}", result.all_output());
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(
        result.stdout.contains(
            "the polled query failed: error (42P01): relation \"no_such_table\" does not exist"
        ),
        "{}",
        result.stdout
    );
}

#[test]
fn check_polls_once_and_not_yet_is_no_failure() {
    let case = Case::new("e2e_wait_check");
    case.sql("CREATE TABLE jobs (done boolean)");
    case.runbook(
        "wait-check",
        "",
        "
        - id: wait-job
          kind: wait_until
          target: db
          query: SELECT count(*) FROM jobs WHERE done
          expect: { min: 1 }
          timeout: 10m
        - id: wait-file
          kind: wait_until
          file_exists: ready.flag
        ",
    );
    let result = case.run(&["check", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    let job = step_result(&dir, "01-wait-job");
    assert_eq!(job["status"], "passed", "{job:#}");
    assert_eq!(
        job["summary"],
        "the query's result does not hold yet (the value '0' (waiting for a value >= 1)); the run would wait up to 10m",
        "{job:#}"
    );
    assert_eq!(job["details"]["holds_now"], false, "{job:#}");
    assert_eq!(
        step_result(&dir, "02-wait-file")["summary"],
        "the existence of ready.flag does not hold yet (ready.flag does not exist); the run would wait up to 5m"
    );

    case.scratch.write("ready.flag", "");
    let result = case.run(&["check", "rb.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    assert_eq!(
        step_result(&dir, "02-wait-file")["summary"],
        "the existence of ready.flag holds now: ready.flag exists (a file)"
    );
}

#[test]
fn a_polled_query_that_writes_needs_consent_on_a_protected_target() {
    let case = Case::new("e2e_wait_consent");
    case.sql("CREATE TABLE jobs (id int); INSERT INTO jobs VALUES (1)");
    case.runbook(
        "wait-consent",
        "protected: true",
        "
        - id: wait-gone
          kind: wait_until
          target: db
          query: DELETE FROM jobs RETURNING id
          expect: { empty: true }
          timeout: 5s
        ",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 2, "{}", result.all_output());
    assert!(
        result
            .stderr
            .contains("target 'db' is protected and step 'wait-gone' would poll the query"),
        "{}",
        result.stderr
    );
    assert_eq!(case.sql("SELECT count(*) FROM jobs"), "1");
}
