//! `triggers_exist`: triggers a user created on a table (not the internal ones the server
//! makes for foreign keys).

use runbook_evidence::GateCheckRecord;
use runbook_spec::{Check, TriggerRef};

use super::{Lookup, display_all, names_record};
use crate::errors::StepError;

pub(super) async fn check(
    lookup: &Lookup<'_>,
    check: &Check,
    triggers: &[TriggerRef],
) -> Result<GateCheckRecord, StepError> {
    let mut missing = Vec::new();
    for trigger in triggers {
        let rows = lookup
            .session
            .query(
                "SELECT (pg_catalog.to_regclass($1) IS NOT NULL)::text, EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t \
                 WHERE t.tgrelid = pg_catalog.to_regclass($1) AND t.tgname = $2 AND NOT t.tgisinternal)::text",
                &[&trigger.table.to_sql(), &trigger.name],
            )
            .await?;
        let row = rows.rows.first();
        let cell = |i: usize| row.and_then(|r| r.get(i).cloned().flatten());
        match (cell(0).as_deref(), cell(1).as_deref()) {
            (_, Some("true")) => {}
            (Some("true"), _) => missing.push(trigger.to_string()),
            _ => missing.push(format!(
                "{trigger} (table {} does not exist)",
                trigger.table
            )),
        }
    }
    Ok(names_record(
        check,
        "triggers_exist",
        "triggers exist",
        &display_all(triggers),
        missing,
    ))
}
