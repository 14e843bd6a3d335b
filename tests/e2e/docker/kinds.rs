//! The Docker step kinds one by one, in one runbook around one container: exec exit codes and
//! `allow_exit_codes`, a copy with mode, owner and digest, logs as evidence, a volume still in
//! use, stop and remove (twice: what is already gone is fine).

use super::harness::{Scene, error_message, exec_stdout, summary};
use crate::support::*;

fn kinds_runbook(scene: &Scene, file: &std::path::Path) -> String {
    format!(
        r#"version: 1
name: docker-kinds
vars:
  file: {file}
  volume: {volume}
targets:
  box:
    container: {container}
steps:
  - id: start
    kind: container_start
    target: box
    image: ${{env.POSTGRES_IMAGE}}
    env: {{ POSTGRES_PASSWORD: "${{env.POSTGRES_PASSWORD}}" }}
    volumes: ["${{vars.volume}}:/var/lib/postgresql/data"]
    labels: {labels}
  - id: exec-allowed
    kind: container_exec
    target: box
    command: ["sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3"]
    allow_exit_codes: [0, 3]
  - id: exec-refused
    kind: container_exec
    target: box
    command: ["sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3"]
    continue_on_error: true
  - id: exec-as-postgres
    kind: container_exec
    target: box
    user: postgres
    workdir: /var/lib/postgresql
    env: {{ GREETING: hello }}
    command: ["sh", "-c", "echo \"$(id -un) in $(pwd) says $GREETING\""]
  - id: copy
    kind: copy_to_container
    target: box
    path: ${{vars.file}}
    to: /tmp/copied.bin
    mode: "0640"
    owner: "999:999"
  - id: inspect-copy
    kind: container_exec
    target: box
    command: ["sh", "-c", "stat -c '%a %u:%g %s' /tmp/copied.bin; sha256sum /tmp/copied.bin"]
  - id: logs
    kind: container_logs
    target: box
    tail: 5
  - id: volume-in-use
    kind: volume_remove
    name: ${{vars.volume}}
    continue_on_error: true
  - id: stop
    kind: container_stop
    target: box
  - id: stop-again
    kind: container_stop
    target: box
  - id: restart
    kind: container_start
    target: box
    image: ${{env.POSTGRES_IMAGE}}
  - id: remove
    kind: container_remove
    target: box
    continue_on_error: true
  - id: remove-forced
    kind: container_remove
    target: box
    force: true
    volumes: true
  - id: remove-again
    kind: container_remove
    target: box
  - id: drop-volume
    kind: volume_remove
    name: ${{vars.volume}}
  - id: drop-volume-again
    kind: volume_remove
    name: ${{vars.volume}}
"#,
        file = file.display(),
        container = scene.name("box"),
        volume = scene.name("data"),
        labels = scene.labels_yaml(),
    )
}

