//! Evidence that cannot be forged by deleting lines, and secrets that leave in no form.
//!
//! `SHA256SUMS` has no key, so anyone can rewrite it whole (signing comes later); what `verify`
//! must catch is the cheaper forgery that needs no digest at all: delete a record's line and
//! edit the record, or delete a step with its lines. And a password used through psql's
//! `:'var'` must not come back in the escaped form the server echoes (`Don''t`, `E'..\\..'`),
//! while a very short password must not turn digests, timestamps and the runbook copy into
//! unreadable text.

use std::path::{Path, PathBuf};

use crate::contract::case::{Case, runbook_text};
use crate::support::*;

const STEPS: &str = "
    - id: make
      kind: sql
      target: db
      text: CREATE TABLE patient (id int PRIMARY KEY); INSERT INTO patient VALUES (1), (2);
    - id: note
      kind: shell
      command: [echo, restored]
    - id: gate
      kind: gate
      target: db
      checks:
        - name: two patients
          query: SELECT count(*) FROM patient
          expect: { equals: 3 }
";

/// A finished run whose gate failed (exit 4): the verdict a forger wants to turn into PASSED.
fn gate_failed_run(case: &Case) -> PathBuf {
    case.runbook("forgery", "", STEPS);
    let run = case.run(&["run", "rb.yaml"]);
    assert_eq!(run.code, 4, "{}", run.all_output());
    let dir = run.evidence_dir(case.path());
    let verify = runbook(case.path(), &["verify", &dir.display().to_string()]);
    assert_eq!(verify.code, 0, "{}", verify.all_output());
    dir
}

/// Removes the lines of `SHA256SUMS` whose path satisfies `drop`.
fn drop_sums_lines(dir: &Path, drop: impl Fn(&str) -> bool) {
    let path = dir.join("SHA256SUMS");
    let kept: String = std::fs::read_to_string(&path)
        .expect("SHA256SUMS")
        .split_inclusive('\n')
        .filter(|line| !drop(line.trim_end().split_once("  ").map_or("", |(_, p)| p)))
        .collect();
    std::fs::write(path, kept).expect("write SHA256SUMS");
}

#[test]
fn a_verdict_edited_after_its_line_was_removed_is_detected_and_not_reported() {
    let case = Case::new("e2e_forgery_verdict");
    let dir = gate_failed_run(&case);
    drop_sums_lines(&dir, |p| p == "run.json");
    let mut run = run_record(&dir);
    run["status"] = "passed".into();
    for step in run["steps"].as_array_mut().expect("steps") {
        step["status"] = "passed".into();
    }
    std::fs::write(
        dir.join("run.json"),
        serde_json::to_string_pretty(&run).expect("json"),
    )
    .expect("write run.json");

    let shown = dir.display().to_string();
    let verify = runbook(case.path(), &["verify", &shown]);
    assert_no_panic(&verify);
    assert_eq!(verify.code, 5, "{}", verify.all_output());
    assert!(
        verify
            .stdout
            .contains("  run.json is not listed in SHA256SUMS, yet it states the verdict 'passed'"),
        "verify must name run.json:\n{}",
        verify.stdout
    );

    for format in ["md", "json", "html", "junit"] {
        let report = runbook(case.path(), &["report", &shown, "--format", format]);
        assert_no_panic(&report);
        assert_eq!(report.code, 5, "{format}: {}", report.all_output());
        assert!(
            report.stdout.is_empty(),
            "{format}: nothing is rendered:\n{}",
            report.stdout
        );
        assert!(
            report.stderr.contains("refusing to render a report")
                && report
                    .stderr
                    .contains("run.json is not listed in SHA256SUMS"),
            "{format}: {}",
            report.stderr
        );
    }
}

#[test]
fn a_run_json_deleted_with_its_line_is_a_forgery_not_a_stranger() {
    let case = Case::new("e2e_forgery_no_run");
    let dir = gate_failed_run(&case);
    std::fs::remove_file(dir.join("run.json")).expect("rm run.json");
    drop_sums_lines(&dir, |p| p == "run.json");
    let shown = dir.display().to_string();
    let verify = runbook(case.path(), &["verify", &shown]);
    assert_no_panic(&verify);
    assert_eq!(verify.code, 5, "{}", verify.all_output());
    assert!(
        verify.stdout.contains(
            "  run.json is missing and not listed in SHA256SUMS: the run's record was removed"
        ),
        "{}",
        verify.stdout
    );
    let report = runbook(case.path(), &["report", &shown]);
    assert_eq!(report.code, 5, "{}", report.all_output());
    assert!(report.stdout.is_empty(), "{}", report.stdout);
}

