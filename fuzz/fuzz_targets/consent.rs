//! Feeds arbitrary bytes through `runbook_sql::ScriptReader` and every statement through the
//! parse-tree analysis (`ConsentAnalyzer` and `inspect_read_query`, with
//! `standard_conforming_strings` on and off). It must never panic or loop, whatever the parser
//! returns: a statement it cannot analyse needs consent, it does not crash the run.

#![no_main]

use libfuzzer_sys::fuzz_target;
use runbook_sql::analysis::{ConsentAnalyzer, inspect_read_query};
use runbook_sql::{Item, ScriptReader};

fuzz_target!(|data: &[u8]| {
    let mut analyzer = ConsentAnalyzer::new();
    for item in ScriptReader::new(data) {
        match item {
            Ok(Item::Statement(s)) => {
                let _ = analyzer.statement(&s.text, s.standard_conforming_strings);
                let _ = analyzer.statement(&s.text, !s.standard_conforming_strings);
                let _ = inspect_read_query(&s.text, s.standard_conforming_strings);
            }
            Ok(_) => {}
            Err(e) if e.is_fatal() => break,
            Err(_) => {}
        }
    }
});
