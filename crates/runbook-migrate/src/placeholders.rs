//! Flyway's placeholder replacement, as its `PlaceholderReplacingReader` does it: a filter on
//! the script's text before any parsing, so `${name}` is replaced everywhere (comments, string
//! literals, dollar-quoted bodies). After the prefix the name runs to the first suffix (no
//! nesting); names are case-insensitive; the built-ins (`${flyway:defaultSchema}`,
//! `${flyway:user}`, ...) override configured placeholders of the same name
//! (`placeholders.putAll(configurationPlaceholders); placeholders.putAll(parsingContextPlaceholders)`);
//! an empty value replaces the placeholder with nothing; an unknown one is an error.
//!
//! Streaming: a `Read` adapter over the file with a bounded look-ahead (a placeholder name may
//! be at most `MAX_NAME` bytes), so a large data migration never sits in memory.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use crate::config::{Config, Format};
use crate::errors::MigrateError;
use crate::migration::Migration;

/// The longest placeholder name looked for before the reader gives up on a missing suffix.
pub const MAX_NAME: usize = 4096;

/// Flyway's built-in placeholders (`ParsingContext`). Values the server knows (`user`,
/// `database`) are filled in by the caller; None leaves the placeholder unknown, so a script
/// that uses it fails with a message naming it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuiltIns {
    /// `${flyway:defaultSchema}`: `defaultSchema`, else the first of `schemas`, else the
    /// connection's current schema.
    pub default_schema: Option<String>,
    /// `${flyway:user}`: `SELECT current_user` (not `installedBy`).
    pub user: Option<String>,
    /// `${flyway:database}`: the database name.
    pub database: Option<String>,
    /// `${flyway:timestamp}`: `yyyy-MM-dd HH:mm:ss`, local time, taken once per run.
    pub timestamp: Option<String>,
    /// `${flyway:workingDirectory}`.
    pub working_directory: Option<String>,
    /// `${flyway:table}`: the history table's name.
    pub table: Option<String>,
    /// `${flyway:environment}`.
    pub environment: Option<String>,
}

impl BuiltIns {
    /// What is known without a server: the default schema and table from the config, the
    /// timestamp now, the process's working directory.
    pub fn from_config(config: &Config) -> BuiltIns {
        BuiltIns {
            default_schema: config.default_schema().map(str::to_owned),
            user: None,
            database: None,
            timestamp: Some(chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string()),
            working_directory: std::env::current_dir()
                .ok()
                .map(|d| d.display().to_string()),
            table: Some(config.table.clone()),
            environment: None,
        }
    }
}

/// The lookup table for one script: lower-cased names → values.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Values {
    map: BTreeMap<String, String>,
}

impl fmt::Debug for Values {
    /// Values may be secrets: only the names are shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.map.keys()).finish()
    }
}

impl Values {
    /// Configured placeholders, then the built-ins over them, for the script `file_name`.
    pub fn new(config: &Config, builtins: &BuiltIns, file_name: &str) -> Values {
        let mut map: BTreeMap<String, String> = config
            .placeholders
            .iter()
            .map(|(k, v)| (k.to_lowercase(), v.clone()))
            .collect();
        let builtin = [
            ("defaultschema", &builtins.default_schema),
            ("user", &builtins.user),
            ("database", &builtins.database),
            ("timestamp", &builtins.timestamp),
            ("workingdirectory", &builtins.working_directory),
            ("table", &builtins.table),
            ("environment", &builtins.environment),
        ];
        for (name, value) in builtin {
            if let Some(v) = value {
                map.insert(format!("flyway:{name}"), v.clone());
            }
        }
        map.insert("flyway:filename".to_owned(), file_name.to_owned());
        Values { map }
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.map.get(&name.to_lowercase()).map(String::as_str)
    }
}

