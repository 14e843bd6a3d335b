//! What a destructive statement would destroy right now, read from the catalog.
//!
//! "DROP SCHEMA public CASCADE" means nothing at 3 a.m.; "drops schema public: 21 tables,
//! 3 views, 13 sequences, 16,044 rows" does. Check mode asks the live database, inside its
//! read-only transaction. Rows are counted exactly for tables up to a million estimated rows
//! and estimated from the planner's statistics beyond; a table without statistics is counted
//! when it is small (256 MiB) and sampled otherwise, so a dry run stays quick on big databases. A failed catalog query never fails the check: the description says what could
//! not be measured.

use runbook_postgres::Session;
use runbook_sql::analysis::{Destructive, QualifiedName};

use crate::text::plural;

/// Above this many estimated rows a table is not counted exactly.
const EXACT_COUNT_LIMIT: f64 = 1_000_000.0;

/// A table without statistics is counted exactly only up to this size; beyond, it is sampled.
const EXACT_COUNT_BYTES: u64 = 256 * 1024 * 1024;

pub(crate) async fn describe(session: &Session, what: &Destructive) -> String {
    match measure(session, what).await {
        Ok(text) => text,
        Err(error) => format!("(could not be measured: {error})"),
    }
}

async fn measure(
    session: &Session,
    what: &Destructive,
) -> Result<String, runbook_postgres::QueryError> {
    match what {
        Destructive::Drop {
            object_kind,
            names,
            cascade,
            if_exists,
        } => {
            let mut parts = Vec::new();
            for name in names {
                let part = match object_kind.as_str() {
                    "SCHEMA" => schema(session, &name.name, *cascade, *if_exists).await?,
                    "TABLE" | "VIEW" | "MATERIALIZED VIEW" | "SEQUENCE" | "INDEX"
                    | "FOREIGN TABLE" => relation(session, object_kind, name, *if_exists).await?,
                    "DATABASE" => database(session, &name.name, *if_exists).await?,
                    kind => format!("drops {} {name}", kind.to_lowercase()),
                };
                parts.push(part);
            }
            if names.is_empty() {
                parts.push(format!("drops a {}", object_kind.to_lowercase()));
            }
            if *cascade && object_kind != "SCHEMA" {
                parts.push("and everything that depends on it (CASCADE)".to_owned());
            }
            Ok(parts.join("; "))
        }
        Destructive::DropOwned { roles, .. } => Ok(format!(
            "drops every object owned by {} in this database",
            roles.join(", ")
        )),
        Destructive::Truncate { tables, cascade } => {
            let mut parts = Vec::new();
            for table in tables {
                parts.push(match rows_of(session, table).await? {
                    Some(rows) => format!("empties {table}: {rows}"),
                    None => format!("{table} does not exist: the statement would fail"),
                });
            }
            if *cascade {
                parts.push("and tables that reference them (CASCADE)".to_owned());
            }
            Ok(parts.join("; "))
        }
        Destructive::DeleteAll { table } => Ok(match rows_of(session, table).await? {
            Some(rows) => format!("deletes every row of {table}: {rows}"),
            None => format!("{table} does not exist: the statement would fail"),
        }),
        Destructive::UpdateAll { table } => Ok(match rows_of(session, table).await? {
            Some(rows) => format!("updates every row of {table}: {rows}"),
            None => format!("{table} does not exist: the statement would fail"),
        }),
    }
}

