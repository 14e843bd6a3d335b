//! History tables: created as the tools create them, read back as the tools wrote them, the
//! emptiness test, and repair/resolve changes.

use runbook_migrate::{Checksum, Config, Format, HistoryChange};
use runbook_postgres::Session;
use runbook_postgres::migrate::{
    self, SCHEMA_MARKER_DESCRIPTION, apply_changes, create_history, read_history, schema_is_empty,
};
use runbook_testkit::postgres::{create_database, normalize_dump, pg_dump};

use super::{Set, rows, value};

/// Flyway 13's `PostgreSQLDatabase.getRawCreateScript(table, false)` without a tablespace, as
/// the Java builds it (flyway-database-postgresql, `PostgreSQLDatabase.java`), for the table
/// `"app"."flyway_schema_history"`; identical to 5.x's `createMetaDataTable.sql`.
const FLYWAY_DDL: &str = "CREATE TABLE \"app\".\"flyway_schema_history\" (\n    \"installed_rank\" INT NOT NULL,\n    \"version\" VARCHAR(50),\n    \"description\" VARCHAR(200) NOT NULL,\n    \"type\" VARCHAR(20) NOT NULL,\n    \"script\" VARCHAR(1000) NOT NULL,\n    \"checksum\" INTEGER,\n    \"installed_by\" VARCHAR(100) NOT NULL,\n    \"installed_on\" TIMESTAMP NOT NULL DEFAULT now(),\n    \"execution_time\" INTEGER NOT NULL,\n    \"success\" BOOLEAN NOT NULL\n);\nALTER TABLE \"app\".\"flyway_schema_history\" ADD CONSTRAINT \"flyway_schema_history_pk\" PRIMARY KEY (\"installed_rank\");\nCREATE INDEX \"flyway_schema_history_s_idx\" ON \"app\".\"flyway_schema_history\" (\"success\");";

/// prisma-engines `schema-engine/connectors/sql-schema-connector/src/flavour/postgres.rs`,
/// `create_migrations_table`, after `indoc!`.
const PRISMA_DDL: &str = "CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
";

fn table_dump(spec: &runbook_postgres::ConnectionSpec, table: &str) -> String {
    let dump = pg_dump(spec, &["--schema-only", "-t", table]);
    normalize_dump(&String::from_utf8_lossy(&dump))
}

fn flyway_config(schema: &str) -> Config {
    let mut config = Config::new(Format::Flyway);
    config.schema = Some(schema.to_owned());
    config
}

#[tokio::test]
async fn the_flyway_table_is_the_one_flyways_ddl_makes() {
    let ours = create_database("migrate_ddl_ours");
    let session = ours.connect().await;
    let created = create_history(&session, &flyway_config("app"), "deployer")
        .await
        .unwrap();
    assert_eq!(created.schemas, ["app"]);
    assert!(created.table);

    let theirs = create_database("migrate_ddl_flyway");
    let flyway = theirs.connect().await;
    flyway.execute("CREATE SCHEMA \"app\"").await.unwrap();
    for statement in FLYWAY_DDL.split(";\n") {
        flyway.execute(statement).await.unwrap();
    }
    let table = "\"app\".\"flyway_schema_history\"";
    let ours_dump = table_dump(&ours.spec, table);
    assert!(
        ours_dump.contains("flyway_schema_history_s_idx"),
        "{ours_dump}"
    );
    assert_eq!(ours_dump, table_dump(&theirs.spec, table));

    // Flyway writes its schema-creation marker when it created the schema (DbSchemas.create,
    // SchemaHistory.addSchemasMarker): rank 0, the quoted schema as script.
    let marker = rows(
        &session,
        "SELECT installed_rank, version, description, type, script, checksum, installed_by, \
         execution_time, success FROM app.flyway_schema_history",
    )
    .await;
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        marker,
        [vec![
            s("0"),
            None,
            s(SCHEMA_MARKER_DESCRIPTION),
            s("SCHEMA"),
            s("\"app\""),
            None,
            s("deployer"),
            s("0"),
            s("t")
        ]]
    );

    // A second call finds everything in place.
    let again = create_history(&session, &flyway_config("app"), "deployer")
        .await
        .unwrap();
    assert!(again.schemas.is_empty() && !again.table && again.marker.is_none());
}

