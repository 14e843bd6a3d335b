//! From text to [`Runbook`](crate::Runbook), in passes: YAML syntax (serde_yaml) → positioned
//! tree → vars → targets → `${...}` interpolation → top level → steps → cross-checks. Each pass
//! reports into one [`Diagnostics`](diagnostics::Diagnostics) so that a file with several
//! mistakes shows them all.

pub(crate) mod diagnostics;
pub(crate) mod interpolate;
pub(crate) mod messages;
pub(crate) mod outputs;
pub(crate) mod pipeline;
pub(crate) mod raw;
pub(crate) mod secrets;
pub(crate) mod steps;
pub(crate) mod suggest;
pub(crate) mod targets;
pub(crate) mod vars;
