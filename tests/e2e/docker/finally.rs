//! `finally:` against the real Docker Engine: a run that fails mid-way, or is stopped with
//! Ctrl-C mid-step, still removes the container it started, and its evidence verifies.

use std::time::Duration;

use super::harness::{Scene, summary};
use crate::support::*;

/// Starts a container, then runs `middle`, and always removes the container in `finally`.
fn runbook(scene: &Scene, container: &str, middle: &str) -> String {
    format!(
        r#"version: 1
name: docker-finally
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
{middle}
  - id: never
    kind: container_exec
    target: box
    command: ["true"]
finally:
  - id: remove-box
    kind: container_remove
    target: box
    force: true
    volumes: true
"#,
        labels = scene.labels_yaml(),
    )
}

fn assert_verifies(scene: &Scene, dir: &std::path::Path) {
    let verify = scene.runbook(&["verify", dir.to_str().expect("utf-8 path")]);
    assert_eq!(verify.code, 0, "{}", verify.all_output());
    let (ok, text) = sha256sum_check(dir);
    assert!(ok, "{text}");
}

#[test]
fn a_run_that_fails_mid_way_removes_its_container_in_finally() {
    let Some(mut scene) = Scene::start("docker-finally-fail") else {
        return;
    };
    let container = scene.name("box");
    scene.clean_up_container(&container);
    let text = runbook(
        &scene,
        &container,
        r#"  - id: breaks
    kind: container_exec
    target: box
    command: ["sh", "-c", "echo the migration broke >&2; exit 1"]"#,
    );
    let file = scene.write("finally.yaml", &text);
    let run = scene.runbook(&["run", file.to_str().expect("utf-8")]);
    assert_eq!(run.code, 1, "{}", run.all_output());
    assert!(
        scene.container(&container).is_none(),
        "the failed run left container {container} behind"
    );
    let dir = run.evidence_dir(scene.scratch.path());
    assert_eq!(run_record(&dir)["status"], "failed");
    assert_eq!(
        step_statuses(&dir),
        [
            ("start".to_owned(), "passed".to_owned()),
            ("breaks".to_owned(), "failed".to_owned()),
            ("never".to_owned(), "not_run".to_owned()),
            ("remove-box".to_owned(), "passed".to_owned()),
        ]
    );
    let removed = step_result(&dir, "finally-01-remove-box");
    assert_eq!(removed["phase"], "finally");
    assert!(
        summary(&removed).starts_with(&format!("removed container {container}")),
        "{removed:#}"
    );
    assert_verifies(&scene, &dir);
    scene.finish();
}

#[test]
fn ctrl_c_mid_step_still_removes_the_container_in_finally() {
    let Some(mut scene) = Scene::start("docker-finally-ctrl-c") else {
        return;
    };
    let container = scene.name("box");
    scene.clean_up_container(&container);
    let started = scene.scratch.path().join("sleeping");
    let text = runbook(
        &scene,
        &container,
        &format!(
            r#"  - id: long
    kind: shell
    command: ["sh", "-c", "touch {}; sleep 60"]"#,
            started.display()
        ),
    );
    let file = scene.write("finally.yaml", &text);
    let child = std::process::Command::new(runbook_bin())
        .current_dir(scene.scratch.path())
        .args(["run", file.to_str().expect("utf-8"), "--evidence-dir", "ev"])
        .env("NO_COLOR", "1")
        .env("POSTGRES_IMAGE", &scene.image)
        .env("POSTGRES_PASSWORD", scene.password())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn the runbook binary");
    let pid = child.id();
    assert!(
        wait_until(Duration::from_secs(120), || started.exists()),
        "the long step never started"
    );
    assert!(
        scene.container(&container).is_some(),
        "no container to remove"
    );
    send_signal(pid, "INT");
    let run = finish(child);
    assert_no_panic(&run);
    assert_eq!(run.code, 130, "{}", run.all_output());
    assert!(
        scene.container(&container).is_none(),
        "the interrupted run left container {container} behind"
    );
    let dir = run.evidence_dir(scene.scratch.path());
    assert_eq!(run_record(&dir)["status"], "interrupted");
    assert_eq!(
        step_result(&dir, "finally-01-remove-box")["status"],
        "passed"
    );
    assert_verifies(&scene, &dir);
    scene.finish();
}
