//! The runbook as a tree of YAML nodes with positions, built from `yaml-rust2`'s event parser.
//!
//! serde_yaml has already accepted the text when this runs (its error messages are the ones users
//! see for malformed YAML); this pass adds what serde_yaml does not keep: where every key and value
//! is. Aliases point at the anchored node (the tree is a DAG), so nothing is copied.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::line_index::{LineIndex, to_u32};
use super::resolve::{Resolved, resolve_plain};
use crate::position::Position;
use crate::text_origin::ScalarStyle;

pub(crate) type NodeId = usize;

/// Deeper nesting than any runbook needs; bounds recursion in every later pass.
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub value: Value,
    pub pos: Position,
    /// Byte offset of the node's first character in the (BOM-stripped) text.
    pub offset: usize,
}

#[derive(Debug, Clone)]
pub(crate) enum Value {
    Scalar { text: String, style: ScalarStyle },
    Seq(Vec<NodeId>),
    Map(Vec<(NodeId, NodeId)>),
}

/// A problem found while building the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TreeError {
    pub pos: Position,
    pub message: String,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Tree {
    pub nodes: Vec<Node>,
    pub root: Option<NodeId>,
}

enum Frame {
    Seq {
        id: NodeId,
        items: Vec<NodeId>,
    },
    Map {
        id: NodeId,
        entries: Vec<(NodeId, NodeId)>,
        key: Option<NodeId>,
    },
}

