//! Reads a runbook for a command, printing every problem with its position.

use std::collections::BTreeMap;
use std::path::Path;

use runbook_spec::{LoadError, ParseOptions, ProcessEnv, Runbook};

use crate::exit_codes;
use crate::report_error;

/// How strictly the environment is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `validate`: static; an unset environment variable is a warning.
    Validate,
    /// `check` and `run`: every value is needed.
    Execute,
}

/// The runbook, or the exit code after its problems were printed.
pub fn load(file: &Path, vars: &[(String, String)], purpose: Purpose) -> Result<Runbook, i32> {
    let vars: BTreeMap<String, String> = vars.iter().cloned().collect();
    let options = ParseOptions {
        vars,
        env: &ProcessEnv,
        unset_env_is_warning: purpose == Purpose::Validate,
    };
    match runbook_spec::parse_file(file, &options) {
        Ok(runbook) => {
            for warning in &runbook.warnings {
                crate::report_warning(&warning.to_string());
            }
            Ok(runbook)
        }
        Err(LoadError::Invalid(errors)) => {
            for error in &errors {
                report_error(&error.to_string());
            }
            Err(exit_codes::INVALID_INPUT)
        }
        Err(other) => {
            report_error(&crate::chain(other));
            Err(exit_codes::INVALID_INPUT)
        }
    }
}
