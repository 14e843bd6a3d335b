//! `volume_remove`: drop a named volume, the usual way to start a database from an empty data
//! directory.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::steps::kind::{KindSpec, Needs, StepCx};

/// Removes a named Docker volume, like `docker volume rm`. Destructive.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VolumeRemove {
    /// The volume's name.
    pub name: String,
}

impl KindSpec for VolumeRemove {
    const KIND: &'static str = "volume_remove";
    const NEEDS: Needs = Needs::Nothing;

    fn validate(&mut self, cx: &mut StepCx<'_>) {
        if self.name.trim().is_empty() || self.name.contains('/') {
            let message = format!(
                "invalid volume name '{}' in {}; expected a Docker volume name",
                self.name,
                cx.label()
            );
            cx.error(&["name"], message);
        }
    }

    fn into_kind(self) -> crate::StepKind {
        crate::StepKind::VolumeRemove(self)
    }
}
