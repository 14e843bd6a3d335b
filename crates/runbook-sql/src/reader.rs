//! `ScriptReader`: reads a psql script incrementally and yields what psql would do with it.
//!
//! Data flow: the [`Window`] hands out whole lines (validated UTF-8); the [`Lexer`] scans a
//! line into the [`Builder`] (psql's query buffer) until a statement-ending `;`, a
//! meta-command or a variable reference; the reader turns those into items. A variable's value
//! (and the rest of a COPY statement's line, which psql runs after the data) is scanned as an
//! extra source before the next line. After `COPY ... FROM STDIN` the window's following
//! lines are passed through as data chunks up to the `\.` line.

use std::io::Read;
use std::ops::Range;

use crate::analysis::copy_direction;
use crate::analysis::settings::{ScsChange, scs_change};
use crate::analysis::tokens::first_word;
use crate::builder::Builder;
use crate::chars::is_space;
use crate::errors::{ScanError, ScanErrorKind};
use crate::item::{CopyData, CopyDirection, CopyEnd, Item, Meta, MetaCommand, Statement};
use crate::lexer::{Lexer, Sink, Stop, VariableForm};
use crate::meta::read_meta;
use crate::options::ReaderOptions;
use crate::position::Position;
use crate::variables::{Variables, quote_identifier, quote_literal};
use crate::window::{BLOCK, Line, Window, WindowError};

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads a psql script from any `Read`, one item at a time.
///
/// Memory stays bounded by the longest statement (or line) plus one COPY chunk, whatever the
/// size of the input. Errors about a meta-command or the end of the input are not fatal: call
/// [`next_item`](Self::next_item) again to go on, as psql goes on after an error.
#[derive(Debug)]
pub struct ScriptReader<R: Read> {
    window: Window<R>,
    lexer: Lexer,
    builder: Builder,
    variables: Variables,
    initial_std_strings: bool,
    /// The position of `window.data()[0]`.
    pos: Position,
    /// The line at the start of the window that is being scanned.
    line: Option<LineState>,
    /// Sources scanned before the window's next line; the last one first.
    sources: Vec<Source>,
    mode: Mode,
    restriction: Option<(String, Position)>,
    bom: bool,
    /// Set by `\;` in the current statement: it may hold several commands.
    several_commands: bool,
    /// See [`ReaderOptions::max_statement_bytes`].
    max_statement_bytes: u64,
    /// See [`ReaderOptions::final_statement_needs_semicolon`].
    final_statement_needs_semicolon: bool,
    /// The table and position of the `COPY ... FROM STDIN` whose data is being read.
    copying: Option<(String, Position)>,
}

#[derive(Debug)]
struct LineState {
    line: Line,
    cursor: usize,
    /// The last computed position in the line, so columns are counted incrementally.
    cache: (usize, Position),
}

#[derive(Debug)]
struct Source {
    bytes: Vec<u8>,
    cursor: usize,
    origin: Origin,
}

#[derive(Debug)]
enum Origin {
    /// A piece of the file that starts at this position.
    File(Position),
    /// The value of a variable referenced at this position.
    Variable { name: String, at: Position },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Sql,
    Copy,
    Finished,
}

impl<R: Read> ScriptReader<R> {
    pub fn new(input: R) -> Self {
        Self::with_options(input, ReaderOptions::default())
    }

    pub fn with_options(input: R, options: ReaderOptions) -> Self {
        ScriptReader {
            window: Window::with_max_line(
                input,
                usize::try_from(options.max_statement_bytes).unwrap_or(usize::MAX),
            ),
            lexer: Lexer::new(options.standard_conforming_strings),
            builder: Builder::default(),
            variables: Variables::new(options.variables),
            initial_std_strings: options.standard_conforming_strings,
            pos: Position::START,
            line: None,
            sources: Vec::new(),
            mode: Mode::Sql,
            restriction: None,
            bom: false,
            several_commands: false,
            max_statement_bytes: options.max_statement_bytes,
            final_statement_needs_semicolon: options.final_statement_needs_semicolon,
            copying: None,
        }
    }

    /// Bytes read from the input so far (for progress; the reader reads ahead by up to 64 KiB).
    pub fn bytes_read(&self) -> u64 {
        self.window.bytes_read()
    }

    /// Follow the server's `standard_conforming_strings` (psql does, after every query). The
    /// reader already tracks `SET`/`RESET` in the script; this corrects it when the executor
    /// learns the real value.
    pub fn set_standard_conforming_strings(&mut self, on: bool) {
        self.lexer.set_std_strings(on);
    }

