//! The run lock: one run at a time per database, whatever the runbook. While one run holds a
//! database, a second run (of the same runbook or another one) refuses before its first step,
//! even a shell step, (blocked, exit 3) and names the holder. A holder killed with SIGKILL
//! leaves no lock behind, because the server releases a session lock when the session ends; but
//! a statement it left running on the server is found by its `application_name` and refuses the
//! next run until it ends or `--terminate-stale` ends it.

use std::time::{Duration, Instant};

use crate::contract::case::Case;
use crate::support::*;

/// `mark` touches a file named by the var `marker` (in the scratch directory) before anything
/// touches the database; `nap` holds the run inside a long query (only when the var is set);
/// `look` touches the database, so a run without the nap still needs the lock.
const STEPS: &str = "
    - id: mark
      kind: shell
      command: [touch, '${vars.marker}']
    - id: nap
      kind: sql
      target: db
      when: vars.nap
      text: SELECT pg_sleep(60);
    - id: look
      kind: gate
      target: db
      checks:
        - name: server answers
          query: SELECT 1
          expect: { equals: 1 }
";

fn lock_runbook_text(name: &str) -> String {
    crate::contract::case::runbook_text(name, "", STEPS)
        .replace("vars:\n", "vars:\n  nap: \"\"\n  marker: default.marker\n")
}

