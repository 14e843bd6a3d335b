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

/// A dump is hashed as it loads; an interrupted load must not go on to hash the rest of the
/// file (gigabytes) before the run may end.
#[test]
fn ctrl_c_during_the_load_of_a_big_file_ends_the_run_at_once() {
    let case = Case::new("e2e_interrupt_big");
    let path = case.scratch.write("big.sql", "SELECT pg_sleep(30);\n");
    // 400 MB of zeros after the first statement, sparse: nothing is written to disk, but
    // reading it all takes seconds.
    make_sparse(&path, 400 << 20);
    case.runbook(
        "interrupt-big",
        "",
        "
        - id: load
          kind: sql_file
          target: db
          path: big.sql
        ",
    );
    let child = case.spawn(&["run", "rb.yaml"]);
    let pid = child.id();
    assert!(
        wait_until(Duration::from_secs(10), || sleeping(&case)),
        "the step never started its query"
    );
    let interrupted = Instant::now();
    send_signal(pid, "INT");
    let result = finish(child);
    let took = interrupted.elapsed();
    assert_eq!(result.code, 130, "{}", result.all_output());
    assert!(
        took < Duration::from_secs(3),
        "the run took {took:?} to end after Ctrl-C"
    );
}

/// `require_files` hashes the dump it requires on a blocking thread, which cannot be stopped:
/// Ctrl-C must still end the step at once and the process soon after, not when the hash of
/// gigabytes is done (and a second Ctrl-C no longer answered).
#[test]
fn ctrl_c_while_a_big_required_file_is_hashed_ends_the_run_soon() {
    let case = Case::new("e2e_interrupt_hash");
    let path = case.scratch.write("dump.sql", "");
    // Sparse: nothing is written to disk, but hashing it takes far longer than the test.
    make_sparse(&path, 16 << 30);
    case.runbook(
        "interrupt-hash",
        "",
        "
        - id: inputs
          kind: require_files
          files:
            - path: dump.sql
        ",
    );
    let mut child = case.spawn(&["run", "rb.yaml"]);
    std::thread::sleep(Duration::from_secs(1));
    send_signal(child.id(), "INT");
    let ended = wait_until(Duration::from_secs(6), || {
        child.try_wait().expect("wait for the run").is_some()
    });
    if !ended {
        let _ = child.kill();
    }
    let result = finish(child);
    assert!(ended, "the run had not ended 6s after Ctrl-C");
    assert_eq!(result.code, 130, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    assert_eq!(
        step_result(&dir, "01-inputs")["summary"],
        "interrupted: cancelled by Ctrl-C or SIGTERM before the step finished"
    );
}

/// Check mode reads a whole script to say what it would do: Ctrl-C must end that at once too.
#[test]
fn ctrl_c_while_check_reads_a_big_script_ends_the_dry_run_soon() {
    let case = Case::new("e2e_interrupt_check");
    // Real statements, not zeros (a NUL byte is refused at once): 3 million of them take the
    // dry run's consent analysis far longer than the second before Ctrl-C.
    case.scratch
        .write("big.sql", "SELECT 1;\n".repeat(3_000_000));
    case.runbook(
        "interrupt-check",
        "",
        "
        - id: load
          kind: sql_file
          target: db
          path: big.sql
        ",
    );
    let mut child = case.spawn(&["check", "rb.yaml"]);
    std::thread::sleep(Duration::from_secs(1));
    send_signal(child.id(), "INT");
    let ended = wait_until(Duration::from_secs(6), || {
        child.try_wait().expect("wait for the check").is_some()
    });
    if !ended {
        let _ = child.kill();
    }
    let result = finish(child);
    assert!(ended, "the check had not ended 6s after Ctrl-C");
    assert_eq!(result.code, 130, "{}", result.all_output());
    assert!(
        result.stdout.contains("check interrupted in "),
        "{}",
        result.stdout
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

/// A TCP proxy to the test server that forwards the first `forwarded` connections and then
/// becomes unreachable, as a server behind a dropped VPN does: it stops accepting, and once
/// its accept queue is full the kernel drops every new connection attempt unanswered. Returns
/// the proxy's port and a count of the connections forwarded so far.
fn vanishing_proxy(
    case: &Case,
    forwarded: usize,
) -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::net::{TcpListener, TcpStream};
    use std::sync::atomic::Ordering;
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
    let port = listener.local_addr().expect("proxy address").port();
    let upstream = format!("127.0.0.1:{}", case.db.spec.port());
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = std::sync::Arc::clone(&count);
    std::thread::spawn(move || {
        for client in listener.incoming().take(forwarded) {
            let Ok(client) = client else { continue };
            let server = TcpStream::connect(&upstream).expect("connect to the test server");
            for (mut from, mut to) in [
                (
                    client.try_clone().expect("clone"),
                    server.try_clone().expect("clone"),
                ),
                (server, client),
            ] {
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut from, &mut to);
                    let _ = to.shutdown(std::net::Shutdown::Write);
                });
            }
            counted.fetch_add(1, Ordering::SeqCst);
        }
        // Never accept again, and fill the accept queue: later connects get no answer.
        let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let mut queued = Vec::new();
        while let Ok(stream) = TcpStream::connect_timeout(&address, Duration::from_millis(300)) {
            queued.push(stream);
        }
        counted.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(Duration::from_secs(600));
        drop((listener, queued));
    });
    (port, count)
}

/// A network that fails under a run is often why the operator gives up: the cancel requests
/// that cannot reach the server must not keep the run from ending and sealing its evidence.
#[test]
fn a_timeout_ends_the_run_even_when_the_server_became_unreachable() {
    let case = Case::new("e2e_timeout_unreachable");
    case.runbook(
        "timeout-unreachable",
        "",
        "
        - id: slow
          kind: sql
          target: db
          timeout: 2s
          text: SELECT pg_sleep(20);
        ",
    );
    // The run's session, its lock session and the step's script session get through; the
    // cancel requests that follow do not.
    let (port, forwarded) = vanishing_proxy(&case, 3);
    let url = case
        .db
        .url
        .replace(&format!(":{}/", case.db.spec.port()), &format!(":{port}/"));
    assert_ne!(
        url, case.db.url,
        "the test database is not reached over TCP"
    );
    let started = Instant::now();
    let mut child = case
        .scratch
        .spawn(&["run", "rb.yaml", "--var", &format!("url={url}")]);
    assert!(
        wait_until(Duration::from_secs(10), || sleeping(&case)),
        "the step never started its query"
    );
    assert!(
        wait_until(Duration::from_secs(5), || forwarded
            .load(std::sync::atomic::Ordering::SeqCst)
            > 3),
        "the proxy did not become unreachable"
    );
    let ended = wait_until(Duration::from_secs(40), || {
        child.try_wait().expect("wait for the run").is_some()
    });
    if !ended {
        let _ = child.kill();
    }
    let result = finish(child);
    let took = started.elapsed();
    assert!(
        ended,
        "the run still waits for its cancel requests after {took:?}"
    );
    assert_no_panic(&result);
    assert_eq!(result.code, 1, "{}", result.all_output());
    assert!(took < Duration::from_secs(20), "the run took {took:?}");
    let dir = result.evidence_dir(case.path());
    let record = run_record(&dir);
    assert_eq!(record["status"], "failed");
    assert!(record["finished_at"].is_string(), "not sealed: {record:#}");
    assert_eq!(
        step_result(&dir, "01-slow")["summary"],
        "failed: timed out after 2s"
    );
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
