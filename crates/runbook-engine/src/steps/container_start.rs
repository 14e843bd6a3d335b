//! `container_start`: placeholder until the Docker step kinds land (it fails loudly, never passes).

use async_trait::async_trait;
use runbook_evidence::StepOutcome;
use runbook_spec::ContainerStart;

use crate::context::StepContext;
use crate::errors::StepError;
use crate::step::Step;

pub(crate) struct ContainerStartStep(pub ContainerStart);

#[async_trait]
impl Step for ContainerStartStep {
    async fn run(&self, _cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        Err(StepError::failed("the container_start step kind is not implemented yet"))
    }

    async fn check(&self, _cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        Err(StepError::failed("the container_start step kind is not implemented yet"))
    }
}
