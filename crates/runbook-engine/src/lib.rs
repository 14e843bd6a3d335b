//! Executes a runbook: the same [`Plan`] in `run` mode (do the work) or `check` mode (look at
//! the live systems without changing anything and say what would happen).
//!
//! Data flow: `runbook_spec::Runbook` → [`Plan::new`] binds each step to its implementation of
//! the one [`Step`] trait (kinds live one per file in `steps/`, registered in `registry.rs`) →
//! [`execute`] creates the evidence directory, asks for consent where a protected target would
//! be damaged, and runs the steps in order through a [`StepContext`] that opens database
//! sessions, the Docker Engine and ephemeral clusters on first use. Steps write their
//! `output.log` through the context; the runner seals each step's evidence before the next one
//! starts and tells [`Listener`]s (the CLI's progress display) what happens as [`Event`]s.
//!
//! Only `runbook-postgres` and `runbook-docker` talk to the servers; this crate decides what to
//! ask them and what the answers mean.

mod blast;
mod consent;
mod context;
mod docker_identity;
mod errors;
mod events;
mod input_file;
mod lint;
mod lock;
mod options;
mod outcome;
mod output;
mod plan;
mod read_only;
mod registry;
mod resources;
mod resume;
mod run_one;
mod run_values;
mod runner;
mod script;
mod script_consent;
mod step;
mod steps;
mod target_identity;
mod text;
mod undo;
mod verdict;

pub use context::StepContext;
pub use docker_identity::DockerFacts;
pub use errors::{EngineError, EngineErrorKind, StepError};
pub use events::{Event, Listener};
pub use lint::lint;
pub use lock::lock_key;
pub use options::{Confirmer, RunEnv, RunOptions, UndoOf};
pub use output::StepOutput;
pub use plan::Plan;
pub use resume::ResumeOptions;
pub use runner::{RunReport, execute};
pub use step::{Destruction, Step};
pub use target_identity::{IdentifyError, expect_block, identify_server};
pub use tokio_util::sync::CancellationToken;
pub use undo::UndoSummary;
pub use verdict::StepFailure;
