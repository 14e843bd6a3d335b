//! The backslash half of psql's lexer (`src/bin/psql/psqlscanslash.l`) and the meta-commands
//! the reader supports.
//!
//! A meta-command runs from its backslash to the end of the line (or to a `\\` separator,
//! after which SQL continues on the same line). Arguments are split the way psql splits them:
//! `'...'` with `''` and backslash escapes, `"..."` kept (for identifiers), `:var`
//! interpolation. Nothing here runs anything: backquotes (shell commands) are refused.

use crate::chars::{is_space, is_variable_char};
use crate::errors::ScanErrorKind;
use crate::item::MetaCommand;
use crate::variables::{Variables, is_valid_name, quote_identifier, quote_literal};

/// The result of reading one meta-command.
#[derive(Debug)]
pub(crate) struct MetaOutcome {
    pub(crate) result: Result<MetaCommand, ScanErrorKind>,
    /// Where SQL scanning resumes in the source.
    pub(crate) resume_at: usize,
}

/// The restriction state set by `\restrict`.
pub(crate) type Restriction<'a> = Option<&'a str>;

/// Reads the meta-command whose backslash is at `src[backslash]`.
pub(crate) fn read_meta(
    src: &[u8],
    backslash: usize,
    vars: &Variables,
    restricted: Restriction<'_>,
) -> MetaOutcome {
    let mut scanner = SlashScanner {
        src,
        i: backslash + 1,
        vars,
    };
    let name = scanner.command_name();
    let result = run(&name, &mut scanner, restricted);
    match result {
        Ok(command) => {
            // psql ignores (with a warning) arguments a command did not take.
            while let Ok(Some(_)) = scanner.option(OptionKind::Normal, false, true) {}
            scanner.swallow_double_backslash();
            MetaOutcome {
                result: Ok(command),
                resume_at: scanner.i,
            }
        }
        // psql throws away the rest of the line after an erroneous command.
        Err(kind) => MetaOutcome {
            result: Err(kind),
            resume_at: src.len(),
        },
    }
}

fn run(
    name: &str,
    s: &mut SlashScanner<'_>,
    restricted: Restriction<'_>,
) -> Result<MetaCommand, ScanErrorKind> {
    if let Some(key) = restricted {
        if name != "unrestrict" {
            return Err(ScanErrorKind::MetaCommandWhileRestricted {
                name: name.to_owned(),
            });
        }
        let found = s.required(name, true)?;
        if found != key {
            return Err(ScanErrorKind::UnrestrictKeyMismatch {
                expected: key.to_owned(),
                found,
            });
        }
        return Ok(MetaCommand::Unrestrict { key: found });
    }
    match name {
        "restrict" => Ok(MetaCommand::Restrict {
            key: s.required(name, true)?,
        }),
        "unrestrict" => Err(ScanErrorKind::UnrestrictWithoutRestrict {
            key: s.required(name, true)?,
        }),
        "c" | "connect" => {
            let mut args = Vec::new();
            let first = s.connect_arg(name)?;
            let reuse = first
                .as_deref()
                .is_some_and(|a| a.starts_with("-reuse-previous="));
            if let Some(first) = first {
                args.push(first);
            }
            let wanted = if reuse { 5 } else { 4 };
            while args.len() < wanted {
                match s.connect_arg(name)? {
                    Some(arg) => args.push(arg),
                    None => break,
                }
            }
            Ok(MetaCommand::Connect { args })
        }
        "encoding" => Ok(MetaCommand::Encoding {
            encoding: s.arg(name, OptionKind::Normal, false)?,
        }),
        "set" => {
            let var = s.required(name, false)?;
            if !is_valid_name(&var) {
                return Err(ScanErrorKind::InvalidVariableName {
                    command: name.to_owned(),
                    name: var,
                });
            }
            let mut value = String::new();
            while let Some(part) = s.arg(name, OptionKind::Normal, false)? {
                value.push_str(&part);
            }
            Ok(MetaCommand::Set { name: var, value })
        }
        "unset" => {
            let var = s.required(name, false)?;
            if !is_valid_name(&var) {
                return Err(ScanErrorKind::InvalidVariableName {
                    command: name.to_owned(),
                    name: var,
                });
            }
            Ok(MetaCommand::Unset { name: var })
        }
        "echo" | "warn" | "qecho" => {
            let mut words: Vec<String> = Vec::new();
            let mut first = true;
            while let Some((word, quoted)) = s.arg_with_quote(name, OptionKind::Normal, false)? {
                if first && !quoted && word == "-n" {
                    first = false;
                    continue;
                }
                first = false;
                words.push(word);
            }
            Ok(MetaCommand::Echo {
                text: words.join(" "),
            })
        }
        _ => Err(ScanErrorKind::UnsupportedMetaCommand {
            name: name.to_owned(),
        }),
    }
}

