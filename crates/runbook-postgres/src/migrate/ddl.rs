//! The history tables' DDL, as the tools that own them write it.
//!
//! Flyway: `PostgreSQLDatabase.getRawCreateScript` (flyway-database-postgresql, 6.0 to 13.0; the
//! same text as 5.x's `createMetaDataTable.sql`), sent statement by statement as Flyway's parser
//! splits it. Without a tablespace the text is fixed; only the names vary: the table as
//! `"schema"."table"` (Flyway's `Table.toString()`), the primary key `"<table>_pk"` and the
//! index `"<table>_s_idx"`. Runbook's `plain` format uses the same shape under its own name.
//!
//! Prisma: `create_migrations_table` in prisma-engines'
//! `schema-engine/connectors/sql-schema-connector/src/flavour/postgres.rs`, an `indoc!` text
//! sent as one command; the name is unqualified, so the table lands in the first schema of the
//! session's search_path (Prisma's `?schema=`).

use crate::ident::quote_ident;

/// The table Prisma creates, byte for byte as prisma-engines sends it (after `indoc!`).
pub const PRISMA_CREATE_TABLE: &str = "CREATE TABLE _prisma_migrations (
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

/// Prisma's table name; its DDL text is only verbatim under this name.
pub const PRISMA_TABLE: &str = "_prisma_migrations";

/// `"schema"."table"`: how Flyway names the table in every statement (and in its lock key).
pub fn qualified(schema: &str, table: &str) -> String {
    format!("{}.{}", quote_ident(schema), quote_ident(table))
}

/// Flyway's three statements creating `schema.table` (`getRawCreateScript` without a
/// tablespace and without the baseline insert, which [`super::insert_row`] writes).
pub fn flyway_create_table(schema: &str, table: &str) -> Vec<String> {
    let t = qualified(schema, table);
    vec![
        format!(
            "CREATE TABLE {t} (\n    \"installed_rank\" INT NOT NULL,\n    \"version\" VARCHAR(50),\n    \
             \"description\" VARCHAR(200) NOT NULL,\n    \"type\" VARCHAR(20) NOT NULL,\n    \
             \"script\" VARCHAR(1000) NOT NULL,\n    \"checksum\" INTEGER,\n    \
             \"installed_by\" VARCHAR(100) NOT NULL,\n    \
             \"installed_on\" TIMESTAMP NOT NULL DEFAULT now(),\n    \
             \"execution_time\" INTEGER NOT NULL,\n    \"success\" BOOLEAN NOT NULL\n)"
        ),
        format!(
            "ALTER TABLE {t} ADD CONSTRAINT {} PRIMARY KEY (\"installed_rank\")",
            quote_ident(&format!("{table}_pk"))
        ),
        format!(
            "CREATE INDEX {} ON {t} (\"success\")",
            quote_ident(&format!("{table}_s_idx"))
        ),
    ]
}

/// Prisma's table: the verbatim text under Prisma's own name, the same columns under another.
pub fn prisma_create_table(table: &str) -> String {
    if table == PRISMA_TABLE {
        PRISMA_CREATE_TABLE.to_owned()
    } else {
        PRISMA_CREATE_TABLE.replacen(PRISMA_TABLE, &quote_ident(table), 1)
    }
}

/// Flyway's history INSERT (`Database.getInsertStatement`), with `$n` for JDBC's `?`, and the
/// server's `installed_on` returned so the caller has the row as stored.
pub fn flyway_insert(schema: &str, table: &str) -> String {
    format!(
        "INSERT INTO {} (\"installed_rank\", \"version\", \"description\", \"type\", \"script\", \
         \"checksum\", \"installed_by\", \"execution_time\", \"success\") VALUES ($1, $2, $3, $4, \
         $5, $6, $7, $8, $9) RETURNING \"installed_on\"::text",
        qualified(schema, table)
    )
}

/// The columns Flyway reads back (`JdbcTableSchemaHistory.refreshCache`), in rank order.
pub fn flyway_select(schema: &str, table: &str) -> String {
    format!(
        "SELECT \"installed_rank\", \"version\", \"description\", \"type\", \"script\", \
         \"checksum\", \"installed_by\", \"installed_on\"::text, \"execution_time\", \"success\" \
         FROM {} ORDER BY \"installed_rank\"",
        qualified(schema, table)
    )
}

/// Prisma's `list_migrations` query, in its order (`started_at ASC`).
pub fn prisma_select(schema: &str, table: &str) -> String {
    format!(
        "SELECT id, checksum, finished_at::text, migration_name, logs, rolled_back_at::text, \
         started_at::text, applied_steps_count FROM {} ORDER BY started_at ASC",
        qualified(schema, table)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flyway_names_follow_the_table() {
        let statements = flyway_create_table("opendolphin", "flyway_schema_history");
        assert!(statements[0].starts_with(
            "CREATE TABLE \"opendolphin\".\"flyway_schema_history\" (\n    \"installed_rank\" INT NOT NULL,\n"
        ));
        assert_eq!(
            statements[1],
            "ALTER TABLE \"opendolphin\".\"flyway_schema_history\" ADD CONSTRAINT \
             \"flyway_schema_history_pk\" PRIMARY KEY (\"installed_rank\")"
        );
        assert_eq!(
            statements[2],
            "CREATE INDEX \"flyway_schema_history_s_idx\" ON \
             \"opendolphin\".\"flyway_schema_history\" (\"success\")"
        );
    }

    #[test]
    fn prisma_text_is_verbatim_under_its_own_name() {
        assert_eq!(
            prisma_create_table("_prisma_migrations"),
            PRISMA_CREATE_TABLE
        );
        assert!(prisma_create_table("other").starts_with("CREATE TABLE \"other\" (\n    id "));
    }
}
