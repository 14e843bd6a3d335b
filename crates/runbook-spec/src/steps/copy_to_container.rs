//! `copy_to_container`: put a local file into a container (a dump for `psql -f` inside it).

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer};

use crate::file_mode::FileMode;
use crate::qualified_name::visit_name;
use crate::steps::kind::{KindSpec, Needs, StepCx};

/// Copies one local file into a container, like `docker cp`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CopyToContainer {
    /// The container; defaults to the target's. Always set after parsing.
    pub container: Option<String>,
    /// The local file.
    pub path: PathBuf,
    /// Absolute path of the file inside the container.
    pub to: String,
    /// Permission bits of the copy, as an octal string, e.g. "0600".
    pub mode: Option<FileMode>,
    /// Owner of the copy as uid:gid, e.g. "999:999" (the postgres user of the official image).
    pub owner: Option<Owner>,
    /// Also copy a path that is not a regular file (a FIFO, a device): it is read first into a
    /// private temporary file (a tar entry needs its size up front), under the step's timeout.
    /// Off by default: reading /dev/zero never ends and a FIFO blocks until someone writes.
    #[serde(default)]
    pub allow_special_file: bool,
    /// Also copy through a symbolic link in `path`. Off by default: a link to /etc/shadow was
    /// copied (mode 0644) with the evidence naming only the link. When on, the evidence records
    /// the real path the link led to and the digest of what was copied.
    #[serde(default)]
    pub follow_symlinks: bool,
}

/// Numeric owner of a file inside a container (names mean nothing outside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Owner {
    pub uid: u32,
    pub gid: u32,
}

impl Owner {
    /// `UID:GID` (`runbook_values::Owner`, shared with the Docker adapter).
    pub fn parse(text: &str) -> Result<Self, String> {
        text.parse::<runbook_values::Owner>()
            .map(|o| Self {
                uid: o.uid,
                gid: o.gid,
            })
            .map_err(|e| e.to_string())
    }
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.uid, self.gid)
    }
}

impl<'de> Deserialize<'de> for Owner {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        visit_name(deserializer, "uid:gid", Owner::parse)
    }
}

impl JsonSchema for Owner {
    fn schema_name() -> Cow<'static, str> {
        "Owner".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Numeric owner as uid:gid, e.g. \"999:999\".",
            "type": "string",
            "pattern": "^\\s*[0-9]+\\s*:\\s*[0-9]+\\s*$"
        })
    }
}

impl KindSpec for CopyToContainer {
    const KIND: &'static str = "copy_to_container";
    const NEEDS: Needs = Needs::Container;

    fn validate(&mut self, cx: &mut StepCx<'_>) {
        if self.path.as_os_str().is_empty() {
            let message = format!(
                "empty 'path' in {}; expected the local file to copy",
                cx.label()
            );
            cx.error(&["path"], message);
        }
        if !self.to.starts_with('/') {
            let message = format!(
                "invalid 'to' in {}: expected an absolute path inside the container, found '{}'",
                cx.label(),
                self.to
            );
            cx.error(&["to"], message);
        }
    }

    fn container_slot(&mut self) -> Option<&mut Option<String>> {
        Some(&mut self.container)
    }
}
