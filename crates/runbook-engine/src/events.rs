//! What the engine tells the outside world while it runs.
//!
//! The runner emits [`Event`]s; [`Listener`]s render them (the CLI's progress display and plain
//! log lines, a JSON stream, tests). The evidence directory is not a listener: it is written by
//! the runner itself, because a failure to write evidence must stop the run, whereas a listener
//! can only watch.

use std::path::Path;
use std::time::Duration;

use runbook_evidence::{Mode, Phase, RunStatus, StepOutcome};
use runbook_spec::{Runbook, Step};

/// One thing that happened during a run.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    RunStarted {
        runbook: &'a Runbook,
        mode: Mode,
        evidence_dir: &'a Path,
        total_steps: usize,
    },
    StepStarted {
        /// 1-based position in its phase (for `main`, as in the evidence folder names).
        index: usize,
        /// How many steps the phase has.
        total: usize,
        step: &'a Step,
        /// `main`, or `finally` for the steps that run after it.
        phase: Phase,
        /// 1-based attempt, and how many `retry:` allows (1 without it).
        attempt: u32,
        attempts: u32,
    },
    /// Something about the whole run the operator must read before it goes on (e.g. a secret
    /// too short to redact reliably); also recorded in `run.json`'s notes. Emitted once.
    Warning { message: &'a str },
    /// A line the step wrote to its `output.log` (already redacted). `continued`: the line is
    /// not the first of one message (a server error's `CONTEXT:`, or what follows a line break
    /// inside a file name or a value), so a display can mark it as such rather than show it
    /// like a line of its own.
    Log {
        index: usize,
        line: &'a str,
        continued: bool,
    },
    /// Work done so far inside a step (bytes of a SQL file), for a progress bar.
    Progress {
        index: usize,
        done: u64,
        total: Option<u64>,
    },
    StepFinished {
        index: usize,
        total: usize,
        step: &'a Step,
        outcome: &'a StepOutcome,
        duration: Duration,
    },
    RunFinished {
        status: RunStatus,
        evidence_dir: &'a Path,
        duration: Duration,
    },
}

/// Receives events. Listeners run on the engine's task and must return quickly.
pub trait Listener: Send {
    fn on_event(&mut self, event: &Event<'_>);
}
