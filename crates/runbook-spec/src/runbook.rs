//! The validated runbook the engine receives.

use std::fmt;
use std::path::PathBuf;

use indexmap::IndexMap;

use crate::errors::SpecError;
use crate::step::Step;
use crate::target::Target;

/// A runbook that parsed and validated: every step has a known kind, every target a step names
/// exists and can do what the step needs, and every `${env...}`/`${vars...}` is resolved.
#[derive(Clone)]
pub struct Runbook {
    /// The file it was read from (as given).
    pub file: PathBuf,
    /// The text exactly as read, for the evidence ("the runbook exactly as executed").
    pub source: String,
    /// SHA-256 of `source` in lowercase hex.
    pub sha256: String,
    pub version: u32,
    pub name: String,
    pub description: Option<String>,
    /// Resolved vars in declaration order, `--var` overrides applied. The engine passes them to
    /// SQL scripts as psql variables.
    pub vars: IndexMap<String, String>,
    pub targets: IndexMap<String, Target>,
    pub evidence: Evidence,
    pub steps: Vec<Step>,
    /// What a failed run does before `finally`: stop (default) or run the undo steps of the
    /// main steps that passed, last first (`on_failure: undo`).
    pub on_failure: OnFailure,
    /// The `finally:` steps: run after `steps` however they ended (recorded in phase `finally`).
    pub finally: Vec<Step>,
    /// Things that are allowed but probably not meant (an abbreviated digest); `validate` shows them.
    pub warnings: Vec<SpecError>,
    pub(crate) secrets: Vec<String>,
}

/// `on_failure:` at the top level: what a run does when a main step fails (without
/// `continue_on_error`) or a gate fails, before its `finally` steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnFailure {
    /// Stop: the steps that passed stay done (undo them later with `runbook undo DIR`).
    #[default]
    Stop,
    /// Run the `undo:` steps of every main step that passed, last step first (phase `undo`).
    Undo,
}

/// Where evidence goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// `evidence.dir`, or `artifacts/<name>` when the runbook does not say. Relative paths are
    /// resolved by the engine against its working directory.
    pub dir: PathBuf,
}

impl Runbook {
    /// Values that must never appear in evidence or output: what came from environment variables
    /// whose names look secret (PASSWORD, SECRET, TOKEN, KEY...), the values of `password_env`
    /// variables, passwords written into target URLs or key=value strings (as written and
    /// percent-decoded), values written under such names into a step's `env`, and `--var`
    /// values for vars with such names. Longest first, so a redactor that replaces them in
    /// order never leaves part of a longer secret behind. Empty values are left out.
    pub fn secrets(&self) -> Vec<String> {
        self.secrets.clone()
    }

    /// The step with this id, in `steps`, an `undo:` or `finally` (ids are unique across them).
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.all_steps().find(|s| s.id == id)
    }

    /// Every step that may run: `steps`, then their `undo:` steps (last step's first, the
    /// order they would run in), then `finally`. What looks at every step before the run
    /// (consent, Docker identities, lint) goes through this, so neither a cleanup nor an undo
    /// step is left out.
    pub fn all_steps(&self) -> impl Iterator<Item = &Step> {
        self.steps
            .iter()
            .chain(self.undo_steps())
            .chain(&self.finally)
    }

    /// The undo steps of every main step, in the order they would run if all had passed:
    /// the last main step's first, each step's own list in its order.
    pub fn undo_steps(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().rev().flat_map(|s| &s.undo)
    }

    pub fn target(&self, name: &str) -> Option<&Target> {
        self.targets.get(name)
    }

    /// The step's target with its name.
    pub fn target_of(&self, step: &Step) -> Option<(&str, &Target)> {
        let name = step.target.as_deref()?;
        self.targets
            .get_key_value(name)
            .map(|(k, v)| (k.as_str(), v))
    }

    /// Whether the step's `when:` lets it run with these vars (always true without `when:`).
    pub fn is_enabled(&self, step: &Step) -> bool {
        step.when.as_ref().is_none_or(|w| w.holds(&self.vars))
    }
}

impl fmt::Debug for Runbook {
    /// A summary: vars and step fields can hold secrets, so only names are shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runbook")
            .field("file", &self.file)
            .field("name", &self.name)
            .field("sha256", &self.sha256)
            .field("vars", &self.vars.keys().collect::<Vec<_>>())
            .field("targets", &self.targets.keys().collect::<Vec<_>>())
            .field(
                "steps",
                &self
                    .all_steps()
                    .map(|s| format!("{} ({})", s.id, s.kind.name()))
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}
