//! Queries, notices, advisory locks and cancellation on a live session.

use std::time::{Duration, Instant};

use runbook_postgres::QueryError;
use runbook_testkit::postgres::create_database;

#[tokio::test]
async fn query_returns_text_values_and_column_names() {
    let db = create_database("session_query");
    let session = db.connect().await;
    let rows = session
        .query(
            "SELECT $1::int + 1 AS next, $2 AS word, NULL::text AS nothing, 2.50::numeric AS price, \
             true AS yes, '{\"a\": 1}'::jsonb AS doc, 12345678901::bigint AS big",
            &["41", "hello"],
        )
        .await
        .unwrap();
    assert_eq!(
        rows.columns,
        ["next", "word", "nothing", "price", "yes", "doc", "big"]
    );
    assert_eq!(
        rows.rows,
        [[
            Some("42".to_owned()),
            Some("hello".to_owned()),
            None,
            Some("2.50".to_owned()),
            Some("t".to_owned()),
            Some("{\"a\": 1}".to_owned()),
            Some("12345678901".to_owned()),
        ]]
    );
}

#[tokio::test]
async fn query_parameters_take_the_type_the_server_infers() {
    let db = create_database("session_infer");
    let session = db.connect().await;
    session
        .execute("CREATE TABLE t (id int, at date)")
        .await
        .unwrap();
    session
        .execute("INSERT INTO t VALUES (7, '2024-01-02')")
        .await
        .unwrap();
    let rows = session
        .query(
            "SELECT count(*) FROM t WHERE id = $1 AND at = $2",
            &["7", "2024-01-02"],
        )
        .await
        .unwrap();
    assert_eq!(rows.single_value(), Some(Some("1")));
}

#[tokio::test]
async fn query_allows_one_statement_only() {
    let db = create_database("session_one");
    let session = db.connect().await;
    let err = session.query("SELECT 1; SELECT 2", &[]).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot insert multiple commands into a prepared statement (SQLSTATE 42601)"
    );
}

#[tokio::test]
async fn a_wrong_number_of_parameters_is_an_error_not_a_panic() {
    let db = create_database("session_params");
    let session = db.connect().await;
    let err = session
        .query("SELECT $1::int + $2::int", &["1"])
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the query has 2 parameter(s) ($1, $2, ...) but 1 value(s) were given"
    );
}

#[tokio::test]
async fn unsupported_result_types_ask_for_a_cast() {
    let db = create_database("session_types");
    let session = db.connect().await;
    let err = session
        .query("SELECT now() AS started", &[])
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "column \"started\" has type timestamptz, which cannot be read as text here: cast it in the query (::text)"
    );
    let rows = session
        .query("SELECT '2024-01-02'::date::text AS d", &[])
        .await
        .unwrap();
    assert_eq!(rows.single_value(), Some(Some("2024-01-02")));
}

#[tokio::test]
async fn simple_query_returns_the_last_statements_rows() {
    let db = create_database("session_simple");
    let session = db.connect().await;
    let rows = session
        .simple_query("CREATE TABLE t (x int); INSERT INTO t VALUES (1), (2); SELECT x, x * 10 AS y FROM t ORDER BY x")
        .await
        .unwrap();
    assert_eq!(rows.columns, ["x", "y"]);
    assert_eq!(rows.rows.len(), 2);
    assert_eq!(rows.rows[1], [Some("2".to_owned()), Some("20".to_owned())]);
    assert_eq!(rows.rows_affected, Some(2));
    // A query that returns no rows still names its columns.
    let rows = session
        .simple_query("SELECT x FROM t WHERE false")
        .await
        .unwrap();
    assert_eq!(rows.columns, ["x"]);
    assert!(rows.rows.is_empty());
}

#[tokio::test]
async fn server_errors_carry_detail_hint_and_sqlstate() {
    let db = create_database("session_errors");
    let session = db.connect().await;
    session
        .execute("CREATE TABLE p (id int PRIMARY KEY); INSERT INTO p VALUES (1)")
        .await
        .unwrap();
    let err = session
        .execute("INSERT INTO p VALUES (1)")
        .await
        .unwrap_err();
    let QueryError::Server(message) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(message.code, "23505");
    assert_eq!(message.severity, "ERROR");
    assert_eq!(
        message.detail.as_deref(),
        Some("Key (id)=(1) already exists.")
    );
    assert_eq!(
        err.to_string(),
        "duplicate key value violates unique constraint \"p_pkey\" (SQLSTATE 23505)"
    );
    let err = session
        .execute("SELECT * FROM missing_table")
        .await
        .unwrap_err();
    assert_eq!(err.sqlstate(), Some("42P01"));
}

