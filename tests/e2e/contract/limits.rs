//! Inputs that hurt: paths that are not regular files and commands that print without end.
//!
//! `/dev/zero` as a `sql_file` used to be read until the kernel killed the process; a FIFO hung
//! `validate`, `check` and `run` (the open blocked the runtime's only thread, so the step's
//! timeout never fired and SIGTERM left the evidence "running"); a shell step printing one
//! 300 MB line took 1.2 GB and stored all of it. Each test runs the binary under a deadline
//! (killing it past the deadline, so old behaviour fails the test instead of hanging it) and
//! watches its peak memory (`VmHWM`).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::contract::case::Case;
use crate::support::*;

/// Long enough for a debug build on a busy machine, far shorter than "never".
const QUICK: Duration = Duration::from_secs(30);

/// `runbook ARGS...` in the case's directory (run and check get the case's `url` var and
/// `--evidence-dir ev`), killed with SIGKILL after `limit`, its peak RSS polled meanwhile.
/// Output goes to files: a run that prints without end must not block on a full pipe.
fn bounded(case: &Case, args: &[&str], limit: Duration) -> Bounded {
    let mut all: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    if matches!(args.first(), Some(&"run" | &"check")) {
        all.extend(["--var".to_owned(), format!("url={}", case.db.url)]);
        all.extend(["--evidence-dir".to_owned(), "ev".to_owned()]);
    }
    let mut command = Command::new(runbook_bin());
    command.current_dir(case.path()).args(&all);
    run_bounded(command, case.path(), limit)
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

fn assert_quick(run: &Bounded, what: &str) {
    assert!(
        !run.killed,
        "{what} was still going after {:?} (killed):\n{}",
        run.took,
        run.out.all_output()
    );
    assert_no_panic(&run.out);
}

fn assert_verifies(case: &Case, dir: &Path) {
    let verify = runbook(case.path(), &["verify", dir.to_str().expect("utf-8")]);
    assert_eq!(verify.code, 0, "{}", verify.all_output());
}

#[test]
fn dev_zero_as_a_sql_file_is_refused_at_once_by_validate_check_and_run() {
    let case = Case::new("e2e_limits_devzero");
    case.runbook(
        "limits-devzero",
        "",
        "
        - id: load
          kind: sql_file
          target: db
          path: /dev/zero
        ",
    );
    let refusal = "/dev/zero is a character device, not a regular file: reading it may never end";
    let validate = bounded(&case, &["validate", "rb.yaml"], QUICK);
    assert_quick(&validate, "validate");
    assert_eq!(validate.out.code, 2, "{}", validate.out.all_output());
    assert!(
        validate
            .out
            .stderr
            .contains(&format!("rb.yaml:10:5: {refusal}"))
            && validate
                .out
                .stderr
                .contains("set allow_special_file: true on the step to read it anyway")
            && validate.out.stderr.contains("(step 'load')"),
        "{}",
        validate.out.all_output()
    );
    for mode in ["check", "run"] {
        let run = bounded(&case, &[mode, "rb.yaml"], QUICK);
        assert_quick(&run, mode);
        // Blocked, like a required file that is wrong: nothing of the step ran.
        assert_eq!(run.out.code, 3, "{mode}: {}", run.out.all_output());
        assert!(
            run.out
                .stdout
                .contains(&format!("step 'load' (sql_file): blocked: {refusal}")),
            "{mode}: {}",
            run.out.all_output()
        );
        assert!(
            run.peak_kb < 150 * 1024,
            "{mode} peaked at {} kB",
            run.peak_kb
        );
        let dir = run.out.evidence_dir(case.path());
        assert!(step_log(&dir, "01-load").contains(refusal));
        assert_verifies(&case, &dir);
    }
}

#[test]
fn a_fifo_as_a_sql_file_or_a_copy_source_is_refused_without_waiting_for_a_writer() {
    let case = Case::new("e2e_limits_fifo");
    mkfifo(&case.path().join("pipe.sql"));
    case.runbook(
        "limits-fifo",
        "",
        "
        - id: load
          kind: sql_file
          target: db
          path: pipe.sql
        ",
    );
    let refusal = "pipe.sql is a FIFO (named pipe), not a regular file: opening it waits for another process to write to it, possibly forever";
    let validate = bounded(&case, &["validate", "rb.yaml"], QUICK);
    assert_quick(&validate, "validate");
    assert_eq!(validate.out.code, 2, "{}", validate.out.all_output());
    assert!(
        validate.out.stderr.contains(refusal),
        "{}",
        validate.out.all_output()
    );
    for mode in ["check", "run"] {
        let run = bounded(&case, &[mode, "rb.yaml"], QUICK);
        assert_quick(&run, mode);
        assert_eq!(run.out.code, 3, "{mode}: {}", run.out.all_output());
        assert!(
            run.out.stdout.contains(refusal),
            "{mode}: {}",
            run.out.all_output()
        );
        assert_verifies(&case, &run.out.evidence_dir(case.path()));
    }

    // copy_to_container reads its path before the Docker Engine is asked anything.
    case.runbook(
        "limits-fifo",
        "",
        "
        - id: copy
          kind: copy_to_container
          container: runbook-limits-no-such-container
          path: pipe.sql
          to: /tmp/pipe.sql
        ",
    );
    for mode in ["check", "run"] {
        let run = bounded(&case, &[mode, "rb.yaml"], QUICK);
        assert_quick(&run, mode);
        assert_eq!(run.out.code, 3, "{mode}: {}", run.out.all_output());
        assert!(
            run.out.stdout.contains(&format!(
                "step 'copy' (copy_to_container): blocked: {refusal}"
            )),
            "{mode}: {}",
            run.out.all_output()
        );
    }
}

#[test]
fn an_allowed_fifo_that_never_gets_a_writer_ends_with_the_timeout_or_sigterm() {
    let case = Case::new("e2e_limits_fifo_allowed");
    mkfifo(&case.path().join("pipe.sql"));
    case.runbook(
        "limits-fifo-allowed",
        "",
        "
        - id: load
          kind: sql_file
          target: db
          path: pipe.sql
          allow_special_file: true
          timeout: 2s
        ",
    );
    // Nothing is read in check mode: a FIFO can be read once.
    let check = bounded(&case, &["check", "rb.yaml"], QUICK);
    assert_quick(&check, "check");
    assert_eq!(check.out.code, 0, "{}", check.out.all_output());
    assert!(
        check
            .out
            .stdout
            .contains("not read in check mode: pipe.sql is a FIFO (named pipe)"),
        "{}",
        check.out.all_output()
    );

    let run = bounded(&case, &["run", "rb.yaml"], QUICK);
    assert_quick(&run, "run");
    assert_eq!(run.out.code, 1, "{}", run.out.all_output());
    assert!(
        run.out.stdout.contains("timed out after 2s"),
        "{}",
        run.out.all_output()
    );
    assert!(run.took < Duration::from_secs(15), "took {:?}", run.took);
    let dir = run.out.evidence_dir(case.path());
    assert_eq!(
        step_statuses(&dir),
        [("load".to_owned(), "failed".to_owned())]
    );
    assert_verifies(&case, &dir);

    // Without a timeout, SIGTERM still ends the wait and seals the evidence.
    case.runbook(
        "limits-fifo-allowed",
        "",
        "
        - id: load
          kind: sql_file
          target: db
          path: pipe.sql
          allow_special_file: true
        ",
    );
    let child = case.spawn(&["run", "rb.yaml"]);
    let pid = child.id();
    std::thread::sleep(Duration::from_millis(1500));
    let sent = Instant::now();
    send_signal(pid, "TERM");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(finish(child));
    });
    let out = match rx.recv_timeout(QUICK) {
        Ok(out) => out,
        Err(_) => {
            send_signal(pid, "KILL");
            panic!("run did not end within {QUICK:?} of SIGTERM");
        }
    };
    assert!(sent.elapsed() < Duration::from_secs(10));
    assert_eq!(out.code, 130, "{}", out.all_output());
    let dir = case.scratch.evidence_dirs().pop().expect("evidence dir");
    assert_eq!(run_record(&dir)["status"], "interrupted");
    assert_verifies(&case, &dir);
}