/// How an argument is post-processed (psql's `slash_option_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OptionKind {
    Normal,
    /// Double quotes removed, case kept (psql's `OT_SQLIDHACK`, used by `\connect`).
    SqlIdHack,
}

struct SlashScanner<'a> {
    src: &'a [u8],
    i: usize,
    vars: &'a Variables,
}

/// Why an argument could not be read.
enum ArgError {
    Unterminated,
    Backtick,
}

impl SlashScanner<'_> {
    fn at(&self, k: usize) -> Option<u8> {
        self.src.get(k).copied()
    }

    /// The command name: everything up to whitespace or a backslash.
    fn command_name(&mut self) -> String {
        let start = self.i;
        while let Some(b) = self.at(self.i) {
            if is_space(b) || b == b'\\' {
                break;
            }
            self.i += 1;
        }
        String::from_utf8_lossy(&self.src[start..self.i]).into_owned()
    }

    fn required(&mut self, command: &str, semicolon: bool) -> Result<String, ScanErrorKind> {
        self.arg(command, OptionKind::Normal, semicolon)?
            .ok_or_else(|| ScanErrorKind::MissingMetaArgument {
                command: command.to_owned(),
            })
    }

    fn arg(
        &mut self,
        command: &str,
        kind: OptionKind,
        semicolon: bool,
    ) -> Result<Option<String>, ScanErrorKind> {
        Ok(self
            .arg_with_quote(command, kind, semicolon)?
            .map(|(a, _)| a))
    }

    fn arg_with_quote(
        &mut self,
        command: &str,
        kind: OptionKind,
        semicolon: bool,
    ) -> Result<Option<(String, bool)>, ScanErrorKind> {
        self.option_with_quote(kind, semicolon, false)
            .map_err(|e| match e {
                ArgError::Unterminated => ScanErrorKind::UnterminatedMetaArgument {
                    command: command.to_owned(),
                },
                ArgError::Backtick => ScanErrorKind::BacktickInMetaArgument {
                    command: command.to_owned(),
                },
            })
    }

    /// psql's `read_connect_arg`: unquoted `-` and empty arguments are kept as written.
    fn connect_arg(&mut self, command: &str) -> Result<Option<String>, ScanErrorKind> {
        self.arg(command, OptionKind::SqlIdHack, true)
    }

    fn option(
        &mut self,
        kind: OptionKind,
        semicolon: bool,
        skipping: bool,
    ) -> Result<Option<String>, ArgError> {
        Ok(self
            .option_with_quote(kind, semicolon, skipping)?
            .map(|(a, _)| a))
    }

    /// psql's `psql_scan_slash_option`. With `skipping`, backquotes are read over (not run).
    fn option_with_quote(
        &mut self,
        kind: OptionKind,
        semicolon: bool,
        skipping: bool,
    ) -> Result<Option<(String, bool)>, ArgError> {
        while self.at(self.i).is_some_and(is_space) {
            self.i += 1;
        }
        let mut out: Vec<u8> = Vec::new();
        let mut quoted = false;
        let mut unquoted_chars = 0usize;
        while let Some(b) = self.at(self.i) {
            if is_space(b) || b == b'\\' {
                break;
            }
            match b {
                b'\'' => {
                    quoted = true;
                    unquoted_chars = 0;
                    self.i += 1;
                    self.single_quoted(&mut out)?;
                }
                b'`' => {
                    if !skipping {
                        return Err(ArgError::Backtick);
                    }
                    quoted = true;
                    unquoted_chars = 0;
                    match memchr::memchr(b'`', &self.src[self.i + 1..]) {
                        Some(k) => self.i += k + 2,
                        None => {
                            self.i = self.src.len();
                            return Err(ArgError::Unterminated);
                        }
                    }
                }
                b'"' => {
                    quoted = true;
                    unquoted_chars = 0;
                    match memchr::memchr(b'"', &self.src[self.i + 1..]) {
                        Some(k) => {
                            out.extend_from_slice(&self.src[self.i..self.i + k + 2]);
                            self.i += k + 2;
                        }
                        None => {
                            self.i = self.src.len();
                            return Err(ArgError::Unterminated);
                        }
                    }
                }
                b':' => {
                    if self.variable(&mut out) {
                        quoted = true;
                        unquoted_chars = 0;
                    } else {
                        out.push(b':');
                        unquoted_chars += 1;
                        self.i += 1;
                    }
                }
                _ => {
                    out.push(b);
                    unquoted_chars += 1;
                    self.i += 1;
                }
            }
        }
        if semicolon {
            while unquoted_chars > 0 && out.last() == Some(&b';') {
                out.pop();
                unquoted_chars -= 1;
            }
        }
        if kind == OptionKind::SqlIdHack {
            out = dequote(&out);
        }
        if out.is_empty() && !quoted {
            return Ok(None);
        }
        Ok(Some((String::from_utf8_lossy(&out).into_owned(), quoted)))
    }

    /// The inside of `'...'` (the opening quote consumed): `''`, `\n` and friends, octal and
    /// hex escapes, `\x` for any other `x`.
    fn single_quoted(&mut self, out: &mut Vec<u8>) -> Result<(), ArgError> {
        loop {
            let Some(b) = self.at(self.i) else {
                return Err(ArgError::Unterminated);
            };
            match b {
                b'\'' if self.at(self.i + 1) == Some(b'\'') => {
                    out.push(b'\'');
                    self.i += 2;
                }
                b'\'' => {
                    self.i += 1;
                    return Ok(());
                }
                b'\\' => {
                    let Some(e) = self.at(self.i + 1) else {
                        out.push(b'\\');
                        self.i += 1;
                        continue;
                    };
                    self.i += 2;
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(0x08),
                        b'r' => out.push(b'\r'),
                        b'f' => out.push(0x0C),
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.at(self.i) {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.i += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xFF) as u8);
                        }
                        b'x' if self.at(self.i).is_some_and(|d| d.is_ascii_hexdigit()) => {
                            let mut v = 0u32;
                            for _ in 0..2 {
                                match self.at(self.i) {
                                    Some(d) if d.is_ascii_hexdigit() => {
                                        v = v * 16 + (d as char).to_digit(16).unwrap_or(0);
                                        self.i += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xFF) as u8);
                        }
                        other => out.push(other),
                    }
                }
                _ => {
                    out.push(b);
                    self.i += 1;
                }
            }
        }
    }

    /// `:name`, `:'name'`, `:"name"` or `:{?name}` at `self.i`; returns `false` (nothing
    /// consumed) when it is a plain colon.
    fn variable(&mut self, out: &mut Vec<u8>) -> bool {
        let i = self.i;
        let run_end = |from: usize| {
            let mut j = from;
            while self.at(j).is_some_and(is_variable_char) {
                j += 1;
            }
            j
        };
        let name = |a: usize, b: usize| String::from_utf8_lossy(&self.src[a..b]).into_owned();
        match self.at(i + 1) {
            Some(b) if is_variable_char(b) => {
                let j = run_end(i + 1);
                match self.vars.get(&name(i + 1, j)) {
                    Some(value) => out.extend_from_slice(value.as_bytes()),
                    None => out.extend_from_slice(&self.src[i..j]),
                }
                self.i = j;
                true
            }
            Some(q @ (b'\'' | b'"')) => {
                let j = run_end(i + 2);
                if j == i + 2 || self.at(j) != Some(q) {
                    return false;
                }
                match self.vars.get(&name(i + 2, j)) {
                    Some(value) if q == b'\'' => {
                        out.extend_from_slice(quote_literal(value).as_bytes())
                    }
                    Some(value) => out.extend_from_slice(quote_identifier(value).as_bytes()),
                    None => out.extend_from_slice(&self.src[i..=j]),
                }
                self.i = j + 1;
                true
            }
            Some(b'{') if self.at(i + 2) == Some(b'?') => {
                let j = run_end(i + 3);
                if j == i + 3 || self.at(j) != Some(b'}') {
                    return false;
                }
                let defined = self.vars.get(&name(i + 3, j)).is_some();
                out.extend_from_slice(if defined { b"TRUE" } else { b"FALSE" });
                self.i = j + 1;
                true
            }
            _ => false,
        }
    }

    /// psql's `psql_scan_slash_command_end`: a `\\` after a command separates it from SQL.
    fn swallow_double_backslash(&mut self) {
        while self.at(self.i).is_some_and(is_space) {
            self.i += 1;
        }
        if self.at(self.i) == Some(b'\\') && self.at(self.i + 1) == Some(b'\\') {
            self.i += 2;
        }
    }
}

