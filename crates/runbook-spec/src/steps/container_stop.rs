//! `container_stop`: stop a container, giving the database time to shut down cleanly.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::duration::Duration;
use crate::steps::kind::{KindSpec, Needs, StepCx};

/// Stops a container, like `docker stop -t`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContainerStop {
    /// The container; defaults to the target's. Always set after parsing.
    pub container: Option<String>,
    /// How long to wait for a clean shutdown before the container is killed.
    #[serde(default = "default_grace")]
    #[schemars(extend("default" = "10s"))]
    pub grace: Duration,
}

fn default_grace() -> Duration {
    Duration::from_secs(10)
}

impl KindSpec for ContainerStop {
    const KIND: &'static str = "container_stop";
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
