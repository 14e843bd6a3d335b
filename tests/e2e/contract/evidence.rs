//! The evidence directory a reviewer trusts: its layout, `sha256sum -c` with nothing but
//! coreutils, `runbook verify` naming the exact file after each kind of tampering, the reports
//! in every format, and what `run.json` says about the run (`--from`, `when:`,
//! `continue_on_error`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::contract::case::Case;
use crate::support::*;

const STEPS: &str = "
    - id: make
      kind: sql
      target: db
      text: |
        CREATE TABLE patient (id int PRIMARY KEY);
        INSERT INTO patient SELECT generate_series(1, 5);
    - id: note
      kind: shell
      command: [echo, restored]
    - id: gate
      kind: gate
      target: db
      checks:
        - name: patient table
          tables_exist: [patient]
        - name: five patients
          query: SELECT count(*) FROM patient
          expect: { equals: 5 }
        - name: no negative ids
          query: SELECT id FROM patient WHERE id < 0
          expect: { empty: true }
";

/// Every file under `dir`, relative, with `/` separators.
fn files_under(dir: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.insert(
                    path.strip_prefix(dir)
                        .expect("under dir")
                        .display()
                        .to_string(),
                );
            }
        }
    }
    found
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create copy");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy file");
        }
    }
}

fn command_output(program: &str, args: &[&str]) -> String {
    let output = std::process::Command::new(program)
        .args(args)
        .output()
        .expect("run command");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn passed_run(case: &Case) -> PathBuf {
    case.runbook("evidence-layout", "", STEPS);
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    result.evidence_dir(case.path())
}

#[test]
fn a_run_writes_the_documented_layout_and_sha256sum_accepts_it() {
    let case = Case::new("e2e_evidence_layout");
    let dir = passed_run(&case);
    assert_eq!(
        dir.parent(),
        Some(case.path().join("ev").as_path()),
        "evidence goes under --evidence-dir"
    );
    let name = dir.file_name().and_then(|n| n.to_str()).expect("dir name");
    assert!(
        name.len() == 16
            && name.as_bytes()[8] == b'T'
            && name.ends_with('Z')
            && name[..8].bytes().all(|b| b.is_ascii_digit()),
        "the directory is not named by its UTC start (YYYYMMDDTHHMMSSZ): {name}"
    );

    let files = files_under(&dir);
    let expected: BTreeSet<String> = [
        "SHA256SUMS",
        "report.md",
        "run.json",
        "runbook.yaml",
        "steps/01-make/output.log",
        "steps/01-make/result.json",
        "steps/02-note/output.log",
        "steps/02-note/result.json",
        "steps/03-gate/output.log",
        "steps/03-gate/result.json",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert!(
        expected.is_subset(&files),
        "missing: {:?}",
        expected.difference(&files).collect::<Vec<_>>()
    );

    // SHA256SUMS covers every other file, with relative paths.
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).expect("SHA256SUMS");
    let listed: BTreeSet<String> = sums
        .split('\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            l.split_once("  ")
                .expect("'<digest>  <path>' lines")
                .1
                .to_owned()
        })
        .collect();
    let mut others = files.clone();
    others.remove("SHA256SUMS");
    assert_eq!(
        listed, others,
        "SHA256SUMS must list exactly the other files"
    );
    let (ok, text) = sha256sum_check(&dir);
    assert!(ok, "{text}");

    // The runbook exactly as executed.
    let original = std::fs::read(case.path().join("rb.yaml")).expect("rb.yaml");
    assert_eq!(
        std::fs::read(dir.join("runbook.yaml")).expect("runbook.yaml"),
        original
    );

    let record = run_record(&dir);
    assert_eq!(record["runbook"]["name"], "evidence-layout");
    assert_eq!(record["runbook"]["path"], "rb.yaml");
    assert_eq!(record["runbook"]["sha256"], sha256_hex(&original));
    assert_eq!(record["mode"], "run");
    assert_eq!(record["status"], "passed");
    assert_eq!(record["operator"], command_output("id", &["-un"]));
    assert_eq!(record["host"], command_output("hostname", &[]));
    assert_eq!(record["tool"]["name"], "runbook");
    assert_eq!(record["tool"]["version"], env!("CARGO_PKG_VERSION"));
    let (started, finished) = (
        record["started_at"].as_str().expect("started_at"),
        record["finished_at"].as_str().expect("finished_at"),
    );
    assert!(started <= finished, "{started} > {finished}");
    let steps = record["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 3);
    for (step, (id, kind)) in
        steps
            .iter()
            .zip([("make", "sql"), ("note", "shell"), ("gate", "gate")])
    {
        assert_eq!(
            (
                step["id"].as_str(),
                step["kind"].as_str(),
                step["status"].as_str()
            ),
            (Some(id), Some(kind), Some("passed"))
        );
        assert!(
            step["duration_ms"].is_u64() && step["started_at"].is_string(),
            "{step:#}"
        );
        assert!(
            !step["summary"].as_str().unwrap_or_default().is_empty(),
            "a step without a summary line: {step:#}"
        );
    }
    assert_eq!(steps[2]["summary"], "3 of 3 checks passed");

    let make = step_log(&dir, "01-make");
    assert!(
        make.contains("rb.yaml:14:7  CREATE TABLE")
            && make.contains("rb.yaml:15:7  INSERT  5 rows"),
        "{make}"
    );
    assert!(step_log(&dir, "02-note").contains("[stdout] restored"));
    let gate = step_result(&dir, "03-gate");
    assert_eq!(gate["gate"].as_array().map(Vec::len), Some(3), "{gate:#}");

    // report.md opens with the verdict, then the gates, then the steps.
    let report = std::fs::read_to_string(dir.join("report.md")).expect("report.md");
    assert!(
        report.starts_with("# PASSED: evidence-layout\n"),
        "{report}"
    );
    let (gates, steps) = (
        report.find("## Gates").expect("gates section"),
        report.find("## Steps").expect("steps section"),
    );
    assert!(gates < steps, "gates must come before steps:\n{report}");
    assert!(
        report.contains("| five patients | pass | the value 5 |"),
        "{report}"
    );
}

#[test]
fn a_run_that_starts_in_an_existing_timestamp_dir_gets_a_suffix() {
    let case = Case::new("e2e_evidence_suffix");
    case.runbook(
        "evidence-suffix",
        "",
        "- id: note\n  kind: shell\n  command: [echo, hi]",
    );
    // Occupy every name the run could get in the next seconds.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let mut taken = Vec::new();
    for second in now.saturating_sub(1)..now + 30 {
        let name = command_output(
            "date",
            &["-u", "+%Y%m%dT%H%M%SZ", "-d", &format!("@{second}")],
        );
        std::fs::create_dir_all(case.path().join("ev").join(&name)).expect("occupy");
        taken.push(name);
    }
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .expect("name")
        .to_owned();
    let base = name
        .strip_suffix("-2")
        .unwrap_or_else(|| panic!("expected a -2 suffix, got {name}"));
    assert!(
        taken.iter().any(|t| t == base),
        "{name} is not next to an occupied name"
    );
    assert_eq!(
        std::fs::read_dir(case.path().join("ev").join(base))
            .expect("occupied dir")
            .count(),
        0,
        "the existing dir was touched"
    );
    let (ok, text) = sha256sum_check(&dir);
    assert!(ok, "{text}");
}

#[test]
fn verify_accepts_an_untouched_run_and_names_every_tampered_file() {
    let case = Case::new("e2e_evidence_verify");
    let dir = passed_run(&case);
    let shown = dir
        .strip_prefix(case.path())
        .expect("relative")
        .display()
        .to_string();
    let verify = runbook(case.path(), &["verify", &shown]);
    assert_eq!(verify.code, 0, "{}", verify.all_output());
    assert_eq!(
        verify.stdout,
        format!(
            "intact: every file listed in {shown}/SHA256SUMS matches, and no file is missing or extra\n"
        )
    );

    type Tamper = fn(&Path);
    let slash = runbook(case.path(), &["verify", &format!("{shown}/")]);
    assert_eq!(slash.code, 0, "{}", slash.all_output());
    assert!(
        slash
            .stdout
            .contains(&format!(" {shown}/SHA256SUMS matches")),
        "{}",
        slash.stdout
    );

    let tampers: [(&str, Tamper, &str); 7] = [
        (
            "a deleted run.json",
            |d| std::fs::remove_file(d.join("run.json")).expect("rm"),
            "  missing: run.json\n",
        ),
        (
            "a deleted SHA256SUMS",
            |d| std::fs::remove_file(d.join("SHA256SUMS")).expect("rm"),
            "  missing: SHA256SUMS\n",
        ),
        (
            "a modified byte",
            |d| {
                let path = d.join("steps/01-make/output.log");
                let mut bytes = std::fs::read(&path).expect("read");
                bytes[0] ^= 0x01;
                std::fs::write(path, bytes).expect("write");
            },
            "  modified: steps/01-make/output.log\n",
        ),
        (
            "a deleted file",
            |d| std::fs::remove_file(d.join("steps/03-gate/result.json")).expect("rm"),
            "  missing: steps/03-gate/result.json\n",
        ),
        (
            "an extra file",
            |d| std::fs::write(d.join("steps/02-note/extra.txt"), "x").expect("write"),
            "  extra (not in SHA256SUMS): steps/02-note/extra.txt\n",
        ),
        (
            "an edited verdict",
            |d| {
                let path = d.join("run.json");
                let text = std::fs::read_to_string(&path)
                    .expect("read")
                    .replace("\"passed\"", "\"failed\"");
                std::fs::write(path, text).expect("write");
            },
            "  modified: run.json\n",
        ),
        (
            "an edited report",
            |d| {
                let path = d.join("report.md");
                let text = std::fs::read_to_string(&path)
                    .expect("read")
                    .replace("PASSED", "FAILED");
                std::fs::write(path, text).expect("write");
            },
            "  modified: report.md\n",
        ),
    ];
    for (what, tamper, line) in tampers {
        let copy = case.path().join("tampered");
        let _ = std::fs::remove_dir_all(&copy);
        copy_dir(&dir, &copy);
        tamper(&copy);
        let verify = runbook(case.path(), &["verify", "tampered"]);
        assert_no_panic(&verify);
        assert_eq!(verify.code, 5, "{what}: {}", verify.all_output());
        assert!(
            verify.stdout.starts_with("NOT INTACT: tampered\n"),
            "{what}: {}",
            verify.stdout
        );
        assert!(
            verify.stdout.contains(line),
            "{what}: expected '{}' in\n{}",
            line.trim(),
            verify.stdout
        );
        assert!(
            what == "a deleted SHA256SUMS" // then every file is also extra
                || verify
                    .stdout
                    .split('\n')
                    .filter(|l| l.starts_with("  "))
                    .count()
                    == 1,
            "{what}: one problem, one line:\n{}",
            verify.stdout
        );
        let (ok, _) = sha256sum_check(&copy);
        assert!(
            !ok || what == "an extra file",
            "{what}: sha256sum -c should fail too"
        );
    }

    let missing = runbook(case.path(), &["verify", "no-such-dir"]);
    assert_no_panic(&missing);
    assert_ne!(missing.code, 0, "{}", missing.all_output());
    assert!(missing.stderr.contains("no-such-dir"), "{}", missing.stderr);
}

#[test]
fn report_renders_markdown_html_json_and_junit_with_one_testcase_per_gate_check() {
    let case = Case::new("e2e_evidence_report");
    case.runbook(
        "evidence-report",
        "",
        "
        - id: make
          kind: sql
          target: db
          text: CREATE TABLE patient (id int);
        - id: gate
          kind: gate
          target: db
          checks:
            - name: patient table
              tables_exist: [patient]
            - name: some patients
              query: SELECT count(*) FROM patient
              expect: { min: 1 }
            - name: facility table
              tables_exist: [d_facility]
        ",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 4, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    let shown = dir
        .strip_prefix(case.path())
        .expect("relative")
        .display()
        .to_string();

    let md = runbook(case.path(), &["report", &shown]);
    assert_eq!(md.code, 0, "{}", md.all_output());
    assert!(
        md.stdout.starts_with("# GATE FAILED: evidence-report\n"),
        "{}",
        md.stdout
    );
    assert!(
        md.stdout.contains("| facility table | **FAIL** |"),
        "{}",
        md.stdout
    );
    let explicit = runbook(case.path(), &["report", &shown, "--format", "md"]);
    assert_eq!(explicit.stdout, md.stdout);

    let html = runbook(case.path(), &["report", &shown, "--format", "html"]);
    assert_eq!(html.code, 0, "{}", html.all_output());
    assert!(
        html.stdout.to_lowercase().starts_with("<!doctype html>"),
        "{}",
        &html.stdout[..html.stdout.len().min(200)]
    );
    assert!(html.stdout.contains("facility table"));

    let json = runbook(case.path(), &["report", &shown, "--format", "json"]);
    assert_eq!(json.code, 0, "{}", json.all_output());
    let value: serde_json::Value =
        serde_json::from_str(&json.stdout).expect("the JSON report is JSON");
    assert_eq!(value["run"]["status"], "gate_failed");

    let junit = runbook(case.path(), &["report", &shown, "--format", "junit"]);
    assert_eq!(junit.code, 0, "{}", junit.all_output());
    let xml = roxmltree::Document::parse(&junit.stdout).expect("the JUnit report is XML");
    let gate_cases: Vec<roxmltree::Node<'_, '_>> = xml
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .filter(|n| {
            n.attribute("classname")
                .is_some_and(|c| c.ends_with(".gate"))
        })
        .collect();
    let names: Vec<&str> = gate_cases
        .iter()
        .filter_map(|n| n.attribute("name"))
        .collect();
    assert_eq!(
        names,
        ["patient table", "some patients", "facility table"],
        "one testcase per gate check"
    );
    let failed: Vec<&str> = gate_cases
        .iter()
        .filter(|n| n.children().any(|c| c.has_tag_name("failure")))
        .filter_map(|n| n.attribute("name"))
        .collect();
    assert_eq!(failed, ["some patients", "facility table"]);

    let out = runbook(
        case.path(),
        &[
            "report",
            &shown,
            "--format",
            "junit",
            "--output",
            "junit.xml",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.all_output());
    assert_eq!(
        std::fs::read_to_string(case.path().join("junit.xml")).expect("junit.xml"),
        junit.stdout
    );
}

#[test]
fn from_skips_the_earlier_steps_and_records_where_the_run_started() {
    let case = Case::new("e2e_evidence_from");
    case.runbook(
        "evidence-from",
        "",
        "
        - id: first
          kind: sql
          target: db
          text: CREATE TABLE first_marker (id int);
        - id: second
          kind: sql
          target: db
          text: CREATE TABLE second_marker (id int);
        ",
    );
    let result = case.run(&["run", "rb.yaml", "--from", "second"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    let record = run_record(&dir);
    assert_eq!(record["from_step"], "second");
    assert_eq!(
        step_statuses(&dir),
        [
            ("first".into(), "skipped".into()),
            ("second".into(), "passed".into())
        ]
    );
    assert_eq!(
        record["steps"][0]["summary"],
        "skipped: the run starts at step 'second' (--from)"
    );
    assert_eq!(
        case.sql(
            "SELECT to_regclass('first_marker') IS NULL, to_regclass('second_marker') IS NULL"
        ),
        "t|f"
    );
    let report = std::fs::read_to_string(dir.join("report.md")).expect("report.md");
    assert!(
        report.contains("--from"),
        "the report does not say the run started late:\n{report}"
    );
}

#[test]
fn when_skips_a_step_unless_its_var_is_set() {
    let case = Case::new("e2e_evidence_when");
    let text = crate::contract::case::runbook_text(
        "evidence-when",
        "",
        "
        - id: reseed
          kind: sql
          target: db
          when: vars.reseed
          text: CREATE TABLE reseeded (id int);
        - id: unless
          kind: sql
          target: db
          when: '!vars.reseed'
          text: CREATE TABLE not_reseeded (id int);
        ",
    )
    .replace("vars:\n", "vars:\n  reseed: \"no\"\n");
    case.scratch.write("rb.yaml", text);
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    assert_eq!(
        step_statuses(&dir),
        [
            ("reseed".into(), "skipped".into()),
            ("unless".into(), "passed".into())
        ]
    );
    assert_eq!(
        run_record(&dir)["steps"][0]["summary"],
        "skipped: when: vars.reseed does not hold"
    );
    assert_eq!(case.sql("SELECT to_regclass('reseeded') IS NULL"), "t");

    let result = case.run(&["run", "rb.yaml", "--var", "reseed=yes"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    assert_eq!(
        step_statuses(&dir),
        [
            ("reseed".into(), "passed".into()),
            ("unless".into(), "skipped".into())
        ]
    );
    assert_eq!(case.sql("SELECT to_regclass('reseeded') IS NULL"), "f");
}

#[test]
fn continue_on_error_records_the_failure_and_goes_on() {
    let case = Case::new("e2e_evidence_continue");
    case.runbook(
        "evidence-continue",
        "",
        "
        - id: optional
          kind: sql
          target: db
          continue_on_error: true
          text: DROP ROLE no_such_role_here;
        - id: next
          kind: sql
          target: db
          text: CREATE TABLE next_marker (id int);
        ",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    assert_eq!(
        step_statuses(&dir),
        [
            ("optional".into(), "failed".into()),
            ("next".into(), "passed".into())
        ]
    );
    let optional = step_result(&dir, "01-optional");
    assert_eq!(optional["error"]["sqlstate"], "42704", "{optional:#}");
    assert_eq!(case.sql("SELECT to_regclass('next_marker') IS NULL"), "f");
}

#[test]
fn without_evidence_dir_the_runbook_s_evidence_dir_is_used() {
    let case = Case::new("e2e_evidence_default");
    let text = crate::contract::case::runbook_text(
        "evidence-default",
        "",
        "- id: note\n  kind: shell\n  command: [echo, hi]",
    )
    .replace("steps:\n", "evidence:\n  dir: out/restore\nsteps:\n");
    case.scratch.write("rb.yaml", text);
    let url = format!("url={}", case.db.url);
    let result = runbook(case.path(), &["run", "rb.yaml", "--var", &url]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    assert_eq!(
        dir.parent(),
        Some(case.path().join("out/restore").as_path()),
        "{}",
        dir.display()
    );
    let (ok, text) = sha256sum_check(&dir);
    assert!(ok, "{text}");

    // And with no evidence.dir at all: artifacts/<name>.
    case.scratch.write(
        "plain.yaml",
        crate::contract::case::runbook_text(
            "plain-name",
            "",
            "- id: note\n  kind: shell\n  command: [echo, hi]",
        ),
    );
    let result = runbook(case.path(), &["run", "plain.yaml", "--var", &url]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    assert_eq!(
        dir.parent(),
        Some(case.path().join("artifacts/plain-name").as_path()),
        "{}",
        dir.display()
    );
}
