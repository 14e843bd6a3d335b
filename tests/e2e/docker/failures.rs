//! What an operator sees when the container cannot come up: a database that never becomes
//! ready, an image that is not there, an engine that does not answer, a host port that is taken.
//! Each gives one clear message and the contract's exit code (run: 1; check with an unreachable
//! engine: 3, blocked).

use super::harness::{Scene, error_message, summary};
use crate::support::*;

/// One `container_start` step against a Postgres target in container `name`.
fn start_runbook(name: &str, image: &str, extra: &str, labels: &str) -> String {
    format!(
        r#"version: 1
name: start-only
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
    image: {image}
    env: {{ POSTGRES_PASSWORD: "${{env.POSTGRES_PASSWORD}}" }}
    labels: {labels}
{extra}"#
    )
}

#[test]
fn a_database_that_never_becomes_ready_times_out_with_its_log_in_the_evidence() {
    let Some(scene) = Scene::start("readiness-timeout") else {
        return;
    };
    let name = scene.name("db");
    // A container that runs but never starts Postgres, and says so in its log.
    let extra = r#"    ports: ["127.0.0.1:0:5432"]
    command: ["sh", "-c", "echo pretending to start; exec sleep 600"]
    wait: 2s
"#;
    let runbook = scene.write(
        "timeout.yaml",
        &start_runbook(&name, &scene.image, extra, &scene.labels_yaml()),
    );
    let run = scene.runbook(&["run", runbook.to_str().expect("utf-8")]);
    assert_eq!(run.code, 1, "{}", run.all_output());
    let dir = run.evidence_dir(scene.scratch.path());
    let result = step_result(&dir, "01-start");
    assert_eq!(result["status"], "failed");
    let message = error_message(&result);
    assert!(
        message.starts_with(&format!(
            "container {name} was not ready within 2s: waited for target 'db' to accept a connection (last attempt: cannot connect to postgres://postgres:****@127.0.0.1:"
        )),
        "{message}"
    );
    assert!(
        message.ends_with("; the last line of its log is in container.log"),
        "{message}"
    );
    assert!(
        run.stdout.contains(&format!(
            "step 'start' (container_start): failed: container {name} was not ready within 2s"
        )),
        "{}",
        run.stdout
    );
    let log =
        std::fs::read_to_string(dir.join("steps/01-start/container.log")).expect("container.log");
    assert_eq!(log, "pretending to start\n");
    let (ok, text) = sha256sum_check(&dir);
    assert!(ok, "{text}");
    scene.finish();
}

#[test]
fn a_container_that_exits_while_starting_fails_at_once_with_its_log() {
    let Some(scene) = Scene::start("exits-while-starting") else {
        return;
    };
    let name = scene.name("db");
    let extra = r#"    ports: ["127.0.0.1:0:5432"]
    command: ["sh", "-c", "echo 'FATAL: data directory has wrong ownership' >&2; exit 3"]
    wait: 60s
"#;
    let runbook = scene.write(
        "exits.yaml",
        &start_runbook(&name, &scene.image, extra, &scene.labels_yaml()),
    );
    let started = std::time::Instant::now();
    let run = scene.runbook(&["run", runbook.to_str().expect("utf-8")]);
    assert_eq!(run.code, 1, "{}", run.all_output());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "it waited for the whole minute"
    );
    let dir = run.evidence_dir(scene.scratch.path());
    assert_eq!(
        error_message(&step_result(&dir, "01-start")),
        format!(
            "container {name} exited with code 3 while waiting for it to become ready; the last line of its log is in container.log"
        )
    );
    let log =
        std::fs::read_to_string(dir.join("steps/01-start/container.log")).expect("container.log");
    assert_eq!(log, "FATAL: data directory has wrong ownership\n");
    scene.finish();
}

