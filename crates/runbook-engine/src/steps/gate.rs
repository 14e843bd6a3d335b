//! `gate`: the checks a reviewer signs off on (tables exist, counts, sequences yield values).
//!
//! A failing check is not an error of the tool: the step ends `failed` with every check's
//! expected and actual value, and the run ends `gate_failed` (exit 4). Catalog checks resolve
//! names as the server does (`to_regclass`, so unqualified names follow `search_path`) and list
//! exactly which objects are missing. User queries run as written in `run` mode; in `check` mode
//! they run inside the read-only transaction, statements that could leave it are refused, and a
//! query that needs to write (`nextval`) is reported as not checkable rather than failing.

use async_trait::async_trait;
use runbook_evidence::{GateCheckRecord, StepOutcome, StepStatus};
use runbook_postgres::{QueryError, Rows, Session};
use runbook_spec::{Check, CheckKind, Equals, Expect, Gate, QualifiedName, Scalar};
use runbook_sql::analysis::{ConsentAnalyzer, Risk};

use crate::context::StepContext;
use crate::errors::StepError;
use crate::step::{Destruction, Step};
use crate::text::plural;

pub(crate) struct GateStep(pub Gate);

/// Rows kept in a check's record; the full result is attached as a file.
const SHOWN_ROWS: usize = 20;

#[async_trait]
impl Step for GateStep {
    async fn run(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        self.evaluate(cx).await
    }

    async fn check(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        self.evaluate(cx).await
    }

    /// A gate is meant to read, but its queries run as written on the target: one that cannot
    /// be proven harmless needs consent like any statement of a `sql` step.
    fn destruction(
        &self,
        step: &runbook_spec::Step,
        runbook: &runbook_spec::Runbook,
    ) -> Result<Vec<Destruction>, StepError> {
        let Some(target) = &step.target else {
            return Ok(Vec::new());
        };
        let redactor = runbook_evidence::Redactor::new(runbook.secrets());
        let mut found = Vec::new();
        for check in &self.0.checks {
            let CheckKind::Query { sql, .. } = &check.kind else {
                continue;
            };
            let sent = with_variables(sql, runbook);
            // The server's standard_conforming_strings is not known yet: both readings.
            let risk = [true, false]
                .into_iter()
                .map(|scs| ConsentAnalyzer::new().statement(&sent, scs))
                .find(|r| matches!(r, Risk::NeedsConsent(_)));
            if let Some(Risk::NeedsConsent(reason)) = risk {
                found.push(Destruction {
                    target: target.clone(),
                    what: format!(
                        "run the query of check '{}': {}",
                        check.name,
                        redactor.redact(&reason)
                    ),
                });
            }
        }
        Ok(found)
    }
}

impl GateStep {
    async fn evaluate(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let mut records = Vec::new();
        let mut not_checkable = 0;
        for (i, check) in self.0.checks.iter().enumerate() {
            let record = match &check.kind {
                CheckKind::Query { sql, expect, .. } => {
                    let sent = with_variables(sql, cx.runbook());
                    let check_mode = cx.is_check();
                    let session = cx.session().await?;
                    if check_mode
                        && let Some(reason) = crate::read_only::refusal(session, &sent).await?
                    {
                        cx.log(format!("not checked  {}: {reason}", check.name));
                        not_checkable += 1;
                        continue;
                    }
                    match session.query_one_statement(&sent).await {
                        Ok(rows) => {
                            let record = judge_query(check, sql, expect.as_ref(), &rows);
                            let file = format!("check-{:02}-rows.json", i + 1);
                            cx.output().attach_json(&file, &rows_json(&rows));
                            record
                        }
                        Err(error) if cx.is_check() && error.sqlstate() == Some("25006") => {
                            cx.log(format!(
                                "not checked  {}: the query writes ({}), and check mode is read-only",
                                check.name,
                                server_message(&error)
                            ));
                            not_checkable += 1;
                            continue;
                        }
                        Err(error) => failed_query(check, sql, expect.as_ref(), &error),
                    }
                }
                other => {
                    let session = cx.session().await?;
                    catalog_check(session, check, other).await?
                }
            };
            let missing = match record.missing.as_slice() {
                [] => String::new(),
                names => format!(" (missing: {})", names.join(", ")),
            };
            cx.log(format!(
                "{}  {}: expected {}; actual {}{missing}",
                if record.passed { "pass" } else { "FAIL" },
                record.name,
                record.expected,
                record.actual
            ));
            records.push(record);
        }

        let passed = records.iter().filter(|r| r.passed).count();
        let failed = records.len() - passed;
        let mut notes = String::new();
        if not_checkable > 0 {
            notes = format!(", {not_checkable} not checkable read-only");
        }
        let (status, summary) = if failed == 0 {
            (
                StepStatus::Passed,
                format!("{passed} of {} checks passed{notes}", records.len()),
            )
        } else if cx.is_check()
            && let Some(target) = cx.target_changed_earlier()
        {
            // Before the restore the gates are expected to fail: report the state, don't
            // predict a failure from it.
            (
                StepStatus::Passed,
                format!(
                    "now {passed} of {} checks pass{notes}; earlier steps change target '{target}', so this is the current state, not a prediction",
                    records.len()
                ),
            )
        } else {
            let names: Vec<&str> = records
                .iter()
                .filter(|r| !r.passed)
                .map(|r| r.name.as_str())
                .collect();
            (
                StepStatus::Failed,
                format!(
                    "{failed} of {} checks failed: {}{notes}",
                    records.len(),
                    names.join(", ")
                ),
            )
        };
        let mut outcome = StepOutcome::new(status, summary);
        outcome.gate = Some(records);
        Ok(outcome)
    }
}

