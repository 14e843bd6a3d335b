//! Reading and writing the history table: existence, rows, creation, inserts.
//!
//! Values go through typed parameters (INTEGER as `i32`, NULLs as `None`), never spliced into
//! the SQL, so a description with a quote or a backslash is stored as written whatever
//! `standard_conforming_strings` says.

use std::time::SystemTime;

use runbook_migrate::{Checksum, Config, Format, HistoryRow, PrismaRow};
use tokio_postgres::types::Type;

use super::MigrateDbError;
use super::ddl;
use super::table::{HistoryTable, history_table};
use super::typed::{self, Param};
use crate::errors::QueryError;
use crate::ident::quote_ident;
use crate::rows::Rows;
use crate::session::Session;

/// Flyway's marker row description (`SchemaHistory.addSchemasMarker`).
pub const SCHEMA_MARKER_DESCRIPTION: &str = "<< Flyway Schema Creation >>";

/// The history rows, in the order the tool reads them (Flyway: `installed_rank`; Prisma:
/// `started_at`), or `None` when the table does not exist.
pub async fn read_history(
    session: &Session,
    config: &Config,
) -> Result<Option<Vec<HistoryRow>>, MigrateDbError> {
    let table = history_table(session, config).await?;
    if !table_exists(session, &table).await? {
        return Ok(None);
    }
    read_rows(session, &table).await.map(Some)
}

pub(crate) async fn read_rows(
    session: &Session,
    table: &HistoryTable,
) -> Result<Vec<HistoryRow>, MigrateDbError> {
    let sql = match table.format {
        Format::Prisma => ddl::prisma_select(&table.schema, &table.table),
        Format::Flyway | Format::Plain => ddl::flyway_select(&table.schema, &table.table),
    };
    let rows = session
        .query(&sql, &[])
        .await
        .map_err(|e| MigrateDbError::query("read the history table", &table.display(), e))?;
    match table.format {
        Format::Prisma => prisma_rows(table, &rows),
        Format::Flyway | Format::Plain => flyway_rows(table, &rows),
    }
}

/// Whether `table` exists (as a table, partitioned table or view, as Flyway's JDBC metadata
/// lookup sees it).
pub async fn table_exists(session: &Session, table: &HistoryTable) -> Result<bool, MigrateDbError> {
    let rows = session
        .query(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v'))::text",
            &[&table.schema, &table.table],
        )
        .await
        .map_err(|e| MigrateDbError::query("look for the history table", &table.display(), e))?;
    Ok(rows.single_value().flatten() == Some("true"))
}

struct Cells<'a> {
    table: &'a HistoryTable,
    row: &'a [Option<String>],
    index: usize,
}

impl Cells<'_> {
    fn opt(&self, i: usize) -> Option<String> {
        self.row.get(i).cloned().flatten()
    }

    fn text(&self, i: usize, column: &'static str) -> Result<String, MigrateDbError> {
        self.opt(i)
            .ok_or_else(|| self.bad(column, "NULL".to_owned(), "a value"))
    }

    fn int(&self, i: usize, column: &'static str) -> Result<Option<i64>, MigrateDbError> {
        match self.opt(i) {
            None => Ok(None),
            Some(text) => text
                .parse()
                .map(Some)
                .map_err(|_| self.bad(column, text, "an integer")),
        }
    }

    fn bad(&self, column: &'static str, value: String, expected: &'static str) -> MigrateDbError {
        MigrateDbError::BadValue {
            table: self.table.display(),
            row: self.index + 1,
            column,
            value,
            expected,
        }
    }
}

