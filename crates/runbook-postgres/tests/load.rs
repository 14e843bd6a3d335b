//! The loader against a real server: positions, error details, on_error, single transactions,
//! notices, COPY, meta-commands, cancellation.

use std::time::{Duration, Instant};

use runbook_postgres::{LoadOptions, OnError, ScriptErrorKind, Transaction};
use runbook_testkit::postgres::{create_database, pg_dump_normalized, psql_file_continue};

use crate::support::{load_text, value};

fn named(name: &str) -> LoadOptions {
    LoadOptions::named(name)
}

#[tokio::test]
async fn error_position_is_the_error_inside_the_file() {
    let db = create_database("load_position");
    let mut session = db.connect().await;
    let script = "-- one\n-- two\n-- three\n-- four\nCREATE TABLE t (\n    id integer,\n    created_at integer  NUL,\n    note text\n);\n";
    let (result, recorder) = load_text(&mut session, script, &named("schema.sql")).await;
    let err = result.unwrap_err();
    let script_error = err.script_error().expect("a script error");
    assert_eq!(
        (script_error.position.line, script_error.position.column),
        (7, 25)
    );
    assert_eq!(script_error.sqlstate(), Some("42601"));
    assert_eq!(
        err.to_string(),
        "schema.sql:7:25: syntax error at or near \"NUL\" (SQLSTATE 42601)\n\
         LINE 7:     created_at integer  NUL,\n\
         \x20                               ^\n\
         STATEMENT (line 5):  CREATE TABLE t ( ..."
    );
    let ScriptErrorKind::Server(failure) = &script_error.kind else {
        panic!()
    };
    assert_eq!(failure.statement_start.line, 5);
    assert_eq!(recorder.errors, [err.to_string()]);
}

#[tokio::test]
async fn detail_hint_and_context_are_reported() {
    let db = create_database("load_detail");
    let mut session = db.connect().await;
    let script = "SELECT 1;\nDO $$ BEGIN\n  RAISE EXCEPTION 'boom' USING DETAIL = 'the detail', HINT = 'the hint';\nEND $$;\n";
    let (result, _) = load_text(&mut session, script, &named("d.sql")).await;
    assert_eq!(
        result.unwrap_err().to_string(),
        "d.sql:2:1: boom (SQLSTATE P0001)\n\
         DETAIL:  the detail\n\
         HINT:  the hint\n\
         CONTEXT:  PL/pgSQL function inline_code_block line 2 at RAISE\n\
         STATEMENT:  DO $$ BEGIN ..."
    );
}

#[tokio::test]
async fn caret_follows_tabs_and_ignores_carriage_returns() {
    let db = create_database("load_caret");
    let mut session = db.connect().await;
    let script = "SELECT 1;\r\nSELECT\r\n\t1 +\tnope;\r\n";
    let (result, _) = load_text(&mut session, script, &named("crlf.sql")).await;
    assert_eq!(
        result.unwrap_err().to_string(),
        "crlf.sql:3:6: column \"nope\" does not exist (SQLSTATE 42703)\n\
         LINE 3: \t1 +\tnope;\n\
         \x20       \t   \t^\n\
         STATEMENT (line 2):  SELECT ..."
    );
}

#[tokio::test]
async fn on_error_continue_reports_every_error_and_ends_like_psql() {
    let script = "CREATE TABLE a (x int);\nINSERT INTO a VALUES (1);\nINSERT INTO missing VALUES (1);\n\
                  INSERT INTO a VALUES ('two');\nINSERT INTO a VALUES (3);\nCREATE TABLE b AS SELECT * FROM a;\n";
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("continue.sql");
    std::fs::write(&file, script).unwrap();
    let by_psql = create_database("load_continue_psql");
    let psql_errors = psql_file_continue(&by_psql.spec, &file);
    assert_eq!(psql_errors.matches("ERROR:").count(), 2, "{psql_errors}");

    let db = create_database("load_continue");
    let mut session = db.connect().await;
    let options = LoadOptions {
        on_error: OnError::Continue,
        ..named("continue.sql")
    };
    let (result, recorder) = load_text(&mut session, script, &options).await;
    let summary = result.unwrap();
    assert_eq!(summary.error_count, 2);
    let lines: Vec<String> = summary
        .errors
        .iter()
        .map(|e| e.to_string().split('\n').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        lines,
        [
            "continue.sql:3:13: relation \"missing\" does not exist (SQLSTATE 42P01)",
            "continue.sql:4:23: invalid input syntax for type integer: \"two\" (SQLSTATE 22P02)",
        ]
    );
    assert_eq!(recorder.errors.len(), 2);
    assert_eq!(summary.statements, 6);
    assert_eq!(
        pg_dump_normalized(&db.spec),
        pg_dump_normalized(&by_psql.spec)
    );
}

