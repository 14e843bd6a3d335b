//! What the reader yields: statements to send, COPY data to stream, meta-commands to act on.
//!
//! Every item carries the file position a user needs to find it. A statement also carries the
//! map from its text back to the file, so that a server error position (a character index into
//! the text that was sent) can be reported as `file:line:col` even when psql variables or `\;`
//! made the text differ from the file.

use crate::position::Position;

/// One thing read from a script, in the order psql would act on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// SQL to send as one simple query, text exactly as psql would send it.
    Statement(Statement),
    /// A supported psql meta-command.
    Meta(Meta),
    /// Raw data lines that follow `COPY ... FROM STDIN`: whole lines, in bounded chunks.
    CopyData(CopyData),
    /// The end of COPY data: the `\.` line, or the end of the input.
    CopyEnd(CopyEnd),
}

/// Which way a COPY statement moves data through the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyDirection {
    /// `COPY ... FROM STDIN`: the script's following lines are the data.
    FromStdin,
    /// `COPY ... TO STDOUT`: the server sends data; the script has none.
    ToStdout,
}

/// A statement as psql would send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The text to send: from the first token (or `/*` comment) through the terminating `;`.
    pub text: String,
    /// Where the first character sent comes from.
    pub start: Position,
    /// Just after the terminating `;` (or after the last character, for a final statement
    /// without `;`). psql names `end.line` in its error messages.
    pub end: Position,
    /// Set when the statement is a COPY through the client; for `FromStdin` the reader yields
    /// the data (`CopyData`, then `CopyEnd`) right after the statement.
    pub copy: Option<CopyDirection>,
    /// `false` when the statement was ended by the end of the input rather than a `;`.
    pub terminated: bool,
    /// `true` when psql variables were substituted into the text.
    pub interpolated: bool,
    /// The `standard_conforming_strings` the statement was split under, which is how the
    /// server parses it too: analysis must parse it the same way (`'a\'; DROP ...` is one
    /// string with the setting on and a `DROP` with it off).
    pub standard_conforming_strings: bool,
    pub(crate) anchors: Vec<Anchor>,
}

/// Where a run of the statement text comes from.
///
/// The text is a sequence of runs; a run starts wherever the text stops following the file
/// byte for byte (the first character, after a dropped blank line, after `\;`, around a
/// substituted variable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Anchor {
    /// Byte index into `Statement::text` where the run starts.
    pub(crate) text_offset: usize,
    /// Where the first byte of the run comes from.
    pub(crate) file: Position,
    /// `true`: the run is a copy of the file from `file` on. `false`: the run was produced
    /// (a variable value), and every character in it maps to `file`.
    pub(crate) verbatim: bool,
}

impl Statement {
    /// Maps the server's error `POSITION` (a 1-based character index into the text sent) to
    /// the file. Out-of-range indexes are clamped to the statement's start or end.
    pub fn position_of_char(&self, one_based_char_index: u32) -> Position {
        if one_based_char_index == 0 {
            return self.start;
        }
        let wanted = one_based_char_index as usize - 1;
        let Some((byte_index, _)) = self.text.char_indices().nth(wanted) else {
            return self.end;
        };
        let anchor_index = self
            .anchors
            .partition_point(|a| a.text_offset <= byte_index);
        let Some(anchor) = anchor_index
            .checked_sub(1)
            .and_then(|i| self.anchors.get(i))
        else {
            return self.start;
        };
        if !anchor.verbatim {
            return anchor.file;
        }
        anchor
            .file
            .advanced_by(&self.text.as_bytes()[anchor.text_offset..byte_index])
    }

    /// Where each run of the text comes from, in text order: evidence can cite the exact
    /// lines a statement was read from, and tests can check the text against the file.
    pub fn source_runs(&self) -> Vec<SourceRun> {
        self.anchors
            .iter()
            .enumerate()
            .map(|(k, a)| {
                let end = self
                    .anchors
                    .get(k + 1)
                    .map_or(self.text.len(), |next| next.text_offset);
                SourceRun {
                    text: a.text_offset..end,
                    from: a.file,
                    verbatim: a.verbatim,
                }
            })
            .collect()
    }

    /// The first keywords of the statement, for logs ("CREATE TABLE", "COPY").
    pub fn summary(&self) -> String {
        crate::analysis::classify(&self.text).keywords
    }
}

