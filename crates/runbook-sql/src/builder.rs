//! psql's query buffer: the text of the statement being read, and where each run of it comes
//! from in the file.

use crate::item::Anchor;
use crate::position::Position;

/// The statement text collected so far.
#[derive(Debug, Default)]
pub(crate) struct Builder {
    text: Vec<u8>,
    anchors: Vec<Anchor>,
    /// The file offset that would continue the current verbatim run.
    next_offset: Option<u64>,
    interpolated: bool,
    /// State before the newline psql adds between lines, so it can be taken back when the
    /// line turns out to hold only a meta-command (psql's `added_nl_pos`).
    before_newline: Option<Snapshot>,
}

#[derive(Debug, Clone, Copy)]
struct Snapshot {
    text_len: usize,
    anchors_len: usize,
    next_offset: Option<u64>,
}

/// A finished statement's text and provenance.
#[derive(Debug)]
pub(crate) struct Taken {
    pub(crate) text: String,
    pub(crate) anchors: Vec<Anchor>,
    pub(crate) interpolated: bool,
}

impl Builder {
    pub(crate) fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Bytes collected so far (for the statement size limit).
    pub(crate) fn len(&self) -> usize {
        self.text.len()
    }

    /// Appends file bytes that start at `offset`; `position` is asked only when a new run
    /// starts (it costs a character count).
    pub(crate) fn emit_file(
        &mut self,
        bytes: &[u8],
        offset: u64,
        position: impl FnOnce() -> Position,
    ) {
        if bytes.is_empty() {
            return;
        }
        if self.text.is_empty() || self.next_offset != Some(offset) {
            self.anchors.push(Anchor {
                text_offset: self.text.len(),
                file: position(),
                verbatim: true,
            });
        }
        self.text.extend_from_slice(bytes);
        self.next_offset = Some(offset + bytes.len() as u64);
    }

    /// Appends text that is not in the file (a variable's value), mapped to `position`.
    pub(crate) fn emit_produced(&mut self, bytes: &[u8], position: Position) {
        if bytes.is_empty() {
            return;
        }
        let continues = self
            .anchors
            .last()
            .is_some_and(|a| !a.verbatim && a.file == position);
        if !continues || self.next_offset.is_some() {
            self.anchors.push(Anchor {
                text_offset: self.text.len(),
                file: position,
                verbatim: false,
            });
        }
        self.text.extend_from_slice(bytes);
        self.next_offset = None;
        self.interpolated = true;
    }

    /// Text was substituted, even if it came out empty.
    pub(crate) fn mark_interpolated(&mut self) {
        self.interpolated = true;
    }

    /// psql appends a `\n` between input lines once the buffer holds something.
    /// `newline_offset` is where the file's `\n` is; `next_line` where the new line starts.
    pub(crate) fn line_break(&mut self, newline_offset: u64, next_line: Position) {
        self.before_newline = Some(Snapshot {
            text_len: self.text.len(),
            anchors_len: self.anchors.len(),
            next_offset: self.next_offset,
        });
        if self.next_offset == Some(newline_offset) {
            self.text.push(b'\n');
            self.next_offset = Some(newline_offset + 1);
        } else {
            self.anchors.push(Anchor {
                text_offset: self.text.len(),
                file: next_line,
                verbatim: false,
            });
            self.text.push(b'\n');
            self.next_offset = None;
        }
    }

    /// A meta-command was found: if nothing but psql's added newline came from this line,
    /// take the newline back.
    pub(crate) fn meta_command_found(&mut self) {
        if let Some(s) = self.before_newline.take()
            && self.text.len() == s.text_len + 1
        {
            self.text.truncate(s.text_len);
            self.anchors.truncate(s.anchors_len);
            self.next_offset = s.next_offset;
        }
    }

    /// A new line starts: the previous line's added newline can no longer be taken back.
    pub(crate) fn forget_line_break(&mut self) {
        self.before_newline = None;
    }

