//! The runbook as a tree of YAML nodes with positions, built from `yaml-rust2`'s event parser.
//!
//! serde_yaml has already accepted the text when this runs (its error messages are the ones users
//! see for malformed YAML); this pass adds what serde_yaml does not keep: where every key and value
//! is. Aliases point at the anchored node (the tree is a DAG), so nothing is copied here; but every
//! later pass (serde_yaml's syntax check, deserialization) walks the expanded document, so the
//! expansion is counted as aliases are met and refused past [`MAX_ALIAS_NODES`] nodes or
//! [`MAX_ALIAS_BYTES`] of text (a "billion laughs" is a few kilobytes of YAML).

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::line_index::{LineIndex, to_u32};
use super::resolve::{Resolved, resolve_plain};
use crate::position::Position;
use crate::text_origin::ScalarStyle;

pub(crate) type NodeId = usize;

/// Deeper nesting than any runbook needs; bounds recursion in every later pass.
pub const MAX_DEPTH: usize = 64;

/// Nodes that aliases may add to the document in all: a runbook that reuses an `env:` block or a
/// list of checks in a few places adds hundreds; a billion laughs adds billions.
pub const MAX_ALIAS_NODES: u64 = 100_000;

/// Scalar text that aliases may add to the document in all (16 MiB).
pub const MAX_ALIAS_BYTES: u64 = 16 << 20;

/// Nodes written in the file: the largest runbooks have a few thousand. Every node costs a few
/// hundred bytes across the passes (tree, serde_yaml's value, an error each), so 2.5 million
/// `- 1` lines (15 MB) took 1.3 GB and 72 s before this limit.
pub const MAX_NODES: usize = 250_000;

/// What a node stands for once its aliases are expanded.
#[derive(Debug, Clone, Copy, Default)]
struct Weight {
    nodes: u64,
    bytes: u64,
}

