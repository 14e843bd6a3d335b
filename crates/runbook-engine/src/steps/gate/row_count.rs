//! `row_count`: `count(*)` of a table resolved by the server (`to_regclass`); the name is put
//! into the count query only as the server quotes it (`format('%s', regclass)`).

use runbook_evidence::GateCheckRecord;
use runbook_spec::{Check, RowCount};

use super::{Lookup, exists::relkind_name, record};
use crate::errors::StepError;
use crate::text::plural;

pub(super) async fn check(
    lookup: &Lookup<'_>,
    check: &Check,
    spec: &RowCount,
) -> Result<Result<GateCheckRecord, String>, StepError> {
    let mut bounds = Vec::new();
    if let Some(n) = spec.equals {
        bounds.push(format!("exactly {n}"));
    }
    if let Some(n) = spec.min {
        bounds.push(format!("at least {n}"));
    }
    if let Some(n) = spec.max {
        bounds.push(format!("at most {n}"));
    }
    let expected = format!("{} rows in {}", bounds.join(" and "), spec.table);
    let fail = |actual: String, missing: Vec<String>| {
        Ok(Ok(record(
            check,
            "row_count",
            false,
            expected.clone(),
            actual,
            missing,
        )))
    };
    let Some((quoted, kind)) = resolve_table(lookup, &spec.table.to_sql()).await? else {
        return fail(
            format!("table {} does not exist", spec.table),
            vec![spec.table.to_string()],
        );
    };
    // Tables and materialized views hold their rows; counting a view or a foreign table would
    // run its query or its wrapper.
    if !matches!(kind.as_str(), "r" | "p" | "m") {
        return fail(
            format!("{} is {}, not a table", spec.table, relkind_name(&kind)),
            Vec::new(),
        );
    }
    let sql = format!("SELECT count(*)::text FROM {quoted}");
    if let Some(reason) = lookup.refusal(&sql).await? {
        return Ok(Err(reason));
    }
    let rows = lookup.session.query(&sql, &[]).await?;
    let count: u64 = rows
        .single_value()
        .flatten()
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let passed = spec.equals.is_none_or(|n| count == n)
        && spec.min.is_none_or(|n| count >= n)
        && spec.max.is_none_or(|n| count <= n);
    let actual = format!("{count} row{}", plural(count));
    let mut counted = record(check, "row_count", passed, expected, actual, Vec::new());
    // What was sent, for the reviewer: the name as the server quoted it.
    counted.query = Some(sql);
    Ok(Ok(counted))
}

/// The relation as the server quotes it (`format('%s', regclass)`: qualified when not on the
/// search path, quoted where needed) and its relkind; `None` when it does not exist.
pub(super) async fn resolve_table(
    lookup: &Lookup<'_>,
    name_sql: &str,
) -> Result<Option<(String, String)>, StepError> {
    let rows = lookup
        .session
        .query(
            "SELECT pg_catalog.format('%s', c.oid::pg_catalog.regclass), c.relkind::text \
             FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass($1)",
            &[name_sql],
        )
        .await?;
    Ok(rows
        .rows
        .first()
        .and_then(|row| Some((row.first()?.clone()?, row.get(1)?.clone()?))))
}