#[tokio::test]
async fn set_on_error_stop_in_the_script_switches_behaviour() {
    let db = create_database("load_set_stop");
    let mut session = db.connect().await;
    let script = "\\set ON_ERROR_STOP off\nSELECT nope;\nCREATE TABLE after_first (x int);\n\\set ON_ERROR_STOP on\nSELECT nope;\nCREATE TABLE after_second (x int);\n";
    let (result, _) = load_text(&mut session, script, &named("s.sql")).await;
    let err = result.unwrap_err();
    assert_eq!(err.script_error().unwrap().position.line, 5);
    assert_eq!(
        err.summary.errors.len(),
        1,
        "the first error was recorded and passed"
    );
    assert_eq!(
        value(&session, "SELECT to_regclass('after_first')::text")
            .await
            .as_deref(),
        Some("after_first")
    );
    assert_eq!(
        value(&session, "SELECT to_regclass('after_second')::text").await,
        None
    );
}

#[tokio::test]
async fn set_on_error_stop_without_a_value_turns_it_on_as_in_psql() {
    let script = "\\set ON_ERROR_STOP\nSELECT nope;\nCREATE TABLE after_error (x int);\n";
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bare.sql");
    std::fs::write(&file, script).unwrap();
    let by_psql = create_database("load_set_stop_bare_psql");
    psql_file_continue(&by_psql.spec, &file);
    let after = "SELECT to_regclass('after_error')::text";
    let psql_session = by_psql.connect().await;
    assert_eq!(value(&psql_session, after).await, None, "psql stopped");

    let db = create_database("load_set_stop_bare");
    let mut session = db.connect().await;
    let options = LoadOptions {
        on_error: OnError::Continue,
        ..named("bare.sql")
    };
    let (result, _) = load_text(&mut session, script, &options).await;
    let err = result.unwrap_err();
    assert_eq!(err.script_error().unwrap().position.line, 2);
    assert_eq!(value(&session, after).await, None);
}

#[tokio::test]
async fn set_on_error_stop_to_a_non_boolean_is_an_error_that_changes_nothing() {
    let db = create_database("load_set_stop_bad");
    let mut session = db.connect().await;
    let script = "\\set ON_ERROR_STOP maybe\nSELECT nope;\nCREATE TABLE after_maybe (x int);\n";
    let options = LoadOptions {
        on_error: OnError::Continue,
        ..named("bad.sql")
    };
    let (result, _) = load_text(&mut session, script, &options).await;
    let summary = result.unwrap();
    assert_eq!(summary.error_count, 2);
    assert_eq!(
        summary.errors[0].to_string(),
        "bad.sql:1:1: invalid value \"maybe\" for \\set ON_ERROR_STOP: expected on or off \
         (or true/false, yes/no, 1/0); the setting is unchanged"
    );
    assert_eq!(
        value(&session, "SELECT to_regclass('after_maybe')::text")
            .await
            .as_deref(),
        Some("after_maybe")
    );
    // With ON_ERROR_STOP already on, the bad \set itself stops the load (psql exits 3 there).
    let (result, _) = load_text(&mut session, script, &named("bad.sql")).await;
    assert_eq!(result.unwrap_err().script_error().unwrap().position.line, 1);
}

