//! Reports: verdict first, gates before steps, every format well-formed.

use std::fs;
use std::process::Command;

use runbook_evidence::report::{JsonReport, render, render_dir};
use runbook_evidence::{Evidence, Format, verify};

use crate::support::{finished_run, read};

#[test]
fn report_md_opens_with_the_verdict_then_gates_then_steps() {
    let base = tempfile::tempdir().unwrap();
    let dir = finished_run(base.path());
    let md = read(dir.path(), "report.md");
    let first = md.split('\n').next().unwrap();
    assert_eq!(first, "# GATE FAILED: clinic-restore");
    for fact in [
        "| status | **gate_failed** |",
        "| runbook | clinic-restore: Restore the clinic database from the baseline dump |",
        "| mode | run |",
        "| operator | alice@db-host |",
        "| started | 2025-11-08 06:24:36 UTC |",
        &format!("| evidence | {} |", dir.path().display()),
    ] {
        assert!(md.contains(fact), "missing {fact:?} in:\n{md}");
    }
    let gates = md.find("## Gates").unwrap();
    let steps = md.find("## Steps").unwrap();
    let verdict = md.find("| status |").unwrap();
    assert!(verdict < gates && gates < steps, "{md}");
    assert!(md.contains("### 03 gate-db-restored: failed"), "{md}");
    assert!(
        md.contains("| at least 50 tables | pass | at least 50 | 83 |"),
        "{md}"
    );
    assert!(
        md.contains(
            "| representative tables exist | **FAIL** | tables d_users, d_audit_event | 1 of 2 tables (missing: d_audit_event) |"
        ),
        "{md}"
    );
    assert!(
        md.contains("| 01 | secrets | require_files | passed |"),
        "{md}"
    );
    assert!(md.contains("| **failed** |",), "{md}");
    assert!(
        md.contains(
            "relation \"appointment_model\" does not exist (V0002__x.sql:12:5, SQLSTATE 42P01) |"
        ),
        "{md}"
    );
    assert!(
        md.contains("| 04 | export | shell | not_run |  |  |"),
        "{md}"
    );
    assert!(!md.contains("WARNING"), "{md}");
}

#[test]
fn a_tampered_directory_still_renders_with_a_warning_on_top() {
    let base = tempfile::tempdir().unwrap();
    let dir = finished_run(base.path());
    fs::write(
        dir.path().join("steps/01-secrets/output.log"),
        "rewritten\n",
    )
    .unwrap();
    let rendered = render_dir(dir.path(), Format::Markdown).unwrap();
    assert!(!rendered.integrity.is_intact());
    let lines: Vec<&str> = rendered.text.split('\n').collect();
    assert_eq!(lines[0], "# GATE FAILED: clinic-restore");
    assert_eq!(
        lines[2],
        "> **WARNING: this evidence directory is NOT intact: files changed after the run wrote them, do not rely on it**"
    );
    assert_eq!(lines[3], "> - modified: steps/01-secrets/output.log");

    let html = render_dir(dir.path(), Format::Html).unwrap().text;
    let warning = html.find("class=\"warning\"").unwrap();
    assert!(warning < html.find("<h2>Gates</h2>").unwrap());
    assert!(html.contains("<li>modified: steps/01-secrets/output.log</li>"));

    let junit = render_dir(dir.path(), Format::Junit).unwrap().text;
    assert!(junit.contains("<failure message=\"the evidence directory is not intact\""));
    let json: JsonReport =
        serde_json::from_str(&render_dir(dir.path(), Format::Json).unwrap().text).unwrap();
    assert_eq!(json.intact, Some(false));
}

