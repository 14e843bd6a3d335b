//! Connecting: where, API negotiation, and what an absent engine looks like.

use std::io::{Read, Write};
use std::net::TcpListener;

use runbook_docker::{DockerClient, DockerError, Endpoint};

use crate::support::docker_test;

fn env_with_docker_host(value: &str) -> impl Fn(&str) -> Option<String> {
    let value = value.to_owned();
    move |key| (key == "DOCKER_HOST").then(|| value.clone())
}

#[tokio::test]
async fn a_missing_socket_is_unreachable_and_says_where() {
    let err =
        DockerClient::connect_from_env(&env_with_docker_host("unix:///nonexistent/docker.sock"))
            .await
            .unwrap_err();
    assert!(matches!(err, DockerError::Unreachable { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "cannot reach the Docker Engine at unix:///nonexistent/docker.sock: no socket at \
         /nonexistent/docker.sock (is the Docker Engine running? for rootless Docker set \
         DOCKER_HOST=unix://$XDG_RUNTIME_DIR/docker.sock)"
    );
}

#[tokio::test]
async fn a_closed_tcp_port_is_unreachable_and_says_why() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let err =
        DockerClient::connect_from_env(&env_with_docker_host(&format!("tcp://127.0.0.1:{port}")))
            .await
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "cannot reach the Docker Engine at tcp://127.0.0.1:{port}: connection refused (os error 111)"
        )
    );
}

#[tokio::test]
async fn a_server_that_is_not_docker_is_unreachable() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut stream) = stream else { return };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot here\n");
        }
    });
    let err = DockerClient::connect_to(&Endpoint::Tcp(format!("127.0.0.1:{port}")))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "cannot reach the Docker Engine at tcp://127.0.0.1:{port}: the answer was not a Docker Engine's (status 404"
        )),
        "{text}"
    );
}

#[tokio::test]
async fn unsupported_docker_host_is_refused_before_connecting() {
    let err = DockerClient::connect_from_env(&env_with_docker_host("ssh://ops@db1"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, DockerError::UnsupportedEndpoint { .. }),
        "{err:?}"
    );
}

/// bollard's default API version is newer than Docker 20.10's 1.41: without negotiation every
/// call fails with "client version 1.5x is too new".
#[tokio::test]
async fn the_api_version_is_negotiated_down_to_the_engine() {
    let dt = docker_test!("the_api_version_is_negotiated_down_to_the_engine");
    let client = dt.client();
    let engine = client.engine();
    let (major, minor) = engine
        .api_version
        .split_once('.')
        .map(|(a, b)| (a.parse::<u32>().unwrap(), b.parse::<u32>().unwrap()))
        .unwrap();
    assert_eq!(major, 1);
    assert!(minor >= 40, "{engine:?}");
    if engine.version.starts_with("20.10") {
        assert_eq!(engine.api_version, "1.41");
    }
    // A real call in the negotiated version.
    client
        .list_containers_by_label("io.runbook.test", dt.label_value())
        .await
        .expect("listing works after negotiation");
    if std::env::var_os("DOCKER_HOST").is_none() {
        assert_eq!(client.endpoint(), "unix:///var/run/docker.sock");
    }
    dt.finish().await;
}

/// The engine runs steps on a multi-threaded runtime: every operation's future must be `Send`.
/// Compiling is the test.
#[expect(dead_code, reason = "never called: it only has to compile")]
fn futures_are_send(client: &DockerClient, spec: &runbook_docker::ContainerSpec) {
    fn send<T: Send>(_: T) {}
    let env = std::cell::Cell::new(0); // not Sync: connect_from_env must not hold it
    send(DockerClient::connect_from_env(&|_| {
        env.set(1);
        None
    }));
    send(DockerClient::connect());
    send(client.ensure_running(spec));
    send(client.create_container(spec));
    send(client.inspect_container("x"));
    send(client.stop_container("x", std::time::Duration::ZERO));
    send(client.remove_container("x", runbook_docker::RemoveOptions::default()));
    send(client.remove_volume("x"));
    send(client.list_containers_by_label("k", "v"));
    let exec = runbook_docker::ExecSpec::new(["true"]);
    let mut sink = |_: runbook_docker::OutputStream, _: &[u8]| {};
    send(client.exec("x", &exec, &mut sink));
    send(client.exec_capture("x", &exec));
    let mut sink2 = |_: runbook_docker::OutputStream, _: &[u8]| {};
    send(client.exec_cancellable(
        "x",
        &exec,
        &mut sink2,
        tokio::time::sleep(std::time::Duration::ZERO),
        std::time::Duration::ZERO,
    ));
    send(client.copy_file_into(
        "x",
        std::path::Path::new("/f"),
        "/f",
        0o600,
        runbook_docker::Owner::ROOT,
    ));
    send(client.remove_path_in("x", "/f"));
    send(client.logs("x", None));
}
