//! Docker consent by identity (issue 15): a protected target's container and its data are
//! reached by ID prefix, by a name with URL characters, through a step whose own target is
//! unprotected, through its named volume after a forced `container_remove`, and through a
//! Compose volume; each needs `--confirm`. Check mode never attributes an existing container
//! to a step; a `${...}` in a volume's source cannot become a host path; ports bind to
//! 127.0.0.1 unless an address is written. Everything runs against the real Docker Engine;
//! what a test creates carries its `io.runbook.test` label and is removed at the end.

use std::process::Command;

use super::harness::{Scene, summary};
use crate::support::*;

/// `docker create`s a stopped container `name` from the test image, labelled for cleanup,
/// mounting `volume` (created first, labelled) at the data directory when given, else the
/// image's anonymous data volume. Returns its full ID. This is a container someone else made:
/// no runbook created it.
fn victim(scene: &Scene, name: &str, volume: Option<&str>) -> String {
    let label = format!("io.runbook.test={}", scene.label());
    let mut args = vec!["create", "--label", &label, "--name", name];
    let mount;
    if let Some(volume) = volume {
        docker(&["volume", "create", "--label", &label, volume]);
        mount = format!("{volume}:/var/lib/postgresql/data");
        args.extend(["-v", &mount]);
    }
    args.push(&scene.image);
    docker(&args).trim().to_owned()
}