#[tokio::test]
async fn single_transaction_leaves_nothing_behind_on_error() {
    let db = create_database("load_single");
    let mut session = db.connect().await;
    let script = "CREATE TABLE kept (x int);\nINSERT INTO kept VALUES (1);\nSELECT 1/0;\n";
    let options = LoadOptions {
        transaction: Transaction::Single,
        on_error: OnError::Continue,
        ..named("one.sql")
    };
    let (result, recorder) = load_text(&mut session, script, &options).await;
    let err = result.unwrap_err();
    assert_eq!(err.script_error().unwrap().sqlstate(), Some("22012"));
    assert_eq!(recorder.statements.len(), 2);
    assert_eq!(
        value(&session, "SELECT to_regclass('kept')::text").await,
        None
    );

    // And without an error everything is committed at the end.
    let (result, _) = load_text(
        &mut session,
        "CREATE TABLE kept (x int);\nINSERT INTO kept VALUES (1);\n",
        &options,
    )
    .await;
    result.unwrap();
    assert_eq!(
        value(&session, "SELECT count(*) FROM kept")
            .await
            .as_deref(),
        Some("1")
    );
}

#[tokio::test]
async fn single_transaction_reports_a_failing_commit() {
    let db = create_database("load_commit");
    let mut session = db.connect().await;
    let script = "CREATE TABLE p (id int PRIMARY KEY);\n\
                  CREATE TABLE c (p int REFERENCES p DEFERRABLE INITIALLY DEFERRED);\n\
                  INSERT INTO c VALUES (1);\n";
    let options = LoadOptions {
        transaction: Transaction::Single,
        ..named("deferred.sql")
    };
    let (result, recorder) = load_text(&mut session, script, &options).await;
    let err = result.unwrap_err();
    assert_eq!(
        err.to_string(),
        "deferred.sql: COMMIT of the single transaction failed: insert or update on table \"c\" \
         violates foreign key constraint \"c_p_fkey\" (SQLSTATE 23503)"
    );
    assert_eq!(recorder.statements.len(), 3);
    assert_eq!(value(&session, "SELECT to_regclass('p')::text").await, None);
}

#[tokio::test]
async fn a_caller_owned_transaction_is_neither_ended_nor_left() {
    // A migration and its history row commit together: the loader runs inside the caller's
    // transaction and refuses what would end it, or what the server refuses inside one.
    let db = create_database("load_caller_tx");
    let mut session = db.connect().await;
    let options = LoadOptions {
        transaction: Transaction::Caller,
        on_error: OnError::Continue,
        ..named("m.sql")
    };
    for (script, refused) in [
        (
            "CREATE TABLE early (x int);\nCOMMIT;\nCREATE TABLE late (x int);\n",
            "COMMIT",
        ),
        (
            "CREATE TABLE early (x int);\nCREATE INDEX CONCURRENTLY i ON early (x);\n",
            "CREATE INDEX CONCURRENTLY",
        ),
        (
            "CREATE TABLE early (x int);\n\\connect postgres\n",
            "\\connect",
        ),
    ] {
        session.execute("BEGIN").await.unwrap();
        let (result, recorder) = load_text(&mut session, script, &options).await;
        let error = result.unwrap_err();
        let script_error = error.script_error().unwrap();
        assert_eq!(script_error.position.line, 2, "{script}");
        assert!(error.to_string().contains(refused), "{error}");
        assert_eq!(recorder.statements.len(), 1, "{script}");
        // Still the caller's transaction: its rollback takes the first statement back.
        session.execute("ROLLBACK").await.unwrap();
        assert_eq!(
            value(&session, "SELECT to_regclass('early')::text").await,
            None
        );
    }

    // A failed statement stops the load whatever on_error says, and the caller ends the
    // transaction; without one, the loader commits nothing itself.
    session.execute("BEGIN").await.unwrap();
    let (result, _) = load_text(
        &mut session,
        "CREATE TABLE t (x int);\nSELECT 1/0;\nSELECT 2;\n",
        &options,
    )
    .await;
    assert_eq!(result.unwrap_err().script_error().unwrap().position.line, 2);
    session.execute("ROLLBACK").await.unwrap();
    session.execute("BEGIN").await.unwrap();
    let (result, _) = load_text(
        &mut session,
        "CREATE TABLE t (x int);\nSAVEPOINT s;\nRELEASE s;\n",
        &options,
    )
    .await;
    result.unwrap();
    session.execute("ROLLBACK").await.unwrap();
    assert_eq!(value(&session, "SELECT to_regclass('t')::text").await, None);
}

