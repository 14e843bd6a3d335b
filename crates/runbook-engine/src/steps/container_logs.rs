//! `container_logs`: placeholder until the Docker step kinds land (it fails loudly, never passes).

use async_trait::async_trait;
use runbook_evidence::StepOutcome;
use runbook_spec::ContainerLogs;

use crate::context::StepContext;
use crate::errors::StepError;
use crate::step::Step;

pub(crate) struct ContainerLogsStep(pub ContainerLogs);

#[async_trait]
impl Step for ContainerLogsStep {
    async fn run(&self, _cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        Err(StepError::failed("the container_logs step kind is not implemented yet"))
    }

    async fn check(&self, _cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        Err(StepError::failed("the container_logs step kind is not implemented yet"))
    }
}