#[tokio::test]
async fn an_existing_schema_gets_the_table_and_no_marker() {
    let db = create_database("migrate_ddl_existing");
    let session = db.connect().await;
    session.execute("CREATE SCHEMA app").await.unwrap();
    let created = create_history(&session, &flyway_config("app"), "x")
        .await
        .unwrap();
    assert!(created.schemas.is_empty() && created.table && created.marker.is_none());
    assert_eq!(
        read_history(&session, &flyway_config("app")).await.unwrap(),
        Some(Vec::new())
    );
}

#[tokio::test]
async fn the_prisma_table_is_the_one_prismas_ddl_makes() {
    let ours = create_database("migrate_prisma_ours");
    let session = ours.connect().await;
    let config = Config::new(Format::Prisma);
    assert_eq!(read_history(&session, &config).await.unwrap(), None);
    create_history(&session, &config, "x").await.unwrap();
    let theirs = create_database("migrate_prisma_theirs");
    theirs.connect().await.execute(PRISMA_DDL).await.unwrap();
    let table = "public._prisma_migrations";
    let dump = table_dump(&ours.spec, table);
    assert!(dump.contains("_prisma_migrations_pkey"), "{dump}");
    assert_eq!(dump, table_dump(&theirs.spec, table));
    assert_eq!(
        read_history(&session, &config).await.unwrap(),
        Some(Vec::new())
    );
}

#[tokio::test]
async fn a_history_flyway_wrote_is_read_back() {
    let db = create_database("migrate_read_flyway");
    let session = db.connect().await;
    session.execute("CREATE SCHEMA app").await.unwrap();
    for statement in FLYWAY_DDL.split(";\n") {
        session.execute(statement).await.unwrap();
    }
    // Rows in the shape Flyway writes them (JdbcTableSchemaHistory, getBaselineStatement,
    // addSchemasMarker); checksums are real ones from Flyway's docs and a Flyway database.
    session
        .execute(
            "INSERT INTO app.flyway_schema_history VALUES \
             (0, NULL, '<< Flyway Schema Creation >>', 'SCHEMA', '\"app\"', NULL, 'flyway', '2024-05-01 10:00:00', 0, true), \
             (1, '0', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL, 'flyway', '2024-05-01 10:00:01', 0, true), \
             (2, '0001', 'init', 'SQL', 'V0001__init.sql', 1738658883, 'flyway', '2024-05-01 10:00:02', 12, true), \
             (3, '0227.1', 'couple', 'SQL', 'sub/V0227_1__couple.sql', -722651034, 'flyway', '2024-05-01 10:00:03', 7, false), \
             (4, NULL, 'my view', 'SQL', 'R__my_view.sql', -604825677, 'flyway', '2024-05-01 10:00:04', 3, true)",
        )
        .await
        .unwrap();
    let history = read_history(&session, &flyway_config("app"))
        .await
        .unwrap()
        .expect("the table exists");
    assert_eq!(history.len(), 5);
    assert_eq!(history[0].kind, "SCHEMA");
    assert_eq!(history[0].rank, 0);
    assert_eq!(history[0].version, None);
    assert_eq!(history[0].script, "\"app\"");
    assert_eq!(history[1].kind, "BASELINE");
    assert_eq!(history[1].version.as_deref(), Some("0"));
    assert_eq!(history[1].checksum, None);
    let init = &history[2];
    assert_eq!(
        (
            init.rank,
            init.version.as_deref(),
            init.description.as_str()
        ),
        (2, Some("0001"), "init")
    );
    assert_eq!(init.checksum, Some(Checksum::Crc32(1738658883)));
    assert_eq!(init.installed_by.as_deref(), Some("flyway"));
    assert_eq!(init.installed_on.as_deref(), Some("2024-05-01 10:00:02"));
    assert_eq!(init.execution_time_ms, Some(12));
    assert!(init.success);
    assert_eq!(history[3].checksum, Some(Checksum::Crc32(-722651034)));
    assert_eq!(history[3].script, "sub/V0227_1__couple.sql");
    assert!(!history[3].success);
    assert_eq!(history[4].version, None);
    assert_eq!(history[4].description, "my view");
    assert!(history.iter().all(|row| row.prisma.is_none()));
}

