//! `sequence_reset`: make the next `nextval()` right after a restore (the seed's
//! `ALTER SEQUENCE facility_num RESTART WITH <max + 1>` done by hand).
//!
//! `to: { max_of: { table, column } }` reads the data, the sequence and sets it in one
//! statement, so no insert can slip between reading the maximum and setting the sequence. It
//! never moves the sequence back unless `allow_lower: true`: a sequence ahead of the data (seed
//! 004 sets facility_num to 103 on purpose; rows may still come) is kept, and an empty table
//! no longer sends it back to 1. `to: { next: N }` is `ALTER SEQUENCE ... RESTART WITH N`, an
//! explicit value applied as written, recorded as `lowered` when it moves the sequence back.
//! What happened (`kept`, `raised`, `lowered`) and the next value before and after are in the
//! summary and the details, because a reviewer wants to see that the sequence moved where it
//! should, and that it did not move back. Names are quoted identifiers, never pasted raw.

use async_trait::async_trait;
use runbook_evidence::{StepOutcome, StepStatus};
use runbook_postgres::Session;
use runbook_spec::{MaxOf, QualifiedName, ResetTo, SequenceReset, quote_ident};
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
    /// What `nextval()` returns now. In i128: `last_value + increment` of a sequence at its
    /// end is past i64 (nextval would fail there; the comparison still holds).
    fn next(&self) -> i128 {
        if self.is_called {
            i128::from(self.last_value) + i128::from(self.increment)
        } else {
            i128::from(self.last_value)
        }
    }

    fn json(&self) -> serde_json::Value {
        json!({
            "last_value": self.last_value,
            "is_called": self.is_called,
            "increment": self.increment,
            "next_value": json_number(self.next()),
        })
    }
}

fn json_number(n: i128) -> serde_json::Value {
    i64::try_from(n).map_or_else(|_| json!(n.to_string()), |n| json!(n))
}

/// What a reset does to the next value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    /// The sequence stays as it is: already there, or ahead and not allowed to move back.
    Kept,
    Raised,
    Lowered,
}

impl Action {
    fn word(self) -> &'static str {
        match self {
            Action::Kept => "kept",
            Action::Raised => "raised",
            Action::Lowered => "lowered",
        }
    }

    fn would(self) -> &'static str {
        match self {
            Action::Kept => "would keep",
            Action::Raised => "would raise",
            Action::Lowered => "would lower",
        }
    }
}

/// The rule: the wanted next value, unless it is lower than the current one and lowering is
/// not allowed. Returns the action and the next value after it.
fn decide(current: i128, wanted: i128, allow_lower: bool) -> (Action, i128) {
    if wanted > current {
        (Action::Raised, wanted)
    } else if wanted < current && allow_lower {
        (Action::Lowered, wanted)
    } else {
        (Action::Kept, current)
    }
}

/// What `max_of` found and asks for.
#[derive(Debug, Clone)]
struct MaxOfTarget {
    /// max(column) + 1, or 1 on an empty table.
    max_plus_one: i128,
    /// The greater of that and the floor.
    wanted: i128,
}

impl MaxOfTarget {
    fn from_max_plus_one(max_plus_one: i128, max_of: &MaxOf) -> MaxOfTarget {
        let wanted = max_of
            .floor
            .map_or(max_plus_one, |floor| max_plus_one.max(i128::from(floor)));
        MaxOfTarget {
            max_plus_one,
            wanted,
        }
    }
}

/// "max(id) + 1 of public.d_facility = 1, floor 103": why the wanted value is what it is.
fn basis(max_of: &MaxOf, found: Option<&MaxOfTarget>) -> String {
    let mut text = format!("max({}) + 1 of {}", max_of.column, max_of.table);
    if let Some(found) = found {
        text.push_str(&format!(" = {}", found.max_plus_one));
    }
    if let Some(floor) = max_of.floor {
        text.push_str(&format!(", floor {floor}"));
    }
    text
}

