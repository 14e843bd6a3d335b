//! The SQL half of psql's lexer (`src/fe_utils/psqlscan.l`, PostgreSQL 15): finds where a
//! statement ends, and what psql puts into its query buffer on the way.
//!
//! The lexer is fed one source at a time: a line of the file without its `\n` (psql reads line
//! by line, so no token but a quoted string or comment can span lines), the rest of a line, or
//! the value of a psql variable. Its state (open quote or comment, parenthesis and `BEGIN`
//! depth) carries over from one source to the next. It scans bytes: every character that
//! matters is ASCII, and multibyte UTF-8 characters only ever appear as "other" bytes.
//!
//! What it emits goes to a [`Sink`]: ranges of the source that psql would append to its query
//! buffer. Leading whitespace and `--` comments of a statement are not emitted; `\;` emits
//! only the `;`.

use std::ops::Range;

use crate::chars::{
    dollar_delimiter_end, is_dolq_cont, is_ident_cont, is_ident_start, is_space, is_variable_char,
    number_end,
};
use crate::errors::Construct;
use crate::position::Position;

/// Receives what psql would append to its query buffer.
pub(crate) trait Sink {
    /// Append `src[range]`.
    fn emit(&mut self, range: Range<usize>);
    /// Whether the query buffer is still empty (leading whitespace is then dropped).
    fn is_empty(&self) -> bool;
}

/// Why `scan` returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// A statement-ending `;` (already emitted); scanning resumes at `next`.
    Semicolon { next: usize },
    /// A backslash that starts a meta-command, at `at`; nothing emitted.
    Backslash { at: usize },
    /// A variable reference `src[start..end]`; nothing emitted.
    Variable {
        start: usize,
        end: usize,
        form: VariableForm,
    },
    /// The source is exhausted.
    End,
}

/// The four ways psql interpolates a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VariableForm {
    /// `:name`: the value is lexed as SQL.
    Plain,
    /// `:'name'`: the value as a quoted literal.
    Literal,
    /// `:"name"`: the value as a quoted identifier.
    Identifier,
    /// `:{?name}`: `TRUE` or `FALSE`, whether it is defined.
    Defined,
}

/// psql's exclusive lexer states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    Initial,
    /// `B'..'`
    Xb,
    /// `/* .. */`
    Xc,
    /// `".."`
    Xd,
    /// `X'..'`
    Xh,
    /// `'..'` (standard conforming)
    Xq,
    /// Just after a closing quote: a quote after whitespace containing a newline continues it.
    Xqs,
    /// `E'..'`
    Xe,
    /// `$tag$..$tag$`
    Xdolq,
    /// `U&".."`
    Xui,
    /// `U&'..'`
    Xus,
}

/// Lexer state that lives across sources and statements.
#[derive(Debug, Clone)]
pub(crate) struct Lexer {
    state: State,
    state_before_str_stop: State,
    xcdepth: u32,
    dolq_tag: Vec<u8>,
    paren_depth: u32,
    begin_depth: u32,
    identifier_count: u32,
    identifiers: [u8; 4],
    std_strings: bool,
    /// Index in the current source where the open quote or comment started, until the
    /// reader turns it into a position (`open_position`).
    open_index: Option<usize>,
    open_position: Option<Position>,
    /// A `\;` was seen since the last statement end.
    saw_backslash_semicolon: bool,
}

impl Lexer {
    pub(crate) fn new(std_strings: bool) -> Self {
        Lexer {
            state: State::Initial,
            state_before_str_stop: State::Initial,
            xcdepth: 0,
            dolq_tag: Vec::new(),
            paren_depth: 0,
            begin_depth: 0,
            identifier_count: 0,
            identifiers: [0; 4],
            std_strings,
            open_index: None,
            open_position: None,
            saw_backslash_semicolon: false,
        }
    }

    pub(crate) fn set_std_strings(&mut self, on: bool) {
        self.std_strings = on;
    }