    pub fn standard_conforming_strings(&self) -> bool {
        self.lexer.std_strings()
    }

    /// Whether the input starts with a UTF-8 byte order mark. psql 15 skips it when the
    /// client encoding is UTF8, and so does the reader (positions still count it: the first
    /// character after it is at column 2). A caller that hands the file to psql with another
    /// client encoding can use this to warn. Known once the first item has been read.
    pub fn starts_with_bom(&self) -> bool {
        self.bom
    }

    /// The psql variables defined so far (options, `\set`, `\unset`).
    pub fn variables(&self) -> &std::collections::BTreeMap<String, String> {
        self.variables.all()
    }

    /// The next item, `None` at the end of the input.
    pub fn next_item(&mut self) -> Result<Option<Item>, ScanError> {
        let result = match self.mode {
            Mode::Finished => return Ok(None),
            Mode::Copy => self.next_copy().map(Some),
            Mode::Sql => self.next_sql(),
        };
        if result.as_ref().is_err_and(ScanError::is_fatal) {
            self.mode = Mode::Finished;
        }
        result
    }

    fn next_sql(&mut self) -> Result<Option<Item>, ScanError> {
        loop {
            if !self.sources.is_empty() {
                if let Some(item) = self.step_source()? {
                    return Ok(Some(item));
                }
                self.check_statement_size()?;
                continue;
            }
            if self.line.is_none() {
                let mut line = match self.window.line() {
                    Ok(Some(line)) => line,
                    Ok(None) => return self.end_of_input(),
                    Err(e) => return Err(self.window_error(e)),
                };
                // psql drops a UTF-8 byte order mark at the start of the file (mainloop.c,
                // when the client encoding is UTF8, which the reader requires).
                if self.pos.offset == 0 && self.window.data().starts_with(BOM) {
                    self.bom = true;
                    self.advance(BOM.len());
                    line.len -= BOM.len();
                }
                // psql skips empty lines unless they are inside a quote or comment.
                if line.len == 0 && line.newline && !self.lexer.in_quote() {
                    self.advance_line(line);
                    continue;
                }
                self.builder.forget_line_break();
                if !self.builder.is_empty() {
                    self.builder
                        .line_break(self.pos.offset.saturating_sub(1), self.pos);
                }
                self.line = Some(LineState {
                    line,
                    cursor: 0,
                    cache: (0, self.pos),
                });
            }
            if let Some(item) = self.step_line()? {
                return Ok(Some(item));
            }
            self.check_statement_size()?;
        }
    }

    /// Fails once the statement being collected is over the limit, at the statement's start,
    /// and lets go of what was collected.
    fn check_statement_size(&mut self) -> Result<(), ScanError> {
        if self.builder.len() as u64 <= self.max_statement_bytes {
            return Ok(());
        }
        let started = self.builder.start_position().unwrap_or(self.pos);
        self.builder.clear();
        Err(ScanError::new(
            ScanErrorKind::StatementTooLong {
                limit: self.max_statement_bytes,
            },
            started,
        ))
    }

    /// Scans the current line until something to yield (`Some`) or the line's end (`None`).
    fn step_line(&mut self) -> Result<Option<Item>, ScanError> {
        let Some(ls) = self.line.as_mut() else {
            return Ok(None);
        };
        let line = &self.window.data()[..ls.line.len];
        let base = self.pos;
        let mut sink = LineSink {
            builder: &mut self.builder,
            line,
            base,
            cache: &mut ls.cache,
            pending: None,
        };
        let stop = self.lexer.scan(line, ls.cursor, &mut sink);
        sink.flush();
        match stop {
            Stop::End => {
                if let Some(index) = self.lexer.unresolved_open_index() {
                    let position = position_in(line, base, &mut ls.cache, index);
                    self.lexer.resolve_open(position);
                }
                let line = ls.line;
                self.line = None;
                self.advance_line(line);
                Ok(None)
            }
            Stop::Semicolon { next } => {
                ls.cursor = next;
                self.statement_ended(true).map(Some)
            }
            Stop::Backslash { at } => {
                self.builder.meta_command_found();
                let restricted = self.restriction.as_ref().map(|(k, _)| k.as_str());
                let outcome = read_meta(line, at, &self.variables, restricted);
                let position = position_in(line, base, &mut ls.cache, at);
                ls.cursor = outcome.resume_at;
                self.apply_meta(outcome.result, position).map(Some)
            }
            Stop::Variable { start, end, form } => {
                ls.cursor = end;
                let position = position_in(line, base, sink.cache, start);
                let resolution = resolve(&self.variables, &self.sources, &line[start..end], form);
                refuse_nul(&resolution, &line[start..end], position)?;
                match resolution {
                    Resolution::AsWritten => {
                        sink.emit(start..end);
                        sink.flush();
                    }
                    Resolution::Text(text) => sink.builder.emit_produced(text.as_bytes(), position),
                    Resolution::Scan { name, value } => {
                        self.builder.mark_interpolated();
                        self.sources.push(Source {
                            bytes: value.into_bytes(),
                            cursor: 0,
                            origin: Origin::Variable { name, at: position },
                        });
                    }
                }
                Ok(None)
            }
        }
    }

