//! Connecting: where it went, what failed, and that no password leaks on the way.

use std::time::{Duration, Instant};

use runbook_postgres::{ConnectError, ConnectionSpec, EmptyEnv, Session};
use runbook_testkit::postgres::create_database;

#[tokio::test]
async fn unreachable_server_names_the_redacted_url() {
    // Nothing listens on port 1 of the loopback address.
    let spec = ConnectionSpec::parse("postgres://app:hunter2@127.0.0.1:1/db", &EmptyEnv).unwrap();
    let err = Session::connect(&spec).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot connect to postgres://app:****@127.0.0.1:1/db: connection refused"
    );
    assert!(!format!("{err:?}").contains("hunter2"));
}

#[tokio::test]
async fn missing_database_reports_the_servers_words_and_sqlstate() {
    let db = create_database("connect_missing");
    let spec = db.spec.with_database("no_such_database_here");
    let err = Session::connect(&spec).await.unwrap_err();
    let ConnectError::Failed {
        reason,
        sqlstate,
        target,
    } = &err
    else {
        panic!("unexpected error {err:?}");
    };
    assert_eq!(sqlstate.as_deref(), Some("3D000"));
    assert_eq!(
        reason,
        "database \"no_such_database_here\" does not exist (SQLSTATE 3D000)"
    );
    assert!(target.contains("/no_such_database_here"), "{target}");
}

#[tokio::test]
async fn connect_timeout_covers_a_server_that_accepts_but_never_answers() {
    // A peer that completes the TCP handshake and then says nothing: a hung server or a
    // half-open port forwarder. The driver's own timeout stops at the TCP connect.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let text =
        format!("postgres://app:hunter2@127.0.0.1:{port}/db?sslmode=disable&connect_timeout=2");
    let spec = ConnectionSpec::parse(&text, &EmptyEnv).unwrap();
    let started = Instant::now();
    let err = tokio::time::timeout(Duration::from_secs(20), Session::connect(&spec))
        .await
        .expect("connect_timeout must end the attempt")
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        err.to_string(),
        format!(
            "cannot connect to postgres://app:****@127.0.0.1:{port}/db?sslmode=disable: \
             no answer from the server within 2s (connect_timeout)"
        )
    );
    silent.abort();
}