#[test]
fn a_300_mb_line_of_shell_output_keeps_memory_bounded_and_the_evidence_capped() {
    let case = Case::new("e2e_limits_long_line");
    case.runbook(
        "limits-long-line",
        "",
        "
        - id: print
          kind: shell
          shell: true
          command: head -c 300000000 /dev/zero | tr -c x x; echo; echo done
        ",
    );
    let run = bounded(
        &case,
        &["run", "rb.yaml", "--verbose"],
        Duration::from_secs(300),
    );
    assert_quick(&run, "run");
    assert_eq!(
        run.out.code,
        0,
        "{}",
        &run.out.all_output()[..2000.min(run.out.all_output().len())]
    );
    assert!(
        run.peak_kb < 150 * 1024,
        "the run peaked at {} MB of resident memory",
        run.peak_kb / 1024
    );
    let dir = run.out.evidence_dir(case.path());
    let log_path = dir.join("steps/01-print/output.log");
    let size = std::fs::metadata(&log_path).expect("output.log").len();
    assert!(size < 2 * 1024 * 1024, "output.log is {size} bytes");
    let log = step_log(&dir, "01-print");
    assert!(
        log.contains("\n[stdout] ... line cut at 1 MiB: 298951424 more bytes of it not kept\n")
            && log.contains("\n[stdout] done\n")
            && log.contains("\n... 298951424 more bytes not kept (max_output_bytes: 64 MiB"),
        "{}",
        log.split('\n')
            .filter(|l| l.len() < 300)
            .collect::<Vec<_>>()
            .join("\n")
    );
    let details = &step_result(&dir, "01-print")["details"];
    assert_eq!(details["output_bytes_not_kept"], 298951424);
    assert_eq!(details["output_lines_cut"], 1);
    // The terminal (--verbose shows every log line) gets the line cut too.
    assert!(
        run.out.stdout.len() < 64 * 1024,
        "{} bytes on the terminal",
        run.out.stdout.len()
    );
    // Cut with a note (the engine's at 4 KiB, the terminal's sanitiser's at 1000 characters).
    assert!(
        run.out.stdout.contains("more bytes in output.log)")
            || run.out.stdout.contains("more characters not shown"),
        "{}",
        &run.out.stdout[..run.out.stdout.len().min(3000)]
    );
    assert_verifies(&case, &dir);
}