    /// Scans the top extra source until something to yield or its end.
    fn step_source(&mut self) -> Result<Option<Item>, ScanError> {
        let Some(top) = self.sources.last_mut() else {
            return Ok(None);
        };
        let mut sink = SourceSink {
            builder: &mut self.builder,
            bytes: &top.bytes,
            origin: &top.origin,
            pending: None,
        };
        let stop = self.lexer.scan(&top.bytes, top.cursor, &mut sink);
        sink.flush();
        match stop {
            Stop::End => {
                if let Some(index) = self.lexer.unresolved_open_index() {
                    let position = top.origin.position_of(&top.bytes, index);
                    self.lexer.resolve_open(position);
                }
                self.sources.pop();
                Ok(None)
            }
            Stop::Semicolon { next } => {
                top.cursor = next;
                self.statement_ended(true).map(Some)
            }
            Stop::Backslash { at } => {
                self.builder.meta_command_found();
                let restricted = self.restriction.as_ref().map(|(k, _)| k.as_str());
                let outcome = read_meta(&top.bytes, at, &self.variables, restricted);
                let position = top.origin.position_of(&top.bytes, at);
                top.cursor = outcome.resume_at;
                self.apply_meta(outcome.result, position).map(Some)
            }
            Stop::Variable { start, end, form } => {
                top.cursor = end;
                let position = top.origin.position_of(&top.bytes, start);
                let reference = top.bytes[start..end].to_vec();
                let resolution = resolve(&self.variables, &self.sources, &reference, form);
                refuse_nul(&resolution, &reference, position)?;
                match resolution {
                    Resolution::AsWritten => {
                        let Some(top) = self.sources.last() else {
                            return Ok(None);
                        };
                        let mut sink = SourceSink {
                            builder: &mut self.builder,
                            bytes: &top.bytes,
                            origin: &top.origin,
                            pending: None,
                        };
                        sink.emit(start..end);
                        sink.flush();
                    }
                    Resolution::Text(text) => self.builder.emit_produced(text.as_bytes(), position),
                    Resolution::Scan { name, value } => {
                        self.builder.mark_interpolated();
                        self.sources.push(Source {
                            bytes: value.into_bytes(),
                            cursor: 0,
                            origin: Origin::Variable { name, at: position },
                        });
                    }
                }
                Ok(None)
            }
        }
    }

    /// A statement is complete: build it, follow `standard_conforming_strings`, and prepare
    /// for COPY data.
    fn statement_ended(&mut self, terminated: bool) -> Result<Item, ScanError> {
        self.check_statement_size()?;
        let statement = self.finish_statement(terminated);
        if statement.copy == Some(CopyDirection::FromStdin) {
            self.copying = Some((copy_table(&statement.text), statement.start));
            self.start_copy();
        }
        Ok(Item::Statement(statement))
    }

    fn finish_statement(&mut self, terminated: bool) -> Statement {
        let end = self.builder.end_position().unwrap_or(self.pos);
        let start = self.builder.start_position().unwrap_or(end);
        let standard_conforming_strings = self.lexer.std_strings();
        let taken = self.builder.take();
        let several =
            std::mem::take(&mut self.several_commands) || self.lexer.take_saw_backslash_semicolon();
        let first = first_word(&taken.text).map(str::to_ascii_lowercase);
        let copy = match first.as_deref() {
            Some("copy") => copy_direction(&taken.text),
            _ => None,
        };
        if several || matches!(first.as_deref(), Some("set" | "reset")) {
            match scs_change(&taken.text, self.lexer.std_strings()) {
                Some(ScsChange::Set(on)) => self.lexer.set_std_strings(on),
                Some(ScsChange::Reset) => self.lexer.set_std_strings(self.initial_std_strings),
                None => {}
            }
        }
        Statement {
            text: taken.text,
            start,
            end,
            copy,
            terminated,
            interpolated: taken.interpolated,
            standard_conforming_strings,
            anchors: taken.anchors,
        }
    }

