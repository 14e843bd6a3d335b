//! Compose services as container specs: settings, names and labels like Compose, errors with
//! positions, and one real start that docker-compose itself lists.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use runbook_docker::compose::{ComposeProject, load_service};
use runbook_docker::{ComposeError, PortMapping, VolumeMount, VolumeSource};

use crate::support::{
    connect_when_ready, docker_test, ensure_postgres_image, published_port, value,
};

/// A project directory named `My Project` holding `files`.
fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("My Project");
    std::fs::create_dir(&dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let file = dir.join("docker-compose.yml");
    (root, file)
}

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |key| map.get(key).cloned()
}

const COMPOSE: &str = r#"
x-common: &common
  shm_size: 256m
  restart: unless-stopped

services:
  db:
    <<: *common
    image: ${POSTGRES_IMAGE:-postgres:15}
    container_name: opendolphin-postgres
    environment:
      POSTGRES_DB: ${POSTGRES_DB:-opendolphin}
      POSTGRES_USER: ${POSTGRES_USER:-opendolphin}
      POSTGRES_PASSWORD:
      TZ: Asia/Tokyo
    ports:
      - "127.0.0.1:${POSTGRES_PORT:-5432}:5432"
      - target: 9187
        published: 19187
        host_ip: 127.0.0.1
    volumes:
      - postgres-data:/var/lib/postgresql/data
      - ./initdb:/docker-entrypoint-initdb.d:ro
      - shared:/shared
      - /scratch
    command: postgres -c 'shared_buffers=256MB' -c max_connections=200
    labels:
      team: ops
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -h 127.0.0.1"]
  server:
    image: opendolphin/server:${TAG}
    environment:
      - DB_HOST=db
      - HOME
    command: ["java", "-jar", "server.jar"]

volumes:
  postgres-data:
  shared:
    external: true
"#;

#[test]
fn a_service_reads_like_compose_reads_it() {
    let (_root, file) = project(&[
        ("docker-compose.yml", COMPOSE),
        (".env", "POSTGRES_DB=from_dotenv\nPOSTGRES_PORT=15432\n"),
    ]);
    let lookup = env(&[
        ("POSTGRES_DB", "from_shell"),
        ("POSTGRES_PASSWORD", "pw"),
        ("HOME", "/home/ops"),
    ]);
    let project = ComposeProject::load(&file, &lookup).unwrap();
    assert_eq!(project.name(), "myproject");
    assert_eq!(project.service_names(), ["db", "server"]);

    let db = project.service("db").unwrap();
    let spec = &db.spec;
    assert_eq!(spec.name, "opendolphin-postgres");
    assert_eq!(spec.image, "postgres:15");
    // The shell wins over .env; a key without a value comes from the environment.
    assert_eq!(
        spec.env,
        BTreeMap::from([
            ("POSTGRES_DB".to_owned(), "from_shell".to_owned()),
            ("POSTGRES_PASSWORD".to_owned(), "pw".to_owned()),
            ("POSTGRES_USER".to_owned(), "opendolphin".to_owned()),
            ("TZ".to_owned(), "Asia/Tokyo".to_owned()),
        ])
    );
    assert_eq!(
        spec.ports,
        [
            PortMapping::localhost(15432, 5432),
            PortMapping::localhost(19187, 9187)
        ]
    );
    let dir = file.parent().unwrap();
    assert_eq!(
        spec.volumes,
        [
            VolumeMount::named("myproject_postgres-data", "/var/lib/postgresql/data"),
            VolumeMount {
                source: VolumeSource::Bind(dir.join("initdb")),
                target: "/docker-entrypoint-initdb.d".into(),
                read_only: true,
            },
            VolumeMount::named("shared", "/shared"),
            VolumeMount {
                source: VolumeSource::Anonymous,
                target: "/scratch".into(),
                read_only: false,
            },
        ]
    );
    assert_eq!(
        spec.command.as_deref().unwrap(),
        [
            "postgres",
            "-c",
            "shared_buffers=256MB",
            "-c",
            "max_connections=200"
        ]
    );
    assert_eq!(spec.shm_size, Some(256 << 20));

    let label = |k: &str| spec.labels.get(k).map(String::as_str);
    assert_eq!(label("team"), Some("ops"));
    assert_eq!(label("com.docker.compose.project"), Some("myproject"));
    assert_eq!(label("com.docker.compose.service"), Some("db"));
    assert_eq!(label("com.docker.compose.container-number"), Some("1"));
    assert_eq!(label("com.docker.compose.oneoff"), Some("False"));
    assert_eq!(
        label("com.docker.compose.project.config_files"),
        file.to_str()
    );
    assert_eq!(
        label("com.docker.compose.project.working_dir"),
        dir.to_str()
    );
    assert_eq!(
        label("com.docker.compose.project.environment_file"),
        dir.join(".env").to_str()
    );
    assert_eq!(
        label("com.docker.compose.config-hash").map(str::len),
        Some(64)
    );
    assert_eq!(
        spec.volume_labels
            .get("com.docker.compose.project")
            .map(String::as_str),
        Some("myproject")
    );

    assert_eq!(
        db.warnings,
        [
            format!(
                "{}:29: 'healthcheck' of service 'db' is ignored",
                file.display()
            ),
            format!("{}:4: 'restart' of service 'db' is ignored", file.display()),
        ]
    );

    let server = project.service("server").unwrap();
    assert_eq!(server.spec.name, "myproject-server-1");
    assert_eq!(server.spec.image, "opendolphin/server:");
    assert_eq!(
        server.spec.env.get("HOME").map(String::as_str),
        Some("/home/ops")
    );
    assert_eq!(
        server.spec.command.as_deref().unwrap(),
        ["java", "-jar", "server.jar"]
    );
    assert_eq!(
        server.warnings,
        [format!(
            "{}:32: the TAG variable is not set; using an empty string",
            file.display()
        )]
    );
}