#[test]
fn html_is_one_escaped_page() {
    let base = tempfile::tempdir().unwrap();
    let dir = finished_run(base.path());
    let html = render_dir(dir.path(), Format::Html).unwrap().text;
    assert!(html.starts_with("<!DOCTYPE html>\n"));
    assert!(html.ends_with("</html>\n"));
    assert!(!html.contains("<script"));
    assert!(!html.contains("src="));
    assert!(!html.contains("<link") && !html.contains("@import") && !html.contains("url("));
    // Links only to the evidence's own files (relative) and to sections of the page.
    for href in html.split("href=\"").skip(1) {
        let target = &href[..href.find('"').unwrap()];
        assert!(
            target.starts_with('#')
                || target.starts_with("steps/")
                || ["run.json", "runbook.yaml", "report.md", "SHA256SUMS"].contains(&target),
            "{target}"
        );
    }
    assert!(html.contains("<a href=\"steps/02-load-schema/output.log\">"));
    assert!(html.contains(
        "Run files: <a href=\"run.json\">run.json</a>, <a href=\"runbook.yaml\">runbook.yaml</a>, \
         <a href=\"report.md\">report.md</a>, <a href=\"SHA256SUMS\">SHA256SUMS</a>"
    ));
    assert!(html.contains("relation &quot;appointment_model&quot; does not exist"));
    assert!(html.find("<h2>Gates</h2>").unwrap() < html.find("<h2>Steps</h2>").unwrap());
    // It parses as XML-ish markup where it matters: every table closes.
    assert_eq!(
        html.matches("<table").count(),
        html.matches("</table>").count()
    );
}

#[test]
fn junit_is_valid_xml_with_a_case_per_gate_check() {
    let base = tempfile::tempdir().unwrap();
    let dir = finished_run(base.path());
    let junit = render_dir(dir.path(), Format::Junit).unwrap().text;
    let path = base.path().join("junit.xml");
    fs::write(&path, &junit).unwrap();
    let script = r#"
import sys, xml.etree.ElementTree as E
root = E.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
for suite in root.findall("testsuite"):
    cases = suite.findall("testcase")
    assert int(suite.get("tests")) == len(cases), suite.get("name")
    assert int(suite.get("failures")) == len([c for c in cases if c.find("failure") is not None])
    for case in cases:
        outcome = "failure" if case.find("failure") is not None else "error" if case.find("error") is not None else "skipped" if case.find("skipped") is not None else "pass"
        print(suite.get("name"), "|", case.get("name"), "|", outcome)
print("totals", root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped"))
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{junit}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "evidence | evidence directory is intact | pass\n\
         clinic-restore: gate gate-db-restored | at least 50 tables | pass\n\
         clinic-restore: gate gate-db-restored | representative tables exist | failure\n\
         clinic-restore: steps | 01 secrets | pass\n\
         clinic-restore: steps | 02 load-schema | failure\n\
         clinic-restore: steps | 04 export | skipped\n\
         totals 6 2 0 1\n"
    );
    assert!(junit.contains(
        "<failure message=\"expected tables d_users, d_audit_event, found 1 of 2 tables\" type=\"failure\">expected: tables d_users, d_audit_event\nactual: 1 of 2 tables\nmissing: d_audit_event</failure>"
    ), "{junit}");
}

#[test]
fn json_round_trips_with_every_step_result() {
    let base = tempfile::tempdir().unwrap();
    let dir = finished_run(base.path());
    let evidence = Evidence::load(dir.path()).unwrap();
    let integrity = verify(dir.path()).unwrap();
    let text = render(&evidence, Some(&integrity), Format::Json);
    let parsed: JsonReport = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed, JsonReport::new(&evidence, Some(&integrity)));
    assert_eq!(parsed.results.len(), 3);
    assert_eq!(parsed.results, dir.results());
    assert_eq!(&parsed.run, dir.record());
    assert_eq!(parsed.intact, Some(true));
    assert!(parsed.problems.is_empty());
}