/// A run of a statement's text and its origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRun {
    /// Byte range in `Statement::text`.
    pub text: std::ops::Range<usize>,
    /// Where the run's first byte comes from.
    pub from: Position,
    /// `true`: the run is the file's bytes from `from` on. `false`: it was produced there (a
    /// variable's value, or the newline psql puts between lines when text in between was
    /// dropped).
    pub verbatim: bool,
}

/// COPY data lines, exactly as in the file (terminators included).
#[derive(Clone, PartialEq, Eq)]
pub struct CopyData {
    /// Whole lines; at most about 64 KiB unless a single line is longer.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for CopyData {
    // Data can be large and may hold personal data; show its size only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CopyData")
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// The end of a COPY data block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyEnd {
    /// The start of the `\.` line, or the end of the input.
    pub position: Position,
    /// `true` for a `\.` line; `false` when the input ended inside the data.
    pub terminated: bool,
}

/// A supported psql meta-command and where its backslash is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    pub command: MetaCommand,
    pub position: Position,
}

/// The meta-commands pg_dump and pg_dumpall emit, plus output-only ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetaCommand {
    /// `\restrict KEY`: the reader refuses other meta-commands until `\unrestrict KEY`.
    Restrict { key: String },
    /// `\unrestrict KEY` (the reader has checked it matches).
    Unrestrict { key: String },
    /// `\connect` / `\c` with its arguments unquoted as psql reads them: an optional
    /// `-reuse-previous=on|off` first, then dbname (or a connection string such as
    /// `dbname='x'`), user, host, port. `-` means "keep the current value".
    Connect { args: Vec<String> },
    /// `\encoding [NAME]`: sets the client encoding (none: psql only prints it).
    Encoding { encoding: Option<String> },
    /// `\set NAME VALUE...` (value: the arguments concatenated, as psql does). The reader has
    /// already applied it to its own variables.
    Set { name: String, value: String },
    /// `\unset NAME` (already applied by the reader).
    Unset { name: String },
    /// `\echo`, `\warn`, `\qecho`: output only, arguments joined by spaces.
    Echo { text: String },
}

impl MetaCommand {
    /// The command's name as written after the backslash, for logs.
    pub fn name(&self) -> &'static str {
        match self {
            MetaCommand::Restrict { .. } => "restrict",
            MetaCommand::Unrestrict { .. } => "unrestrict",
            MetaCommand::Connect { .. } => "connect",
            MetaCommand::Encoding { .. } => "encoding",
            MetaCommand::Set { .. } => "set",
            MetaCommand::Unset { .. } => "unset",
            MetaCommand::Echo { .. } => "echo",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stmt(text: &str, anchors: Vec<Anchor>) -> Statement {
        let start = anchors[0].file;
        Statement {
            text: text.to_owned(),
            start,
            end: start,
            copy: None,
            terminated: true,
            interpolated: false,
            standard_conforming_strings: true,
            anchors,
        }
    }

    #[test]
    fn maps_a_character_on_a_later_line() {
        let start = Position {
            offset: 100,
            line: 5,
            column: 1,
        };
        let text = "SELECT\n  1,\n  this_is_column_25_here + NUL;";
        let s = stmt(
            text,
            vec![Anchor {
                text_offset: 0,
                file: start,
                verbatim: true,
            }],
        );
        let idx = text.chars().position(|c| c == 'N').unwrap() as u32 + 1;
        let p = s.position_of_char(idx);
        assert_eq!((p.line, p.column), (7, 28));
        assert_eq!(p.offset, 100 + text.find('N').unwrap() as u64);
    }

    #[test]
    fn produced_text_maps_to_its_anchor_and_later_runs_resume() {
        let a = Position {
            offset: 0,
            line: 1,
            column: 1,
        };
        let var = Position {
            offset: 7,
            line: 1,
            column: 8,
        };
        let after = Position {
            offset: 9,
            line: 1,
            column: 10,
        };
        // "SELECT :v + x;" with v = 'long value'
        let text = "SELECT long value + x;";
        let s = stmt(
            text,
            vec![
                Anchor {
                    text_offset: 0,
                    file: a,
                    verbatim: true,
                },
                Anchor {
                    text_offset: 7,
                    file: var,
                    verbatim: false,
                },
                Anchor {
                    text_offset: 17,
                    file: after,
                    verbatim: true,
                },
            ],
        );
        assert_eq!(s.position_of_char(10), var);
        assert_eq!(s.position_of_char(21).column, 13);
        assert_eq!(s.position_of_char(0), a);
        assert_eq!(s.position_of_char(1000), s.end);
    }
}