#[test]
fn shell_output_past_max_output_bytes_is_counted_not_kept() {
    let case = Case::new("e2e_limits_output_cap");
    case.runbook(
        "limits-output-cap",
        "",
        r#"
        - id: flood
          kind: shell
          shell: true
          command: yes "$(printf '%0999d' 0)" | head -c 70000000
        - id: small
          kind: shell
          command: [seq, 1, 1000]
          max_output_bytes: 1k
        "#,
    );
    let run = bounded(&case, &["run", "rb.yaml"], Duration::from_secs(300));
    assert_quick(&run, "run");
    assert_eq!(run.out.code, 0, "{}", run.out.all_output());
    let dir = run.out.evidence_dir(case.path());

    // The default: 64 MiB of output.log, lines of 1000 bytes stored as 1009 with their
    // `[stdout] ` mark (66510 lines), the rest counted.
    let size = std::fs::metadata(dir.join("steps/01-flood/output.log"))
        .expect("output.log")
        .len();
    assert!(size < 64 * 1024 * 1024 + 4096, "output.log is {size} bytes");
    let log = step_log(&dir, "01-flood");
    assert_eq!(log.matches("\n[stdout] 000").count(), 66510);
    assert!(
        log.contains(
            "\n... output reached max_output_bytes (64 MiB): the rest is counted, not kept\n"
        ) && log.contains("\n... 3490000 more bytes not kept (max_output_bytes: 64 MiB"),
        "{}",
        &log[log.len().saturating_sub(600)..]
    );
    assert_eq!(
        step_result(&dir, "01-flood")["details"]["output_bytes_not_kept"],
        3490000
    );

    // A step's own cap: seq 1 1000 prints 3893 bytes; 1 to 86 fill 1023 bytes of output.log.
    let log = step_log(&dir, "02-small");
    assert!(
        log.contains("[stdout] 86\n")
            && !log.contains("[stdout] 87\n")
            && log.contains("... 3644 more bytes not kept (max_output_bytes: 1 KiB"),
        "{log}"
    );
    assert_verifies(&case, &dir);
}

