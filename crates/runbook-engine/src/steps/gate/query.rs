//! `query` checks: a user's query, judged against `expect`, optionally run as another role.
//!
//! `as_role` runs the query after `SET LOCAL ROLE` in a transaction of the gate's own that is
//! always rolled back (BEGIN; SET LOCAL ROLE; query; ROLLBACK), so row-level security applies
//! as it does to that role; `settings` are made there too (`set_config(name, value, true)`).
//! Neither the role, the settings nor anything the query did outlives the check. In `run` the
//! gate sends such a query on a connection of its own, closed after the check, so a check cut
//! short before its ROLLBACK leaves nothing behind either; in `check` it stays inside the
//! session's read-only transaction under a savepoint (rolling back to it undoes `SET LOCAL`
//! too), and the transaction itself ends with the step. A savepoint also takes the place of
//! BEGIN wherever a transaction is already open.

use runbook_evidence::GateCheckRecord;
use runbook_postgres::{QueryError, Rows, Session, quote_ident};
use runbook_spec::{Check, Equals, Expect, Identifier, Scalar};

use super::SHOWN_ROWS;
use crate::errors::StepError;
use crate::text::plural;

/// What sending a check's query came to.
pub(super) enum Sent {
    Rows(Rows),
    Failed(QueryError),
    /// Check mode would not send it; the reason.
    NotCheckable(String),
}

const SAVEPOINT: &str = "runbook_gate_as_role";

/// Sends `sent` (as `role`, with `settings`, when given); in check mode only what `read_only`
/// vouches for.
pub(super) async fn send(
    session: &Session,
    sent: &str,
    role: Option<&Identifier>,
    settings: &[(String, String)],
    check_mode: bool,
) -> Result<Sent, StepError> {
    if role.is_none() && settings.is_empty() {
        return send_as_is(session, sent, check_mode).await;
    }
    // Check mode: the session is inside its read-only transaction. Run mode: BEGIN, unless a
    // transaction is already open (the server then warns 25001 and BEGIN changes nothing).
    let nested = check_mode || {
        let begun = session.execute("BEGIN").await?;
        begun.notices.iter().any(|n| n.code == "25001")
    };
    if nested {
        session.execute(&format!("SAVEPOINT {SAVEPOINT}")).await?;
    }
    let result = send_scoped(session, sent, role, settings, check_mode).await;
    let end = if nested {
        format!("ROLLBACK TO SAVEPOINT {SAVEPOINT}; RELEASE SAVEPOINT {SAVEPOINT}")
    } else {
        "ROLLBACK".to_owned()
    };
    session.execute(&end).await?;
    result
}

/// Inside the check's transaction: the settings (as the target's user, names and values bound
/// as parameters), then the role, then the query.
async fn send_scoped(
    session: &Session,
    sent: &str,
    role: Option<&Identifier>,
    settings: &[(String, String)],
    check_mode: bool,
) -> Result<Sent, StepError> {
    for (name, value) in settings {
        if let Err(error) = session
            .query("SELECT pg_catalog.set_config($1, $2, true)", &[name, value])
            .await
        {
            return Ok(Sent::Failed(error));
        }
    }
    if let Some(role) = role
        && let Err(error) = session
            .execute(&format!("SET LOCAL ROLE {}", quote_ident(role.as_str())))
            .await
    {
        return Ok(Sent::Failed(error));
    }
    // Resolved as the role: its search_path ("$user") and its view of the catalog.
    send_as_is(session, sent, check_mode).await
}

async fn send_as_is(session: &Session, sent: &str, check_mode: bool) -> Result<Sent, StepError> {
    if check_mode && let Some(reason) = crate::read_only::refusal(session, sent).await? {
        return Ok(Sent::NotCheckable(reason));
    }
    Ok(match session.query_one_statement(sent).await {
        Ok(rows) => Sent::Rows(rows),
        Err(error) => Sent::Failed(error),
    })
}

pub(super) fn server_message(error: &QueryError) -> String {
    error
        .server()
        .map(|s| s.message.clone())
        .unwrap_or_else(|| error.to_string())
}

