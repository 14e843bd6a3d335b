//! Helpers shared by the Docker tests.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use runbook_docker::{ContainerInfo, ContainerSpec, ContainerState, DockerClient, PortMapping};
use runbook_postgres::{ConnectionSpec, EmptyEnv, Session};
pub use runbook_testkit::docker::{DockerTest, ensure_postgres_image};

/// Connects for `name`, or returns from the test when no engine is expected on this machine.
macro_rules! docker_test {
    ($name:expr) => {
        match $crate::support::DockerTest::start($name).await {
            Some(dt) => dt,
            None => return,
        }
    };
}
pub(crate) use docker_test;

/// A spec for a container that only sleeps: quick to start, for lifecycle tests.
pub fn sleeper(dt: &DockerTest, suffix: &str) -> ContainerSpec {
    let mut spec = dt.spec(suffix, &ensure_postgres_image());
    spec.command = Some(vec!["sleep".into(), "300".into()]);
    spec
}

/// A Postgres container spec published on a port the engine picks.
pub fn postgres_spec(dt: &DockerTest, suffix: &str, env: &[(&str, &str)]) -> ContainerSpec {
    let mut spec = dt.spec(suffix, &ensure_postgres_image());
    spec.env = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect::<BTreeMap<_, _>>();
    spec.ports = vec![PortMapping::localhost(0, 5432)];
    spec
}

/// The host port where the container's 5432 is published.
pub fn published_port(info: &ContainerInfo) -> u16 {
    let (ip, port) = info
        .host_port(5432)
        .unwrap_or_else(|| panic!("5432 is not published: {:?}", info.ports));
    assert_eq!(ip, "127.0.0.1");
    assert_ne!(port, 0);
    port
}

/// Connects over TCP from the host, retrying until the server accepts (the first start runs
/// initdb and a temporary socket-only server first) or 60 s pass.
pub async fn connect_when_ready(port: u16, user: &str, password: &str, db: &str) -> Session {
    let url = format!(
        "postgres://{user}:{}@127.0.0.1:{port}/{db}",
        encode(password)
    );
    let spec = ConnectionSpec::parse(&url, &EmptyEnv).expect("valid URL");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match Session::connect(&spec).await {
            Ok(session) => return session,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(e) => panic!("the server on port {port} never accepted {user}: {e}"),
        }
    }
}

/// Percent-encodes a password for a URL.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// One value from a query.
pub async fn value(session: &Session, sql: &str) -> String {
    let rows = session
        .query(sql, &[])
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.single_value()
        .flatten()
        .unwrap_or_else(|| panic!("{sql}: no single value in {:?}", rows.rows))
        .to_owned()
}

/// Waits until the container has exited and returns its exit code.
pub async fn wait_exited(client: &DockerClient, name: &str) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let info = client.require_container(name).await.unwrap();
        if let ContainerState::Exited { exit_code } = info.state {
            return exit_code;
        }
        assert!(
            Instant::now() < deadline,
            "{name} did not exit: {}",
            info.state
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