#[test]
fn every_docker_kind_does_what_it_says_and_what_is_gone_stays_fine() {
    let Some(scene) = Scene::start("docker-kinds") else {
        return;
    };
    let (container, volume) = (scene.name("box"), scene.name("data"));
    let content = format!(
        "patient data that must not reach the evidence {}\n",
        scene.label()
    )
    .repeat(1000);
    let file = scene.write("payload.bin", &content);
    let runbook = scene.write("kinds.yaml", &kinds_runbook(&scene, &file));
    let run = scene.runbook(&["run", runbook.to_str().expect("utf-8")]);
    // The two failures are continue_on_error: recorded, not deciding the run.
    assert_eq!(run.code, 0, "{}", run.all_output());
    let dir = run.evidence_dir(scene.scratch.path());

    let start = step_result(&dir, "01-start");
    assert!(
        summary(&start).ends_with("(pg_isready -h 127.0.0.1 inside the container succeeded)"),
        "without a Postgres target readiness is pg_isready inside: {start:#}"
    );
    assert_eq!(start["details"]["case"], "created");

    let allowed = step_result(&dir, "02-exec-allowed");
    assert_eq!(allowed["status"], "passed");
    assert_eq!(allowed["details"]["exit_code"], 3);
    let log = step_log(&dir, "02-exec-allowed");
    assert!(
        log.contains("\n[stdout] to-stdout\n") && log.contains("\n[stderr] to-stderr\n"),
        "{log}"
    );
    assert!(
        log.starts_with(&format!(
            "$ docker exec {container} sh -c 'echo to-stdout; echo to-stderr >&2; exit 3'\n"
        )),
        "{log}"
    );

    let refused = step_result(&dir, "03-exec-refused");
    assert_eq!(refused["status"], "failed");
    assert_eq!(
        error_message(&refused),
        format!(
            "sh in container {container} exited with code 3 (allowed: 0); its output is in output.log"
        )
    );
    // Its stderr (not its stdout) is in the record and under the step on the terminal.
    assert_eq!(
        refused["error"]["detail"], "stderr (1 line):\nto-stderr",
        "{refused:#}"
    );
    assert!(
        run.stdout
            .contains("[3/16] exec-refused (container_exec)  FAILED  ")
            && run
                .stdout
                .contains("    stderr (1 line):\n      | to-stderr\n"),
        "{}",
        run.stdout
    );
    // The allowed failures leave the run passed with failures, not passed.
    assert_eq!(run_record(&dir)["status"], "passed_with_failures");

    let as_postgres = exec_stdout(&step_log(&dir, "04-exec-as-postgres"));
    assert_eq!(as_postgres, "postgres in /var/lib/postgresql says hello");

    let copy = step_result(&dir, "05-copy");
    let digest = sha256_hex(content.as_bytes());
    assert_eq!(copy["inputs"][0]["sha256"], digest.as_str(), "{copy:#}");
    assert_eq!(copy["inputs"][0]["size"], content.len());
    assert_eq!(copy["details"]["mode"], "0640");
    assert_eq!(copy["details"]["owner"], "999:999");
    let inside = exec_stdout(&step_log(&dir, "06-inspect-copy"));
    assert_eq!(
        inside,
        format!("640 999:999 {}\n{digest}  /tmp/copied.bin", content.len())
    );

    let logs = step_result(&dir, "07-logs");
    assert_eq!(logs["attachments"][0], "container.log");
    let saved =
        std::fs::read_to_string(dir.join("steps/07-logs/container.log")).expect("container.log");
    let lines = saved.split_terminator('\n').count();
    assert!(
        (1..=5).contains(&lines),
        "tail: 5 kept {lines} lines:\n{saved}"
    );
    assert_eq!(logs["details"]["lines"], lines);

    let in_use = step_result(&dir, "08-volume-in-use");
    assert_eq!(in_use["status"], "failed");
    assert_eq!(
        error_message(&in_use),
        format!(
            "volume {volume} is in use by container {container}; remove it first (container_remove)"
        )
    );

    assert!(
        summary(&step_result(&dir, "09-stop"))
            .starts_with(&format!("stopped container {container} in "))
    );
    assert_eq!(
        summary(&step_result(&dir, "10-stop-again")),
        format!("container {container} was already stopped; nothing to do")
    );
    let restart = step_result(&dir, "11-restart");
    assert_eq!(
        restart["details"]["case"], "started existing",
        "{restart:#}"
    );
    let restart_log = step_log(&dir, "11-restart");
    assert!(
        restart_log.contains(&format!(
            "started the existing container {container} (image "
        )),
        "{restart_log}"
    );
    assert_eq!(
        error_message(&step_result(&dir, "12-remove")),
        format!(
            "container {container} is running; stop it first (container_stop) or set force: true to kill and remove it"
        )
    );
    assert_eq!(
        summary(&step_result(&dir, "13-remove-forced")),
        format!("removed container {container} (it was running: killed first, force: true)")
    );
    assert_eq!(
        summary(&step_result(&dir, "14-remove-again")),
        format!("container {container} does not exist; nothing to remove")
    );
    assert_eq!(
        summary(&step_result(&dir, "15-drop-volume")),
        format!("removed volume {volume} and its data")
    );
    assert_eq!(
        summary(&step_result(&dir, "16-drop-volume-again")),
        format!("volume {volume} does not exist; nothing to remove")
    );

    assert!(!all_evidence_text(&dir).contains("patient data that must not reach the evidence"));
    let (ok, text) = sha256sum_check(&dir);
    assert!(ok, "{text}");
    assert!(scene.container(&container).is_none() && !scene.volume_exists(&volume));
    scene.finish();
}

