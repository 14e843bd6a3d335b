//! `copy_to_container`: placeholder until the Docker step kinds land (it fails loudly, never passes).

use async_trait::async_trait;
use runbook_evidence::StepOutcome;
use runbook_spec::CopyToContainer;

use crate::context::StepContext;
use crate::errors::StepError;
use crate::step::Step;

pub(crate) struct CopyToContainerStep(pub CopyToContainer);

#[async_trait]
impl Step for CopyToContainerStep {
    async fn run(&self, _cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        Err(StepError::failed("the copy_to_container step kind is not implemented yet"))
    }

    async fn check(&self, _cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        Err(StepError::failed("the copy_to_container step kind is not implemented yet"))
    }
}
