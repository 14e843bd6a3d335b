//! `gate`: the checks that decide whether a restore worked (tables exist, counts are right,
//! sequences yield values). A failing gate ends the run with its own status.
//!
//! One file per check that takes more than a list of names: `expect` (a query's conditions),
//! `enum_values`, `privileges`, `extensions`, `foreign_keys`, `row_count`, `sequence_ahead`,
//! `migrations_applied`.

pub mod enum_values;
pub mod expect;
pub mod extensions;
pub mod foreign_keys;
pub mod migrations_applied;
pub mod privileges;
pub mod row_count;
pub mod sequence_ahead;

use std::borrow::Cow;

use indexmap::IndexMap;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer};

pub use enum_values::EnumValues;
pub use expect::{Equals, Expect};
pub use extensions::ExtensionRef;
pub use foreign_keys::{FkAction, ForeignKey, References};
pub use migrations_applied::{HistoryMatch, MigrationsApplied, VersionList};
pub use privileges::{Privilege, PrivilegeOn, Privileges};
pub use row_count::RowCount;
pub use sequence_ahead::SequenceAhead;

use crate::object_refs::{
    ColumnRef, ConstraintRef, FunctionRef, Identifier, PolicyRef, TriggerRef,
};
use crate::qualified_name::QualifiedName;
use crate::steps::kind::{KindSpec, Needs, StepCx};
use crate::text_origin::{SqlReference, TextOrigin};
use crate::yaml::tree::{NodeId, Tree};

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
        /// Run the query as this role (`SET LOCAL ROLE` in a transaction of its own), so that
        /// row-level security and privileges apply as they do to that role.
        as_role: Option<Identifier>,
        /// Settings made for the query only (`set_config(name, value, true)` in the same
        /// transaction): what a policy reads, such as Supabase's `request.jwt.claims`.
        settings: Vec<(String, String)>,
    },
    TablesExist(Vec<QualifiedName>),
    ColumnsExist(Vec<ColumnRef>),
    SequencesExist(Vec<QualifiedName>),
    IndexesExist(Vec<QualifiedName>),
    ConstraintsExist(Vec<ConstraintRef>),
    RlsEnabled(Vec<QualifiedName>),
    PoliciesExist(Vec<PolicyRef>),
    EnumValues(EnumValues),
    Privileges(Privileges),
    TriggersExist(Vec<TriggerRef>),
    FunctionsExist(Vec<FunctionRef>),
    RolesExist(Vec<Identifier>),
    ExtensionsExist(Vec<ExtensionRef>),
    ForeignKeys(Vec<ForeignKey>),
    RowCount(RowCount),
    SequenceAhead(SequenceAhead),
    MigrationsApplied(MigrationsApplied),
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
            CheckKind::EnumValues(_) => "enum_values",
            CheckKind::Privileges(_) => "privileges",
            CheckKind::TriggersExist(_) => "triggers_exist",
            CheckKind::FunctionsExist(_) => "functions_exist",
            CheckKind::RolesExist(_) => "roles_exist",
            CheckKind::ExtensionsExist(_) => "extensions_exist",
            CheckKind::ForeignKeys(_) => "foreign_keys",
            CheckKind::RowCount(_) => "row_count",
            CheckKind::SequenceAhead(_) => "sequence_ahead",
            CheckKind::MigrationsApplied(_) => "migrations_applied",
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
    {"required": ["rls_enabled"]}, {"required": ["policies_exist"]}, {"required": ["enum_values"]},
    {"required": ["privileges"]}, {"required": ["triggers_exist"]}, {"required": ["functions_exist"]},
    {"required": ["roles_exist"]}, {"required": ["extensions_exist"]}, {"required": ["foreign_keys"]},
    {"required": ["row_count"]}, {"required": ["sequence_ahead"]}, {"required": ["migrations_applied"]}
]))]
struct RawCheck {
    /// What the check shows, in words a reviewer reads in the report.
    name: String,
    /// A read-only query; with `expect`, its result must match; without, it must run.
    query: Option<String>,
    /// What the query's result must satisfy.
    #[serde(default, deserialize_with = "expect::expect")]
    #[schemars(with = "Expect")]
    expect: Option<Expect>,
    /// Run the query as this role: BEGIN; SET LOCAL ROLE; the query; ROLLBACK (so row-level
    /// security applies as it does to the role, and nothing the query does is kept).
    #[serde(default, deserialize_with = "as_role")]
    #[schemars(with = "Identifier")]
    as_role: Option<Identifier>,
    /// Settings for the query only, name: value (set_config(name, value, true) in the check's
    /// own rolled-back transaction), e.g. request.jwt.claims for a policy that calls auth.uid().
    #[serde(default, deserialize_with = "settings")]
    #[schemars(with = "IndexMap<String, String>")]
    settings: Option<IndexMap<String, String>>,
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
    /// An enum type's labels, exactly and in order: { type, values }.
    enum_values: Option<EnumValues>,
    /// Privileges a role holds: { role, on, has }.
    privileges: Option<Privileges>,
    /// Triggers that must exist (internal ones excepted): table.trigger or schema.table.trigger.
    triggers_exist: Option<Vec<TriggerRef>>,
    /// Functions that must exist: name(argument types) for a signature, name for any overload.
    functions_exist: Option<Vec<FunctionRef>>,
    /// Roles that must exist.
    roles_exist: Option<Vec<Identifier>>,
    /// Extensions that must be installed: name, or { name, version }.
    extensions_exist: Option<Vec<ExtensionRef>>,
    /// Foreign keys that must exist: { table, columns, references, on_delete, on_update }.
    foreign_keys: Option<Vec<ForeignKey>>,
    /// A table's row count: { table, min, max, equals }.
    row_count: Option<RowCount>,
    /// The next nextval() of a sequence is past every value in a column: { sequence, of }.
    sequence_ahead: Option<SequenceAhead>,
    /// What a migration history table records as applied: { table, versions | names, match }.
    migrations_applied: Option<MigrationsApplied>,
}

