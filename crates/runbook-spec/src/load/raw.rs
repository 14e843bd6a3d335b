//! The top level of the file as written. Parts that are processed on their own (vars, targets,
//! steps) are kept as [`RawNode`]s; the schema still describes them through `schemars(with)`.

use std::fmt;
use std::path::PathBuf;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use crate::target::Target;
use crate::yaml::de::RAW_NODE;
use crate::yaml::tree::NodeId;

/// A node left for a later pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawNode(pub NodeId);

impl<'de> Deserialize<'de> for RawNode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RawVisitor;
        impl Visitor<'_> for RawVisitor {
            type Value = RawNode;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a YAML node")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawNode, E> {
                usize::try_from(v).map(RawNode).map_err(E::custom)
            }
        }
        deserializer.deserialize_struct(RAW_NODE, &[], RawVisitor)
    }
}

/// A runbook: YAML that Runbook validates and executes against PostgreSQL and Docker, writing
/// verifiable evidence.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Runbook")]
pub(crate) struct RunbookFile {
    /// Format version; must be 1.
    #[schemars(range(min = 1, max = 1))]
    pub version: u32,
    /// [a-z0-9-]+ ; names the evidence folder.
    #[schemars(regex(pattern = r"^[a-z0-9-]+$"))]
    pub name: String,
    /// What the runbook is for.
    pub description: Option<String>,
    /// Named strings for ${vars.NAME}; values may use ${env.NAME}, ${env.NAME:-default} and
    /// earlier vars. --var NAME=VALUE overrides them. Names: [A-Za-z_][A-Za-z0-9_]*.
    #[schemars(with = "Option<IndexMap<String, crate::schema::TextValue>>")]
    #[expect(
        dead_code,
        reason = "processed from the tree by its own pass; here for unknown-key checks and the schema"
    )]
    pub vars: Option<RawNode>,
    /// The databases and containers the steps act on, by name ([a-z0-9_-]+).
    #[schemars(with = "Option<IndexMap<String, Target>>")]
    #[expect(
        dead_code,
        reason = "processed from the tree by its own pass; here for unknown-key checks and the schema"
    )]
    pub targets: Option<RawNode>,
    /// Where evidence is written.
    pub evidence: Option<EvidenceFile>,
    /// What a run does when a main step or a gate fails, before `finally`: stop (default), or
    /// undo: run the `undo:` steps of every main step that passed, last step first.
    pub on_failure: Option<crate::runbook::OnFailure>,
    /// The steps, run in order; at least one.
    #[schemars(with = "Vec<crate::schema::StepSchema>")]
    #[expect(
        dead_code,
        reason = "processed from the tree by its own pass; here for unknown-key checks and the schema"
    )]
    pub steps: RawNode,
    /// Steps that always run after `steps`, whether they passed, failed or were interrupted
    /// (Ctrl-C): cleanup such as removing containers. Step ids are unique across both lists.
    #[schemars(with = "Option<Vec<crate::schema::StepSchema>>")]
    #[expect(
        dead_code,
        reason = "processed from the tree by its own pass; here for unknown-key checks and the schema"
    )]
    pub finally: Option<RawNode>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EvidenceFile {
    /// Directory for evidence; each run gets a timestamped folder in it. Default: artifacts/<name>.
    pub dir: Option<PathBuf>,
}
