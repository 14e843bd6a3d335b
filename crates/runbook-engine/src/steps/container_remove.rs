//! `container_remove`: placeholder until the Docker step kinds land (it fails loudly, never passes).

use async_trait::async_trait;
use runbook_evidence::StepOutcome;
use runbook_spec::ContainerRemove;

use crate::context::StepContext;
use crate::errors::StepError;
use crate::step::Step;

pub(crate) struct ContainerRemoveStep(pub ContainerRemove);

#[async_trait]
impl Step for ContainerRemoveStep {
    async fn run(&self, _cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        Err(StepError::failed("the container_remove step kind is not implemented yet"))
    }

    async fn check(&self, _cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        Err(StepError::failed("the container_remove step kind is not implemented yet"))
    }
}
