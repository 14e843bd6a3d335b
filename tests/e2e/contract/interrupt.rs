//! Ctrl-C, SIGTERM and timeouts: the running query is cancelled on the server (not just abandoned by the
//! client), the run ends within seconds, and the evidence is sealed with what happened.

use std::time::{Duration, Instant};

use crate::contract::case::Case;
use crate::support::*;

fn sleeping(case: &Case) -> bool {
    active_queries(&case.db.name)
        .iter()
        .any(|q| q.contains("pg_sleep"))
}

#[test]
fn ctrl_c_cancels_the_server_side_query_and_seals_the_evidence_as_interrupted() {
    signal_cancels_the_server_side_query_and_seals_the_evidence("INT", "e2e_interrupt");
}

/// A cancelled CI job, `timeout` or `systemctl stop` sends SIGTERM: dying at once would leave
/// the statement running on the server and the evidence unfinished.
#[test]
fn sigterm_cancels_the_server_side_query_and_seals_the_evidence_as_interrupted() {
    signal_cancels_the_server_side_query_and_seals_the_evidence("TERM", "e2e_sigterm");
}

fn signal_cancels_the_server_side_query_and_seals_the_evidence(signal: &str, prefix: &str) {
    let case = Case::new(prefix);
    case.scratch.write(
        "nap.sql",
        "SELECT 1;\nSELECT pg_sleep(30);\nCREATE TABLE after_nap (id int);\n",
    );
    case.runbook(
        "interrupt",
        "",
        "
        - id: nap
          kind: sql_file
          target: db
          path: nap.sql
        - id: after
          kind: sql
          target: db
          text: CREATE TABLE after_marker (id int);
        ",
    );
    let child = case.spawn(&["run", "rb.yaml"]);
    let pid = child.id();
    assert!(
        wait_until(Duration::from_secs(10), || sleeping(&case)),
        "the step never started its query"
    );

    let interrupted = Instant::now();
    send_signal(pid, signal);
    let result = finish(child);
    let took = interrupted.elapsed();
    assert_no_panic(&result);
    assert_eq!(result.code, 130, "{}", result.all_output());
    assert!(
        took < Duration::from_secs(5),
        "the run took {took:?} to stop after SIG{signal}"
    );
    assert!(
        !sleeping(&case),
        "the query still runs on the server: {:?}",
        active_queries(&case.db.name)
    );
    assert!(
        result.stdout.contains("run interrupted in "),
        "{}",
        result.stdout
    );

    let dir = result.evidence_dir(case.path());
    let record = run_record(&dir);
    assert_eq!(record["status"], "interrupted");
    assert!(
        record["finished_at"].is_string(),
        "the run was not sealed: {record:#}"
    );
    assert_eq!(
        step_statuses(&dir),
        [
            ("nap".into(), "failed".into()),
            ("after".into(), "not_run".into())
        ]
    );
    let nap = step_result(&dir, "01-nap");
    assert_eq!(
        nap["summary"],
        "interrupted: cancelled by Ctrl-C or SIGTERM before the step finished"
    );
    let log = step_log(&dir, "01-nap");
    assert_eq!(
        log.split('\n')
            .filter(|l| l.starts_with("interrupted: "))
            .count(),
        1,
        "the interruption is logged once:\n{log}"
    );
    assert_eq!(
        case.sql("SELECT to_regclass('after_nap') IS NULL"),
        "t",
        "the script went on after SIG{signal}"
    );
    let (ok, text) = sha256sum_check(&dir);
    assert!(ok, "{text}");
    let verify = runbook(case.path(), &["verify", dir.to_str().expect("utf-8")]);
    assert_eq!(verify.code, 0, "{}", verify.all_output());
    assert!(
        !verify.stdout.contains("did not finish"),
        "a sealed run is finished: {}",
        verify.stdout
    );
    assert_eq!(
        case.sql("SELECT to_regclass('after_marker') IS NULL"),
        "t",
        "a step ran after SIG{signal}"
    );
}

#[test]
fn a_step_timeout_fails_the_step_after_the_limit_and_cancels_the_query() {
    let case = Case::new("e2e_timeout");
    case.scratch.write("slow.sql", "SELECT pg_sleep(10);\n");
    case.runbook(
        "timeout",
        "",
        "
        - id: slow
          kind: sql_file
          target: db
          timeout: 1s
          path: slow.sql
        - id: after
          kind: sql
          target: db
          text: CREATE TABLE after_marker (id int);
        ",
    );
    let started = Instant::now();
    let result = case.run(&["run", "rb.yaml"]);
    let took = started.elapsed();
    assert_no_panic(&result);
    assert_eq!(result.code, 1, "{}", result.all_output());
    assert!(took < Duration::from_secs(5), "a 1s timeout took {took:?}");
    assert!(
        result
            .stdout
            .contains("step 'slow' (sql_file): failed: timed out after 1s"),
        "{}",
        result.stdout
    );
    assert!(
        !sleeping(&case),
        "the query still runs on the server: {:?}",
        active_queries(&case.db.name)
    );
    let dir = result.evidence_dir(case.path());
    let slow = step_result(&dir, "01-slow");
    assert_eq!(slow["status"], "failed");
    let ms = slow["duration_ms"].as_u64().expect("duration_ms");
    assert!((900..5000).contains(&ms), "the step took {ms} ms");
    assert_eq!(step_statuses(&dir)[1], ("after".into(), "not_run".into()));
    let log = step_log(&dir, "01-slow");
    assert!(log.ends_with("failed: timed out after 1s\n"), "{log}");
    assert!(
        !log.contains("interrupted"),
        "a timeout is not an interruption:\n{log}"
    );
}

