//! A YAML tree that remembers where each node is, so compose errors can name line and column.
//!
//! Built from yaml-rust2's marked events. Anchors and aliases are resolved by copying (up to a
//! budget, so that a few lines of nested aliases cannot expand to gigabytes), and merge keys
//! (`<<: *defaults`), which Compose files use for shared settings, are applied with explicit
//! keys winning. Duplicate keys are refused, as Compose refuses them.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A position in the file: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    fn from_marker(mark: Marker) -> Pos {
        Pos {
            line: mark.line(),
            column: mark.col() + 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    /// A scalar as written; `plain` is false for quoted and block scalars, whose text is never
    /// null, a number or a boolean.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub value: Value,
    pub pos: Pos,
}

impl Node {
    /// What kind of value this is, for "expected a string, found a list" messages.
    pub(crate) fn kind(&self) -> &'static str {
        match &self.value {
            Value::Null => "nothing",
            Value::Scalar { .. } => "a scalar",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The value of `key` in a mapping.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node and the value of `key` in a mapping.
    pub(crate) fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.scalar_text() == Some(key))
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    pub(crate) fn scalar_text(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }
}

/// How many nodes aliases may copy in one file: far more than shared settings need, far less
/// than the 9^8 of a "billion laughs" file.
const MAX_ALIAS_NODES: usize = 100_000;

/// A syntax error: where and what.
#[derive(Debug)]
pub(crate) struct SyntaxError {
    pub pos: Pos,
    pub message: String,
}

/// Parses the first document of `text`; `None` for an empty file.
pub(crate) fn parse(text: &str) -> Result<Option<Node>, SyntaxError> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, false).map_err(|e| SyntaxError {
        pos: Pos::from_marker(*e.marker()),
        message: e.info().to_owned(),
    })?;
    if let Some(err) = builder.error {
        return Err(err);
    }
    Ok(builder.root)
}

enum Open {
    Seq(Pos, usize, Vec<Node>),
    Map(Pos, usize, Vec<Node>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Open>,
    /// Each anchored node with its number of nodes.
    anchors: HashMap<usize, (Node, usize)>,
    /// Nodes copied by aliases so far.
    alias_nodes: usize,
    root: Option<Node>,
    error: Option<SyntaxError>,
}

/// The number of nodes in `node`, itself included.
fn node_count(node: &Node) -> usize {
    1 + match &node.value {
        Value::Null | Value::Scalar { .. } => 0,
        Value::Seq(items) => items.iter().map(node_count).sum(),
        Value::Map(entries) => entries
            .iter()
            .map(|(k, v)| node_count(k) + node_count(v))
            .sum(),
    }
}

impl Builder {
    fn finish(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            let count = node_count(&node);
            self.anchors.insert(anchor, (node.clone(), count));
        }
        match self.stack.last_mut() {
            Some(Open::Seq(_, _, items) | Open::Map(_, _, items)) => items.push(node),
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
        }
    }

    fn fail(&mut self, pos: Pos, message: String) {
        if self.error.is_none() {
            self.error = Some(SyntaxError { pos, message });
        }
    }

    /// Pairs up keys and values, applies merge keys and refuses duplicates.
    fn close_map(&mut self, items: Vec<Node>) -> Vec<(Node, Node)> {
        let mut explicit: Vec<(Node, Node)> = Vec::new();
        let mut merged: Vec<(Node, Node)> = Vec::new();
        let mut iter = items.into_iter();
        while let (Some(key), Some(value)) = (iter.next(), iter.next()) {
            let is_merge =
                matches!(&key.value, Value::Scalar { text, plain: true } if text == "<<");
            if is_merge {
                let sources = match value.value {
                    Value::Map(entries) => vec![entries],
                    Value::Seq(nodes) => {
                        let mut maps = Vec::new();
                        for node in nodes {
                            match node.value {
                                Value::Map(entries) => maps.push(entries),
                                _ => self.fail(
                                    node.pos,
                                    "expected a mapping to merge with '<<'".to_owned(),
                                ),
                            }
                        }
                        maps
                    }
                    _ => {
                        self.fail(
                            value.pos,
                            "expected a mapping (or a list of them) to merge with '<<'".to_owned(),
                        );
                        Vec::new()
                    }
                };
                for entries in sources {
                    for (k, v) in entries {
                        if !merged.iter().any(|(m, _)| same_key(m, &k)) {
                            merged.push((k, v));
                        }
                    }
                }
                continue;
            }
            if let Some((first, _)) = explicit.iter().find(|(k, _)| same_key(k, &key)) {
                let message = format!(
                    "duplicate key '{}' (first at line {})",
                    key.scalar_text().unwrap_or("?"),
                    first.pos.line
                );
                self.fail(key.pos, message);
            }
            explicit.push((key, value));
        }
        for (k, v) in merged {
            if !explicit.iter().any(|(e, _)| same_key(e, &k)) {
                explicit.push((k, v));
            }
        }
        explicit
    }
}