fn docker(args: &[&str]) -> String {
    let out = Command::new("docker")
        .args(args)
        .output()
        .expect("run docker");
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn refusal(target: &str, step: &str, what: &str) -> String {
    format!(
        "target '{target}' is protected and step '{step}' would {what}; nothing was run. Pass --confirm {target}"
    )
}

#[test]
fn an_id_prefix_of_a_protected_targets_container_needs_its_consent() {
    let Some(scene) = Scene::start("id-prefix") else {
        return;
    };
    let container = scene.name("db");
    let id = victim(&scene, &container, None);
    let prefix = &id[..8];
    let runbook = scene.write(
        "prefix.yaml",
        &format!(
            r#"version: 1
name: id-prefix
vars:
  c: placeholder
targets:
  db: {{ container: {container}, protected: true }}
steps:
  - id: rm
    kind: container_remove
    container: ${{vars.c}}
    volumes: true
"#
        ),
    );
    let path = runbook.to_str().expect("utf-8");
    let var = format!("c={prefix}");
    let refused = scene.runbook(&["run", path, "--var", &var]);
    assert_eq!(refused.code, 2, "{}", refused.all_output());
    assert!(
        refused.stderr.contains(&refusal(
            "db",
            "rm",
            &format!("remove container {prefix} with its anonymous volumes (its data)")
        )),
        "{}",
        refused.stderr
    );
    assert!(
        scene.container(&container).is_some(),
        "the protected container was removed"
    );
    // Control: with consent the same step removes it.
    let confirmed = scene.runbook(&["run", path, "--var", &var, "--confirm", "db"]);
    assert_eq!(confirmed.code, 0, "{}", confirmed.all_output());
    assert!(scene.container(&container).is_none());
    scene.finish();
}

#[test]
fn a_container_name_with_url_characters_never_reaches_the_engine() {
    let Some(scene) = Scene::start("url-name") else {
        return;
    };
    let container = scene.name("anon");
    victim(&scene, &container, None);
    let runbook = scene.write(
        "url.yaml",
        &format!(
            r#"version: 1
name: url-name
vars:
  c: placeholder
targets:
  db: {{ container: {container}, protected: true }}
steps:
  - id: rm
    kind: container_remove
    container: "${{vars.c}}"
    volumes: true
"#
        ),
    );
    let path = runbook.to_str().expect("utf-8");
    let var = format!("c={container}/json?x=");
    let expected = format!(
        "url.yaml:10:16: invalid container name '{container}/json?x=' in step 'rm'; expected letters, digits, '_', '.' or '-', at least 2 characters, starting with a letter or digit"
    );
    for command in ["validate", "run"] {
        let out = scene.runbook(&[command, path, "--var", &var]);
        assert_eq!(out.code, 2, "{command}: {}", out.all_output());
        assert!(out.stderr.contains(&expected), "{command}: {}", out.stderr);
    }
    assert!(
        scene.container(&container).is_some(),
        "the protected container was removed"
    );
    scene.finish();
}

#[test]
fn an_unprotected_step_target_does_not_hide_the_protected_container_it_names() {
    let Some(scene) = Scene::start("other-target") else {
        return;
    };
    let (container, spare) = (scene.name("db"), scene.name("spare"));
    victim(&scene, &container, None);
    let runbook = scene.write(
        "other.yaml",
        &format!(
            r#"version: 1
name: other-target
targets:
  db: {{ container: {container}, protected: true }}
  scratch: {{ container: {spare} }}
steps:
  - id: rm
    kind: container_remove
    target: scratch
    container: {container}
    volumes: true
"#
        ),
    );
    let refused = scene.runbook(&["run", runbook.to_str().expect("utf-8")]);
    assert_eq!(refused.code, 2, "{}", refused.all_output());
    assert!(
        refused.stderr.contains(&refusal(
            "db",
            "rm",
            &format!("remove container {container} with its anonymous volumes (its data)")
        )),
        "{}",
        refused.stderr
    );
    assert!(scene.container(&container).is_some());
    scene.finish();
}

#[test]
fn the_named_volume_of_a_protected_container_needs_consent_after_a_forced_remove() {
    let Some(scene) = Scene::start("volume-after-rm") else {
        return;
    };
    let (container, volume) = (scene.name("db"), scene.name("data"));
    victim(&scene, &container, Some(&volume));
    let runbook = scene.write(
        "wipe.yaml",
        &format!(
            r#"version: 1
name: volume-after-rm
vars:
  vol: placeholder
targets:
  db: {{ container: {container}, protected: true }}
steps:
  - id: rm
    kind: container_remove
    target: db
    force: true
  - id: wipe
    kind: volume_remove
    name: ${{vars.vol}}
"#
        ),
    );
    let path = runbook.to_str().expect("utf-8");
    let var = format!("vol={volume}");
    let check = scene.runbook(&["check", path, "--var", &var]);
    let dir = check.evidence_dir(scene.scratch.path());
    assert!(
        step_log(&dir, "02-wipe").contains(&format!(
            "note: target 'db' is protected; `runbook run` needs --confirm db because this step would remove volume {volume} and the data in it"
        )),
        "{}",
        step_log(&dir, "02-wipe")
    );
    let refused = scene.runbook(&["run", path, "--var", &var]);
    assert_eq!(refused.code, 2, "{}", refused.all_output());
    assert!(
        refused.stderr.contains(&refusal(
            "db",
            "wipe",
            &format!("remove volume {volume} and the data in it")
        )),
        "{}",
        refused.stderr
    );
    assert!(scene.container(&container).is_some());
    assert!(
        scene.volume_exists(&volume),
        "the protected volume was removed"
    );
    scene.finish();
}

#[test]
fn a_compose_volume_of_a_protected_target_needs_consent_and_check_says_it_would_go() {
    let Some(mut scene) = Scene::start("compose-volume") else {
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
name: compose-volume
targets:
  db: {{ container: {container}, protected: true }}
steps:
  - id: up
    kind: container_start
    target: db
    compose: {{ file: {file}, service: db }}
    labels: {labels}
  - id: rm
    kind: container_remove
    target: db
    force: true
  - id: wipe
    kind: volume_remove
    name: {volume}
"#,
            file = compose_file.display(),
            labels = scene.labels_yaml(),
        ),
    );
    let path = runbook.to_str().expect("utf-8");
    let env = [
        ("COMPOSE_PROJECT_NAME", project.as_str()),
        ("POSTGRES_PORT", "0"),
    ];
    let check = scene.runbook_with_env(&["check", path], &env);
    let dir = check.evidence_dir(scene.scratch.path());
    assert_eq!(
        summary(&step_result(&dir, "03-wipe")),
        format!("would remove volume {volume} and its data (created by step 'up')")
    );
    let refused = scene.runbook_with_env(&["run", path], &env);
    assert_eq!(refused.code, 2, "{}", refused.all_output());
    assert!(
        refused.stderr.contains(&refusal(
            "db",
            "wipe",
            &format!("remove volume {volume} and the data in it")
        )),
        "{}",
        refused.stderr
    );
    assert!(scene.container(&container).is_none(), "nothing may run");
    assert!(!scene.volume_exists(&volume), "nothing may run");
    scene.finish();
}