pub(super) fn judge_query(
    check: &Check,
    sql: &str,
    expect: Option<&Expect>,
    rows: &Rows,
) -> GateCheckRecord {
    let actual = describe_rows(rows);
    let (passed, expected) = match expect {
        None => (true, "the query runs".to_owned()),
        Some(expect) => evaluate(expect, rows),
    };
    GateCheckRecord {
        name: check.name.clone(),
        passed,
        check: "query".to_owned(),
        expected,
        actual,
        missing: Vec::new(),
        query: Some(sql.to_owned()),
        error: None,
    }
}

pub(super) fn failed_query(
    check: &Check,
    sql: &str,
    expect: Option<&Expect>,
    error: &QueryError,
) -> GateCheckRecord {
    let expected = match expect {
        None => "the query runs".to_owned(),
        Some(expect) => evaluate(expect, &Rows::default()).1,
    };
    let code = error
        .sqlstate()
        .map(|c| format!(" ({c})"))
        .unwrap_or_default();
    GateCheckRecord {
        name: check.name.clone(),
        passed: false,
        check: "query".to_owned(),
        expected,
        actual: format!("error{code}: {}", server_message(error)),
        missing: Vec::new(),
        query: Some(sql.to_owned()),
        error: Some(error.to_string()),
    }
}

/// Every expectation that is set must hold; returns whether they do and what was expected.
pub(super) fn evaluate(expect: &Expect, rows: &Rows) -> (bool, String) {
    let mut ok = true;
    let mut said = Vec::new();
    let single = single_number(rows);
    if let Some(n) = expect.rows {
        ok &= rows.rows.len() as u64 == n;
        said.push(format!("{n} row{}", plural(n)));
    }
    if let Some(min) = expect.min {
        ok &= single.is_some_and(|v| v >= min);
        said.push(format!("a value >= {}", fmt_number(min)));
    }
    if let Some(max) = expect.max {
        ok &= single.is_some_and(|v| v <= max);
        said.push(format!("a value <= {}", fmt_number(max)));
    }
    if let Some(equals) = &expect.equals {
        match equals {
            Equals::Value(value) => {
                let cell = (rows.rows.len() == 1 && rows.rows[0].len() == 1)
                    .then(|| rows.rows[0][0].as_deref());
                ok &= cell.is_some_and(|c| value.matches_text(c));
                said.push(format!("the value {value}"));
            }
            Equals::Rows(expected) => {
                ok &= expected.len() == rows.rows.len()
                    && expected
                        .iter()
                        .zip(&rows.rows)
                        .all(|(want, got)| row_matches(want, got));
                said.push(format!(
                    "exactly the rows {}",
                    describe_expected_rows(expected)
                ));
            }
        }
    }
    if let Some(contains) = &expect.contains {
        ok &= contains
            .iter()
            .all(|want| rows.rows.iter().any(|got| row_matches(want, got)));
        said.push(format!(
            "rows including {}",
            describe_expected_rows(contains)
        ));
    }
    if let Some(empty) = expect.empty {
        ok &= rows.rows.is_empty() == empty;
        said.push(if empty {
            "no rows".to_owned()
        } else {
            "at least one row".to_owned()
        });
    }
    if said.is_empty() {
        said.push("the query runs".to_owned());
    }
    (ok, said.join(" and "))
}

fn row_matches(want: &[Scalar], got: &[Option<String>]) -> bool {
    want.len() == got.len()
        && want
            .iter()
            .zip(got)
            .all(|(w, g)| w.matches_text(g.as_deref()))
}

fn single_number(rows: &Rows) -> Option<f64> {
    match rows.rows.as_slice() {
        [row] if row.len() == 1 => row[0].as_deref()?.trim().parse().ok(),
        _ => None,
    }
}

pub(super) fn fmt_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        v.to_string()
    }
}

fn describe_expected_rows(rows: &[Vec<Scalar>]) -> String {
    let shown: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "({})",
                r.iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    shown.join(", ")
}

pub(super) fn describe_rows(rows: &Rows) -> String {
    match rows.rows.as_slice() {
        [] => "no rows".to_owned(),
        [row] if row.len() == 1 => format!("the value {}", cell(&row[0])),
        all => {
            let shown: Vec<String> = all
                .iter()
                .take(SHOWN_ROWS)
                .map(|r| format!("({})", r.iter().map(cell).collect::<Vec<_>>().join(", ")))
                .collect();
            let more = all.len().saturating_sub(SHOWN_ROWS);
            let tail = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            format!("{} rows: {}{tail}", all.len(), shown.join(", "))
        }
    }
}