#[test]
fn loading_reads_back_what_was_written() {
    let base = tempfile::tempdir().unwrap();
    let dir = finished_run(base.path());
    let evidence = Evidence::load(dir.path()).unwrap();
    assert_eq!(&evidence.run, dir.record());
    let results: Vec<_> = evidence
        .steps
        .iter()
        .filter_map(|s| s.result.clone())
        .collect();
    assert_eq!(results, dir.results());
    assert!(evidence.steps[3].result.is_none());
    assert_eq!(evidence.steps[3].problem, None);
}

#[test]
fn loading_a_damaged_record_names_file_line_and_column() {
    let base = tempfile::tempdir().unwrap();
    let dir = finished_run(base.path());
    fs::write(
        dir.path().join("steps/01-secrets/result.json"),
        "{\n  \"schema_version\": 1,\n  \"index\": oops\n}\n",
    )
    .unwrap();
    let evidence = Evidence::load(dir.path()).unwrap();
    let problem = evidence.steps[0].problem.clone().unwrap();
    assert_eq!(
        problem,
        format!(
            "{}:3:12: expected a step result, found invalid content: expected value",
            dir.path().join("steps/01-secrets/result.json").display()
        )
    );
    // The report still renders, naming the problem on the step's line.
    let md = render(&evidence, None, Format::Markdown);
    assert!(
        md.contains("| 01 | secrets | require_files | passed |"),
        "{md}"
    );
    assert!(md.contains(&problem), "{md}");

    fs::write(dir.path().join("run.json"), "{\"schema_version\": 2}").unwrap();
    let err = Evidence::load(dir.path()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: expected schema_version 1, found 2",
            dir.path().join("run.json").display()
        )
    );
}

#[test]
fn a_directory_that_is_not_evidence_cannot_be_reported() {
    let base = tempfile::tempdir().unwrap();
    let err = render_dir(base.path(), Format::Markdown).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "no run.json in {}: not an evidence directory",
            base.path().display()
        )
    );
}

#[test]
fn formats_parse_from_the_command_line_names() {
    assert_eq!("md".parse::<Format>().unwrap(), Format::Markdown);
    assert_eq!("html".parse::<Format>().unwrap(), Format::Html);
    assert_eq!("json".parse::<Format>().unwrap(), Format::Json);
    assert_eq!("junit".parse::<Format>().unwrap(), Format::Junit);
    assert_eq!(
        "pdf".parse::<Format>().unwrap_err().to_string(),
        "unknown report format \"pdf\": expected md, html, json or junit"
    );
}

#[test]
fn user_text_cannot_inject_markup() {
    use runbook_evidence::{EvidenceDir, Mode, Redactor, RunStatus, StepOutcome, StepStatus};
    let base = tempfile::tempdir().unwrap();
    let mut dir = EvidenceDir::create(
        base.path(),
        crate::support::new_run(Mode::Run, crate::support::STEPS),
        Redactor::default(),
    )
    .unwrap();
    let step = dir.begin_step(1).unwrap();
    let summary = "<script>alert(1)</script> | a & b \"q\" \u{1}";
    dir.finish_step(step, StepOutcome::new(StepStatus::Passed, summary))
        .unwrap();
    dir.finish_run(RunStatus::Passed).unwrap();

    let html = render_dir(dir.path(), Format::Html).unwrap().text;
    assert!(!html.contains("<script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; | a &amp; b &quot;q&quot;"));
    // Markdown renders raw HTML: `<` is written as an entity, and control characters as
    // visible escapes (report.md is read with cat too).
    let md = read(dir.path(), "report.md");
    assert!(
        md.contains("| &lt;script>alert(1)&lt;/script> \\| a & b \"q\" \\u{1} |"),
        "{md}"
    );
    let junit = render_dir(dir.path(), Format::Junit).unwrap().text;
    assert!(junit.contains(
        "<system-out>&lt;script&gt;alert(1)&lt;/script&gt; | a &amp; b &quot;q&quot; \u{FFFD}</system-out>"
    ));
}

