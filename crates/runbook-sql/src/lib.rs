//! Pure, streaming reader of psql scripts: statements, COPY data and meta-commands with
//! positions.
//!
//! [`ScriptReader`] splits a script exactly where psql 15 splits it (quotes, dollar quotes,
//! nested comments, `BEGIN ATOMIC` bodies, `\;`, psql variables, `standard_conforming_strings`)
//! and yields [`Item`]s in the order psql acts on them: statements to send, `COPY ... FROM
//! STDIN` data to stream, supported meta-commands (`\restrict`, `\connect`, `\set`, ...).
//! The statement text is what psql sends, byte for byte: psql's own edits are reproduced
//! (leading whitespace and `--` comments dropped, blank lines between lines of a statement
//! dropped, `\;` and `\:` without their backslash, a UTF-8 BOM at the start skipped).
//! Where psql's behaviour depends on the server, the reader assumes the normal case: the lines
//! after `COPY ... FROM STDIN` are always data (psql reads them as SQL when the server rejects
//! the COPY), and `SET standard_conforming_strings` is assumed to succeed (the executor can
//! correct it with [`ScriptReader::set_standard_conforming_strings`]).
//! Every item carries its [`Position`] in the file; [`Statement::position_of_char`] maps a
//! server error position back to the file.
//!
//! Data flow: `Read` → `window` (64 KiB blocks, UTF-8 validation, whole lines) → `lexer`
//! (psql's state machine) → `builder` (psql's query buffer, with provenance) → `reader`
//! (items, meta-commands via `meta`, COPY data). Memory is bounded by the longest statement
//! plus one COPY chunk. Nothing here does I/O beyond reading the given `Read`, and nothing runs
//! a command: unsupported meta-commands are errors, never passed on.
//!
//! [`analysis`] tells what a statement does without a server (read-only, transaction control,
//! destructive and to what), for dry runs and protected targets.

pub mod analysis;
mod builder;
mod chars;
mod errors;
mod item;
mod lexer;
mod meta;
mod options;
mod position;
mod reader;
mod variables;
mod window;

pub use errors::{Construct, ScanError, ScanErrorKind};
pub use item::{CopyData, CopyDirection, CopyEnd, Item, Meta, MetaCommand, SourceRun, Statement};
pub use options::{DEFAULT_MAX_STATEMENT_BYTES, ReaderOptions};
pub use position::Position;
pub use reader::ScriptReader;
