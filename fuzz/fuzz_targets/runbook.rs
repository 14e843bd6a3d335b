//! Feeds arbitrary text through `runbook_spec::parse`, the whole loader: YAML syntax, the
//! positioned tree, aliases, vars and `${...}` substitution, deserialization and cross-checks.
//! It must never panic and must stay fast and small on any input (libFuzzer's `-timeout` and
//! `-rss_limit_mb` catch the rest), and every error must point into the text.

#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use runbook_spec::{ParseOptions, parse};

fuzz_target!(|data: &[u8]| {
    let Some((&first, input)) = data.split_first() else { return };
    // Invalid UTF-8 never reaches `parse` (`parse_file` refuses it at the first bad byte).
    let Ok(text) = std::str::from_utf8(input) else { return };
    let env = |name: &str| match name {
        "PGPASSWORD" | "SET" => Some("s3cr$t ${vars.a}".to_owned()),
        "EMPTY" => Some(String::new()),
        _ => None,
    };
    let mut vars = BTreeMap::new();
    if first & 2 != 0 {
        vars.insert("a".to_owned(), "x'; ${vars.b}".to_owned());
    }
    let options = ParseOptions {
        vars,
        env: &env,
        unset_env_is_warning: first & 1 == 0,
    };
    let lines = 1 + text.matches('\n').count() as u32;
    match parse(text, "fuzz.yaml".as_ref(), &options) {
        Ok(runbook) => {
            for w in &runbook.warnings {
                assert!(w.line >= 1 && w.column >= 1 && w.line <= lines + 1, "{w}");
            }
            let _ = format!("{runbook:?}");
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            for e in &errors {
                assert!(e.line >= 1 && e.column >= 1 && e.line <= lines + 1, "{e}");
                let _ = e.to_string();
            }
        }
    }
});