fn flyway_rows(table: &HistoryTable, rows: &Rows) -> Result<Vec<HistoryRow>, MigrateDbError> {
    let mut out = Vec::with_capacity(rows.rows.len());
    for (index, row) in rows.rows.iter().enumerate() {
        let cells = Cells { table, row, index };
        let rank = cells
            .int(0, "installed_rank")?
            .ok_or_else(|| cells.bad("installed_rank", "NULL".to_owned(), "a rank"))?;
        let checksum = match cells.int(5, "checksum")? {
            None => None,
            Some(value) => Some(Checksum::Crc32(i32::try_from(value).map_err(|_| {
                cells.bad("checksum", value.to_string(), "a 32-bit integer")
            })?)),
        };
        out.push(HistoryRow {
            rank,
            version: cells.opt(1),
            description: cells.text(2, "description")?,
            kind: cells.text(3, "type")?,
            script: cells.text(4, "script")?,
            checksum,
            installed_by: cells.opt(6),
            installed_on: cells.opt(7),
            execution_time_ms: cells.int(8, "execution_time")?,
            success: cells.opt(9).as_deref() == Some("t"),
            prisma: None,
        });
    }
    Ok(out)
}

fn prisma_rows(table: &HistoryTable, rows: &Rows) -> Result<Vec<HistoryRow>, MigrateDbError> {
    let mut out = Vec::with_capacity(rows.rows.len());
    for (index, row) in rows.rows.iter().enumerate() {
        let cells = Cells { table, row, index };
        let name = cells.text(3, "migration_name")?;
        let prisma = PrismaRow {
            id: cells.text(0, "id")?,
            checksum: cells.text(1, "checksum")?,
            finished_at: cells.opt(2),
            logs: cells.opt(4),
            rolled_back_at: cells.opt(5),
            started_at: cells.text(6, "started_at")?,
            applied_steps_count: cells.int(7, "applied_steps_count")?.unwrap_or(0),
        };
        out.push(prisma_history_row(index, name, prisma));
    }
    Ok(out)
}

/// A `_prisma_migrations` row in the format-neutral shape: ranked by `started_at` order,
/// successful when finished and not rolled back.
fn prisma_history_row(index: usize, name: String, prisma: PrismaRow) -> HistoryRow {
    HistoryRow {
        rank: i64::try_from(index).unwrap_or(i64::MAX - 1) + 1,
        version: None,
        description: name.clone(),
        kind: "SQL".to_owned(),
        script: name,
        checksum: Some(Checksum::Sha256(prisma.checksum.clone())),
        installed_by: None,
        installed_on: Some(prisma.started_at.clone()),
        execution_time_ms: None,
        success: prisma.finished_at.is_some() && prisma.rolled_back_at.is_none(),
        prisma: Some(prisma),
    }
}

/// Whether `schema` holds nothing that would make Flyway refuse to migrate it without a
/// baseline. Flyway (`PostgreSQLSchema.doEmpty`, the query below verbatim but for `$n`): no
/// table, view, sequence or TOAST table, no type other than array and composite types, no
/// function, counting nothing an extension owns. Prisma (`initialize`, P3005): no table. A
/// schema that does not exist is empty.
pub async fn schema_is_empty(
    session: &Session,
    format: Format,
    schema: &str,
) -> Result<bool, MigrateDbError> {
    let sql = match format {
        Format::Flyway | Format::Plain => {
            "SELECT EXISTS (\n\
             \x20   SELECT c.oid FROM pg_catalog.pg_class c\n\
             \x20   JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\n\
             \x20   LEFT JOIN pg_catalog.pg_depend d ON d.objid = c.oid AND d.deptype = 'e'\n\
             \x20   WHERE  n.nspname = $1 AND d.objid IS NULL AND c.relkind IN ('r', 'v', 'S', 't')\n\
             \x20 UNION ALL\n\
             \x20   SELECT t.oid FROM pg_catalog.pg_type t\n\
             \x20   JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace\n\
             \x20   LEFT JOIN pg_catalog.pg_depend d ON d.objid = t.oid AND d.deptype = 'e'\n\
             \x20   WHERE n.nspname = $1 AND d.objid IS NULL AND t.typcategory NOT IN ('A', 'C')\n\
             \x20 UNION ALL\n\
             \x20   SELECT p.oid FROM pg_catalog.pg_proc p\n\
             \x20   JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace\n\
             \x20   LEFT JOIN pg_catalog.pg_depend d ON d.objid = p.oid AND d.deptype = 'e'\n\
             \x20   WHERE n.nspname = $1 AND d.objid IS NULL\n\
             )::text"
        }
        Format::Prisma => {
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') \
             AND c.relname <> '_prisma_migrations')::text"
        }
    };
    let rows = session
        .query(sql, &[schema])
        .await
        .map_err(|e| MigrateDbError::query("look into the schema", schema, e))?;
    Ok(rows.single_value().flatten() != Some("true"))
}