#[test]
fn check_mode_inspects_a_running_container_and_changes_nothing() {
    let Some(scene) = Scene::start("docker-kinds-check") else {
        return;
    };
    let (container, volume) = (scene.name("box"), scene.name("data"));
    let file = scene.write("payload.bin", "small file\n");
    let runbook = scene.write("kinds.yaml", &kinds_runbook(&scene, &file));
    let up = scene.write(
        "up.yaml",
        &kinds_runbook(&scene, &file)
            .split("  - id: exec-allowed")
            .next()
            .expect("the start step")
            .replace("name: docker-kinds\n", "name: docker-kinds-up\n"),
    );
    let started = scene.runbook(&["run", up.to_str().expect("utf-8")]);
    assert_eq!(started.code, 0, "{}", started.all_output());

    let check = scene.runbook(&["check", runbook.to_str().expect("utf-8")]);
    let dir = check.evidence_dir(scene.scratch.path());
    // The volume is in use by the container, and no earlier step removes it first.
    assert_eq!(check.code, 1, "{}", check.all_output());
    assert_eq!(
        error_message(&step_result(&dir, "08-volume-in-use")),
        format!(
            "volume {volume} is in use by container {container}; remove it first (container_remove)"
        )
    );
    assert!(
        summary(&step_result(&dir, "01-start"))
            .starts_with(&format!("container {container} is running"))
    );
    assert_eq!(
        summary(&step_result(&dir, "02-exec-allowed")),
        format!(
            "would run in container {container}: sh -c 'echo to-stdout; echo to-stderr >&2; exit 3'"
        )
    );
    assert_eq!(
        summary(&step_result(&dir, "05-copy")),
        format!(
            "would copy {} (11 bytes) to {container}:/tmp/copied.bin (mode 0640, owner 999:999)",
            file.display()
        )
    );
    // Logs are evidence in check mode too: reading them changes nothing.
    assert!(dir.join("steps/07-logs/container.log").is_file());
    assert!(
        summary(&step_result(&dir, "09-stop"))
            .starts_with(&format!("would stop container {container}"))
    );
    assert_eq!(
        summary(&step_result(&dir, "15-drop-volume")),
        format!(
            "would remove volume {volume} and its data (used by {container}, which an earlier step removes)"
        )
    );
    let (state, labels) = scene
        .container(&container)
        .expect("check removed the container");
    assert_eq!(state, "running", "check stopped the container");
    assert_eq!(
        labels.get("io.runbook.runbook").map(String::as_str),
        Some("docker-kinds-up")
    );
    assert_eq!(
        labels.get("io.runbook.step").map(String::as_str),
        Some("start")
    );
    assert!(scene.volume_exists(&volume));
    let copied = std::process::Command::new("docker")
        .args(["exec", &container, "test", "-e", "/tmp/copied.bin"])
        .status()
        .expect("docker exec");
    assert!(!copied.success(), "check copied the file");

    // Started again while it runs: recorded, left as it is, and still checked for readiness.
    let again = scene.runbook(&["run", up.to_str().expect("utf-8")]);
    assert_eq!(again.code, 0, "{}", again.all_output());
    let result = step_result(&again.evidence_dir(scene.scratch.path()), "01-start");
    assert_eq!(result["details"]["case"], "already running", "{result:#}");
    assert!(
        summary(&result).starts_with(&format!(
            "container {container} already running, ready after "
        )),
        "{result:#}"
    );
    scene.finish();
}

#[test]
fn dropping_the_data_of_a_protected_target_needs_confirm_and_nothing_runs_without_it() {
    let Some(scene) = Scene::start("protected-removal") else {
        return;
    };
    let (container, volume) = (scene.name("db"), scene.name("data"));
    let runbook = scene.write(
        "drop.yaml",
        &format!(
            r#"version: 1
name: drop-legacy-data
targets:
  legacy: {{ container: {container}, protected: true }}
steps:
  - id: start
    kind: container_start
    target: legacy
    image: ${{env.POSTGRES_IMAGE}}
    volumes: ["{volume}:/var/lib/postgresql/data"]
    labels: {labels}
    when: vars.never
  - id: remove-db
    kind: container_remove
    target: legacy
    volumes: true
  - id: drop-data
    kind: volume_remove
    name: {volume}
vars:
  never: ""
"#,
            labels = scene.labels_yaml()
        ),
    );
    let refused = scene.runbook(&["run", runbook.to_str().expect("utf-8")]);
    assert_eq!(refused.code, 2, "{}", refused.all_output());
    assert!(
        refused.stderr.contains(&format!(
            "target 'legacy' is protected and step 'remove-db' would remove container {container} with its anonymous volumes (its data) (and 1 more step); nothing was run. Pass --confirm legacy"
        )),
        "{}",
        refused.stderr
    );
    // With consent, removing what is already gone is fine.
    let confirmed = scene.runbook(&[
        "run",
        runbook.to_str().expect("utf-8"),
        "--confirm",
        "legacy",
    ]);
    assert_eq!(confirmed.code, 0, "{}", confirmed.all_output());
    let dir = confirmed.evidence_dir(scene.scratch.path());
    assert_eq!(
        summary(&step_result(&dir, "02-remove-db")),
        format!("container {container} does not exist; nothing to remove")
    );
    assert_eq!(
        summary(&step_result(&dir, "03-drop-data")),
        format!("volume {volume} does not exist; nothing to remove")
    );
    scene.finish();
}

