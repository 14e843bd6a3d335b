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

use crate::errors::QueryError;
use crate::ident::quote_ident;
use crate::session::Session;

/// The search_path to restore after a migration.
#[derive(Debug)]
pub(crate) struct SavedSearchPath {
    original: String,
}

/// Puts `schema` first on the search_path as Flyway does; returns the original to restore.
pub(crate) async fn enter(session: &Session, schema: &str) -> Result<SavedSearchPath, QueryError> {
    let rows = session
        .query(
            "SELECT current_setting('search_path'), \
             EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1)::text",
            &[schema],
        )
        .await?;
    let row = rows.rows.first().cloned().unwrap_or_default();
    let original = row.first().cloned().flatten().unwrap_or_default();
    let exists = row.get(1).cloned().flatten().as_deref() == Some("true");
    if let Some(path) = flyway_search_path(&original, schema, exists) {
        session
            .query("SELECT set_config('search_path', $1, false)", &[&path])
            .await?;
    }
    Ok(SavedSearchPath { original })
}

/// Puts the original back.
pub(crate) async fn restore(session: &Session, saved: &SavedSearchPath) -> Result<(), QueryError> {
    session
        .query(
            "SELECT set_config('search_path', $1, false)",
            &[&saved.original],
        )
        .await?;
    Ok(())
}

/// What Flyway sets, or `None` when it leaves the search_path alone.
fn flyway_search_path(original: &str, schema: &str, exists: bool) -> Option<String> {
    if original == schema || original.starts_with(&format!("{schema},")) || !exists {
        return None;
    }
    if original.trim().is_empty() {
        Some(quote_ident(schema))
    } else {
        Some(format!("{},{original}", quote_ident(schema)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_goes_first_quoted_before_the_original() {
        assert_eq!(
            flyway_search_path("\"$user\", public", "opendolphin", true).as_deref(),
            Some("\"opendolphin\",\"$user\", public")
        );
        assert_eq!(
            flyway_search_path("", "app", true).as_deref(),
            Some("\"app\"")
        );
    }

    #[test]
    fn left_alone_when_already_first_or_missing() {
        assert_eq!(flyway_search_path("app", "app", true), None);
        assert_eq!(flyway_search_path("app, public", "app", true), None);
        assert_eq!(flyway_search_path("public", "app", false), None);
    }
}
