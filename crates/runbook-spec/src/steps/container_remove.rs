//! `container_remove`: remove a container (to recreate it from scratch).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::steps::kind::{KindSpec, Needs, StepCx};

/// Removes a container, like `docker rm`. Destructive: on a protected target it needs confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContainerRemove {
    /// The container; defaults to the target's. Always set after parsing.
    pub container: Option<String>,
    /// Also remove the container's anonymous volumes (named volumes stay; see volume_remove).
    #[serde(default)]
    pub volumes: bool,
    /// Remove it even while it runs.
    #[serde(default)]
    pub force: bool,
}

impl KindSpec for ContainerRemove {
    const KIND: &'static str = "container_remove";
    const NEEDS: Needs = Needs::Container;

    fn container_slot(&mut self) -> Option<&mut Option<String>> {
        Some(&mut self.container)
    }

    fn validate(&mut self, cx: &mut StepCx<'_>) {
        if let Some(name) = self.container.clone() {
            super::container_start::check_docker_name(cx, &["container"], "container name", &name);
        }
    }
}