#[test]
fn a_shell_step_timeout_kills_the_command() {
    let case = Case::new("e2e_timeout_shell");
    case.runbook(
        "timeout-shell",
        "",
        "
        - id: slow
          kind: shell
          timeout: 500ms
          command: [sleep, '30']
        ",
    );
    let started = Instant::now();
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 1, "{}", result.all_output());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        result.stdout.contains("failed: timed out after 500ms"),
        "{}",
        result.stdout
    );
}

/// `shell: true` runs `sh -c`: a timeout must stop what the script started too, not only the
/// shell, or a `pg_restore` in it would go on changing the database after the step failed.
#[test]
fn a_shell_step_timeout_stops_the_processes_the_command_started() {
    let case = Case::new("e2e_timeout_shell_group");
    case.runbook(
        "timeout-shell-group",
        "",
        "
        - id: slow
          kind: shell
          timeout: 500ms
          shell: true
          command: 'sleep 60 & echo $! > sleeper.pid; wait $!; echo after'
        ",
    );
    let started = Instant::now();
    let result = case.run(&["run", "rb.yaml"]);
    let took = started.elapsed();
    assert_no_panic(&result);
    assert_eq!(result.code, 1, "{}", result.all_output());
    assert!(
        took < Duration::from_secs(5),
        "a 500ms timeout took {took:?}"
    );
    let pid = std::fs::read_to_string(case.path().join("sleeper.pid")).expect("sleeper.pid");
    let pid = pid.trim();
    // Gone, or a zombie waiting for init to reap it: either way no longer running.
    let stopped = wait_until(Duration::from_secs(2), || {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |stat| {
            stat.rsplit(") ").next().is_some_and(|s| s.starts_with('Z'))
        })
    });
    assert!(
        stopped,
        "sleep 60 (pid {pid}) still runs after the step timed out"
    );
    let log = step_log(&result.evidence_dir(case.path()), "01-slow");
    assert!(
        log.contains(
            "stopped the command because the step was cancelled (SIGTERM to its process group)\n"
        ),
        "{log}"
    );
    assert!(log.ends_with("failed: timed out after 500ms\n"), "{log}");
    assert!(!log.contains("[stdout] after"), "{log}");
}

/// Evidence is written as the run goes: a run killed with SIGKILL in its second step leaves the
/// first step sealed (listed in SHA256SUMS), and both `sha256sum -c` and `runbook verify` accept
/// the directory, which says the run did not finish.
#[test]
fn a_run_killed_mid_step_leaves_finished_steps_sealed_and_verifiable() {
    let case = Case::new("e2e_killed");
    case.runbook(
        "killed",
        "",
        "
        - id: make
          kind: sql
          target: db
          text: CREATE TABLE made (id int);
        - id: nap
          kind: sql
          target: db
          text: SELECT pg_sleep(20);
        ",
    );
    let child = case.spawn(&["run", "rb.yaml"]);
    let pid = child.id();
    assert!(
        wait_until(Duration::from_secs(10), || sleeping(&case)),
        "the second step never started its query"
    );
    send_signal(pid, "KILL");
    let _ = finish(child);

    let dir = case
        .scratch
        .evidence_dirs()
        .into_iter()
        .next()
        .expect("the killed run's evidence");
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).expect("SHA256SUMS");
    for file in [
        "steps/01-make/output.log",
        "steps/01-make/result.json",
        "run.json",
        "runbook.yaml",
    ] {
        assert!(
            sums.contains(&format!("  {file}\n")),
            "{file} is not sealed:\n{sums}"
        );
    }
    let (ok, text) = sha256sum_check(&dir);
    assert!(ok, "{text}");
    let shown = dir
        .strip_prefix(case.path())
        .expect("relative")
        .display()
        .to_string();
    let verify = runbook(case.path(), &["verify", &shown]);
    assert_eq!(verify.code, 0, "{}", verify.all_output());
    assert!(
        verify.stdout.contains("the run did not finish"),
        "{}",
        verify.stdout
    );
    let record = run_record(&dir);
    assert_eq!(record["status"], "running");
    assert_eq!(record["current_step"], "steps/02-nap");
    assert_eq!(step_statuses(&dir)[0], ("make".into(), "passed".into()));
    let report = runbook(case.path(), &["report", &shown]);
    assert_eq!(report.code, 0, "{}", report.all_output());
    assert!(
        report.stdout.contains("the run did not finish"),
        "{}",
        report.stdout
    );
}
