//! `functions_exist`: a signature (`to_regprocedure`: argument types as the server reads them,
//! `int` = `integer` = `int4`) or, for a bare name, any overload on the search path (or in the
//! named schema).

use runbook_evidence::GateCheckRecord;
use runbook_spec::{Check, FunctionRef};

use super::{Lookup, display_all, names_record};
use crate::errors::StepError;

pub(super) async fn check(
    lookup: &Lookup<'_>,
    check: &Check,
    functions: &[FunctionRef],
) -> Result<GateCheckRecord, StepError> {
    let mut missing = Vec::new();
    for function in functions {
        if let Some(problem) = find(lookup, function).await?.err() {
            missing.push(problem);
        }
    }
    Ok(names_record(
        check,
        "functions_exist",
        "functions exist",
        &display_all(functions),
        missing,
    ))
}

/// The function's OID as text, or what to list it as when missing.
pub(super) async fn find(
    lookup: &Lookup<'_>,
    function: &FunctionRef,
) -> Result<Result<String, String>, StepError> {
    let rows = match function.signature_sql() {
        Some(signature) => {
            match lookup
                .query_or_reason(
                    "SELECT pg_catalog.to_regprocedure($1)::pg_catalog.oid::text",
                    &[&signature],
                )
                .await?
            {
                Ok(rows) => rows,
                Err(reason) => return Ok(Err(format!("{function} ({reason})"))),
            }
        }
        None => {
            let schema = function.name.schema.clone().unwrap_or_default();
            lookup
                .session
                .query(
                    "SELECT min(p.oid)::text FROM pg_catalog.pg_proc p \
                     JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE p.proname = $1 \
                     AND CASE WHEN $2 = '' THEN n.nspname = ANY (pg_catalog.current_schemas(true)) ELSE n.nspname = $2 END",
                    &[&function.name.name, &schema],
                )
                .await?
        }
    };
    Ok(match rows.single_value() {
        Some(Some(oid)) => Ok(oid.to_owned()),
        _ => Err(function.to_string()),
    })
}
