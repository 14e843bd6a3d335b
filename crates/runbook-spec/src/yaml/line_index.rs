//! Converts between byte offsets and line/column positions in the runbook text.

use crate::position::Position;

/// Byte offsets of line starts. A line ends at `\n`; a `\r` before it counts as no column.
#[derive(Debug, Clone)]
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { text, starts }
    }

    /// The position of a byte offset (clamped to the text, rounded down to a char boundary).
    pub(crate) fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = self.text[start..offset]
            .chars()
            .filter(|&c| c != '\r')
            .count()
            + 1;
        Position::new(to_u32(line), to_u32(column))
    }

    /// The byte offset of a 1-based line and 0-based character column (as `yaml-rust2` markers
    /// give them), clamped to the text.
    pub(crate) fn offset(&self, line: usize, col0: usize) -> usize {
        let Some(&start) = self.starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        rest.char_indices()
            .nth(col0)
            .map_or(self.text.len(), |(i, _)| start + i)
    }
}

pub(crate) fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_offsets_both_ways_with_crlf_and_unicode() {
        let text = "a: 1\r\nbé: x\n";
        let index = LineIndex::new(text);
        assert_eq!(index.position(0), Position::new(1, 1));
        let x = text.find('x').unwrap();
        assert_eq!(index.position(x), Position::new(2, 5));
        assert_eq!(index.offset(2, 4), x);
        assert_eq!(index.position(4), Position::new(1, 5));
        assert_eq!(index.position(999), Position::new(3, 1));
        assert_eq!(index.offset(99, 0), text.len());
    }
}
