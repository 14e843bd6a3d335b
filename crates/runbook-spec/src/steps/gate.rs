//! `gate`: the checks that decide whether a restore worked (tables exist, counts are right,
//! sequences yield values). A failing gate ends the run with its own status.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

use crate::object_refs::{ColumnRef, ConstraintRef, PolicyRef};
use crate::qualified_name::QualifiedName;
use crate::scalar::{Scalar, ScalarVisitor};
use crate::steps::kind::{KindSpec, Needs, StepCx};
use crate::text_origin::{SqlReference, TextOrigin};

/// Read-only checks against the step's Postgres target.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Gate {
    /// The checks; at least one. Each has a name and exactly one kind of check.
    pub checks: Vec<Check>,
}

/// One named check.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "RawCheck")]
pub struct Check {
    pub name: String,
    pub kind: CheckKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CheckKind {
    /// A query whose result must satisfy `expect` (or that must merely run when there is none).
    Query {
        sql: String,
        expect: Option<Expect>,
        /// Where the query starts in the runbook.
        origin: TextOrigin,
        /// The `${...}` references that were substituted into the query.
        references: Vec<SqlReference>,
    },
    TablesExist(Vec<QualifiedName>),
    ColumnsExist(Vec<ColumnRef>),
    SequencesExist(Vec<QualifiedName>),
    IndexesExist(Vec<QualifiedName>),
    ConstraintsExist(Vec<ConstraintRef>),
    RlsEnabled(Vec<QualifiedName>),
    PoliciesExist(Vec<PolicyRef>),
}

impl CheckKind {
    /// The key that selects this kind in YAML.
    pub fn key(&self) -> &'static str {
        match self {
            CheckKind::Query { .. } => "query",
            CheckKind::TablesExist(_) => "tables_exist",
            CheckKind::ColumnsExist(_) => "columns_exist",
            CheckKind::SequencesExist(_) => "sequences_exist",
            CheckKind::IndexesExist(_) => "indexes_exist",
            CheckKind::ConstraintsExist(_) => "constraints_exist",
            CheckKind::RlsEnabled(_) => "rls_enabled",
            CheckKind::PoliciesExist(_) => "policies_exist",
        }
    }
}

impl JsonSchema for Check {
    fn schema_name() -> Cow<'static, str> {
        "Check".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        RawCheck::json_schema(generator)
    }
}

/// The check as written: a name and exactly one kind of check.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("oneOf" = [
    {"required": ["query"]}, {"required": ["tables_exist"]}, {"required": ["columns_exist"]},
    {"required": ["sequences_exist"]}, {"required": ["indexes_exist"]}, {"required": ["constraints_exist"]},
    {"required": ["rls_enabled"]}, {"required": ["policies_exist"]}
]))]
struct RawCheck {
    /// What the check shows, in words a reviewer reads in the report.
    name: String,
    /// A read-only query; with `expect`, its result must match; without, it must run.
    query: Option<String>,
    /// What the query's result must satisfy.
    expect: Option<Expect>,
    /// Tables (or views) that must exist: name or schema.name.
    tables_exist: Option<Vec<QualifiedName>>,
    /// Columns that must exist: table.column or schema.table.column.
    columns_exist: Option<Vec<ColumnRef>>,
    /// Sequences that must exist.
    sequences_exist: Option<Vec<QualifiedName>>,
    /// Indexes that must exist.
    indexes_exist: Option<Vec<QualifiedName>>,
    /// Constraints that must exist: name, table.name or schema.table.name.
    constraints_exist: Option<Vec<ConstraintRef>>,
    /// Tables that must have row-level security enabled.
    rls_enabled: Option<Vec<QualifiedName>>,
    /// Row-level security policies that must exist: table.policy or schema.table.policy.
    policies_exist: Option<Vec<PolicyRef>>,
}

const CHECK_KINDS: &str = "query, tables_exist, columns_exist, sequences_exist, indexes_exist, constraints_exist, rls_enabled, policies_exist";

impl TryFrom<RawCheck> for Check {
    type Error = String;