#[test]
fn check_says_who_made_an_existing_container_and_never_credits_a_step() {
    let Some(scene) = Scene::start("made-by") else {
        return;
    };
    let container = scene.name("box");
    let id = victim(&scene, &container, None);
    let runbook = scene.write(
        "made.yaml",
        &format!(
            r#"version: 1
name: made-by
targets:
  box: {{ container: {container} }}
steps:
  - id: start
    kind: container_start
    target: box
    image: ${{env.POSTGRES_IMAGE}}
    labels: {labels}
  - id: rm
    kind: container_remove
    target: box
    force: true
"#,
            labels = scene.labels_yaml()
        ),
    );
    let check = scene.runbook(&["check", runbook.to_str().expect("utf-8")]);
    let dir = check.evidence_dir(scene.scratch.path());
    let rm = summary(&step_result(&dir, "02-rm")).to_owned();
    assert!(!rm.contains("started by step"), "{rm}");
    assert!(
        rm.starts_with(&format!(
            "would remove container {container} (created, id {}, created by someone else, not by this runbook)",
            &id[..12]
        )),
        "{rm}"
    );
    assert!(scene.container(&container).is_some());
    scene.finish();
}

#[test]
fn a_reference_in_a_volume_source_cannot_become_a_host_path() {
    let Some(scene) = Scene::start("var-volume") else {
        return;
    };
    let container = scene.name("db");
    let host = scene.scratch.path().join("dir");
    std::fs::create_dir(&host).expect("mkdir");
    let runbook = scene.write(
        "vol.yaml",
        &format!(
            r#"version: 1
name: var-volume
vars:
  volume: pgdata
targets:
  db: {{ container: {container} }}
steps:
  - id: start
    kind: container_start
    target: db
    image: ${{env.POSTGRES_IMAGE}}
    env: {{ POSTGRES_PASSWORD: "${{env.POSTGRES_PASSWORD}}" }}
    volumes: ["${{vars.volume}}:/var/lib/postgresql/data"]
    labels: {labels}
"#,
            labels = scene.labels_yaml()
        ),
    );
    let path = runbook.to_str().expect("utf-8");
    for command in ["validate", "check", "run"] {
        let out = scene.runbook(&[command, path, "--var", "volume=./dir"]);
        assert_eq!(out.code, 2, "{command}: {}", out.all_output());
        assert!(
            out.stderr.contains(
                "vol.yaml:13:15: invalid volume './dir:/var/lib/postgresql/data': its source comes from a ${...} reference, which must give a volume name"
            ),
            "{command}: {}",
            out.stderr
        );
    }
    assert!(scene.container(&container).is_none());
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(&host).expect("stat");
    assert_eq!(meta.uid(), 0, "the host directory was re-owned");
    scene.finish();
}

#[test]
fn a_reference_in_a_port_cannot_publish_on_every_interface() {
    let Some(scene) = Scene::start("var-port") else {
        return;
    };
    let container = scene.name("db");
    let runbook = scene.write(
        "port.yaml",
        &format!(
            r#"version: 1
name: var-port
vars:
  port: "0"
targets:
  db: {{ container: {container} }}
steps:
  - id: start
    kind: container_start
    target: db
    image: ${{env.POSTGRES_IMAGE}}
    ports: ["${{vars.port}}:5432"]
    labels: {labels}
"#,
            labels = scene.labels_yaml()
        ),
    );
    let path = runbook.to_str().expect("utf-8");
    for command in ["validate", "check", "run"] {
        let out = scene.runbook(&[command, path, "--var", "port=0.0.0.0:0"]);
        assert_eq!(out.code, 2, "{command}: {}", out.all_output());
        assert!(
            out.stderr.contains(
                "port.yaml:12:13: invalid port '0.0.0.0:0:5432': a ${...} reference gave it the address 0.0.0.0"
            ),
            "{command}: {}",
            out.stderr
        );
    }
    assert!(scene.container(&container).is_none());
    scene.finish();
}

