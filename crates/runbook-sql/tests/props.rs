//! A no-panic property test with invariants: random byte strings, random soups of the
//! constructs the lexer cares about, and mutations of the `ok/` fixtures, from a fixed seed
//! (so a failure is reproducible: the message names the case).

use std::path::Path;

use runbook_sql::analysis::{ConsentAnalyzer, classify, inspect_read_query};
use runbook_sql::{Item, Position, ReaderOptions, ScriptReader};

/// xorshift64*: small, deterministic, good enough to pick fragments.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const FRAGMENTS: &[&str] = &[
    "SELECT ",
    "1",
    " ",
    "\n",
    "\r\n",
    "\r",
    "\t",
    ";",
    "\\;",
    "\\:",
    "'",
    "''",
    "E'",
    "e'\\'",
    "B'",
    "X'",
    "N'",
    "U&'",
    "U&\"",
    "\"",
    "\"\"",
    "$$",
    "$a$",
    "$b$",
    "$1",
    "a$b$",
    "/*",
    "*/",
    "--",
    "-",
    "*",
    "/",
    "(",
    ")",
    ":v",
    ":'v'",
    ":\"v\"",
    ":{?v}",
    "::",
    ":",
    "\\set v 'x;y'\n",
    "\\set v :v\n",
    "\\echo a :v\n",
    "\\restrict k\n",
    "\\unrestrict k\n",
    "\\gset\n",
    "\\\\",
    "\\",
    "CREATE FUNCTION f() BEGIN ATOMIC ",
    "CREATE OR REPLACE PROCEDURE ",
    "BEGIN ",
    "CASE ",
    "END",
    "END;",
    "COPY t FROM stdin;\n",
    "COPY t FROM stdin; SELECT 2;\n",
    "\\.\n",
    "\\.\r\n",
    "SET standard_conforming_strings = off;\n",
    "RESET ALL;\n",
    "日本語",
    "\u{feff}",
    "é",
    "1e'",
    "x",
    "abc",
    "DROP TABLE IF EXISTS t CASCADE",
    "DELETE FROM t",
    "\\connect -reuse-previous=on \"dbname='x'\"\n",
    "\\set cmd '\\\\echo x'\n",
    ":cmd ",
    "\n\n",
];

fn soup(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    for _ in 0..rng.below(40) {
        out.extend_from_slice(FRAGMENTS[rng.below(FRAGMENTS.len())].as_bytes());
    }
    out
}

fn random_bytes(rng: &mut Rng) -> Vec<u8> {
    let alphabet = b"'\"$;\\:/*-()\n\r EBXNU&abc0.\xe6\x97\xa5\xff";
    (0..rng.below(120))
        .map(|_| alphabet[rng.below(alphabet.len())])
        .collect()
}

fn mutate(rng: &mut Rng, base: &[u8]) -> Vec<u8> {
    let mut out = base.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(4) {
            0 if at < out.len() => {
                out.remove(at);
            }
            1 => {
                let bytes = b"'\"$;\\/*\n\xff";
                out.insert(at, bytes[rng.below(bytes.len())]);
            }
            2 => {
                let fragment = FRAGMENTS[rng.below(FRAGMENTS.len())].as_bytes();
                out.splice(at..at, fragment.iter().copied());
            }
            _ => out.truncate(at),
        }
    }
    out
}

/// The position of `offset` computed from scratch, as the reader should have it.
fn expected_position(input: &[u8], offset: u64) -> Position {
    let prefix = &input[..offset as usize];
    let line = 1 + prefix.iter().filter(|&&b| b == b'\n').count() as u32;
    let line_start = prefix
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |k| k + 1);
    let column = 1 + prefix[line_start..]
        .iter()
        .filter(|&&b| (b & 0xC0) != 0x80)
        .count() as u32;
    Position {
        offset,
        line,
        column,
    }
}