/// A placeholder that could not be replaced, carried inside the `io::Error` the reader returns
/// (`io::Error::other`), so callers can downcast it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct PlaceholderError {
    pub file: String,
    pub line: u64,
    pub message: String,
}

/// Replaces placeholders in a byte stream.
#[derive(Debug)]
pub struct PlaceholderReader<R> {
    inner: R,
    values: Values,
    prefix: Vec<u8>,
    suffix: Vec<u8>,
    prefix_text: String,
    suffix_text: String,
    file: String,
    /// Unprocessed input.
    window: Vec<u8>,
    /// The read buffer (allocated once).
    chunk: Vec<u8>,
    pos: usize,
    eof: bool,
    /// Replaced output not yet handed out.
    out: Vec<u8>,
    out_pos: usize,
    /// 1-based line of `window[pos]` in the input.
    line: u64,
    done: bool,
}

impl<R: Read> PlaceholderReader<R> {
    pub fn new(inner: R, config: &Config, values: Values, file: &str) -> PlaceholderReader<R> {
        PlaceholderReader {
            inner,
            values,
            prefix: config.placeholder_prefix.as_bytes().to_vec(),
            suffix: config.placeholder_suffix.as_bytes().to_vec(),
            prefix_text: config.placeholder_prefix.clone(),
            suffix_text: config.placeholder_suffix.clone(),
            file: file.to_owned(),
            window: Vec::new(),
            chunk: vec![0; 16 * 1024],
            pos: 0,
            eof: false,
            out: Vec::new(),
            out_pos: 0,
            line: 1,
            done: false,
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        if self.pos > 0 {
            self.window.drain(..self.pos);
            self.pos = 0;
        }
        loop {
            match self.inner.read(&mut self.chunk) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.window.extend_from_slice(&self.chunk[..n]);
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn emit_input(&mut self, end: usize) {
        let chunk = &self.window[self.pos..end];
        self.line += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
        self.out.extend_from_slice(chunk);
        self.pos = end;
    }

    fn error(&self, message: String) -> io::Error {
        io::Error::other(PlaceholderError {
            file: self.file.clone(),
            line: self.line,
            message,
        })
    }

    /// Produces some output into `out`, or sets `done`.
    fn step(&mut self) -> io::Result<()> {
        loop {
            let avail = &self.window[self.pos..];
            if let Some(at) = find(avail, &self.prefix) {
                let start = self.pos + at;
                self.emit_input(start);
                let name_start = start + self.prefix.len();
                let found = find(&self.window[name_start..], &self.suffix);
                // Judged on the name's length, not on how much happens to be buffered, so the
                // outcome does not depend on read sizes.
                if found.is_some_and(|len| len > MAX_NAME)
                    || (found.is_none() && self.window.len() - name_start > MAX_NAME)
                {
                    return Err(self.error(format!(
                        "placeholder {} not closed by {} within {MAX_NAME} bytes",
                        self.prefix_text, self.suffix_text
                    )));
                }
                if let Some(len) = found {
                    let name_bytes = &self.window[name_start..name_start + len];
                    let name = String::from_utf8_lossy(name_bytes).into_owned();
                    let Some(value) = self.values.get(&name) else {
                        let shown = format!("{}{name}{}", self.prefix_text, self.suffix_text);
                        let message = if name.to_lowercase().starts_with("flyway:") {
                            format!(
                                "no value for Flyway's built-in placeholder {shown} (Flyway: \"Failed to populate value for default placeholder\")"
                            )
                        } else {
                            format!(
                                "no value provided for placeholder {shown} (give it in the step's placeholders: or as flyway.placeholders.{name}, or turn placeholder replacement off)"
                            )
                        };
                        return Err(self.error(message));
                    };
                    self.out.extend_from_slice(value.as_bytes());
                    let end = name_start + len + self.suffix.len();
                    self.line += self.window[self.pos..end]
                        .iter()
                        .filter(|&&b| b == b'\n')
                        .count() as u64;
                    self.pos = end;
                    if !self.out.is_empty() {
                        return Ok(());
                    }
                    continue;
                }
                if self.eof {
                    return Err(self.error(format!(
                        "placeholder {} not closed by {} before the end of the file",
                        self.prefix_text, self.suffix_text
                    )));
                }
                self.fill()?;
                continue;
            }
            // No prefix in view: everything but a possible partial prefix at the end is text.
            let keep = if self.eof {
                0
            } else {
                (self.prefix.len() - 1).min(avail.len())
            };
            let end = self.window.len() - keep;
            self.emit_input(end);
            if !self.out.is_empty() {
                return Ok(());
            }
            if self.eof {
                self.done = true;
                return Ok(());
            }
            self.fill()?;
        }
    }
}

impl<R: Read> Read for PlaceholderReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_pos >= self.out.len() {
            self.out.clear();
            self.out_pos = 0;
            if self.done || buf.is_empty() {
                return Ok(0);
            }
            self.step()?;
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Whether this migration's text goes through placeholder replacement.
pub fn replaces(config: &Config) -> bool {
    config.format == Format::Flyway
        && config.placeholder_replacement
        && !config.placeholder_prefix.is_empty()
        && !config.placeholder_suffix.is_empty()
}

fn open_file(migration: &Migration) -> Result<File, MigrateError> {
    File::open(&migration.path).map_err(|source| MigrateError::Io {
        path: migration.path.clone(),
        source,
    })
}

/// A read error of a script through [`PlaceholderReader`]: the placeholder problem with its
/// file and line when that is what it was, else the I/O error on `path`.
fn placeholder_error(path: &Path, e: io::Error) -> MigrateError {
    let message = e.to_string();
    match e
        .into_inner()
        .map(|inner| inner.downcast::<PlaceholderError>())
    {
        Some(Ok(p)) => MigrateError::Placeholder {
            file: p.file,
            line: p.line,
            message: p.message,
        },
        _ => MigrateError::Io {
            path: path.to_owned(),
            source: io::Error::other(message),
        },
    }
}

/// The script to execute: the file through placeholder replacement (Flyway, when on), raw for
/// Prisma and plain. With replacement on, the file is streamed through once first so an
/// unknown placeholder is refused before a single statement runs.
pub fn open_script(
    config: &Config,
    migration: &Migration,
    builtins: &BuiltIns,
) -> Result<Box<dyn Read + Send>, MigrateError> {
    let file = open_file(migration)?;
    if !replaces(config) {
        return Ok(Box::new(BufReader::new(file)));
    }
    let values = Values::new(config, builtins, &migration.file_name);
    let mut check = PlaceholderReader::new(
        BufReader::new(file),
        config,
        values.clone(),
        &migration.script,
    );
    io::copy(&mut check, &mut io::sink()).map_err(|e| placeholder_error(&migration.path, e))?;
    let file = open_file(migration)?;
    Ok(Box::new(PlaceholderReader::new(
        BufReader::new(file),
        config,
        values,
        &migration.script,
    )))
}

/// The Flyway checksum of the script after replacement (a repeatable's recorded checksum).
pub(crate) fn replaced_checksum(
    config: &Config,
    path: &std::path::Path,
    script: &str,
    file_name: &str,
    builtins: &BuiltIns,
) -> Result<i32, MigrateError> {
    let file = File::open(path).map_err(|source| MigrateError::Io {
        path: path.to_owned(),
        source,
    })?;
    let values = Values::new(config, builtins, file_name);
    let reader = PlaceholderReader::new(BufReader::new(file), config, values, script);
    crate::flyway::checksum(reader).map_err(|e| placeholder_error(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        let mut c = Config::new(Format::Flyway);
        c.placeholders.insert("App_Role".into(), "app".into());
        c.placeholders.insert("empty".into(), "".into());
        c.placeholders.insert("brace".into(), "}{".into());
        c
    }

    fn values(c: &Config) -> Values {
        let b = BuiltIns {
            default_schema: Some("opendolphin".into()),
            user: Some("postgres".into()),
            ..BuiltIns::default()
        };
        Values::new(c, &b, "R__grants.sql")
    }

    /// Whole-string replacement, the reference the streaming reader must agree with.
    fn reference(c: &Config, v: &Values, text: &str) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find(&c.placeholder_prefix) {
            out.push_str(&rest[..at]);
            let after = &rest[at + c.placeholder_prefix.len()..];
            let end = after.find(&c.placeholder_suffix).ok_or("unclosed")?;
            out.push_str(v.get(&after[..end]).ok_or("unknown")?);
            rest = &after[end + c.placeholder_suffix.len()..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Hands out the input in two reads split at `split`, then one byte at a time.
    struct Split<'a> {
        data: &'a [u8],
        first: usize,
    }

    impl Read for Split<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = if self.first > 0 {
                std::mem::take(&mut self.first)
            } else {
                1
            }
            .min(out.len())
            .min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn every_split_point_agrees_with_whole_replacement() {
        let c = config();
        let v = values(&c);
        let text = "grant x to ${app_role}; -- ${APP_ROLE}\n$$ ${flyway:defaultSchema}.t $$ ${empty}|${brace}$ {x} $${flyway:user}\n'${flyway:filename}'${";
        let inputs = [
            &text[..text.len() - 2],
            "no placeholders at all\n",
            "$$$",
            "",
            "${app_role}",
        ];
        for input in inputs {
            let want = reference(&c, &v, input).expect("reference");
            assert_every_split(&c, &v, input, "R__grants.sql", &want);
        }
    }

    #[test]
    fn multi_byte_prefix_and_suffix() {
        let mut c = config();
        c.placeholder_prefix = "#[[".into();
        c.placeholder_suffix = "]]#".into();
        let v = values(&c);
        let input = "a #[[app_role]]# b #[#[[empty]]#]]# ${app_role} #[[flyway:user]]#";
        let want = reference(&c, &v, input).expect("reference");
        assert_eq!(want, "a app b #[]]# ${app_role} postgres");
        assert_every_split(&c, &v, input, "V1__x.sql", &want);
    }

    /// Replacing `input` read in two pieces, split at every byte, gives `want`.
    fn assert_every_split(c: &Config, v: &Values, input: &str, script: &str, want: &str) {
        for split in 0..=input.len() {
            let mut r = PlaceholderReader::new(
                Split {
                    data: input.as_bytes(),
                    first: split,
                },
                c,
                v.clone(),
                script,
            );
            let mut got = String::new();
            r.read_to_string(&mut got).expect("replaces");
            assert_eq!(got, want, "split at {split} of {input:?}");
        }
    }

    fn error_of(input: &str) -> PlaceholderError {
        let c = config();
        let mut r = PlaceholderReader::new(input.as_bytes(), &c, values(&c), "V2__x.sql");
        let e = r.read_to_end(&mut Vec::new()).expect_err("fails");
        *e.into_inner()
            .expect("custom")
            .downcast::<PlaceholderError>()
            .expect("placeholder error")
    }

    #[test]
    fn errors_name_the_placeholder_and_line() {
        let e = error_of("select 1;\nselect 2;\n-- ${nope}\n");
        assert_eq!((e.file.as_str(), e.line), ("V2__x.sql", 3));
        assert!(e.message.contains("${nope}"), "{e}");
        let e = error_of("\n${flyway:database}");
        assert_eq!(e.line, 2);
        assert!(e.message.contains("${flyway:database}"), "{e}");
        let e = error_of("x ${unclosed");
        assert!(e.message.contains("not closed"), "{e}");
        let long = format!("${{{}", "a".repeat(MAX_NAME + 10));
        assert!(error_of(&long).message.contains("not closed"));
    }
}
