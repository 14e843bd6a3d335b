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
        let name = self.name.clone();
        super::container_start::check_docker_name(cx, &["name"], "volume name", &name);
    }
}