    /// After `COPY ... FROM STDIN;` psql reads the data from the following lines, then goes
    /// on with whatever followed the `;` on the COPY's own line.
    fn start_copy(&mut self) {
        if let Some(mut ls) = self.line.take() {
            let data = self.window.data();
            let rest = &data[ls.cursor..ls.line.len];
            if rest.iter().any(|&b| !is_space(b)) {
                let position =
                    position_in(&data[..ls.line.len], self.pos, &mut ls.cache, ls.cursor);
                let source = Source {
                    bytes: rest.to_vec(),
                    cursor: 0,
                    origin: Origin::File(position),
                };
                self.sources.insert(0, source);
            }
            self.advance_line(ls.line);
        }
        self.mode = Mode::Copy;
    }

    fn next_copy(&mut self) -> Result<Item, ScanError> {
        self.window
            .fill(BLOCK + 1)
            .map_err(|e| self.window_error(e))?;
        let data = self.window.data();
        let mut end = 0;
        let mut full = false; // stopped by the size limit or the terminator
        while let Some(k) = memchr::memchr(b'\n', &data[end..]) {
            let line = &data[end..end + k + 1];
            if line == b"\\.\n" || line == b"\\.\r\n" {
                if end > 0 {
                    full = true;
                    break;
                }
                let position = self.pos;
                self.advance(line.len());
                self.mode = Mode::Sql;
                self.copying = None;
                return Ok(Item::CopyEnd(CopyEnd {
                    position,
                    terminated: true,
                }));
            }
            if end > 0 && end + line.len() > BLOCK {
                full = true;
                break;
            }
            end += line.len();
            if end >= BLOCK {
                full = true;
                break;
            }
        }
        // The last line of the input may lack a newline: a `\.` there still ends the data (the
        // server would take it as the end marker too); any other line joins the chunk if it fits.
        if !full && end < data.len() && self.window.holds_the_rest() {
            let last = &data[end..];
            if last == b"\\." || last == b"\\.\r" {
                if end == 0 {
                    let position = self.pos;
                    self.advance(last.len());
                    self.mode = Mode::Sql;
                    self.copying = None;
                    return Ok(Item::CopyEnd(CopyEnd {
                        position,
                        terminated: true,
                    }));
                }
            } else if data.len() <= BLOCK {
                end = data.len();
            }
        }
        if end == 0 {
            // No complete line in the window: one long line, the last line without a newline,
            // the end of the input, or invalid UTF-8.
            match self.window.line() {
                Ok(Some(line)) => end = line.total_len(),
                Ok(None) => {
                    // psql would end the COPY here and keep the rows; a dump cut off in
                    // transfer would then load partially without a word.
                    self.mode = Mode::Finished;
                    let (table, started) = self
                        .copying
                        .take()
                        .unwrap_or_else(|| ("?".to_owned(), self.pos));
                    return Err(ScanError::new(
                        ScanErrorKind::CopyTruncated { table, started },
                        self.pos,
                    ));
                }
                Err(e) => return Err(self.window_error(e)),
            }
        }
        let bytes = self.window.data()[..end].to_vec();
        self.advance(end);
        Ok(Item::CopyData(CopyData { bytes }))
    }

    fn end_of_input(&mut self) -> Result<Option<Item>, ScanError> {
        if let Some(construct) = self.lexer.open_construct() {
            let started = self.lexer.open_position().unwrap_or(self.pos);
            self.lexer.reset();
            self.builder.clear();
            return Err(ScanError::new(
                ScanErrorKind::UnterminatedAtEof { construct, started },
                started,
            ));
        }
        if !self.builder.is_empty() {
            if self.final_statement_needs_semicolon {
                self.check_statement_size()?;
                let statement = self.finish_statement(false);
                // Only comments left (no command): nothing that could do harm.
                if first_word(&statement.text).is_some() {
                    self.mode = Mode::Finished;
                    return Err(ScanError::new(
                        ScanErrorKind::StatementCutOff,
                        statement.start,
                    ));
                }
                return Ok(Some(Item::Statement(statement)));
            }
            return self.statement_ended(false).map(Some);
        }
        if let Some((key, started)) = self.restriction.take() {
            return Err(ScanError::new(
                ScanErrorKind::RestrictedAtEof { key, started },
                self.pos,
            ));
        }
        self.mode = Mode::Finished;
        Ok(None)
    }

