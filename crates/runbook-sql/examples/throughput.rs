//! Measures how fast the reader goes through a file: `cargo run --release -p runbook-sql
//! --example throughput -- FILE`. The loader must keep up with psql (C) on large dumps.

use std::io::Write;
use std::time::Instant;

use runbook_sql::{Item, ScriptReader};

fn main() -> std::io::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/dev/stdin".into());
    let file = std::fs::File::open(&path)?;
    let started = Instant::now();
    let (mut statements, mut chunks, mut errors) = (0u64, 0u64, 0u64);
    let mut reader = ScriptReader::new(file);
    for item in reader.by_ref() {
        match item {
            Ok(Item::Statement(_)) => statements += 1,
            Ok(Item::CopyData(_)) => chunks += 1,
            Ok(_) => {}
            Err(_) => errors += 1,
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let mb = reader.bytes_read() as f64 / 1e6;
    writeln!(
        std::io::stdout().lock(),
        "{mb:.1} MB in {secs:.3} s ({:.0} MB/s): {statements} statements, {chunks} COPY chunks, {errors} errors",
        mb / secs
    )
}
