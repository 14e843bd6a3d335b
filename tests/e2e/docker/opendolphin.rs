//! Seed 004's legacy restore end to end: the shipped `runbooks/opendolphin-legacy.yaml` on the
//! real OpenDolphin dump, loaded once with the container's psql and once with this tool's loader,
//! must give the same database; and the same shape on the repository's own sample, which needs
//! nothing from `../shared`.

use runbook_testkit::postgres::normalize_dump;

use super::harness::{
    Scene, clinic_sample, error_message, exec_stdout, opendolphin_runbook, summary,
};
use crate::support::*;

/// A scene named `name` with the names of its database container and volume, both removed
/// when the scene ends; `None` when Docker is not there (the test is skipped).
pub(super) fn db_scene(name: &str) -> Option<(Scene, String, String)> {
    let mut scene = Scene::start(name)?;
    let (container, volume) = (scene.name("db"), scene.name("data"));
    scene.clean_up_container(&container);
    scene.clean_up_volume(&volume);
    Some((scene, container, volume))
}

/// `runbook run` of an OpenDolphin restore: `input` (`secrets=…` or `fixtures=…`), the
/// container and volume names, where the dump is loaded from (`via`) and the confirmation.
pub(super) fn run_restore(
    scene: &Scene,
    runbook: &str,
    input: &str,
    (container, volume): (&str, &str),
    via: &str,
    confirm: &str,
) -> Invocation {
    scene.runbook(&[
        "run",
        runbook,
        "--var",
        input,
        "--var",
        &format!("container={container}"),
        "--var",
        &format!("volume={volume}"),
        "--var",
        &format!("via={via}"),
        "--confirm",
        confirm,
    ])
}

/// What every successful run must leave: intact evidence, every step passed, no password in
/// it, nothing left on the engine.
pub(super) fn assert_clean_pass(
    scene: &Scene,
    run: &Invocation,
    container: &str,
    volume: &str,
) -> std::path::PathBuf {
    assert_eq!(run.code, 0, "the run failed:\n{}", run.all_output());
    let dir = run.evidence_dir(scene.scratch.path());
    let (ok, text) = sha256sum_check(&dir);
    assert!(ok, "sha256sum -c failed:\n{text}");
    let verify = scene.runbook(&["verify", dir.to_str().expect("utf-8 path")]);
    assert_eq!(verify.code, 0, "{}", verify.all_output());
    assert_eq!(run_record(&dir)["status"], "passed");
    for (id, status) in step_statuses(&dir) {
        assert_eq!(status, "passed", "step {id}: {:#}", run_record(&dir));
    }
    assert!(
        !all_evidence_text(&dir).contains(scene.password()),
        "the database password reached the evidence"
    );
    assert!(
        scene.container(container).is_none(),
        "container {container} was left behind"
    );
    assert!(
        !scene.volume_exists(volume),
        "volume {volume} was left behind"
    );
    dir
}

