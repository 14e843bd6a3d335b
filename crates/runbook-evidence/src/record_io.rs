//! Records to and from disk: serialized with every string redacted, read back with errors that
//! name the file, line and column.
//!
//! Values this crate generates itself (timestamps, digests, statuses) are exempt from
//! redaction: a short secret such as `1` would otherwise turn `2025-11-08T06:24:36Z` into text
//! no loader accepts. Nothing under `details` is exempt, since the engine fills it freely.

use std::fs;
use std::io;
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::errors::{EvidenceError, Result};
use crate::redact::{MASK, Redactor, is_secret_key};

/// Keys whose string values this crate produces and never come from user text.
const GENERATED_KEYS: &[&str] = &[
    "started_at",
    "finished_at",
    "sha256",
    "status",
    "mode",
    "how",
    // Paths of step directories: verify and the loader follow them.
    "dir",
    "current_step",
];

/// Pretty JSON of `record` (plus a final newline) with its strings redacted, fields in
/// declaration order (going through a `serde_json::Value` alone would sort them).
pub(crate) fn to_redacted_json<T: Serialize + DeserializeOwned>(
    record: &T,
    what: &str,
    redactor: &Redactor,
) -> Result<Vec<u8>> {
    let redacted = redacted_copy(record, what, redactor)?;
    let mut bytes =
        serde_json::to_vec_pretty(&redacted).map_err(|source| EvidenceError::Serialize {
            what: what.to_owned(),
            source,
        })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// `record` after the same redaction [`to_redacted_json`] applies, so what the caller keeps in
/// memory equals what is on disk.
pub(crate) fn redacted_copy<T: Serialize + DeserializeOwned>(
    record: &T,
    what: &str,
    redactor: &Redactor,
) -> Result<T> {
    let serialize_error = |source| EvidenceError::Serialize {
        what: what.to_owned(),
        source,
    };
    let mut value = serde_json::to_value(record).map_err(serialize_error)?;
    redact_generated_aware(&mut value, redactor);
    serde_json::from_value(value).map_err(serialize_error)
}

fn redact_generated_aware(value: &mut serde_json::Value, redactor: &Redactor) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                if key == "details" {
                    redactor.redact_json(item);
                } else if GENERATED_KEYS.contains(&key.as_str()) && item.is_string() {
                    continue;
                } else if is_secret_key(key) && item.as_str().is_some_and(|s| !s.is_empty()) {
                    *item = Value::String(MASK.to_owned());
                } else {
                    redact_generated_aware(item, redactor);
                }
            }
            // Keys stay as they are: most are the records' field names, and the free-form ones
            // (var and target names) are identifiers of the runbook, not secrets. Redacting
            // them let a short secret break the records ("missing field `index`").
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| redact_generated_aware(item, redactor)),
        Value::String(_) => redactor.redact_json(value),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Reads a record; `Ok(None)` when the file does not exist.
pub(crate) fn read_record<T: DeserializeOwned>(
    path: &Path,
    what: &'static str,
) -> Result<Option<T>> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(EvidenceError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    let invalid = |e: serde_json::Error| EvidenceError::InvalidRecord {
        path: path.to_owned(),
        what,
        line: e.line(),
        column: e.column(),
        message: without_position(&e),
    };
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(invalid)?;
    let version = value
        .get("schema_version")
        .and_then(serde_json::Value::as_u64);
    match version {
        Some(1) => {}
        Some(found) => {
            return Err(EvidenceError::UnsupportedSchema {
                path: path.to_owned(),
                found,
            });
        }
        None => {
            return Err(EvidenceError::InvalidRecord {
                path: path.to_owned(),
                what,
                line: 1,
                column: 1,
                message: "no numeric schema_version".to_owned(),
            });
        }
    }
    // Deserialize from the text (not the value) so errors carry line and column.
    serde_json::from_slice(&bytes).map(Some).map_err(invalid)
}

/// serde_json's message without its trailing " at line L column C" (we show the position first).
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_owned()
}