/// `current_user`: what Flyway records as `installed_by` when `installedBy` is not set
/// (`Database.getInstalledBy` → `PostgreSQLDatabase.doGetCurrentUser`: `SELECT current_user`).
pub async fn current_user(session: &Session) -> Result<String, MigrateDbError> {
    let rows = session
        .query("SELECT current_user::text", &[])
        .await
        .map_err(|e| MigrateDbError::query("read current_user", "the session", e))?;
    Ok(rows
        .single_value()
        .flatten()
        .map(str::to_owned)
        .unwrap_or_default())
}

/// What [`create_history`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Created {
    /// Schemas it created (`CREATE SCHEMA`), in order.
    pub schemas: Vec<String>,
    /// Whether the table was created (false: it existed).
    pub table: bool,
    /// Flyway's `<< Flyway Schema Creation >>` row, written when it created a schema.
    pub marker: Option<HistoryRow>,
}

/// Creates the history table as its tool does, in one transaction (call it holding the lock).
///
/// Flyway and plain (`DbSchemas.create`, `JdbcTableSchemaHistory.create`): every configured
/// schema that does not exist (`schemas`, and the history's own) gets `CREATE SCHEMA "name"`;
/// the table gets Flyway's DDL ([`ddl::flyway_create_table`]); when a schema was created,
/// the `SCHEMA` marker row goes in at rank 0 (`calculateInstalledRank` on an empty table; after
/// the last rank otherwise) with `script` = the created schemas, quoted, comma-joined
/// (`"opendolphin"`), as `SchemaHistory.addSchemasMarker` writes it. Then the engine's plan
/// decides about a baseline: Flyway does not baseline a schema it created.
///
/// Prisma (`create_migrations_table`): its text verbatim, unqualified, with the session's
/// search_path set to the history schema for the transaction (`SET LOCAL`), which is what
/// Prisma's `?schema=` does; a missing schema is created first.
pub async fn create_history(
    session: &Session,
    config: &Config,
    installed_by: &str,
) -> Result<Created, MigrateDbError> {
    let table = history_table(session, config).await?;
    let name = table.display();
    let q = |action: &'static str| {
        let name = name.clone();
        move |e: QueryError| MigrateDbError::query(action, &name, e)
    };
    session
        .execute("BEGIN")
        .await
        .map_err(q("begin creating the history table"))?;
    let result = create_in_transaction(session, config, &table, installed_by).await;
    match result {
        Ok(created) => {
            session
                .execute("COMMIT")
                .await
                .map_err(q("commit the history table"))?;
            Ok(created)
        }
        Err(error) => {
            // A failed statement left the transaction aborted; its error is the one to report.
            let _ = session.execute("ROLLBACK").await;
            Err(error)
        }
    }
}

