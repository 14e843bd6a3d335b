//! `container_exec`: run a command inside a running container (psql with the container's own
//! client, a check script).

use std::fmt;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::byte_size::ByteSize;
use crate::redacted_env::RedactedEnv;
use crate::steps::kind::{KindSpec, Needs, StepCx};

/// Runs a command in a container, like `docker exec`.
#[derive(Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContainerExec {
    /// The container; defaults to the target's. Always set after parsing.
    pub container: Option<String>,
    /// Program and arguments (no shell involved).
    pub command: Vec<String>,
    /// User to run as: a name, a uid or uid:gid.
    pub user: Option<String>,
    /// Extra environment variables.
    #[serde(default)]
    #[schemars(with = "IndexMap<String, crate::schema::TextValue>")]
    pub env: IndexMap<String, String>,
    /// Working directory inside the container.
    pub workdir: Option<String>,
    /// Exit codes that count as success.
    #[serde(default = "super::shell::default_exit_codes")]
    #[schemars(extend("default" = [0]))]
    pub allow_exit_codes: Vec<i64>,
    /// How much of the command's output (stdout and stderr together) the evidence keeps, e.g.
    /// 256m; the rest is counted and noted. Default 64m.
    pub max_output_bytes: Option<ByteSize>,
}

impl fmt::Debug for ContainerExec {
    /// `env` values are hidden: they hold passwords.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContainerExec")
            .field("container", &self.container)
            .field("command", &self.command)
            .field("user", &self.user)
            .field("env", &RedactedEnv(&self.env))
            .field("workdir", &self.workdir)
            .field("allow_exit_codes", &self.allow_exit_codes)
            .field("max_output_bytes", &self.max_output_bytes)
            .finish()
    }
}

impl KindSpec for ContainerExec {
    const KIND: &'static str = "container_exec";
    const NEEDS: Needs = Needs::Container;

    fn validate(&mut self, cx: &mut StepCx<'_>) {
        super::shell::check_argv(cx, &self.command);
        super::shell::check_exit_codes(cx, &self.allow_exit_codes);
        super::container_start::check_env_names(cx, &self.env);
    }

    fn container_slot(&mut self) -> Option<&mut Option<String>> {
        Some(&mut self.container)
    }
}
