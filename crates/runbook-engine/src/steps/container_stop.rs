//! `container_stop`: placeholder until the Docker step kinds land (it fails loudly, never passes).

use async_trait::async_trait;
use runbook_evidence::StepOutcome;
use runbook_spec::ContainerStop;

use crate::context::StepContext;
use crate::errors::StepError;
use crate::step::Step;

pub(crate) struct ContainerStopStep(pub ContainerStop);

#[async_trait]
impl Step for ContainerStopStep {
    async fn run(&self, _cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        Err(StepError::failed("the container_stop step kind is not implemented yet"))
    }

    async fn check(&self, _cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        Err(StepError::failed("the container_stop step kind is not implemented yet"))
    }
}