#[tokio::test]
async fn statements_run_one_at_a_time_not_as_one_implicit_transaction() {
    // VACUUM cannot run inside a transaction block: it fails if statements are batched.
    let db = create_database("load_one_at_a_time");
    let mut session = db.connect().await;
    let (result, recorder) = load_text(
        &mut session,
        "CREATE TABLE v (x int);\nVACUUM v;\nCREATE INDEX CONCURRENTLY v_x ON v (x);\n",
        &named("v.sql"),
    )
    .await;
    result.unwrap();
    let tags: Vec<&str> = recorder.statements.iter().map(|s| s.tag.as_str()).collect();
    assert_eq!(tags, ["CREATE TABLE", "VACUUM", "CREATE INDEX"]);
}

#[tokio::test]
async fn notices_are_attached_to_their_statement() {
    let db = create_database("load_notice");
    let mut session = db.connect().await;
    let script = "SELECT 1;\nDO $$ BEGIN RAISE NOTICE 'hello from line %', 2; END $$;\nSELECT 3;\n";
    let (result, recorder) = load_text(&mut session, script, &named("n.sql")).await;
    result.unwrap();
    let notices: Vec<(u32, Vec<String>)> = recorder
        .statements
        .iter()
        .map(|s| {
            (
                s.line,
                s.notices.iter().map(|n| n.message.clone()).collect(),
            )
        })
        .collect();
    assert_eq!(
        notices,
        [
            (1, vec![]),
            (2, vec!["hello from line 2".to_owned()]),
            (3, vec![])
        ]
    );
}

#[tokio::test]
async fn copy_data_is_loaded_and_a_bad_row_reports_its_own_line_and_the_context() {
    let db = create_database("load_copy");
    let mut session = db.connect().await;
    let script = "CREATE TABLE c (a int, b text);\nCOPY c (a, b) FROM stdin;\n1\tone\n2\t\\N\n\\.\nSELECT count(*) FROM c;\n";
    let (result, recorder) = load_text(&mut session, script, &named("c.sql")).await;
    let summary = result.unwrap();
    assert_eq!(summary.rows_copied, 2);
    assert_eq!(recorder.statements[1].tag, "COPY");
    assert_eq!(recorder.statements[1].rows, Some(2));
    assert_eq!(
        value(&session, "SELECT count(*) FROM c WHERE b IS NULL")
            .await
            .as_deref(),
        Some("1")
    );

    let script =
        "COPY c (a, b) FROM stdin;\n3\tthree\nx\tbad\n\\.\nINSERT INTO c VALUES (9, 'after');\n";
    let options = LoadOptions {
        on_error: OnError::Continue,
        ..named("bad.sql")
    };
    let (result, _) = load_text(&mut session, script, &options).await;
    let summary = result.unwrap();
    assert_eq!(
        summary.errors[0].to_string(),
        "bad.sql:3:1: invalid input syntax for type integer: \"x\" (SQLSTATE 22P02)\n\
         CONTEXT:  COPY c, line 2, column a: \"x\"\n\
         STATEMENT (line 1):  COPY c (a, b) FROM stdin;"
    );
    // The failed COPY loaded nothing; the statement after it ran.
    assert_eq!(
        value(
            &session,
            "SELECT string_agg(a::text, ',' ORDER BY a) FROM c"
        )
        .await
        .as_deref(),
        Some("1,2,9")
    );
}

#[tokio::test]
async fn a_rejected_copy_statement_stops_the_load_and_leaves_a_usable_session() {
    let db = create_database("load_copy_rejected");
    let mut session = db.connect().await;
    let script =
        "COPY missing FROM stdin;\nDROP TABLE IF EXISTS x\n\\.\nCREATE TABLE after (x int);\n";
    let options = LoadOptions {
        on_error: OnError::Continue,
        ..named("skip.sql")
    };
    let (result, recorder) = load_text(&mut session, script, &options).await;
    let err = result.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "skip.sql:1:1: relation \"missing\" does not exist (SQLSTATE 42P01)\n\
             STATEMENT:  COPY missing FROM stdin;\nNOTE:  {}",
            runbook_postgres::errors::COPY_RESET_NOTE
        )
    );
    assert!(recorder.statements.is_empty());
    // The data lines were not run as SQL, nothing after the COPY ran, and the session works.
    assert_eq!(
        value(&session, "SELECT to_regclass('after')::text").await,
        None
    );
}

