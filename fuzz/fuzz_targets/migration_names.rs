//! Feeds arbitrary UTF-8 through the migration name and version parsers
//! (`flyway::parse_name` with default and odd prefixes, `plain::parse_plain_name`,
//! `Version::parse`) and the placeholder reader. Names and versions must never panic; a parsed
//! version must compare equal to itself and to its own text reparsed, and ordering must be
//! antisymmetric between two versions taken from the input. The placeholder reader must give
//! the same bytes whatever the read size.

#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;
use runbook_migrate::plain::{PlainName, parse_plain_name};
use runbook_migrate::{BuiltIns, Config, Format, PlaceholderReader, Values, Version, flyway};

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

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut config = Config::new(Format::Flyway);
    let _ = flyway::parse_name(&config, text);
    config.sql_migration_prefix = "VV".into();
    config.repeatable_sql_migration_prefix = "V".into();
    config.sql_migration_separator = "-".into();
    config.sql_migration_suffixes = vec![".SQL".into(), "l".into()];
    let _ = flyway::parse_name(&config, text);
    if let PlainName::Migration { version, .. } = parse_plain_name(text) {
        assert_eq!(version, version.clone());
    }
    let mut mid = text.len() / 2;
    while !text.is_char_boundary(mid) {
        mid -= 1;
    }
    let (a, b) = text.split_at(mid);
    if let Ok(v) = Version::parse(a) {
        let again = Version::parse(v.as_str()).expect("display text reparses");
        assert_eq!(v, again);
        if let Ok(w) = Version::parse(b) {
            assert_eq!(v.cmp(&w), w.cmp(&v).reverse());
        }
    }

    config.placeholders.insert("a".into(), "}${".into());
    let values = Values::new(&config, &BuiltIns::default(), "V1__x.sql");
    let whole = {
        let mut out = Vec::new();
        PlaceholderReader::new(data, &config, values.clone(), "V1__x.sql")
            .read_to_end(&mut out)
            .map(|_| out)
            .map_err(|e| e.to_string())
    };
    let step = 1 + data.first().map_or(0, |b| usize::from(*b) % 7);
    let mut out = Vec::new();
    let stepped = PlaceholderReader::new(Steps { data, step }, &config, values, "V1__x.sql")
        .read_to_end(&mut out)
        .map(|_| out)
        .map_err(|e| e.to_string());
    assert_eq!(whole, stepped);
});
