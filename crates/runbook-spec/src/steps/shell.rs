//! `shell`: the escape hatch for what no other kind covers (pg_dump, flyway, a team's script).
//! Output is captured as evidence. In check mode it is only described unless `run_in_check`.

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;

use indexmap::IndexMap;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

use crate::byte_size::ByteSize;
use crate::redacted_env::RedactedEnv;
use crate::steps::kind::{KindSpec, Needs, StepCx};

/// Runs a local command.
#[derive(Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Shell {
    /// The program and its arguments as a list (no shell involved); or, with shell: true, one
    /// string run by sh -c.
    pub command: Command,
    /// Run `command` (a string) through sh -c, for pipes and redirections.
    #[serde(default)]
    pub shell: bool,
    /// Extra environment variables for the command.
    #[serde(default)]
    #[schemars(with = "IndexMap<String, crate::schema::TextValue>")]
    pub env: IndexMap<String, String>,
    /// Working directory (default: the current one).
    pub cwd: Option<PathBuf>,
    /// Exit codes that count as success.
    #[serde(default = "default_exit_codes")]
    #[schemars(extend("default" = [0]))]
    pub allow_exit_codes: Vec<i64>,
    /// Also run the command in check mode (only when it changes nothing).
    #[serde(default)]
    pub run_in_check: bool,
    /// How much of the command's output (stdout and stderr together) the evidence keeps, e.g.
    /// 256m; the rest is counted and noted. Default 64m.
    pub max_output_bytes: Option<ByteSize>,
    /// Files the command creates, by output name: `produces: { backup: out/db.dump }` makes
    /// ${steps.ID.outputs.backup} the path for later steps, and check mode treats the file as
    /// provided by this step. After the command, each file must exist; its sha256 is recorded.
    #[serde(default)]
    #[schemars(with = "IndexMap<String, crate::schema::TextValue>")]
    pub produces: IndexMap<String, PathBuf>,
}

pub(crate) fn default_exit_codes() -> Vec<i64> {
    vec![0]
}

/// What to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Program and arguments, executed directly.
    Argv(Vec<String>),
    /// A line for `sh -c` (only with `shell: true`).
    Script(String),
}

impl<'de> Deserialize<'de> for Command {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CommandVisitor;
        impl<'de> Visitor<'de> for CommandVisitor {
            type Value = Command;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of arguments, e.g. [pg_dump, --schema-only], or a string with shell: true")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Command, E> {
                Ok(Command::Script(v.to_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Command, E> {
                Ok(Command::Script(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Command, E> {
                Ok(Command::Script(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Command, A::Error> {
                let mut argv = Vec::new();
                while let Some(arg) = seq.next_element::<String>()? {
                    argv.push(arg);
                }
                Ok(Command::Argv(argv))
            }
        }
        deserializer.deserialize_any(CommandVisitor)
    }
}

impl JsonSchema for Command {
    fn schema_name() -> Cow<'static, str> {
        "Command".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "The program and its arguments as a list; or, with shell: true, one string for sh -c.",
            "anyOf": [
                { "type": "array", "items": { "type": "string" }, "minItems": 1 },
                { "type": "string", "minLength": 1 }
            ]
        })
    }
}

/// A command list must name a program; shared by every kind that runs one.
pub(crate) fn check_argv(cx: &mut StepCx<'_>, argv: &[String]) {
    if argv.first().is_none_or(|program| program.trim().is_empty()) {
        let message = format!(
            "empty 'command' in {}; expected the program and its arguments",
            cx.label()
        );
        cx.error(&["command"], message);
    }
}

/// An empty list would make every exit code a failure, which nobody means.
pub(crate) fn check_exit_codes(cx: &mut StepCx<'_>, codes: &[i64]) {
    if codes.is_empty() {
        let message = format!(
            "empty 'allow_exit_codes' in {}; expected the exit codes that count as success, e.g. [0]",
            cx.label()
        );
        cx.error(&["allow_exit_codes"], message);
    }
}

impl fmt::Debug for Shell {
    /// `env` values are hidden: they hold passwords.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shell")
            .field("command", &self.command)
            .field("shell", &self.shell)
            .field("env", &RedactedEnv(&self.env))
            .field("cwd", &self.cwd)
            .field("allow_exit_codes", &self.allow_exit_codes)
            .field("run_in_check", &self.run_in_check)
            .field("max_output_bytes", &self.max_output_bytes)
            .field("produces", &self.produces)
            .finish()
    }
}

impl KindSpec for Shell {
    const KIND: &'static str = "shell";
    const NEEDS: Needs = Needs::Nothing;

    fn validate(&mut self, cx: &mut StepCx<'_>) {
        match (&self.command, self.shell) {
            (Command::Argv(argv), false) => check_argv(cx, argv),
            (Command::Script(_), false) => {
                let message = format!(
                    "'command' in {} is a string but shell is false; write a list of arguments, e.g. [pg_dump, --schema-only], or set shell: true",
                    cx.label()
                );
                cx.error(&["command"], message);
            }
            (Command::Argv(_), true) => {
                let message = format!(
                    "'command' in {} is a list but shell is true; with shell: true write one string for sh -c",
                    cx.label()
                );
                cx.error(&["command"], message);
            }
            (Command::Script(script), true) if script.trim().is_empty() => {
                let message = format!(
                    "empty 'command' in {}; expected a command line for sh -c",
                    cx.label()
                );
                cx.error(&["command"], message);
            }
            (Command::Script(_), true) => {}
        }
        check_exit_codes(cx, &self.allow_exit_codes);
        super::container_start::check_env_names(cx, &self.env);
        for (name, path) in &self.produces {
            if !crate::names::is_var_name(name) {
                let message = format!(
                    "invalid output name '{name}' in 'produces' of {}: expected letters, digits and _, not starting with a digit (it is used as ${{steps.ID.outputs.NAME}})",
                    cx.label()
                );
                cx.key_error(&["produces", name], message);
            } else if name == "stdout_last_line" {
                let message = format!(
                    "output name 'stdout_last_line' in 'produces' of {} is taken: every shell step gives it; choose another name",
                    cx.label()
                );
                cx.key_error(&["produces", name], message);
            }
            if path.as_os_str().is_empty() {
                let message = format!(
                    "empty path for '{name}' in 'produces' of {}; expected the path of the file the command creates",
                    cx.label()
                );
                cx.error(&["produces", name], message);
            }
        }
    }
}
