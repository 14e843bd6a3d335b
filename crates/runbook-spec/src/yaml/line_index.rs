//! Converts between byte offsets and line/column positions in the runbook text.
//!
//! Both directions are logarithmic plus a short scan: the tree pass asks for the offset of every
//! node and the interpolation pass for the position of every reference, so a lookup that walked
//! its line from the start would make a runbook on one long line (a flow list of 100,000 items,
//! minified YAML) quadratic. Checkpoints every [`CHECKPOINT`] characters bound the walk.

use crate::position::Position;

/// Characters between checkpoints: the longest walk a lookup makes.
const CHECKPOINT: usize = 256;

/// Where the text stands after `chars` characters.
#[derive(Debug, Clone, Copy)]
struct Mark {
    /// Byte offset.
    byte: usize,
    /// Characters before `byte`.
    chars: usize,
    /// Characters other than `\r` before `byte` (columns do not count a `\r`).
    columns: usize,
}

/// Where lines start. A line ends at `\n`; a `\r` before it counts as no column.
#[derive(Debug, Clone)]
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    /// The mark at each line start.
    line_marks: Vec<Mark>,
    /// A mark every [`CHECKPOINT`] characters, in text order.
    checkpoints: Vec<Mark>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let origin = Mark {
            byte: 0,
            chars: 0,
            columns: 0,
        };
        let mut line_marks = vec![origin];
        let mut checkpoints = vec![origin];
        let mut mark = origin;
        for (byte, c) in text.char_indices() {
            if mark.chars.is_multiple_of(CHECKPOINT) && mark.chars > 0 {
                checkpoints.push(Mark { byte, ..mark });
            }
            mark.chars += 1;
            if c != '\r' {
                mark.columns += 1;
            }
            if c == '\n' {
                let next = Mark {
                    byte: byte + 1,
                    ..mark
                };
                line_marks.push(next);
            }
        }
        Self {
            text,
            line_marks,
            checkpoints,
        }
    }

    /// The last checkpoint at or before `key` (by `field`), so a walk from it is short.
    fn checkpoint(&self, key: usize, field: fn(&Mark) -> usize) -> Mark {
        let i = self.checkpoints.partition_point(|m| field(m) <= key);
        self.checkpoints[i.saturating_sub(1)]
    }

    /// The position of a byte offset (clamped to the text, rounded down to a char boundary).
    pub(crate) fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_marks.partition_point(|m| m.byte <= offset).max(1);
        let line_mark = self.line_marks[line - 1];
        let mut mark = self.checkpoint(offset, |m| m.byte);
        if mark.byte < line_mark.byte {
            mark = line_mark;
        }
        let columns = mark.columns
            + self.text[mark.byte..offset]
                .chars()
                .filter(|&c| c != '\r')
                .count();
        Position::new(to_u32(line), to_u32(columns - line_mark.columns + 1))
    }

    /// The byte offset of a 1-based line and 0-based character column (as `yaml-rust2` markers
    /// give them), clamped to the text.
    pub(crate) fn offset(&self, line: usize, col0: usize) -> usize {
        let Some(line_mark) = self.line_marks.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let target = line_mark.chars.saturating_add(col0);
        let mut mark = self.checkpoint(target, |m| m.chars);
        if mark.chars < line_mark.chars {
            mark = *line_mark;
        }
        self.text[mark.byte..]
            .char_indices()
            .nth(target - mark.chars)
            .map_or(self.text.len(), |(i, _)| mark.byte + i)
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

    /// The checkpoints give the same answers as walking from the line start, across checkpoint
    /// boundaries, multi-byte characters and `\r`.
    #[test]
    fn checkpoints_agree_with_a_walk_from_the_line_start() {
        let line = "é\r,xyz€".repeat(200);
        let text = format!("k: [{line}]\n{line}\nend\n");
        let index = LineIndex::new(&text);
        let starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        for (byte, _) in text.char_indices() {
            let l = starts.partition_point(|&s| s <= byte);
            let start = starts[l - 1];
            let column = text[start..byte].chars().filter(|&c| c != '\r').count() + 1;
            assert_eq!(
                index.position(byte),
                Position::new(to_u32(l), to_u32(column))
            );
            let col0 = text[start..byte].chars().count();
            assert_eq!(index.offset(l, col0), byte, "line {l} col0 {col0}");
        }
        // Past the end of a line, the column runs on into the next lines, as before.
        assert_eq!(index.offset(3, 5), text.len());
        assert_eq!(index.offset(2, line.chars().count() + 1), starts[2]);
    }
}