    pub(crate) fn take_saw_backslash_semicolon(&mut self) -> bool {
        std::mem::take(&mut self.saw_backslash_semicolon)
    }

    pub(crate) fn std_strings(&self) -> bool {
        self.std_strings
    }

    /// psql's `psql_scan_in_quote`: inside a quote or comment (blank lines are then kept).
    pub(crate) fn in_quote(&self) -> bool {
        !matches!(self.state, State::Initial | State::Xqs)
    }

    /// The open quote or comment, if any.
    pub(crate) fn open_construct(&self) -> Option<Construct> {
        Some(match self.state {
            State::Initial | State::Xqs => return None,
            State::Xb => Construct::BitString,
            State::Xc => Construct::BlockComment,
            State::Xd => Construct::QuotedIdentifier,
            State::Xh => Construct::HexString,
            State::Xq => Construct::String,
            State::Xe => Construct::EscapeString,
            State::Xdolq => Construct::DollarQuote {
                tag: String::from_utf8_lossy(&self.dolq_tag).into_owned(),
            },
            State::Xui => Construct::UnicodeIdentifier,
            State::Xus => Construct::UnicodeString,
        })
    }

    /// Index of the start of the open construct in the source just scanned, if it has not been
    /// resolved to a position yet.
    pub(crate) fn unresolved_open_index(&self) -> Option<usize> {
        self.open_index
    }

    pub(crate) fn resolve_open(&mut self, position: Position) {
        self.open_index = None;
        self.open_position = Some(position);
    }

    pub(crate) fn open_position(&self) -> Option<Position> {
        self.open_position
    }

    /// Forget everything (after the end of the input).
    pub(crate) fn reset(&mut self) {
        *self = Lexer::new(self.std_strings);
    }

    fn open(&mut self, state: State, at: usize) {
        self.state = state;
        self.open_index = Some(at);
        self.open_position = None;
    }

    fn close(&mut self, state: State) {
        self.state = state;
        self.open_index = None;
        self.open_position = None;
    }

