//! No input makes the parser panic, and every error it reports has a real position. Inputs are
//! the fixtures mutated by a deterministic generator (fixed seed, so a failure reproduces), plus
//! a few known-hostile shapes.

use std::path::Path;

use runbook_spec::{EmptyEnv, ParseOptions, parse};

/// xorshift64*: small, deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&str] = &[
    ":",
    "-",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    "|",
    ">",
    "&a",
    "*a",
    "!!str ",
    "#",
    "\n",
    "  ",
    "\t",
    "${",
    "$${",
    "}",
    "${vars.",
    "${env.X:-",
    "${targets.",
    "\r\n",
    "é",
    "\u{feff}",
    "~",
    "null",
    "0600",
    "-1",
    "1e999",
    "? ",
    "kind: sql\n",
    "kind: gate\n",
    "- id: x\n",
    "<<: *a\n",
    "\\",
    "%YAML 1.2\n",
    "---\n",
    "...\n",
];

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(chars.len() + 1);
        match rng.below(5) {
            0 if !chars.is_empty() => {
                let len = 1 + rng.below(8);
                let end = (at + len).min(chars.len());
                chars.drain(at.min(end)..end);
            }
            1 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                chars.splice(at..at, token.chars());
            }
            2 if !chars.is_empty() => {
                let from = rng.below(chars.len());
                let len = 1 + rng.below(40);
                let piece: Vec<char> = chars[from..(from + len).min(chars.len())].to_vec();
                chars.splice(at..at, piece);
            }
            3 if !chars.is_empty() => {
                let i = rng.below(chars.len());
                chars[i] = char::from(b' ' + (rng.below(95) as u8));
            }
            _ => chars.truncate(at),
        }
    }
    chars.into_iter().collect()
}

fn assert_sane(text: &str) {
    let options = ParseOptions {
        env: &EmptyEnv,
        ..Default::default()
    };
    if let Err(errors) = parse(text, Path::new("fuzz.yaml"), &options) {
        assert!(
            !errors.is_empty(),
            "an error result without errors for:\n{text}"
        );
        let lines = text.split('\n').count() as u32 + 1;
        for e in &errors {
            assert!(
                e.line >= 1 && e.column >= 1 && e.line <= lines,
                "bad position {e} for:\n{text}"
            );
            assert!(!e.message.is_empty());
        }
    }
}

#[test]
fn mutated_fixtures_never_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut seeds = Vec::new();
    for folder in ["ok", "err"] {
        for entry in std::fs::read_dir(dir.join(folder)).expect("fixtures") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "yaml") {
                seeds.push(std::fs::read_to_string(&path).expect("fixture text"));
            }
        }
    }
    seeds.sort();
    let mut rng = Rng(0x5eed_1234_abcd_0042);
    for round in 0..4000 {
        let seed = &seeds[round % seeds.len()];
        let text = mutate(&mut rng, seed);
        assert_sane(&text);
    }
}

#[test]
fn hostile_shapes_are_errors_not_crashes() {
    let deep = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
    let deep_map = (0..200)
        .map(|i| format!("{}a:\n", "  ".repeat(i)))
        .collect::<String>();
    let laughs = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nsteps: *g\n";
    for text in [
        deep.as_str(),
        deep_map.as_str(),
        laughs,
        "",
        "\u{feff}",
        "\0",
        "key: \"\\ud800\"",
        "- - - -",
        "? [a]\n: b\n",
        "version: 1\nname: t\nsteps:\n  - *x\n",
    ] {
        assert_sane(text);
    }
}