/// The query as the server gets it: the runbook's vars are psql variables here too (`:'name'`
/// a quoted literal, `:"name"` an identifier), as in `sql` steps and as the `${...}` error
/// message tells the author to write. A query the reader cannot split is sent as written, so
/// the server reports what is wrong with it.
fn with_variables(sql: &str, runbook: &runbook_spec::Runbook) -> String {
    let vars = crate::script::variables(runbook, &indexmap::IndexMap::new());
    let reader = crate::script::reader(std::io::Cursor::new(sql.as_bytes().to_vec()), vars);
    let mut statements = Vec::new();
    for item in reader {
        match item {
            Ok(runbook_sql::Item::Statement(statement)) => statements.push(statement.text),
            _ => return sql.to_owned(),
        }
    }
    if statements.is_empty() {
        sql.to_owned()
    } else {
        statements.join("\n")
    }
}

fn server_message(error: &QueryError) -> String {
    error
        .server()
        .map(|s| s.message.clone())
        .unwrap_or_else(|| error.to_string())
}

fn judge_query(check: &Check, sql: &str, expect: Option<&Expect>, rows: &Rows) -> GateCheckRecord {
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

fn failed_query(
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
fn evaluate(expect: &Expect, rows: &Rows) -> (bool, String) {
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

fn fmt_number(v: f64) -> String {
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

fn describe_rows(rows: &Rows) -> String {
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

fn cell(value: &Option<String>) -> String {
    match value {
        None => "null".to_owned(),
        Some(v) => format!("'{v}'"),
    }
}

/// Rows kept in a check's attached file. A gate is evidence of a state, not an export: a query
/// that returns a whole patient table must not copy it into the evidence.
const KEPT_ROWS: usize = 100;

fn rows_json(rows: &Rows) -> serde_json::Value {
    let kept = &rows.rows[..rows.rows.len().min(KEPT_ROWS)];
    serde_json::json!({
        "columns": rows.columns,
        "row_count": rows.rows.len(),
        "rows": kept,
        "rows_not_kept": rows.rows.len() - kept.len(),
    })
}

/// Looks objects up in the catalog, one name at a time, and lists those that are missing.
async fn catalog_check(
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
        CheckKind::Query { .. } => unreachable!("queries are judged by judge_query"),
    };
    let passed = missing.is_empty();
    // The names themselves travel in `missing`; reports list them after this text.
    let actual = if passed {
        format!("all {} present", names.len())
    } else {
        format!("{} of {} present", names.len() - missing.len(), names.len())
    };
    Ok(GateCheckRecord {
        name: check.name.clone(),
        passed,
        check: label.to_owned(),
        expected: format!("{expected}: {}", names.join(", ")),
        actual,
        missing,
        query: None,
        error: None,
    })
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

fn relkind_name(kind: &str) -> &'static str {
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

fn display_all<T: std::fmt::Display>(items: &[T]) -> Vec<String> {
    items.iter().map(|i| i.to_string()).collect()
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
