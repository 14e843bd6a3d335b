//! `foreign_keys`: a key is found by what it connects (its columns in order, the referenced
//! table and columns), never by constraint name, and then its delete/update actions compared.

use runbook_evidence::GateCheckRecord;
use runbook_spec::{Check, FkAction, ForeignKey, display_columns};

use super::{Lookup, record};
use crate::errors::StepError;

/// Every foreign key of a table whose referencing columns are exactly `$2` (a JSON list), in
/// order: its name, the referenced table as the server quotes it, whether that is the table
/// `$3` names, the referenced columns (JSON) and the actions.
const CANDIDATES: &str = "
SELECT c.conname::text,
       pg_catalog.format('%s', c.confrelid::pg_catalog.regclass),
       (c.confrelid = pg_catalog.to_regclass($3))::text,
       pg_catalog.array_to_json(ARRAY(
         SELECT a.attname::text FROM pg_catalog.unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_catalog.pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum
         ORDER BY k.ord))::text,
       c.confdeltype::text,
       c.confupdtype::text
FROM pg_catalog.pg_constraint c
WHERE c.contype = 'f' AND c.conrelid = pg_catalog.to_regclass($1)
  AND ARRAY(
        SELECT a.attname::text FROM pg_catalog.unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
        ORDER BY k.ord)
      OPERATOR(pg_catalog.=) ARRAY(SELECT pg_catalog.json_array_elements_text($2::pg_catalog.json))
ORDER BY c.conname
LIMIT 20";

struct Candidate {
    name: String,
    referenced: String,
    same_table: bool,
    columns: Vec<String>,
    on_delete: Option<FkAction>,
    on_update: Option<FkAction>,
}

pub(super) async fn check(
    lookup: &Lookup<'_>,
    check: &Check,
    keys: &[ForeignKey],
) -> Result<GateCheckRecord, StepError> {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for key in keys {
        match judge(lookup, key).await? {
            Ok(finding) => found.push(finding),
            Err(problem) => {
                found.push(problem.clone());
                missing.push(problem);
            }
        }
    }
    let expected = keys
        .iter()
        .map(describe_expected)
        .collect::<Vec<_>>()
        .join("; ");
    Ok(record(
        check,
        "foreign_keys",
        missing.is_empty(),
        format!("foreign keys {expected}"),
        found.join("; "),
        missing,
    ))
}

fn describe_expected(key: &ForeignKey) -> String {
    let mut text = key.describe();
    if let Some(action) = key.on_delete {
        text.push_str(&format!(" on delete {action}"));
    }
    if let Some(action) = key.on_update {
        text.push_str(&format!(" on update {action}"));
    }
    text
}

/// What was found for one key: `Ok` with its name and actions, or `Err` with what is wrong.
async fn judge(lookup: &Lookup<'_>, key: &ForeignKey) -> Result<Result<String, String>, StepError> {
    let described = key.describe();
    let referenced = &key.references.0;
    for table in [&key.table, &referenced.table] {
        let rows = lookup
            .session
            .query(
                "SELECT (pg_catalog.to_regclass($1) IS NOT NULL)::text",
                &[&table.to_sql()],
            )
            .await?;
        if rows.single_value() != Some(Some("true")) {
            return Ok(Err(format!("{described}: table {table} does not exist")));
        }
    }
    let columns: Vec<&str> = key.columns.iter().map(|c| c.as_str()).collect();
    let columns_json = serde_json::to_string(&columns).unwrap_or_else(|_| "[]".to_owned());
    let rows = lookup
        .session
        .query(
            CANDIDATES,
            &[
                &key.table.to_sql(),
                &columns_json,
                &referenced.table.to_sql(),
            ],
        )
        .await?;
    let candidates: Vec<Candidate> = rows
        .rows
        .iter()
        .map(|r| {
            let cell = |i: usize| r.get(i).cloned().flatten().unwrap_or_default();
            Candidate {
                name: cell(0),
                referenced: cell(1),
                same_table: cell(2) == "true",
                columns: serde_json::from_str(&cell(3)).unwrap_or_default(),
                on_delete: FkAction::from_catalog_code(&cell(4)),
                on_update: FkAction::from_catalog_code(&cell(5)),
            }
        })
        .collect();
    let matching = candidates.iter().find(|c| {
        c.same_table
            && referenced
                .columns
                .as_ref()
                .is_none_or(|wanted| *wanted == c.columns)
    });
    let Some(found) = matching else {
        let own = display_columns(&columns.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>());
        return Ok(Err(match candidates.as_slice() {
            [] => format!("{described}: no foreign key on {}({own})", key.table),
            others => format!(
                "{described}: the foreign key{} on {}({own}) reference{} {}",
                if others.len() == 1 { "" } else { "s" },
                key.table,
                if others.len() == 1 { "s" } else { "" },
                others
                    .iter()
                    .map(|c| format!(
                        "{}({}) ({})",
                        c.referenced,
                        display_columns(&c.columns),
                        c.name
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }));
    };
    let action = |a: Option<FkAction>| a.map_or("unknown", FkAction::as_str);
    let mut wrong = Vec::new();
    if let Some(wanted) = key.on_delete
        && found.on_delete != Some(wanted)
    {
        wrong.push(format!(
            "on delete {}, expected {wanted}",
            action(found.on_delete)
        ));
    }
    if let Some(wanted) = key.on_update
        && found.on_update != Some(wanted)
    {
        wrong.push(format!(
            "on update {}, expected {wanted}",
            action(found.on_update)
        ));
    }
    let name = &found.name;
    Ok(if wrong.is_empty() {
        Ok(format!(
            "{described}: {name} on delete {} on update {}",
            action(found.on_delete),
            action(found.on_update)
        ))
    } else {
        Err(format!("{described}: {name} {}", wrong.join(", ")))
    })
}
