//! Benchmark helper (see `scripts/bench-consent`): reads a script, runs every statement through
//! the consent analysis, and prints statements, statements needing consent, seconds and MB/s.
//!
//!   cargo run --release -p runbook-sql --example consent -- FILE

#![allow(clippy::print_stdout, reason = "a benchmark prints its figures")]

use std::time::Instant;

use runbook_sql::analysis::{ConsentAnalyzer, Risk};
use runbook_sql::{Item, ScriptReader};

fn main() {
    let path = std::env::args().nth(1).expect("usage: consent FILE");
    let size = std::fs::metadata(&path).expect("the file").len();
    let file = std::fs::File::open(&path).expect("the file");
    let started = Instant::now();
    let mut analyzer = ConsentAnalyzer::new();
    let (mut statements, mut consent) = (0u64, 0u64);
    for item in ScriptReader::new(std::io::BufReader::with_capacity(256 * 1024, file)) {
        if let Ok(Item::Statement(s)) = item {
            statements += 1;
            if let Risk::NeedsConsent(_) =
                analyzer.statement(&s.text, s.standard_conforming_strings)
            {
                consent += 1;
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{path}: {statements} statements, {consent} needing consent, {seconds:.2} s, {:.1} MB/s, {:.0} statements/s",
        size as f64 / 1e6 / seconds,
        statements as f64 / seconds
    );
}
