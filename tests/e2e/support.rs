//! Helpers the end-to-end tests share: run the binary, write runbooks, inspect evidence.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `runbook` binary cargo built for these tests.
pub fn runbook_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_runbook"))
}

/// The workspace root (where `runbooks/` and `artifacts/` are).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root")
}

/// The result of one invocation of `runbook`.
#[derive(Debug)]
pub struct Invocation {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Invocation {
    /// Both streams, for assertions that do not care where a message went.
    pub fn all_output(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// The evidence directory the run printed (`evidence: DIR`).
    pub fn evidence_dir(&self, cwd: &Path) -> PathBuf {
        let line = self
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix("evidence: "))
            .unwrap_or_else(|| panic!("no evidence line in output:\n{}", self.all_output()));
        cwd.join(line.trim())
    }
}

impl From<Output> for Invocation {
    fn from(output: Output) -> Self {
        Invocation {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// `runbook ARGS...` in `cwd`, with colours off and no terminal.
pub fn runbook(cwd: &Path, args: &[&str]) -> Invocation {
    runbook_with_env(cwd, args, &[])
}

pub fn runbook_with_env(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Invocation {
    let mut command = Command::new(runbook_bin());
    command.current_dir(cwd).args(args).env("NO_COLOR", "1");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run the runbook binary").into()
}

/// `sha256sum -c SHA256SUMS` in an evidence directory, with nothing but coreutils.
pub fn sha256sum_check(dir: &Path) -> (bool, String) {
    let output = Command::new("sha256sum")
        .args(["-c", "--strict", "SHA256SUMS"])
        .current_dir(dir)
        .output()
        .expect("run sha256sum");
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

/// Every file under `dir`, concatenated, for "this never appears in evidence" assertions.
pub fn all_evidence_text(dir: &Path) -> String {
    let mut text = String::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read evidence dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                text.push_str(&String::from_utf8_lossy(&std::fs::read(&path).expect("read evidence file")));
            }
        }
    }
    text
}

/// The step result of evidence step `NN-id`.
pub fn step_result(dir: &Path, step_dir: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("steps").join(step_dir).join("result.json")).expect("result.json");
    serde_json::from_str(&text).expect("result.json is JSON")
}

pub fn run_record(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("run.json")).expect("run.json");
    serde_json::from_str(&text).expect("run.json is JSON")
}