#[test]
fn container_exec_output_is_capped_in_evidence_with_lines_cut() {
    let Some(scene) = crate::docker::harness::Scene::start("e2e-limits-exec") else {
        return;
    };
    let runbook = format!(
        r#"version: 1
name: limits-exec
targets:
  box:
    container: {container}
steps:
  - id: start
    kind: container_start
    target: box
    image: ${{env.POSTGRES_IMAGE}}
    env: {{ POSTGRES_PASSWORD: "${{env.POSTGRES_PASSWORD}}" }}
    labels: {labels}
  - id: flood
    kind: container_exec
    target: box
    command: ["sh", "-c", "head -c 50000000 /dev/zero | tr -c x x; echo; i=0; while [ $i -lt 150000 ]; do echo 1234567; i=$((i+1)); done"]
    max_output_bytes: 2m
  - id: remove
    kind: container_remove
    target: box
    force: true
    volumes: true
"#,
        container = scene.name("box"),
        labels = scene.labels_yaml(),
    );
    scene.write("rb.yaml", &runbook);
    let run = scene.runbook(&["run", "rb.yaml"]);
    assert_eq!(run.code, 0, "{}", run.all_output());
    let dir = run.evidence_dir(scene.scratch.path());
    let size = std::fs::metadata(dir.join("steps/02-flood/output.log"))
        .expect("output.log")
        .len();
    assert!(size < 2 * 1024 * 1024 + 4096, "output.log is {size} bytes");
    let log = step_log(&dir, "02-flood");
    assert!(
        log.contains("\n[stdout] ... line cut at 1 MiB: 48951424 more bytes of it not kept\n")
            && log.contains(
                "\n... output reached max_output_bytes (2 MiB): the rest is counted, not kept\n"
            )
            && log.contains("\n[stdout] 1234567\n"),
        "{}",
        log.split('\n')
            .filter(|l| l.len() < 300)
            .collect::<Vec<_>>()
            .join("\n")
    );
    // Everything printed is accounted for: 50 MB and a newline, then 150000 lines of 8 bytes.
    let details = &step_result(&dir, "02-flood")["details"];
    let kept = details["output_bytes_kept"].as_u64().expect("kept");
    let not_kept = details["output_bytes_not_kept"].as_u64().expect("not kept");
    assert!(kept <= 2 * 1024 * 1024, "{details:#}");
    assert_eq!(kept + not_kept, 50_000_001 + 1_200_000, "{details:#}");
    assert_verifies_in(scene.scratch.path(), &dir);
    scene.finish();
}

fn assert_verifies_in(cwd: &Path, dir: &Path) {
    let verify = runbook(cwd, &["verify", dir.to_str().expect("utf-8")]);
    assert_eq!(verify.code, 0, "{}", verify.all_output());
}

#[test]
fn an_allowed_special_file_on_a_protected_target_needs_consent_and_is_not_read_for_it() {
    let case = Case::new("e2e_limits_fifo_protected");
    mkfifo(&case.path().join("pipe.sql"));
    case.runbook(
        "limits-fifo-protected",
        "protected: true",
        "
        - id: load
          kind: sql_file
          target: db
          path: pipe.sql
          allow_special_file: true
          timeout: 2s
        ",
    );
    // What a FIFO holds cannot be listed before the run without consuming it: consent is
    // asked for, and refused without --confirm, at once.
    let run = bounded(&case, &["run", "rb.yaml"], QUICK);
    assert_quick(&run, "run");
    assert_eq!(run.out.code, 2, "{}", run.out.all_output());
    assert!(
        run.out.all_output().contains(
            "step 'load' would change it in ways that cannot be listed (pipe.sql is a FIFO (named pipe) (allow_special_file: true): it is read once, when the step runs"
        ),
        "{}",
        run.out.all_output()
    );
    // With consent the step runs and, with no writer, ends with its timeout.
    let run = bounded(&case, &["run", "rb.yaml", "--confirm", "db"], QUICK);
    assert_quick(&run, "run --confirm");
    assert_eq!(run.out.code, 1, "{}", run.out.all_output());
    assert!(
        run.out.stdout.contains("timed out after 2s"),
        "{}",
        run.out.all_output()
    );
    assert_verifies(&case, &run.out.evidence_dir(case.path()));
}