#[test]
fn a_missing_program_is_named_and_a_timed_out_command_is_stopped_inside_the_container() {
    let Some(scene) = Scene::start("exec-stop") else {
        return;
    };
    let container = scene.name("box");
    let runbook = scene.write(
        "stop.yaml",
        &format!(
            r#"version: 1
name: exec-stop
targets:
  box: {{ container: {container} }}
steps:
  - id: start
    kind: container_start
    target: box
    image: ${{env.POSTGRES_IMAGE}}
    env: {{ POSTGRES_PASSWORD: "${{env.POSTGRES_PASSWORD}}" }}
    labels: {labels}
  - id: missing
    kind: container_exec
    target: box
    command: ["no-such-program", "--help"]
    continue_on_error: true
  - id: hangs
    kind: container_exec
    target: box
    command: ["sh", "-c", "echo started; exec sleep 300"]
    timeout: 2s
"#,
            labels = scene.labels_yaml()
        ),
    );
    let started = std::time::Instant::now();
    let run = scene.runbook(&["run", runbook.to_str().expect("utf-8")]);
    assert_eq!(run.code, 1, "{}", run.all_output());
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    let dir = run.evidence_dir(scene.scratch.path());
    assert_eq!(
        error_message(&step_result(&dir, "02-missing")),
        format!(
            "no-such-program in container {container} exited with code 127 (the program was not found in the container) (allowed: 0); its output is in output.log"
        )
    );
    let hangs = step_result(&dir, "03-hangs");
    assert_eq!(hangs["status"], "failed");
    assert_eq!(error_message(&hangs), "timed out after 2s");
    let log = step_log(&dir, "03-hangs");
    assert!(log.contains("[stdout] started\n"), "{log}");
    assert!(
        log.contains(&format!(
            "stopped the command in container {container} because the step was cancelled"
        )),
        "{log}"
    );
    let ps = std::process::Command::new("docker")
        .args(["exec", &container, "ps", "-eo", "args"])
        .output()
        .expect("docker exec ps");
    let processes = String::from_utf8_lossy(&ps.stdout);
    assert!(ps.status.success(), "{processes}");
    assert!(
        !processes.contains("sleep 300"),
        "the command still runs:\n{processes}"
    );
    scene.finish();
}

/// The files under /tmp of a container whose names start with `runbook-` (a copied script).
fn copies_in(container: &str) -> String {
    let output = std::process::Command::new("docker")
        .args(["exec", container, "sh", "-c", "echo /tmp/runbook-*"])
        .output()
        .expect("run docker exec");
    let shown = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if shown == "/tmp/runbook-*" {
        String::new()
    } else {
        shown
    }
}

/// Bytes process `pid` has read so far (`rchar` of `/proc/PID/io`).
fn bytes_read(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/io"))
        .ok()
        .and_then(|io| {
            io.split('\n')
                .find_map(|line| line.strip_prefix("rchar: "))
                .and_then(|n| n.trim().parse().ok())
        })
        .unwrap_or(0)
}