fn check_position(input: &[u8], p: Position, what: &str, case: &str) {
    assert!(
        p.offset as usize <= input.len(),
        "{case}: {what} {p:?} beyond the input"
    );
    assert_eq!(p, expected_position(input, p.offset), "{case}: {what}");
}

/// Reads `input` to the end and checks the invariants.
fn check(input: &[u8], case: &str) {
    let mut options = ReaderOptions::default();
    options
        .variables
        .insert("v".into(), "1; SELECT 'two'".into());
    let mut reader = ScriptReader::with_options(input, options);
    let mut consumed = 0usize;
    let mut last_statement_end = 0u64;
    let mut last_meta = 0u64;
    let mut fatal = false;
    for _ in 0..(input.len() * 4 + 64) {
        let item = match reader.next_item() {
            Ok(Some(item)) => item,
            Ok(None) => return,
            Err(e) => {
                assert!(!fatal, "{case}: an error after a fatal error");
                check_position(input, e.position, "error", case);
                fatal = e.is_fatal();
                let _ = e.to_string();
                continue;
            }
        };
        assert!(!fatal, "{case}: an item after a fatal error");
        match item {
            Item::Statement(s) => {
                check_position(input, s.start, "statement start", case);
                check_position(input, s.end, "statement end", case);
                assert!(
                    s.start.offset <= s.end.offset,
                    "{case}: start after end in {s:?}"
                );
                assert!(
                    s.start.offset >= last_statement_end,
                    "{case}: statements overlap at {s:?}"
                );
                last_statement_end = s.end.offset;
                for run in s.source_runs() {
                    check_position(input, run.from, "run", case);
                    let text = &s.text.as_bytes()[run.text.clone()];
                    if run.verbatim {
                        let from = run.from.offset as usize;
                        assert_eq!(
                            input.get(from..from + text.len()),
                            Some(text),
                            "{case}: run {run:?} of {s:?}"
                        );
                        consumed += text.len();
                    } else {
                        assert!(
                            s.interpolated || text == b"\n",
                            "{case}: produced text without a variable in {s:?}"
                        );
                    }
                }
                for k in [0, 1, s.text.chars().count() as u32, u32::MAX] {
                    check_position(input, s.position_of_char(k), "position_of_char", case);
                }
                let _ = classify(&s.text);
                let _ = ConsentAnalyzer::new().statement(&s.text, s.standard_conforming_strings);
                let _ = inspect_read_query(&s.text, s.standard_conforming_strings);
            }
            Item::Meta(m) => {
                check_position(input, m.position, "meta", case);
                assert!(
                    m.position.offset >= last_meta,
                    "{case}: meta-commands out of order"
                );
                last_meta = m.position.offset;
            }
            Item::CopyData(d) => {
                assert!(!d.bytes.is_empty(), "{case}: empty COPY chunk");
                consumed += d.bytes.len();
            }
            Item::CopyEnd(e) => check_position(input, e.position, "copy end", case),
        }
        assert!(
            consumed <= input.len(),
            "{case}: items hold more bytes than the input"
        );
    }
    panic!("{case}: the reader did not finish");
}

#[test]
fn random_inputs_never_panic_and_keep_the_invariants() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    for case in 0..3000 {
        let input = if case % 3 == 0 {
            random_bytes(&mut rng)
        } else {
            soup(&mut rng)
        };
        check(
            &input,
            &format!("case {case} {:?}", String::from_utf8_lossy(&input)),
        );
        let _ = classify(&String::from_utf8_lossy(&input));
    }
}

#[test]
fn mutated_fixtures_never_panic_and_keep_the_invariants() {
    let mut rng = Rng(0x5eed_5678_ef01_0002);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ok");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("ok/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    for file in files
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
    {
        let base = std::fs::read(file).expect("read");
        check(&base, &file.display().to_string());
        for k in 0..150 {
            let input = mutate(&mut rng, &base);
            check(
                &input,
                &format!(
                    "{} mutation {k}: {:?}",
                    file.display(),
                    String::from_utf8_lossy(&input)
                ),
            );
        }
    }
}