#[tokio::test]
async fn copy_to_stdout_goes_to_the_observer() {
    let db = create_database("load_copy_out");
    let mut session = db.connect().await;
    let (result, recorder) = load_text(
        &mut session,
        "COPY (SELECT g, 'x' FROM generate_series(1, 3) g) TO STDOUT;\n",
        &named("o.sql"),
    )
    .await;
    let summary = result.unwrap();
    assert_eq!(
        String::from_utf8(recorder.copy_out).unwrap(),
        "1\tx\n2\tx\n3\tx\n"
    );
    assert_eq!(summary.copy_out_bytes, 12);
    assert_eq!(recorder.statements[0].rows, Some(3));
}

#[tokio::test]
async fn cancel_stops_the_load_promptly() {
    let db = create_database("load_cancel");
    let mut session = db.connect().await;
    let handle = session.cancel_handle();
    let canceller = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        handle.cancel().await.unwrap();
    });
    let started = Instant::now();
    let script = "SELECT 1;\nSELECT pg_sleep(30);\nCREATE TABLE never (x int);\n";
    let (result, recorder) = load_text(&mut session, script, &named("slow.sql")).await;
    canceller.await.unwrap();
    let err = result.unwrap_err();
    assert!(err.is_cancelled());
    assert_eq!(err.to_string(), "slow.sql:2:1: cancelled");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(recorder.statements.len(), 1);
    session.cancel_handle().reset();
    assert_eq!(
        value(&session, "SELECT to_regclass('never')::text").await,
        None
    );
}

#[tokio::test]
async fn a_bom_is_skipped_and_mentioned_when_the_first_statement_fails() {
    let db = create_database("load_bom");
    let mut session = db.connect().await;
    let (result, _) = load_text(
        &mut session,
        "\u{feff}CREATE TABLE t (x int);\n",
        &named("bom.sql"),
    )
    .await;
    result.unwrap();
    let (result, _) = load_text(
        &mut session,
        "\u{feff}CREATE TABLE u (x int NUL);\nSELECT nope;\n",
        &named("bom.sql"),
    )
    .await;
    let message = result.unwrap_err().to_string();
    assert!(message.starts_with("bom.sql:1:"), "{message}");
    assert!(
        message.contains("syntax error at or near \"NUL\" (SQLSTATE 42601)"),
        "{message}"
    );
    assert!(
        message.ends_with(&format!("HINT:  {}", runbook_postgres::errors::BOM_HINT)),
        "{message}"
    );
    // Only the first statement gets the hint.
    let options = LoadOptions {
        on_error: OnError::Continue,
        ..named("bom.sql")
    };
    let (result, _) = load_text(&mut session, "\u{feff}SELECT 1;\nSELECT nope;\n", &options).await;
    let summary = result.unwrap();
    assert!(
        !summary.errors[0].to_string().contains("HINT"),
        "{}",
        summary.errors[0]
    );
}

#[tokio::test]
async fn connect_switches_database_and_is_refused_in_a_single_transaction() {
    let first = create_database("load_connect_a");
    let second = create_database("load_connect_b");
    let mut session = first.connect().await;
    let script = format!(
        "CREATE TABLE in_first (x int);\n\\connect {}\nCREATE TABLE in_second (x int);\n",
        second.name
    );
    let (result, recorder) = load_text(&mut session, &script, &named("c.sql")).await;
    result.unwrap();
    assert_eq!(recorder.connected, std::slice::from_ref(&second.name));
    let check = second.connect().await;
    assert_eq!(
        value(&check, "SELECT to_regclass('in_second')::text")
            .await
            .as_deref(),
        Some("in_second")
    );
    assert_eq!(
        value(&check, "SELECT to_regclass('in_first')::text").await,
        None
    );
    assert_eq!(session.spec().dbname(), second.name);

    let mut session = first.connect().await;
    let options = LoadOptions {
        transaction: Transaction::Single,
        ..named("c.sql")
    };
    let script = format!("SELECT 1;\n\\connect {}\n", second.name);
    let (result, _) = load_text(&mut session, &script, &options).await;
    assert_eq!(
        result.unwrap_err().to_string(),
        "c.sql:2:1: \\connect is not allowed in a single-transaction load: it would end the transaction"
    );
}

