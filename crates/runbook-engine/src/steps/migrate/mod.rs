//! `migrate`: ordered migrations with a history table Flyway, Prisma (or Runbook, for `plain`)
//! recognise as their own.

use async_trait::async_trait;
use runbook_evidence::StepOutcome;
use runbook_spec::steps::migrate::Migrate;

use crate::context::StepContext;
use crate::errors::StepError;
use crate::step::Step;

pub(crate) struct MigrateStep(pub Migrate);

#[async_trait]
impl Step for MigrateStep {
    async fn run(&self, _cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        Err(StepError::Blocked(format!(
            "the migrate step ({} format) cannot run in this build yet (its engine part is being written)",
            self.0.format
        )))
    }

    async fn check(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        self.run(cx).await
    }
}
