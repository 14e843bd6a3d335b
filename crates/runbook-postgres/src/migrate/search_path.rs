//! The search_path a migration runs under, as Flyway sets it.
//!
//! Before each migration Flyway calls `changeCurrentSchemaTo(defaultSchema)`
//! (`DbMigrate.doMigrateGroup`; `PostgreSQLConnection.changeCurrentSchemaTo`): unless the
//! connection's original search_path already is that schema or starts with `schema,`, or the
//! schema does not exist, it runs `SELECT set_config('search_path', ?, false)` with
//! `"schema",<original>`, so unqualified names in a migration land in the configured schema.
//! Flyway restores the original when it closes the connection; Runbook restores it after each
//! migration, so the session is left as it was found (a `SET search_path` inside a migration
//! does not leak into the next one or into later steps).

use tokio_postgres::types::Type;

use super::typed::{self, Param};
use crate::errors::QueryError;
use crate::ident::quote_ident;
use crate::session::Session;

/// The search_path to restore after a migration.
#[derive(Debug)]
pub struct SavedSearchPath {
    original: String,
}

/// Flyway's `changeCurrentSchemaTo` in one statement: the original search_path, and
/// `set_config` only when Flyway would call it (`$1` the schema's name, `$2` it quoted).
const ENTER: &str = "SELECT s.original, CASE \
    WHEN s.original = $1 OR left(s.original, length($1) + 1) = $1 || ',' \
      OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) THEN NULL \
    WHEN btrim(s.original) = '' THEN set_config('search_path', $2, false) \
    ELSE set_config('search_path', $2 || ',' || s.original, false) END \
    FROM (SELECT current_setting('search_path') AS original) s";

/// Puts `schema` first on the search_path as Flyway does; returns the original to restore.
pub async fn enter(session: &Session, schema: &str) -> Result<SavedSearchPath, QueryError> {
    let quoted = quote_ident(schema);
    let params: [Param<'_>; 2] = [(&schema, Type::TEXT), (&quoted, Type::TEXT)];
    let original = typed::one(session, ENTER, &params)
        .await?
        .unwrap_or_default();
    Ok(SavedSearchPath { original })
}

/// Puts the original back.
pub async fn restore(session: &Session, saved: &SavedSearchPath) -> Result<(), QueryError> {
    let params: [Param<'_>; 1] = [(&saved.original, Type::TEXT)];
    typed::count(
        session,
        "SELECT set_config('search_path', $1, false)",
        &params,
    )
    .await?;
    Ok(())
}
