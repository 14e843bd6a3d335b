//! YAML with positions: a node tree built from `yaml-rust2` events (every node knows its line and
//! column) and a serde `Deserializer` over it whose errors carry the position and key path.

pub(crate) mod de;
pub(crate) mod line_index;
pub(crate) mod resolve;
pub(crate) mod tree;