/// `sql_file` with `via: container` copies the dump into the container first, which takes
/// longer than the runner's grace for a big one. Ctrl-C during the copy must end the step at
/// once and leave no part of the dump (patient data) in the container.
#[test]
fn ctrl_c_during_the_copy_of_a_dump_into_a_container_leaves_none_of_it_there() {
    let Some(scene) = Scene::start("copy-interrupted") else {
        return;
    };
    let name = scene.name("box");
    // A container that only sleeps: the copy is all that happens in it.
    let created = std::process::Command::new("docker")
        .args(["run", "-d", "--name", &name, "--label"])
        .arg(format!(
            "{}={}",
            runbook_testkit::docker::TEST_LABEL,
            scene.label()
        ))
        .args(["--entrypoint", "sh", &scene.image, "-c", "exec sleep 600"])
        .output()
        .expect("run docker run");
    assert!(
        created.status.success(),
        "docker run: {}",
        String::from_utf8_lossy(&created.stderr)
    );
    // 1 GiB of a real script (zeros are refused as "not a SQL script" before any copy): the
    // run reads it once to check it, then copies it, which takes longer than the test waits.
    const SIZE: u64 = 1 << 30;
    let dump = scene.write("dump.sql", "SELECT 1;\n");
    {
        use std::io::Write;
        let mut out = std::io::BufWriter::new(
            std::fs::OpenOptions::new()
                .append(true)
                .open(&dump)
                .expect("open dump.sql"),
        );
        let line = format!("-- {}\n", "x".repeat(1020));
        for _ in 0..SIZE / line.len() as u64 {
            out.write_all(line.as_bytes()).expect("write dump.sql");
        }
        out.flush().expect("write dump.sql");
    }
    // The port is written out, so no published port is looked up: only the copy matters.
    scene.write(
        "rb.yaml",
        &format!(
            "version: 1\nname: copy-interrupted\ntargets:\n  db:\n    postgres: {{ url: \"postgres://postgres@127.0.0.1:5/postgres\" }}\n    container: {name}\nsteps:\n  - id: load\n    kind: sql_file\n    target: db\n    via: container\n    path: dump.sql\n"
        ),
    );
    let mut child = scene.scratch.spawn(&["run", "rb.yaml"]);
    // The Engine locks the container while it unpacks the copy (no exec until it is done), so
    // the copy is watched from here: the run has read the dump once (its check) and 100 MB more.
    let pid = child.id();
    assert!(
        wait_until(std::time::Duration::from_secs(60), || bytes_read(pid)
            > SIZE + (100 << 20)),
        "the copy never started"
    );
    send_signal(pid, "INT");
    let ended = wait_until(std::time::Duration::from_secs(8), || {
        child.try_wait().expect("wait for the run").is_some()
    });
    if !ended {
        let _ = child.kill();
    }
    let result = finish(child);
    assert!(ended, "the run had not ended 8s after Ctrl-C");
    assert_eq!(result.code, 130, "{}", result.all_output());
    assert_eq!(
        copies_in(&name),
        "",
        "part of the dump stayed in the container"
    );
    let log = step_log(&result.evidence_dir(scene.scratch.path()), "01-load");
    assert!(
        log.contains(&format!("removed {name}:/tmp/runbook-load-")),
        "{log}"
    );
    scene.finish();
}

/// The run lock across the container's life: a `container_start` of the running container
/// keeps the lock (the same lock session holds it), and after a stop and a start, when the
/// server released it with the lock session, the run takes it again before going on.
#[test]
fn the_run_lock_survives_a_start_of_the_running_container_and_is_taken_again_after_a_restart() {
    let Some(scene) = Scene::start("lock-restart") else {
        return;
    };
    let name = scene.name("db");
    let locks = "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
                 WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE 'runbook lock %'";
    let runbook = format!(
        r#"version: 1
name: lock-restart
targets:
  db:
    postgres:
      url: postgres://postgres@127.0.0.1/postgres
      password_env: POSTGRES_PASSWORD
    container: {name}
steps:
  - id: start
    kind: container_start
    target: db
    image: ${{env.POSTGRES_IMAGE}}
    env: {{ POSTGRES_PASSWORD: "${{env.POSTGRES_PASSWORD}}" }}
    ports: ["127.0.0.1:0:5432"]
    labels: {labels}
  - id: note-lock
    kind: sql
    target: db
    text: CREATE TABLE lock_holder AS SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'runbook lock %';
  - id: start-again
    kind: container_start
    target: db
  - id: same-lock
    kind: gate
    target: db
    checks:
      - name: the first lock session still holds the lock
        query: SELECT count(*) FROM pg_locks l JOIN lock_holder h ON h.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted
        expect: {{ equals: 1 }}
  - id: stop
    kind: container_stop
    target: db
  - id: restart
    kind: container_start
    target: db
  - id: locked-again
    kind: gate
    target: db
    checks:
      - name: the run holds its lock again
        query: {locks}
        expect: {{ equals: 1 }}
  - id: remove
    kind: container_remove
    target: db
    force: true
    volumes: true
"#,
        labels = scene.labels_yaml(),
    );
    let file = scene.write("lock.yaml", &runbook);
    let run = scene.runbook(&["run", file.to_str().expect("utf-8")]);
    assert_eq!(run.code, 0, "{}", run.all_output());
    let dir = run.evidence_dir(scene.scratch.path());
    assert_eq!(
        step_result(&dir, "03-start-again")["details"]["case"],
        "already running"
    );
    assert_eq!(
        step_result(&dir, "06-restart")["details"]["case"],
        "started existing"
    );
    scene.finish();
}