    fn try_from(raw: RawCheck) -> Result<Self, String> {
        let name = raw.name;
        let mut kinds = Vec::new();
        if let Some(sql) = raw.query {
            kinds.push(CheckKind::Query {
                sql,
                expect: None,
                origin: TextOrigin::default(),
                references: Vec::new(),
            });
        }
        let lists = [
            raw.tables_exist.map(CheckKind::TablesExist),
            raw.columns_exist.map(CheckKind::ColumnsExist),
            raw.sequences_exist.map(CheckKind::SequencesExist),
            raw.indexes_exist.map(CheckKind::IndexesExist),
            raw.constraints_exist.map(CheckKind::ConstraintsExist),
            raw.rls_enabled.map(CheckKind::RlsEnabled),
            raw.policies_exist.map(CheckKind::PoliciesExist),
        ];
        kinds.extend(lists.into_iter().flatten());
        if kinds.len() != 1 {
            let found = if kinds.is_empty() {
                "none".to_owned()
            } else {
                kinds
                    .iter()
                    .map(CheckKind::key)
                    .collect::<Vec<_>>()
                    .join(" and ")
            };
            return Err(format!(
                "invalid check '{name}': expected exactly one of {CHECK_KINDS}; found {found}"
            ));
        }
        let mut kind = kinds.remove(0);
        match (&mut kind, raw.expect) {
            (CheckKind::Query { expect, .. }, given) => *expect = given,
            (other, Some(_)) => {
                return Err(format!(
                    "invalid check '{name}': 'expect' applies to 'query' only, not to '{}'",
                    other.key()
                ));
            }
            (_, None) => {}
        }
        Ok(Check { name, kind })
    }
}

/// Conditions on a query's result; all given conditions must hold.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Exact number of rows.
    pub rows: Option<u64>,
    /// The result is a single value, a number at least this.
    pub min: Option<f64>,
    /// The result is a single value, a number at most this.
    pub max: Option<f64>,
    /// The result equals this single value, or these rows (a list of rows, each a list of values).
    pub equals: Option<Equals>,
    /// Rows that must be among the result (each a list of values).
    pub contains: Option<Vec<Vec<Scalar>>>,
    /// true: no rows; false: at least one row.
    pub empty: Option<bool>,
}

/// `equals:` takes a single value (for a one-row, one-column result) or the whole result.
#[derive(Debug, Clone, PartialEq)]
pub enum Equals {
    Value(Scalar),
    Rows(Vec<Vec<Scalar>>),
}

