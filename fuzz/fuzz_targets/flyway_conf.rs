//! Feeds arbitrary UTF-8 through `runbook_migrate::flyway::conf::parse` (env expansion, Flyway's
//! backslash doubling and continuations, Properties syntax) and `ConfFile::apply`. It must never
//! panic, every error must name a line of the input, and every parsed key must be one of the
//! input's (a key comes from some line).

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use runbook_migrate::{Config, Format, flyway::conf};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let env = |name: &str| name.len().is_multiple_of(2).then(|| format!("v{name}"));
    let lines = text.split('\n').count();
    match conf::parse(text, "flyway.conf", &env) {
        Err(e) => assert!(e.line >= 1 && e.line <= lines, "{e}"),
        Ok(file) => {
            for (key, _) in file.entries() {
                let line = file.line_of(key).expect("a parsed key has a line");
                assert!(line >= 1 && line <= lines);
            }
            let _ = file.ignored_keys();
            let mut config = Config::new(Format::Flyway);
            if let Err(e) = file.apply(&mut config, Path::new("/work")) {
                assert!(e.line <= lines, "{e}");
                let _ = e.to_string();
            }
        }
    }
});
