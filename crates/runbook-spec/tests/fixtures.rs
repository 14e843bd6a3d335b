//! One test per fixture folder: every `data/ok/*.yaml` parses and matches its `.snap` summary;
//! every `data/err/*.yaml` fails with exactly the `line:col: message` lines of its `.expected`.
//! `UPDATE_SNAPSHOTS=1` rewrites the `.snap` and `.expected` files (review the diff).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use runbook_spec::{Runbook, StepKind, parse};

use crate::support::fixture_env;

fn data_dir(folder: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(folder)
}

fn yaml_files(folder: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(data_dir(folder))
        .expect("fixture folder exists")
        .map(|e| e.expect("readable dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {folder}");
    files
}

fn updating() -> bool {
    std::env::var_os("UPDATE_SNAPSHOTS").is_some()
}

/// Compares with the stored file, or rewrites it when updating. Returns a failure description.
fn check_against(expected_path: &Path, actual: &str) -> Option<String> {
    if updating() {
        fs::write(expected_path, actual).expect("write snapshot");
        return None;
    }
    let expected = fs::read_to_string(expected_path).unwrap_or_default();
    (expected != actual).then(|| {
        format!(
            "{}:\n--- expected\n{expected}\n--- actual\n{actual}",
            expected_path.display()
        )
    })
}

/// The facts of a parsed runbook a reviewer of the snapshot needs, in a stable text form.
fn summary(runbook: &Runbook) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "name: {}", runbook.name);
    let _ = writeln!(out, "description: {:?}", runbook.description);
    let _ = writeln!(out, "evidence: {}", runbook.evidence.dir.display());
    let _ = writeln!(out, "vars:");
    for (k, v) in &runbook.vars {
        let _ = writeln!(out, "  {k} = {v:?}");
    }
    let _ = writeln!(out, "targets:");
    for (name, t) in &runbook.targets {
        let pg = t.postgres.as_ref().map(|p| format!("{:?}", p.connection()));
        let _ = writeln!(
            out,
            "  {name}: postgres={pg:?} container={:?} protected={}",
            t.container, t.protected
        );
    }
    let _ = writeln!(out, "secrets: {:?}", runbook.secrets());
    let _ = writeln!(out, "warnings:");
    for w in &runbook.warnings {
        let _ = writeln!(out, "  {}:{}: {}", w.line, w.column, w.message);
    }
    let _ = writeln!(out, "steps:");
    for step in &runbook.steps {
        let _ = writeln!(out, "{step:#?}");
        // Debug hides environment values (they hold passwords); the snapshot shows them.
        let env = match &step.kind {
            StepKind::ContainerStart(s) => Some(&s.env),
            StepKind::ContainerExec(s) => Some(&s.env),
            StepKind::Shell(s) => Some(&s.env),
            _ => None,
        };
        if let Some(env) = env.filter(|env| !env.is_empty()) {
            let _ = writeln!(out, "env of {}:", step.id);
            for (k, v) in env {
                let _ = writeln!(out, "  {k} = {v:?}");
            }
        }
    }
    out
}

#[test]
fn ok_fixtures_parse_and_match_their_snapshots() {
    let env = fixture_env();
    let options = runbook_spec::ParseOptions {
        vars: Default::default(),
        env: &env,
        ..Default::default()
    };
    let mut failures = Vec::new();
    for file in yaml_files("ok") {
        let text = fs::read_to_string(&file).expect("read fixture");
        match parse(
            &text,
            Path::new(file.file_name().expect("file name")),
            &options,
        ) {
            Ok(runbook) => failures.extend(check_against(
                &file.with_extension("snap"),
                &summary(&runbook),
            )),
            Err(errors) => failures.push(format!("{} did not parse:\n{errors}", file.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn err_fixtures_fail_with_their_expected_messages() {
    let env = fixture_env();
    let options = runbook_spec::ParseOptions {
        vars: Default::default(),
        env: &env,
        ..Default::default()
    };
    let mut failures = Vec::new();
    for file in yaml_files("err") {
        let text = fs::read_to_string(&file).expect("read fixture");
        match parse(&text, Path::new("runbook.yaml"), &options) {
            Ok(_) => failures.push(format!("{} parsed, but should fail", file.display())),
            Err(errors) => {
                let actual: String = errors
                    .iter()
                    .map(|e| format!("{}:{}: {}\n", e.line, e.column, e.message))
                    .collect();
                failures.extend(check_against(&file.with_extension("expected"), &actual));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
