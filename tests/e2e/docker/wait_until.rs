//! `wait_until container_healthy`: a running container without a healthcheck counts as healthy
//! (there is nothing else to wait for); a container that never appears fails the wait when its
//! timeout passes, saying what it last saw.

use crate::docker::harness::Scene;
use crate::support::*;

#[test]
fn a_container_is_waited_for_and_one_that_never_appears_fails_the_wait() {
    let Some(scene) = Scene::start("wait-healthy") else {
        return;
    };
    let container = scene.name("box");
    let absent = scene.name("never-started");
    let runbook = scene.write(
        "wait.yaml",
        &format!(
            r#"version: 1
name: wait-healthy
targets:
  box: {{ container: {container} }}
steps:
  - id: start
    kind: container_start
    target: box
    image: ${{env.POSTGRES_IMAGE}}
    env: {{ POSTGRES_PASSWORD: "${{env.POSTGRES_PASSWORD}}" }}
    labels: {labels}
  - id: healthy
    kind: wait_until
    container_healthy: {container}
    every: 200ms
    timeout: 30s
  - id: never
    kind: wait_until
    container_healthy: {absent}
    every: 200ms
    timeout: 1s
"#,
            labels = scene.labels_yaml()
        ),
    );
    let run = scene.runbook(&["run", runbook.to_str().expect("utf-8")]);
    assert_no_panic(&run);
    assert_eq!(run.code, 1, "{}", run.all_output());
    let dir = run.evidence_dir(scene.scratch.path());

    let healthy = step_result(&dir, "02-healthy");
    assert_eq!(healthy["status"], "passed", "{healthy:#}");
    assert_eq!(
        healthy["details"]["last"]["result"], "running (no healthcheck)",
        "{healthy:#}"
    );
    assert_eq!(healthy["details"]["polls"], 1, "{healthy:#}");

    let never = step_result(&dir, "03-never");
    assert_eq!(never["status"], "failed", "{never:#}");
    let summary = never["summary"].as_str().unwrap_or_default();
    assert!(
        summary.starts_with(&format!(
            "container {absent}'s health did not hold within 1s ("
        )) && summary.ends_with(&format!("; last: no container {absent}")),
        "{summary}"
    );
    assert!(never["details"]["polls"].as_u64() >= Some(3), "{never:#}");
    scene.finish();
}