impl<'de> Deserialize<'de> for Equals {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EqualsVisitor;
        impl<'de> Visitor<'de> for EqualsVisitor {
            type Value = Equals;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a single value or a list of rows (each a list of values)")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Equals, E> {
                ScalarVisitor.visit_unit().map(Equals::Value)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Equals, E> {
                ScalarVisitor.visit_bool(v).map(Equals::Value)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Equals, E> {
                ScalarVisitor.visit_i64(v).map(Equals::Value)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Equals, E> {
                ScalarVisitor.visit_u64(v).map(Equals::Value)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Equals, E> {
                ScalarVisitor.visit_f64(v).map(Equals::Value)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Equals, E> {
                ScalarVisitor.visit_str(v).map(Equals::Value)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Equals, A::Error> {
                let mut rows = Vec::new();
                while let Some(item) = seq.next_element::<RowOrValue>()? {
                    match item {
                        RowOrValue::Row(row) => rows.push(row),
                        RowOrValue::Value(value) => {
                            return Err(de::Error::custom(format!(
                                "invalid equals: expected a single value or a list of rows, each a list of values; found the value {value} in the list (for one column write [[1], [2]])"
                            )));
                        }
                    }
                }
                Ok(Equals::Rows(rows))
            }
        }
        deserializer.deserialize_any(EqualsVisitor)
    }
}

/// An item of `equals: [...]`: rows are lists; a bare value there is a common slip
/// (`[1, 2]` for `[[1], [2]]`) that deserves its own message.
enum RowOrValue {
    Row(Vec<Scalar>),
    Value(Scalar),
}

impl<'de> Deserialize<'de> for RowOrValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ItemVisitor;
        impl<'de> Visitor<'de> for ItemVisitor {
            type Value = RowOrValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a row (a list of values)")
            }
            fn visit_unit<E: de::Error>(self) -> Result<RowOrValue, E> {
                Ok(RowOrValue::Value(Scalar::Null))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<RowOrValue, E> {
                Ok(RowOrValue::Value(Scalar::Bool(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RowOrValue, E> {
                ScalarVisitor.visit_i64(v).map(RowOrValue::Value)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RowOrValue, E> {
                ScalarVisitor.visit_u64(v).map(RowOrValue::Value)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RowOrValue, E> {
                ScalarVisitor.visit_f64(v).map(RowOrValue::Value)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RowOrValue, E> {
                ScalarVisitor.visit_str(v).map(RowOrValue::Value)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RowOrValue, A::Error> {
                let mut row = Vec::new();
                while let Some(cell) = seq.next_element::<Scalar>()? {
                    row.push(cell);
                }
                Ok(RowOrValue::Row(row))
            }
        }
        deserializer.deserialize_any(ItemVisitor)
    }
}

impl JsonSchema for Equals {
    fn schema_name() -> Cow<'static, str> {
        "Equals".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let scalar = generator.subschema_for::<Scalar>();
        json_schema!({
            "description": "A single value, or the whole result as a list of rows (each a list of values).",
            "anyOf": [
                scalar,
                { "type": "array", "items": { "type": "array", "items": scalar } }
            ]
        })
    }
}

impl KindSpec for Gate {
    const KIND: &'static str = "gate";
    const NEEDS: Needs = Needs::Postgres;

    fn validate(&mut self, cx: &mut StepCx<'_>) {
        if self.checks.is_empty() {
            let message = format!(
                "{} has no checks; expected at least one entry under 'checks'",
                cx.label()
            );
            cx.error(&["checks"], message);
        }
        for (i, check) in self.checks.iter_mut().enumerate() {
            let index = i.to_string();
            if check.name.trim().is_empty() {
                let message = format!(
                    "empty name for 'checks[{i}]' in {}; expected words a reviewer reads",
                    cx.label()
                );
                cx.error(&["checks", &index, "name"], message);
            }
            match &mut check.kind {
                CheckKind::Query {
                    sql,
                    expect,
                    origin,
                    references,
                } => {
                    if sql.trim().is_empty() {
                        let message =
                            format!("empty query in check '{}' of {}", check.name, cx.label());
                        cx.error(&["checks", &index, "query"], message);
                    }
                    *origin = cx.text_origin(&["checks", &index, "query"]);
                    *references = cx.sql_references(&["checks", &index, "query"]);
                    if let Some(expect) = expect {
                        if let (Some(min), Some(max)) = (expect.min, expect.max)
                            && min > max
                        {
                            let message = format!(
                                "impossible expectation in check '{}' of {}: min {min} is above max {max}",
                                check.name,
                                cx.label()
                            );
                            cx.error(&["checks", &index, "expect"], message);
                        }
                        if expect.empty == Some(true) && expect.rows.is_some_and(|r| r > 0) {
                            let message = format!(
                                "impossible expectation in check '{}' of {}: empty: true contradicts rows: {}",
                                check.name,
                                cx.label(),
                                expect.rows.unwrap_or_default()
                            );
                            cx.error(&["checks", &index, "expect"], message);
                        }
                    }
                }
                CheckKind::TablesExist(v)
                | CheckKind::SequencesExist(v)
                | CheckKind::IndexesExist(v)
                | CheckKind::RlsEnabled(v)
                    if v.is_empty() =>
                {
                    empty_list(cx, &check.name, &index);
                }
                CheckKind::ColumnsExist(v) if v.is_empty() => empty_list(cx, &check.name, &index),
                CheckKind::ConstraintsExist(v) if v.is_empty() => {
                    empty_list(cx, &check.name, &index)
                }
                CheckKind::PoliciesExist(v) if v.is_empty() => empty_list(cx, &check.name, &index),
                _ => {}
            }
        }
    }

    fn into_kind(self) -> crate::StepKind {
        crate::StepKind::Gate(self)
    }
}

fn empty_list(cx: &mut StepCx<'_>, name: &str, index: &str) {
    let message = format!(
        "check '{name}' of {} lists nothing; expected at least one name",
        cx.label()
    );
    cx.error(&["checks", index], message);
}