    fn apply_meta(
        &mut self,
        result: Result<MetaCommand, ScanErrorKind>,
        position: Position,
    ) -> Result<Item, ScanError> {
        let command = result.map_err(|kind| ScanError::new(kind, position))?;
        match &command {
            MetaCommand::Set { name, value } => self.variables.set(name.clone(), value.clone()),
            MetaCommand::Unset { name } => self.variables.unset(name),
            MetaCommand::Restrict { key } => self.restriction = Some((key.clone(), position)),
            MetaCommand::Unrestrict { .. } => self.restriction = None,
            MetaCommand::Connect { .. }
            | MetaCommand::Encoding { .. }
            | MetaCommand::Echo { .. } => {}
        }
        Ok(Item::Meta(Meta { command, position }))
    }

    /// Consumes a whole line (the common case: no need to count newlines).
    fn advance_line(&mut self, line: Line) {
        if line.newline {
            self.pos = Position {
                offset: self.pos.offset + line.total_len() as u64,
                line: self.pos.line.saturating_add(1),
                column: 1,
            };
            self.window.consume(line.total_len());
        } else {
            self.advance(line.len);
        }
    }

    fn advance(&mut self, n: usize) {
        let data = self.window.data();
        let n = n.min(data.len());
        self.pos = self.pos.advanced_by(&data[..n]);
        self.window.consume(n);
    }

    fn window_error(&self, e: WindowError) -> ScanError {
        match e {
            WindowError::Io(e) => ScanError::new(ScanErrorKind::Io(e), self.pos),
            WindowError::Nul { index } => {
                let data = self.window.data();
                let position = self.pos.advanced_by(&data[..index.min(data.len())]);
                ScanError::new(ScanErrorKind::NulByte, position)
            }
            WindowError::LineTooLong => {
                let limit = self.max_statement_bytes;
                if self.mode == Mode::Copy {
                    ScanError::new(ScanErrorKind::CopyLineTooLong { limit }, self.pos)
                } else {
                    let started = self.builder.start_position().unwrap_or(self.pos);
                    ScanError::new(ScanErrorKind::StatementTooLong { limit }, started)
                }
            }
            WindowError::InvalidUtf8 { index } => {
                let data = self.window.data();
                let position = self.pos.advanced_by(&data[..index.min(data.len())]);
                ScanError::new(
                    ScanErrorKind::InvalidUtf8 {
                        offset: position.offset,
                    },
                    position,
                )
            }
        }
    }
}

impl<R: Read> Iterator for ScriptReader<R> {
    type Item = Result<Item, ScanError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_item().transpose()
    }
}

impl Origin {
    fn position_of(&self, bytes: &[u8], index: usize) -> Position {
        match self {
            Origin::File(start) => start.advanced_by(&bytes[..index.min(bytes.len())]),
            Origin::Variable { at, .. } => *at,
        }
    }
}

/// The table a `COPY` statement names, as written (`public.t`, `"Odd Name"`), for messages.
fn copy_table(text: &str) -> String {
    let rest = text
        .trim_start()
        .get(4..)
        .unwrap_or_default()
        .trim_start_matches(|c: char| c.is_whitespace());
    let mut table = String::new();
    let mut quoted = false;
    for c in rest.chars() {
        match c {
            '"' => quoted = !quoted,
            c if !quoted && (c.is_whitespace() || c == '(' || c == ';') => break,
            _ => {}
        }
        table.push(c);
        if table.len() > 200 {
            break;
        }
    }
    if table.is_empty() {
        "?".to_owned()
    } else {
        table
    }
}

/// The position of `line[i]`, counting columns on from the last computed one when possible.
fn position_in(line: &[u8], base: Position, cache: &mut (usize, Position), i: usize) -> Position {
    let i = i.min(line.len());
    let (ci, cp) = *cache;
    let p = if i >= ci {
        cp.advanced_by(&line[ci..i])
    } else {
        base.advanced_by(&line[..i])
    };
    *cache = (i, p);
    p
}