#[test]
fn an_allowed_fifo_is_copied_into_a_container_through_a_private_spool() {
    let Some(scene) = crate::docker::harness::Scene::start("e2e-limits-copy-fifo") else {
        return;
    };
    let fifo = scene.scratch.path().join("stream.sql");
    mkfifo(&fifo);
    let runbook = format!(
        r#"version: 1
name: limits-copy-fifo
targets:
  box:
    container: {container}
steps:
  - id: start
    kind: container_start
    target: box
    image: ${{env.POSTGRES_IMAGE}}
    env: {{ POSTGRES_PASSWORD: "${{env.POSTGRES_PASSWORD}}" }}
    labels: {labels}
  - id: copy
    kind: copy_to_container
    target: box
    path: stream.sql
    to: /tmp/
    allow_special_file: true
    timeout: 60s
  - id: show
    kind: container_exec
    target: box
    command: ["cat", "/tmp/stream.sql"]
  - id: remove
    kind: container_remove
    target: box
    force: true
    volumes: true
"#,
        container = scene.name("box"),
        labels = scene.labels_yaml(),
    );
    scene.write("rb.yaml", &runbook);
    // A writer that opens the FIFO whenever the run does, as a restore streamed from another
    // host would.
    let writer = std::thread::spawn(move || {
        std::fs::write(&fifo, b"SELECT 'streamed through a FIFO';\n").expect("write the FIFO")
    });
    let run = scene.runbook(&["run", "rb.yaml"]);
    writer.join().expect("writer");
    assert_eq!(run.code, 0, "{}", run.all_output());
    let dir = run.evidence_dir(scene.scratch.path());
    let copy = step_result(&dir, "02-copy");
    assert_eq!(
        copy["details"]["destination"], "/tmp/stream.sql",
        "{copy:#}"
    );
    assert_eq!(copy["details"]["bytes"], 34, "{copy:#}");
    assert_eq!(copy["inputs"][0]["path"], "stream.sql", "{copy:#}");
    assert!(
        step_log(&dir, "03-show").contains("[stdout] SELECT 'streamed through a FIFO';"),
        "{}",
        step_log(&dir, "03-show")
    );
    // The spool is gone.
    let left: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .expect("temp dir")
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("runbook-spool-")
        })
        .collect();
    assert!(left.is_empty(), "{left:?}");
    scene.finish();
}

#[test]
fn a_runbook_file_that_is_a_device_or_endless_is_refused_without_reading_it_all() {
    let case = Case::new("e2e_limits_runbook_file");
    for command in ["validate", "check", "run"] {
        let run = bounded(&case, &[command, "/dev/zero"], QUICK);
        assert_quick(&run, command);
        assert_eq!(run.out.code, 2, "{command}: {}", run.out.all_output());
        assert!(
            run.out
                .stderr
                .contains("cannot read /dev/zero: it is a character device, not a runbook file"),
            "{command}: {}",
            run.out.all_output()
        );
        assert!(run.peak_kb < 150 * 1024, "{command}: {} kB", run.peak_kb);
    }
    // A runbook bigger than 16 MiB is not one; the file is not read past that.
    let big = std::fs::File::create(case.path().join("big.yaml")).expect("create");
    big.set_len(64 * 1024 * 1024).expect("sparse file");
    let run = bounded(&case, &["validate", "big.yaml"], QUICK);
    assert_quick(&run, "validate big.yaml");
    assert_eq!(run.out.code, 2, "{}", run.out.all_output());
    assert!(
        run.out.stderr.contains(
            "cannot read big.yaml: it is larger than 16 MiB; a runbook is YAML text, not data"
        ),
        "{}",
        run.out.all_output()
    );
    assert!(run.peak_kb < 150 * 1024, "{} kB", run.peak_kb);
}

