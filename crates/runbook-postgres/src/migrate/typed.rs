//! Statements with typed parameters in one round trip (`query_typed`: Parse, Bind, Execute and
//! Sync sent together, no separate prepare), for the history writes every migration makes: the
//! per-migration overhead is round trips. Every column a statement returns is cast to text in
//! its SQL; DML that must say how many rows it touched says it with `RETURNING`.

use tokio_postgres::types::{ToSql, Type};

use crate::errors::QueryError;
use crate::rows::Rows;
use crate::session::Session;

/// A parameter and its type.
pub(crate) type Param<'a> = (&'a (dyn ToSql + Sync), Type);

/// Runs `sql` and returns its rows as text (each column must be text: cast it).
pub(crate) async fn rows(
    session: &Session,
    sql: &str,
    params: &[Param<'_>],
) -> Result<Rows, QueryError> {
    let result = session.client().query_typed(sql, params).await;
    session.take_notices();
    let found = result.map_err(|e| session.error(&e))?;
    let mut rows = Rows {
        columns: found
            .first()
            .map(|row| row.columns().iter().map(|c| c.name().to_owned()).collect())
            .unwrap_or_default(),
        rows: Vec::with_capacity(found.len()),
        rows_affected: Some(found.len() as u64),
        notices: Vec::new(),
    };
    for row in &found {
        let mut values = Vec::with_capacity(row.len());
        for index in 0..row.len() {
            values.push(
                row.try_get::<_, Option<String>>(index)
                    .map_err(|e| session.error(&e))?,
            );
        }
        rows.rows.push(values);
    }
    Ok(rows)
}

/// Runs `sql` and returns how many rows it returned (`RETURNING 1` counts the rows changed).
pub(crate) async fn count(
    session: &Session,
    sql: &str,
    params: &[Param<'_>],
) -> Result<u64, QueryError> {
    let result = session.client().query_typed(sql, params).await;
    session.take_notices();
    result
        .map(|rows| rows.len() as u64)
        .map_err(|e| session.error(&e))
}

/// The first column of the first row, when there is one and it is not NULL.
pub(crate) async fn one(
    session: &Session,
    sql: &str,
    params: &[Param<'_>],
) -> Result<Option<String>, QueryError> {
    let rows = rows(session, sql, params).await?;
    Ok(rows
        .rows
        .first()
        .and_then(|row| row.first().cloned().flatten()))
}
