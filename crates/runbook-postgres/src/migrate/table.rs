//! Which table the history is: the configured schema, or the session's current one.

use runbook_migrate::{Config, Format};

use super::MigrateDbError;
use super::ddl;
use crate::session::Session;

/// A history table's resolved name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryTable {
    pub schema: String,
    pub table: String,
    pub format: Format,
}

impl HistoryTable {
    /// `"schema"."table"`, as Flyway writes it in its statements and hashes it for its lock.
    pub fn qualified(&self) -> String {
        ddl::qualified(&self.schema, &self.table)
    }

    /// The name for messages: `schema.table`.
    pub fn display(&self) -> String {
        format!("{}.{}", self.schema, self.table)
    }
}

/// The history table `config` names: in `schema`, else the first of `schemas`
/// ([`Config::default_schema`], Flyway's rule). Without either it is the session's current
/// schema (Flyway: the connection's `current_schema`, `PostgreSQLConnection.doGetCurrentSchema`;
/// Prisma: the first existing schema of the search_path, where its unqualified CREATE TABLE
/// lands); one round trip only in that case.
pub async fn history_table(
    session: &Session,
    config: &Config,
) -> Result<HistoryTable, MigrateDbError> {
    let schema = match config.default_schema() {
        Some(schema) => schema.to_owned(),
        None => {
            let rows = session
                .query("SELECT current_schema()::text", &[])
                .await
                .map_err(|e| MigrateDbError::query("read the current schema", &config.table, e))?;
            match rows.single_value().flatten() {
                Some(schema) => schema.to_owned(),
                None => {
                    return Err(MigrateDbError::NoCurrentSchema {
                        table: config.table.clone(),
                    });
                }
            }
        }
    };
    Ok(HistoryTable {
        schema,
        table: config.table.clone(),
        format: config.format,
    })
}