fn lock_runbook(case: &Case) {
    case.scratch
        .write("rb.yaml", lock_runbook_text("locked-restore"));
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

/// `pid|application_name|query_start` of the backend running `pg_sleep` on the case's database.
fn sleeping_backend(case: &Case) -> Option<(String, String, String)> {
    let row = sql_value(
        runbook_testkit::postgres::server(),
        &format!(
            "SELECT pid, application_name, query_start FROM pg_stat_activity \
             WHERE datname = '{}' AND state = 'active' AND query LIKE '%pg_sleep(60)%' \
             AND pid <> pg_backend_pid()",
            case.db.name
        ),
    );
    let mut cells = row.split('|');
    Some((
        cells.next().filter(|p| !p.is_empty())?.to_owned(),
        cells.next()?.to_owned(),
        cells.next()?.to_owned(),
    ))
}

fn backend_exists(pid: &str) -> bool {
    sql_value(
        runbook_testkit::postgres::server(),
        &format!("SELECT count(*) FROM pg_stat_activity WHERE pid = {pid}"),
    ) != "0"
}

/// Starts `run rb.yaml` with the nap and waits until it sleeps inside the database.
fn start_holder(case: &Case, runbook: &str, marker: &str) -> std::process::Child {
    let marker = format!("marker={marker}");
    let holder = case.spawn(&["run", runbook, "--var", "nap=yes", "--var", &marker]);
    assert!(
        wait_until(Duration::from_secs(15), || sleeping_backend(case).is_some()),
        "the first run never started its long step"
    );
    holder
}

#[test]
fn a_second_run_refuses_before_its_first_shell_step_naming_the_holder() {
    // The same runbook holds another database of the same server: its lock is not ours, and
    // the refusal below must not name it.
    let decoy = Case::new("e2e_lock_decoy");
    lock_runbook(&decoy);
    let decoy_run = start_holder(&decoy, "rb.yaml", "decoy.marker");

    let case = Case::new("e2e_lock");
    lock_runbook(&case);
    let holder = start_holder(&case, "rb.yaml", "first.marker");
    let holder_pid = holder.id();
    assert!(case.path().join("first.marker").exists());

    let started = Instant::now();
    let second = case.run(&["run", "rb.yaml", "--var", "marker=second.marker"]);
    assert_no_panic(&second);
    assert_eq!(second.code, 3, "{}", second.all_output());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the refusal took {:?}",
        started.elapsed()
    );
    // Not even the shell step ran: the refusal comes before anything.
    assert!(
        !case.path().join("second.marker").exists(),
        "the refused run ran its first (shell) step: {}",
        second.all_output()
    );
    let dir = second.evidence_dir(case.path());
    assert_eq!(run_record(&dir)["status"], "blocked");
    assert_eq!(
        step_statuses(&dir)[0],
        ("mark".to_owned(), "blocked".to_owned()),
        "{:?}",
        step_statuses(&dir)
    );
    let host = run_record(&dir)["host"].as_str().expect("host").to_owned();
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
    let expected = format!(
        "step 'mark' (shell): blocked: target 'db': another run holds the lock on database '{}': runbook 'locked-restore' run ",
        case.db.name
    );
    assert!(second.stdout.contains(&expected), "{}", second.stdout);
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
    end_all_sessions(&decoy);
    send_signal(holder_pid, "KILL");
    let killed = finish(holder);
    assert_eq!(killed.code, -1, "SIGKILL leaves no exit code");
    assert!(
        wait_until(Duration::from_secs(5), || advisory_locks(&case) == "0"),
        "the server kept the killed run's lock"
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
    end_all_sessions(&case);
}

/// The lock belongs to the database, not to a runbook: a restore and another runbook (a
/// sequence fix, a second restore under another name) never run on one database at once.
#[test]
fn two_different_runbooks_on_one_database_exclude_each_other() {
    let case = Case::new("e2e_lock_other");
    lock_runbook(&case);
    let holder = start_holder(&case, "rb.yaml", "first.marker");
    case.scratch
        .write("other.yaml", lock_runbook_text("other-runbook"));
    let other = case.run(&["run", "other.yaml", "--var", "marker=other.marker"]);
    assert_no_panic(&other);
    assert_eq!(other.code, 3, "{}", other.all_output());
    assert!(
        !case.path().join("other.marker").exists(),
        "the other runbook ran its first (shell) step"
    );
    let expected = format!(
        "blocked: target 'db': another run holds the lock on database '{}': runbook 'locked-restore' run ",
        case.db.name
    );
    assert!(other.stdout.contains(&expected), "{}", other.stdout);
    assert!(
        other
            .stdout
            .contains(&format!(" pid {} since ", holder.id())),
        "{}",
        other.stdout
    );
    send_signal(holder.id(), "KILL");
    let _ = finish(holder);
    end_all_sessions(&case);
}

/// Control: the lock is per database, so runs on two databases of one server, even of the
/// same runbook, go on side by side.
#[test]
fn runs_on_different_databases_go_on_concurrently() {
    let busy = Case::new("e2e_lock_busy");
    lock_runbook(&busy);
    let holder = start_holder(&busy, "rb.yaml", "busy.marker");
    let case = Case::new("e2e_lock_free");
    lock_runbook(&case);
    let free = case.run(&["run", "rb.yaml", "--var", "marker=free.marker"]);
    assert_eq!(free.code, 0, "{}", free.all_output());
    assert!(case.path().join("free.marker").exists());
    send_signal(holder.id(), "KILL");
    let _ = finish(holder);
    end_all_sessions(&busy);
}

/// `kill -9` of a run in the middle of `SELECT pg_sleep(60)`: the server releases its lock at
/// once, but the statement goes on. The next run finds it by the killed run's
/// `application_name` and refuses before its first step, naming the backend's pid, when its
/// query started and the run it belongs to; with `--terminate-stale` it cancels the backend,
/// waits until it is gone, records that, and runs.
#[test]
fn a_statement_left_running_by_a_killed_run_refuses_the_next_run_until_terminate_stale() {
    let case = Case::new("e2e_lock_stale");
    lock_runbook(&case);
    let holder = start_holder(&case, "rb.yaml", "first.marker");
    let (pid, application_name, query_start) =
        sleeping_backend(&case).expect("the sleeping backend");
    let run_id = application_name
        .split(' ')
        .nth(2)
        .expect("the run id in the application_name")
        .to_owned();
    assert!(
        application_name.starts_with("runbook run "),
        "{application_name}"
    );
    send_signal(holder.id(), "KILL");
    let _ = finish(holder);
    assert!(
        wait_until(Duration::from_secs(5), || advisory_locks(&case) == "0"),
        "the server kept the killed run's lock"
    );
    assert!(
        backend_exists(&pid),
        "the killed run's statement ended by itself"
    );

    let second = case.run(&["run", "rb.yaml", "--var", "marker=second.marker"]);
    assert_no_panic(&second);
    assert_eq!(second.code, 3, "{}", second.all_output());
    assert!(!case.path().join("second.marker").exists());
    for part in [
        format!("backend pid {pid} of run {run_id} "),
        format!("query started {query_start}"),
        "SELECT pg_sleep(60)".to_owned(),
        "--terminate-stale".to_owned(),
    ] {
        assert!(second.stdout.contains(&part), "{part}:\n{}", second.stdout);
    }
    assert!(backend_exists(&pid), "a refused run ended the backend");

    // The dry run predicts the refusal and ends nothing.
    let check = case.run(&["check", "rb.yaml"]);
    assert_eq!(check.code, 3, "{}", check.all_output());
    assert!(
        check
            .stdout
            .contains(&format!("backend pid {pid} of run {run_id} "))
            && check.stdout.contains("`runbook run` would be refused"),
        "{}",
        check.stdout
    );
    assert!(backend_exists(&pid), "check ended the backend");

    let third = case.run(&[
        "run",
        "rb.yaml",
        "--terminate-stale",
        "--var",
        "marker=third.marker",
    ]);
    assert_no_panic(&third);
    assert_eq!(third.code, 0, "{}", third.all_output());
    assert!(!backend_exists(&pid), "the stale backend is still there");
    assert!(case.path().join("third.marker").exists());
    let dir = third.evidence_dir(case.path());
    let log = step_log(&dir, "01-mark");
    assert!(
        log.contains(&format!(
            "--terminate-stale: cancelled (pg_cancel_backend) backend pid {pid} of run {run_id} "
        )),
        "{log}"
    );
    let (ok, text) = sha256sum_check(&dir);
    assert!(ok, "{text}");
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

/// The lock belongs to the database, not to the text of a URL: a runbook reaching the holder's
/// database as `localhost` instead of `127.0.0.1` is refused like any other.
#[test]
fn the_same_database_under_another_host_name_is_locked_all_the_same() {
    let case = Case::new("e2e_lock_alias");
    lock_runbook(&case);
    let holder = start_holder(&case, "rb.yaml", "first.marker");
    case.scratch
        .write("alias.yaml", lock_runbook_text("alias-runbook"));
    let alias_url = case.db.url.replace("@127.0.0.1:", "@localhost:");
    assert_ne!(alias_url, case.db.url, "{}", case.db.url);
    let alias = case.scratch.runbook(&[
        "run",
        "alias.yaml",
        "--var",
        &format!("url={alias_url}"),
        "--var",
        "marker=alias.marker",
    ]);
    assert_no_panic(&alias);
    assert_eq!(alias.code, 3, "{}", alias.all_output());
    assert!(!case.path().join("alias.marker").exists());
    assert!(
        alias.stdout.contains(&format!(
            "another run holds the lock on database '{}': runbook 'locked-restore' run ",
            case.db.name
        )),
        "{}",
        alias.stdout
    );
    send_signal(holder.id(), "KILL");
    let _ = finish(holder);
    end_all_sessions(&case);
}

/// A live run's work on a database it reached with `\connect` (so it holds no lock there) is
/// never "stale": the next run on that database is refused, and `--terminate-stale` does not
/// end it. Once that run is killed, its statement is stale and `--terminate-stale` ends it.
#[test]
fn terminate_stale_never_ends_the_work_of_a_run_that_is_still_going() {
    let busy = Case::new("e2e_lock_live_b");
    let connector = Case::new("e2e_lock_live_a");
    connector.scratch.write(
        "hop.sql",
        format!("\\connect {}\nSELECT pg_sleep(60);\n", busy.db.name),
    );
    connector.runbook(
        "connector",
        "",
        "
        - id: hop
          kind: sql_file
          target: db
          path: hop.sql
        ",
    );
    let live = connector.spawn(&["run", "rb.yaml"]);
    assert!(
        wait_until(Duration::from_secs(15), || sleeping_backend(&busy)
            .is_some()),
        "the connector never started its long statement"
    );
    let (pid, _, _) = sleeping_backend(&busy).expect("the sleeping backend");

    lock_runbook(&busy);
    let refused = busy.run(&[
        "run",
        "rb.yaml",
        "--terminate-stale",
        "--var",
        "marker=refused.marker",
    ]);
    assert_no_panic(&refused);
    assert_eq!(refused.code, 3, "{}", refused.all_output());
    assert!(!busy.path().join("refused.marker").exists());
    for part in [
        format!("backend pid {pid} of run "),
        format!(
            "a run still going: it holds its run lock on database '{}'",
            connector.db.name
        ),
        "--terminate-stale ends only backends of runs that ended".to_owned(),
    ] {
        assert!(
            refused.stdout.contains(&part),
            "{part}:\n{}",
            refused.stdout
        );
    }
    assert!(
        backend_exists(&pid),
        "--terminate-stale ended a live run's work"
    );

    send_signal(live.id(), "KILL");
    let _ = finish(live);
    let after = busy.run(&[
        "run",
        "rb.yaml",
        "--terminate-stale",
        "--var",
        "marker=after.marker",
    ]);
    assert_eq!(after.code, 0, "{}", after.all_output());
    assert!(!backend_exists(&pid));
    assert!(busy.path().join("after.marker").exists());
}

/// A `psql` that a shell step started outlives a run killed with `kill -9` (it has a process
/// group of its own) and goes on changing the database. Children get the run's
/// `application_name` in `PGAPPNAME`, so the next run sees that work as the killed run's and
/// refuses, and `--terminate-stale` ends it.
#[test]
fn a_psql_left_running_by_a_killed_runs_shell_step_is_found_and_ended_by_terminate_stale() {
    let case = Case::new("e2e_lock_orphan");
    let text = crate::contract::case::runbook_text(
        "orphan",
        "",
        "
        - id: mark
          kind: shell
          command: [touch, '${vars.marker}']
        - id: psql-nap
          kind: shell
          when: vars.nap
          command: [psql, '${vars.url}', -c, 'SELECT pg_sleep(60)']
        - id: look
          kind: gate
          target: db
          checks:
            - name: server answers
              query: SELECT 1
              expect: { equals: 1 }
        ",
    )
    .replace("vars:\n", "vars:\n  nap: \"\"\n  marker: default.marker\n");
    case.scratch.write("rb.yaml", text);
    let holder = start_holder(&case, "rb.yaml", "first.marker");
    let (pid, application_name, _) = sleeping_backend(&case).expect("psql's backend");
    assert!(
        application_name.starts_with("runbook run "),
        "psql did not get the run's PGAPPNAME: {application_name}"
    );
    let run_id = application_name
        .split(' ')
        .nth(2)
        .expect("run id")
        .to_owned();
    send_signal(holder.id(), "KILL");
    let _ = finish(holder);
    assert!(
        wait_until(Duration::from_secs(5), || advisory_locks(&case) == "0"),
        "the server kept the killed run's lock"
    );

    let second = case.run(&["run", "rb.yaml", "--var", "marker=second.marker"]);
    assert_no_panic(&second);
    assert_eq!(second.code, 3, "{}", second.all_output());
    assert!(!case.path().join("second.marker").exists());
    assert!(
        second
            .stdout
            .contains(&format!("backend pid {pid} of run {run_id} ")),
        "{}",
        second.stdout
    );

    let third = case.run(&[
        "run",
        "rb.yaml",
        "--terminate-stale",
        "--var",
        "marker=third.marker",
    ]);
    assert_eq!(third.code, 0, "{}", third.all_output());
    assert!(!backend_exists(&pid), "psql's backend is still there");
    assert!(case.path().join("third.marker").exists());
}

/// Control: what `runbook check` has running on the database (its sessions are named
/// `runbook check <run id> ...`) never makes a real run refuse: a dry run must not stand in the
/// way of the restore it rehearses. A session named like a run's (`runbook run ...`) whose run
/// holds no lock does, which shows the two differ only by that name.
#[test]
fn a_dry_runs_sessions_never_refuse_a_run() {
    let case = Case::new("e2e_lock_check_session");
    lock_runbook(&case);
    let mut dry = runbook_testkit::postgres::psql(&case.db.spec)
        .args(["-c", "SELECT pg_sleep(60)"])
        .env("PGAPPNAME", "runbook check 0a0a0a0a0a0a 1@elsewhere")
        .spawn()
        .expect("psql");
    assert!(
        wait_until(Duration::from_secs(10), || sleeping_backend(&case)
            .is_some()),
        "the dry run's query never started"
    );
    let run = case.run(&["run", "rb.yaml", "--var", "marker=run.marker"]);
    assert_eq!(run.code, 0, "{}", run.all_output());
    let _ = dry.kill();
    let _ = dry.wait();
    end_sessions_named(&case, "runbook check 0a0a0a0a0a0a 1@elsewhere");

    let mut stale = runbook_testkit::postgres::psql(&case.db.spec)
        .args(["-c", "SELECT pg_sleep(60)"])
        .env("PGAPPNAME", "runbook run 0b0b0b0b0b0b 1@elsewhere")
        .spawn()
        .expect("psql");
    assert!(
        wait_until(Duration::from_secs(10), || sleeping_backend(&case)
            .is_some()),
        "the stale query never started"
    );
    let refused = case.run(&["run", "rb.yaml", "--var", "marker=refused.marker"]);
    assert_eq!(refused.code, 3, "{}", refused.all_output());
    assert!(
        refused
            .stdout
            .contains("of run 0b0b0b0b0b0b (client 1@elsewhere)"),
        "{}",
        refused.stdout
    );
    let _ = stale.kill();
    let _ = stale.wait();
    end_sessions_named(&case, "runbook run 0b0b0b0b0b0b 1@elsewhere");
}

/// Ends what a killed run left sleeping on the case's database.
fn end_all_sessions(case: &Case) {
    sql_value(
        runbook_testkit::postgres::server(),
        &format!(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
             WHERE datname = '{}' AND pid <> pg_backend_pid()",
            case.db.name
        ),
    );
}

/// Ends the sessions with this `application_name` on the case's database and waits until
/// they are gone.
fn end_sessions_named(case: &Case, name: &str) {
    let server = runbook_testkit::postgres::server();
    let filter = format!(
        "datname = '{}' AND application_name = '{name}'",
        case.db.name
    );
    sql_value(
        server,
        &format!("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE {filter}"),
    );
    assert!(
        wait_until(Duration::from_secs(10), || sql_value(
            server,
            &format!("SELECT count(*) FROM pg_stat_activity WHERE {filter}")
        ) == "0"),
        "{name} did not end"
    );
}

/// The lock is held from before the first step, not from the first database session: a run
/// still in a long shell step that precedes every SQL step already excludes a second run.
#[test]
fn a_run_holds_the_lock_while_its_first_steps_are_not_sql_yet() {
    let case = Case::new("e2e_lock_early");
    let text = crate::contract::case::runbook_text(
        "early",
        "",
        "
        - id: wait-for-files
          kind: shell
          when: vars.nap
          command: [sleep, '20']
        - id: mark
          kind: shell
          command: [touch, '${vars.marker}']
        - id: look
          kind: gate
          target: db
          checks:
            - name: server answers
              query: SELECT 1
              expect: { equals: 1 }
        ",
    )
    .replace("vars:\n", "vars:\n  nap: \"\"\n  marker: default.marker\n");
    case.scratch.write("rb.yaml", text);
    let holder = case.spawn(&["run", "rb.yaml", "--var", "nap=yes"]);
    assert!(
        wait_until(Duration::from_secs(15), || advisory_locks(&case) == "1"),
        "the first run, in its shell step, holds no lock on the database"
    );
    let second = case.run(&["run", "rb.yaml", "--var", "marker=second.marker"]);
    assert_no_panic(&second);
    assert_eq!(second.code, 3, "{}", second.all_output());
    assert!(!case.path().join("second.marker").exists());
    assert!(
        second
            .stdout
            .contains(&format!(" pid {} since ", holder.id())),
        "{}",
        second.stdout
    );
    send_signal(holder.id(), "KILL");
    let _ = finish(holder);
}

/// A role that may read neither the holder's query nor its state (no `pg_read_all_stats`) still
/// learns which run holds the lock (its `application_name` is visible to all) and is refused;
/// and a run killed mid-statement refuses it too, with `--terminate-stale` failing plainly
/// when the role may not signal that backend (nothing is ended).
#[test]
fn a_role_that_sees_little_is_still_refused_and_told_which_run_holds_the_database() {
    let case = Case::new("e2e_lock_role");
    let role = format!("e2e_lock_reader_{}", std::process::id());
    let server = runbook_testkit::postgres::server();
    sql_exec(
        server,
        &format!("DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN"),
    );
    let role_url = case
        .db
        .url
        .replacen("postgres://postgres@", &format!("postgres://{role}@"), 1);
    assert_ne!(role_url, case.db.url);
    lock_runbook(&case);
    let holder = start_holder(&case, "rb.yaml", "first.marker");
    let holder_pid = holder.id();
    let (sleeper, application_name, _) = sleeping_backend(&case).expect("the sleeping backend");
    let run_id = application_name
        .split(' ')
        .nth(2)
        .expect("run id")
        .to_owned();

    let as_role = |marker: &str, extra: &[&str]| {
        let url = format!("url={role_url}");
        let marker = format!("marker={marker}");
        let mut args = vec!["run", "rb.yaml", "--var", &url, "--var", &marker];
        args.extend_from_slice(extra);
        case.scratch.runbook(&args)
    };
    let refused = as_role("role.marker", &[]);
    assert_no_panic(&refused);
    assert_eq!(refused.code, 3, "{}", refused.all_output());
    assert!(!case.path().join("role.marker").exists());
    let expected = format!(
        "another run holds the lock on database '{}': run {run_id} {holder_pid}@",
        case.db.name
    );
    assert!(
        refused.stdout.contains(&expected) && refused.stdout.contains("hidden from this role"),
        "{expected}:\n{}",
        refused.stdout
    );

    send_signal(holder_pid, "KILL");
    let _ = finish(holder);
    assert!(
        wait_until(Duration::from_secs(5), || advisory_locks(&case) == "0"),
        "the server kept the killed run's lock"
    );
    let stale = as_role("stale.marker", &["--terminate-stale"]);
    assert_no_panic(&stale);
    assert_eq!(stale.code, 3, "{}", stale.all_output());
    assert!(!case.path().join("stale.marker").exists());
    assert!(
        stale.stdout.contains(&format!(
            "cannot end backend pid {sleeper} of an earlier run: "
        )),
        "{}",
        stale.stdout
    );
    assert!(
        backend_exists(&sleeper),
        "a role without the right ended it"
    );
    end_all_sessions(&case);
    sql_exec(server, &format!("DROP ROLE IF EXISTS {role}"));
}
