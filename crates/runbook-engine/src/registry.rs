//! The one place that knows every step kind: binds a kind's YAML form to its implementation.
//! Adding a kind is a file under `steps/` and one line here.

use runbook_spec::StepKind;

use crate::step::Step;
use crate::steps;

pub(crate) fn bind(kind: &StepKind) -> Box<dyn Step> {
    match kind {
        StepKind::RequireFiles(spec) => {
            Box::new(steps::require_files::RequireFilesStep(spec.clone()))
        }
        StepKind::Sql(spec) => Box::new(steps::sql::SqlStep(spec.clone())),
        StepKind::SqlFile(spec) => Box::new(steps::sql_file::SqlFileStep(spec.clone())),
        StepKind::SequenceReset(spec) => {
            Box::new(steps::sequence_reset::SequenceResetStep(spec.clone()))
        }
        StepKind::Gate(spec) => Box::new(steps::gate::GateStep(spec.clone())),
        StepKind::Shell(spec) => Box::new(steps::shell::ShellStep(spec.clone())),
        StepKind::ContainerStart(spec) => {
            Box::new(steps::container_start::ContainerStartStep(spec.clone()))
        }
        StepKind::ContainerExec(spec) => {
            Box::new(steps::container_exec::ContainerExecStep(spec.clone()))
        }
        StepKind::CopyToContainer(spec) => {
            Box::new(steps::copy_to_container::CopyToContainerStep(spec.clone()))
        }
        StepKind::ContainerStop(spec) => {
            Box::new(steps::container_stop::ContainerStopStep(spec.clone()))
        }
        StepKind::ContainerRemove(spec) => {
            Box::new(steps::container_remove::ContainerRemoveStep(spec.clone()))
        }
        StepKind::VolumeRemove(spec) => {
            Box::new(steps::volume_remove::VolumeRemoveStep(spec.clone()))
        }
        StepKind::ContainerLogs(spec) => {
            Box::new(steps::container_logs::ContainerLogsStep(spec.clone()))
        }
    }
}
