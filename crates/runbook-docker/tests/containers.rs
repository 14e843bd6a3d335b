//! Container lifecycle, names, ports, volumes, logs.

use std::collections::BTreeMap;
use std::time::Duration;

use runbook_docker::{
    ContainerState, DockerError, EnsureOutcome, OutputStream, PortMapping, RemoveOptions,
    StartOutcome, StopOutcome, VolumeMount,
};

use crate::support::{
    docker_test, ensure_postgres_image, postgres_spec, published_port, sleeper, wait_exited,
};

#[tokio::test]
async fn lifecycle_reports_which_case_happened() {
    let dt = docker_test!("lifecycle_reports_which_case_happened");
    let client = dt.client();
    let spec = sleeper(&dt, "life");

    assert_eq!(client.inspect_container(&spec.name).await.unwrap(), None);
    let report = client.ensure_running(&spec).await.unwrap();
    assert_eq!(report.outcome, EnsureOutcome::CreatedAndStarted);
    assert!(report.drift.is_empty(), "{:?}", report.drift);
    assert_eq!(report.info.state, ContainerState::Running);
    assert_eq!(report.info.name, spec.name);
    assert_eq!(report.info.image, spec.image);
    assert!(report.info.image_id.starts_with("sha256:"));
    assert_eq!(
        report
            .info
            .labels
            .get("io.runbook.test")
            .map(String::as_str),
        Some(dt.label_value())
    );
    assert!(report.info.started_at.is_some());

    let again = client.ensure_running(&spec).await.unwrap();
    assert_eq!(again.outcome, EnsureOutcome::AlreadyRunning);
    assert_eq!(
        client.start_container(&spec.name).await.unwrap(),
        StartOutcome::AlreadyRunning
    );

    assert_eq!(
        client
            .stop_container(&spec.name, Duration::from_secs(1))
            .await
            .unwrap(),
        StopOutcome::Stopped
    );
    let stopped = client.require_container(&spec.name).await.unwrap();
    assert!(
        matches!(stopped.state, ContainerState::Exited { .. }),
        "{}",
        stopped.state
    );
    assert!(!stopped.state.is_running());
    assert_eq!(
        client
            .stop_container(&spec.name, Duration::from_secs(1))
            .await
            .unwrap(),
        StopOutcome::AlreadyStopped
    );

    let restarted = client.ensure_running(&spec).await.unwrap();
    assert_eq!(restarted.outcome, EnsureOutcome::StartedExisting);

    let err = client
        .remove_container(&spec.name, RemoveOptions::default())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "container {} is running; stop it first or remove it with force",
            spec.name
        )
    );
    client
        .remove_container(
            &spec.name,
            RemoveOptions {
                force: true,
                volumes: true,
            },
        )
        .await
        .unwrap();
    assert_eq!(client.inspect_container(&spec.name).await.unwrap(), None);

    let err = client
        .remove_container(&spec.name, RemoveOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, DockerError::NoSuchContainer { .. }));
    assert_eq!(
        err.to_string(),
        format!("container {} does not exist", spec.name)
    );
    let err = client.start_container(&spec.name).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("container {} does not exist", spec.name)
    );
    let err = client
        .stop_container(&spec.name, Duration::from_secs(1))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("container {} does not exist", spec.name)
    );
    dt.finish().await;
}