#[test]
fn a_step_deleted_with_its_lines_is_named() {
    let case = Case::new("e2e_forgery_step");
    let dir = gate_failed_run(&case);
    std::fs::remove_dir_all(dir.join("steps/03-gate")).expect("rm step");
    drop_sums_lines(&dir, |p| p.starts_with("steps/03-gate/"));
    let (ok, text) = sha256sum_check(&dir);
    assert!(ok, "coreutils cannot see this forgery: {text}");

    let verify = runbook(case.path(), &["verify", &dir.display().to_string()]);
    assert_no_panic(&verify);
    assert_eq!(verify.code, 5, "{}", verify.all_output());
    assert!(
        verify.stdout.contains(
            "  step 3 (gate): run.json says failed, but steps/03-gate/result.json and \
             steps/03-gate/output.log are not listed in SHA256SUMS (a removed step?)"
        ),
        "{}",
        verify.stdout
    );
}

#[test]
fn a_listed_step_directory_that_run_json_does_not_name_is_extra() {
    let case = Case::new("e2e_forgery_extra_step");
    let dir = gate_failed_run(&case);
    // A step directory copied in with its lines: every listed file matches.
    let from = dir.join("steps/02-note");
    let to = dir.join("steps/04-approval");
    std::fs::create_dir_all(&to).expect("mkdir");
    let mut sums = std::fs::read_to_string(dir.join("SHA256SUMS")).expect("sums");
    for name in ["output.log", "result.json"] {
        std::fs::copy(from.join(name), to.join(name)).expect("copy");
        let digest = sha256_hex(&std::fs::read(to.join(name)).expect("read"));
        sums.push_str(&format!("{digest}  steps/04-approval/{name}\n"));
    }
    std::fs::write(dir.join("SHA256SUMS"), sums).expect("write sums");
    let verify = runbook(case.path(), &["verify", &dir.display().to_string()]);
    assert_eq!(verify.code, 5, "{}", verify.all_output());
    assert!(
        verify
            .stdout
            .contains("  steps/04-approval: a step directory that run.json does not name (extra)"),
        "{}",
        verify.stdout
    );
}

/// The forms a password takes in SQL text, JSON and URLs.
fn leaked_forms(password: &str) -> Vec<String> {
    let json = |s: &str| {
        let quoted = serde_json::to_string(s).expect("json");
        quoted[1..quoted.len() - 1].to_owned()
    };
    let sql = password.replace('\'', "''");
    let e_string = sql.replace('\\', "\\\\");
    let backslashed = password.replace('\\', "\\\\").replace('\'', "\\'");
    let percent: String = password
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let mut forms = vec![
        password.to_owned(),
        sql.clone(),
        e_string.clone(),
        backslashed.clone(),
        json(password),
        json(&sql),
        json(&e_string),
        json(&backslashed),
        percent,
    ];
    // The distinctive middle part, so that a form cut at a quote is still caught.
    forms.push("Tell-Me-".to_owned() + &std::process::id().to_string());
    forms
}

#[test]
fn a_password_with_quotes_and_backslashes_leaks_in_no_form() {
    let case = Case::new("e2e_forgery_escaped_pw");
    let password = format!(r"Don't-\Tell-Me-{}-42", std::process::id());
    let text = runbook_text(
        "escaped-secret",
        "",
        "
        - id: app-role
          kind: sql
          target: db
          text: CREATE ROLE e2e_never PASSWORD :'app_password' NOSUCHOPTION;
        ",
    )
    .replace("vars:\n", "vars:\n  app_password: unset\n");
    case.scratch.write("rb.yaml", text);
    let app = format!("app_password={password}");
    for verbosity in [None, Some("--verbose")] {
        let mut args = vec!["run", "rb.yaml", "--var", &app];
        args.extend(verbosity);
        let result = case.run(&args);
        assert_no_panic(&result);
        assert_eq!(result.code, 1, "{}", result.all_output());
        let dir = result.evidence_dir(case.path());
        let evidence = all_evidence_text(&dir);
        for form in leaked_forms(&password) {
            assert!(
                !result.all_output().contains(&form),
                "{form:?} reached the terminal ({verbosity:?}):\n{}",
                result.all_output()
            );
            assert!(
                !evidence.contains(&form),
                "{form:?} leaked into the evidence ({verbosity:?})"
            );
        }
        assert!(
            result.stdout.contains("NOSUCHOPTION"),
            "the error is still shown:\n{}",
            result.stdout
        );
        let report = runbook(case.path(), &["report", &dir.display().to_string()]);
        assert_eq!(report.code, 0, "{}", report.all_output());
        for form in leaked_forms(&password) {
            assert!(!report.stdout.contains(&form), "{form:?} in the report");
        }
    }
}