/// psql's `dequote_downcase_identifier` without downcasing: `"a""b"` becomes `a"b`.
fn dequote(arg: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(arg.len());
    let mut in_quotes = false;
    let mut k = 0;
    while k < arg.len() {
        if arg[k] == b'"' {
            if in_quotes && arg.get(k + 1) == Some(&b'"') {
                out.push(b'"');
                k += 2;
                continue;
            }
            in_quotes = !in_quotes;
            k += 1;
        } else {
            out.push(arg[k]);
            k += 1;
        }
    }
    out
}

/// Every meta-command psql 15 knows, so that an error can say when psql would not know one
/// either (a typo, or a command from another tool).
pub(crate) fn is_psql_command(name: &str) -> bool {
    const KNOWN: &[&str] = &[
        "!",
        "?",
        "a",
        "C",
        "c",
        "cd",
        "connect",
        "conninfo",
        "copy",
        "copyright",
        "crosstabview",
        "e",
        "echo",
        "edit",
        "ef",
        "elif",
        "else",
        "encoding",
        "endif",
        "errverbose",
        "ev",
        "f",
        "g",
        "gdesc",
        "gexec",
        "gset",
        "gx",
        "h",
        "help",
        "H",
        "html",
        "i",
        "if",
        "include",
        "include_relative",
        "ir",
        "l",
        "l+",
        "list",
        "list+",
        "lo_export",
        "lo_import",
        "lo_list",
        "lo_unlink",
        "o",
        "out",
        "p",
        "password",
        "print",
        "prompt",
        "pset",
        "q",
        "qecho",
        "quit",
        "r",
        "reset",
        "restrict",
        "s",
        "set",
        "setenv",
        "sf",
        "sf+",
        "sv",
        "sv+",
        "t",
        "T",
        "timing",
        "unrestrict",
        "unset",
        "w",
        "warn",
        "watch",
        "write",
        "x",
        "z",
        "z+",
    ];
    // \d and its many variants (\dt+, \dconfig, ...).
    KNOWN.contains(&name) || name.starts_with('d')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(line: &str) -> (Result<MetaCommand, String>, usize) {
        let mut vars = Variables::default();
        vars.set("db".into(), "my db".into());
        let outcome = read_meta(line.as_bytes(), 0, &vars, None);
        (outcome.result.map_err(|e| e.to_string()), outcome.resume_at)
    }

    #[test]
    fn set_concatenates_its_arguments() {
        let line = r"\set x 'it''s' two three\echo next";
        let (r, resume) = read(line);
        assert_eq!(
            r.unwrap(),
            MetaCommand::Set {
                name: "x".into(),
                value: "it'stwothree".into()
            }
        );
        // An unquoted backslash ends the arguments: it starts the next meta-command.
        assert_eq!(&line[resume..], r"\echo next");
    }

    #[test]
    fn single_quoted_arguments_take_escapes() {
        let (r, _) = read(r"\echo 'a\nb' '\101\x42' :db :'db' :nope");
        assert_eq!(
            r.unwrap(),
            MetaCommand::Echo {
                text: "a\nb AB my db 'my db' :nope".into()
            }
        );
    }

    #[test]
    fn connect_strips_double_quotes_and_keeps_case() {
        let (r, _) = read(r#"\connect -reuse-previous=on "dbname='My DB'""#);
        assert_eq!(
            r.unwrap(),
            MetaCommand::Connect {
                args: vec!["-reuse-previous=on".into(), "dbname='My DB'".into()]
            }
        );
        let (r, _) = read("\\c \"Foo\"\"s\" bob;\r");
        assert_eq!(
            r.unwrap(),
            MetaCommand::Connect {
                args: vec!["Foo\"s".into(), "bob".into()]
            }
        );
    }

    #[test]
    fn a_double_backslash_lets_sql_follow() {
        let line = r"\set a 1 \\ SELECT 1;";
        let (r, resume) = read(line);
        assert_eq!(
            r.unwrap(),
            MetaCommand::Set {
                name: "a".into(),
                value: "1".into()
            }
        );
        assert_eq!(&line[resume..], " SELECT 1;");
    }

    #[test]
    fn backquotes_are_refused() {
        let (r, resume) = read(r"\set now `date` \\ SELECT 1;");
        assert_eq!(
            r.unwrap_err(),
            "backquoted argument of \\set is not supported (it would run a shell command)"
        );
        assert_eq!(resume, r"\set now `date` \\ SELECT 1;".len());
    }

    #[test]
    fn restriction_allows_only_the_matching_unrestrict() {
        let vars = Variables::default();
        let r = read_meta(br"\echo hi", 0, &vars, Some("k1"))
            .result
            .unwrap_err();
        assert_eq!(
            r.to_string(),
            "psql meta-command \\echo is not allowed after \\restrict (only \\unrestrict is)"
        );
        let r = read_meta(br"\unrestrict k2", 0, &vars, Some("k1"))
            .result
            .unwrap_err();
        assert_eq!(
            r.to_string(),
            "\\unrestrict k2 does not match the active \\restrict k1"
        );
        let r = read_meta(b"\\unrestrict k1\r", 0, &vars, Some("k1"))
            .result
            .unwrap();
        assert_eq!(r, MetaCommand::Unrestrict { key: "k1".into() });
        let r = read_meta(br"\unrestrict k1", 0, &vars, None)
            .result
            .unwrap_err();
        assert_eq!(
            r.to_string(),
            "\\unrestrict k1 without a preceding \\restrict"
        );
    }

    #[test]
    fn unknown_commands_are_named() {
        let (r, _) = read(r"\gset prefix_");
        assert!(
            r.unwrap_err()
                .starts_with("unsupported psql meta-command \\gset")
        );
        let (r, _) = read(r"\! rm -rf /");
        assert_eq!(
            r.unwrap_err(),
            "unsupported psql meta-command \\! (it would run a shell command)"
        );
    }
}