#[test]
fn a_missing_image_is_said_plainly_in_run_and_check_and_nothing_is_created() {
    let Some(scene) = Scene::start("missing-image") else {
        return;
    };
    let name = scene.name("db");
    let runbook = scene.write(
        "missing.yaml",
        &start_runbook(&name, "runbook/never-built:15", "", &scene.labels_yaml()),
    );
    let expected = "image runbook/never-built:15 is not present on this Docker Engine and cannot be pulled here; build it (scripts/build-postgres-image) or load it (docker load)";
    for (command, prefix) in [("run", "failed"), ("check", "would fail")] {
        let invocation = scene.runbook(&[command, runbook.to_str().expect("utf-8")]);
        assert_eq!(invocation.code, 1, "{command}: {}", invocation.all_output());
        assert!(
            invocation.stdout.contains(&format!(
                "step 'start' (container_start): {prefix}: {expected}"
            )),
            "{command}: {}",
            invocation.stdout
        );
        let dir = invocation.evidence_dir(scene.scratch.path());
        assert_eq!(error_message(&step_result(&dir, "01-start")), expected);
        assert!(
            scene.container(&name).is_none(),
            "{command} created a container"
        );
    }
    scene.finish();
}

#[test]
fn an_engine_that_does_not_answer_fails_run_and_blocks_check() {
    // No engine is needed for this one.
    let scratch = Scratch::new();
    let runbook = scratch.write(
        "engine.yaml",
        start_runbook(
            "rbt-no-engine-db",
            "runbook/postgres:15",
            "",
            "{ io.runbook.test: no-engine }",
        ),
    );
    let env = [
        ("DOCKER_HOST", "unix:///nonexistent.sock"),
        ("POSTGRES_PASSWORD", "unused-password"),
    ];
    let expected = "cannot reach the Docker Engine at unix:///nonexistent.sock: no socket at /nonexistent.sock (is the Docker Engine running? for rootless Docker set DOCKER_HOST=unix://$XDG_RUNTIME_DIR/docker.sock)";
    for (command, code, prefix, status) in [
        ("run", 1, "failed", "failed"),
        ("check", 3, "blocked", "blocked"),
    ] {
        let invocation =
            scratch.runbook_with_env(&[command, runbook.to_str().expect("utf-8")], &env);
        assert_no_panic(&invocation);
        assert_eq!(
            invocation.code,
            code,
            "{command}: {}",
            invocation.all_output()
        );
        assert!(
            invocation.stdout.contains(&format!(
                "step 'start' (container_start): {prefix}: {expected}"
            )),
            "{command}: {}",
            invocation.stdout
        );
        let dir = invocation.evidence_dir(scratch.path());
        let result = step_result(&dir, "01-start");
        assert_eq!(result["status"], status);
        assert_eq!(summary(&result), format!("{prefix}: {expected}"));
    }
}

#[test]
fn a_taken_host_port_is_found_before_anything_is_created() {
    let Some(scene) = Scene::start("port-taken") else {
        return;
    };
    let name = scene.name("db");
    let holder = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let port = holder.local_addr().expect("address").port();
    let extra = format!("    ports: [\"127.0.0.1:{port}:5432\"]\n");
    let runbook = scene.write(
        "port.yaml",
        &start_runbook(&name, &scene.image, &extra, &scene.labels_yaml()),
    );
    for command in ["check", "run"] {
        let invocation = scene.runbook(&[command, runbook.to_str().expect("utf-8")]);
        assert_eq!(invocation.code, 1, "{command}: {}", invocation.all_output());
        let dir = invocation.evidence_dir(scene.scratch.path());
        let message = error_message(&step_result(&dir, "01-start")).to_owned();
        assert!(
            message.starts_with(&format!("host port 127.0.0.1:{port} is not free (")),
            "{command}: {message}"
        );
        assert!(
            message.ends_with("stop what holds it, or publish another port (127.0.0.1:0:5432 lets Docker pick a free one)"),
            "{message}"
        );
        assert!(
            scene.container(&name).is_none(),
            "{command} created a container"
        );
    }
    drop(holder);
    scene.finish();
}