#[test]
fn the_config_hash_follows_the_settings() {
    let (_root, file) = project(&[("docker-compose.yml", COMPOSE)]);
    let hash = |pairs: &[(&str, &str)]| {
        load_service(&file, "db", &env(pairs)).unwrap().labels["com.docker.compose.config-hash"]
            .clone()
    };
    assert_eq!(
        hash(&[("POSTGRES_PASSWORD", "a")]),
        hash(&[("POSTGRES_PASSWORD", "a")])
    );
    assert_ne!(
        hash(&[("POSTGRES_PASSWORD", "a")]),
        hash(&[("POSTGRES_PASSWORD", "b")])
    );
}

#[test]
fn the_project_name_comes_from_the_environment_the_file_or_the_directory() {
    let (_root, file) = project(&[(
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:15\n",
    )]);
    assert_eq!(
        load_service(&file, "db", &env(&[])).unwrap().name,
        "myproject-db-1"
    );
    assert_eq!(
        load_service(
            &file,
            "db",
            &env(&[("COMPOSE_PROJECT_NAME", "Restore_2025")])
        )
        .unwrap()
        .name,
        "restore_2025-db-1"
    );
    let (_root, named) = project(&[(
        "docker-compose.yml",
        "name: ${STAGE:-legacy}-db\nservices:\n  db:\n    image: postgres:15\n",
    )]);
    assert_eq!(
        load_service(&named, "db", &env(&[])).unwrap().name,
        "legacy-db-db-1"
    );
    let (_root, dotenv) = project(&[
        (
            "docker-compose.yml",
            "services:\n  db:\n    image: postgres:15\n",
        ),
        (".env", "COMPOSE_PROJECT_NAME=from-dotenv\n"),
    ]);
    assert_eq!(
        load_service(&dotenv, "db", &env(&[])).unwrap().name,
        "from-dotenv-db-1"
    );
}

/// `file:line:column: message` for a compose file holding `text`.
fn error(text: &str) -> String {
    let (_root, file) = project(&[("docker-compose.yml", text)]);
    let err = load_service(&file, "db", &env(&[])).unwrap_err();
    err.to_string()
        .replace(&file.display().to_string(), "docker-compose.yml")
}

#[test]
fn errors_name_the_file_line_and_column() {
    assert_eq!(
        error(
            "services:\n  db:\n    image: postgres:15\n    ports:\n      - \"127.0.0.1:x:5432\"\n"
        ),
        "docker-compose.yml:5:9: invalid port '127.0.0.1:x:5432': 'x' is not a port number (1 to 65535)"
    );
    assert_eq!(
        error("services:\n  db:\n    image: postgres:15\n    entrypoint: /bin/sh\n"),
        "docker-compose.yml:4:5: service 'db' uses 'entrypoint', which runbook cannot apply; it reads image, container_name, environment, env_file, ports, volumes, command, labels and shm_size"
    );
    assert_eq!(
        error(
            "services:\n  db:\n    image: postgres:15\n    volumes:\n      - pgdata:/var/lib/postgresql/data\n"
        ),
        "docker-compose.yml:5:9: named volume 'pgdata' is used in service 'db' but is not declared in the top-level volumes section"
    );
    assert_eq!(
        error(
            "services:\n  db:\n    image: postgres:15\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it in .env}\n"
        ),
        "docker-compose.yml:5:26: required variable POSTGRES_PASSWORD is missing a value: set it in .env"
    );
    assert_eq!(
        error("services:\n  db:\n    image: postgres:15\n    shm_size: lots\n"),
        "docker-compose.yml:4:15: invalid size 'lots': expected a number of bytes with an optional binary unit (k, m, g, t, p), e.g. 256m or 1.5g"
    );
    assert_eq!(
        error("services:\n  db:\n    build: .\n"),
        "docker-compose.yml:3:5: service 'db' has 'build' but no 'image': runbook does not build images; build it first and set image:"
    );
    assert_eq!(
        error("services:\n  db:\n    image: postgres:15\n    image: postgres:16\n"),
        "docker-compose.yml:4:5: invalid YAML: duplicate key 'image' (first at line 3)"
    );
    assert_eq!(
        error("services:\n  db:\n    image: [postgres\n"),
        "docker-compose.yml:4:1: invalid YAML: while parsing a flow sequence, expected ',' or ']'"
    );
    assert_eq!(
        error("services:\n  db:\n    image: postgres:15\n    command: sh -c 'echo\n"),
        "docker-compose.yml:4:14: unclosed single quote in 'sh -c 'echo'"
    );
    assert_eq!(
        error(""),
        "docker-compose.yml: the file is empty; expected a mapping with 'services'"
    );
    assert_eq!(
        error("services:\n  web:\n    image: nginx\n  worker:\n    image: busybox\n"),
        "docker-compose.yml: no service 'db' (services: web, worker)"
    );
    assert_eq!(
        error("version: '3'\n"),
        "docker-compose.yml: no 'services' section"
    );
    assert_eq!(
        error("services:\n  db:\n    container_name: db\n"),
        "docker-compose.yml:2:3: service 'db' has no 'image'"
    );
    assert_eq!(
        error("services:\n  db:\n    image: postgres:15\n    ports:\n      - published: 5432\n"),
        "docker-compose.yml:5:9: expected 'target' (the container port)"
    );
    assert_eq!(
        error("services:\n  db:\n    image: postgres:15\n    environment: production\n"),
        "docker-compose.yml:4:18: expected a mapping or a list of KEY=VALUE for 'environment'"
    );
}