/// A variable whose value holds a NUL byte cannot go into SQL text: the driver could not send
/// it (and would say "connection lost").
fn refuse_nul(
    resolution: &Resolution,
    reference: &[u8],
    position: Position,
) -> Result<(), ScanError> {
    let text = match resolution {
        Resolution::Scan { value, .. } => value.as_str(),
        Resolution::Text(text) => text.as_str(),
        Resolution::AsWritten => return Ok(()),
    };
    if !text.contains('\0') {
        return Ok(());
    }
    // `:name`, `:'name'`, `:"name"`: the name without its sigils.
    let name = String::from_utf8_lossy(reference)
        .trim_start_matches(':')
        .trim_matches(|c| matches!(c, '\'' | '"' | '{' | '}' | '?'))
        .to_owned();
    Err(ScanError::new(
        ScanErrorKind::NulInVariable { name },
        position,
    ))
}

/// What a variable reference turns into.
enum Resolution {
    /// Undefined (or recursive): the reference stays as written.
    AsWritten,
    /// Quoted value or `TRUE`/`FALSE`, not scanned further.
    Text(String),
    /// `:name`: the value is scanned as SQL.
    Scan { name: String, value: String },
}

fn resolve(
    vars: &Variables,
    sources: &[Source],
    reference: &[u8],
    form: VariableForm,
) -> Resolution {
    let reference = String::from_utf8_lossy(reference);
    let inner = |skip: usize| {
        reference
            .get(skip..reference.len().saturating_sub(1))
            .unwrap_or("")
    };
    match form {
        VariableForm::Plain => {
            let name = reference.get(1..).unwrap_or("");
            let recursive = sources
                .iter()
                .any(|s| matches!(&s.origin, Origin::Variable { name: n, .. } if n == name));
            match vars.get(name) {
                Some(value) if !recursive => Resolution::Scan {
                    name: name.to_owned(),
                    value: value.to_owned(),
                },
                _ => Resolution::AsWritten,
            }
        }
        VariableForm::Literal => vars.get(inner(2)).map_or(Resolution::AsWritten, |v| {
            Resolution::Text(quote_literal(v))
        }),
        VariableForm::Identifier => vars.get(inner(2)).map_or(Resolution::AsWritten, |v| {
            Resolution::Text(quote_identifier(v))
        }),
        VariableForm::Defined => Resolution::Text(
            if vars.get(inner(3)).is_some() {
                "TRUE"
            } else {
                "FALSE"
            }
            .to_owned(),
        ),
    }
}

/// Emits ranges of the current line of the file, joining adjacent ranges so the builder sees
/// one append per run rather than one per token.
struct LineSink<'a> {
    builder: &'a mut Builder,
    line: &'a [u8],
    base: Position,
    cache: &'a mut (usize, Position),
    pending: Option<Range<usize>>,
}

impl LineSink<'_> {
    fn flush(&mut self) {
        if let Some(range) = self.pending.take() {
            let offset = self.base.offset + range.start as u64;
            let (line, base, cache) = (self.line, self.base, &mut *self.cache);
            self.builder.emit_file(&line[range.clone()], offset, || {
                position_in(line, base, cache, range.start)
            });
        }
    }
}

impl Sink for LineSink<'_> {
    fn emit(&mut self, range: Range<usize>) {
        match &mut self.pending {
            Some(p) if p.end == range.start => p.end = range.end,
            _ => {
                self.flush();
                self.pending = Some(range);
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.pending.is_none() && self.builder.is_empty()
    }
}

/// Emits ranges of an extra source, joining adjacent ranges.
struct SourceSink<'a> {
    builder: &'a mut Builder,
    bytes: &'a [u8],
    origin: &'a Origin,
    pending: Option<Range<usize>>,
}

impl SourceSink<'_> {
    fn flush(&mut self) {
        let Some(range) = self.pending.take() else {
            return;
        };
        let bytes = &self.bytes[range.clone()];
        match self.origin {
            Origin::File(start) => {
                let start = *start;
                let all = self.bytes;
                self.builder
                    .emit_file(bytes, start.offset + range.start as u64, || {
                        start.advanced_by(&all[..range.start])
                    });
            }
            Origin::Variable { at, .. } => self.builder.emit_produced(bytes, *at),
        }
    }
}

impl Sink for SourceSink<'_> {
    fn emit(&mut self, range: Range<usize>) {
        match &mut self.pending {
            Some(p) if p.end == range.start => p.end = range.end,
            _ => {
                self.flush();
                self.pending = Some(range);
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.pending.is_none() && self.builder.is_empty()
    }
}