impl Weight {
    fn add(&mut self, other: Weight) {
        self.nodes = self.nodes.saturating_add(other.nodes);
        self.bytes = self.bytes.saturating_add(other.bytes);
    }
}

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
    pub kind: TreeErrorKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum TreeErrorKind {
    /// The YAML itself is malformed (yaml-rust2's parser stopped here).
    Syntax,
    /// Nesting or alias expansion past a limit: nothing else may look at the text.
    Limit,
    /// Well-formed YAML that a runbook cannot be (duplicate keys, several documents).
    #[default]
    Content,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Tree {
    pub nodes: Vec<Node>,
    pub root: Option<NodeId>,
    /// Whether the build read to the end of the text; when it stopped at an error, the text
    /// after that error's line was never checked (for nesting, among others).
    pub complete: bool,
    /// Nodes in the order they were completed: a node's children (aliased ones included) come
    /// before it, so the reverse is a topological order of the DAG.
    completed: Vec<NodeId>,
}

enum Frame {
    Seq {
        id: NodeId,
        items: Vec<NodeId>,
        weight: Weight,
    },
    Map {
        id: NodeId,
        entries: Vec<(NodeId, NodeId)>,
        key: Option<NodeId>,
        /// Key texts seen so far, for duplicate keys in constant time (a mapping with 20,000
        /// keys made a linear search per key quadratic).
        seen: HashMap<String, NodeId>,
        weight: Weight,
    },
}

/// Whether an event closed a collection (whose anchor is registered then).
enum Closed {
    Collection,
    Other,
}

impl Frame {
    fn weight(&mut self) -> &mut Weight {
        match self {
            Frame::Seq { weight, .. } | Frame::Map { weight, .. } => weight,
        }
    }
}

impl Tree {
    pub(crate) fn build(text: &str, index: &LineIndex<'_>) -> (Tree, Vec<TreeError>) {
        let mut tree = Tree::default();
        let mut errors = Vec::new();
        let mut stack: Vec<Frame> = Vec::new();
        let mut anchors: HashMap<usize, NodeId> = HashMap::new();
        // The expanded weight of every completed node, and what aliases added so far.
        let mut weights: Vec<Weight> = Vec::new();
        let mut expansion = Weight::default();
        let mut pending_anchors: Vec<usize> = Vec::new();
        let mut documents = 0;
        let mut parser = Parser::new_from_str(text);
        let pos_of = |m: &Marker| Position::new(to_u32(m.line()), to_u32(m.col() + 1));
        loop {
            let (event, marker) = match parser.next_token() {
                Ok(next) => next,
                Err(e) => {
                    let m = e.marker();
                    // The scanner looks ahead, so its own limit on flow nesting (255) can come
                    // before the parser's events reach MAX_DEPTH.
                    let (message, kind) = if e.info() == "recursion limit exceeded" {
                        (too_deep(), TreeErrorKind::Limit)
                    } else {
                        (e.info().to_owned(), TreeErrorKind::Syntax)
                    };
                    errors.push(TreeError {
                        pos: pos_of(m),
                        message,
                        kind,
                    });
                    break;
                }
            };
            let pos = pos_of(&marker);
            let offset = index.offset(marker.line(), marker.col());
            let event_kind = if matches!(event, Event::SequenceEnd | Event::MappingEnd) {
                Closed::Collection
            } else {
                Closed::Other
            };
            if tree.nodes.len() >= MAX_NODES
                && matches!(
                    event,
                    Event::Scalar(..) | Event::SequenceStart(..) | Event::MappingStart(..)
                )
            {
                errors.push(TreeError {
                    pos,
                    message: format!(
                        "more than {MAX_NODES} YAML values (keys, lists, mappings and scalars); a runbook never needs that many"
                    ),
                    kind: TreeErrorKind::Limit,
                });
                break;
            }
            // The node completed by this event, and what it weighs expanded.
            let new_node: Option<(NodeId, Weight)> = match event {
                Event::StreamEnd => {
                    tree.complete = true;
                    break;
                }
                Event::DocumentStart => {
                    documents += 1;
                    if documents > 1 {
                        errors.push(TreeError {
                            pos,
                            message:
                                "a second YAML document starts here; a runbook is a single document"
                                    .to_owned(),
                            kind: TreeErrorKind::Content,
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
                    let weight = Weight {
                        nodes: 1,
                        bytes: text.len() as u64,
                    };
                    let id = tree.push(Value::Scalar { text, style }, pos, offset);
                    if anchor > 0 {
                        anchors.insert(anchor, id);
                    }
                    tree.completed.push(id);
                    Some((id, weight))
                }
                Event::Alias(anchor) => match anchors.get(&anchor) {
                    Some(&id) => {
                        let weight = weights.get(id).copied().unwrap_or_default();
                        expansion.add(weight);
                        if let Some(message) = over_budget(expansion) {
                            errors.push(TreeError {
                                pos,
                                message,
                                kind: TreeErrorKind::Limit,
                            });
                            break;
                        }
                        Some((id, weight))
                    }
                    // An alias inside its own anchor: the value would contain itself, and
                    // serde_yaml would recurse into it.
                    None if pending_anchors.contains(&anchor) => {
                        errors.push(TreeError {
                            pos,
                            message: "alias inside its own anchor: the value would contain itself"
                                .to_owned(),
                            kind: TreeErrorKind::Limit,
                        });
                        break;
                    }
                    None => {
                        errors.push(TreeError {
                            pos,
                            message: "alias to an unknown or unfinished anchor".to_owned(),
                            kind: TreeErrorKind::Content,
                        });
                        break;
                    }
                },
                Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                    if stack.len() >= MAX_DEPTH {
                        errors.push(TreeError {
                            pos,
                            message: too_deep(),
                            kind: TreeErrorKind::Limit,
                        });
                        break;
                    }
                    let is_seq = matches!(event, Event::SequenceStart(..));
                    let id = tree.push(Value::Seq(Vec::new()), pos, offset);
                    // The anchor is registered when the node is complete: an alias inside it
                    // would make the tree a cycle.
                    pending_anchors.push(anchor);
                    let weight = Weight { nodes: 1, bytes: 0 };
                    stack.push(if is_seq {
                        Frame::Seq {
                            id,
                            items: Vec::new(),
                            weight,
                        }
                    } else {
                        Frame::Map {
                            id,
                            entries: Vec::new(),
                            key: None,
                            seen: HashMap::new(),
                            weight,
                        }
                    });
                    None
                }
                Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                    Some(Frame::Seq { id, items, weight }) => {
                        tree.nodes[id].value = Value::Seq(items);
                        tree.completed.push(id);
                        Some((id, weight))
                    }
                    Some(Frame::Map {
                        id,
                        entries,
                        weight,
                        ..
                    }) => {
                        // A block mapping's start event is marked after its first key; the
                        // mapping starts where that key does.
                        if let Some(&(first_key, _)) = entries.first()
                            && tree.nodes[first_key].offset < tree.nodes[id].offset
                        {
                            tree.nodes[id].pos = tree.nodes[first_key].pos;
                            tree.nodes[id].offset = tree.nodes[first_key].offset;
                        }
                        tree.nodes[id].value = Value::Map(entries);
                        tree.completed.push(id);
                        Some((id, weight))
                    }
                    None => None,
                },
                Event::Nothing | Event::StreamStart | Event::DocumentEnd => None,
            };
            let Some((id, weight)) = new_node else {
                continue;
            };
            if matches!(event_kind, Closed::Collection)
                && let Some(anchor) = pending_anchors.pop()
                && anchor > 0
            {
                anchors.insert(anchor, id);
            }
            if weights.len() <= id {
                weights.resize(tree.nodes.len(), Weight::default());
            }
            weights[id] = weight;
            if let Some(frame) = stack.last_mut() {
                frame.weight().add(weight);
            }
            match stack.last_mut() {
                None => tree.root = Some(id),
                Some(Frame::Seq { items, .. }) => items.push(id),
                Some(Frame::Map {
                    entries, key, seen, ..
                }) => match key.take() {
                    None => *key = Some(id),
                    Some(k) => {
                        let duplicate = tree.key_text(k).and_then(|text| seen.get(text));
                        match duplicate {
                            Some(&first) => errors.push(TreeError {
                                pos: tree.nodes[k].pos,
                                message: format!(
                                    "duplicate key '{}' (first defined at line {} column {})",
                                    tree.key_text(k).unwrap_or_default(),
                                    tree.nodes[first].pos.line,
                                    tree.nodes[first].pos.column
                                ),
                                kind: TreeErrorKind::Content,
                            }),
                            None => {
                                if let Some(text) = tree.key_text(k) {
                                    seen.insert(text.to_owned(), k);
                                }
                                entries.push((k, id));
                            }
                        }
                    }
                },
            }
        }
        (tree, errors)
    }

    /// How many times each node occurs in the document with its aliases expanded (saturating):
    /// the root once, an anchored node once more for every alias of it and of its ancestors.
    /// Passes that produce text per node (interpolation) weigh it by this.
    pub(crate) fn occurrences(&self) -> Vec<u64> {
        let mut count = vec![0u64; self.nodes.len()];
        if let Some(root) = self.root {
            count[root] = 1;
        }
        for &id in self.completed.iter().rev() {
            let n = count[id];
            if n == 0 {
                continue;
            }
            let mut bump = |child: NodeId| count[child] = count[child].saturating_add(n);
            match &self.nodes[id].value {
                Value::Scalar { .. } => {}
                Value::Seq(items) => items.iter().copied().for_each(&mut bump),
                Value::Map(entries) => entries.iter().for_each(|&(k, v)| {
                    bump(k);
                    bump(v);
                }),
            }
        }
        count
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

fn too_deep() -> String {
    format!("nesting deeper than {MAX_DEPTH} levels; a runbook never needs that")
}

/// The refusal once aliases have added more than a runbook ever needs.
fn over_budget(expansion: Weight) -> Option<String> {
    if expansion.nodes > MAX_ALIAS_NODES {
        Some(format!(
            "alias expansion exceeds {MAX_ALIAS_NODES} nodes: the aliases up to here repeat their anchors' content more than a runbook ever needs (a YAML \"billion laughs\"?)"
        ))
    } else if expansion.bytes > MAX_ALIAS_BYTES {
        Some(format!(
            "alias expansion exceeds {} MiB of text: the aliases up to here repeat their anchors' text more than a runbook ever needs",
            MAX_ALIAS_BYTES >> 20
        ))
    } else {
        None
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
                message: "duplicate key 'a' (first defined at line 1 column 1)".into(),
                kind: TreeErrorKind::Content,
            }]
        );
    }

    #[test]
    fn occurrences_count_every_alias_path() {
        let (tree, errors) = build("a: &x [v]\nb: *x\nc: &y [*x, *x]\nd: [*y, *y]\n");
        assert!(errors.is_empty(), "{errors:?}");
        let count = tree.occurrences();
        let root = tree.root.unwrap();
        let x = tree.get(root, "a").unwrap().1;
        let y = tree.get(root, "c").unwrap().1;
        // x: a, b, twice in c, and twice in each of d's two copies of y.
        assert_eq!(count[x], 1 + 1 + 2 + 4);
        assert_eq!(count[tree.items(x)[0]], 8);
        assert_eq!(count[y], 3);
        assert_eq!(count[root], 1);
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
