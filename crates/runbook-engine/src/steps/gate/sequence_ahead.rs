//! `sequence_ahead`: the sequence's next `nextval()` is past every value already in a column,
//! so the next insert does not collide (a restore that loads rows but leaves the sequence
//! behind: the facility_num problem). For a descending sequence, below every value.
//!
//! The next value is computed without calling `nextval()` (which would consume it, and is not
//! allowed read-only): `last_value` when `is_called` is false, else `last_value + increment`.

use runbook_evidence::GateCheckRecord;
use runbook_postgres::quote_ident;
use runbook_spec::{Check, SequenceAhead};

use super::{Lookup, exists::relkind_name, record, row_count::resolve_table};
use crate::errors::StepError;

pub(super) async fn check(
    lookup: &Lookup<'_>,
    check: &Check,
    spec: &SequenceAhead,
) -> Result<Result<GateCheckRecord, String>, StepError> {
    let column = &spec.of;
    let expected = format!(
        "the next nextval() of {} above every {}",
        spec.sequence, column
    );
    let fail = |actual: String, missing: Vec<String>| {
        Ok(Ok(record(
            check,
            "sequence_ahead",
            false,
            expected.clone(),
            actual,
            missing,
        )))
    };
    let sequence = match resolve_table(lookup, &spec.sequence.to_sql()).await? {
        None => {
            return fail(
                format!("sequence {} does not exist", spec.sequence),
                vec![spec.sequence.to_string()],
            );
        }
        Some((_, kind)) if kind != "S" => {
            return fail(
                format!(
                    "{} is {}, not a sequence",
                    spec.sequence,
                    relkind_name(&kind)
                ),
                Vec::new(),
            );
        }
        Some((quoted, _)) => quoted,
    };
    let table = match resolve_table(lookup, &column.table.to_sql()).await? {
        Some((quoted, kind)) if matches!(kind.as_str(), "r" | "p" | "m") => quoted,
        Some((_, kind)) => {
            return fail(
                format!("{} is {}, not a table", column.table, relkind_name(&kind)),
                Vec::new(),
            );
        }
        None => {
            return fail(
                format!("table {} does not exist", column.table),
                vec![column.table.to_string()],
            );
        }
    };
    let kind = lookup
        .session
        .query(
            "SELECT t.typcategory::text, pg_catalog.format_type(a.atttypid, a.atttypmod) \
             FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
             WHERE a.attrelid = pg_catalog.to_regclass($1) AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped",
            &[&column.table.to_sql(), &column.column],
        )
        .await?;
    match kind
        .rows
        .first()
        .map(|r| (r[0].as_deref(), r[1].as_deref()))
    {
        None => {
            return fail(
                format!("column {column} does not exist"),
                vec![column.to_string()],
            );
        }
        Some((Some("N"), _)) => {}
        Some((_, type_name)) => {
            return fail(
                format!(
                    "column {column} is of type {}, not a number",
                    type_name.unwrap_or("unknown")
                ),
                Vec::new(),
            );
        }
    }

    let increment = lookup
        .session
        .query(
            "SELECT s.seqincrement::text FROM pg_catalog.pg_sequence s WHERE s.seqrelid = pg_catalog.to_regclass($1)",
            &[&spec.sequence.to_sql()],
        )
        .await?;
    let increment: i128 = number(increment.single_value().flatten()).unwrap_or(1);
    let state_sql = format!("SELECT last_value::text, is_called::text FROM {sequence}");
    let extreme = if increment < 0 { "min" } else { "max" };
    let extreme_sql = format!(
        "SELECT {extreme}({})::text FROM {table}",
        quote_ident(&column.column)
    );
    for sql in [&state_sql, &extreme_sql] {
        if let Some(reason) = lookup.refusal(sql).await? {
            return Ok(Err(reason));
        }
    }
    let state = lookup.session.query(&state_sql, &[]).await?;
    let row = state.rows.first();
    let last = number(row.and_then(|r| r[0].as_deref())).unwrap_or(0);
    let is_called = row.and_then(|r| r[1].as_deref()) == Some("true");
    let next = if is_called { last + increment } else { last };
    let values = lookup.session.query(&extreme_sql, &[]).await?;
    let found = values.single_value().flatten().map(str::to_owned);
    let (passed, found_text) = match &found {
        None => (true, format!("{column} has no values")),
        Some(text) => {
            let ahead = match (number(Some(text)), text.parse::<f64>()) {
                (Some(v), _) if increment < 0 => next < v,
                (Some(v), _) => next > v,
                (None, Ok(v)) if increment < 0 => (next as f64) < v,
                (None, Ok(v)) => (next as f64) > v,
                (None, Err(_)) => false,
            };
            (ahead, format!("{extreme}({column}) = {text}"))
        }
    };
    let actual = format!("next nextval() = {next}, {found_text}");
    let expected = if increment < 0 {
        expected.replace(" above every ", " below every ")
    } else {
        expected
    };
    let mut judged = record(
        check,
        "sequence_ahead",
        passed,
        expected,
        actual,
        Vec::new(),
    );
    judged.query = Some(format!("{state_sql};\n{extreme_sql}"));
    Ok(Ok(judged))
}

fn number(text: Option<&str>) -> Option<i128> {
    text?.trim().parse().ok()
}
