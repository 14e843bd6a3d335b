//! The runbook format: YAML text in, a validated and interpolated [`Runbook`] (or every problem
//! found, each with `file:line:col`) out.
//!
//! Parsing is pure and synchronous: no network, no database, no Docker, and files named by the
//! runbook are not looked at (the engine checks them). The passes (see `load`) are:
//! serde_yaml for YAML syntax → a node tree with positions (`yaml`) → vars, resolved in order with
//! `--var` overrides → `${env...}`/`${vars...}` substitution in every string value, with
//! `${targets.NAME.url}` checked and kept for the engine ([`expand_target_refs`]) → the top level,
//! targets and steps deserialized into the types below with unknown keys rejected → cross-checks
//! (targets exist and can do what each step needs, ids are unique, `when:` names a var).
//!
//! The same types generate the JSON Schema ([`json_schema`]).
//!
//! ```
//! use runbook_spec::{parse, EmptyEnv, ParseOptions, StepKind};
//! let text = "version: 1\nname: demo\ntargets:\n  db: { postgres: { ephemeral: true } }\nsteps:\n  - id: hello\n    kind: sql\n    target: db\n    text: SELECT 1\n";
//! let options = ParseOptions { env: &EmptyEnv, ..Default::default() };
//! let runbook = parse(text, "demo.yaml".as_ref(), &options).unwrap();
//! assert!(matches!(runbook.steps[0].kind, StepKind::Sql(_)));
//! ```

mod byte_size;
mod digest;
mod duration;
mod errors;
mod file_mode;
pub mod limits;
mod load;
mod names;
mod object_refs;
mod options;
mod position;
mod qualified_name;
mod redacted_env;
mod runbook;
mod scalar;
mod schema;
mod step;
pub mod steps;
mod target;
mod target_expect;
mod template;
mod text_origin;
mod when;
mod yaml;

use std::path::Path;

pub use byte_size::ByteSize;
pub use digest::Sha256Digest;
pub use duration::{Duration, MAX_DURATION};
pub use errors::{LoadError, SpecError, SpecErrors};
pub use file_mode::FileMode;
pub use object_refs::{
    ColumnRef, ConstraintRef, FunctionRef, Identifier, PolicyRef, TableColumns, TriggerRef,
    display_columns,
};
pub use options::{EmptyEnv, Env, ParseOptions, ProcessEnv};
pub use position::Position;
pub use qualified_name::{QualifiedName, quote_ident};
pub use runbook::{Evidence, OnFailure, Runbook};
pub use scalar::Scalar;
pub use schema::json_schema;
pub use step::{STEP_KINDS, Step, StepKind};
pub use steps::container_exec::ContainerExec;
pub use steps::container_logs::{ContainerLogs, Tail};
pub use steps::container_remove::ContainerRemove;
pub use steps::container_start::{Compose, ContainerStart, PortMapping, VolumeMount};
pub use steps::container_stop::ContainerStop;
pub use steps::copy_to_container::{CopyToContainer, Owner};
pub use steps::gate::{
    Check, CheckKind, EnumValues, Equals, Expect, ExtensionRef, FkAction, ForeignKey, Gate,
    HistoryMatch, MigrationsApplied, Privilege, PrivilegeOn, Privileges, References, RowCount,
    SequenceAhead, VersionList,
};
pub use steps::on_error::OnError;
pub use steps::require_files::{RequireFiles, RequiredFile};
pub use steps::sequence_reset::{MaxOf, ResetTo, SequenceReset};
pub use steps::shell::{Command, Shell};
pub use steps::sql::Sql;
pub use steps::sql_file::{SqlFile, Via};
pub use steps::volume_remove::VolumeRemove;
pub use steps::wait_until::{WaitCondition, WaitUntil};
pub use target::{Connection, PostgresTarget, Target};
pub use target_expect::{ExpectedVersion, NonEmpty, SystemIdentifier, TargetExpect};
pub use template::{
    RUN_FIELDS, RuntimeRef, expand_runtime_refs, expand_target_refs, output_refs, target_refs,
};
pub use text_origin::{ScalarStyle, SqlReference, TextOrigin};
pub use when::{Condition, When, is_set};

/// Parses and validates a runbook. `file` is used for messages and kept in the result; nothing
/// is read from it.
pub fn parse(source: &str, file: &Path, options: &ParseOptions<'_>) -> Result<Runbook, SpecErrors> {
    load::pipeline::parse(source, file, options)
}

/// The longest runbook file read: a runbook is a page of YAML, and `runbook validate
/// /dev/zero` must not read until memory runs out.
pub const MAX_RUNBOOK_BYTES: u64 = 16 * 1024 * 1024;

/// Reads a runbook file: at most [`MAX_RUNBOOK_BYTES`], and not a device or a directory
/// (refused before opening). A pipe is read (`runbook validate <(generate-runbook)`), within
/// the same bound.
fn read_runbook(file: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;
    let kind = std::fs::metadata(file)?.file_type();
    let what = if kind.is_dir() {
        Some("a directory")
    } else if kind.is_char_device() {
        Some("a character device")
    } else if kind.is_block_device() {
        Some("a block device")
    } else if kind.is_socket() {
        Some("a socket")
    } else {
        None
    };
    if let Some(what) = what {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("it is {what}, not a runbook file"),
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(file)?
        .take(MAX_RUNBOOK_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_RUNBOOK_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "it is larger than {} MiB; a runbook is YAML text, not data",
                MAX_RUNBOOK_BYTES >> 20
            ),
        ));
    }
    Ok(bytes)
}

/// Reads and parses a runbook file. Text that is not UTF-8 is reported at the first bad byte.
pub fn parse_file(file: &Path, options: &ParseOptions<'_>) -> Result<Runbook, LoadError> {
    let bytes = read_runbook(file).map_err(|source| LoadError::Read {
        path: file.to_owned(),
        source,
    })?;
    match String::from_utf8(bytes) {
        Ok(source) => Ok(parse(&source, file, options)?),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let prefix = String::from_utf8_lossy(&bytes[..valid]);
            let pos = yaml::line_index::LineIndex::new(&prefix).position(prefix.len());
            Err(LoadError::Invalid(SpecErrors {
                errors: vec![SpecError {
                    file: file.to_owned(),
                    line: pos.line,
                    column: pos.column,
                    message: format!(
                        "invalid UTF-8 (byte 0x{:02x}); expected a UTF-8 text file",
                        bytes[valid]
                    ),
                }],
            }))
        }
    }
}