fn as_role<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Identifier>, D::Error> {
    expect::given(
        d,
        "a role name; leave 'as_role' out to run the query as the target's user",
    )
}

fn settings<'de, D: Deserializer<'de>>(d: D) -> Result<Option<IndexMap<String, String>>, D::Error> {
    expect::given(
        d,
        "a mapping of setting names to values; leave 'settings' out for none",
    )
}

const CHECK_KINDS: &str = "query, tables_exist, columns_exist, sequences_exist, indexes_exist, constraints_exist, rls_enabled, policies_exist, enum_values, privileges, triggers_exist, functions_exist, roles_exist, extensions_exist, foreign_keys, row_count, sequence_ahead, migrations_applied";

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
                as_role: None,
                settings: Vec::new(),
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
            raw.enum_values.map(CheckKind::EnumValues),
            raw.privileges.map(CheckKind::Privileges),
            raw.triggers_exist.map(CheckKind::TriggersExist),
            raw.functions_exist.map(CheckKind::FunctionsExist),
            raw.roles_exist.map(CheckKind::RolesExist),
            raw.extensions_exist.map(CheckKind::ExtensionsExist),
            raw.foreign_keys.map(CheckKind::ForeignKeys),
            raw.row_count.map(CheckKind::RowCount),
            raw.sequence_ahead.map(CheckKind::SequenceAhead),
            raw.migrations_applied.map(CheckKind::MigrationsApplied),
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
        if let CheckKind::Query {
            expect,
            as_role,
            settings,
            ..
        } = &mut kind
        {
            *expect = raw.expect;
            *as_role = raw.as_role;
            *settings = raw.settings.unwrap_or_default().into_iter().collect();
        } else {
            let given = [
                ("expect", raw.expect.is_some()),
                ("as_role", raw.as_role.is_some()),
                ("settings", raw.settings.is_some()),
            ];
            if let Some((key, _)) = given.iter().find(|(_, given)| *given) {
                return Err(format!(
                    "invalid check '{name}': '{key}' applies to 'query' only, not to '{}'",
                    kind.key()
                ));
            }
        }
        Ok(Check { name, kind })
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
                    settings,
                    ..
                } => {
                    for (setting, _) in settings.iter() {
                        if !is_setting_name(setting) {
                            let message = format!(
                                "invalid setting name '{setting}' in check '{}' of {}: expected a name such as request.jwt.claims (letters, digits, _ and dots)",
                                check.name,
                                cx.label()
                            );
                            cx.key_error(&["checks", &index, "settings", setting], message);
                        }
                    }
                    if sql.trim().is_empty() {
                        let message =
                            format!("empty query in check '{}' of {}", check.name, cx.label());
                        cx.error(&["checks", &index, "query"], message);
                    }
                    *origin = cx.text_origin(&["checks", &index, "query"]);
                    *references = cx.sql_references(&["checks", &index, "query"]);
                    if let Some(problem) = expect.as_ref().and_then(Expect::contradiction) {
                        let message = format!(
                            "impossible expectation in check '{}' of {}: {problem}",
                            check.name,
                            cx.label()
                        );
                        cx.error(&["checks", &index, "expect"], message);
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
                CheckKind::TriggersExist(v) if v.is_empty() => empty_list(cx, &check.name, &index),
                CheckKind::FunctionsExist(v) if v.is_empty() => empty_list(cx, &check.name, &index),
                CheckKind::RolesExist(v) if v.is_empty() => empty_list(cx, &check.name, &index),
                CheckKind::ExtensionsExist(v) if v.is_empty() => {
                    empty_list(cx, &check.name, &index)
                }
                CheckKind::ForeignKeys(v) if v.is_empty() => empty_list(cx, &check.name, &index),
                CheckKind::ForeignKeys(keys) => {
                    for (k, key) in keys.iter().enumerate() {
                        validate_foreign_key(cx, &check.name, &index, k, key);
                    }
                }
                CheckKind::EnumValues(e) if e.values.is_empty() => {
                    let message = format!(
                        "check '{}' of {} lists no values; expected the enum's labels in order",
                        check.name,
                        cx.label()
                    );
                    cx.error(&["checks", &index, "enum_values"], message);
                }
                CheckKind::Privileges(p) => validate_privileges(cx, &check.name, &index, p),
                CheckKind::RowCount(r) => validate_row_count(cx, &check.name, &index, r),
                CheckKind::MigrationsApplied(m) => {
                    migrations_applied::validate(cx, &check.name, &index, m)
                }
                _ => {}
            }
        }
    }

    fn sql_nodes(tree: &Tree, step: NodeId, nodes: &mut Vec<NodeId>) {
        let checks = tree
            .get(step, "checks")
            .map(|(_, c)| tree.items(c))
            .unwrap_or_default();
        nodes.extend(
            checks
                .iter()
                .filter_map(|&c| tree.get(c, "query").map(|(_, v)| v)),
        );
    }
}

