//! Where something is in an input file.
//!
//! Positions are what users see in error messages ("file:line:col"), so they count the way an
//! editor does: lines by `\n`, columns in characters. The byte offset is kept as well because
//! it is exact even when the file has odd line endings, and because evidence records it.

use std::fmt;

/// A place in an input file.
///
/// `line` and `column` are 1-based; `column` counts characters (not bytes), so a Japanese
/// identifier moves the column by one per character as an editor shows it. A `\r` before a
/// `\n` belongs to no visible column but is still counted if something points past it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// Bytes from the start of the file.
    pub offset: u64,
    /// 1-based line number, counted by `\n`.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub column: u32,
}

impl Position {
    /// The first character of a file.
    pub const START: Position = Position {
        offset: 0,
        line: 1,
        column: 1,
    };

    /// The position reached after reading `bytes` (valid UTF-8 or not: continuation bytes are
    /// simply not counted as characters).
    pub(crate) fn advanced_by(self, bytes: &[u8]) -> Position {
        let mut pos = self;
        pos.offset += bytes.len() as u64;
        match memchr::memrchr(b'\n', bytes) {
            Some(last_nl) => {
                let newlines = memchr::memchr_iter(b'\n', bytes).count();
                pos.line = pos
                    .line
                    .saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
                pos.column = 1u32.saturating_add(count_chars(&bytes[last_nl + 1..]));
            }
            None => pos.column = pos.column.saturating_add(count_chars(bytes)),
        }
        pos
    }
}

impl Default for Position {
    fn default() -> Self {
        Position::START
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Number of characters in UTF-8 bytes: every byte that is not a continuation byte.
pub(crate) fn count_chars(bytes: &[u8]) -> u32 {
    let n = bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_counts_lines_and_characters() {
        let p = Position::START.advanced_by("ab\ncdé".as_bytes());
        assert_eq!(
            p,
            Position {
                offset: 7,
                line: 2,
                column: 4
            }
        );
        let q = p.advanced_by("日本".as_bytes());
        assert_eq!(
            q,
            Position {
                offset: 13,
                line: 2,
                column: 6
            }
        );
    }

    #[test]
    fn displays_as_line_colon_column() {
        assert_eq!(
            Position {
                offset: 3,
                line: 7,
                column: 25
            }
            .to_string(),
            "7:25"
        );
    }
}
