//! The undo phase: when a run fails under `on_failure: undo`, the `undo:` steps of every main
//! step that passed run, last step first (each step's own list in its order), recorded in phase
//! `undo`, before `finally`. `check` looks at every undo step, since a run may need them.
//!
//! An undo step is a step like any other (consent, evidence, redaction, its own `retry:`), with
//! one rule of its own: the first undo step that fails or blocks (without `continue_on_error`)
//! stops the undo, and the undo steps after it stay `not_run`. Rollback scripts are written for
//! the state the later ones left: undoing migration 1 while migration 2's rollback failed would
//! act on a database neither script expects. The run's status stays its failure; a failed undo
//! step is listed among the run's failures (and makes a `gate_failed` run `failed`: the database
//! is then neither as the run left it nor as it was before).

use runbook_evidence::{Mode, Phase, StepStatus};
use runbook_spec::{OnFailure, Runbook};

use crate::plan::Plan;
use crate::step::Step;

/// The undo steps of the main steps from `start` on, with their implementations, in the order
/// they would run if all those steps passed (for consent, gathered before anything runs).
pub(crate) fn bound_undo_steps(
    plan: &Plan,
    start: usize,
) -> impl Iterator<Item = (&runbook_spec::Step, &Box<dyn Step>)> {
    let runbook = &plan.runbook;
    runbook
        .steps
        .iter()
        .zip(&plan.undo)
        .enumerate()
        .rev()
        .filter(move |(i, _)| *i >= start)
        .flat_map(|(_, (step, bound))| step.undo.iter().zip(bound))
}

/// `runbook undo DIR`: the undo steps of the main steps named in `passed` (those that passed in
/// DIR's run), as (main step index, undo step index), last main step first.
pub(crate) fn undo_run_steps(runbook: &Runbook, passed: &[String]) -> Vec<(usize, usize)> {
    (0..runbook.steps.len())
        .rev()
        .filter(|&i| passed.contains(&runbook.steps[i].id))
        .flat_map(|i| (0..runbook.steps[i].undo.len()).map(move |j| (i, j)))
        .collect()
}

/// The steps of [`undo_run_steps`] with their implementations, their 1-based number and the
/// count (the undo run's journal is exactly these, in this order).
pub(crate) fn undo_run_queue<'p>(
    plan: &'p Plan,
    due: &[(usize, usize)],
) -> Vec<(&'p runbook_spec::Step, &'p dyn Step, usize, usize)> {
    due.iter()
        .enumerate()
        .map(|(n, &(i, j))| {
            (
                &plan.runbook.steps[i].undo[j],
                plan.undo[i][j].as_ref(),
                n + 1,
                due.len(),
            )
        })
        .collect()
}

/// How the undo phase of a run ended, for the CLI's last lines (`RunReport::undo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoSummary {
    /// Undo steps planned.
    pub total: usize,
    /// Of those, how many passed.
    pub passed: usize,
    /// The undo step that failed (or blocked) and stopped the undo, if one did.
    pub stopped_at: Option<String>,
}

/// What the runner needs to know to plan the undo phase, fed as main steps finish.
#[derive(Debug, Default)]
pub(crate) struct UndoState {
    /// Indexes (into `runbook.steps`) of the main steps that passed, in the order they ran.
    passed: Vec<usize>,
    planned: bool,
    /// An undo step failed or blocked without `continue_on_error`: the rest do not run.
    stopped: bool,
    /// Undo steps planned in `run` mode (0 in `check`, which only looks at them).
    total: usize,
    passed_undo: usize,
    stopped_at: Option<String>,
}

impl UndoState {
    /// Notes a finished record: a main step that passed (on its last attempt) may be undone.
    pub(crate) fn record(&mut self, phase: Phase, main_index: usize, status: StepStatus) {
        match phase {
            Phase::Main if status == StepStatus::Passed => self.passed.push(main_index),
            _ => {}
        }
    }

    /// Notes an undo step's outcome: a failure not allowed by `continue_on_error` stops the undo.
    pub(crate) fn record_undo(&mut self, step: &runbook_spec::Step, status: StepStatus) {
        if status == StepStatus::Passed {
            self.passed_undo += 1;
        }
        if matches!(status, StepStatus::Failed | StepStatus::Blocked) && !step.continue_on_error {
            self.stopped = true;
            self.stopped_at.get_or_insert_with(|| step.id.clone());
        }
    }