#[tokio::test]
async fn a_failed_connect_stops_even_when_continuing() {
    let db = create_database("load_connect_fail");
    let mut session = db.connect().await;
    let options = LoadOptions {
        on_error: OnError::Continue,
        ..named("c.sql")
    };
    let (result, _) = load_text(
        &mut session,
        "\\connect no_such_db_here\nCREATE TABLE wrong_place (x int);\n",
        &options,
    )
    .await;
    let message = result.unwrap_err().to_string();
    assert!(
        message.starts_with("c.sql:1:1: \\connect failed: cannot connect to postgres://"),
        "{message}"
    );
    assert!(
        message.ends_with("database \"no_such_db_here\" does not exist (SQLSTATE 3D000)"),
        "{message}"
    );
    assert_eq!(
        value(&session, "SELECT to_regclass('wrong_place')::text").await,
        None
    );
}

#[tokio::test]
async fn encoding_other_than_utf8_is_a_clear_error() {
    let db = create_database("load_encoding");
    let mut session = db.connect().await;
    let (result, _) = load_text(
        &mut session,
        "\\encoding UTF8\nSELECT 1;\n\\encoding LATIN1\nSELECT 2;\n",
        &named("e.sql"),
    )
    .await;
    assert_eq!(
        result.unwrap_err().to_string(),
        "e.sql:3:1: unsupported client encoding LATIN1 in \\encoding: only UTF8 is supported (convert the file to UTF-8, e.g. with iconv)"
    );
}

#[tokio::test]
async fn unsupported_meta_commands_are_errors_that_continue_can_skip() {
    let db = create_database("load_meta");
    let mut session = db.connect().await;
    let script =
        "\\echo starting\nSELECT 1;\n\\! rm -rf /tmp/nothing\nCREATE TABLE after (x int);\n";
    let (result, _) = load_text(&mut session, script, &named("m.sql")).await;
    assert_eq!(
        result.unwrap_err().to_string(),
        "m.sql:3:1: unsupported psql meta-command \\! (it would run a shell command)"
    );
    let options = LoadOptions {
        on_error: OnError::Continue,
        ..named("m.sql")
    };
    let (result, recorder) = load_text(&mut session, script, &options).await;
    assert_eq!(result.unwrap().error_count, 1);
    assert_eq!(recorder.echoes, [("starting".to_owned(), 1)]);
    assert_eq!(
        value(&session, "SELECT to_regclass('after')::text")
            .await
            .as_deref(),
        Some("after")
    );
}

#[tokio::test]
async fn progress_reaches_the_end_of_the_file() {
    let db = create_database("load_progress");
    let mut session = db.connect().await;
    let script = "SELECT 1;\nSELECT 2;\n";
    let (result, recorder) = load_text(&mut session, script, &named("p.sql")).await;
    assert_eq!(result.unwrap().bytes_read, script.len() as u64);
    assert_eq!(recorder.progress.last(), Some(&(script.len() as u64)));
}

#[tokio::test]
async fn durations_are_measured_per_statement() {
    let db = create_database("load_duration");
    let mut session = db.connect().await;
    let (result, recorder) = load_text(
        &mut session,
        "SELECT 1;\nSELECT pg_sleep(0.3);\n",
        &named("t.sql"),
    )
    .await;
    result.unwrap();
    assert!(recorder.statements[1].duration >= Duration::from_millis(300));
    assert!(recorder.statements[0].duration < Duration::from_millis(300));
}

/// A COPY of `rows` generated rows, produced as it is read: nothing holds the whole script.
struct GeneratedCopy {
    rows: u64,
    next: u64,
    pending: Vec<u8>,
    at: usize,
}

