//! Prints how a script splits: `cargo run -p runbook-sql --example split -- FILE`.
//! Handy for comparing with psql's server log (`log_statement = all`).

use std::io::Write;

use runbook_sql::{Item, ScriptReader};

fn main() -> std::io::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/dev/stdin".into());
    let file = std::fs::File::open(&path)?;
    let mut out = std::io::stdout().lock();
    // SPLIT_FORMAT=psql: only statement texts, as the psqlsplit helper prints a server log.
    let psql_format = std::env::var("SPLIT_FORMAT").is_ok_and(|f| f == "psql");
    for item in ScriptReader::new(std::io::BufReader::new(file)) {
        if psql_format {
            match item {
                Ok(Item::Statement(s)) => {
                    writeln!(out, "STMT ----\n{}", s.text.replace('\r', "<CR>"))?
                }
                Err(e) => writeln!(out, "ERROR {e}")?,
                Ok(_) => {}
            }
            continue;
        }
        match item {
            Ok(Item::Statement(s)) => writeln!(
                out,
                "{} statement {:?} copy={:?}\n{}",
                s.start, s.end, s.copy, s.text
            )?,
            Ok(Item::Meta(m)) => writeln!(out, "{} meta {:?}", m.position, m.command)?,
            Ok(Item::CopyData(d)) => writeln!(out, "copy-data {} bytes", d.bytes.len())?,
            Ok(Item::CopyEnd(e)) => {
                writeln!(out, "{} copy-end terminated={}", e.position, e.terminated)?
            }
            Err(e) => writeln!(out, "error {e}")?,
        }
    }
    Ok(())
}
