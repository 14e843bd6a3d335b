//! Limits, part two, and values that cannot change meaning (issue 15, items 4 and 5).
//!
//! A 200 MB server error message cost 2.5 GB of memory, 1.2 GB of evidence and 400 MB on the
//! terminal; after 1000 notices a later WARNING was dropped; `wait: 18446744073709551615` passed
//! `validate` and panicked in `run`. Each test drives the built binary (under a deadline, its
//! peak memory watched where memory is the point) and asserts what the operator sees.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::contract::case::Case;
use crate::support::*;

/// Long enough for a debug build on a busy machine, far shorter than "never".
const QUICK: Duration = Duration::from_secs(120);

/// How one bounded invocation went.
struct Bounded {
    out: Invocation,
    killed: bool,
    /// Highest `VmHWM` (peak resident set) seen, in kB.
    peak_kb: u64,
}

/// The binary under test; `RUNBOOK_E2E_BIN` points these tests at another build.
fn binary() -> std::path::PathBuf {
    std::env::var_os("RUNBOOK_E2E_BIN").map_or_else(runbook_bin, std::path::PathBuf::from)
}

/// `runbook ARGS...` in the case's directory (run and check get the case's `url` var and
/// `--evidence-dir ev`), killed after `limit`, its peak RSS polled meanwhile. Output goes to
/// files so that a flood cannot block on a full pipe.
fn bounded(case: &Case, args: &[&str], limit: Duration) -> Bounded {
    let mut all: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    if matches!(args.first(), Some(&"run" | &"check")) {
        all.extend(["--var".to_owned(), format!("url={}", case.db.url)]);
        all.extend(["--evidence-dir".to_owned(), "ev".to_owned()]);
    }
    let out_path = case.path().join(".stdout");
    let err_path = case.path().join(".stderr");
    let mut child = Command::new(binary())
        .current_dir(case.path())
        .args(&all)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("spawn the runbook binary");
    let started = Instant::now();
    let mut peak_kb = 0;
    let mut killed = false;
    let status = loop {
        peak_kb = peak_kb.max(vm_hwm_kb(child.id()));
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > limit {
            killed = true;
            let _ = child.kill();
            break child.wait().expect("wait after kill");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let read =
        |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    Bounded {
        out: Invocation {
            code: status.code().unwrap_or(-1),
            stdout: read(&out_path),
            stderr: read(&err_path),
        },
        killed,
        peak_kb,
    }
}

/// `VmHWM` of a process in kB (0 once it is gone).
fn vm_hwm_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.split('\n')
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Total size of the files under `dir`.
fn tree_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let meta = entry.metadata().expect("metadata");
        total += if meta.is_dir() {
            tree_bytes(&entry.path())
        } else {
            meta.len()
        };
    }
    total
}

#[test]
fn durations_past_thirty_days_are_refused_by_validate_with_their_place() {
    let case = Case::new("e2e_limits2_duration");
    case.runbook(
        "limits2-duration",
        "",
        "
        - id: slow
          kind: sql
          target: db
          text: SELECT 1
          timeout: 18446744073709551615
        ",
    );
    let validate = case.run(&["validate", "rb.yaml"]);
    assert_eq!(validate.code, 2, "{}", validate.all_output());
    assert!(
        validate.stderr.contains(
            "rb.yaml:14:14: duration '18446744073709551615' is too long for 'timeout' in step 'slow': at most 720h (30 days)"
        ),
        "{}",
        validate.all_output()
    );
    // Nothing ran, nothing panicked, no evidence is left "running".
    let run = case.run(&["run", "rb.yaml", "--evidence-dir", "ev"]);
    assert_eq!(run.code, 2, "{}", run.all_output());
    assert_no_panic(&run);
    assert!(!case.path().join("ev").exists() || case.scratch.evidence_dirs().is_empty());

    // The same for a container's wait, in units.
    case.scratch.write(
        "rb.yaml",
        "version: 1\nname: limits2-wait\nsteps:\n  - id: up\n    kind: container_start\n    name: runbook-e2e-limits2-never-created\n    image: runbook/postgres:15\n    wait: 99999999999h\n",
    );
    let validate = case.run(&["validate", "rb.yaml"]);
    assert_eq!(validate.code, 2, "{}", validate.all_output());
    assert!(
        validate
            .stderr
            .contains("rb.yaml:8:11: duration '99999999999h' is too long for 'wait' in step 'up': at most 720h (30 days)"),
        "{}",
        validate.all_output()
    );
    // 30 days exactly is still a duration.
    case.scratch.write(
        "rb.yaml",
        "version: 1\nname: limits2-wait\nsteps:\n  - id: up\n    kind: container_start\n    name: runbook-e2e-limits2-never-created\n    image: runbook/postgres:15\n    wait: 720h\n",
    );
    let validate = case.run(&["validate", "rb.yaml"]);
    assert_eq!(validate.code, 0, "{}", validate.all_output());
}
