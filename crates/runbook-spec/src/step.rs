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
    /// Run the step again when it fails (each attempt is its own evidence record).
    pub retry: Option<Retry>,
    /// The steps that put back what this step did (`undo:`, one step or a list), in the order
    /// they run. They run when the run fails under `on_failure: undo` (for every main step that
    /// passed, last step first) or later with `runbook undo DIR`; an undo step has none itself.
    pub undo: Vec<Step>,
    /// Where the step's mapping starts (its first key).
    pub position: Position,
}

/// At most this many attempts of one step: a retry loop is for a transient failure (a server
/// still starting, a lock held for a moment), and each attempt is a record in the evidence.
pub const MAX_RETRY_ATTEMPTS: u32 = 10;

/// The longest wait between two attempts, whatever `delay` and `backoff` give: a run that
/// sleeps for days between attempts is a run nobody is watching.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(3600);

/// `retry: { attempts: N, delay: 5s, backoff: 2 }`: up to `attempts` runs of the step, the
/// first two `delay` apart and each later wait `backoff` times the one before (at most 1h,
/// `MAX_RETRY_DELAY`). The step passes when one attempt passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Retry {
    /// How many times the step may run in all, 1 to 10 (1: no retry).
    #[schemars(range(min = 1, max = 10))]
    pub attempts: u32,
    /// The wait before the second attempt (default 0s).
    #[serde(default = "zero")]
    pub delay: Duration,
    /// Each later wait is the previous one times this, 1 to 10 (default 1: the same wait).
    #[serde(default = "one")]
    #[schemars(range(min = 1, max = 10))]
    pub backoff: u32,
}

fn zero() -> Duration {
    Duration::from_secs(0)
}

fn one() -> u32 {
    1
}

impl Retry {
    /// The wait after attempt `attempt` (1-based) failed: `delay * backoff^(attempt-1)`,
    /// capped at [`MAX_RETRY_DELAY`].
    pub fn delay_after(&self, attempt: u32) -> std::time::Duration {
        let mut wait = self.delay.as_std();
        for _ in 1..attempt {
            wait = wait.saturating_mul(self.backoff);
            if wait >= MAX_RETRY_DELAY.as_std() {
                break;
            }
        }
        wait.min(MAX_RETRY_DELAY.as_std())
    }
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
    /// Run the step again when it fails: attempts (1-10), delay before the second, backoff
    /// factor for later waits (1-10); each wait at most 1h.
    pub retry: Option<Retry>,
    /// Steps that put back what this step did (one step or a list: full steps with their own
    /// ids): run, last step first, for every step that passed when the run fails under
    /// `on_failure: undo`, or later by `runbook undo DIR`. An undo step has no undo itself.
    #[schemars(with = "Option<UndoSchema>")]
    #[expect(
        dead_code,
        reason = "read from the tree by the loader (load_step); here for unknown-key checks and the schema"
    )]
    pub undo: Option<crate::load::raw::RawNode>,
}

/// `undo:` in the schema: one step or a list of steps.
#[derive(JsonSchema)]
#[serde(untagged)]
#[expect(
    dead_code,
    reason = "only describes `undo:` in the schema; the loader reads the tree"
)]
pub(crate) enum UndoSchema {
    One(Box<crate::schema::StepSchema>),
    Many(Vec<crate::schema::StepSchema>),
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
    "retry",
    "undo",
];