    /// The undo steps were planned up front (`runbook undo`): nothing becomes due later.
    pub(crate) fn planned_already(&mut self, total: usize) {
        self.planned = true;
        self.total = total;
    }

    /// How the undo ended, when a run planned undo steps.
    pub(crate) fn summary(&self) -> Option<UndoSummary> {
        (self.total > 0).then(|| UndoSummary {
            total: self.total,
            passed: self.passed_undo,
            stopped_at: self.stopped_at.clone(),
        })
    }

    /// Whether the remaining undo steps are skipped (they stay `not_run`).
    pub(crate) fn stopped(&self) -> bool {
        self.stopped
    }

    /// The undo steps that become due once main has ended, as (main step index, undo step
    /// index) in the order they run; empty after the first call. In `run`: when main stopped
    /// on a failure (not an interruption) and the runbook says `on_failure: undo`, those of the
    /// main steps that passed, last first. In `check`: every undo step, last main step's first.
    pub(crate) fn due(
        &mut self,
        mode: Mode,
        runbook: &Runbook,
        main_failed: bool,
    ) -> Vec<(usize, usize)> {
        if std::mem::replace(&mut self.planned, true) {
            return Vec::new();
        }
        let mains: Vec<usize> = match mode {
            Mode::Check => (0..runbook.steps.len()).rev().collect(),
            Mode::Run if main_failed && runbook.on_failure == OnFailure::Undo => {
                self.passed.iter().rev().copied().collect()
            }
            Mode::Run => Vec::new(),
        };
        let due: Vec<(usize, usize)> = mains
            .into_iter()
            .flat_map(|i| (0..runbook.steps[i].undo.len()).map(move |j| (i, j)))
            .collect();
        if mode == Mode::Run {
            self.total = due.len();
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runbook(on_failure: &str) -> Runbook {
        let step = |id: &str| {
            format!(
                "  - id: {id}\n    kind: shell\n    command: [\"true\"]\n    undo:\n      - id: undo-{id}-a\n        kind: shell\n        command: [\"true\"]\n      - id: undo-{id}-b\n        kind: shell\n        command: [\"true\"]\n"
            )
        };
        let source = format!(
            "version: 1\nname: t\non_failure: {on_failure}\nsteps:\n{}{}{}",
            step("one"),
            step("two"),
            step("three")
        );
        runbook_spec::parse(
            &source,
            std::path::Path::new("t.yaml"),
            &runbook_spec::ParseOptions::default(),
        )
        .unwrap()
    }

    #[test]
    fn a_failed_run_undoes_the_passed_steps_last_first_each_list_in_order() {
        let runbook = runbook("undo");
        let mut state = UndoState::default();
        state.record(Phase::Main, 0, StepStatus::Passed);
        state.record(Phase::Main, 1, StepStatus::Passed);
        state.record(Phase::Main, 2, StepStatus::Failed);
        let due = state.due(Mode::Run, &runbook, true);
        assert_eq!(due, vec![(1, 0), (1, 1), (0, 0), (0, 1)]);
        assert!(
            state.due(Mode::Run, &runbook, true).is_empty(),
            "planned once"
        );
    }

    #[test]
    fn nothing_is_undone_by_default_or_when_main_did_not_fail() {
        let mut state = UndoState::default();
        state.record(Phase::Main, 0, StepStatus::Passed);
        assert!(state.due(Mode::Run, &runbook("stop"), true).is_empty());
        let mut state = UndoState::default();
        state.record(Phase::Main, 0, StepStatus::Passed);
        assert!(state.due(Mode::Run, &runbook("undo"), false).is_empty());
    }

    #[test]
    fn check_looks_at_every_undo_step() {
        let mut state = UndoState::default();
        let due = state.due(Mode::Check, &runbook("stop"), false);
        assert_eq!(due.len(), 6);
        assert_eq!(due[0], (2, 0));
    }

    #[test]
    fn a_failed_undo_step_stops_the_undo_unless_allowed() {
        let runbook = runbook("undo");
        let mut state = UndoState::default();
        state.record_undo(&runbook.steps[0].undo[0], StepStatus::Passed);
        assert!(!state.stopped());
        state.record_undo(&runbook.steps[0].undo[1], StepStatus::Failed);
        assert!(state.stopped());
        state.planned_already(4);
        assert_eq!(
            state.summary(),
            Some(UndoSummary {
                total: 4,
                passed: 1,
                stopped_at: Some("undo-one-b".to_owned()),
            })
        );
    }
}
