//! The one error of this crate.

/// Bad text for a value: a size, a mode, an owner, a port (or, in `runbook-docker`, which
/// reports its own value problems with this type too, a volume or a name).
///
/// Carries the offending text so the message can quote it; the caller adds where the text came
/// from (a runbook's `file:line:col` and key, a Compose file's position).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} '{text}': {problem}")]
pub struct ValueError {
    /// What was being parsed: "port", "volume", "size", ...
    pub what: &'static str,
    /// The text as given.
    pub text: String,
    /// What was expected, and where it helps, what was wrong.
    pub problem: String,
}

impl ValueError {
    pub fn new(what: &'static str, text: &str, problem: impl Into<String>) -> Self {
        ValueError {
            what,
            text: text.to_owned(),
            problem: problem.into(),
        }
    }
}