#[test]
fn ports_without_an_address_are_published_on_loopback_with_a_note() {
    let Some(scene) = Scene::start("loopback-port") else {
        return;
    };
    let container = scene.name("db");
    let runbook = scene.write(
        "port.yaml",
        &format!(
            r#"version: 1
name: loopback-port
targets:
  db: {{ container: {container} }}
steps:
  - id: start
    kind: container_start
    target: db
    image: ${{env.POSTGRES_IMAGE}}
    env: {{ POSTGRES_PASSWORD: "${{env.POSTGRES_PASSWORD}}" }}
    ports: ["0:5432", "0.0.0.0:0:5433"]
    labels: {labels}
"#,
            labels = scene.labels_yaml()
        ),
    );
    let run = scene.runbook(&["run", runbook.to_str().expect("utf-8")]);
    assert_eq!(run.code, 0, "{}", run.all_output());
    let dir = run.evidence_dir(scene.scratch.path());
    assert!(
        step_log(&dir, "01-start").contains(
            "note: port 5432/tcp is published on 127.0.0.1 only (write 0.0.0.0::5432 to publish it on every interface)"
        ),
        "{}",
        step_log(&dir, "01-start")
    );
    let bindings = docker(&[
        "inspect",
        "--format",
        "{{range $p, $b := .HostConfig.PortBindings}}{{$p}}={{range $b}}{{.HostIp}};{{end}} {{end}}",
        &container,
    ]);
    assert_eq!(bindings.trim(), "5432/tcp=127.0.0.1; 5433/tcp=0.0.0.0;");
    scene.finish();
}

#[test]
fn the_opendolphin_flow_with_confirm_still_starts_stops_and_removes() {
    let Some(scene) = Scene::start("flow-confirm") else {
        return;
    };
    let (container, volume) = (scene.name("db"), scene.name("data"));
    let runbook = scene.write(
        "flow.yaml",
        &format!(
            r#"version: 1
name: flow-confirm
targets:
  legacy: {{ container: {container}, protected: true }}
steps:
  - id: start
    kind: container_start
    target: legacy
    image: ${{env.POSTGRES_IMAGE}}
    env: {{ POSTGRES_PASSWORD: "${{env.POSTGRES_PASSWORD}}" }}
    volumes: ["{volume}:/var/lib/postgresql/data"]
    labels: {labels}
  - id: stop
    kind: container_stop
    target: legacy
  - id: remove
    kind: container_remove
    target: legacy
    volumes: true
  - id: drop
    kind: volume_remove
    name: {volume}
"#,
            labels = scene.labels_yaml()
        ),
    );
    let path = runbook.to_str().expect("utf-8");
    let refused = scene.runbook(&["run", path]);
    assert_eq!(refused.code, 2, "{}", refused.all_output());
    assert!(scene.container(&container).is_none());
    let run = scene.runbook(&["run", path, "--confirm", "legacy"]);
    assert_eq!(run.code, 0, "{}", run.all_output());
    let dir = run.evidence_dir(scene.scratch.path());
    assert!(
        step_log(&dir, "03-remove").contains("created by this run, step 'start'"),
        "{}",
        step_log(&dir, "03-remove")
    );
    assert_eq!(
        summary(&step_result(&dir, "04-drop")),
        format!("removed volume {volume} and its data")
    );
    assert!(scene.container(&container).is_none());
    assert!(!scene.volume_exists(&volume));
    scene.finish();
}

#[test]
fn without_the_docker_engine_a_volume_of_a_protected_targets_container_cannot_be_ruled_out() {
    let Some(scene) = Scene::start("no-engine") else {
        return;
    };
    let container = scene.name("db");
    let runbook = scene.write(
        "noengine.yaml",
        &format!(
            r#"version: 1
name: no-engine
targets:
  db: {{ container: {container}, protected: true }}
steps:
  - id: wipe
    kind: volume_remove
    name: some-volume
"#
        ),
    );
    let socket = scene.scratch.path().join("no-docker.sock");
    let host = format!("unix://{}", socket.display());
    let refused = scene.runbook_with_env(
        &["run", runbook.to_str().expect("utf-8")],
        &[("DOCKER_HOST", host.as_str())],
    );
    assert_eq!(refused.code, 2, "{}", refused.all_output());
    assert!(
        refused.stderr.contains(
            "target 'db' is protected and step 'wipe' would remove volume some-volume and the data in it (the Docker Engine could not be asked what it belongs to: "
        ),
        "{}",
        refused.stderr
    );
    scene.finish();
}