impl std::io::Read for GeneratedCopy {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // Fill the buffer as a file would.
        let mut filled = 0;
        while filled < buf.len() {
            let n = self.read_some(&mut buf[filled..])?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        Ok(filled)
    }
}

impl GeneratedCopy {
    fn read_some(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.pending.len() {
            self.pending.clear();
            self.at = 0;
            if self.next == 0 {
                self.pending.extend_from_slice(
                    b"CREATE TABLE big (id bigint, filler text);\nCOPY big FROM stdin;\n",
                );
            } else if self.next <= self.rows {
                let line = format!("{}\t{:0>90}\n", self.next, self.next);
                self.pending.extend_from_slice(line.as_bytes());
            } else if self.next == self.rows + 1 {
                self.pending.extend_from_slice(b"\\.\n");
            } else {
                return Ok(0);
            }
            self.next += 1;
        }
        let n = buf.len().min(self.pending.len() - self.at);
        buf[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .split('\n')
        .find(|l| l.starts_with("VmHWM:"))
        .unwrap();
    line.trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn copy_data_streams_in_bounded_memory() {
    let db = create_database("load_memory");
    let mut session = db.connect().await;
    let rows = 700_000; // about 70 MB of COPY data
    let reader = runbook_sql::ScriptReader::new(GeneratedCopy {
        rows,
        next: 0,
        pending: Vec::new(),
        at: 0,
    });
    let before = peak_rss_kib();
    let summary = session
        .load_script(
            reader,
            &named("generated.sql"),
            &mut runbook_postgres::NoopObserver,
        )
        .await
        .unwrap();
    let growth_mib = (peak_rss_kib() - before) / 1024;
    assert_eq!(summary.rows_copied, rows);
    assert!(
        summary.bytes_read > 64 * 1024 * 1024,
        "{}",
        summary.bytes_read
    );
    assert!(
        growth_mib < 24,
        "peak RSS grew by {growth_mib} MiB while loading {} MiB",
        summary.bytes_read >> 20
    );
}

#[tokio::test]
async fn a_copy_cut_off_at_end_of_file_fails_and_keeps_none_of_its_rows() {
    let db = create_database("load_copy_truncated");
    let mut session = db.connect().await;
    let script = "CREATE TABLE t (a int);\nCOPY public.t (a) FROM stdin;\n1\n2\n3";
    for single_transaction in [false, true] {
        let options = LoadOptions {
            transaction: if single_transaction {
                Transaction::Single
            } else {
                Transaction::None
            },
            on_error: OnError::Continue,
            ..named("dump.sql")
        };
        if single_transaction {
            session.execute("DROP TABLE t").await.unwrap();
        }
        let (result, _) = load_text(&mut session, script, &options).await;
        let err = result.unwrap_err();
        assert_eq!(
            err.to_string(),
            "dump.sql:5:2: COPY data for table public.t (dump.sql:2) ended at end of file \
             without \\. : the file looks truncated",
            "single_transaction: {single_transaction}"
        );
        // The rows that reached the server were discarded (CopyFail), not committed, and the
        // session is usable.
        if single_transaction {
            assert_eq!(value(&session, "SELECT to_regclass('t')::text").await, None);
        } else {
            assert_eq!(
                value(&session, "SELECT count(*) FROM t").await.as_deref(),
                Some("0")
            );
        }
    }
}

#[tokio::test]
async fn a_nul_byte_stops_the_load_at_its_position_before_anything_after_it_runs() {
    let db = create_database("load_nul");
    let mut session = db.connect().await;
    let script =
        "CREATE TABLE t (a int);\nINSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2)\0;\n";
    let options = LoadOptions {
        on_error: OnError::Continue,
        ..named("x.sql")
    };
    let (result, _) = load_text(&mut session, script, &options).await;
    assert_eq!(
        result.unwrap_err().to_string(),
        "x.sql:3:25: NUL byte: this is not a SQL script"
    );
    assert_eq!(
        value(&session, "SELECT string_agg(a::text, ',') FROM t")
            .await
            .as_deref(),
        Some("1")
    );
}