    /// The position just after the last byte of text.
    pub(crate) fn end_position(&self) -> Option<Position> {
        let a = self.anchors.last()?;
        Some(if a.verbatim {
            a.file.advanced_by(&self.text[a.text_offset..])
        } else {
            a.file
        })
    }

    pub(crate) fn start_position(&self) -> Option<Position> {
        self.anchors.first().map(|a| a.file)
    }

    pub(crate) fn take(&mut self) -> Taken {
        let text = std::mem::take(&mut self.text);
        let anchors = std::mem::take(&mut self.anchors);
        let interpolated = std::mem::take(&mut self.interpolated);
        self.next_offset = None;
        self.before_newline = None;
        // Every source is valid UTF-8 and the lexer only cuts at ASCII bytes.
        let text = String::from_utf8(text)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        Taken {
            text,
            anchors,
            interpolated,
        }
    }

    pub(crate) fn clear(&mut self) {
        self.take();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(offset: u64, line: u32, column: u32) -> Position {
        Position {
            offset,
            line,
            column,
        }
    }

    #[test]
    fn contiguous_file_bytes_form_one_run() {
        let mut b = Builder::default();
        b.emit_file(b"SELECT", 10, || at(10, 2, 1));
        b.emit_file(b" 1", 16, || panic!("no new run"));
        b.line_break(18, at(19, 3, 1));
        b.emit_file(b";", 19, || panic!("no new run"));
        assert_eq!(b.end_position(), Some(at(20, 3, 2)));
        let taken = b.take();
        assert_eq!(taken.text, "SELECT 1\n;");
        assert_eq!(
            taken.anchors,
            vec![Anchor {
                text_offset: 0,
                file: at(10, 2, 1),
                verbatim: true
            }]
        );
        assert!(b.is_empty());
    }

    #[test]
    fn a_gap_in_the_file_starts_a_new_run() {
        let mut b = Builder::default();
        b.emit_file(b"SELECT 1", 0, || at(0, 1, 1));
        // A blank line was dropped: the newline psql adds maps to the next line.
        b.line_break(9, at(11, 3, 1));
        b.emit_file(b";", 11, || at(11, 3, 1));
        let taken = b.take();
        assert_eq!(taken.text, "SELECT 1\n;");
        assert_eq!(
            taken.anchors,
            vec![
                Anchor {
                    text_offset: 0,
                    file: at(0, 1, 1),
                    verbatim: true
                },
                Anchor {
                    text_offset: 8,
                    file: at(11, 3, 1),
                    verbatim: false
                },
                Anchor {
                    text_offset: 9,
                    file: at(11, 3, 1),
                    verbatim: true
                },
            ]
        );
    }

    #[test]
    fn a_line_with_only_a_meta_command_takes_back_the_newline() {
        let mut b = Builder::default();
        b.emit_file(b"SELECT 1", 0, || at(0, 1, 1));
        b.line_break(8, at(9, 2, 1));
        b.meta_command_found();
        assert_eq!(b.take().text, "SELECT 1");

        let mut b = Builder::default();
        b.emit_file(b"SELECT 1", 0, || at(0, 1, 1));
        b.line_break(8, at(9, 2, 1));
        b.emit_file(b" ,2", 9, || at(9, 2, 1));
        b.meta_command_found();
        assert_eq!(
            b.take().text,
            "SELECT 1\n ,2",
            "something came from the line: the newline stays"
        );
    }

    #[test]
    fn produced_text_marks_the_statement_interpolated() {
        let mut b = Builder::default();
        b.emit_file(b"SELECT ", 0, || at(0, 1, 1));
        b.emit_produced(b"42", at(7, 1, 8));
        assert_eq!(b.end_position(), Some(at(7, 1, 8)));
        let taken = b.take();
        assert!(taken.interpolated);
        assert_eq!(taken.text, "SELECT 42");
    }
}