async fn schema(
    session: &Session,
    name: &str,
    cascade: bool,
    if_exists: bool,
) -> Result<String, runbook_postgres::QueryError> {
    let exists = session
        .query(
            "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1",
            &[name],
        )
        .await?;
    if exists.rows.is_empty() {
        return Ok(missing("schema", name, if_exists));
    }
    let counts = session
        .query(
            "SELECT count(*) FILTER (WHERE c.relkind IN ('r', 'p'))::text, \
                    count(*) FILTER (WHERE c.relkind = 'v')::text, \
                    count(*) FILTER (WHERE c.relkind = 'm')::text, \
                    count(*) FILTER (WHERE c.relkind = 'S')::text, \
                    count(*) FILTER (WHERE c.relkind = 'f')::text, \
                    (SELECT count(*) FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace WHERE pn.nspname = $1)::text \
             FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1",
            &[name],
        )
        .await?;
    let row = counts.rows.first().cloned().unwrap_or_default();
    let n = |i: usize| -> u64 {
        row.get(i)
            .cloned()
            .flatten()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let mut parts = Vec::new();
    for (count, singular, plural) in [
        (n(0), "table", "tables"),
        (n(1), "view", "views"),
        (n(2), "materialized view", "materialized views"),
        (n(3), "sequence", "sequences"),
        (n(4), "foreign table", "foreign tables"),
        (n(5), "function", "functions"),
    ] {
        if count > 0 {
            parts.push(format!(
                "{} {}",
                group(count),
                if count == 1 { singular } else { plural }
            ));
        }
    }
    let tables = session
        .query(
            "SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname), c.reltuples::float8::text \
             FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relkind IN ('r', 'm') ORDER BY 1",
            &[name],
        )
        .await?;
    let mut rows = 0u64;
    let mut estimated = false;
    for row in &tables.rows {
        let (Some(Some(table)), Some(Some(estimate))) = (row.first(), row.get(1)) else {
            continue;
        };
        let (count, is_estimate) =
            count_rows(session, table, estimate.parse().unwrap_or(-1.0)).await?;
        rows += count;
        estimated |= is_estimate;
    }
    if !tables.rows.is_empty() {
        parts.push(format!(
            "{}{} rows",
            if estimated { "about " } else { "" },
            group(rows)
        ));
    }
    let contents = if parts.is_empty() {
        "empty".to_owned()
    } else {
        parts.join(", ")
    };
    if !cascade && !parts.is_empty() {
        return Ok(format!(
            "schema {name} is not empty ({contents}): without CASCADE the statement would fail"
        ));
    }
    Ok(format!("drops schema {name}: {contents}"))
}

async fn relation(
    session: &Session,
    kind: &str,
    name: &QualifiedName,
    if_exists: bool,
) -> Result<String, runbook_postgres::QueryError> {
    let lower = kind.to_lowercase();
    if kind == "TABLE" || kind == "MATERIALIZED VIEW" {
        return Ok(match rows_of(session, name).await? {
            Some(rows) => format!("drops {lower} {name}: {rows}"),
            None => missing(&lower, &name.to_string(), if_exists),
        });
    }
    let exists = session
        .query(
            "SELECT 1 WHERE pg_catalog.to_regclass($1) IS NOT NULL",
            &[&quoted(name)],
        )
        .await?;
    Ok(if exists.rows.is_empty() {
        missing(&lower, &name.to_string(), if_exists)
    } else {
        format!("drops {lower} {name}")
    })
}

async fn database(
    session: &Session,
    name: &str,
    if_exists: bool,
) -> Result<String, runbook_postgres::QueryError> {
    let size = session
        .query(
            "SELECT pg_catalog.pg_size_pretty(pg_catalog.pg_database_size(datname)) FROM pg_catalog.pg_database WHERE datname = $1",
            &[name],
        )
        .await?;
    Ok(match size.single_value() {
        Some(Some(size)) => format!("drops database {name} ({size})"),
        _ => missing("database", name, if_exists),
    })
}

fn missing(kind: &str, name: &str, if_exists: bool) -> String {
    if if_exists {
        format!("{kind} {name} does not exist (IF EXISTS: nothing to drop)")
    } else {
        format!("{kind} {name} does not exist: the statement would fail")
    }
}

/// "16,044 rows" of a table, or `None` when it does not exist.
async fn rows_of(
    session: &Session,
    table: &QualifiedName,
) -> Result<Option<String>, runbook_postgres::QueryError> {
    let found = session
        .query(
            "SELECT c.reltuples::float8::text FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass($1)",
            &[&quoted(table)],
        )
        .await?;
    let Some(Some(estimate)) = found.single_value() else {
        return Ok(None);
    };
    let (rows, estimated) =
        count_rows(session, &quoted(table), estimate.parse().unwrap_or(-1.0)).await?;
    Ok(Some(format!(
        "{}{} row{}",
        if estimated { "about " } else { "" },
        group(rows),
        plural(rows)
    )))
}

async fn count_rows(
    session: &Session,
    table_sql: &str,
    estimate: f64,
) -> Result<(u64, bool), runbook_postgres::QueryError> {
    if estimate > EXACT_COUNT_LIMIT {
        return Ok((estimate as u64, true));
    }
    // Never analysed (-1), typically a table loaded moments ago by COPY without an index: its
    // size says whether an exact count is cheap; a big one is sampled (1% of its pages).
    if estimate < 0.0 {
        let size = session
            .query(
                "SELECT pg_catalog.pg_relation_size($1::text::regclass)::text",
                &[table_sql],
            )
            .await?;
        let bytes: u64 = size
            .single_value()
            .flatten()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if bytes > EXACT_COUNT_BYTES {
            let sampled = session
                .simple_query(&format!(
                    "SELECT (count(*) * 100)::text FROM {table_sql} TABLESAMPLE SYSTEM (1)"
                ))
                .await?;
            let rows = sampled
                .single_value()
                .flatten()
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            return Ok((rows, true));
        }
    }
    let rows = session
        .simple_query(&format!("SELECT count(*)::text FROM {table_sql}"))
        .await?;
    Ok((
        rows.single_value()
            .flatten()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        false,
    ))
}

fn quoted(name: &QualifiedName) -> String {
    let ident = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    match &name.schema {
        Some(schema) => format!("{}.{}", ident(schema), ident(&name.name)),
        None => ident(&name.name),
    }
}

/// 16044 → "16,044".
pub(crate) fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::group;

    #[test]
    fn groups_thousands() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(16044), "16,044");
        assert_eq!(group(1234567), "1,234,567");
    }
}