#[tokio::test]
async fn a_taken_name_is_a_conflict_naming_the_container() {
    let dt = docker_test!("a_taken_name_is_a_conflict_naming_the_container");
    let client = dt.client();
    let spec = sleeper(&dt, "taken");
    let id = client.create_container(&spec).await.unwrap();
    let err = client.create_container(&spec).await.unwrap_err();
    assert!(matches!(err, DockerError::Conflict { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "container name {} is already in use by container {}",
            spec.name,
            &id[..12]
        )
    );
    // Created, never started.
    assert_eq!(
        client.require_container(&spec.name).await.unwrap().state,
        ContainerState::Created
    );
    dt.finish().await;
}

#[tokio::test]
async fn a_missing_image_is_said_plainly_and_never_pulled() {
    let dt = docker_test!("a_missing_image_is_said_plainly_and_never_pulled");
    let client = dt.client();
    let mut spec = dt.spec("noimage", "runbook/no-such-image:15");
    spec.command = Some(vec!["true".into()]);
    assert!(
        !client
            .image_exists("runbook/no-such-image:15")
            .await
            .unwrap()
    );
    let err = client.create_container(&spec).await.unwrap_err();
    assert!(matches!(err, DockerError::NoSuchImage { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "image runbook/no-such-image:15 is not present on this Docker Engine and cannot be pulled \
         here; build it (scripts/build-postgres-image) or load it (docker load)"
    );
    let err = client.ensure_running(&spec).await.unwrap_err();
    assert!(matches!(err, DockerError::NoSuchImage { .. }), "{err:?}");
    assert!(
        !client
            .image_exists("runbook/no-such-image:15")
            .await
            .unwrap(),
        "it was pulled"
    );
    assert!(client.image_exists(&ensure_postgres_image()).await.unwrap());
    dt.finish().await;
}

#[tokio::test]
async fn bad_specs_are_refused_before_the_engine_sees_them() {
    let dt = docker_test!("bad_specs_are_refused_before_the_engine_sees_them");
    let spec = dt.spec("", &ensure_postgres_image());
    let mut bad = spec.clone();
    bad.name = "/db".into();
    let err = dt.client().create_container(&bad).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid container name '/db': expected letters, digits, '_', '.' or '-', at least 2 characters, starting with a letter or digit"
    );
    dt.finish().await;
}

#[tokio::test]
async fn an_existing_container_that_differs_is_reported_as_drift() {
    let dt = docker_test!("an_existing_container_that_differs_is_reported_as_drift");
    let client = dt.client();
    let mut first = sleeper(&dt, "drift");
    first.env = BTreeMap::from([
        ("MODE".to_owned(), "a".to_owned()),
        ("SECRET".to_owned(), "one".to_owned()),
    ]);
    client.create_container(&first).await.unwrap();

    let mut second = first.clone();
    second.env.insert("SECRET".into(), "two".into());
    second.env.insert("EXTRA".into(), "x".into());
    second.volumes = vec![VolumeMount::named(dt.name("vol"), "/data")];
    let report = client.ensure_running(&second).await.unwrap();
    assert_eq!(report.outcome, EnsureOutcome::StartedExisting);
    assert_eq!(
        report.drift,
        [
            format!(
                "mount /data: the spec asks for {}:/data, the container has nothing there",
                dt.name("vol")
            ),
            "environment: EXTRA is not set in the container".to_owned(),
            "environment: SECRET has a different value in the container".to_owned(),
        ]
    );
    assert!(
        report
            .drift
            .iter()
            .all(|d| !d.contains("two") && !d.contains("one"))
    );
    // The existing container was started as it is: no volume was created for it.
    assert!(!client.volume_exists(&dt.name("vol")).await.unwrap());
    dt.finish().await;
}

#[tokio::test]
async fn port_zero_picks_a_free_port_that_accepts_tcp() {
    let dt = docker_test!("port_zero_picks_a_free_port_that_accepts_tcp");
    let client = dt.client();
    let spec = postgres_spec(&dt, "port0", &[("POSTGRES_PASSWORD", "pw")]);
    assert_eq!(spec.ports, [PortMapping::localhost(0, 5432)]);
    let report = client.ensure_running(&spec).await.unwrap();
    let port = published_port(&report.info);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        match tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            Ok(_) => break,
            Err(e) => {
                assert!(
                    std::time::Instant::now() < deadline,
                    "port {port} never accepted: {e}"
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    // The same port is reported by a fresh inspect.
    let info = client.require_container(&spec.name).await.unwrap();
    assert_eq!(info.host_port(5432), Some(("127.0.0.1".to_owned(), port)));
    dt.finish().await;
}

#[tokio::test]
async fn volumes_exist_are_labelled_and_in_use_errors_name_the_containers() {
    let dt = docker_test!("volumes_exist_are_labelled_and_in_use_errors_name_the_containers");
    let client = dt.client();
    let volume = dt.name("data");
    let mut spec = sleeper(&dt, "user");
    spec.volumes = vec![VolumeMount::named(&volume, "/data")];
    assert!(!client.volume_exists(&volume).await.unwrap());
    client.create_container(&spec).await.unwrap();
    assert!(client.volume_exists(&volume).await.unwrap());
    assert_eq!(
        client
            .list_volumes_by_label("io.runbook.test", dt.label_value())
            .await
            .unwrap(),
        [volume.as_str()]
    );
    let info = client.require_container(&spec.name).await.unwrap();
    let mount = info
        .mounts
        .iter()
        .find(|m| m.destination == "/data")
        .unwrap();
    assert_eq!(mount.name.as_deref(), Some(volume.as_str()));
    assert!(!mount.read_only);

    let err = client.remove_volume(&volume).await.unwrap_err();
    assert!(matches!(err, DockerError::VolumeInUse { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("volume {volume} is in use by container {}", spec.name)
    );

    client
        .remove_container(
            &spec.name,
            RemoveOptions {
                force: true,
                volumes: true,
            },
        )
        .await
        .unwrap();
    // Removing a container never removes its named volumes.
    assert!(client.volume_exists(&volume).await.unwrap());
    client.remove_volume(&volume).await.unwrap();
    assert!(!client.volume_exists(&volume).await.unwrap());
    let err = client.remove_volume(&volume).await.unwrap_err();
    assert_eq!(err.to_string(), format!("volume {volume} does not exist"));
    dt.finish().await;
}

#[tokio::test]
async fn containers_are_listed_by_label() {
    let dt = docker_test!("containers_are_listed_by_label");
    let client = dt.client();
    let a = sleeper(&dt, "a");
    let b = sleeper(&dt, "b");
    client.create_container(&a).await.unwrap();
    client.ensure_running(&b).await.unwrap();
    let listed = client
        .list_containers_by_label("io.runbook.test", dt.label_value())
        .await
        .unwrap();
    let names: Vec<(&str, &str)> = listed
        .iter()
        .map(|c| (c.name.as_str(), c.state.as_str()))
        .collect();
    assert_eq!(
        names,
        [(a.name.as_str(), "created"), (b.name.as_str(), "running")]
    );
    assert!(
        client
            .list_containers_by_label("io.runbook.test", "no-such-test")
            .await
            .unwrap()
            .is_empty()
    );
    dt.finish().await;
}

#[tokio::test]
async fn logs_are_text_lines_of_both_streams() {
    let dt = docker_test!("logs_are_text_lines_of_both_streams");
    let client = dt.client();
    let mut spec = dt.spec("logs", &ensure_postgres_image());
    spec.command = Some(vec![
        "sh".into(),
        "-c".into(),
        "echo 'out 1'; echo 'err 1' >&2; printf 'crlf\\r\\n'; echo '患者 2'; printf 'no newline'"
            .into(),
    ]);
    client.ensure_running(&spec).await.unwrap();
    assert_eq!(wait_exited(client, &spec.name).await, 0);

    let lines = client.logs(&spec.name, None).await.unwrap();
    let stdout: Vec<&str> = lines
        .iter()
        .filter(|l| l.stream == OutputStream::Stdout)
        .map(|l| l.text.as_str())
        .collect();
    let stderr: Vec<&str> = lines
        .iter()
        .filter(|l| l.stream == OutputStream::Stderr)
        .map(|l| l.text.as_str())
        .collect();
    assert_eq!(stdout, ["out 1", "crlf", "患者 2", "no newline"]);
    assert_eq!(stderr, ["err 1"]);

    let tail = client.logs(&spec.name, Some(1)).await.unwrap();
    assert_eq!(tail.len(), 1, "{tail:?}");

    let err = client.logs(&dt.name("nothing"), None).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("container {} does not exist", dt.name("nothing"))
    );
    dt.finish().await;
}

#[tokio::test]
async fn a_taken_host_port_is_named_and_the_new_container_is_not_left_behind() {
    let dt = docker_test!("a_taken_host_port_is_named_and_the_new_container_is_not_left_behind");
    let client = dt.client();
    // Something on the host holds the port.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut spec = sleeper(&dt, "taken-port");
    spec.ports = vec![PortMapping::localhost(port, 5432)];
    // A volume the call creates goes with the container; one that was there stays.
    let (fresh, existing) = (dt.name("fresh"), dt.name("existing"));
    client.create_volume(&existing, &dt.labels()).await.unwrap();
    spec.volumes = vec![
        VolumeMount::named(&fresh, "/data"),
        VolumeMount::named(&existing, "/kept"),
    ];
    let err = client.ensure_running(&spec).await.unwrap_err();
    assert!(matches!(err, DockerError::PortInUse { .. }), "{err:?}");
    assert!(!client.volume_exists(&fresh).await.unwrap());
    assert!(client.volume_exists(&existing).await.unwrap());
    assert_eq!(
        err.to_string(),
        format!(
            "port 127.0.0.1:{port} is already in use on the host (by another container or a local server), so container {} cannot publish it",
            spec.name
        )
    );
    assert_eq!(client.inspect_container(&spec.name).await.unwrap(), None);
    drop(listener);

    // Another container holds it.
    let mut first = sleeper(&dt, "holder");
    first.ports = vec![PortMapping::localhost(port, 5432)];
    client.ensure_running(&first).await.unwrap();
    let mut second = sleeper(&dt, "second");
    second.ports = first.ports.clone();
    client.create_container(&second).await.unwrap();
    let err = client.start_container(&second.name).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "port 127.0.0.1:{port} is already in use on the host (by another container or a local server), so container {} cannot publish it",
            second.name
        )
    );
    // start_container leaves a container it did not create where it was.
    assert_eq!(
        client.require_container(&second.name).await.unwrap().state,
        ContainerState::Created
    );
    dt.finish().await;
}

/// A name with URL characters never reaches the engine (it addressed another container when
/// pasted into the API path); an ID prefix resolves to the same container as its name, and a
/// volume's users are listed with their IDs: what consent by identity compares.
#[tokio::test]
async fn names_are_checked_and_prefixes_resolve_to_the_same_container() {
    let dt = docker_test!("names_are_checked_and_prefixes_resolve_to_the_same_container");
    let client = dt.client();
    let mut spec = sleeper(&dt, "ident");
    let volume = dt.name("ident-data");
    spec.volumes
        .push(VolumeMount::named(volume.clone(), "/data"));
    let report = client.ensure_running(&spec).await.unwrap();
    let id = report.info.id.clone();

    for bad in [
        format!("{}/json?x=", spec.name),
        "a b".to_owned(),
        "x".to_owned(),
    ] {
        let refused = client.inspect_container(&bad).await.unwrap_err();
        assert!(matches!(refused, DockerError::Spec(_)), "{bad}: {refused}");
        let refused = client
            .remove_container(&bad, RemoveOptions::default())
            .await
            .unwrap_err();
        assert!(matches!(refused, DockerError::Spec(_)), "{bad}: {refused}");
        assert!(matches!(
            client.remove_volume(&bad).await.unwrap_err(),
            DockerError::Spec(_)
        ));
    }
    assert!(
        client
            .inspect_container(&spec.name)
            .await
            .unwrap()
            .is_some()
    );

    let by_prefix = client.inspect_container(&id[..10]).await.unwrap().unwrap();
    assert_eq!(by_prefix.id, id);
    assert_eq!(by_prefix.name, spec.name);
    let users = client.volume_users(&volume).await.unwrap();
    assert_eq!(
        users.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        [id.as_str()]
    );
    dt.finish().await;
}
