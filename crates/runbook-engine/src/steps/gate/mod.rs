//! `gate`: the checks a reviewer signs off on (tables exist, counts, sequences yield values).
//!
//! A failing check is not an error of the tool: the step ends `failed` with every check's
//! expected and actual value, and the run ends `gate_failed` (exit 4). Catalog checks resolve
//! names as the server does (`to_regclass`, so unqualified names follow `search_path`) and list
//! exactly which objects are missing. User queries run as written in `run` mode; in `check` mode
//! they run inside the read-only transaction, statements that could leave it are refused, and a
//! query that needs to write (`nextval`) is reported as not checkable rather than failing.
//!
//! One file per check family: `query` (user queries, `expect`, `as_role`), `exists` (the
//! relation-name lists), and one per catalog check: `enum_values`, `privileges`, `triggers`,
//! `functions`, `roles`, `extensions`, `foreign_keys`, `row_count`, `sequence_ahead`,
//! `migrations_applied`. Every
//! lookup binds the names as parameters and lets the server resolve them (`to_regclass`,
//! `to_regtype`, `to_regprocedure`, `to_regrole`); a name is pasted into SQL text only as the
//! server itself quoted it (`format('%s', regclass)`) or quoted as an identifier.

mod enum_values;
mod exists;
mod extensions;
mod foreign_keys;
mod functions;
mod migrations_applied;
mod privileges;
mod query;
mod roles;
mod row_count;
mod sequence_ahead;
mod triggers;

use async_trait::async_trait;
use runbook_evidence::{GateCheckRecord, StepOutcome, StepStatus};
use runbook_postgres::{Rows, Session};
use runbook_spec::{Check, CheckKind, Gate};
use runbook_sql::analysis::{ConsentAnalyzer, Risk};

