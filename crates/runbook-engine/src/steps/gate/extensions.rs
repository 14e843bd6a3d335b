//! `extensions_exist`: installed extensions (`pg_extension`), at a version when one is given.

use runbook_evidence::GateCheckRecord;
use runbook_spec::{Check, ExtensionRef};

use super::{Lookup, display_all, names_record};
use crate::errors::StepError;

pub(super) async fn check(
    lookup: &Lookup<'_>,
    check: &Check,
    extensions: &[ExtensionRef],
) -> Result<GateCheckRecord, StepError> {
    let mut missing = Vec::new();
    for extension in extensions {
        let rows = lookup
            .session
            .query(
                "SELECT e.extversion::text FROM pg_catalog.pg_extension e WHERE e.extname = $1",
                &[extension.name.as_str()],
            )
            .await?;
        match (rows.single_value().flatten(), &extension.version) {
            (None, _) => missing.push(extension.to_string()),
            (Some(found), Some(wanted)) if found != wanted => {
                missing.push(format!("{extension} (installed: {found})"))
            }
            _ => {}
        }
    }
    Ok(names_record(
        check,
        "extensions_exist",
        "extensions installed",
        &display_all(extensions),
        missing,
    ))
}
