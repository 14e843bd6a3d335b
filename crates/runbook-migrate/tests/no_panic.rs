//! A cheap, deterministic stand-in for the fuzz targets that runs in CI: many inputs built from
//! the tokens these parsers care about must never panic, and the placeholder reader must agree
//! with itself whatever the read size.

use std::io::Read;
use std::path::Path;

use runbook_migrate::plain::parse_plain_name;
use runbook_migrate::{
    BuiltIns, Config, Format, PlaceholderReader, Values, Version, flyway, flyway::conf,
};

const TOKENS: &[&str] = &[
    "V",
    "R",
    "U",
    "__",
    "_",
    ".",
    "..",
    "1",
    "0",
    "01",
    "9",
    ".sql",
    ".SQL",
    "-",
    " ",
    "\\",
    "\\\\",
    "\n",
    "\r\n",
    "\r",
    "=",
    ":",
    "#",
    "!",
    "flyway.",
    "locations",
    "filesystem:",
    "classpath:",
    "schemas",
    "placeholders.",
    "${",
    "}",
    "${DB}",
    "${flyway:user}",
    "\\u00e9",
    "\\u12",
    "患者",
    "\u{feff}",
    "target",
    "outOfOrder",
    "true",
    "yes",
    "baselineVersion",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn text(&mut self) -> String {
        let n = (self.next() % 24) as usize;
        (0..n)
            .map(|_| TOKENS[(self.next() % TOKENS.len() as u64) as usize])
            .collect()
    }
}

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

#[test]
fn parsers_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut config = Config::new(Format::Flyway);
    config.placeholders.insert("a".into(), "}${".into());
    let env = |name: &str| name.len().is_multiple_of(2).then(|| format!("v{name}"));
    for _ in 0..5_000 {
        let text = rng.text();
        let _ = flyway::parse_name(&config, &text);
        let _ = parse_plain_name(&text);
        if let Ok(v) = Version::parse(&text) {
            assert_eq!(Version::parse(v.as_str()).expect("reparses"), v);
        }
        let lines = text.split('\n').count();
        if let Ok(file) = conf::parse(&text, "flyway.conf", &env) {
            let mut c = Config::new(Format::Flyway);
            if let Err(e) = file.apply(&mut c, Path::new("/w")) {
                assert!(e.line >= 1 && e.line <= lines, "{e} in {text:?}");
            }
        }
        let values = Values::new(&config, &BuiltIns::default(), "V1__x.sql");
        let mut whole = Vec::new();
        let a = PlaceholderReader::new(text.as_bytes(), &config, values.clone(), "f")
            .read_to_end(&mut whole)
            .map(|_| whole)
            .map_err(|e| e.to_string());
        let step = 1 + (rng.next() % 5) as usize;
        let mut out = Vec::new();
        let b = PlaceholderReader::new(
            Steps {
                data: text.as_bytes(),
                step,
            },
            &config,
            values,
            "f",
        )
        .read_to_end(&mut out)
        .map(|_| out)
        .map_err(|e| e.to_string());
        assert_eq!(a, b, "{text:?} step {step}");
        let stripped: Vec<u8> = text.bytes().filter(|&b| b != b'\n' && b != b'\r').collect();
        // (A BOM only counts as one at the very start, so texts with one are left out.)
        if text.contains('\u{feff}') {
            continue;
        }
        assert_eq!(
            flyway::checksum(text.as_bytes()).expect("crc"),
            flyway::checksum(stripped.as_slice()).expect("crc"),
            "line terminators never count"
        );
    }
}