use crate::context::StepContext;
use crate::errors::StepError;
use crate::step::{Destruction, Step};
use query::{Sent, failed_query, judge_query, rows_json, server_message};

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
            if let Some(reason) = query_needs_consent(sql, runbook) {
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
                CheckKind::Query {
                    sql,
                    expect,
                    as_role,
                    settings,
                    ..
                } => {
                    let sent = with_variables(sql, cx.runbook());
                    let check_mode = cx.is_check();
                    let scoped = as_role.is_some() || !settings.is_empty();
                    let outcome = if scoped && !check_mode {
                        // A connection of the check's own, closed after it: even a check cut
                        // short (timeout, Ctrl-C) before its ROLLBACK cannot leave the role or
                        // an open transaction on the session later steps reuse.
                        let own = cx.script_session().await?;
                        query::send(&own, &sent, as_role.as_ref(), settings, check_mode).await?
                    } else {
                        let session = cx.session().await?;
                        query::send(session, &sent, as_role.as_ref(), settings, check_mode).await?
                    };
                    let mut record = match outcome {
                        Sent::NotCheckable(reason) => {
                            cx.log(format!("not checked  {}: {reason}", check.name));
                            not_checkable += 1;
                            continue;
                        }
                        Sent::Rows(rows) => {
                            let record = judge_query(check, sql, expect.as_ref(), &rows);
                            let file = format!("check-{:02}-rows.json", i + 1);
                            cx.output().attach_json(&file, &rows_json(&rows));
                            record
                        }
                        Sent::Failed(error) if check_mode && error.sqlstate() == Some("25006") => {
                            cx.log(format!(
                                "not checked  {}: the query writes ({}), and check mode is read-only",
                                check.name,
                                server_message(&error)
                            ));
                            not_checkable += 1;
                            continue;
                        }
                        Sent::Failed(error) => failed_query(check, sql, expect.as_ref(), &error),
                    };
                    let mut context: Vec<String> = settings
                        .iter()
                        .map(|(name, value)| format!("{name} = '{value}'"))
                        .collect();
                    if let Some(role) = as_role {
                        context.insert(0, format!("as role {role}"));
                    }
                    if !context.is_empty() {
                        record.expected = format!("{}: {}", context.join(", "), record.expected);
                    }
                    record
                }
                other => {
                    let check_mode = cx.is_check();
                    let session = cx.session().await?;
                    let lookup = Lookup {
                        session,
                        check_mode,
                    };
                    match catalog_check(&lookup, check, other).await? {
                        Ok(record) => record,
                        Err(reason) => {
                            cx.log(format!("not checked  {}: {reason}", check.name));
                            not_checkable += 1;
                            continue;
                        }
                    }
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

/// Why a check query (or a `wait_until` query) needs consent before it runs on a protected
/// target, or `None` when it is proven harmless.
pub(crate) fn query_needs_consent(sql: &str, runbook: &runbook_spec::Runbook) -> Option<String> {
    let sent = with_variables(sql, runbook);
    // The server's standard_conforming_strings is not known yet: both readings.
    [true, false]
        .into_iter()
        .map(|scs| ConsentAnalyzer::new().statement(&sent, scs))
        .find_map(|risk| match risk {
            Risk::NeedsConsent(reason) => Some(reason),
            _ => None,
        })
}

/// One poll of a `wait_until` query: sent as a gate query is (the runbook's vars as psql
/// variables, check mode's vouching that it only reads) and judged by the same `expect`.
pub(crate) enum QueryPoll {
    /// Whether the result meets `expect`; what was expected; the result described (at most 20
    /// rows).
    Judged {
        holds: bool,
        expected: String,
        actual: String,
    },
    /// The server refused the query: its message, with the SQLSTATE.
    Failed(String),
    /// Check mode would not send it; the reason.
    NotCheckable(String),
}

pub(crate) async fn poll_query(
    session: &Session,
    sql: &str,
    expect: &runbook_spec::Expect,
    runbook: &runbook_spec::Runbook,
    check_mode: bool,
) -> Result<QueryPoll, StepError> {
    let sent = with_variables(sql, runbook);
    Ok(
        match query::send(session, &sent, None, &[], check_mode).await? {
            Sent::Rows(rows) => {
                let (holds, expected) = query::evaluate(expect, &rows);
                QueryPoll::Judged {
                    holds,
                    expected,
                    actual: query::describe_rows(&rows),
                }
            }
            Sent::Failed(error) if check_mode && error.sqlstate() == Some("25006") => {
                QueryPoll::NotCheckable(format!(
                    "the query writes ({}), and check mode is read-only",
                    server_message(&error)
                ))
            }
            Sent::Failed(error) => {
                let code = error
                    .sqlstate()
                    .map(|c| format!(" ({c})"))
                    .unwrap_or_default();
                QueryPoll::Failed(format!("error{code}: {}", server_message(&error)))
            }
            Sent::NotCheckable(reason) => QueryPoll::NotCheckable(reason),
        },
    )
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

/// A catalog check's view of the target: its session, and whether it is check mode's
/// read-only transaction (where a failed lookup must not poison the transaction for the rest).
pub(super) struct Lookup<'a> {
    pub session: &'a Session,
    pub check_mode: bool,
}

impl Lookup<'_> {
    /// A lookup whose input the server may reject (an argument type that does not exist,
    /// `f(int`): the server's message is the finding, not a failure of the tool. In check mode
    /// it runs under a savepoint so the read-only transaction survives the error.
    pub async fn query_or_reason(
        &self,
        sql: &str,
        params: &[&str],
    ) -> Result<Result<Rows, String>, StepError> {
        if self.check_mode {
            self.session
                .execute("SAVEPOINT runbook_gate_lookup")
                .await?;
        }
        let result = self.session.query(sql, params).await;
        if self.check_mode {
            let end = if result.is_ok() {
                "RELEASE SAVEPOINT runbook_gate_lookup"
            } else {
                "ROLLBACK TO SAVEPOINT runbook_gate_lookup; RELEASE SAVEPOINT runbook_gate_lookup"
            };
            self.session.execute(end).await?;
        }
        match result {
            Ok(rows) => Ok(Ok(rows)),
            Err(error) if error.server().is_some() => Ok(Err(server_message(&error))),
            Err(error) => Err(error.into()),
        }
    }

    /// Whether check mode may send `sql` (always in run mode); the reason when not.
    pub async fn refusal(&self, sql: &str) -> Result<Option<String>, StepError> {
        if !self.check_mode {
            return Ok(None);
        }
        crate::read_only::refusal(self.session, sql).await
    }
}

/// A catalog check's record, or why check mode could not evaluate it.
async fn catalog_check(
    lookup: &Lookup<'_>,
    check: &Check,
    kind: &CheckKind,
) -> Result<Result<GateCheckRecord, String>, StepError> {
    let record = match kind {
        CheckKind::Query { .. } => unreachable!("queries are judged by judge_query"),
        CheckKind::EnumValues(spec) => enum_values::check(lookup, check, spec).await?,
        CheckKind::Privileges(spec) => privileges::check(lookup, check, spec).await?,
        CheckKind::TriggersExist(names) => triggers::check(lookup, check, names).await?,
        CheckKind::FunctionsExist(names) => functions::check(lookup, check, names).await?,
        CheckKind::RolesExist(names) => roles::check(lookup, check, names).await?,
        CheckKind::ExtensionsExist(names) => extensions::check(lookup, check, names).await?,
        CheckKind::ForeignKeys(keys) => foreign_keys::check(lookup, check, keys).await?,
        CheckKind::RowCount(spec) => return row_count::check(lookup, check, spec).await,
        CheckKind::SequenceAhead(spec) => return sequence_ahead::check(lookup, check, spec).await,
        CheckKind::MigrationsApplied(spec) => {
            return migrations_applied::check(lookup, check, spec).await;
        }
        other => exists::check(lookup.session, check, other).await?,
    };
    Ok(Ok(record))
}

/// The record of a check that looks names up: which were expected, how many were found, and
/// the missing ones (each with why, when it is more than absence).
fn names_record(
    check: &Check,
    label: &str,
    expected: &str,
    names: &[String],
    missing: Vec<String>,
) -> GateCheckRecord {
    let passed = missing.is_empty();
    // The names themselves travel in `missing`; reports list them after this text.
    let actual = if passed {
        format!("all {} present", names.len())
    } else {
        format!("{} of {} present", names.len() - missing.len(), names.len())
    };
    record(
        check,
        label,
        passed,
        format!("{expected}: {}", names.join(", ")),
        actual,
        missing,
    )
}

fn record(
    check: &Check,
    label: &str,
    passed: bool,
    expected: String,
    actual: String,
    missing: Vec<String>,
) -> GateCheckRecord {
    GateCheckRecord {
        name: check.name.clone(),
        passed,
        check: label.to_owned(),
        expected,
        actual,
        missing,
        query: None,
        error: None,
    }
}

fn display_all<T: std::fmt::Display>(items: &[T]) -> Vec<String> {
    items.iter().map(|i| i.to_string()).collect()
}
