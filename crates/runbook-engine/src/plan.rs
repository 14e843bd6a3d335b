//! A validated runbook with every step bound to its implementation: what the runner receives.
//!
//! `run` and `check` execute the same plan, so a dry run exercises exactly the steps a real run
//! would, with the same parameters.

use std::sync::Arc;

use runbook_spec::Runbook;

use crate::registry;
use crate::step::Step;

pub struct Plan {
    pub(crate) runbook: Arc<Runbook>,
    pub(crate) steps: Vec<Box<dyn Step>>,
    /// The runbook's `finally:` steps, bound the same way.
    pub(crate) finally: Vec<Box<dyn Step>>,
    /// Each main step's `undo:` steps (index `i` belongs to `steps[i]`), bound the same way.
    pub(crate) undo: Vec<Vec<Box<dyn Step>>>,
}

impl std::fmt::Debug for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plan")
            .field("runbook", &self.runbook.name)
            .field("steps", &self.steps.len())
            .finish()
    }
}

impl Plan {
    pub fn new(runbook: Runbook) -> Plan {
        let steps = runbook
            .steps
            .iter()
            .map(|step| registry::bind(&step.kind))
            .collect();
        let finally = runbook
            .finally
            .iter()
            .map(|step| registry::bind(&step.kind))
            .collect();
        let undo = runbook
            .steps
            .iter()
            .map(|step| {
                step.undo
                    .iter()
                    .map(|undo| registry::bind(&undo.kind))
                    .collect()
            })
            .collect();
        Plan {
            runbook: Arc::new(runbook),
            steps,
            finally,
            undo,
        }
    }

    pub fn runbook(&self) -> &Runbook {
        &self.runbook
    }
}