    /// Scans `src` from `i` until a statement end, a meta-command, a variable or the end.
    ///
    /// Everything scanned is emitted except what psql leaves out of its buffer; emission is
    /// deferred (`emitted..i` is pending) so the sink sees one range per run, not per token.
    pub(crate) fn scan(&mut self, src: &[u8], mut i: usize, sink: &mut impl Sink) -> Stop {
        let n = src.len();
        let at = |k: usize| src.get(k).copied();
        let mut emitted = i;
        while i < n {
            match self.state {
                State::Initial => {
                    let c = src[i];
                    match c {
                        b' ' | b'\t' | b'\n' | b'\r' | 0x0C | b'-'
                            if c != b'-' || at(i + 1) == Some(b'-') =>
                        {
                            let j = if c == b'-' {
                                memchr::memchr2(b'\n', b'\r', &src[i..]).map_or(n, |k| i + k)
                            } else {
                                let mut j = i + 1;
                                while j < n && is_space(src[j]) {
                                    j += 1;
                                }
                                j
                            };
                            // psql drops whitespace and `--` comments while its buffer is empty.
                            if emitted == i && sink.is_empty() {
                                emitted = j;
                            }
                            i = j;
                        }
                        b'/' if at(i + 1) == Some(b'*') => {
                            self.xcdepth = 0;
                            self.open(State::Xc, i);
                            i += 2;
                        }
                        b'\'' => {
                            let state = if self.std_strings {
                                State::Xq
                            } else {
                                State::Xe
                            };
                            self.open(state, i);
                            i += 1;
                        }
                        b'"' => {
                            self.open(State::Xd, i);
                            i += 1;
                        }
                        b'$' => i = self.dollar(src, i),
                        b'(' => {
                            self.paren_depth = self.paren_depth.saturating_add(1);
                            i += 1;
                        }
                        b')' => {
                            self.paren_depth = self.paren_depth.saturating_sub(1);
                            i += 1;
                        }
                        b';' => {
                            i += 1;
                            if self.paren_depth == 0 && self.begin_depth == 0 {
                                self.identifier_count = 0;
                                flush(sink, &mut emitted, i);
                                return Stop::Semicolon { next: i };
                            }
                        }
                        b'\\' => match at(i + 1) {
                            Some(b';' | b':') => {
                                // Only the `;` or `:` goes into the buffer.
                                if at(i + 1) == Some(b';') {
                                    self.identifier_count = 0;
                                    self.saw_backslash_semicolon = true;
                                }
                                flush(sink, &mut emitted, i);
                                emitted = i + 1;
                                i += 2;
                            }
                            _ => {
                                flush(sink, &mut emitted, i);
                                return Stop::Backslash { at: i };
                            }
                        },
                        b':' => match self.colon(src, i) {
                            Ok(stop) => {
                                flush(sink, &mut emitted, i);
                                return stop;
                            }
                            Err(len) => i += len,
                        },
                        b'0'..=b'9' => i = number_end(src, i),
                        b'.' if at(i + 1).is_some_and(|b| b.is_ascii_digit()) => {
                            i = number_end(src, i)
                        }
                        // A `--` or `/*` inside an operator starts a comment there; both are
                        // checked at every position, so one character at a time is exact.
                        _ if is_ident_start(c) => i = self.word(src, i),
                        _ => i += 1,
                    }
                }
                State::Xqs => match quote_continuation_end(src, i) {
                    Some(j) => {
                        self.state = self.state_before_str_stop;
                        self.open_index = Some(j - 1);
                        i = j;
                    }
                    None => self.state = State::Initial,
                },
                State::Xq | State::Xus => match memchr::memchr(b'\'', &src[i..]) {
                    None => i = n,
                    Some(k) => i = self.quote(src, i + k),
                },
                State::Xe => match memchr::memchr2(b'\'', b'\\', &src[i..]) {
                    None => i = n,
                    Some(k) => {
                        let q = i + k;
                        if src[q] == b'\\' {
                            // A backslash escapes the next character, whatever it is; at the
                            // end of the source it stands alone.
                            i = if q + 1 < n {
                                next_char_end(src, q + 1)
                            } else {
                                n
                            };
                        } else {
                            i = self.quote(src, q);
                        }
                    }
                },
                State::Xb | State::Xh => match memchr::memchr(b'\'', &src[i..]) {
                    None => i = n,
                    Some(k) => {
                        self.state_before_str_stop = self.state;
                        self.close(State::Xqs);
                        i += k + 1;
                    }
                },
                State::Xd | State::Xui => match memchr::memchr(b'"', &src[i..]) {
                    None => i = n,
                    Some(k) => {
                        let q = i + k;
                        if at(q + 1) == Some(b'"') {
                            i = q + 2;
                        } else {
                            self.close(State::Initial);
                            i = q + 1;
                        }
                    }
                },
                State::Xc => match memchr::memchr2(b'*', b'/', &src[i..]) {
                    None => i = n,
                    Some(k) => {
                        let q = i + k;
                        if src[q] == b'/' && at(q + 1) == Some(b'*') {
                            self.xcdepth = self.xcdepth.saturating_add(1);
                            i = q + 2;
                        } else if src[q] == b'*' && at(q + 1) == Some(b'/') {
                            i = q + 2;
                            if self.xcdepth == 0 {
                                self.close(State::Initial);
                            } else {
                                self.xcdepth -= 1;
                            }
                        } else {
                            i = q + 1;
                        }
                    }
                },
                State::Xdolq => match memchr::memchr(b'$', &src[i..]) {
                    None => i = n,
                    Some(k) => {
                        let q = i + k;
                        match dollar_delimiter_end(src, q) {
                            Some(j) if src[q..j] == self.dolq_tag[..] => {
                                self.dolq_tag.clear();
                                self.close(State::Initial);
                                i = j;
                            }
                            // `$junk$` inside: content, but the final `$` is scanned again (it
                            // may open the real closing tag).
                            Some(j) => i = j - 1,
                            None => {
                                let mut j = q + 1;
                                if at(j).is_some_and(is_ident_start) {
                                    while at(j).is_some_and(is_dolq_cont) {
                                        j += 1;
                                    }
                                }
                                i = j;
                            }
                        }
                    }
                },
            }
        }
        flush(sink, &mut emitted, n);
        Stop::End
    }