#[tokio::test]
async fn a_history_prisma_wrote_is_read_back_in_started_at_order() {
    let db = create_database("migrate_read_prisma");
    let session = db.connect().await;
    session.execute(PRISMA_DDL).await.unwrap();
    // Rows as Prisma leaves them: applied (logs NULL, 1 step), failed (logs, no finished_at),
    // and a failed one resolved as rolled back; inserted out of order.
    session
        .execute(
            "INSERT INTO _prisma_migrations VALUES \
             ('9a0c2f6e-41b4-4e0e-9a43-6d7f3f1c0002', 'dc3a90325122f80dba9aa62df55f76c618bcd8b29ffbd18f0d5d962253d5ab82', NULL, '20250119025347_test', 'A migration failed to apply.', NULL, '2025-01-19 02:53:47.1+00', 0), \
             ('9a0c2f6e-41b4-4e0e-9a43-6d7f3f1c0001', '5cfc6e0f347a040cc9e6f05dcefe3864f2d9a06330b3db3309e100d4ffbaee9b', '2025-01-18 04:18:38.045878+00', '20250118041838_updated', NULL, NULL, '2025-01-18 04:18:38.033669+00', 1), \
             ('9a0c2f6e-41b4-4e0e-9a43-6d7f3f1c0003', 'dc3a90325122f80dba9aa62df55f76c618bcd8b29ffbd18f0d5d962253d5ab82', NULL, '20250119025347_test', 'x', '2025-01-20 00:00:00+00', '2025-01-19 01:00:00+00', 0)",
        )
        .await
        .unwrap();
    let history = read_history(&session, &Config::new(Format::Prisma))
        .await
        .unwrap()
        .expect("the table exists");
    let names: Vec<(&str, i64, bool)> = history
        .iter()
        .map(|r| (r.script.as_str(), r.rank, r.success))
        .collect();
    assert_eq!(
        names,
        [
            ("20250118041838_updated", 1, true),
            ("20250119025347_test", 2, false),
            ("20250119025347_test", 3, false),
        ]
    );
    let applied = history[0].prisma.as_ref().unwrap();
    assert_eq!(applied.applied_steps_count, 1);
    assert_eq!(applied.logs, None);
    assert!(applied.finished_at.is_some());
    assert_eq!(
        history[0].checksum,
        Some(Checksum::Sha256(
            "5cfc6e0f347a040cc9e6f05dcefe3864f2d9a06330b3db3309e100d4ffbaee9b".to_owned()
        ))
    );
    assert!(history[1].prisma_rolled_back());
    assert!(history[2].prisma_failed());
    assert_eq!(
        history[2].prisma.as_ref().unwrap().logs.as_deref(),
        Some("A migration failed to apply.")
    );
}

/// Whether `schema` is empty as `format`'s tool judges it.
async fn empty(session: &Session, format: Format, schema: &str) -> bool {
    schema_is_empty(session, format, schema).await.unwrap()
}

#[tokio::test]
async fn emptiness_counts_what_flyway_counts() {
    let db = create_database("migrate_empty");
    let session = db.connect().await;
    assert!(empty(&session, Format::Flyway, "nowhere").await);
    session.execute("CREATE SCHEMA app").await.unwrap();
    assert!(empty(&session, Format::Flyway, "app").await);
    session
        .execute("CREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'SELECT 1'")
        .await
        .unwrap();
    // Flyway counts a function; Prisma only tables.
    assert!(!empty(&session, Format::Flyway, "app").await);
    assert!(empty(&session, Format::Prisma, "app").await);
    session
        .execute("CREATE TABLE app.t (id int)")
        .await
        .unwrap();
    assert!(!empty(&session, Format::Prisma, "app").await);
    session.execute("CREATE SCHEMA other").await.unwrap();
    session
        .execute("CREATE TYPE other.mood AS ENUM ('a')")
        .await
        .unwrap();
    assert!(!empty(&session, Format::Flyway, "other").await);
}