/// A configuration parameter's name as `set_config` takes it: `work_mem`,
/// `request.jwt.claims`.
fn is_setting_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|part| {
            part.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        })
}

fn validate_privileges(cx: &mut StepCx<'_>, name: &str, index: &str, p: &Privileges) {
    let at = ["checks", index, "privileges"];
    if p.has.is_empty() {
        let message = format!(
            "check '{name}' of {} lists no privileges under 'has'; expected e.g. [SELECT]",
            cx.label()
        );
        cx.error(&[&at[..], &["has"]].concat(), message);
    }
    let valid = p.on.valid_privileges();
    for (j, privilege) in p.has.iter().enumerate() {
        if !valid.contains(&privilege.0.as_str()) {
            let message = format!(
                "invalid privilege '{privilege}' on a {} in check '{name}' of {}: expected one of {}",
                p.on.kind(),
                cx.label(),
                valid.join(", ")
            );
            let j = j.to_string();
            cx.error(&[&at[..], &["has", &j]].concat(), message);
        }
    }
    if let PrivilegeOn::Function(function) = &p.on
        && function.args.is_none()
    {
        let message = format!(
            "invalid function '{function}' in check '{name}' of {}: expected name(argument types), since privileges belong to one signature, e.g. {}(integer)",
            cx.label(),
            function.name
        );
        cx.error(&[&at[..], &["on", "function"]].concat(), message);
    }
}

