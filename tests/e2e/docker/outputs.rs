//! `container_start` outputs: the host port a new container publishes for PostgreSQL (chosen by
//! the engine when the runbook says 0) and its ID reach a later step through
//! `${steps.ID.outputs.port}` and `${steps.ID.outputs.container_id}`.

use crate::docker::harness::Scene;
use crate::support::*;

#[test]
fn a_later_step_connects_through_the_port_the_engine_chose() {
    let Some(scene) = Scene::start("docker-outputs") else {
        return;
    };
    let container = scene.name("box");
    let runbook = scene.write(
        "rb.yaml",
        &format!(
            r#"version: 1
name: docker-outputs
targets:
  box:
    container: {container}
steps:
  - id: start
    kind: container_start
    target: box
    image: ${{env.POSTGRES_IMAGE}}
    env: {{ POSTGRES_PASSWORD: "${{env.POSTGRES_PASSWORD}}" }}
    ports: ["127.0.0.1:0:5432"]
    labels: {labels}
  - id: connect
    kind: shell
    command: ["psql", "-X", "-At", "-h", "127.0.0.1", "-p", "${{steps.start.outputs.port}}", "-U", "postgres", "-c", "SELECT 'port ' || current_setting('port') || ' via ${{steps.start.outputs.port}}'"]
    env: {{ PGPASSWORD: "${{env.POSTGRES_PASSWORD}}", ID: "${{steps.start.outputs.container_id}}" }}
  - id: remove
    kind: container_remove
    target: box
    force: true
"#,
            labels = scene.labels_yaml(),
        ),
    );
    let run = scene.runbook(&["run", runbook.to_str().expect("utf-8")]);
    assert_eq!(run.code, 0, "{}", run.all_output());
    let dir = run.evidence_dir(scene.scratch.path());
    let start = step_result(&dir, "01-start");
    let published = start["details"]["ports"][0]["host_port"]
        .as_u64()
        .expect("a published port");
    assert_ne!(published, 0);
    assert_eq!(
        start["outputs"]["port"]["value"],
        published.to_string().as_str()
    );
    assert_eq!(
        start["outputs"]["container_id"]["value"],
        start["details"]["id"]
    );
    assert_eq!(
        step_result(&dir, "02-connect")["outputs"]["stdout_last_line"]["value"],
        format!("port 5432 via {published}").as_str()
    );
    assert!(scene.container(&container).is_none());
    scene.finish();
}