async fn create_in_transaction(
    session: &Session,
    config: &Config,
    table: &HistoryTable,
    installed_by: &str,
) -> Result<Created, MigrateDbError> {
    let name = table.display();
    let q = |action: &'static str| {
        let name = name.clone();
        move |e: QueryError| MigrateDbError::query(action, &name, e)
    };
    let mut wanted: Vec<&str> = vec![table.schema.as_str()];
    if table.format != Format::Prisma {
        for schema in &config.schemas {
            if !wanted.contains(&schema.as_str()) {
                wanted.push(schema);
            }
        }
        // Flyway creates them in `schemas` order; the history's own schema is among them (its
        // default schema is the first) or, when set apart, first.
        wanted.sort_by_key(|s| {
            config
                .schemas
                .iter()
                .position(|c| c == s)
                .map_or(0, |p| p + 1)
        });
    }
    let mut created = Created::default();
    for schema in wanted {
        let exists = session
            .query(
                "SELECT count(*)::text FROM pg_catalog.pg_namespace WHERE nspname = $1",
                &[schema],
            )
            .await
            .map_err(q("look for the schema"))?;
        if exists.single_value().flatten() == Some("0") {
            session
                .execute(&format!("CREATE SCHEMA {}", quote_ident(schema)))
                .await
                .map_err(q("create the schema"))?;
            created.schemas.push(schema.to_owned());
        }
    }
    if !table_exists(session, table).await? {
        match table.format {
            Format::Prisma => {
                session
                    .execute(&format!(
                        "SET LOCAL search_path TO {}",
                        quote_ident(&table.schema)
                    ))
                    .await
                    .map_err(q("set the search_path for the history table"))?;
                session
                    .execute(&ddl::prisma_create_table(&table.table))
                    .await
                    .map_err(q("create the history table"))?;
            }
            Format::Flyway | Format::Plain => {
                for statement in ddl::flyway_create_table(&table.schema, &table.table) {
                    session
                        .execute(&statement)
                        .await
                        .map_err(q("create the history table"))?;
                }
            }
        }
        created.table = true;
    }
    if table.format != Format::Prisma && !created.schemas.is_empty() {
        let rows = read_rows(session, table).await?;
        let rank = rows.last().map_or(0, |row| row.rank + 1);
        let script = created
            .schemas
            .iter()
            .map(|s| quote_ident(s))
            .collect::<Vec<_>>()
            .join(",");
        let marker = HistoryRow {
            rank,
            version: None,
            description: SCHEMA_MARKER_DESCRIPTION.to_owned(),
            kind: "SCHEMA".to_owned(),
            script,
            checksum: None,
            installed_by: Some(installed_by.to_owned()),
            installed_on: None,
            execution_time_ms: Some(0),
            success: true,
            prisma: None,
        };
        created.marker = Some(insert_into(session, table, &marker).await?);
    }
    Ok(created)
}

/// Writes `row` as it is (a baseline, a `resolve`d migration, a repair's DELETE marker) and
/// returns it as stored (`installed_on` filled in by the server's default for Flyway's table).
/// A row without `installed_by` gets Flyway's: `installedBy`, else `current_user`.
pub async fn insert_row(
    session: &Session,
    config: &Config,
    row: &HistoryRow,
) -> Result<HistoryRow, MigrateDbError> {
    let table = history_table(session, config).await?;
    let mut row = row.clone();
    if row.installed_by.is_none() && table.format != Format::Prisma {
        row.installed_by = Some(installed_by(session, config).await?);
    }
    insert_into(session, &table, &row).await
}

/// What Flyway records as `installed_by`: the configured `installedBy`, else `current_user`
/// (`Database.getInstalledBy`).
pub async fn installed_by(session: &Session, config: &Config) -> Result<String, MigrateDbError> {
    match &config.installed_by {
        Some(user) => Ok(user.clone()),
        None => current_user(session).await,
    }
}

pub(crate) async fn insert_into(
    session: &Session,
    table: &HistoryTable,
    row: &HistoryRow,
) -> Result<HistoryRow, MigrateDbError> {
    match table.format {
        Format::Flyway | Format::Plain => insert_flyway(session, table, row).await,
        Format::Prisma => {
            let Some(prisma) = &row.prisma else {
                return Err(MigrateDbError::Change {
                    change: format!("insert of {}", row.script),
                    reason: "a _prisma_migrations row needs its Prisma columns".to_owned(),
                });
            };
            insert_prisma(session, table, &row.script, prisma).await?;
            Ok(row.clone())
        }
    }
}

fn int32(table: &HistoryTable, what: &'static str, value: i64) -> Result<i32, MigrateDbError> {
    i32::try_from(value).map_err(|_| MigrateDbError::OutOfRange {
        table: table.display(),
        what,
        value,
    })
}