fn validate_row_count(cx: &mut StepCx<'_>, name: &str, index: &str, r: &RowCount) {
    let at = ["checks", index, "row_count"];
    if r.min.is_none() && r.max.is_none() && r.equals.is_none() {
        let message = format!(
            "check '{name}' of {} has no bound; expected at least one of min, max, equals",
            cx.label()
        );
        cx.error(&at, message);
    }
    if let (Some(min), Some(max)) = (r.min, r.max)
        && min > max
    {
        let message = format!(
            "impossible expectation in check '{name}' of {}: min {min} is above max {max}",
            cx.label()
        );
        cx.error(&at, message);
    }
}

fn validate_foreign_key(cx: &mut StepCx<'_>, name: &str, index: &str, k: usize, key: &ForeignKey) {
    let k = k.to_string();
    if key.columns.is_empty() {
        let message = format!(
            "foreign key {} in check '{name}' of {} lists no columns; expected the referencing columns",
            key.table,
            cx.label()
        );
        cx.error(&["checks", index, "foreign_keys", &k, "columns"], message);
    }
    if let Some(referenced) = &key.references.0.columns
        && referenced.len() != key.columns.len()
    {
        let message = format!(
            "foreign key {} in check '{name}' of {}: {} referencing column(s) but {} referenced; expected as many on each side",
            key.describe(),
            cx.label(),
            key.columns.len(),
            referenced.len()
        );
        cx.error(
            &["checks", index, "foreign_keys", &k, "references"],
            message,
        );
    }
}

fn empty_list(cx: &mut StepCx<'_>, name: &str, index: &str) {
    let message = format!(
        "check '{name}' of {} lists nothing; expected at least one name",
        cx.label()
    );
    cx.error(&["checks", index], message);
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::scalar::Scalar;
    use crate::{ParseOptions, StepKind};

    fn checks(checks: &str) -> Vec<Check> {
        let text = format!(
            "version: 1\nname: t\ntargets:\n  db:\n    postgres: {{ url: \"postgres://ops@db/app\" }}\nsteps:\n  - id: g\n    kind: gate\n    target: db\n    checks:\n{checks}"
        );
        let runbook = crate::parse(&text, Path::new("t.yaml"), &ParseOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let StepKind::Gate(gate) = &runbook.steps[0].kind else {
            panic!("gate")
        };
        gate.checks.clone()
    }

    #[test]
    fn equals_null_is_the_null_value_not_an_absent_expectation() {
        let parsed = checks(
            "      - name: n\n        query: SELECT 'x'\n        expect: { equals: null }\n",
        );
        let CheckKind::Query { expect, .. } = &parsed[0].kind else {
            panic!("query")
        };
        let expect = expect.as_ref().expect("an expectation");
        assert_eq!(expect.equals, Some(Equals::Value(Scalar::Null)));
        let rows = checks(
            "      - name: n\n        query: SELECT NULL\n        expect: { equals: [[null]] }\n",
        );
        let CheckKind::Query { expect, .. } = &rows[0].kind else {
            panic!("query")
        };
        assert_eq!(
            expect.as_ref().and_then(|e| e.equals.clone()),
            Some(Equals::Rows(vec![vec![Scalar::Null]]))
        );
    }

    #[test]
    fn catalog_checks_read_their_names_as_sql_does() {
        let parsed = checks(
            "      - name: p\n        privileges: { role: Reader, on: { function: \"app.f(int)\" }, has: [execute] }\n      - name: fk\n        foreign_keys: [{ table: a, columns: [x], references: \"B(Id)\", on_delete: SET_NULL }]\n      - name: r\n        query: SELECT 1\n        as_role: '\"Nurse\"'\n",
        );
        let CheckKind::Privileges(p) = &parsed[0].kind else {
            panic!("privileges")
        };
        assert_eq!(p.role.as_str(), "reader");
        assert_eq!(p.has[0].0, "EXECUTE");
        assert!(matches!(&p.on, PrivilegeOn::Function(f) if f.to_string() == "app.f(int)"));
        let CheckKind::ForeignKeys(keys) = &parsed[1].kind else {
            panic!("foreign keys")
        };
        assert_eq!(keys[0].on_delete, Some(FkAction::SetNull));
        assert_eq!(keys[0].references.0.to_string(), "b(id)");
        let CheckKind::Query { as_role, .. } = &parsed[2].kind else {
            panic!("query")
        };
        assert_eq!(as_role.as_ref().map(Identifier::as_str), Some("Nurse"));
    }
}
