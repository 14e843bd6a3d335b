//! The one place in the engine that knows every step kind: binds a kind's YAML form
//! (`runbook_spec::StepKind`, whose variants the spec generates from its own one list) to its
//! implementation. Adding a kind is a file under `steps/` and one line in the table below; the
//! match is exhaustive, so a kind the spec knows and the engine does not is a compile error.

use runbook_spec::StepKind;

use crate::step::Step;
use crate::steps;

/// `Variant => implementation`: each implementation is a tuple struct over the spec's type.
macro_rules! bind_kinds {
    ($($variant:ident => $($implementation:ident)::+),+ $(,)?) => {
        pub(crate) fn bind(kind: &StepKind) -> Box<dyn Step> {
            match kind {
                $(StepKind::$variant(spec) => Box::new(steps::$($implementation)::+(spec.clone())),)+
            }
        }
    };
}

bind_kinds! {
    RequireFiles => require_files::RequireFilesStep,
    Sql => sql::SqlStep,
    SqlFile => sql_file::SqlFileStep,
    Migrate => migrate::MigrateStep,
    SequenceReset => sequence_reset::SequenceResetStep,
    Gate => gate::GateStep,
    Shell => shell::ShellStep,
    ContainerStart => container_start::ContainerStartStep,
    ContainerExec => container_exec::ContainerExecStep,
    CopyToContainer => copy_to_container::CopyToContainerStep,
    ContainerStop => container_stop::ContainerStopStep,
    ContainerRemove => container_remove::ContainerRemoveStep,
    VolumeRemove => volume_remove::VolumeRemoveStep,
    ContainerLogs => container_logs::ContainerLogsStep,
    WaitUntil => wait_until::WaitUntilStep,
}
