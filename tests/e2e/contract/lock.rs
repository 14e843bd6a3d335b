//! The run lock: while one run of a runbook holds a database, a second run of it refuses at once
//! (blocked, exit 3) and names the holder; a holder killed with SIGKILL leaves no lock behind,
//! because the server releases a session lock when the session ends.

use std::time::{Duration, Instant};

use crate::contract::case::Case;
use crate::support::*;

/// `nap` holds the run inside a long query (only when the var is set); `look` touches the
/// database, so a run without the nap still needs the lock.
const STEPS: &str = "
    - id: nap
      kind: sql
      target: db
      when: vars.nap
      text: SELECT pg_sleep(20);
    - id: look
      kind: gate
      target: db
      checks:
        - name: server answers
          query: SELECT 1
          expect: { equals: 1 }
";

fn lock_runbook(case: &Case) {
    let text = crate::contract::case::runbook_text("locked-restore", "", STEPS)
        .replace("vars:\n", "vars:\n  nap: \"\"\n");
    case.scratch.write("rb.yaml", text);
}

fn advisory_locks(case: &Case) -> String {
    sql_value(
        runbook_testkit::postgres::server(),
        &format!(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database \
             WHERE l.locktype = 'advisory' AND d.datname = '{}'",
            case.db.name
        ),
    )
}

#[test]
fn a_second_run_refuses_at_once_naming_the_holder_and_a_killed_holder_releases_the_lock() {
    // The same runbook holds another database of the same server: its lock is not ours, and
    // the refusal below must not name it.
    let decoy = Case::new("e2e_lock_decoy");
    lock_runbook(&decoy);
    let decoy_run = decoy.spawn(&["run", "rb.yaml", "--var", "nap=yes"]);
    assert!(
        wait_until(Duration::from_secs(10), || active_queries(&decoy.db.name)
            .iter()
            .any(|q| q.contains("pg_sleep"))),
        "the decoy run never started its long step"
    );

    let case = Case::new("e2e_lock");
    lock_runbook(&case);
    let holder = case.spawn(&["run", "rb.yaml", "--var", "nap=yes"]);
    let holder_pid = holder.id();
    assert!(
        wait_until(Duration::from_secs(10), || active_queries(&case.db.name)
            .iter()
            .any(|q| q.contains("pg_sleep"))),
        "the first run never started its long step"
    );

    let started = Instant::now();
    let second = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&second);
    assert_eq!(second.code, 3, "{}", second.all_output());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the refusal took {:?}",
        started.elapsed()
    );
    let host = run_record(&second.evidence_dir(case.path()))["host"]
        .as_str()
        .expect("host")
        .to_owned();
    let holder_dir = case
        .scratch
        .evidence_dirs()
        .into_iter()
        .next()
        .expect("the holder's evidence dir");
    let holder_dir = holder_dir
        .strip_prefix(case.path())
        .expect("relative")
        .display()
        .to_string();
    let expected = "step 'look' (gate): blocked: target 'db': another run of runbook 'locked-restore' holds the lock on this database: ";
    assert!(second.stdout.contains(expected), "{}", second.stdout);
    // The holder's start, to the second, as its own run.json has it.
    let holder_started = run_record(&case.path().join(&holder_dir))["started_at"]
        .as_str()
        .map(|s| format!("{}Z", &s[..19]))
        .expect("the holder's started_at");
    for part in [
        format!("@{host} pid {holder_pid} since {holder_started}, "),
        format!("evidence {holder_dir}"),
    ] {
        assert!(
            second.stdout.contains(&part),
            "the refusal does not name the holder ({part}):\n{}",
            second.stdout
        );
    }
    let dir = second.evidence_dir(case.path());
    assert_eq!(run_record(&dir)["status"], "blocked");

    // The dry run says so too: `run` would be refused now.
    let check = case.run(&["check", "rb.yaml", "--var", "nap=yes"]);
    assert_eq!(check.code, 3, "{}", check.all_output());
    assert!(
        check.stdout.contains(&format!("pid {holder_pid} since "))
            && check.stdout.contains("`runbook run` would be refused"),
        "{}",
        check.stdout
    );

    send_signal(decoy_run.id(), "KILL");
    let _ = finish(decoy_run);
    send_signal(holder_pid, "KILL");
    let killed = finish(holder);
    assert_eq!(killed.code, -1, "SIGKILL leaves no exit code");
    assert!(
        wait_until(Duration::from_secs(5), || advisory_locks(&case) == "0"),
        "the server kept the killed run's lock"
    );
    let third = case.run(&["run", "rb.yaml"]);
    assert_eq!(
        third.code,
        0,
        "a new run after the holder died: {}",
        third.all_output()
    );

    // The killed run's evidence is still a directory a reviewer can check.
    let holder_abs = case.path().join(&holder_dir);
    let (ok, text) = sha256sum_check(&holder_abs);
    assert!(ok, "{text}");
    let verify = runbook(case.path(), &["verify", &holder_dir]);
    assert_eq!(verify.code, 0, "{}", verify.all_output());
    assert!(
        verify.stdout.contains("the run did not finish"),
        "{}",
        verify.stdout
    );
    assert_eq!(run_record(&holder_abs)["status"], "running");
}