#[test]
fn opendolphin_legacy_restores_via_container_and_via_client_to_the_same_schema() {
    let Some(fixtures) = corpus_or_skip(
        "opendolphin_legacy_restores_via_container_and_via_client_to_the_same_schema",
    ) else {
        return;
    };
    let Some((scene, container, volume)) = db_scene("opendolphin-legacy") else {
        return;
    };
    let secrets = scene.secrets_with(&fixtures.join("opendolphin/legacy_schema_dump.sql"));
    let runbook = opendolphin_runbook();

    let mut schemas = Vec::new();
    for via in ["container", "client"] {
        let input = format!("secrets={}", secrets.display());
        let run = run_restore(
            &scene,
            &runbook,
            &input,
            (&container, &volume),
            via,
            "legacy",
        );
        let dir = assert_clean_pass(&scene, &run, &container, &volume);
        assert!(
            scene.left_by_runbook("opendolphin-legacy").is_empty(),
            "{:?}",
            scene.left_by_runbook("opendolphin-legacy")
        );

        let start = step_result(&dir, "02-start-db");
        assert_eq!(start["details"]["case"], "created", "{start:#}");
        let port = start["details"]["ports"][0]["host_port"]
            .as_u64()
            .expect("the picked host port is recorded");
        assert_ne!(port, 0);
        assert!(summary(&start).contains("ready after"), "{start:#}");

        let load = step_result(&dir, "04-load-schema");
        let input = &load["inputs"][0];
        assert_eq!(input["size"], 108_590);
        let expected = sha256_hex(
            &std::fs::read(fixtures.join("opendolphin/legacy_schema_dump.sql")).expect("dump"),
        );
        assert_eq!(input["sha256"], expected.as_str());
        if via == "container" {
            assert_eq!(load["details"]["via"], "container", "{load:#}");
            assert_eq!(
                load["details"]["copy_removed"], true,
                "the dump must not stay in the container"
            );
        }

        let sequence = step_result(&dir, "06-facility-sequence");
        assert!(
            summary(&sequence).starts_with("public.facility_num: kept: next value 200 (was 200)"),
            "{sequence:#}"
        );
        let tables = exec_stdout(&step_log(&dir, "07-list-tables"));
        assert!(tables.contains("List of relations"), "{tables}");
        assert!(tables.contains(" public      | d_users "), "{tables}");
        let gate = step_result(&dir, "08-gate-restored");
        let checks = gate["gate"].as_array().expect("gate checks");
        assert_eq!(checks.len(), 3);
        assert!(checks.iter().all(|c| c["passed"] == true), "{gate:#}");

        let log = std::fs::read_to_string(dir.join("steps/finally-01-db-log/container.log"))
            .expect("container.log");
        assert!(
            log.contains("database system is ready to accept connections"),
            "{log}"
        );
        let removed = step_result(&dir, "finally-02-remove-db");
        assert!(
            summary(&removed).starts_with(&format!("removed container {container}")),
            "{removed:#}"
        );
        assert_eq!(
            summary(&step_result(&dir, "finally-03-remove-data")),
            format!("removed volume {volume} and its data")
        );

        schemas.push(normalize_dump(&exec_stdout(&step_log(
            &dir,
            "09-export-schema",
        ))));
    }
    assert!(
        schemas[0].contains("CREATE TABLE public.d_users ("),
        "{}",
        schemas[0]
    );
    assert!(
        schemas[0].contains("CREATE SEQUENCE public.facility_num"),
        "{}",
        schemas[0]
    );
    assert!(
        schemas[0] == schemas[1],
        "the two loads gave different schemas"
    );
    scene.finish();
}

/// A runbook of the OpenDolphin runbook's shape for the sample clinic dump.
fn clinic_runbook(scene: &Scene) -> String {
    format!(
        r#"version: 1
name: clinic-in-a-container
vars:
  dump: {dump}
  container: {container}
  volume: {volume}
  via: container
targets:
  clinic:
    postgres:
      url: postgres://clinic@127.0.0.1/clinic
      password_env: POSTGRES_PASSWORD
    container: ${{vars.container}}
steps:
  - id: dump-present
    kind: require_files
    files:
      - path: ${{vars.dump}}
        mode: "0600"
  - id: start-db
    kind: container_start
    target: clinic
    image: ${{env.POSTGRES_IMAGE}}
    env: {{ POSTGRES_DB: clinic, POSTGRES_USER: clinic, POSTGRES_PASSWORD: "${{env.POSTGRES_PASSWORD}}" }}
    ports: ["127.0.0.1:0:5432"]
    volumes: ["${{vars.volume}}:/var/lib/postgresql/data"]
    labels: {labels}
    wait: 90s
  - id: reset-schema
    kind: sql
    target: clinic
    text: |
      DROP SCHEMA public CASCADE;
      CREATE SCHEMA public;
  - id: load-dump
    kind: sql_file
    target: clinic
    path: ${{vars.dump}}
    via: ${{vars.via}}
  - id: facility-sequence
    kind: sequence_reset
    target: clinic
    sequence: facility_num
    to: {{ max_of: {{ table: d_facility, column: id }} }}
  - id: list-tables
    kind: container_exec
    target: clinic
    command: ["psql", "-X", "-U", "clinic", "-d", "clinic", "-c", "\\dt"]
  - id: gate-restored
    kind: gate
    target: clinic
    checks:
      - name: representative tables exist
        tables_exist: [d_users, d_audit_event, d_factor2_credential]
      - name: at least 7 tables
        query: SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'
        expect: {{ min: 7 }}
      - name: facility_num yields the next id
        query: SELECT nextval('facility_num')
        expect: {{ equals: 4 }}
  - id: export
    kind: container_exec
    target: clinic
    command: ["pg_dump", "--no-owner", "-U", "clinic", "-d", "clinic"]
  - id: password-in-env
    kind: container_exec
    target: clinic
    env: {{ DATABASE_URL: "${{targets.clinic.url}}" }}
    command: ["sh", "-c", "echo \"password length $${{#PGPASSWORD}}\""]
  - id: remove-db
    kind: container_remove
    target: clinic
    force: true
    volumes: true
  - id: remove-data
    kind: volume_remove
    name: ${{vars.volume}}
"#,
        dump = scene.scratch.path().join("clinic.sql").display(),
        container = scene.name("db"),
        volume = scene.name("data"),
        labels = scene.labels_yaml(),
    )
}