/// A run of three steps (`a` sql, `b` shell with the given `continue_on_error`, `c` gate)
/// where `b` fails with `b_log` as its log, ended with `status` in `mode`.
fn run_with_failed_b(
    base: &std::path::Path,
    mode: runbook_evidence::Mode,
    allowed: bool,
    status: runbook_evidence::RunStatus,
    b_log: &[&str],
) -> std::path::PathBuf {
    use runbook_evidence::{EvidenceDir, PlannedStep, Redactor, StepOutcome, StepStatus};
    let mut run = crate::support::new_run(mode, &[]);
    run.steps = vec![
        PlannedStep::new("a", "sql"),
        PlannedStep::new("b", "shell")
            .with_description(Some("vacuum afterwards".to_owned()))
            .with_continue_on_error(allowed),
        PlannedStep::new("c", "gate"),
    ];
    let mut dir = EvidenceDir::create(base, run, Redactor::new(["hunter2"])).unwrap();
    let step = dir.begin_step(1).unwrap();
    dir.finish_step(step, StepOutcome::new(StepStatus::Passed, "ok"))
        .unwrap();
    let mut step = dir.begin_step(2).unwrap();
    for line in b_log {
        step.log_line(line).unwrap();
    }
    dir.finish_step(step, StepOutcome::new(StepStatus::Failed, "exit code 3"))
        .unwrap();
    let step = dir.begin_step(3).unwrap();
    let mut outcome = StepOutcome::new(StepStatus::Passed, "1 of 1 checks passed");
    outcome.gate = Some(Vec::new());
    dir.finish_step(step, outcome).unwrap();
    dir.finish_run(status).unwrap();
    dir.path().to_owned()
}

#[test]
fn an_allowed_failure_is_never_a_plain_pass_in_any_format() {
    use runbook_evidence::{Mode, RunStatus};
    let base = tempfile::tempdir().unwrap();
    let dir = run_with_failed_b(
        base.path(),
        Mode::Run,
        true,
        RunStatus::PassedWithFailures,
        &["ERROR: disk full"],
    );
    let md = read(&dir, "report.md");
    let lines: Vec<&str> = md.split('\n').collect();
    assert_eq!(lines[0], "# PASSED WITH 1 ALLOWED FAILURE: clinic-restore");
    assert_eq!(
        lines[4],
        "1. **step 02 b** (shell): **failed**, allowed by continue_on_error (the run went on): exit code 3"
    );
    assert_eq!(lines[5], "   - step: vacuum afterwards");
    assert!(md.contains("### 02 b (shell): failed (continue_on_error)\n\nvacuum afterwards\n"));
    assert!(md.contains("```text\nERROR: disk full\n```"), "{md}");
    let html = render_dir(&dir, Format::Html).unwrap().text;
    assert!(html.contains(
        "<h1 id=\"verdict\" class=\"verdict tone-warn\"><span class=\"headline\">PASSED WITH 1 ALLOWED FAILURE</span>: clinic-restore</h1>"
    ));
    // The failed step's log is open; a passed step's would be folded.
    assert!(html.contains("<details class=\"log\" open><summary>Log steps/02-b/output.log"));

    // Check mode says the same of a step that would fail but is allowed to.
    let base = tempfile::tempdir().unwrap();
    let dir = run_with_failed_b(base.path(), Mode::Check, true, RunStatus::Ready, &["x"]);
    assert!(
        read(&dir, "report.md").starts_with("# READY WITH 1 ALLOWED FAILURE: clinic-restore\n")
    );
}

#[test]
fn a_record_that_says_passed_over_a_failed_step_gets_a_failing_headline() {
    use runbook_evidence::{Mode, RunStatus};
    let base = tempfile::tempdir().unwrap();
    // The record claims a pass although step b failed and nothing allowed it (an older
    // writer, or an edited record): the headline follows the steps.
    let dir = run_with_failed_b(base.path(), Mode::Run, false, RunStatus::Passed, &["boom"]);
    let md = read(&dir, "report.md");
    assert!(md.starts_with("# FAILED: clinic-restore\n\n> **WARNING: run.json states the verdict 'passed', yet steps failed"), "{md}");
    assert!(md.contains("> - step 02 (b): failed\n"), "{md}");
    assert!(!md.contains("# PASSED"), "{md}");
}