/// The explanation after a summary: where the value comes from, and why it did not move back.
fn reason(to: &ResetTo, found: Option<&MaxOfTarget>, action: Action, current: i128) -> String {
    match to {
        ResetTo::MaxOf(max_of) => {
            let mut text = basis(max_of, found);
            if action == Action::Kept && found.is_some_and(|f| f.wanted < current) {
                text.push_str(", not lowered without allow_lower: true");
            }
            if action == Action::Lowered {
                text.push_str(" (allow_lower: true)");
            }
            text
        }
        ResetTo::Next(n) => format!("next: {n} as written"),
    }
}

fn refuse_descending(sequence: &QualifiedName, state: &SequenceState) -> Result<(), StepError> {
    if state.increment < 0 {
        return Err(StepError::failed(format!(
            "sequence {sequence} counts down (increment {}); max_of sets a sequence that counts up: use to: {{ next: N }}",
            state.increment
        )));
    }
    Ok(())
}

#[async_trait]
impl Step for SequenceResetStep {
    async fn run(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let sequence = &self.0.sequence;
        let session = cx.session().await?;
        let before = state(session, sequence).await?;
        let mut found = None;
        let (action, shown) = match &self.0.to {
            ResetTo::MaxOf(max_of) => {
                refuse_descending(sequence, &before)?;
                // One statement reads the data and the sequence as they are at that moment
                // and sets it only when the rule says so.
                let allow_lower = if max_of.allow_lower { "true" } else { "false" };
                let floor = max_of.floor.map_or("NULL".to_owned(), |f| f.to_string());
                let statement = format!(
                    "SELECT t.max_plus_one::text, cur.next::text, \
                     CASE WHEN t.wanted > cur.next OR ({allow_lower} AND t.wanted < cur.next) \
                     THEN pg_catalog.setval($1::text::regclass, t.wanted::bigint, false) END::text \
                     FROM (SELECT m.max_plus_one, GREATEST(m.max_plus_one, {floor}::numeric) AS wanted \
                     FROM (SELECT COALESCE(max({column})::numeric, 0) + 1 AS max_plus_one FROM {table}) m) t, \
                     (SELECT CASE WHEN is_called THEN last_value::numeric + {increment} ELSE last_value::numeric END AS next \
                     FROM {seq}) cur",
                    column = quote_ident(&max_of.column),
                    table = max_of.table.to_sql(),
                    increment = before.increment,
                    seq = sequence.to_sql(),
                );
                let rows = session.query(&statement, &[&sequence.to_sql()]).await?;
                let row = rows.rows.first().cloned().unwrap_or_default();
                let cell = |i: usize| row.get(i).cloned().flatten();
                let max_plus_one = parse_number(cell(0).as_deref())?;
                let current = parse_number(cell(1).as_deref())?;
                let target = MaxOfTarget::from_max_plus_one(max_plus_one, max_of);
                let (action, _) = decide(current, target.wanted, max_of.allow_lower);
                let shown = format!(
                    "{}  -- {sequence}",
                    statement.replace(
                        "$1::text::regclass",
                        &format!("'{}'", sequence.to_sql().replace('\'', "''"))
                    )
                );
                found = Some(target);
                (action, shown)
            }
            ResetTo::Next(next) => {
                let (action, _) = decide(before.next(), i128::from(*next), true);
                let statement = format!("ALTER SEQUENCE {} RESTART WITH {next}", sequence.to_sql());
                if action != Action::Kept {
                    session.execute(&statement).await?;
                }
                (action, statement)
            }
        };
        let after = state(session, sequence).await?;
        if action == Action::Kept && matches!(self.0.to, ResetTo::Next(_)) {
            cx.log(format!("not run (nextval() already returns that): {shown}"));
        } else {
            cx.log(shown);
        }
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
        let why = reason(&self.0.to, found.as_ref(), action, before.next());
        cx.log(format!("{}: {why}", action.word()));
        if action == Action::Lowered {
            cx.log(format!(
                "warning: {sequence} was moved back from {} to {}: values in between may be handed out again",
                before.next(),
                after.next()
            ));
        }
        let mut outcome = StepOutcome::new(
            StepStatus::Passed,
            format!(
                "{sequence}: {}: next value {} (was {}); {why}",
                action.word(),
                after.next(),
                before.next()
            ),
        );
        outcome.details = json!({
            "sequence": sequence.to_string(),
            "to": describe_target(&self.0.to),
            "action": action.word(),
            "target_next": found.as_ref().map(|f| json_number(f.wanted)),
            "max_plus_one": found.as_ref().map(|f| json_number(f.max_plus_one)),
            "floor": floor_of(&self.0.to),
            "allow_lower": allow_lower_of(&self.0.to),
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
        let found = match &self.0.to {
            ResetTo::Next(_) => None,
            ResetTo::MaxOf(max_of) => {
                refuse_descending(&sequence, &before)?;
                let sql = format!(
                    "SELECT (COALESCE(max({})::numeric, 0) + 1)::text FROM {}",
                    quote_ident(&max_of.column),
                    max_of.table.to_sql()
                );
                match session.simple_query(&sql).await {
                    Ok(rows) => {
                        let value = rows.single_value().flatten();
                        Some(Some(MaxOfTarget::from_max_plus_one(
                            parse_number(value)?,
                            max_of,
                        )))
                    }
                    Err(_) if changed_earlier.is_some() => Some(None),
                    Err(error) => return Err(error.into()),
                }
            }
        };
        let current = before.next();
        let (summary, action, would_next) = match (&self.0.to, &found) {
            (ResetTo::Next(n), _) => {
                let (action, next) = decide(current, i128::from(*n), true);
                let summary = format!(
                    "{} {sequence}: next value {next} (now {current}); {}",
                    action.would(),
                    reason(&self.0.to, None, action, current)
                );
                (summary, Some(action), Some(next))
            }
            (ResetTo::MaxOf(max_of), Some(Some(target))) => {
                let (action, next) = decide(current, target.wanted, max_of.allow_lower);
                let summary = format!(
                    "{} {sequence}: next value {next} (now {current}); {}",
                    action.would(),
                    reason(&self.0.to, Some(target), action, current)
                );
                (summary, Some(action), Some(next))
            }
            (ResetTo::MaxOf(max_of), _) => (
                format!(
                    "would set {sequence} from {} (not readable now; earlier steps load it), never below what nextval() returns then{}; nextval() now returns {current}",
                    basis(max_of, None),
                    if max_of.allow_lower {
                        " unless allow_lower"
                    } else {
                        ""
                    }
                ),
                None,
                None,
            ),
        };
        cx.log(&summary);
        let mut outcome = StepOutcome::new(StepStatus::Passed, summary);
        outcome.details = json!({
            "sequence": sequence.to_string(),
            "to": describe_target(&self.0.to),
            "would": action.map(Action::word),
            "before": before.json(),
            "would_next": would_next.map(json_number),
        });
        Ok(outcome)
    }
}

fn parse_number(text: Option<&str>) -> Result<i128, StepError> {
    let text = text.unwrap_or("");
    text.parse().map_err(|_| {
        StepError::failed(format!(
            "expected a whole number for the sequence's next value, found '{text}'"
        ))
    })
}

fn floor_of(to: &ResetTo) -> Option<i64> {
    match to {
        ResetTo::MaxOf(max_of) => max_of.floor,
        ResetTo::Next(_) => None,
    }
}

fn allow_lower_of(to: &ResetTo) -> bool {
    match to {
        ResetTo::MaxOf(max_of) => max_of.allow_lower,
        ResetTo::Next(_) => true,
    }
}

fn describe_target(to: &ResetTo) -> String {
    match to {
        ResetTo::MaxOf(max_of) => {
            let mut text = basis(max_of, None);
            if max_of.allow_lower {
                text.push_str(", allow_lower");
            }
            text
        }
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
    use super::{Action, SequenceState, decide};

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
        let at_the_end = SequenceState {
            last_value: i64::MAX,
            is_called: true,
            increment: 1,
        };
        assert_eq!(at_the_end.next(), i128::from(i64::MAX) + 1);
    }

    #[test]
    fn a_sequence_ahead_of_the_data_is_kept_unless_lowering_is_allowed() {
        // facility_num at 200, an empty table: max + 1 = 1.
        assert_eq!(decide(200, 1, false), (Action::Kept, 200));
        assert_eq!(decide(200, 1, true), (Action::Lowered, 1));
        assert_eq!(decide(1, 41, false), (Action::Raised, 41));
        assert_eq!(decide(41, 41, false), (Action::Kept, 41));
        assert_eq!(decide(41, 41, true), (Action::Kept, 41));
    }
}
