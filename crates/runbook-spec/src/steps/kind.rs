//! The contract between the loader and the step kinds: what a kind needs from its target and
//! the checks it makes beyond its types, with a context that turns key paths into positions.

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;

use crate::StepKind;
use crate::load::diagnostics::Diagnostics;
use crate::target::Target;
use crate::text_origin::{SqlReference, TextOrigin};
use crate::yaml::tree::{NodeId, Tree};

/// What a kind requires of the step's `target`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Needs {
    /// `target` is optional and only informs the step.
    Nothing,
    /// A `target` whose target has `postgres`.
    Postgres,
    /// A container: the step's `container:` or a `target` whose target has `container`.
    Container,
}

/// A step kind's YAML form. Listed once in `steps/mod.rs` (`step_kinds!`), which generates
/// `StepKind`, `From<Self> for StepKind`, the loader's dispatch and the schema from this.
pub(crate) trait KindSpec: DeserializeOwned + JsonSchema + Into<StepKind> {
    /// The `kind:` value; written only here.
    const KIND: &'static str;
    const NEEDS: Needs;

    /// Checks that the types cannot express; reports through `cx`.
    fn validate(&mut self, _cx: &mut StepCx<'_>) {}

    /// The kind's `container` field, filled from the target when the step does not name one.
    fn container_slot(&mut self) -> Option<&mut Option<String>> {
        None
    }

    /// The values of the step's mapping `step` that hold SQL text, found before
    /// interpolation: a `${...}` reference there must give a plain token (see
    /// `load::steps::sql_nodes`).
    fn sql_nodes(_tree: &Tree, _step: NodeId, _nodes: &mut Vec<NodeId>) {}
}

/// Something done with a kind's type, chosen by name at run time (`steps::visit_kind`) or for
/// every kind (`steps::visit_every_kind`): how the loader and the schema reach a kind without
/// listing the kinds themselves.
pub(crate) trait KindVisitor {
    type Output;
    fn visit<K: KindSpec>(&mut self) -> Self::Output;
}

/// What a kind's checks can see and where they report.
pub(crate) struct StepCx<'a> {
    pub tree: &'a Tree,
    /// The step's mapping.
    pub node: NodeId,
    pub label: String,
    pub target: Option<(&'a str, &'a Target)>,
    pub diagnostics: &'a mut Diagnostics,
    pub sql_references: &'a HashMap<NodeId, Vec<SqlReference>>,
}

impl StepCx<'_> {
    /// "step 'load-schema'", for messages.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Walks a key path (list indexes as numbers) from the step; returns the key and value of the
    /// deepest part that exists.
    fn walk(&self, path: &[&str]) -> (Option<NodeId>, NodeId) {
        let (mut key, mut node) = (None, self.node);
        for segment in path {
            let next = match segment.parse::<usize>() {
                Ok(i) if !self.tree.items(node).is_empty() => {
                    self.tree.items(node).get(i).map(|&n| (None, n))
                }
                _ => self.tree.get(node, segment).map(|(k, v)| (Some(k), v)),
            };
            match next {
                Some((k, v)) => (key, node) = (k, v),
                None => break,
            }
        }
        (key, node)
    }

    fn value_node(&self, path: &[&str]) -> Option<NodeId> {
        let (_, node) = self.walk(path);
        let complete = path.is_empty() || node != self.node;
        complete.then_some(node)
    }

    /// Reports an error at the value found at `path` (or the closest existing parent).
    pub fn error(&mut self, path: &[&str], message: String) {
        let pos = self.tree.node(self.walk(path).1).pos;
        self.diagnostics.error(pos, message);
    }

    /// Reports an error at the key of `path` (for problems with the key itself).
    pub fn key_error(&mut self, path: &[&str], message: String) {
        let (key, node) = self.walk(path);
        let pos = self.tree.node(key.unwrap_or(node)).pos;
        self.diagnostics.error(pos, message);
    }

    pub fn warning(&mut self, path: &[&str], message: String) {
        let pos = self.tree.node(self.walk(path).1).pos;
        self.diagnostics.warning(pos, message);
    }

    pub fn text_origin(&self, path: &[&str]) -> TextOrigin {
        match self.value_node(path) {
            Some(node) => {
                let style = match &self.tree.node(node).value {
                    crate::yaml::tree::Value::Scalar { style, .. } => *style,
                    _ => Default::default(),
                };
                TextOrigin {
                    start: self.tree.node(node).pos,
                    style,
                }
            }
            None => TextOrigin::default(),
        }
    }

    pub fn sql_references(&self, path: &[&str]) -> Vec<SqlReference> {
        self.value_node(path)
            .and_then(|n| self.sql_references.get(&n))
            .cloned()
            .unwrap_or_default()
    }

    pub fn target_name(&self) -> Option<&str> {
        self.target.map(|(name, _)| name)
    }

    pub fn target_container(&self) -> Option<&str> {
        self.target.and_then(|(_, t)| t.container.as_deref())
    }

    pub fn target_has_container(&self) -> bool {
        self.target_container().is_some()
    }
}