#[test]
fn the_sample_clinic_restores_in_a_container_via_container_and_via_client_to_the_same_dump() {
    let Some(scene) = Scene::start("clinic-in-a-container") else {
        return;
    };
    let dump = scene.scratch.path().join("clinic.sql");
    std::fs::copy(clinic_sample(), &dump).expect("copy the sample");
    super::harness::set_mode(&dump, 0o600);
    let runbook = scene.write("clinic.yaml", &clinic_runbook(&scene));
    let (container, volume) = (scene.name("db"), scene.name("data"));

    let mut dumps = Vec::new();
    for via in ["container", "client"] {
        let run = scene.runbook(&[
            "run",
            runbook.to_str().expect("utf-8"),
            "--var",
            &format!("via={via}"),
        ]);
        let dir = assert_clean_pass(&scene, &run, &container, &volume);
        let gate = step_result(&dir, "07-gate-restored");
        assert!(
            gate["gate"]
                .as_array()
                .expect("checks")
                .iter()
                .all(|c| c["passed"] == true),
            "{gate:#}"
        );
        let export = exec_stdout(&step_log(&dir, "08-export"));
        assert!(
            export.contains("COPY public.d_patient"),
            "the full dump has the data:\n{export}"
        );
        dumps.push(normalize_dump(&export));
        // A target URL in the command's environment brings its password in PGPASSWORD.
        assert_eq!(
            exec_stdout(&step_log(&dir, "09-password-in-env")),
            format!("password length {}", scene.password().len())
        );
    }
    assert!(
        dumps[0] == dumps[1],
        "psql in the container and the loader gave different databases"
    );
    scene.finish();
}

#[test]
fn a_wrong_password_ends_the_wait_at_once_with_what_to_do() {
    let Some(scene) = Scene::start("clinic-wrong-password") else {
        return;
    };
    let dump = scene.scratch.path().join("clinic.sql");
    std::fs::copy(clinic_sample(), &dump).expect("copy the sample");
    super::harness::set_mode(&dump, 0o600);
    // The container is initialised with the test password; the target then connects with
    // another one, as after a volume kept from a run with another password.
    let text = clinic_runbook(&scene).replace(
        "      password_env: POSTGRES_PASSWORD",
        "      password_env: OTHER_PASSWORD",
    );
    let runbook = scene.write("clinic.yaml", &text);
    let started = std::time::Instant::now();
    let run = scene.runbook_with_env(
        &["run", runbook.to_str().expect("utf-8")],
        &[("OTHER_PASSWORD", "not-the-password")],
    );
    assert_eq!(run.code, 1, "{}", run.all_output());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "it waited for the whole 90s"
    );
    let dir = run.evidence_dir(scene.scratch.path());
    let start = step_result(&dir, "02-start-db");
    let message = error_message(&start);
    let container = scene.name("db");
    assert!(
        message.starts_with(&format!(
            "the server in container {container} is up but refused target 'clinic': cannot connect to postgres://clinic:****@127.0.0.1:"
        )),
        "{message}"
    );
    assert!(
        message.contains("password authentication failed for user \"clinic\""),
        "{message}"
    );
    assert!(message.contains("waiting longer cannot help"), "{message}");
    assert!(
        message.contains("POSTGRES_* apply only to an empty volume"),
        "{message}"
    );
    assert!(!all_evidence_text(&dir).contains("not-the-password"));
    scene.finish();
}