    /// A `'` at `q` inside a quoted string: a doubled quote stays inside, a single one closes
    /// the string. Returns where scanning goes on.
    fn quote(&mut self, src: &[u8], q: usize) -> usize {
        if src.get(q + 1) == Some(&b'\'') {
            q + 2
        } else {
            self.state_before_str_stop = self.state;
            self.close(State::Xqs);
            q + 1
        }
    }

    /// `$` in the initial state: a parameter, a dollar-quote opening, or a lone `$`.
    fn dollar(&mut self, src: &[u8], i: usize) -> usize {
        if src.get(i + 1).is_some_and(|b| b.is_ascii_digit()) {
            let mut j = i + 1;
            while src.get(j).is_some_and(|b| b.is_ascii_digit()) {
                j += 1;
            }
            if src.get(j).copied().is_some_and(is_ident_start) {
                j += 1;
            }
            return j;
        }
        if let Some(j) = dollar_delimiter_end(src, i) {
            self.dolq_tag.clear();
            self.dolq_tag.extend_from_slice(&src[i..j]);
            self.open(State::Xdolq, i);
            return j;
        }
        // `$abc` without a closing `$`, or a lone `$`: only the `$` is taken.
        i + 1
    }

    /// `:` in the initial state: a cast, a variable reference, or a plain colon (`Err` with
    /// the number of bytes it takes).
    fn colon(&self, src: &[u8], i: usize) -> Result<Stop, usize> {
        let at = |k: usize| src.get(k).copied();
        let run_end = |from: usize| {
            let mut j = from;
            while at(j).is_some_and(is_variable_char) {
                j += 1;
            }
            j
        };
        match at(i + 1) {
            Some(b':') | Some(b'=') => Err(2),
            Some(b) if is_variable_char(b) => Ok(Stop::Variable {
                start: i,
                end: run_end(i + 1),
                form: VariableForm::Plain,
            }),
            Some(q @ (b'\'' | b'"')) => {
                let j = run_end(i + 2);
                if j > i + 2 && at(j) == Some(q) {
                    let form = if q == b'\'' {
                        VariableForm::Literal
                    } else {
                        VariableForm::Identifier
                    };
                    Ok(Stop::Variable {
                        start: i,
                        end: j + 1,
                        form,
                    })
                } else {
                    Err(1)
                }
            }
            Some(b'{') if at(i + 2) == Some(b'?') => {
                let j = run_end(i + 3);
                if j > i + 3 && at(j) == Some(b'}') {
                    Ok(Stop::Variable {
                        start: i,
                        end: j + 1,
                        form: VariableForm::Defined,
                    })
                } else {
                    Err(1)
                }
            }
            _ => Err(1),
        }
    }

    /// A letter in the initial state: a string prefix (`B'`, `X'`, `E'`, `N'`, `U&'`, `U&"`)
    /// or an identifier (which `BEGIN ATOMIC` tracking looks at).
    fn word(&mut self, src: &[u8], i: usize) -> usize {
        let at = |k: usize| src.get(k).copied();
        let c = src[i].to_ascii_lowercase();
        if at(i + 1) == Some(b'\'') {
            let state = match c {
                b'b' => Some(State::Xb),
                b'x' => Some(State::Xh),
                b'e' => Some(State::Xe),
                // National character: only the `n` is taken; the quote follows as usual.
                b'n' => return i + 1,
                _ => None,
            };
            if let Some(state) = state {
                self.open(state, i);
                return i + 2;
            }
        }
        if c == b'u' && at(i + 1) == Some(b'&') {
            match at(i + 2) {
                Some(b'\'') => {
                    self.open(State::Xus, i);
                    return i + 3;
                }
                Some(b'"') => {
                    self.open(State::Xui, i);
                    return i + 3;
                }
                _ => return i + 1,
            }
        }
        let mut j = i + 1;
        while at(j).is_some_and(is_ident_cont) {
            j += 1;
        }
        self.identifier(&src[i..j]);
        j
    }

