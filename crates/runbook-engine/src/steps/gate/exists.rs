//! The relation-name lists: `tables_exist`, `columns_exist`, `sequences_exist`,
//! `indexes_exist`, `constraints_exist`, `rls_enabled`, `policies_exist`.

use runbook_evidence::GateCheckRecord;
use runbook_postgres::Session;
use runbook_spec::{Check, CheckKind, QualifiedName};

use super::{display_all, names_record};
use crate::errors::StepError;

/// Looks objects up in the catalog, one name at a time, and lists those that are missing.
pub(super) async fn check(
    session: &Session,
    check: &Check,
    kind: &CheckKind,
) -> Result<GateCheckRecord, StepError> {
    let mut missing = Vec::new();
    let (label, expected, names): (&str, String, Vec<String>) = match kind {
        CheckKind::TablesExist(names) => {
            for name in names {
                let kind = relkind(session, name).await?;
                if !matches!(kind.as_deref(), Some("r" | "p" | "f" | "v" | "m")) {
                    missing.push(describe_missing(name, kind.as_deref(), "a table"));
                }
            }
            (
                "tables_exist",
                "tables exist".to_owned(),
                display_all(names),
            )
        }
        CheckKind::SequencesExist(names) => {
            for name in names {
                let kind = relkind(session, name).await?;
                if kind.as_deref() != Some("S") {
                    missing.push(describe_missing(name, kind.as_deref(), "a sequence"));
                }
            }
            (
                "sequences_exist",
                "sequences exist".to_owned(),
                display_all(names),
            )
        }
        CheckKind::IndexesExist(names) => {
            for name in names {
                let kind = relkind(session, name).await?;
                if !matches!(kind.as_deref(), Some("i" | "I")) {
                    missing.push(describe_missing(name, kind.as_deref(), "an index"));
                }
            }
            (
                "indexes_exist",
                "indexes exist".to_owned(),
                display_all(names),
            )
        }
        CheckKind::ColumnsExist(columns) => {
            for column in columns {
                let rows = session
                    .query(
                        "SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = pg_catalog.to_regclass($1) \
                         AND attname = $2 AND attnum > 0 AND NOT attisdropped",
                        &[&column.table.to_sql(), &column.column],
                    )
                    .await?;
                if rows.rows.is_empty() {
                    missing.push(column.to_string());
                }
            }
            (
                "columns_exist",
                "columns exist".to_owned(),
                display_all(columns),
            )
        }
        CheckKind::ConstraintsExist(constraints) => {
            for constraint in constraints {
                let rows = match &constraint.table {
                    Some(table) => {
                        session
                            .query(
                                "SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = pg_catalog.to_regclass($1) AND conname = $2",
                                &[&table.to_sql(), &constraint.name],
                            )
                            .await?
                    }
                    None => {
                        session
                            .query(
                                "SELECT 1 FROM pg_catalog.pg_constraint c JOIN pg_catalog.pg_namespace n ON n.oid = c.connamespace \
                                 WHERE c.conname = $1 AND n.nspname = ANY (pg_catalog.current_schemas(false))",
                                &[&constraint.name],
                            )
                            .await?
                    }
                };
                if rows.rows.is_empty() {
                    missing.push(constraint.to_string());
                }
            }
            (
                "constraints_exist",
                "constraints exist".to_owned(),
                display_all(constraints),
            )
        }
        CheckKind::RlsEnabled(tables) => {
            for table in tables {
                let rows = session
                    .query(
                        "SELECT relrowsecurity::text FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass($1)",
                        &[&table.to_sql()],
                    )
                    .await?;
                match rows.single_value() {
                    Some(Some("true")) => {}
                    Some(_) => missing.push(format!("{table} (row level security disabled)")),
                    None => missing.push(format!("{table} (does not exist)")),
                }
            }
            (
                "rls_enabled",
                "row level security enabled on".to_owned(),
                display_all(tables),
            )
        }
        CheckKind::PoliciesExist(policies) => {
            for policy in policies {
                let rows = session
                    .query(
                        "SELECT 1 FROM pg_catalog.pg_policy WHERE polrelid = pg_catalog.to_regclass($1) AND polname = $2",
                        &[&policy.table.to_sql(), &policy.name],
                    )
                    .await?;
                if rows.rows.is_empty() {
                    missing.push(policy.to_string());
                }
            }
            (
                "policies_exist",
                "policies exist".to_owned(),
                display_all(policies),
            )
        }
        other => unreachable!("{} is checked in its own module", other.key()),
    };
    Ok(names_record(check, label, &expected, &names, missing))
}

async fn relkind(session: &Session, name: &QualifiedName) -> Result<Option<String>, StepError> {
    let rows = session
        .query(
            "SELECT relkind::text FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass($1)",
            &[&name.to_sql()],
        )
        .await?;
    Ok(rows.single_value().flatten().map(str::to_owned))
}

fn describe_missing(name: &QualifiedName, kind: Option<&str>, wanted: &str) -> String {
    match kind {
        None => name.to_string(),
        Some(kind) => format!("{name} (is {}, not {wanted})", relkind_name(kind)),
    }
}

pub(super) fn relkind_name(kind: &str) -> &'static str {
    match kind {
        "r" => "a table",
        "p" => "a partitioned table",
        "f" => "a foreign table",
        "v" => "a view",
        "m" => "a materialized view",
        "S" => "a sequence",
        "i" | "I" => "an index",
        "c" => "a composite type",
        "t" => "a TOAST table",
        _ => "another kind of relation",
    }
}