#[tokio::test]
async fn notices_come_back_with_their_statement() {
    let db = create_database("session_notices");
    let session = db.connect().await;
    let done = session
        .execute("DO $$ BEGIN RAISE NOTICE 'first %', 1; RAISE WARNING 'careful'; END $$")
        .await
        .unwrap();
    let texts: Vec<(&str, &str)> = done
        .notices
        .iter()
        .map(|n| (n.severity.as_str(), n.message.as_str()))
        .collect();
    assert_eq!(texts, [("NOTICE", "first 1"), ("WARNING", "careful")]);
    // The next statement starts with an empty inbox.
    let rows = session.simple_query("SELECT 1").await.unwrap();
    assert!(rows.notices.is_empty(), "{:?}", rows.notices);
}

#[tokio::test]
async fn advisory_locks_exclude_other_sessions() {
    let db = create_database("session_locks");
    let first = db.connect().await;
    let second = db.connect().await;
    assert!(first.try_advisory_lock(77433833903597).await.unwrap());
    assert!(!second.try_advisory_lock(77433833903597).await.unwrap());
    assert!(first.advisory_unlock(77433833903597).await.unwrap());
    assert!(second.try_advisory_lock(77433833903597).await.unwrap());
}

#[tokio::test]
async fn server_version_is_known_after_connect() {
    let db = create_database("session_version");
    let session = db.connect().await;
    let version = session.server_version();
    assert!(version.major() >= 13, "{version:?}");
    assert!(
        version.text.starts_with(&version.major().to_string()),
        "{version:?}"
    );
    assert!(session.standard_conforming_strings());
}

#[tokio::test]
async fn cancel_stops_a_running_statement_server_side() {
    let db = create_database("session_cancel");
    let session = db.connect().await;
    let handle = session.cancel_handle();
    let started = Instant::now();
    let canceller = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        handle.cancel().await.unwrap();
    });
    let err = session.execute("SELECT pg_sleep(30)").await.unwrap_err();
    canceller.await.unwrap();
    assert_eq!(err.sqlstate(), Some("57014"), "{err}");
    assert_eq!(
        err.to_string(),
        "canceling statement due to user request (SQLSTATE 57014)"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert!(session.cancel_handle().is_cancelled());
    // The session is still usable afterwards.
    let rows = session.simple_query("SELECT 1").await.unwrap();
    assert_eq!(rows.single_value(), Some(Some("1")));
}

#[tokio::test]
async fn floats_read_as_the_servers_own_text() {
    let db = create_database("session_floats");
    let session = db.connect().await;
    for literal in [
        "0.1::real",
        "2.71828::real",
        "1e6::real",
        "1.5e-7::real",
        "123456::real",
        "1e15::float8",
        "1e14::float8",
        "0.00001::float8",
        "0.1::float8 + 0.2::float8",
        "'-0'::float8",
        "123456789012345678::float8",
        "'-Infinity'::float8",
    ] {
        let rows = session
            .query(&format!("SELECT {literal}, ({literal})::text"), &[])
            .await
            .unwrap();
        let [binary, text] = rows.rows[0].as_slice() else {
            panic!("{rows:?}")
        };
        assert_eq!(binary, text, "{literal}");
    }
}

#[tokio::test]
async fn a_nul_byte_in_sql_text_is_not_reported_as_a_lost_connection() {
    let db = create_database("session_nul");
    let session = db.connect().await;
    let error = session.simple_query("SELECT 'a\0b'").await.unwrap_err();
    assert!(
        matches!(error, QueryError::Client { .. }),
        "{error:?}: the connection is fine"
    );
    assert_eq!(error.to_string(), "string contains embedded null");
    // And the session still works.
    let rows = session.simple_query("SELECT 1").await.unwrap();
    assert_eq!(rows.single_value(), Some(Some("1")));
}