pub(super) fn cell(value: &Option<String>) -> String {
    match value {
        None => "null".to_owned(),
        Some(v) => format!("'{v}'"),
    }
}

/// Rows kept in a check's attached file. A gate is evidence of a state, not an export: a query
/// that returns a whole patient table must not copy it into the evidence.
pub(super) const KEPT_ROWS: usize = 100;

pub(super) fn rows_json(rows: &Rows) -> serde_json::Value {
    let kept = &rows.rows[..rows.rows.len().min(KEPT_ROWS)];
    serde_json::json!({
        "columns": rows.columns,
        "row_count": rows.rows.len(),
        "rows": kept,
        "rows_not_kept": rows.rows.len() - kept.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(values: &[&[Option<&str>]]) -> Rows {
        Rows {
            columns: vec!["c".into(); values.first().map_or(0, |r| r.len())],
            rows: values
                .iter()
                .map(|r| r.iter().map(|v| v.map(str::to_owned)).collect())
                .collect(),
            rows_affected: None,
            notices: Vec::new(),
        }
    }

    fn expect() -> Expect {
        Expect {
            rows: None,
            min: None,
            max: None,
            equals: None,
            contains: None,
            empty: None,
        }
    }

    #[test]
    fn min_and_max_judge_a_single_value() {
        let r = rows(&[&[Some("83")]]);
        assert!(
            evaluate(
                &Expect {
                    min: Some(50.0),
                    ..expect()
                },
                &r
            )
            .0
        );
        assert!(
            !evaluate(
                &Expect {
                    min: Some(84.0),
                    ..expect()
                },
                &r
            )
            .0
        );
        assert!(
            !evaluate(
                &Expect {
                    max: Some(82.0),
                    ..expect()
                },
                &r
            )
            .0
        );
        let two = rows(&[&[Some("1")], &[Some("2")]]);
        assert!(
            !evaluate(
                &Expect {
                    min: Some(0.0),
                    ..expect()
                },
                &two
            )
            .0,
            "min needs exactly one value"
        );
    }

    #[test]
    fn rows_equals_contains_and_empty() {
        let r = rows(&[&[Some("a"), Some("1")], &[Some("b"), None]]);
        assert!(
            evaluate(
                &Expect {
                    rows: Some(2),
                    ..expect()
                },
                &r
            )
            .0
        );
        assert!(
            !evaluate(
                &Expect {
                    rows: Some(1),
                    ..expect()
                },
                &r
            )
            .0
        );
        let want = vec![vec![Scalar::Text("b".into()), Scalar::Null]];
        assert!(
            evaluate(
                &Expect {
                    contains: Some(want.clone()),
                    ..expect()
                },
                &r
            )
            .0
        );
        assert!(
            !evaluate(
                &Expect {
                    equals: Some(Equals::Rows(want)),
                    ..expect()
                },
                &r
            )
            .0
        );
        assert!(
            !evaluate(
                &Expect {
                    empty: Some(true),
                    ..expect()
                },
                &r
            )
            .0
        );
        assert!(
            evaluate(
                &Expect {
                    empty: Some(false),
                    ..expect()
                },
                &r
            )
            .0
        );
        let one = rows(&[&[Some("t")]]);
        assert!(
            evaluate(
                &Expect {
                    equals: Some(Equals::Value(Scalar::Bool(true))),
                    ..expect()
                },
                &one
            )
            .0
        );
    }

    #[test]
    fn expected_text_names_every_expectation() {
        let (_, said) = evaluate(
            &Expect {
                rows: Some(1),
                min: Some(1.0),
                ..expect()
            },
            &Rows::default(),
        );
        assert_eq!(said, "1 row and a value >= 1");
    }

    #[test]
    fn attached_rows_are_capped_and_say_how_many_were_left_out() {
        let many: Vec<Vec<Option<String>>> = (0..250).map(|i| vec![Some(i.to_string())]).collect();
        let rows = Rows {
            columns: vec!["id".into()],
            rows: many,
            rows_affected: None,
            notices: Vec::new(),
        };
        let json = rows_json(&rows);
        assert_eq!(json["row_count"], 250);
        assert_eq!(json["rows"].as_array().map(Vec::len), Some(KEPT_ROWS));
        assert_eq!(json["rows_not_kept"], 150);
        let few = rows_json(&super::tests::rows(&[&[Some("1")]]));
        assert_eq!(few["rows_not_kept"], 0);
    }
}
