//! Applying migrations with their rows: transactional and not, success and failure, Flyway's
//! search_path, Prisma's row lifecycle.

use runbook_migrate::{Checksum, Format, Migration};
use runbook_postgres::migrate::{Applied, TransactionMode, apply, create_history, read_history};
use runbook_postgres::{ApplyFailed, NoopObserver, Session};
use runbook_testkit::postgres::{TestDb, create_database};

use super::{Set, opener, rows, value};

/// A fresh database named after `name` with `set`'s history table, and a session on it.
async fn prepared(name: &str, set: &Set) -> (TestDb, Session) {
    let db = create_database(name);
    let session = db.connect().await;
    create_history(&session, &set.config, "deployer")
        .await
        .unwrap();
    (db, session)
}

/// Applies `migration` of `set` at `rank`, installed by `deployer`, as the engine calls it.
async fn run(
    session: &mut Session,
    set: &Set,
    migration: &Migration,
    rank: i64,
) -> Result<Applied, ApplyFailed> {
    apply(
        session,
        &set.config,
        migration,
        &mut opener(&set.config, migration),
        rank,
        "deployer",
        &mut NoopObserver,
    )
    .await
}

#[tokio::test]
async fn a_transactional_migration_commits_with_its_row_in_the_configured_schema() {
    let set = Set::new(
        Format::Flyway,
        Some("app"),
        &[(
            "V0001_1__create_widget.sql",
            "CREATE TABLE widget (id int);\nINSERT INTO widget VALUES (1), (2);\n",
        )],
    );
    let (_db, mut session) = prepared("migrate_apply_tx", &set).await;
    let migration = set.migration("V0001_1__create_widget.sql");
    let path_before = value(&session, "SHOW search_path").await;
    let applied = run(&mut session, &set, &migration, 1).await.unwrap();
    assert_eq!(applied.mode, TransactionMode::Transactional);
    assert_eq!(applied.summary.statements, 2);
    assert!(applied.notes.is_empty(), "{:?}", applied.notes);
    // Flyway puts the default schema first on the search_path: the unqualified table is there.
    assert_eq!(
        value(&session, "SELECT count(*) FROM app.widget").await,
        Some("2".to_owned())
    );
    assert_eq!(value(&session, "SHOW search_path").await, path_before);
    let history = read_history(&session, &set.config).await.unwrap().unwrap();
    // The schema marker (rank 0) and the migration's row.
    assert_eq!(history.len(), 2);
    let row = &history[1];
    assert_eq!(row, &applied.row);
    assert_eq!(row.rank, 1);
    assert_eq!(row.version.as_deref(), Some("0001.1"));
    assert_eq!(row.description, "create widget");
    assert_eq!(row.kind, "SQL");
    assert_eq!(row.script, "V0001_1__create_widget.sql");
    assert_eq!(row.checksum, Some(migration.checksum.clone()));
    assert!(matches!(row.checksum, Some(Checksum::Crc32(_))));
    assert_eq!(row.installed_by.as_deref(), Some("deployer"));
    assert!(row.installed_on.is_some());
    assert!(row.success);
}

#[tokio::test]
async fn a_failed_transactional_migration_leaves_neither_objects_nor_row() {
    let set = Set::new(
        Format::Flyway,
        Some("app"),
        &[(
            "V2__half.sql",
            "CREATE TABLE half (id int);\nINSERT INTO nowhere VALUES (1);\n",
        )],
    );
    let (_db, mut session) = prepared("migrate_apply_tx_fail", &set).await;
    let migration = set.migration("V2__half.sql");
    let failed = run(&mut session, &set, &migration, 1).await.unwrap_err();
    assert!(failed.rolled_back);
    assert!(failed.row.is_none());
    let message = failed.to_string();
    assert!(message.contains("V2__half.sql:2:"), "{message}");
    assert!(message.contains("42P01"), "{message}");
    assert_eq!(
        value(&session, "SELECT to_regclass('app.half')::text").await,
        None
    );
    let history = read_history(&session, &set.config).await.unwrap().unwrap();
    assert!(history.iter().all(|r| r.kind == "SCHEMA"), "{history:?}");
    // The session is usable and outside any transaction.
    assert_eq!(
        value(
            &session,
            "SELECT transaction_timestamp() = statement_timestamp()"
        )
        .await,
        Some("t".to_owned())
    );
}

#[tokio::test]
async fn concurrently_runs_without_a_transaction_and_a_failure_leaves_a_failed_row() {
    let set = Set::new(
        Format::Flyway,
        Some("app"),
        &[
            (
                "V1__index.sql",
                "CREATE TABLE t (id int);\n\nCREATE INDEX CONCURRENTLY t_id ON t (id);\n",
            ),
            (
                "V2__broken.sql",
                "CREATE TABLE kept (id int);\nCREATE INDEX CONCURRENTLY bad ON missing (id);\nCREATE TABLE never (id int);\n",
            ),
        ],
    );
    let (_db, mut session) = prepared("migrate_apply_nontx", &set).await;
    let first = set.migration("V1__index.sql");
    let applied = run(&mut session, &set, &first, 1).await.unwrap();
    let TransactionMode::NonTransactional(reason) = &applied.mode else {
        panic!("{:?}", applied.mode)
    };
    assert_eq!(reason.line, 3);
    assert!(applied.notes[0].contains("line 3"), "{:?}", applied.notes);
    assert!(
        applied.notes[0].contains("CONCURRENTLY"),
        "{:?}",
        applied.notes
    );
    assert_eq!(
        value(&session, "SELECT to_regclass('app.t_id')::text").await,
        Some("app.t_id".to_owned())
    );
    assert!(applied.row.success);

    let second = set.migration("V2__broken.sql");
    let failed = run(&mut session, &set, &second, 2).await.unwrap_err();
    assert!(!failed.rolled_back);
    // What Flyway writes for a failed non-transactional migration: success = false, with
    // its checksum and execution time.
    let row = failed.row.as_ref().expect("a failed row");
    assert!(!row.success);
    assert_eq!(row.rank, 2);
    assert_eq!(row.checksum, Some(second.checksum.clone()));
    assert_eq!(
        value(&session, "SELECT to_regclass('app.kept')::text").await,
        Some("app.kept".to_owned())
    );
    assert_eq!(
        value(&session, "SELECT to_regclass('app.never')::text").await,
        None
    );
    let stored = rows(
        &session,
        "SELECT installed_rank, script, success FROM app.flyway_schema_history ORDER BY 1",
    )
    .await;
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        stored,
        [
            vec![s("0"), s("\"app\""), s("t")],
            vec![s("1"), s("V1__index.sql"), s("t")],
            vec![s("2"), s("V2__broken.sql"), s("f")],
        ]
    );
}

