//! `privileges`: what `has_<object>_privilege(role, object, privilege)` answers, for each
//! privilege listed. A missing role or object is a failed check naming it (the server's
//! functions would raise an error for it instead).

use runbook_evidence::GateCheckRecord;
use runbook_spec::{Check, PrivilegeOn, Privileges};

use super::{Lookup, record, roles::role_exists};
use crate::errors::StepError;

pub(super) async fn check(
    lookup: &Lookup<'_>,
    check: &Check,
    spec: &Privileges,
) -> Result<GateCheckRecord, StepError> {
    let has: Vec<String> = spec.has.iter().map(|p| p.0.clone()).collect();
    let expected = format!("role {} has {} on {}", spec.role, has.join(", "), spec.on);
    let fail = |actual: String, missing: Vec<String>| {
        Ok(record(
            check,
            "privileges",
            false,
            expected.clone(),
            actual,
            missing,
        ))
    };
    if !role_exists(lookup, &spec.role).await? {
        return fail(
            format!("role {} does not exist", spec.role),
            vec![format!("role {}", spec.role)],
        );
    }
    let Some(object) = object_oid(lookup, &spec.on).await? else {
        return fail(
            format!("{} does not exist", spec.on),
            vec![spec.on.to_string()],
        );
    };
    let object = match object {
        Ok(oid) => oid,
        Err(reason) => return fail(reason.clone(), vec![reason]),
    };
    let function = match &spec.on {
        PrivilegeOn::Table(_) => "has_table_privilege",
        PrivilegeOn::Sequence(_) => "has_sequence_privilege",
        PrivilegeOn::Schema(_) => "has_schema_privilege",
        PrivilegeOn::Function(_) => "has_function_privilege",
        PrivilegeOn::Database(_) => "has_database_privilege",
    };
    let sql = format!(
        "SELECT pg_catalog.{function}(pg_catalog.to_regrole($1)::pg_catalog.oid, $2::pg_catalog.oid, $3)::text"
    );
    let (mut held, mut lacking) = (Vec::new(), Vec::new());
    for privilege in &has {
        let rows = lookup
            .session
            .query(&sql, &[&spec.role.to_sql(), &object, privilege])
            .await?;
        if rows.single_value() == Some(Some("true")) {
            held.push(privilege.clone());
        } else {
            lacking.push(privilege.clone());
        }
    }
    let passed = lacking.is_empty();
    let actual = match (held.is_empty(), lacking.is_empty()) {
        (_, true) => format!("has {}", held.join(", ")),
        (true, false) => format!("lacks {}", lacking.join(", ")),
        (false, false) => format!("has {}; lacks {}", held.join(", "), lacking.join(", ")),
    };
    Ok(record(
        check,
        "privileges",
        passed,
        expected,
        actual,
        lacking,
    ))
}

/// The object's OID as text; `None` when it does not exist, `Some(Err)` when the server
/// rejected the name (a function signature with an unknown type).
async fn object_oid(
    lookup: &Lookup<'_>,
    on: &PrivilegeOn,
) -> Result<Option<Result<String, String>>, StepError> {
    let (sql, name) = match on {
        PrivilegeOn::Table(name) => (
            "SELECT c.oid::text FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass($1) \
             AND c.relkind IN ('r', 'p', 'v', 'm', 'f')",
            name.to_sql(),
        ),
        PrivilegeOn::Sequence(name) => (
            "SELECT c.oid::text FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass($1) \
             AND c.relkind = 'S'",
            name.to_sql(),
        ),
        PrivilegeOn::Schema(name) => (
            "SELECT n.oid::text FROM pg_catalog.pg_namespace n WHERE n.nspname = $1",
            name.as_str().to_owned(),
        ),
        PrivilegeOn::Database(name) => (
            "SELECT d.oid::text FROM pg_catalog.pg_database d WHERE d.datname = $1",
            name.as_str().to_owned(),
        ),
        PrivilegeOn::Function(function) => {
            return Ok(match super::functions::find(lookup, function).await? {
                Ok(oid) => Some(Ok(oid)),
                Err(problem) if problem == function.to_string() => None,
                Err(problem) => Some(Err(format!("function {problem}"))),
            });
        }
    };
    let rows = lookup.session.query(sql, &[&name]).await?;
    Ok(rows.single_value().flatten().map(|oid| Ok(oid.to_owned())))
}
