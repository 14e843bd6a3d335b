//! Streaming, bounded memory, positions, options and error recovery, through the public API.

use std::io::Read;

use runbook_sql::{Item, MetaCommand, Position, ReaderOptions, ScanErrorKind, ScriptReader};

/// A `Read` that produces a COPY of `rows` generated rows without holding them in memory.
struct GeneratedCopy {
    header: Vec<u8>,
    rows: usize,
    next: usize,
    pending: Vec<u8>,
    trailer: Vec<u8>,
}

impl GeneratedCopy {
    fn new(rows: usize) -> Self {
        GeneratedCopy {
            header: b"CREATE TABLE big (id int, note text);\nCOPY big FROM stdin;\n".to_vec(),
            rows,
            next: 0,
            pending: Vec::new(),
            trailer: b"\\.\nSELECT count(*) FROM big;\n".to_vec(),
        }
    }
}

impl Read for GeneratedCopy {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if !self.header.is_empty() {
            let n = self.header.len().min(out.len());
            out[..n].copy_from_slice(&self.header[..n]);
            self.header.drain(..n);
            return Ok(n);
        }
        while self.pending.len() < out.len() && self.next < self.rows {
            self.pending.extend_from_slice(
                format!(
                    "{}\trow number {} with some padding text\n",
                    self.next, self.next
                )
                .as_bytes(),
            );
            self.next += 1;
        }
        if self.pending.is_empty() && self.next == self.rows {
            self.pending = std::mem::take(&mut self.trailer);
        }
        let n = self.pending.len().min(out.len());
        out[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

#[test]
fn huge_copy_data_is_streamed_in_bounded_whole_line_chunks() {
    let rows = 600_000; // about 28 MB
    let mut reader = ScriptReader::new(GeneratedCopy::new(rows));
    let mut seen_rows = 0usize;
    let mut chunks = 0usize;
    let mut statements = Vec::new();
    let mut end = None;
    while let Some(item) = reader.next_item().expect("no error") {
        match item {
            Item::CopyData(d) => {
                assert!(
                    d.bytes.len() <= 64 * 1024,
                    "chunk of {} bytes",
                    d.bytes.len()
                );
                assert_eq!(d.bytes.last(), Some(&b'\n'), "chunks hold whole lines");
                seen_rows += d.bytes.iter().filter(|&&b| b == b'\n').count();
                chunks += 1;
                // Streaming: the reader is never more than a couple of blocks ahead.
                assert!(reader.bytes_read() < (seen_rows as u64 + 1) * 60 + 300 * 1024);
            }
            Item::CopyEnd(e) => end = Some(e),
            Item::Statement(s) => statements.push(s.text),
            Item::Meta(m) => panic!("unexpected {m:?}"),
        }
    }
    assert_eq!(seen_rows, rows);
    assert!(chunks > 400, "{chunks} chunks");
    assert_eq!(
        end.map(|e| (e.position.line, e.terminated)),
        Some((rows as u32 + 3, true))
    );
    assert_eq!(
        statements.last().map(String::as_str),
        Some("SELECT count(*) FROM big;")
    );
}

#[test]
fn a_line_longer_than_a_chunk_is_one_chunk() {
    let long = "x".repeat(200_000);
    let input = format!("COPY t FROM stdin;\n{long}\nshort\n\\.\n");
    let items: Vec<Item> = ScriptReader::new(input.as_bytes())
        .map(|i| i.expect("no error"))
        .collect();
    let sizes: Vec<usize> = items
        .iter()
        .filter_map(|i| {
            if let Item::CopyData(d) = i {
                Some(d.bytes.len())
            } else {
                None
            }
        })
        .collect();
    assert_eq!(sizes, vec![200_001, 6]);
}

#[test]
fn copy_data_that_reaches_the_end_of_the_input_is_a_truncated_dump() {
    // psql would load rows 1 and 2 and carry on; a dump cut off in transfer must not restore
    // silently incomplete.
    let mut reader = ScriptReader::new(&b"SELECT 1;\nCOPY public.t (a) FROM stdin;\n1\n2"[..]);
    assert!(matches!(reader.next_item(), Ok(Some(Item::Statement(_)))));
    assert!(matches!(reader.next_item(), Ok(Some(Item::Statement(_)))));
    assert!(matches!(reader.next_item(), Ok(Some(Item::CopyData(d))) if d.bytes == b"1\n2"));
    let error = reader.next_item().expect_err("truncated");
    assert!(error.is_fatal());
    assert_eq!((error.position.line, error.position.column), (4, 2));
    match &error.kind {
        ScanErrorKind::CopyTruncated { table, started } => {
            assert_eq!((table.as_str(), started.line), ("public.t", 2));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        error.kind.to_string(),
        "COPY data for table public.t (line 2) ended at end of file without \\. : the file looks truncated"
    );
    assert!(matches!(reader.next_item(), Ok(None)));
    // No data line at all is truncated too.
    let mut reader = ScriptReader::new(&b"COPY \"Odd T\" FROM stdin;\n"[..]);
    assert!(matches!(reader.next_item(), Ok(Some(Item::Statement(_)))));
    match reader.next_item() {
        Err(e) => assert!(
            matches!(&e.kind, ScanErrorKind::CopyTruncated { table, .. } if table == "\"Odd T\""),
            "{e}"
        ),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_terminator_needs_a_line_of_its_own() {
    // `\.` inside a line is data (as in psql); at the very end of the input it still ends the
    // data even without a newline (the server takes it as the end marker too).
    let items: Vec<Item> = ScriptReader::new(&b"COPY t FROM stdin;\na\\.\n\\.x\n\\."[..])
        .map(|i| i.expect("no error"))
        .collect();
    assert!(matches!(&items[1], Item::CopyData(d) if d.bytes == b"a\\.\n\\.x\n"));
    assert!(matches!(&items[2], Item::CopyEnd(e) if e.terminated));
    assert_eq!(items.len(), 3);
}

/// A `Read` of `len` bytes: `head`, then `fill` repeated; never held in memory.
struct Endless {
    head: Vec<u8>,
    fill: Vec<u8>,
    left: u64,
    read: u64,
}

impl Endless {
    fn new(head: &[u8], fill: &[u8], len: u64) -> Self {
        Endless {
            head: head.to_vec(),
            fill: fill.to_vec(),
            left: len,
            read: 0,
        }
    }
}

impl Read for Endless {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = (out.len() as u64).min(self.left) as usize;
        for (i, byte) in out[..n].iter_mut().enumerate() {
            let at = self.read as usize + i;
            *byte = match self.head.get(at) {
                Some(&b) => b,
                None => self.fill[(at - self.head.len()) % self.fill.len()],
            };
        }
        self.left -= n as u64;
        self.read += n as u64;
        Ok(n)
    }
}

#[test]
fn a_nul_byte_is_refused_at_its_position_without_reading_the_rest() {
    let mut reader = ScriptReader::new(Endless::new(b"SELECT 1;\nSELECT '", b"\0", 1 << 30));
    assert!(matches!(reader.next_item(), Ok(Some(Item::Statement(_)))));
    let error = reader.next_item().expect_err("NUL");
    assert!(error.is_fatal());
    assert_eq!((error.position.line, error.position.column), (2, 9));
    assert_eq!(error.kind.to_string(), "NUL byte: this is not a SQL script");
    assert!(reader.bytes_read() <= 256 * 1024, "{}", reader.bytes_read());
    assert!(matches!(reader.next_item(), Ok(None)));
    // Inside COPY data too.
    let mut reader = ScriptReader::new(&b"COPY t FROM stdin;\n1\n2\x003\n\\.\n"[..]);
    let items: Vec<_> = (&mut reader).collect();
    let error = items
        .last()
        .unwrap()
        .as_ref()
        .expect_err("NUL in COPY data");
    assert!(matches!(error.kind, ScanErrorKind::NulByte));
    assert_eq!((error.position.line, error.position.column), (3, 2));
}

#[test]
fn an_endless_statement_is_an_error_at_its_start_not_an_allocation() {
    let limit = 1 << 20;
    let options = ReaderOptions {
        max_statement_bytes: limit,
        ..ReaderOptions::default()
    };
    // Many lines, no `;`.
    let input = Endless::new(b"SELECT 1;\n  INSERT INTO t VALUES\n", b"(1),\n", 1 << 30);
    let mut reader = ScriptReader::with_options(input, options.clone());
    assert!(matches!(reader.next_item(), Ok(Some(Item::Statement(_)))));
    let error = reader.next_item().expect_err("too long");
    assert!(error.is_fatal());
    assert_eq!((error.position.line, error.position.column), (2, 3));
    assert!(
        error
            .kind
            .to_string()
            .starts_with("statement longer than 1048576 bytes (max_statement_bytes)"),
        "{error}"
    );
    assert!(reader.bytes_read() < 4 * limit, "{}", reader.bytes_read());
    // One endless line, no newline at all: an unclosed quote.
    let mut reader =
        ScriptReader::with_options(Endless::new(b"SELECT 'abc", b"x", 1 << 30), options.clone());
    let error = reader.next_item().expect_err("too long");
    assert_eq!((error.position.line, error.position.column), (1, 1));
    assert!(matches!(error.kind, ScanErrorKind::StatementTooLong { limit: l } if l == limit));
    assert!(reader.bytes_read() < 4 * limit, "{}", reader.bytes_read());
    // A COPY data line as long is refused too.
    let mut reader = ScriptReader::with_options(
        Endless::new(b"COPY t FROM stdin;\n", b"x", 1 << 30),
        options.clone(),
    );
    let items: Vec<_> = (&mut reader).take(100).collect();
    let error = items.last().unwrap().as_ref().expect_err("too long");
    assert!(
        matches!(error.kind, ScanErrorKind::CopyLineTooLong { .. }),
        "{error}"
    );
    // Statements under the limit are untouched.
    let text = format!("SELECT '{}';\n", "y".repeat(900_000));
    let mut reader = ScriptReader::with_options(text.as_bytes(), options);
    assert!(matches!(reader.next_item(), Ok(Some(Item::Statement(_)))));
}

#[test]
fn server_error_positions_map_back_to_the_file() {
    let script =
        "-- header\n\n\n\nSELECT id,\n       name\n  FROM users WHERE name = 'x' AND NUL = 1;\n";
    let statement = ScriptReader::new(script.as_bytes())
        .find_map(|i| {
            if let Ok(Item::Statement(s)) = i {
                Some(s)
            } else {
                None
            }
        })
        .expect("a statement");
    assert_eq!((statement.start.line, statement.start.column), (5, 1));
    let char_index = statement.text.find("NUL").expect("NUL") as u32 + 1;
    let p = statement.position_of_char(char_index);
    assert_eq!((p.line, p.column), (7, 35));
    assert_eq!(&script[p.offset as usize..p.offset as usize + 3], "NUL");
}

#[test]
fn positions_count_characters_and_survive_dropped_blank_lines() {
    // psql drops the blank line; the text is one line shorter than the file.
    let script = "SELECT '日本語',\n\n       bad_column;\n";
    let statement = match ScriptReader::new(script.as_bytes()).next() {
        Some(Ok(Item::Statement(s))) => s,
        other => panic!("{other:?}"),
    };
    assert_eq!(statement.text, "SELECT '日本語',\n       bad_column;");
    let index = statement.text.chars().position(|c| c == 'b').expect("b") as u32 + 1;
    let p = statement.position_of_char(index);
    assert_eq!(
        (p.line, p.column, p.offset),
        (3, 8, script.find("bad").expect("bad") as u64)
    );
    assert_eq!(
        statement.end,
        Position {
            offset: script.len() as u64 - 1,
            line: 3,
            column: 19
        }
    );
}

#[test]
fn interpolated_text_maps_to_the_variable_reference() {
    let script = "\\set cols 'a, b'\nSELECT :cols, c FROM t;\n";
    let statement = ScriptReader::new(script.as_bytes())
        .find_map(|i| {
            if let Ok(Item::Statement(s)) = i {
                Some(s)
            } else {
                None
            }
        })
        .expect("a statement");
    assert_eq!(statement.text, "SELECT a, b, c FROM t;");
    assert!(statement.interpolated);
    let b = statement.position_of_char(11);
    assert_eq!(
        (b.line, b.column),
        (2, 8),
        "inside the value: the reference"
    );
    let c = statement.position_of_char(14);
    assert_eq!(
        (c.line, c.column),
        (2, 15),
        "after the value: the file again"
    );
}

#[test]
fn a_bom_at_the_start_is_skipped_like_psql_skips_it_and_reported() {
    let script = "\u{feff}SELECT 1;\nSELECT '\u{feff}';\n";
    let mut reader = ScriptReader::new(script.as_bytes());
    assert!(!reader.starts_with_bom(), "not known before reading");
    let first = match reader.next_item() {
        Ok(Some(Item::Statement(s))) => s,
        other => panic!("{other:?}"),
    };
    assert!(reader.starts_with_bom());
    assert_eq!(first.text, "SELECT 1;");
    assert_eq!(
        first.start,
        Position {
            offset: 3,
            line: 1,
            column: 2
        }
    );
    assert_eq!(
        first.end,
        Position {
            offset: 12,
            line: 1,
            column: 11
        }
    );
    // Only at the very start: elsewhere it is an ordinary character.
    assert!(
        matches!(reader.next_item(), Ok(Some(Item::Statement(s))) if s.text == "SELECT '\u{feff}';")
    );
    let mut plain = ScriptReader::new(&b"SELECT 1;"[..]);
    assert!(plain.next_item().is_ok_and(|i| i.is_some()));
    assert!(!plain.starts_with_bom());
}

#[test]
fn the_executor_can_sync_standard_conforming_strings() {
    let script = "SELECT 1;\nSELECT 'a\\';\nSELECT 2;\n";
    let mut reader = ScriptReader::new(script.as_bytes());
    assert!(reader.standard_conforming_strings());
    assert!(matches!(reader.next_item(), Ok(Some(Item::Statement(_)))));
    reader.set_standard_conforming_strings(false);
    // Now `\'` does not end the literal: the rest of the file is inside it.
    let err = reader.next_item().expect_err("unterminated");
    assert_eq!(
        err.to_string(),
        "2:8: escape string E'...' is never closed (the input ends inside it)"
    );
}

#[test]
fn option_variables_act_like_psql_dash_v() {
    let mut options = ReaderOptions::default();
    options.variables.insert("schema".into(), "Ops".into());
    let texts: Vec<String> =
        ScriptReader::with_options(&b"SET search_path = :\"schema\";\n"[..], options)
            .filter_map(|i| {
                if let Ok(Item::Statement(s)) = i {
                    Some(s.text)
                } else {
                    None
                }
            })
            .collect();
    assert_eq!(texts, vec!["SET search_path = \"Ops\";"]);
}

#[test]
fn reading_goes_on_after_a_meta_command_error_and_stops_after_a_fatal_one() {
    let mut reader = ScriptReader::new(&b"\\gset x\nSELECT 1;\nSELECT '\xff';\nSELECT 2;\n"[..]);
    let err = reader.next_item().expect_err("\\gset");
    assert!(matches!(&err.kind, ScanErrorKind::UnsupportedMetaCommand { name } if name == "gset"));
    assert!(!err.is_fatal());
    assert!(matches!(reader.next_item(), Ok(Some(Item::Statement(s))) if s.text == "SELECT 1;"));
    let err = reader.next_item().expect_err("invalid UTF-8");
    assert!(err.is_fatal());
    assert_eq!(
        err.position,
        Position {
            offset: 26,
            line: 3,
            column: 9
        }
    );
    assert!(matches!(reader.next_item(), Ok(None)));
}

#[test]
fn set_and_unset_are_applied_and_yielded() {
    let items: Vec<Item> = ScriptReader::new(&b"\\set a 1\n\\unset a\nSELECT :a;\n"[..])
        .map(|i| i.expect("ok"))
        .collect();
    assert!(
        matches!(&items[0], Item::Meta(m) if m.command == MetaCommand::Set { name: "a".into(), value: "1".into() })
    );
    assert!(
        matches!(&items[1], Item::Meta(m) if m.command == MetaCommand::Unset { name: "a".into() })
    );
    assert!(matches!(&items[2], Item::Statement(s) if s.text == "SELECT :a;" && !s.interpolated));
}

#[test]
fn an_unsupported_meta_command_is_never_part_of_a_statement() {
    let texts: Vec<String> = ScriptReader::new(&b"SELECT 1 \\! rm -rf /\n;\n"[..])
        .filter_map(|i| {
            if let Ok(Item::Statement(s)) = i {
                Some(s.text)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(texts, vec!["SELECT 1 \n;"]);
}

#[test]
fn a_last_statement_without_its_semicolon_is_refused_when_asked() {
    let options = ReaderOptions {
        final_statement_needs_semicolon: true,
        ..ReaderOptions::default()
    };
    // A dump cut off inside `DELETE FROM t WHERE id = 1;`.
    let mut reader =
        ScriptReader::with_options(&b"SELECT 1;\n\nDELETE FROM t"[..], options.clone());
    assert!(matches!(reader.next_item(), Ok(Some(Item::Statement(_)))));
    let error = reader.next_item().expect_err("cut off");
    assert!(error.is_fatal());
    assert!(matches!(error.kind, ScanErrorKind::StatementCutOff));
    assert_eq!((error.position.line, error.position.column), (3, 1));
    assert!(matches!(reader.next_item(), Ok(None)));
    // Only a comment left: harmless, sent as psql sends it.
    let items: Vec<_> = ScriptReader::with_options(&b"SELECT 1;\n/* end */"[..], options)
        .collect::<Result<_, _>>()
        .expect("no error");
    assert_eq!(items.len(), 2);
    // Off by default, as in psql.
    let items: Vec<_> = ScriptReader::new(&b"DELETE FROM t"[..])
        .collect::<Result<_, _>>()
        .expect("no error");
    assert!(matches!(&items[0], Item::Statement(s) if !s.terminated));
}

#[test]
fn a_variable_holding_a_nul_byte_is_refused_at_its_reference() {
    for script in ["SELECT 1;\nSELECT :'v';\n", "SELECT 1;\nSELECT :v;\n"] {
        let options = ReaderOptions {
            variables: [("v".to_owned(), "a\0b".to_owned())].into_iter().collect(),
            ..ReaderOptions::default()
        };
        let mut reader = ScriptReader::with_options(script.as_bytes(), options);
        assert!(matches!(reader.next_item(), Ok(Some(Item::Statement(_)))));
        let error = reader.next_item().expect_err("NUL in a variable");
        assert!(error.is_fatal());
        assert_eq!(
            (error.position.line, error.position.column),
            (2, 8),
            "{script}"
        );
        assert_eq!(
            error.kind.to_string(),
            "psql variable v holds a NUL byte, which no SQL text can contain"
        );
    }
}