impl Tree {
    pub(crate) fn build(text: &str, index: &LineIndex<'_>) -> (Tree, Vec<TreeError>) {
        let mut tree = Tree::default();
        let mut errors = Vec::new();
        let mut stack: Vec<Frame> = Vec::new();
        let mut anchors: HashMap<usize, NodeId> = HashMap::new();
        let mut documents = 0;
        let mut parser = Parser::new_from_str(text);
        let pos_of = |m: &Marker| Position::new(to_u32(m.line()), to_u32(m.col() + 1));
        loop {
            let (event, marker) = match parser.next_token() {
                Ok(next) => next,
                Err(e) => {
                    let m = e.marker();
                    errors.push(TreeError {
                        pos: pos_of(m),
                        message: e.info().to_owned(),
                    });
                    break;
                }
            };
            let pos = pos_of(&marker);
            let offset = index.offset(marker.line(), marker.col());
            let new_node = match event {
                Event::StreamEnd => break,
                Event::DocumentStart => {
                    documents += 1;
                    if documents > 1 {
                        errors.push(TreeError {
                            pos,
                            message:
                                "a second YAML document starts here; a runbook is a single document"
                                    .to_owned(),
                        });
                        break;
                    }
                    None
                }
                Event::Scalar(text, style, anchor, tag) => {
                    let mut style = convert_style(style);
                    if tag.is_some_and(|t| {
                        t.suffix == "str" && (t.handle == "tag:yaml.org,2002:" || t.handle == "!!")
                    }) {
                        style = ScalarStyle::SingleQuoted;
                    }
                    let id = tree.push(Value::Scalar { text, style }, pos, offset);
                    if anchor > 0 {
                        anchors.insert(anchor, id);
                    }
                    Some(id)
                }
                Event::Alias(anchor) => match anchors.get(&anchor) {
                    Some(&id) => Some(id),
                    None => {
                        errors.push(TreeError {
                            pos,
                            message: "alias to an unknown or unfinished anchor".to_owned(),
                        });
                        break;
                    }
                },
                Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                    if stack.len() >= MAX_DEPTH {
                        errors.push(TreeError {
                            pos,
                            message: format!(
                                "nesting deeper than {MAX_DEPTH} levels; a runbook never needs that"
                            ),
                        });
                        break;
                    }
                    let is_seq = matches!(event, Event::SequenceStart(..));
                    let id = tree.push(Value::Seq(Vec::new()), pos, offset);
                    if anchor > 0 {
                        anchors.insert(anchor, id);
                    }
                    stack.push(if is_seq {
                        Frame::Seq {
                            id,
                            items: Vec::new(),
                        }
                    } else {
                        Frame::Map {
                            id,
                            entries: Vec::new(),
                            key: None,
                        }
                    });
                    None
                }
                Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                    Some(Frame::Seq { id, items }) => {
                        tree.nodes[id].value = Value::Seq(items);
                        Some(id)
                    }
                    Some(Frame::Map { id, entries, .. }) => {
                        // A block mapping's start event is marked after its first key; the
                        // mapping starts where that key does.
                        if let Some(&(first_key, _)) = entries.first()
                            && tree.nodes[first_key].offset < tree.nodes[id].offset
                        {
                            tree.nodes[id].pos = tree.nodes[first_key].pos;
                            tree.nodes[id].offset = tree.nodes[first_key].offset;
                        }
                        tree.nodes[id].value = Value::Map(entries);
                        Some(id)
                    }
                    None => None,
                },
                Event::Nothing | Event::StreamStart | Event::DocumentEnd => None,
            };
            let Some(id) = new_node else { continue };
            match stack.last_mut() {
                None => tree.root = Some(id),
                Some(Frame::Seq { items, .. }) => items.push(id),
                Some(Frame::Map { entries, key, .. }) => match key.take() {
                    None => *key = Some(id),
                    Some(k) => {
                        let duplicate = tree.key_text(k).and_then(|text| {
                            entries
                                .iter()
                                .find(|&&(other, _)| tree.key_text(other) == Some(text))
                        });
                        match duplicate {
                            Some(&(first, _)) => errors.push(TreeError {
                                pos: tree.nodes[k].pos,
                                message: format!(
                                    "duplicate key '{}' (first defined at line {} column {})",
                                    tree.key_text(k).unwrap_or_default(),
                                    tree.nodes[first].pos.line,
                                    tree.nodes[first].pos.column
                                ),
                            }),
                            None => entries.push((k, id)),
                        }
                    }
                },
            }
        }
        (tree, errors)
    }

    fn push(&mut self, value: Value, pos: Position, offset: usize) -> NodeId {
        self.nodes.push(Node { value, pos, offset });
        self.nodes.len() - 1
    }

    pub(crate) fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    /// The text of a scalar used as a mapping key; `None` for lists or mappings used as keys.
    pub(crate) fn key_text(&self, id: NodeId) -> Option<&str> {
        match &self.nodes[id].value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The entries of a mapping node (empty for anything else).
    pub(crate) fn entries(&self, id: NodeId) -> &[(NodeId, NodeId)] {
        match &self.nodes[id].value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The key and value nodes of `key` in a mapping node.
    pub(crate) fn get(&self, id: NodeId, key: &str) -> Option<(NodeId, NodeId)> {
        self.entries(id)
            .iter()
            .copied()
            .find(|&(k, _)| self.key_text(k) == Some(key))
    }

    pub(crate) fn items(&self, id: NodeId) -> &[NodeId] {
        match &self.nodes[id].value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// What a scalar node means (strings for quoted and block scalars).
    pub(crate) fn resolved(&self, id: NodeId) -> Option<Resolved<'_>> {
        match &self.nodes[id].value {
            Value::Scalar {
                text,
                style: ScalarStyle::Plain,
            } => Some(resolve_plain(text)),
            Value::Scalar { text, .. } => Some(Resolved::Str(text)),
            _ => None,
        }
    }

    /// A scalar's text whatever it resolves to (`5432` gives "5432"); `None` for null, lists and
    /// mappings.
    pub(crate) fn text(&self, id: NodeId) -> Option<&str> {
        match (self.resolved(id)?, &self.nodes[id].value) {
            (Resolved::Null, _) => None,
            (_, Value::Scalar { text, .. }) => Some(text),
            _ => None,
        }
    }

    /// "a list", "a mapping", "'text'", "5", "nothing": what a message says was found.
    pub(crate) fn describe(&self, id: NodeId) -> String {
        match &self.nodes[id].value {
            Value::Seq(_) => "a list".to_owned(),
            Value::Map(_) => "a mapping".to_owned(),
            Value::Scalar { text, .. } => match self.resolved(id) {
                Some(Resolved::Null) => "nothing".to_owned(),
                Some(Resolved::Str(_)) | None => quote_for_message(text),
                Some(_) => text.clone(),
            },
        }
    }
}

/// `'text'`, shortened to one line of reasonable length.
pub(crate) fn quote_for_message(text: &str) -> String {
    let first_line = text
        .split('\n')
        .next()
        .unwrap_or_default()
        .trim_end_matches('\r');
    let mut short: String = first_line.chars().take(60).collect();
    // A block scalar's final line break is not more text: `|` values end in one.
    if short.len() < text.trim_end_matches(['\n', '\r']).len() {
        short.push_str("...");
    }
    format!("'{short}'")
}

fn convert_style(style: TScalarStyle) -> ScalarStyle {
    match style {
        TScalarStyle::Plain => ScalarStyle::Plain,
        TScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        TScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        TScalarStyle::Literal => ScalarStyle::Literal,
        TScalarStyle::Folded => ScalarStyle::Folded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(text: &str) -> (Tree, Vec<TreeError>) {
        Tree::build(text, &LineIndex::new(text))
    }

    #[test]
    fn positions_of_keys_values_and_blocks() {
        let (tree, errors) = build("a: 1\nsteps:\n  - id: x\n    text: |\n      SELECT 1;\n");
        assert!(errors.is_empty(), "{errors:?}");
        let root = tree.root.unwrap();
        let (_, steps) = tree.get(root, "steps").unwrap();
        assert_eq!(tree.node(steps).pos, Position::new(3, 3));
        let step = tree.items(steps)[0];
        assert_eq!(tree.node(step).pos, Position::new(3, 5));
        let (key, text) = tree.get(step, "text").unwrap();
        assert_eq!(tree.node(key).pos, Position::new(4, 5));
        assert_eq!(tree.node(text).pos, Position::new(5, 7));
        assert_eq!(tree.text(text), Some("SELECT 1;\n"));
    }

    #[test]
    fn quoted_text_is_marked_as_cut_only_when_it_was() {
        assert_eq!(quote_for_message("just a string\n"), "'just a string'");
        assert_eq!(quote_for_message("crlf\r\n"), "'crlf'");
        assert_eq!(quote_for_message("two\nlines\n"), "'two...'");
        assert_eq!(
            quote_for_message(&"x".repeat(61)),
            format!("'{}...'", "x".repeat(60))
        );
    }

    #[test]
    fn reports_duplicates_with_both_places() {
        let (_, errors) = build("a: 1\nb: 2\na: 3\n");
        assert_eq!(
            errors,
            vec![TreeError {
                pos: Position::new(3, 1),
                message: "duplicate key 'a' (first defined at line 1 column 1)".into()
            }]
        );
    }

    #[test]
    fn aliases_share_nodes_and_documents_are_single() {
        let (tree, errors) = build("a: &x [1]\nb: *x\n");
        assert!(errors.is_empty());
        let root = tree.root.unwrap();
        assert_eq!(
            tree.get(root, "a").unwrap().1,
            tree.get(root, "b").unwrap().1
        );
        let (_, errors) = build("a: 1\n---\nb: 2\n");
        assert_eq!(errors[0].pos, Position::new(2, 1));
    }
}
