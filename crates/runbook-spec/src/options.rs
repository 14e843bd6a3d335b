//! What parsing takes from outside the file: `--var` overrides and the environment that
//! `${env.NAME}` reads. Passing the environment in keeps parsing pure and testable.

use std::collections::{BTreeMap, HashMap};

/// Where `${env.NAME}` and `password_env` values come from.
pub trait Env {
    /// The value of the variable, `None` when it is not set (or not valid Unicode).
    fn var(&self, name: &str) -> Option<String>;
}

/// The environment of this process.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

/// No variable is set: for tests and for `validate` runs that must not depend on the caller.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmptyEnv;

impl Env for EmptyEnv {
    fn var(&self, _name: &str) -> Option<String> {
        None
    }
}

impl Env for BTreeMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

impl Env for HashMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

impl<F: Fn(&str) -> Option<String>> Env for F {
    fn var(&self, name: &str) -> Option<String> {
        self(name)
    }
}

/// Inputs to [`crate::parse`] besides the text.
pub struct ParseOptions<'a> {
    /// `--var NAME=VALUE` overrides; each must name a var the runbook declares. Values are taken
    /// literally (no `${...}` expansion).
    pub vars: BTreeMap<String, String>,
    pub env: &'a dyn Env,
    /// `runbook validate`: an environment variable that is not set where the runbook is
    /// validated (a CI job without the secrets) is a warning, and its reference reads as empty.
    /// `check` and `run` need the value, so there it is an error.
    pub unset_env_is_warning: bool,
}

impl Default for ParseOptions<'_> {
    fn default() -> Self {
        Self {
            vars: BTreeMap::new(),
            env: &ProcessEnv,
            unset_env_is_warning: false,
        }
    }
}

impl std::fmt::Debug for ParseOptions<'_> {
    /// Values are left out: a `--var` may carry a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParseOptions")
            .field("vars", &self.vars.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}