#[test]
fn a_bad_dotenv_names_its_line() {
    let (_root, file) = project(&[
        (
            "docker-compose.yml",
            "services:\n  db:\n    image: postgres:15\n",
        ),
        (".env", "# settings\nPOSTGRES_DB=x\nthis is not a setting\n"),
    ]);
    let err = ComposeProject::load(&file, &env(&[])).unwrap_err();
    assert!(
        matches!(
            err,
            ComposeError::At {
                line: 3,
                column: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{}:3:1: expected KEY=VALUE, found 'this is not a setting'",
            file.with_file_name(".env").display()
        )
    );
}

/// The repository's own docker-compose.yml, started through this crate, is a container that
/// docker-compose recognises as its project's `db` service.
#[tokio::test]
async fn the_repository_compose_service_starts_and_compose_lists_it() {
    let dt = docker_test!("the_repository_compose_service_starts_and_compose_lists_it");
    let client = dt.client().clone();
    let repo_file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docker-compose.yml");
    let (_root, file) = project(&[(
        "docker-compose.yml",
        &std::fs::read_to_string(&repo_file).unwrap(),
    )]);
    let project_name = dt.name("compose");
    let image = ensure_postgres_image();
    let lookup = env(&[
        ("COMPOSE_PROJECT_NAME", &project_name),
        ("POSTGRES_IMAGE", &image),
        ("POSTGRES_PORT", "0"),
        ("POSTGRES_PASSWORD", "compose-pw"),
    ]);
    let loaded = ComposeProject::load(&file, &lookup)
        .unwrap()
        .service("db")
        .unwrap();
    assert_eq!(
        loaded.warnings,
        [format!(
            "{}:18: 'healthcheck' of service 'db' is ignored",
            file.display()
        )]
    );
    let mut spec = loaded.spec;
    assert_eq!(spec.name, format!("{project_name}-db-1"));
    assert_eq!(
        spec.volumes,
        [VolumeMount::named(
            format!("{project_name}_postgres-data"),
            "/var/lib/postgresql/data"
        )]
    );
    assert_eq!(spec.shm_size, Some(256 << 20));
    spec.labels.extend(dt.labels());
    spec.volume_labels.extend(dt.labels());

    let report = client.ensure_running(&spec).await.unwrap();
    let session = connect_when_ready(
        published_port(&report.info),
        "opendolphin",
        "compose-pw",
        "opendolphin",
    )
    .await;
    assert_eq!(
        value(&session, "SELECT current_database()").await,
        "opendolphin"
    );
    drop(session);
    let labels = &report.info.labels;
    assert_eq!(
        labels.get("com.docker.compose.project"),
        Some(&project_name)
    );
    assert_eq!(
        labels.get("com.docker.compose.service").map(String::as_str),
        Some("db")
    );
    assert_eq!(
        labels.get("com.docker.compose.oneoff").map(String::as_str),
        Some("False")
    );

    // docker-compose (v1 here, `docker compose` v2 elsewhere) finds it by those labels.
    if let Some(mut compose) = compose_command() {
        let output = compose
            .arg("-f")
            .arg(&file)
            .args(["-p", &project_name, "ps", "-q"])
            .env("POSTGRES_IMAGE", &image)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            stdout.trim(),
            report.info.id,
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    dt.finish().await;
    assert!(
        !client
            .volume_exists(&format!("{project_name}_postgres-data"))
            .await
            .unwrap()
    );
}

fn compose_command() -> Option<Command> {
    let works = |mut c: Command| c.arg("version").output().is_ok_and(|o| o.status.success());
    if works(Command::new("docker-compose")) {
        return Some(Command::new("docker-compose"));
    }
    let mut v2 = Command::new("docker");
    v2.arg("compose");
    if works({
        let mut c = Command::new("docker");
        c.arg("compose");
        c
    }) {
        return Some(v2);
    }
    None
}