#[tokio::test]
async fn repair_removes_failed_rows_realigns_and_marks_deleted() {
    let db = create_database("migrate_repair");
    let session = db.connect().await;
    let set = Set::new(
        Format::Flyway,
        Some("app"),
        &[("V1__one.sql", "SELECT 1;\n")],
    );
    session.execute("CREATE SCHEMA app").await.unwrap();
    create_history(&session, &set.config, "deployer")
        .await
        .unwrap();
    session
        .execute(
            "INSERT INTO app.flyway_schema_history (installed_rank, version, description, type, \
             script, checksum, installed_by, execution_time, success) VALUES \
             (1, '1', 'old name', 'SQL', 'V1__one.sql', 42, 'u', 1, true), \
             (2, '2', 'two', 'SQL', 'V2__two.sql', 7, 'u', 1, false), \
             (3, '3', 'three', 'SQL', 'V3__three.sql', 8, 'u', 1, true)",
        )
        .await
        .unwrap();
    let resolved = set.resolved();
    let history = read_history(&session, &set.config).await.unwrap().unwrap();
    let file_checksum = resolved.migrations[0].checksum.clone();
    let mut deleted = history[2].clone();
    deleted.rank = 4;
    deleted.kind = "DELETE".to_owned();
    deleted.installed_by = None;
    let changes = vec![
        HistoryChange::DeleteFailed {
            rank: 2,
            script: "V2__two.sql".to_owned(),
        },
        HistoryChange::MarkDeleted {
            row: Box::new(deleted),
        },
        HistoryChange::Realign {
            rank: 1,
            script: "V1__one.sql".to_owned(),
            checksum: (Some(Checksum::Crc32(42)), file_checksum.clone()),
            description: Some(("old name".to_owned(), "one".to_owned())),
        },
    ];
    let done = apply_changes(&session, &set.config, &resolved, &changes)
        .await
        .unwrap();
    assert_eq!(done.len(), 3, "{done:?}");
    assert!(
        done[2].contains(&format!("42 -> {file_checksum}")),
        "{done:?}"
    );
    let after = rows(
        &session,
        "SELECT installed_rank, description, type, checksum::text, success, installed_by = current_user \
         FROM app.flyway_schema_history ORDER BY installed_rank",
    )
    .await;
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        after,
        [
            vec![
                s("1"),
                s("one"),
                s("SQL"),
                s(&file_checksum.to_string()),
                s("t"),
                s("f")
            ],
            vec![s("3"), s("three"), s("SQL"), s("8"), s("t"), s("f")],
            vec![s("4"), s("three"), s("DELETE"), s("8"), s("t"), s("t")],
        ]
    );

    // A change that no longer matches (the failed row is gone) changes nothing at all.
    let mut marker = history[2].clone();
    marker.rank = 5;
    marker.kind = "DELETE".to_owned();
    let stale = vec![
        HistoryChange::MarkDeleted {
            row: Box::new(marker),
        },
        HistoryChange::DeleteFailed {
            rank: 2,
            script: "V2__two.sql".to_owned(),
        },
    ];
    let error = apply_changes(&session, &set.config, &resolved, &stale)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("matched 0 rows"), "{error}");
    assert_eq!(
        value(&session, "SELECT count(*) FROM app.flyway_schema_history").await,
        Some("3".to_owned())
    );
}

#[tokio::test]
async fn prisma_resolve_marks_rolled_back_and_applied() {
    let db = create_database("migrate_resolve");
    let session = db.connect().await;
    let set = Set::new(
        Format::Prisma,
        None,
        &[(
            "20240101000000_init/migration.sql",
            "CREATE TABLE t (id int);\n",
        )],
    );
    create_history(&session, &set.config, "x").await.unwrap();
    session
        .execute(
            "INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, started_at) \
             VALUES ('00000000-0000-4000-8000-000000000001', 'abc', '20240101000000_init', 'boom', now())",
        )
        .await
        .unwrap();
    let resolved = set.resolved();
    let history = read_history(&session, &set.config).await.unwrap().unwrap();
    let changes =
        runbook_migrate::resolve_applied(&set.config, &resolved, &history, "20240101000000_init")
            .unwrap();
    let done = apply_changes(&session, &set.config, &resolved, &changes)
        .await
        .unwrap();
    assert_eq!(done.len(), 2, "{done:?}");
    let after = read_history(&session, &set.config).await.unwrap().unwrap();
    assert_eq!(after.len(), 2);
    let old = after
        .iter()
        .find(|r| r.prisma.as_ref().unwrap().id == "00000000-0000-4000-8000-000000000001")
        .unwrap();
    assert!(old.prisma_rolled_back());
    let new = after.iter().find(|r| r.success).expect("an applied row");
    let p = new.prisma.as_ref().unwrap();
    // Prisma's mark_migration_applied: logs '', started_at = finished_at, no steps counted.
    assert_eq!(p.logs.as_deref(), Some(""));
    assert_eq!(p.finished_at.as_deref(), Some(p.started_at.as_str()));
    assert_eq!(p.applied_steps_count, 0);
    assert_eq!(p.checksum, resolved.migrations[0].checksum.to_string());
    assert_eq!(p.id.len(), 36);
    // The migration itself did not run.
    assert_eq!(value(&session, "SELECT to_regclass('t')::text").await, None);
    let _ = migrate::history_table(&session, &set.config).await.unwrap();
}
