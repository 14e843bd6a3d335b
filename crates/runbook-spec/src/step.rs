//! Steps: the common fields every step has, and the kind-specific part as one enum variant per
//! kind.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::duration::Duration;
use crate::position::Position;
pub use crate::steps::{STEP_KINDS, StepKind};
use crate::when::When;

/// One validated step.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Unique within the runbook, `[a-z0-9-]+`; names the step's evidence folder.
    pub id: String,
    pub kind: StepKind,
    pub description: Option<String>,
    /// The target the step acts on; always a declared target.
    pub target: Option<String>,
    pub timeout: Option<Duration>,
    pub when: Option<When>,
    /// Record a failure and go on with the next step.
    pub continue_on_error: bool,
    /// Where the step's mapping starts (its first key).
    pub position: Position,
}

impl StepKind {
    /// The container a Docker step acts on (its own `container:`/`name:` or its target's).
    pub fn container(&self) -> Option<&str> {
        match self {
            StepKind::ContainerStart(s) => s.name.as_deref(),
            StepKind::ContainerExec(s) => s.container.as_deref(),
            StepKind::CopyToContainer(s) => s.container.as_deref(),
            StepKind::ContainerStop(s) => s.container.as_deref(),
            StepKind::ContainerRemove(s) => s.container.as_deref(),
            StepKind::ContainerLogs(s) => s.container.as_deref(),
            _ => None,
        }
    }
}

/// The fields every step has, as written.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct StepCommon {
    /// Unique step id, [a-z0-9-]+; names the step's evidence folder.
    #[schemars(regex(pattern = r"^[a-z0-9-]+$"))]
    pub id: String,
    /// What the step does (see docs/runbook-format.md for each kind).
    #[expect(
        dead_code,
        reason = "read by the loader before this struct (which reports it missing); kept for the schema and type checks"
    )]
    pub kind: Option<String>,
    /// One line for people reading the plan and the report.
    pub description: Option<String>,
    /// The target (from `targets`) the step acts on.
    pub target: Option<String>,
    /// Fail the step when it takes longer.
    pub timeout: Option<Duration>,
    /// Run the step only if a var is set: vars.NAME, or !vars.NAME for "only if not set".
    pub when: Option<When>,
    /// Record a failure and go on with the next step.
    #[serde(default)]
    pub continue_on_error: bool,
}

/// The keys of [`StepCommon`], split off a step's mapping before its kind's keys are read.
pub(crate) const COMMON_KEYS: &[&str] = &[
    "id",
    "kind",
    "description",
    "target",
    "timeout",
    "when",
    "continue_on_error",
];