#[tokio::test]
async fn a_script_that_leaves_its_transaction_open_fails() {
    let set = Set::new(
        Format::Plain,
        None,
        &[("1_open.sql", "BEGIN;\nCREATE TABLE dangling (id int);\n")],
    );
    let (_db, mut session) = prepared("migrate_apply_open", &set).await;
    let migration = set.migration("1_open.sql");
    let failed = run(&mut session, &set, &migration, 1).await.unwrap_err();
    assert!(
        failed.to_string().contains("BEGIN without COMMIT"),
        "{failed}"
    );
    assert_eq!(
        value(&session, "SELECT to_regclass('dangling')::text").await,
        None
    );
    assert!(!failed.row.expect("a failed row").success);
}

#[tokio::test]
async fn prisma_rows_follow_prisma_s_lifecycle() {
    let set = Set::new(
        Format::Prisma,
        None,
        &[
            (
                "20240101000000_init/migration.sql",
                "-- CreateTable\nCREATE TABLE \"User\" (id int PRIMARY KEY);\n",
            ),
            (
                "20240102000000_broken/migration.sql",
                "CREATE TABLE partial (id int);\nINSERT INTO \"User\" VALUES ('x');\n",
            ),
        ],
    );
    let (_db, mut session) = prepared("migrate_apply_prisma", &set).await;
    let init = set.migration("20240101000000_init");
    let applied = run(&mut session, &set, &init, 1).await.unwrap();
    let p = applied.row.prisma.clone().expect("prisma columns");
    assert_eq!(p.applied_steps_count, 1);
    assert_eq!(p.logs, None);
    assert!(p.finished_at.is_some());
    assert_eq!(p.id.len(), 36);
    assert_eq!(p.checksum, init.checksum.to_string());
    assert_eq!(p.checksum.len(), 64);
    assert_eq!(applied.row.script, "20240101000000_init");
    assert!(applied.row.success);
    let order = value(
        &session,
        "SELECT started_at <= finished_at FROM _prisma_migrations",
    )
    .await;
    assert_eq!(order, Some("t".to_owned()));

    let broken = set.migration("20240102000000_broken");
    let failed = run(&mut session, &set, &broken, 2).await.unwrap_err();
    let row = failed.row.expect("the started row stays");
    assert!(row.prisma_failed());
    let p = row.prisma.unwrap();
    assert_eq!(p.applied_steps_count, 0);
    let logs = p.logs.unwrap();
    assert!(
        logs.contains("Migration name: 20240102000000_broken"),
        "{logs}"
    );
    assert!(logs.contains("Database error code: 22P02"), "{logs}");
    // The script ran in one transaction, as Prisma's single query does: nothing of it is left.
    assert_eq!(
        value(&session, "SELECT to_regclass('partial')::text").await,
        None
    );
    let history = read_history(&session, &set.config).await.unwrap().unwrap();
    assert_eq!(history.len(), 2);
    assert!(history[0].success && history[1].prisma_failed());
}

#[tokio::test]
async fn the_search_path_during_a_migration_is_flyway_s() {
    let set = Set::new(
        Format::Flyway,
        Some("app"),
        &[
            (
                "V1__seen.sql",
                "CREATE TABLE seen AS SELECT current_setting('search_path') AS p;\nSET search_path = nowhere;\n",
            ),
            (
                "V2__again.sql",
                "INSERT INTO seen SELECT current_setting('search_path');\n",
            ),
        ],
    );
    let (_db, mut session) = prepared("migrate_apply_path", &set).await;
    let original = value(&session, "SHOW search_path").await.unwrap();
    for (rank, script) in [(1, "V1__seen.sql"), (2, "V2__again.sql")] {
        if rank == 2 {
            // Already first: Flyway leaves it alone (PostgreSQLConnection.changeCurrentSchemaTo).
            session
                .execute("SET search_path = app, public")
                .await
                .unwrap();
        }
        let migration = set.migration(script);
        run(&mut session, &set, &migration, rank).await.unwrap();
    }
    let seen = rows(&session, "SELECT p FROM app.seen").await;
    assert_eq!(
        seen,
        [
            vec![Some(format!("\"app\",{original}"))],
            vec![Some("app, public".to_owned())]
        ]
    );
    // The migration's own SET does not outlive it.
    assert_eq!(
        value(&session, "SHOW search_path").await.as_deref(),
        Some("app, public")
    );
}
