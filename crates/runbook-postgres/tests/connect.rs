//! Connecting: where it went, what failed, and that no password leaks on the way.

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