#[test]
fn require_files_names_a_special_file_and_hashes_an_allowed_one_only_when_running() {
    let case = Case::new("e2e_limits_require_fifo");
    let fifo = case.path().join("feed");
    mkfifo(&fifo);
    case.runbook(
        "limits-require-fifo",
        "",
        "
        - id: inputs
          kind: require_files
          files: [{ path: feed }]
        ",
    );
    let run = bounded(&case, &["run", "rb.yaml"], QUICK);
    assert_quick(&run, "run");
    assert_eq!(run.out.code, 3, "{}", run.out.all_output());
    assert!(
        run.out
            .stdout
            .contains("feed is a FIFO (named pipe), not a regular file"),
        "{}",
        run.out.all_output()
    );

    case.runbook(
        "limits-require-fifo",
        "",
        "
        - id: inputs
          kind: require_files
          allow_special_file: true
          files: [{ path: feed }]
          timeout: 30s
        ",
    );
    // check does not read it (that would consume what the writer sends)...
    let check = bounded(&case, &["check", "rb.yaml"], QUICK);
    assert_quick(&check, "check");
    assert_eq!(check.out.code, 0, "{}", check.out.all_output());
    assert!(
        check
            .out
            .stdout
            .contains("1 file present and as required (1 special, not read in check mode)"),
        "{}",
        check.out.all_output()
    );
    let dir = check.out.evidence_dir(case.path());
    assert!(
        step_log(&dir, "01-inputs").contains("not read in check mode"),
        "{}",
        step_log(&dir, "01-inputs")
    );
    // ...run hashes what it gives.
    let writer = std::thread::spawn(move || std::fs::write(&fifo, b"baseline\n").expect("write"));
    let run = bounded(&case, &["run", "rb.yaml"], QUICK);
    writer.join().expect("writer");
    assert_quick(&run, "run");
    assert_eq!(run.out.code, 0, "{}", run.out.all_output());
    let dir = run.out.evidence_dir(case.path());
    let result = step_result(&dir, "01-inputs");
    assert_eq!(
        result["inputs"][0]["sha256"],
        sha256_hex(b"baseline\n"),
        "{result:#}"
    );
    assert_eq!(result["inputs"][0]["size"], 9, "{result:#}");
}

#[test]
fn verify_refuses_a_sums_file_replaced_by_a_device_or_a_fifo_as_tampering() {
    let case = Case::new("e2e_limits_verify_special");
    case.runbook(
        "limits-verify-special",
        "",
        "
        - id: hello
          kind: shell
          command: [echo, hello]
        ",
    );
    let run = case.run(&["run", "rb.yaml"]);
    assert_eq!(run.code, 0, "{}", run.all_output());
    let dir = run.evidence_dir(case.path());
    let sums = dir.join("SHA256SUMS");
    std::fs::remove_file(&sums).expect("remove SHA256SUMS");
    std::os::unix::fs::symlink("/dev/zero", &sums).expect("symlink");
    let shown = dir.to_str().expect("utf-8").to_owned();
    let verify = bounded(&case, &["verify", &shown], QUICK);
    assert_quick(&verify, "verify");
    assert_eq!(verify.out.code, 5, "{}", verify.out.all_output());
    assert!(
        verify.out.stdout.contains(
            "unreadable: SHA256SUMS: not a regular file (a symbolic link, FIFO or device is not read)"
        ),
        "{}",
        verify.out.all_output()
    );
    assert!(verify.peak_kb < 150 * 1024, "{} kB", verify.peak_kb);

    std::fs::remove_file(&sums).expect("remove the symlink");
    mkfifo(&sums);
    let verify = bounded(&case, &["verify", &shown], QUICK);
    assert_quick(&verify, "verify");
    assert_eq!(verify.out.code, 5, "{}", verify.out.all_output());
}

#[test]
fn report_refuses_records_replaced_by_a_fifo_or_a_device_at_once() {
    let case = Case::new("e2e_limits_report_special");
    case.runbook(
        "limits-report-special",
        "",
        "
        - id: hello
          kind: shell
          command: [echo, hello]
        ",
    );
    let run = case.run(&["run", "rb.yaml"]);
    assert_eq!(run.code, 0, "{}", run.all_output());
    let dir = run.evidence_dir(case.path());
    let shown = dir.to_str().expect("utf-8").to_owned();
    let record = dir.join("run.json");
    std::fs::remove_file(&record).expect("remove run.json");
    mkfifo(&record);
    let report = bounded(&case, &["report", &shown], QUICK);
    assert_quick(&report, "report");
    // Refused: not intact (5), or not readable as a record (2); never rendered.
    assert!(
        [2, 5].contains(&report.out.code) && report.out.stderr.contains("run.json"),
        "{}",
        report.out.all_output()
    );

    std::fs::remove_file(&record).expect("remove the FIFO");
    std::os::unix::fs::symlink("/dev/zero", &record).expect("symlink");
    let report = bounded(&case, &["report", &shown], QUICK);
    assert_quick(&report, "report");
    assert!(
        [2, 5].contains(&report.out.code) && report.out.stderr.contains("run.json"),
        "{}",
        report.out.all_output()
    );
    assert!(report.peak_kb < 150 * 1024, "{} kB", report.peak_kb);
}
