//! `roles_exist`: roles of the cluster, by name (`to_regrole`).

use runbook_evidence::GateCheckRecord;
use runbook_spec::{Check, Identifier};

use super::{Lookup, display_all, names_record};
use crate::errors::StepError;

pub(super) async fn check(
    lookup: &Lookup<'_>,
    check: &Check,
    roles: &[Identifier],
) -> Result<GateCheckRecord, StepError> {
    let mut missing = Vec::new();
    for role in roles {
        if !role_exists(lookup, role).await? {
            missing.push(role.to_string());
        }
    }
    Ok(names_record(
        check,
        "roles_exist",
        "roles exist",
        &display_all(roles),
        missing,
    ))
}

pub(super) async fn role_exists(lookup: &Lookup<'_>, role: &Identifier) -> Result<bool, StepError> {
    let rows = lookup
        .session
        .query(
            "SELECT (pg_catalog.to_regrole($1) IS NOT NULL)::text",
            &[&role.to_sql()],
        )
        .await?;
    Ok(rows.single_value() == Some(Some("true")))
}
