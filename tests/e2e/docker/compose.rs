//! `container_start` from a service of the repository's `docker-compose.yml`, the way seed 004
//! starts its database (`docker compose up -d db`): settings and volume names as Compose reads
//! them, labels as Compose writes them, the runbook's container name, real readiness.

use super::harness::Scene;
use crate::support::*;

#[test]
fn a_compose_service_starts_under_the_runbooks_name_labelled_like_compose() {
    let Some(mut scene) = Scene::start("compose-db") else {
        return;
    };
    let container = scene.name("db");
    let project = scene.name("proj");
    let volume = format!("{project}_postgres-data");
    scene.clean_up_container(&container);
    scene.clean_up_volume(&volume);
    let compose_file = workspace_root().join("docker-compose.yml");
    let runbook = scene.write(
        "compose.yaml",
        &format!(
            r#"version: 1
name: compose-db
targets:
  db:
    postgres:
      url: postgres://opendolphin@127.0.0.1/opendolphin
      password_env: POSTGRES_PASSWORD
    container: {container}
steps:
  - id: up
    kind: container_start
    target: db
    compose: {{ file: {file}, service: db }}
    labels: {labels}
"#,
            file = compose_file.display(),
            labels = scene.labels_yaml(),
        ),
    );
    let env = [
        ("COMPOSE_PROJECT_NAME", project.as_str()),
        ("POSTGRES_PORT", "0"),
    ];
    let run = scene.runbook_with_env(&["run", runbook.to_str().expect("utf-8")], &env);
    assert_eq!(run.code, 0, "{}", run.all_output());
    let dir = run.evidence_dir(scene.scratch.path());
    let log = step_log(&dir, "01-up");
    assert!(
        log.contains(&format!(
            "compose: the container is named {container} (from the runbook) rather than {project}-db-1 (Compose's name)"
        )),
        "{log}"
    );
    assert!(log.contains("ready after"), "{log}");
    let (state, labels) = scene.container(&container).expect("the container exists");
    assert_eq!(state, "running");
    for (key, value) in [
        ("com.docker.compose.project", project.as_str()),
        ("com.docker.compose.service", "db"),
        ("com.docker.compose.oneoff", "False"),
        ("io.runbook.runbook", "compose-db"),
        ("io.runbook.step", "up"),
        ("io.runbook.test", scene.label()),
    ] {
        assert_eq!(
            labels.get(key).map(String::as_str),
            Some(value),
            "label {key}: {labels:?}"
        );
    }
    assert!(
        scene.volume_exists(&volume),
        "the compose volume is project-prefixed"
    );
    assert!(!all_evidence_text(&dir).contains(scene.password()));
    scene.finish();
}
