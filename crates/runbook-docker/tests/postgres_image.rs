//! The image from scripts/build-postgres-image behaves like postgres:15 where runbooks care.

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use runbook_docker::{ExecSpec, RemoveOptions, VolumeMount, VolumeSource};
use runbook_postgres::{ConnectionSpec, EmptyEnv, Session};

use crate::support::{
    connect_when_ready, docker_test, postgres_spec, published_port, value, wait_exited,
};

#[tokio::test]
async fn postgres_env_and_initdb_scripts_are_honoured() {
    let dt = docker_test!("postgres_env_and_initdb_scripts_are_honoured");
    let client = dt.client();
    let initdb = tempfile::tempdir().unwrap();
    std::fs::write(
        initdb.path().join("01-schema.sql"),
        "CREATE TABLE d_facility (id bigint PRIMARY KEY, name text);\r\nINSERT INTO d_facility VALUES (103, '医院');\r\n",
    )
    .unwrap();
    // Not executable: sourced, with the entrypoint's variables in scope.
    std::fs::write(
        initdb.path().join("02-note.sh"),
        "process_sql -c \"CREATE TABLE note AS SELECT '$POSTGRES_DB'::text AS db\"\n",
    )
    .unwrap();
    std::fs::write(initdb.path().join("03-ignored.txt"), "not run").unwrap();
    for entry in std::fs::read_dir(initdb.path()).unwrap() {
        std::fs::set_permissions(
            entry.unwrap().path(),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
    }
    std::fs::set_permissions(initdb.path(), std::fs::Permissions::from_mode(0o755)).unwrap();

    let password = "s3cr'et pw";
    let mut spec = postgres_spec(
        &dt,
        "env",
        &[
            ("POSTGRES_USER", "ops"),
            ("POSTGRES_PASSWORD", password),
            ("POSTGRES_DB", "opendolphin"),
            ("POSTGRES_INITDB_ARGS", "--data-checksums --locale=C.UTF-8"),
        ],
    );
    spec.volumes.push(VolumeMount {
        source: VolumeSource::Bind(initdb.path().to_owned()),
        target: "/docker-entrypoint-initdb.d".into(),
        read_only: true,
    });
    spec.shm_size = Some(256 << 20);
    let report = client.ensure_running(&spec).await.unwrap();
    let port = published_port(&report.info);

    let session = connect_when_ready(port, "ops", password, "opendolphin").await;
    assert_eq!(value(&session, "SELECT current_user").await, "ops");
    assert_eq!(
        value(&session, "SELECT current_database()").await,
        "opendolphin"
    );
    assert_eq!(
        value(&session, "SELECT name FROM d_facility WHERE id = 103").await,
        "医院"
    );
    assert_eq!(value(&session, "SELECT db FROM note").await, "opendolphin");
    assert_eq!(
        value(
            &session,
            "SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user"
        )
        .await,
        "true"
    );
    assert_eq!(value(&session, "SHOW server_encoding").await, "UTF8");
    assert_eq!(value(&session, "SHOW data_checksums").await, "on");
    // initdb imported the system's locales (it runs `locale -a`).
    assert_eq!(
        value(
            &session,
            "SELECT count(*) FROM pg_collation WHERE collname = 'C.utf8' AND collprovider = 'c'"
        )
        .await,
        "1"
    );
    assert_eq!(
        value(&session, "SHOW password_encryption").await,
        "scram-sha-256"
    );
    // contrib is there (the OpenDolphin dump installs pg_trgm).
    session.execute("CREATE EXTENSION pg_trgm").await.unwrap();
    assert_eq!(
        value(&session, "SELECT similarity('dolphin', 'dolphins') > 0.5").await,
        "t"
    );

    // Passwords are checked over TCP.
    let wrong = ConnectionSpec::parse(
        &format!("postgres://ops:wrong@127.0.0.1:{port}/opendolphin"),
        &EmptyEnv,
    )
    .unwrap();
    let err = Session::connect(&wrong)
        .await
        .expect_err("a wrong password is refused");
    assert!(
        err.to_string().contains("password authentication failed"),
        "{err}"
    );

    // What runbooks run inside.
    let ready = client
        .exec_capture(
            &spec.name,
            &ExecSpec::new(["pg_isready", "-h", "127.0.0.1"]),
        )
        .await
        .unwrap();
    assert_eq!(ready.exit_code, 0, "{ready:?}");
    let dump = client
        .exec_capture(
            &spec.name,
            &ExecSpec::new(["pg_dump", "--schema-only", "-U", "ops", "-d", "opendolphin"])
                .user("postgres"),
        )
        .await
        .unwrap();
    assert_eq!(dump.exit_code, 0, "{dump:?}");
    assert!(
        dump.stdout.contains("CREATE TABLE public.d_facility"),
        "{}",
        dump.stdout
    );
    let shm = client
        .exec_capture(&spec.name, &ExecSpec::new(["df", "-k", "/dev/shm"]))
        .await
        .unwrap();
    assert!(shm.stdout.contains(" 262144 "), "{}", shm.stdout);

    let logs = client.logs(&spec.name, None).await.unwrap();
    let text: Vec<&str> = logs.iter().map(|l| l.text.as_str()).collect();
    assert!(
        text.iter()
            .any(|l| l.ends_with("running /docker-entrypoint-initdb.d/01-schema.sql")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|l| l.ends_with("sourcing /docker-entrypoint-initdb.d/02-note.sh")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|l| l.ends_with("ignoring /docker-entrypoint-initdb.d/03-ignored.txt")),
        "{text:?}"
    );
    // The server runs as postgres, not root.
    let top = client
        .exec_capture(
            &spec.name,
            &ExecSpec::new(["sh", "-c", "stat -c %u /proc/1"]),
        )
        .await
        .unwrap();
    assert_eq!(top.stdout, "999\n");
    drop(session);
    dt.finish().await;
}

#[tokio::test]
async fn initialisation_works_when_initdb_args_require_a_password_on_the_socket() {
    let dt = docker_test!("initialisation_works_when_initdb_args_require_a_password_on_the_socket");
    let client = dt.client();
    let spec = postgres_spec(
        &dt,
        "authlocal",
        &[
            ("POSTGRES_PASSWORD", "local-pw"),
            ("POSTGRES_DB", "app"),
            ("POSTGRES_INITDB_ARGS", "--auth-local=scram-sha-256"),
        ],
    );
    let report = client.ensure_running(&spec).await.unwrap();
    // The database is created over the socket during initialisation, which now asks for the
    // password: the entrypoint must hand it to psql, as the official one does.
    let session =
        connect_when_ready(published_port(&report.info), "postgres", "local-pw", "app").await;
    assert_eq!(value(&session, "SELECT current_database()").await, "app");
    drop(session);
    let local = client
        .exec_capture(
            &spec.name,
            &ExecSpec::new(["psql", "-U", "postgres", "-w", "-c", "SELECT 1"]).user("postgres"),
        )
        .await
        .unwrap();
    assert_ne!(
        local.exit_code, 0,
        "the socket still asks for a password: {local:?}"
    );
    dt.finish().await;
}

#[tokio::test]
async fn an_unreadable_init_directory_stops_the_container_before_initdb() {
    let dt = docker_test!("an_unreadable_init_directory_stops_the_container_before_initdb");
    let client = dt.client();
    let initdb = tempfile::tempdir().unwrap();
    std::fs::write(initdb.path().join("01-schema.sql"), "CREATE TABLE t ();\n").unwrap();
    // Owned by root (the tests run as root) and closed to others: postgres cannot list it.
    std::fs::set_permissions(initdb.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    let mut spec = postgres_spec(&dt, "noinit", &[("POSTGRES_PASSWORD", "pw")]);
    spec.volumes.push(VolumeMount {
        source: VolumeSource::Bind(initdb.path().to_owned()),
        target: "/docker-entrypoint-initdb.d".into(),
        read_only: true,
    });
    client.ensure_running(&spec).await.unwrap();
    assert_ne!(wait_exited(client, &spec.name).await, 0);
    let logs = client.logs(&spec.name, None).await.unwrap();
    assert!(
        logs.iter()
            .any(|l| l.text.contains("/docker-entrypoint-initdb.d")
                && l.text.contains("Permission denied")),
        "{logs:?}"
    );
    dt.finish().await;
}

#[tokio::test]
async fn postgres_version_prints_without_initialising() {
    let dt = docker_test!("postgres_version_prints_without_initialising");
    let client = dt.client();
    // No password: initialising would refuse, as `docker run postgres:15 postgres --version`
    // does not.
    let mut spec = postgres_spec(&dt, "version", &[]);
    spec.command = Some(vec!["postgres".into(), "--version".into()]);
    client.ensure_running(&spec).await.unwrap();
    assert_eq!(wait_exited(client, &spec.name).await, 0);
    let logs = client.logs(&spec.name, None).await.unwrap();
    assert!(
        logs.first()
            .is_some_and(|l| l.text.starts_with("postgres (PostgreSQL) 15")),
        "{logs:?}"
    );
    dt.finish().await;
}

#[tokio::test]
async fn data_persists_in_a_named_volume_across_recreation() {
    let dt = docker_test!("data_persists_in_a_named_volume_across_recreation");
    let client = dt.client();
    let volume = dt.name("pgdata");
    let mut spec = postgres_spec(&dt, "keep", &[("POSTGRES_PASSWORD", "first")]);
    spec.volumes = vec![VolumeMount::named(&volume, "/var/lib/postgresql/data")];
    let report = client.ensure_running(&spec).await.unwrap();
    let session = connect_when_ready(
        published_port(&report.info),
        "postgres",
        "first",
        "postgres",
    )
    .await;
    session
        .execute("CREATE TABLE kept AS SELECT 'still here'::text AS v")
        .await
        .unwrap();
    drop(session);

    client
        .stop_container(&spec.name, Duration::from_secs(10))
        .await
        .unwrap();
    client
        .remove_container(
            &spec.name,
            RemoveOptions {
                force: false,
                volumes: true,
            },
        )
        .await
        .unwrap();
    assert!(client.volume_exists(&volume).await.unwrap());

    // A new container on the same volume: initialisation is skipped, so the old password holds.
    spec.env.insert("POSTGRES_PASSWORD".into(), "second".into());
    let report = client.ensure_running(&spec).await.unwrap();
    let session = connect_when_ready(
        published_port(&report.info),
        "postgres",
        "first",
        "postgres",
    )
    .await;
    assert_eq!(value(&session, "SELECT v FROM kept").await, "still here");
    drop(session);
    let logs = client.logs(&spec.name, None).await.unwrap();
    assert!(
        logs.iter()
            .any(|l| l.text == "PostgreSQL Database directory appears to contain a database; Skipping initialization"),
        "{logs:?}"
    );
    dt.finish().await;
}

#[tokio::test]
async fn a_missing_password_stops_the_container_with_the_official_message() {
    let dt = docker_test!("a_missing_password_stops_the_container_with_the_official_message");
    let client = dt.client();
    let spec = postgres_spec(&dt, "nopw", &[("POSTGRES_USER", "ops")]);
    client.ensure_running(&spec).await.unwrap();
    assert_eq!(wait_exited(client, &spec.name).await, 1);
    let logs = client.logs(&spec.name, None).await.unwrap();
    assert_eq!(
        logs.first().map(|l| l.text.as_str()),
        Some("Error: Database is uninitialized and superuser password is not specified.")
    );
    dt.finish().await;
}

#[tokio::test]
async fn password_file_trust_and_exclusive_variants() {
    let dt = docker_test!("password_file_trust_and_exclusive_variants");
    let client = dt.client();
    let secrets = tempfile::tempdir().unwrap();
    std::fs::write(secrets.path().join("pw"), "from-a-file\n").unwrap();
    std::fs::set_permissions(
        secrets.path().join("pw"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    std::fs::set_permissions(secrets.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut spec = postgres_spec(
        &dt,
        "file",
        &[("POSTGRES_PASSWORD_FILE", "/run/secrets/pw")],
    );
    spec.volumes.push(VolumeMount {
        source: VolumeSource::Bind(secrets.path().to_owned()),
        target: "/run/secrets".into(),
        read_only: true,
    });
    let report = client.ensure_running(&spec).await.unwrap();
    let session = connect_when_ready(
        published_port(&report.info),
        "postgres",
        "from-a-file",
        "postgres",
    )
    .await;
    assert_eq!(value(&session, "SELECT 1").await, "1");
    drop(session);

    let trust = postgres_spec(&dt, "trust", &[("POSTGRES_HOST_AUTH_METHOD", "trust")]);
    let report = client.ensure_running(&trust).await.unwrap();
    let session = connect_when_ready(
        published_port(&report.info),
        "postgres",
        "anything",
        "postgres",
    )
    .await;
    assert_eq!(value(&session, "SELECT 1").await, "1");
    drop(session);

    let both = postgres_spec(
        &dt,
        "both",
        &[("POSTGRES_PASSWORD", "x"), ("POSTGRES_PASSWORD_FILE", "/x")],
    );
    client.ensure_running(&both).await.unwrap();
    assert_eq!(wait_exited(client, &both.name).await, 1);
    let logs = client.logs(&both.name, None).await.unwrap();
    assert_eq!(
        logs.last().map(|l| l.text.as_str()),
        Some(
            "error: both POSTGRES_PASSWORD and POSTGRES_PASSWORD_FILE are set (but are exclusive)"
        )
    );
    dt.finish().await;
}