#[test]
fn a_refused_destructive_statement_quotes_no_form_of_the_password() {
    let case = Case::new("e2e_forgery_refusal_pw");
    case.sql("CREATE TABLE account (name text, pw text)");
    let password = format!(r"Don't-\Tell-Me-{}-42", std::process::id());
    let text = runbook_text(
        "refused-secret",
        "protected: true",
        "
        - id: wipe
          kind: sql
          target: db
          text: DELETE FROM account WHERE pw = :'app_password';
        ",
    )
    .replace("vars:\n", "vars:\n  app_password: unset\n");
    case.scratch.write("rb.yaml", text);
    let app = format!("app_password={password}");
    for command in ["check", "run"] {
        let result = case.run(&[command, "rb.yaml", "--var", &app]);
        assert_no_panic(&result);
        let expected = if command == "run" { 2 } else { 0 };
        assert_eq!(result.code, expected, "{command}: {}", result.all_output());
        assert!(
            result.all_output().contains("DELETE FROM account"),
            "{command}: the statement is still named:\n{}",
            result.all_output()
        );
        for form in leaked_forms(&password) {
            assert!(
                !result.all_output().contains(&form),
                "{command}: {form:?} reached the terminal:\n{}",
                result.all_output()
            );
        }
        if let Some(line) = result
            .stdout
            .split('\n')
            .find(|l| l.starts_with("evidence: "))
        {
            let dir = case
                .path()
                .join(line.trim_start_matches("evidence: ").trim());
            let evidence = all_evidence_text(&dir);
            for form in leaked_forms(&password) {
                assert!(
                    !evidence.contains(&form),
                    "{command}: {form:?} in the evidence"
                );
            }
        }
    }
}

#[test]
fn a_short_password_keeps_digests_timestamps_and_the_runbook_copy_intact() {
    for password in ["1", "postgres"] {
        let case = Case::new("e2e_forgery_short_pw");
        let text = runbook_text(
            "short-secret",
            "",
            "
            - id: probe
              kind: sql
              target: db
              text: SELECT 1;
            - id: gate
              kind: gate
              target: db
              checks:
                - name: one
                  query: SELECT 1
                  expect: { equals: 1 }
            ",
        )
        .replace("vars:\n", "vars:\n  app_password: unset\n");
        let source = case.scratch.write("rb.yaml", &text);
        let app = format!("app_password={password}");
        let result = case.run(&["run", "rb.yaml", "--var", &app]);
        assert_no_panic(&result);
        assert_eq!(result.code, 0, "{password}: {}", result.all_output());
        let warning = "is too short to redact reliably; it is redacted as a whole word only";
        assert_eq!(
            result.stderr.matches(warning).count(),
            1,
            "{password}: the warning is shown once:\n{}",
            result.all_output()
        );

        let dir = result.evidence_dir(case.path());
        let run = run_record(&dir);
        assert_eq!(
            run["runbook"]["sha256"],
            sha256_hex(&std::fs::read(&source).expect("rb.yaml")),
            "{password}"
        );
        assert!(
            run["notes"]
                .as_array()
                .is_some_and(|n| n.iter().any(|n| n.as_str().unwrap_or("").contains(warning))),
            "{password}: run.json notes: {run:#}"
        );
        let mut stamps = vec![run["started_at"].clone(), run["finished_at"].clone()];
        let result_json = step_result(&dir, "01-probe");
        stamps.push(result_json["started_at"].clone());
        stamps.push(result_json["finished_at"].clone());
        for stamp in stamps {
            let stamp = stamp.as_str().expect("a timestamp string").to_owned();
            assert!(
                stamp.len() >= 20
                    && stamp.as_bytes()[4] == b'-'
                    && stamp.as_bytes()[10] == b'T'
                    && stamp
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b"-:.TZ+".contains(&b)),
                "{password}: timestamp rewritten: {stamp}"
            );
        }
        for entry in std::fs::read_to_string(dir.join("SHA256SUMS"))
            .expect("sums")
            .split('\n')
            .filter(|l| !l.is_empty())
        {
            let (digest, _) = entry.split_once("  ").expect("sums line");
            assert!(
                digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()),
                "{password}: {entry}"
            );
        }

        let copy = std::fs::read_to_string(dir.join("runbook.yaml")).expect("runbook.yaml");
        let original: serde_yaml::Value = serde_yaml::from_str(&text).expect("original");
        let parsed: serde_yaml::Value = serde_yaml::from_str(&copy)
            .unwrap_or_else(|e| panic!("{password}: runbook.yaml no longer parses: {e}\n{copy}"));
        assert_eq!(
            keys(&parsed),
            keys(&original),
            "{password}: the structure changed:\n{copy}"
        );

        let verify = runbook(case.path(), &["verify", &dir.display().to_string()]);
        assert_eq!(verify.code, 0, "{password}: {}", verify.all_output());
        let report = runbook(case.path(), &["report", &dir.display().to_string()]);
        assert_eq!(report.code, 0, "{password}: {}", report.all_output());
        assert!(
            report.stdout.starts_with("# PASSED: short-secret\n"),
            "{password}: {}",
            report.stdout
        );
    }
}

/// Every mapping key path of a YAML document (`targets.db.postgres.url`, `steps[1].checks[0].name`).
fn keys(value: &serde_yaml::Value) -> Vec<String> {
    fn walk(value: &serde_yaml::Value, at: &str, out: &mut Vec<String>) {
        match value {
            serde_yaml::Value::Mapping(map) => {
                for (key, item) in map {
                    let key = key
                        .as_str()
                        .map_or_else(|| format!("{key:?}"), str::to_owned);
                    let path = format!("{at}.{key}");
                    out.push(path.clone());
                    walk(item, &path, out);
                }
            }
            serde_yaml::Value::Sequence(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &format!("{at}[{i}]"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, "", &mut out);
    out
}