#[test]
fn mounting_a_protected_containers_volume_into_another_container_needs_consent() {
    let Some(scene) = Scene::start("foreign-mount") else {
        return;
    };
    let (container, volume, other) = (scene.name("db"), scene.name("data"), scene.name("other"));
    victim(&scene, &container, Some(&volume));
    let runbook = scene.write(
        "mount.yaml",
        &format!(
            r#"version: 1
name: foreign-mount
vars:
  vol: placeholder
targets:
  db: {{ container: {container}, protected: true }}
steps:
  - id: borrow
    kind: container_start
    name: {other}
    image: ${{env.POSTGRES_IMAGE}}
    command: ["sh", "-c", "touch /var/lib/postgresql/data/borrowed"]
    volumes: ["${{vars.vol}}:/var/lib/postgresql/data"]
    labels: {labels}
    wait: 5s
"#,
            labels = scene.labels_yaml()
        ),
    );
    let var = format!("vol={volume}");
    let refused = scene.runbook(&["run", runbook.to_str().expect("utf-8"), "--var", &var]);
    assert_eq!(refused.code, 2, "{}", refused.all_output());
    assert!(
        refused.stderr.contains(&refusal(
            "db",
            "borrow",
            &format!(
                "mount volume {volume}, which the container of target 'db' uses, into container {other}, where it can be changed or deleted"
            )
        )),
        "{}",
        refused.stderr
    );
    assert!(
        scene.container(&other).is_none(),
        "the container was created"
    );
    scene.finish();
}

/// Consent is gathered before the first step; a step that renames containers afterwards must
/// not turn an unprotected name into the protected container without anyone asking.
#[test]
fn a_name_that_reaches_the_protected_container_only_after_a_rename_is_refused_at_the_step() {
    let Some(scene) = Scene::start("renamed") else {
        return;
    };
    let (container, spare) = (scene.name("db"), scene.name("spare"));
    victim(&scene, &container, None);
    victim(&scene, &spare, None);
    let runbook = scene.write(
        "rename.yaml",
        &format!(
            r#"version: 1
name: renamed
targets:
  db: {{ container: {container}, protected: true }}
  scratch: {{ container: {spare} }}
steps:
  - id: swap
    kind: shell
    command: ["sh", "-c", "docker rename {spare} {spare}-old && docker rename {container} {spare}"]
  - id: rm
    kind: container_remove
    target: scratch
    volumes: true
"#
        ),
    );
    let run = scene.runbook(&["run", runbook.to_str().expect("utf-8")]);
    let dir = run.evidence_dir(scene.scratch.path());
    // Blocked, as a missing precondition: exit 3.
    assert_eq!(run.code, 3, "{}", run.all_output());
    assert!(
        step_result(&dir, "02-rm")["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with(&format!(
                "container {spare} is now the container of protected target 'db' (id "
            )),
        "{:#}",
        step_result(&dir, "02-rm")
    );
    // The protected container survives under its new name.
    assert!(
        scene.container(&spare).is_some(),
        "the protected container was removed"
    );
    assert!(scene.container(&format!("{spare}-old")).is_some());
    scene.finish();
}

/// Inside a protected target's container nothing is provably harmless: a command may run
/// `psql -c 'DROP ...'`, a copy may overwrite the data directory. Reached through an unprotected
/// step target and an ID prefix, both still need the protected target's consent.
#[test]
fn exec_and_copy_into_a_protected_container_need_its_consent_whatever_name_reaches_it() {
    let Some(scene) = Scene::start("exec-copy") else {
        return;
    };
    let (container, spare) = (scene.name("db"), scene.name("spare"));
    let id = victim(&scene, &container, None);
    let prefix = &id[..10];
    scene.write("payload.txt", "overwrite\n");
    let runbook = scene.write(
        "exec.yaml",
        &format!(
            r#"version: 1
name: exec-copy
targets:
  db: {{ container: {container}, protected: true }}
  scratch: {{ container: {spare} }}
steps:
  - id: copy
    kind: copy_to_container
    target: scratch
    container: {prefix}
    path: payload.txt
    to: /var/lib/postgresql/data/PG_VERSION
  - id: exec
    kind: container_exec
    target: scratch
    container: {container}
    command: [psql, -c, "DROP TABLE patients"]
"#
        ),
    );
    let refused = scene.runbook(&["run", runbook.to_str().expect("utf-8")]);
    assert_eq!(refused.code, 2, "{}", refused.all_output());
    assert!(
        refused.stderr.contains(&refusal(
            "db",
            "copy",
            &format!(
                "copy payload.txt into container {prefix}, overwriting whatever is there (and 1 more step)"
            )
        )),
        "{}",
        refused.stderr
    );
    scene.finish();
}