async fn insert_flyway(
    session: &Session,
    table: &HistoryTable,
    row: &HistoryRow,
) -> Result<HistoryRow, MigrateDbError> {
    let rank = int32(table, "installed_rank", row.rank)?;
    let execution_time = int32(table, "execution_time", row.execution_time_ms.unwrap_or(0))?;
    let checksum: Option<i32> = match &row.checksum {
        None => None,
        Some(Checksum::Crc32(value)) => Some(*value),
        Some(other) => {
            return Err(MigrateDbError::Change {
                change: format!("insert of {}", row.script),
                reason: format!("checksum {other} is not a Flyway CRC32"),
            });
        }
    };
    let installed_by = row.installed_by.clone().unwrap_or_default();
    let sql = ddl::flyway_insert(&table.schema, &table.table);
    let params: [Param<'_>; 9] = [
        (&rank, Type::INT4),
        (&row.version, Type::TEXT),
        (&row.description, Type::TEXT),
        (&row.kind, Type::TEXT),
        (&row.script, Type::TEXT),
        (&checksum, Type::INT4),
        (&installed_by, Type::TEXT),
        (&execution_time, Type::INT4),
        (&row.success, Type::BOOL),
    ];
    let installed_on = typed::one(session, &sql, &params)
        .await
        .map_err(|e| MigrateDbError::query("write the history row", &table.display(), e))?;
    let mut stored = row.clone();
    stored.installed_on = installed_on;
    stored.installed_by = Some(installed_by);
    stored.execution_time_ms = Some(i64::from(execution_time));
    Ok(stored)
}

async fn insert_prisma(
    session: &Session,
    table: &HistoryTable,
    migration_name: &str,
    row: &PrismaRow,
) -> Result<(), MigrateDbError> {
    let sql = format!(
        "INSERT INTO {} (id, checksum, finished_at, migration_name, logs, rolled_back_at, \
         started_at, applied_steps_count) VALUES ($1, $2, $3::text::timestamptz, $4, $5, \
         $6::text::timestamptz, $7::text::timestamptz, $8)",
        table.qualified()
    );
    let steps = int32(table, "applied_steps_count", row.applied_steps_count)?;
    let params: [Param<'_>; 8] = [
        (&row.id, Type::TEXT),
        (&row.checksum, Type::TEXT),
        (&row.finished_at, Type::TEXT),
        (&migration_name, Type::TEXT),
        (&row.logs, Type::TEXT),
        (&row.rolled_back_at, Type::TEXT),
        (&row.started_at, Type::TEXT),
        (&steps, Type::INT4),
    ];
    typed::count(session, &sql, &params)
        .await
        .map_err(|e| MigrateDbError::query("write the history row", &table.display(), e))?;
    Ok(())
}

/// The client clock as Prisma records it (`chrono::Utc::now()`), for a typed TIMESTAMPTZ.
pub(crate) fn now() -> SystemTime {
    SystemTime::now()
}

/// A `RETURNING` clause giving a `_prisma_migrations` row (the statement's target aliased
/// `m`) as [`prisma_row`] reads it: its columns as text, then its rank in `started_at` order.
pub(crate) fn prisma_returning(table: &HistoryTable) -> String {
    format!(
        "RETURNING m.id, m.checksum, m.finished_at::text, m.migration_name, m.logs, \
         m.rolled_back_at::text, m.started_at::text, m.applied_steps_count::text, \
         (SELECT count(*) FROM {} o WHERE o.started_at <= m.started_at)::text",
        table.qualified()
    )
}

/// The row a statement ending in [`prisma_returning`] returned.
pub(crate) fn prisma_row(table: &HistoryTable, rows: &Rows) -> Result<HistoryRow, MigrateDbError> {
    let rank = rows
        .rows
        .first()
        .and_then(|row| row.get(8).cloned().flatten())
        .and_then(|count| count.parse::<i64>().ok());
    let mut parsed = prisma_rows(table, rows)?;
    match (parsed.pop(), rank) {
        (Some(mut row), Some(rank)) => {
            row.rank = rank;
            Ok(row)
        }
        _ => Err(MigrateDbError::BadValue {
            table: table.display(),
            row: 0,
            column: "id",
            value: String::new(),
            expected: "the row just written",
        }),
    }
}