    /// psql's heuristic for `CREATE [OR REPLACE] FUNCTION|PROCEDURE ... BEGIN ATOMIC ... END`:
    /// the first four words decide whether `BEGIN`, `CASE` and `END` are counted.
    fn identifier(&mut self, word: &[u8]) {
        if self.identifier_count == 0 {
            self.identifiers = [0; 4];
        }
        let is = |k: &str| word.eq_ignore_ascii_case(k.as_bytes());
        if (is("create") || is("function") || is("procedure") || is("or") || is("replace"))
            && let Some(slot) = self.identifiers.get_mut(self.identifier_count as usize)
        {
            *slot = word[0].to_ascii_lowercase();
        }
        self.identifier_count = self.identifier_count.saturating_add(1);
        let ids = self.identifiers;
        let routine = ids[0] == b'c'
            && (ids[1] == b'f'
                || ids[1] == b'p'
                || (ids[1] == b'o' && ids[2] == b'r' && (ids[3] == b'f' || ids[3] == b'p')));
        if routine && self.paren_depth == 0 {
            if is("begin") {
                self.begin_depth = self.begin_depth.saturating_add(1);
            } else if is("case") {
                if self.begin_depth >= 1 {
                    self.begin_depth += 1;
                }
            } else if is("end") {
                self.begin_depth = self.begin_depth.saturating_sub(1);
            }
        }
    }
}

/// Emits what is pending (`*emitted..to`) and marks it done.
fn flush(sink: &mut impl Sink, emitted: &mut usize, to: usize) {
    if to > *emitted {
        sink.emit(*emitted..to);
    }
    *emitted = to;
}

/// After a closing quote at `i`: psql's `{quotecontinue}`, whitespace containing a newline and
/// then a quote, which continues the same literal. Returns the index after that quote.
fn quote_continuation_end(src: &[u8], mut j: usize) -> Option<usize> {
    let n = src.len();
    let at = |k: usize| src.get(k).copied();
    let comment_end = |k: usize| memchr::memchr2(b'\n', b'\r', &src[k..]).map_or(n, |m| k + m);
    // {horiz_whitespace}*
    loop {
        match at(j) {
            Some(b' ' | b'\t' | 0x0C) => j += 1,
            Some(b'-') if at(j + 1) == Some(b'-') => j = comment_end(j),
            _ => break,
        }
    }
    // {newline}
    if !matches!(at(j), Some(b'\n' | b'\r')) {
        return None;
    }
    j += 1;
    // {special_whitespace}*
    loop {
        match at(j) {
            Some(b) if is_space(b) => j += 1,
            Some(b'-') if at(j + 1) == Some(b'-') => {
                let k = comment_end(j);
                if k >= n {
                    return None;
                }
                j = k + 1;
            }
            _ => break,
        }
    }
    (at(j) == Some(b'\'')).then_some(j + 1)
}

