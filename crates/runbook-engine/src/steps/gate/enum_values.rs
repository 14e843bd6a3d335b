//! `enum_values`: the labels of an enum type, exactly and in `enumsortorder`.

use runbook_evidence::GateCheckRecord;
use runbook_spec::{Check, EnumValues};

use super::{Lookup, record};
use crate::errors::StepError;

/// Labels kept beyond those expected, to show what else the type has.
const SHOWN_EXTRA: usize = 20;

pub(super) async fn check(
    lookup: &Lookup<'_>,
    check: &Check,
    spec: &EnumValues,
) -> Result<GateCheckRecord, StepError> {
    let type_name = spec.type_name.to_sql();
    let expected = format!(
        "enum {} with labels {} in this order",
        spec.type_name,
        quoted(&spec.values)
    );
    let found = lookup
        .session
        .query(
            "SELECT t.typtype::text FROM pg_catalog.pg_type t WHERE t.oid = pg_catalog.to_regtype($1)",
            &[&type_name],
        )
        .await?;
    let fail = |actual: String, missing: Vec<String>| {
        Ok(record(
            check,
            "enum_values",
            false,
            expected.clone(),
            actual,
            missing,
        ))
    };
    match found.single_value() {
        None | Some(None) => {
            return fail(
                format!("type {} does not exist", spec.type_name),
                vec![spec.type_name.to_string()],
            );
        }
        Some(Some("e")) => {}
        Some(Some(other)) => {
            return fail(
                format!("{} is {}, not an enum", spec.type_name, type_kind(other)),
                Vec::new(),
            );
        }
    }
    // Bounded: as many labels as expected plus a few, and the total.
    let limit = (spec.values.len() + SHOWN_EXTRA).to_string();
    let rows = lookup
        .session
        .query(
            "SELECT e.enumlabel::text, (count(*) OVER ())::text FROM pg_catalog.pg_enum e \
             WHERE e.enumtypid = pg_catalog.to_regtype($1) ORDER BY e.enumsortorder LIMIT $2::int",
            &[&type_name, &limit],
        )
        .await?;
    let labels: Vec<String> = rows
        .rows
        .iter()
        .map(|r| r.first().cloned().flatten().unwrap_or_default())
        .collect();
    let total: usize = rows
        .rows
        .first()
        .and_then(|r| r.get(1).cloned().flatten())
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let passed = total == spec.values.len() && labels == spec.values;
    let more = total.saturating_sub(labels.len());
    let mut actual = if labels.is_empty() {
        "no labels".to_owned()
    } else {
        format!("labels {}", quoted(&labels))
    };
    if more > 0 {
        actual.push_str(&format!(" and {more} more"));
    }
    let missing = spec
        .values
        .iter()
        .filter(|v| more == 0 && !labels.contains(v))
        .cloned()
        .collect();
    Ok(record(
        check,
        "enum_values",
        passed,
        expected,
        actual,
        missing,
    ))
}

fn quoted(labels: &[String]) -> String {
    labels
        .iter()
        .map(|l| format!("'{l}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn type_kind(typtype: &str) -> &'static str {
    match typtype {
        "b" => "a base type",
        "c" => "a composite type",
        "d" => "a domain",
        "p" => "a pseudo-type",
        "r" => "a range type",
        "m" => "a multirange type",
        _ => "another kind of type",
    }
}
