//! `tests/data/ok/*.sql` and `tests/data/err/*.sql`, each with a `.expected` rendering.
//!
//! The `ok/` scripts are also valid psql scripts (psql 15 loads each into an empty database
//! with `ON_ERROR_STOP=1`), so the PostgreSQL adapter can compare its loader with psql on
//! them. Set `BLESS=1` to rewrite the `.expected` files after a deliberate change, then
//! review the diff.

use std::path::{Path, PathBuf};

use runbook_sql::ReaderOptions;

use crate::render::render;

fn data_dir(folder: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(folder)
}

fn scripts(folder: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data_dir(folder))
        .unwrap_or_else(|e| panic!("cannot list tests/data/{folder}: {e}"))
        .map(|e| e.map(|e| e.path()).unwrap_or_default())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no scripts in tests/data/{folder}");
    files
}

/// Compares each script's rendering with its `.expected` file; returns the renderings.
fn check_folder(folder: &str) -> Vec<(PathBuf, String)> {
    let bless = std::env::var_os("BLESS").is_some();
    let mut failures = Vec::new();
    let mut rendered = Vec::new();
    for script in scripts(folder) {
        let input = std::fs::read(&script)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", script.display()));
        let actual = render(&input, ReaderOptions::default());
        let expected_path = script.with_extension("expected");
        if bless {
            std::fs::write(&expected_path, &actual).unwrap_or_else(|e| panic!("cannot write: {e}"));
        } else {
            let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
            if expected != actual {
                failures.push(format!(
                    "--- {} differs from its .expected:\n{}",
                    script.display(),
                    first_difference(&expected, &actual)
                ));
            }
        }
        rendered.push((script, actual));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    rendered
}

fn first_difference(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.split('\n').collect();
    let a: Vec<&str> = actual.split('\n').collect();
    let line = e
        .iter()
        .zip(&a)
        .position(|(x, y)| x != y)
        .unwrap_or(e.len().min(a.len()));
    format!(
        "line {}:\n  expected: {:?}\n  actual:   {:?}",
        line + 1,
        e.get(line).copied().unwrap_or("<end>"),
        a.get(line).copied().unwrap_or("<end>")
    )
}

#[test]
fn ok_scripts_split_as_expected_without_errors() {
    for (script, rendered) in check_folder("ok") {
        assert!(
            !rendered.split('\n').any(|l| l.starts_with("error ")),
            "{} is in ok/ but reading it gives an error:\n{rendered}",
            script.display()
        );
    }
}

#[test]
fn err_scripts_give_the_expected_errors() {
    for (script, rendered) in check_folder("err") {
        assert!(
            rendered.split('\n').any(|l| l.starts_with("error ")),
            "{} is in err/ but reading it gives no error",
            script.display()
        );
    }
}