/// The end of the UTF-8 character starting at `i`.
fn next_char_end(src: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while j < src.len() && (src[j] & 0xC0) == 0x80 {
        j += 1;
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Collects what the lexer emits.
    #[derive(Default)]
    struct Collect {
        text: Vec<u8>,
        src: Vec<u8>,
    }

    impl Sink for Collect {
        fn emit(&mut self, range: Range<usize>) {
            let bytes = self.src[range].to_vec();
            self.text.extend_from_slice(&bytes);
        }

        fn is_empty(&self) -> bool {
            self.text.is_empty()
        }
    }

    /// Splits one source into the texts psql would send (and what is left unfinished).
    fn split_with(lexer: &mut Lexer, src: &str) -> Vec<String> {
        let mut sink = Collect {
            src: src.as_bytes().to_vec(),
            ..Collect::default()
        };
        let mut out = Vec::new();
        let mut i = 0;
        loop {
            match lexer.scan(src.as_bytes(), i, &mut sink) {
                Stop::Semicolon { next } => {
                    out.push(String::from_utf8(std::mem::take(&mut sink.text)).unwrap_or_default());
                    i = next;
                }
                Stop::End => {
                    if !sink.text.is_empty() {
                        out.push(format!("<open> {}", String::from_utf8_lossy(&sink.text)));
                    }
                    return out;
                }
                Stop::Backslash { at } => {
                    out.push(format!("<meta at {at}>"));
                    i = src[at..].find(' ').map_or(src.len(), |k| at + k);
                }
                Stop::Variable { start, end, form } => {
                    out.push(format!("<{form:?} {}>", &src[start..end]));
                    i = end;
                }
            }
        }
    }

    fn split(src: &str) -> Vec<String> {
        split_with(&mut Lexer::new(true), src)
    }

    #[test]
    fn quotes_hide_semicolons() {
        assert_eq!(
            split("SELECT 'a;''b'; SELECT \"x;\"\"y\";"),
            ["SELECT 'a;''b';", "SELECT \"x;\"\"y\";"]
        );
        assert_eq!(
            split("SELECT E'a\\';b'; SELECT 2;"),
            ["SELECT E'a\\';b';", "SELECT 2;"]
        );
        assert_eq!(
            split("SELECT B'1;', X'F;', N'n;', U&'u;', U&\"i;\";"),
            ["SELECT B'1;', X'F;', N'n;', U&'u;', U&\"i;\";"]
        );
    }

    #[test]
    fn standard_conforming_strings_off_makes_plain_literals_escape_strings() {
        let mut lexer = Lexer::new(false);
        assert_eq!(
            split_with(&mut lexer, "SELECT 'a\\';b'; SELECT 2;"),
            ["SELECT 'a\\';b';", "SELECT 2;"]
        );
        assert_eq!(
            split("SELECT 'a\\'; SELECT 2;"),
            ["SELECT 'a\\';", "SELECT 2;"]
        );
    }

    #[test]
    fn prefixes_count_only_at_the_start_of_a_token() {
        // `abce'\'` is the identifier abce and a plain literal, not E'\'
        assert_eq!(
            split("SELECT abce'\\'; SELECT 2;"),
            ["SELECT abce'\\';", "SELECT 2;"]
        );
        // PostgreSQL 15 lexes `1e` as one (junk) token: no escape string either.
        assert_eq!(
            split("SELECT 1e'\\'; SELECT 2;"),
            ["SELECT 1e'\\';", "SELECT 2;"]
        );
        // `u&x` is not an identifier start: `u`, then `&`
        assert_eq!(split("SELECT u&x;"), ["SELECT u&x;"]);
    }

    #[test]
    fn dollar_quotes() {
        assert_eq!(
            split("SELECT $$a;b$$; SELECT 2;"),
            ["SELECT $$a;b$$;", "SELECT 2;"]
        );
        assert_eq!(
            split("SELECT $mig$ $$;$$ ; $mig$;"),
            ["SELECT $mig$ $$;$$ ; $mig$;"]
        );
        // $b$ inside $a$ is content; its last $ may start the closing tag.
        assert_eq!(split("SELECT $a$x$b$a$;"), ["SELECT $a$x$b$a$;"]);
        // identifiers continue with $, and $1 is a parameter
        assert_eq!(
            split("SELECT a$b$ ; SELECT $1$x$;"),
            ["SELECT a$b$ ;", "<open> SELECT $1$x$;"]
        );
    }

    #[test]
    fn comments_nest_and_start_inside_operators() {
        assert_eq!(
            split("/* a /* b; */ c; */ SELECT 1;"),
            ["/* a /* b; */ c; */ SELECT 1;"]
        );
        assert_eq!(split("SELECT 2*/*;*/3;"), ["SELECT 2*/*;*/3;"]);
        assert_eq!(split("SELECT 1 +-- ;"), ["<open> SELECT 1 +-- ;"]);
    }

    #[test]
    fn leading_whitespace_and_dash_comments_are_not_emitted() {
        assert_eq!(split("  -- c ;\n\t SELECT 1;   "), ["SELECT 1;"]);
        assert_eq!(split("  /* kept */ SELECT 1;"), ["/* kept */ SELECT 1;"]);
    }

    #[test]
    fn parentheses_and_begin_atomic_hold_semicolons() {
        assert_eq!(
            split("SELECT (1; 2); SELECT 3;"),
            ["SELECT (1; 2);", "SELECT 3;"]
        );
        let body = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; END;";
        assert_eq!(split(&format!("{body} SELECT 2;")), [body, "SELECT 2;"]);
        let proc = "create or replace procedure p() begin atomic select 1; end;";
        assert_eq!(split(proc), [proc]);
        // Only CREATE [OR REPLACE] FUNCTION|PROCEDURE counts; CASE outside BEGIN does not.
        assert_eq!(
            split("BEGIN; SELECT CASE WHEN true THEN 1 END; END;"),
            ["BEGIN;", "SELECT CASE WHEN true THEN 1 END;", "END;"]
        );
        // `\;` resets the first-words memory, as in psql 15: the END no longer counts.
        let mut lexer = Lexer::new(true);
        let out = split_with(
            &mut lexer,
            "CREATE FUNCTION f() BEGIN ATOMIC SELECT 1 \\; SELECT 2; END; SELECT 3;",
        );
        assert_eq!(
            out,
            ["<open> CREATE FUNCTION f() BEGIN ATOMIC SELECT 1 ; SELECT 2; END; SELECT 3;"]
        );
    }

    #[test]
    fn backslash_semicolon_and_colon_go_in_without_their_backslash() {
        assert_eq!(split("SELECT 1 \\; SELECT 2;"), ["SELECT 1 ; SELECT 2;"]);
        assert_eq!(split("SELECT 1\\:\\:text;"), ["SELECT 1::text;"]);
        assert_eq!(
            split("SELECT 1 \\gset"),
            ["<meta at 9>", "<open> SELECT 1 "]
        );
    }

    #[test]
    fn variables_stop_the_lexer_but_casts_do_not() {
        assert_eq!(
            split("SELECT a::int, :v, :'v', :\"v\", :{?v}, :'', :=, x[1:2];"),
            [
                "<Plain :v>",
                "<Literal :'v'>",
                "<Identifier :\"v\">",
                "<Defined :{?v}>",
                "<Plain :2>",
                "SELECT a::int, , , , , :'', :=, x[1];"
            ]
        );
    }

    #[test]
    fn a_quote_continues_after_whitespace_with_a_newline() {
        // Inside one source (a variable value can hold newlines): 'a' \n 'b' is one literal,
        // so the E-string's backslash rule still applies to the second part.
        assert_eq!(
            split("SELECT E'a' \n '\\';'; SELECT 2;"),
            ["SELECT E'a' \n '\\';';", "SELECT 2;"]
        );
        assert_eq!(
            split("SELECT E'a' '\\'; SELECT 2;"),
            ["SELECT E'a' '\\';", "SELECT 2;"]
        );
    }

    #[test]
    fn open_constructs_are_named() {
        let mut lexer = Lexer::new(true);
        split_with(&mut lexer, "SELECT $body$ ...");
        assert_eq!(
            lexer.open_construct(),
            Some(Construct::DollarQuote {
                tag: "$body$".into()
            })
        );
        assert_eq!(lexer.unresolved_open_index(), Some(7));
        assert!(lexer.in_quote());
        let mut lexer = Lexer::new(true);
        split_with(&mut lexer, "SELECT 'done'");
        assert_eq!(lexer.open_construct(), None);
        assert!(
            !lexer.in_quote(),
            "after a closing quote (xqs) psql is not in a quote"
        );
    }
}