fn same_key(a: &Node, b: &Node) -> bool {
    match (&a.value, &b.value) {
        (Value::Scalar { text: x, .. }, Value::Scalar { text: y, .. }) => x == y,
        _ => false,
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let pos = Pos::from_marker(mark);
        match event {
            Event::Scalar(text, style, anchor, _tag) => {
                let plain = style == TScalarStyle::Plain;
                let value = if plain && matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL")
                {
                    Value::Null
                } else {
                    Value::Scalar { text, plain }
                };
                self.finish(Node { value, pos }, anchor);
            }
            Event::Alias(id) => match self.anchors.get(&id) {
                Some((_, count)) if self.alias_nodes + count > MAX_ALIAS_NODES => {
                    self.fail(
                        pos,
                        format!(
                            "aliases expand to more than {MAX_ALIAS_NODES} nodes here; a compose file never needs that"
                        ),
                    );
                    self.finish(
                        Node {
                            value: Value::Null,
                            pos,
                        },
                        0,
                    );
                }
                Some((node, count)) => {
                    self.alias_nodes += count;
                    let mut node = node.clone();
                    node.pos = pos;
                    self.finish(node, 0);
                }
                None => self.fail(pos, "alias to an unknown anchor".to_owned()),
            },
            Event::SequenceStart(anchor, _) => self.stack.push(Open::Seq(pos, anchor, Vec::new())),
            Event::MappingStart(anchor, _) => self.stack.push(Open::Map(pos, anchor, Vec::new())),
            Event::SequenceEnd => {
                if let Some(Open::Seq(start, anchor, items)) = self.stack.pop() {
                    self.finish(
                        Node {
                            value: Value::Seq(items),
                            pos: start,
                        },
                        anchor,
                    );
                }
            }
            Event::MappingEnd => {
                if let Some(Open::Map(start, anchor, items)) = self.stack.pop() {
                    // The parser marks a block mapping after its first key; the first key is
                    // where a reader looks for it.
                    let start = items.first().map_or(start, |key| key.pos);
                    let entries = self.close_map(items);
                    self.finish(
                        Node {
                            value: Value::Map(entries),
                            pos: start,
                        },
                        anchor,
                    );
                }
            }
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        let root = parse("services:\n  db:\n    image: postgres:15\n")
            .unwrap()
            .unwrap();
        let image = root
            .get("services")
            .unwrap()
            .get("db")
            .unwrap()
            .get("image")
            .unwrap();
        assert_eq!(image.scalar_text(), Some("postgres:15"));
        assert_eq!(
            image.pos,
            Pos {
                line: 3,
                column: 12
            }
        );
    }

    #[test]
    fn mappings_start_at_their_first_key() {
        let text =
            "services:\n  db:\n    image: x\n    ports:\n      - target: 1\n        published: 2\n";
        let root = parse(text).unwrap().unwrap();
        let db = root.get("services").unwrap().get("db").unwrap();
        let Value::Seq(items) = &db.get("ports").unwrap().value else {
            panic!("ports is not a list")
        };
        assert_eq!(root.pos, Pos { line: 1, column: 1 });
        assert_eq!(db.pos, Pos { line: 3, column: 5 });
        assert_eq!(items[0].pos, Pos { line: 5, column: 9 });
        let flow = parse("a: {b: 1}\n").unwrap().unwrap();
        assert_eq!(flow.get("a").unwrap().pos, Pos { line: 1, column: 5 });
    }

    #[test]
    fn merge_keys_and_aliases() {
        let text = "x-base: &base\n  image: postgres:15\n  shm_size: 64m\nservices:\n  db:\n    <<: *base\n    shm_size: 256m\n";
        let root = parse(text).unwrap().unwrap();
        let db = root.get("services").unwrap().get("db").unwrap();
        assert_eq!(db.get("image").unwrap().scalar_text(), Some("postgres:15"));
        assert_eq!(db.get("shm_size").unwrap().scalar_text(), Some("256m"));
    }

    #[test]
    fn nested_aliases_cannot_blow_up() {
        let mut text = String::from("x-a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (prev, name) in ["a", "b", "c", "d", "e", "f", "g"]
            .iter()
            .zip(["b", "c", "d", "e", "f", "g", "h"])
        {
            let refs = vec![format!("*{prev}"); 9].join(", ");
            text.push_str(&format!("x-{name}: &{name} [{refs}]\n"));
        }
        text.push_str("services:\n  db:\n    image: postgres:15\n");
        let err = parse(&text).unwrap_err();
        assert_eq!(
            err.message,
            "aliases expand to more than 100000 nodes here; a compose file never needs that"
        );
        assert_eq!(err.pos.line, 6);
    }

    #[test]
    fn nulls_and_quoted_scalars() {
        let root = parse("a:\nb: ~\nc: 'null'\nd: \"\"\n").unwrap().unwrap();
        assert_eq!(root.get("a").unwrap().value, Value::Null);
        assert_eq!(root.get("b").unwrap().value, Value::Null);
        assert_eq!(root.get("c").unwrap().scalar_text(), Some("null"));
        assert_eq!(root.get("d").unwrap().scalar_text(), Some(""));
    }

    #[test]
    fn duplicate_keys_and_syntax_errors_have_positions() {
        let err = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(
            (err.pos.line, err.pos.column, err.message.as_str()),
            (3, 1, "duplicate key 'a' (first at line 1)")
        );
        let err = parse("services:\n  db: [\n").unwrap_err();
        assert_eq!(err.pos.line, 3);
    }

    #[test]
    fn empty_documents() {
        assert!(parse("").unwrap().is_none());
        assert!(parse("# only a comment\n").unwrap().is_none());
    }
}
