//! Where free text (SQL in `sql.text` and gate queries) sits in the runbook, so that the engine
//! can report an error inside a statement at the runbook line a person can open.

use crate::position::Position;

/// How a YAML string was written; only a literal block (`|`) keeps line breaks one to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ScalarStyle {
    #[default]
    Plain,
    SingleQuoted,
    DoubleQuoted,
    /// `|`: lines of the text are lines of the file.
    Literal,
    /// `>`: lines are folded, so only the start is known exactly.
    Folded,
}

/// The start of a text value in the runbook and how it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TextOrigin {
    /// The first character of the text itself (for `|` blocks, the first content line, not the
    /// `|`; for quoted strings, the opening quote).
    pub start: Position,
    pub style: ScalarStyle,
}

impl TextOrigin {
    /// Maps a 1-based line and column inside the text to the runbook file.
    ///
    /// Exact for literal blocks (`|`) and for single-line plain scalars, which is how SQL is
    /// normally written; for other styles, the best known place is the start of the value.
    /// Columns after a `${...}` substitution on the same line are approximate.
    pub fn position_of(&self, line: u32, column: u32) -> Position {
        let line = line.max(1);
        let column = column.max(1);
        match self.style {
            ScalarStyle::Literal => {
                Position::new(self.start.line + line - 1, self.start.column + column - 1)
            }
            ScalarStyle::Plain if line == 1 => {
                Position::new(self.start.line, self.start.column + column - 1)
            }
            _ => self.start,
        }
    }
}

/// A `${...}` reference that was substituted into SQL text, where it was written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SqlReference {
    /// As written, e.g. `${vars.db}`.
    pub reference: String,
    pub position: Position,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_blocks_map_lines_one_to_one() {
        let origin = TextOrigin {
            start: Position::new(20, 7),
            style: ScalarStyle::Literal,
        };
        assert_eq!(origin.position_of(1, 1), Position::new(20, 7));
        assert_eq!(origin.position_of(3, 5), Position::new(22, 11));
        let folded = TextOrigin {
            start: Position::new(20, 7),
            style: ScalarStyle::Folded,
        };
        assert_eq!(folded.position_of(3, 5), Position::new(20, 7));
    }
}
