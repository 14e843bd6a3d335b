//! Feeds arbitrary bytes through `runbook_sql::ScriptReader` (in reads of varying size, to
//! exercise the window's block boundaries) and `analysis::classify`. It must never panic, never
//! loop, and every position and verbatim run must agree with the input.

#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;
use runbook_sql::analysis::classify;
use runbook_sql::{Item, Position, ReaderOptions, ScriptReader};

/// Hands out the input in reads of `step` bytes.
struct Steps<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Steps<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(out.len()).min(self.data.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn expected_position(input: &[u8], offset: u64) -> Position {
    let prefix = &input[..offset as usize];
    let line = 1 + prefix.iter().filter(|&&b| b == b'\n').count() as u32;
    let line_start = prefix.iter().rposition(|&b| b == b'\n').map_or(0, |k| k + 1);
    let column = 1 + prefix[line_start..].iter().filter(|&&b| (b & 0xC0) != 0x80).count() as u32;
    Position { offset, line, column }
}

fn check(input: &[u8], p: Position) {
    assert!(p.offset as usize <= input.len(), "{p:?} beyond the input");
    assert_eq!(p, expected_position(input, p.offset));
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, input)) = data.split_first() else { return };
    let step = 1 + usize::from(first) * 7;
    let mut options = ReaderOptions::default();
    options.standard_conforming_strings = first & 1 == 0;
    options.variables.insert("v".into(), "x; 'y".into());
    let mut reader = ScriptReader::with_options(Steps { data: input, step }, options);
    let mut consumed = 0usize;
    for _ in 0..input.len() * 4 + 64 {
        match reader.next_item() {
            Ok(None) => {
                let _ = classify(&String::from_utf8_lossy(input));
                return;
            }
            Err(e) => {
                check(input, e.position);
                let _ = e.to_string();
            }
            Ok(Some(Item::Statement(s))) => {
                check(input, s.start);
                check(input, s.end);
                for run in s.source_runs() {
                    check(input, run.from);
                    let text = &s.text.as_bytes()[run.text.clone()];
                    if run.verbatim {
                        let from = run.from.offset as usize;
                        assert_eq!(input.get(from..from + text.len()), Some(text));
                        consumed += text.len();
                    }
                }
                let _ = s.position_of_char(u32::from(first));
                let _ = classify(&s.text);
            }
            Ok(Some(Item::Meta(m))) => check(input, m.position),
            Ok(Some(Item::CopyData(d))) => consumed += d.bytes.len(),
            Ok(Some(Item::CopyEnd(e))) => check(input, e.position),
        }
        assert!(consumed <= input.len());
    }
    panic!("the reader did not finish");
});