#[test]
fn another_runbook_on_the_same_database_has_a_lock_of_its_own() {
    let case = Case::new("e2e_lock_other");
    lock_runbook(&case);
    let holder = case.spawn(&["run", "rb.yaml", "--var", "nap=yes"]);
    assert!(
        wait_until(Duration::from_secs(10), || active_queries(&case.db.name)
            .iter()
            .any(|q| q.contains("pg_sleep"))),
        "the first run never started its long step"
    );
    // A different runbook against the same database has a lock of its own.
    case.scratch.write(
        "other.yaml",
        crate::contract::case::runbook_text("other-runbook", "", STEPS)
            .replace("vars:\n", "vars:\n  nap: \"\"\n"),
    );
    let other = case.run(&["run", "other.yaml"]);
    assert_eq!(other.code, 0, "{}", other.all_output());
    send_signal(holder.id(), "KILL");
    let _ = finish(holder);
}

#[test]
fn two_targets_of_one_run_on_the_same_database_do_not_block_each_other() {
    let case = Case::new("e2e_lock_two_targets");
    let text = crate::contract::case::runbook_text(
        "two-targets",
        "",
        "
        - id: as-admin
          kind: sql
          target: admin
          text: CREATE TABLE made_by_admin (id int);
        - id: as-app
          kind: gate
          target: db
          checks:
            - name: admin's table
              tables_exist: [made_by_admin]
        ",
    )
    .replace(
        "steps:\n",
        "  admin:\n    postgres:\n      url: ${vars.url}\nsteps:\n",
    );
    case.scratch.write("rb.yaml", text);
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(
        result.code,
        0,
        "the run blocked itself: {}",
        result.all_output()
    );
}

/// The lock lives as long as its session: when that ends under the run (the server or its
/// container restarted, `idle_session_timeout`, an admin's `pg_terminate_backend`), the run takes
/// the lock again before its next step touches the database, instead of going on unlocked while
/// a second run of the runbook could start.
#[test]
fn a_run_whose_lock_session_ended_takes_the_lock_again_before_going_on() {
    let case = Case::new("e2e_lock_lost");
    case.runbook(
        "lost-lock",
        "",
        "
        - id: lose-lock
          kind: sql
          target: db
          text: |
            SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
            WHERE datname = current_database() AND application_name LIKE 'runbook lock %';
        - id: locked-again
          kind: gate
          target: db
          checks:
            - name: the run holds its lock
              query: |
                SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()
                  AND a.application_name LIKE 'runbook lock %'
              expect: { equals: 1 }
        ",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    assert_eq!(
        step_result(&dir, "01-lose-lock")["details"]["statements"],
        1,
        "the first step did not run its statement"
    );
}