#[test]
fn step_logs_are_escaped_capped_and_linked() {
    use runbook_evidence::{Mode, RunStatus};
    let base = tempfile::tempdir().unwrap();
    let mut log: Vec<String> = vec![
        "<script>alert(1)</script>".to_owned(),
        "\u{1b}[2K\rPASSED\u{202e}".to_owned(),
        "```".to_owned(),
        "col1\tcol2".to_owned(),
    ];
    log.extend((0..5000).map(|i| format!("row {i} password hunter2")));
    let lines: Vec<&str> = log.iter().map(String::as_str).collect();
    let dir = run_with_failed_b(base.path(), Mode::Run, false, RunStatus::Failed, &lines);
    let html = render_dir(&dir, Format::Html).unwrap().text;
    assert!(!html.contains("<script"));
    assert!(html.contains("<pre class=\"log\">&lt;script&gt;alert(1)&lt;/script&gt;\n\\u{1b}[2K\\u{d}PASSED\\u{202e}\n```\ncol1\tcol2\n"), "{html}");
    assert!(html.contains("<p class=\"cut\">... "), "{html}");
    assert!(html.contains(" not shown here: the full log is <a href=\"steps/02-b/output.log\">steps/02-b/output.log</a> ...</p>"));
    assert!(
        html.contains("row 4999 password ****\n</pre>"),
        "the tail is kept, redacted"
    );
    assert!(!html.contains("row 2500 "), "the middle is cut");
    assert!(html.len() < 200_000, "{} bytes", html.len());

    let md = read(&dir, "report.md");
    // The log's own ``` cannot close the block it sits in.
    let block =
        "````text\n<script>alert(1)</script>\n\\u{1b}[2K\\u{d}PASSED\\u{202e}\n```\ncol1\tcol2\n";
    assert!(md.contains(block), "{md}");
    assert!(md.contains(": the full log is [steps/02-b/output.log](steps/02-b/output.log) ..."));
}

#[test]
fn outputs_show_with_their_values_escaped_and_a_secret_as_not_recorded() {
    use runbook_evidence::{
        EvidenceDir, Mode, OutputValue, Redactor, RunStatus, StepOutcome, StepStatus,
    };
    let base = tempfile::tempdir().unwrap();
    let mut dir = EvidenceDir::create(
        base.path(),
        crate::support::new_run(Mode::Run, crate::support::STEPS),
        Redactor::default(),
    )
    .unwrap();
    let step = dir.begin_step(1).unwrap();
    let mut outcome = StepOutcome::new(StepStatus::Passed, "backup taken");
    outcome.outputs.insert(
        "dump".to_owned(),
        OutputValue::plain("/backups/<b>clinic</b> & co.dump"),
    );
    outcome.outputs.insert(
        "password".to_owned(),
        OutputValue::secret("s3cret-generated"),
    );
    dir.finish_step(step, outcome).unwrap();
    dir.finish_run(RunStatus::Passed).unwrap();

    let md = read(dir.path(), "report.md");
    assert!(
        md.contains("Outputs:\n\n- `dump` = /backups/&lt;b>clinic&lt;/b> & co.dump\n- `password` = (secret, not recorded)\n"),
        "{md}"
    );
    let html = render_dir(dir.path(), Format::Html).unwrap().text;
    assert!(
        html.contains(
            "<tr><td><code>dump</code></td><td>/backups/&lt;b&gt;clinic&lt;/b&gt; &amp; co.dump</td></tr>"
        ),
        "{html}"
    );
    assert!(
        html.contains("<tr><td><code>password</code></td><td>(secret, not recorded)</td></tr>")
    );
    for text in [&md, &html] {
        assert!(!text.contains("s3cret-generated"));
    }
}
