//! `sequence_reset`: make the next `nextval()` right after a restore (the seed's
//! `ALTER SEQUENCE facility_num RESTART WITH <max + 1>` done by hand).
//!
//! `to: { max_of: { table, column } }` sets the sequence from the data in one statement, so no
//! insert can slip between reading the maximum and setting the sequence; `to: { next: N }` is
//! `ALTER SEQUENCE ... RESTART WITH N`. The value before and after is recorded, because a
//! reviewer wants to see that the sequence moved where it should. Names are quoted identifiers,
//! never pasted raw.

use async_trait::async_trait;
use runbook_evidence::{StepOutcome, StepStatus};
use runbook_postgres::Session;
use runbook_spec::{QualifiedName, ResetTo, SequenceReset, quote_ident};
use serde_json::json;

use crate::context::StepContext;
use crate::errors::StepError;
use crate::step::Step;

pub(crate) struct SequenceResetStep(pub SequenceReset);

/// Where a sequence stands: what `nextval()` would return next.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SequenceState {
    last_value: i64,
    is_called: bool,
    increment: i64,
}

impl SequenceState {
    fn next(&self) -> i64 {
        if self.is_called {
            self.last_value.saturating_add(self.increment)
        } else {
            self.last_value
        }
    }

    fn json(&self) -> serde_json::Value {
        json!({ "last_value": self.last_value, "is_called": self.is_called, "next_value": self.next() })
    }
}

#[async_trait]
impl Step for SequenceResetStep {
    async fn run(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let sequence = &self.0.sequence;
        let session = cx.session().await?;
        let before = state(session, sequence).await?;
        let statement = match &self.0.to {
            ResetTo::MaxOf(max_of) => format!(
                "SELECT pg_catalog.setval($1::text::regclass, COALESCE(max({}), 0) + 1, false) FROM {}",
                quote_ident(&max_of.column),
                max_of.table.to_sql()
            ),
            ResetTo::Next(next) => {
                format!("ALTER SEQUENCE {} RESTART WITH {next}", sequence.to_sql())
            }
        };
        match &self.0.to {
            ResetTo::MaxOf(_) => {
                session.query(&statement, &[&sequence.to_sql()]).await?;
            }
            ResetTo::Next(_) => {
                session.execute(&statement).await?;
            }
        }
        let after = state(session, sequence).await?;
        cx.log(format!(
            "{}  -- {sequence}",
            statement.replace(
                "$1::text::regclass",
                &format!("'{}'", sequence.to_sql().replace('\'', "''"))
            )
        ));
        cx.log(format!(
            "before: next nextval() = {} (last_value {}, is_called {})",
            before.next(),
            before.last_value,
            before.is_called
        ));
        cx.log(format!(
            "after:  next nextval() = {} (last_value {}, is_called {})",
            after.next(),
            after.last_value,
            after.is_called
        ));
        let mut outcome = StepOutcome::new(
            StepStatus::Passed,
            format!(
                "{sequence}: next value {} (was {})",
                after.next(),
                before.next()
            ),
        );
        outcome.details = json!({
            "sequence": sequence.to_string(),
            "to": describe_target(&self.0.to),
            "before": before.json(),
            "after": after.json(),
        });
        Ok(outcome)
    }

    async fn check(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let sequence = self.0.sequence.clone();
        let changed_earlier = cx.target_changed_earlier().map(str::to_owned);
        cx.will_change_target();
        let session = cx.session().await?;
        let before = match state(session, &sequence).await {
            Ok(state) => state,
            Err(StepError::Failed(record)) if changed_earlier.is_some() => {
                return Err(StepError::Deferred(format!(
                    "{}; earlier steps change target '{}', so it may exist by then",
                    record.message,
                    changed_earlier.unwrap_or_default()
                )));
            }
            Err(other) => return Err(other),
        };
        let target_next = match &self.0.to {
            ResetTo::Next(n) => Some(*n),
            ResetTo::MaxOf(max_of) => {
                let sql = format!(
                    "SELECT (COALESCE(max({}), 0) + 1)::text FROM {}",
                    quote_ident(&max_of.column),
                    max_of.table.to_sql()
                );
                match session.simple_query(&sql).await {
                    Ok(rows) => rows.single_value().flatten().and_then(|v| v.parse().ok()),
                    Err(_) if changed_earlier.is_some() => None,
                    Err(error) => return Err(error.into()),
                }
            }
        };
        let summary = match target_next {
            Some(next) => format!(
                "would set {sequence} so that nextval() returns {next} (now {})",
                before.next()
            ),
            None => format!(
                "would set {sequence} from {} (not readable now; earlier steps load it); nextval() now returns {}",
                describe_target(&self.0.to),
                before.next()
            ),
        };
        cx.log(&summary);
        let mut outcome = StepOutcome::new(StepStatus::Passed, summary);
        outcome.details = json!({ "sequence": sequence.to_string(), "before": before.json(), "would_next": target_next });
        Ok(outcome)
    }
}

fn describe_target(to: &ResetTo) -> String {
    match to {
        ResetTo::MaxOf(max_of) => format!("max({}) + 1 of {}", max_of.column, max_of.table),
        ResetTo::Next(n) => format!("next {n}"),
    }
}

async fn state(session: &Session, sequence: &QualifiedName) -> Result<SequenceState, StepError> {
    let exists = session
        .query(
            "SELECT s.seqincrement::text FROM pg_catalog.pg_sequence s WHERE s.seqrelid = pg_catalog.to_regclass($1)",
            &[&sequence.to_sql()],
        )
        .await?;
    let Some(Some(increment)) = exists.single_value() else {
        return Err(StepError::failed(format!(
            "sequence {sequence} does not exist"
        )));
    };
    let increment = increment.parse().unwrap_or(1);
    let rows = session
        .simple_query(&format!(
            "SELECT last_value::text, is_called::text FROM {}",
            sequence.to_sql()
        ))
        .await?;
    let row = rows.rows.first().cloned().unwrap_or_default();
    let cell = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
    Ok(SequenceState {
        last_value: cell(0).parse().unwrap_or(0),
        is_called: cell(1) == "true",
        increment,
    })
}

#[cfg(test)]
mod tests {
    use super::SequenceState;

    #[test]
    fn next_value_follows_is_called() {
        let called = SequenceState {
            last_value: 103,
            is_called: true,
            increment: 1,
        };
        assert_eq!(called.next(), 104);
        let fresh = SequenceState {
            last_value: 104,
            is_called: false,
            increment: 1,
        };
        assert_eq!(fresh.next(), 104);
        let by_ten = SequenceState {
            last_value: 100,
            is_called: true,
            increment: 10,
        };
        assert_eq!(by_ten.next(), 110);
    }
}
