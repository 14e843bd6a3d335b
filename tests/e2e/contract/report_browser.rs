//! The report a reviewer signs from: rendered by the binary, read in a real browser (headless
//! Chromium's `--dump-dom`), and signed with `runbook approve`.
//!
//! The browser test is skipped (with a note on stderr) when `chromium` is not installed, unless
//! `RUNBOOK_REQUIRE_CHROMIUM=1` (set by `.ci/run`, which installs it) makes that a failure.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::contract::case::{Case, runbook_text};
use crate::support::{assert_no_panic, runbook, sha256sum_check};

/// A run whose shell step prints markup (and a line with control characters) and whose gate
/// fails one check: exit 4, evidence in `ev/`.
fn failed_gate_run(case: &Case) -> PathBuf {
    case.runbook(
        "report-browser",
        "",
        r#"
        - id: make
          kind: sql
          target: db
          description: the patient table, empty
          text: CREATE TABLE patient (id int);
        - id: noisy
          kind: shell
          description: prints what a hostile server or tool could print
          command: [sh, -c, 'echo "<script>alert(1)</script>"; printf "</pre><h1>PASSED</h1>\n"; echo done']
        - id: gate
          kind: gate
          target: db
          description: the restore holds patients
          checks:
            - name: patient table
              tables_exist: [patient]
            - name: some patients
              query: SELECT count(*) FROM patient
              expect: { min: 1 }
        "#,
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 4, "{}", result.all_output());
    result.evidence_dir(case.path())
}

/// `expected` and `actual` of the failed check as the gate recorded them in result.json (the
/// report must show them as they are, whatever words the gate uses).
fn failed_check(dir: &Path) -> (String, String) {
    let result = crate::support::step_result(dir, "03-gate");
    let check = &result["gate"][1];
    assert_eq!(check["name"], "some patients");
    assert_eq!(check["passed"], false);
    (
        check["expected"].as_str().expect("expected").to_owned(),
        check["actual"].as_str().expect("actual").to_owned(),
    )
}

fn relative(case: &Case, dir: &Path) -> String {
    dir.strip_prefix(case.path())
        .expect("evidence under the scratch dir")
        .display()
        .to_string()
}

/// Whether the test may run Chromium; `None` after saying why it skips.
fn chromium() -> Option<&'static str> {
    let found = Command::new("chromium")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some("chromium");
    }
    assert!(
        std::env::var("RUNBOOK_REQUIRE_CHROMIUM").as_deref() != Ok("1"),
        "RUNBOOK_REQUIRE_CHROMIUM=1 but chromium is not installed (apt-get install chromium)"
    );
    #[expect(
        clippy::print_stderr,
        reason = "a skipped browser test says so in the test output"
    )]
    {
        eprintln!(
            "report_browser: skipped: chromium is not installed (set RUNBOOK_REQUIRE_CHROMIUM=1 \
             to make this a failure)"
        );
    }
    None
}

/// The DOM Chromium builds from `page`, serialized (`--dump-dom`).
fn dump_dom(browser: &str, page: &Path, profile: &Path) -> String {
    let url = format!("file://{}", page.display());
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            &format!("--user-data-dir={}", profile.display()),
            "--dump-dom",
            &url,
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(90);
    while child.try_wait().expect("poll chromium").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("chromium output");
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success() && dom.contains("</html>"),
        "chromium failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    dom
}

/// The facts of a serialized DOM a reviewer sees, read by Python's HTML parser (the DOM is
/// HTML, not XML): the headline, the script elements, the failed checks' cells, the failure
/// list's check lines, the text of each log, and every link target.
fn dom_facts(dom: &str, scratch: &Path) -> serde_json::Value {
    let path = scratch.join("dom.html");
    std::fs::write(&path, dom).expect("write the DOM");
    let script = r#"
import json, sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []; self.h1 = ""; self.scripts = 0; self.rows = []; self.checks = []
        self.logs = []; self.links = []; self.cur = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs); cls = (a.get("class") or "").split()
        if tag == "script": self.scripts += 1
        if tag == "a" and a.get("href"): self.links.append(a["href"])
        if tag == "tr" and "check" in cls and "failed" in cls: self.rows.append([])
        self.stack.append((tag, cls, self.cur))
        if tag == "h1": self.cur = ["h1", ""]
        elif tag == "td" and self.rows and any(t == "tr" and "failed" in c for t, c, _ in self.stack): self.cur = ["td", ""]
        elif tag == "li" and "failed-check" in cls: self.cur = ["check", ""]
        elif tag == "pre" and "log" in cls: self.cur = ["log", ""]
    def handle_endtag(self, tag):
        while self.stack:
            t, cls, prev = self.stack.pop()
            if t == tag: break
        else:
            return
        if self.cur is not None and (tag, self.cur[0]) in [("h1", "h1"), ("td", "td"), ("li", "check"), ("pre", "log")]:
            kind, text = self.cur
            if kind == "h1": self.h1 = text
            elif kind == "td": self.rows[-1].append(text)
            elif kind == "check": self.checks.append(text)
            else: self.logs.append(text)
            self.cur = prev
    def handle_data(self, data):
        if self.cur is not None: self.cur[1] += data
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read())
print(json.dumps({"h1": p.h1, "scripts": p.scripts, "failed_rows": p.rows, "failed_checks": p.checks, "logs": p.logs, "links": p.links}))
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("facts are JSON")
}

#[test]
fn the_html_report_in_a_real_browser_shows_the_failure_first_and_logs_as_text() {
    let case = Case::new("e2e_report_browser");
    let dir = failed_gate_run(&case);
    let shown = relative(&case, &dir);
    std::fs::create_dir(case.path().join("out")).expect("out dir");
    let rendered = runbook(
        case.path(),
        &[
            "report",
            &shown,
            "--format",
            "html",
            "-o",
            "out/report.html",
        ],
    );
    assert_no_panic(&rendered);
    assert_eq!(rendered.code, 0, "{}", rendered.all_output());
    let page = case.path().join("out/report.html");
    let html = std::fs::read_to_string(&page).expect("report.html");
    assert!(!html.contains("<script"), "no script element in the page");
    assert!(
        !html.contains("http://") && !html.contains("https://") && !html.contains("src="),
        "no external assets"
    );
    assert!(html.contains("@media print"), "a print stylesheet");

    let Some(browser) = chromium() else {
        return;
    };
    let (expected, actual) = failed_check(&dir);
    let dom = dump_dom(browser, &page, &case.path().join("chromium-profile"));
    let facts = dom_facts(&dom, case.path());
    // The headline is the failure, in words (no colour needed).
    assert_eq!(facts["h1"], "GATE FAILED: report-browser", "{dom}");
    // The step log's markup stayed text: no script element, no second headline.
    assert_eq!(facts["scripts"], 0, "{dom}");
    assert_eq!(dom.matches("<h1").count(), 1, "{dom}");
    let logs: Vec<&str> = facts["logs"]
        .as_array()
        .expect("logs")
        .iter()
        .filter_map(|l| l.as_str())
        .collect();
    assert!(
        logs.iter().any(|l| l.contains(
            "[stdout] <script>alert(1)</script>\n[stdout] </pre><h1>PASSED</h1>\n[stdout] done\n"
        )),
        "the shell step's log, as text: {logs:?}"
    );
    // The failed check shows what was expected and what was found, in its table row and in
    // the list of failures at the top.
    assert_eq!(
        facts["failed_rows"],
        serde_json::json!([[
            "some patients",
            "FAIL",
            expected,
            actual,
            "",
            "SELECT count(*) FROM patient"
        ]]),
        "{dom}"
    );
    assert_eq!(
        facts["failed_checks"],
        serde_json::json!([format!(
            "some patients: expected {expected}, found {actual}"
        )]),
        "{dom}"
    );
    let failures = dom.find("id=\"failures\"").expect("the failures section");
    assert!(
        failures < dom.find("<h2>Gates</h2>").expect("gates"),
        "failures come first"
    );
    // Links to the evidence files lead to them from where the report was saved.
    let links: Vec<&str> = facts["links"]
        .as_array()
        .expect("links")
        .iter()
        .filter_map(|l| l.as_str())
        .filter(|l| !l.starts_with('#'))
        .collect();
    assert!(
        links
            .iter()
            .any(|l| l.ends_with("/steps/02-noisy/output.log")),
        "{links:?}"
    );
    for link in links {
        assert!(
            case.path().join("out").join(link).is_file(),
            "the link {link} leads nowhere"
        );
    }
}

#[test]
fn the_markdown_report_puts_the_failure_its_check_and_the_log_first_and_escaped() {
    let case = Case::new("e2e_report_markdown");
    let dir = failed_gate_run(&case);
    // The report the run wrote into its evidence.
    let (expected, actual) = failed_check(&dir);
    let md = std::fs::read_to_string(dir.join("report.md")).expect("report.md");
    let lines: Vec<&str> = md.split('\n').collect();
    assert_eq!(lines[0], "# GATE FAILED: report-browser", "{md}");
    assert_eq!(lines[2], "**What failed** (1):", "{md}");
    assert_eq!(
        lines[4], "1. **step 03 gate** (gate): **failed**: 1 of 2 checks failed: some patients",
        "{md}"
    );
    assert_eq!(lines[5], "   - step: the restore holds patients", "{md}");
    assert_eq!(
        lines[6],
        format!("   - some patients: expected {expected}, found {actual}"),
        "{md}"
    );
    assert!(md.contains("Query of some patients:\n\n```sql\nSELECT count(*) FROM patient\n```"));
    assert!(md.contains("### 01 make (sql): passed\n\nthe patient table, empty\n"));
    assert!(
        md.contains("```text\n$ sh -c 'echo \"<script>alert(1)</script>\"; printf \"</pre><h1>PASSED</h1>\\n\"; echo done'\n[stdout] <script>alert(1)</script>\n[stdout] </pre><h1>PASSED</h1>\n[stdout] done\n"),
        "the log sits in a code block, where Markdown shows markup as text:\n{md}"
    );
    assert!(md.contains("[steps/02-noisy/output.log](steps/02-noisy/output.log)"));
    assert!(md.contains("## Integrity\n\nWritten by the run as it sealed its evidence"));
    assert!(md.contains("## Sign-off\n\nNot yet approved."));

    // Rendered on demand: verify's result and the approvals.
    let shown = relative(&case, &dir);
    let again = runbook(case.path(), &["report", &shown]);
    assert_eq!(again.code, 0, "{}", again.all_output());
    assert!(again.stdout.starts_with("# GATE FAILED: report-browser\n"));
    assert!(
        again
            .stdout
            .contains("## Integrity\n\n**intact**: `verify` re-hashed the"),
        "{}",
        again.stdout
    );
    assert!(again.stdout.contains("## Sign-off\n\nNo approvals."));
    // Links from the current directory (where `> report.md` would save it).
    assert!(again.stdout.contains(&format!(
        "[steps/02-noisy/output.log]({shown}/steps/02-noisy/output.log)"
    )));
}

#[test]
fn an_allowed_failure_is_an_amber_headline_with_the_failure_listed_never_passed() {
    let case = Case::new("e2e_report_allowed");
    let text = runbook_text(
        "report-allowed",
        "",
        "
        - id: first
          kind: sql
          target: db
          text: SELECT 1;
        - id: optional
          kind: shell
          continue_on_error: true
          command: [sh, -c, 'echo cleanup failed >&2; exit 3']
        - id: last
          kind: sql
          target: db
          text: SELECT 1;
        ",
    );
    case.scratch.write("rb.yaml", text);
    let result = case.run(&["run", "rb.yaml", "--from", "optional"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    let md = std::fs::read_to_string(dir.join("report.md")).expect("report.md");
    let lines: Vec<&str> = md.split('\n').collect();
    assert_eq!(
        lines[0], "# PASSED WITH 1 ALLOWED FAILURE: report-allowed",
        "{md}"
    );
    assert!(
        lines[4].starts_with(
            "1. **step 02 optional** (shell): **failed**, allowed by continue_on_error (the run went on): "
        ),
        "{md}"
    );
    assert!(!md.contains("# PASSED:"), "{md}");
    // The --from note comes right after the failures, before the facts.
    let note = md
        .find("- **Note:** started at step optional (--from): step 1 was not run in this run")
        .expect("the --from note");
    assert!(note < md.find("| status |").expect("facts"), "{md}");
    assert!(
        md.contains("cleanup failed"),
        "the failed step's log is in the report:\n{md}"
    );

    let shown = relative(&case, &dir);
    let html = runbook(case.path(), &["report", &shown, "--format", "html"]);
    assert_eq!(html.code, 0, "{}", html.all_output());
    assert!(
        html.stdout.contains(
            "<h1 id=\"verdict\" class=\"verdict tone-warn\"><span class=\"headline\">PASSED WITH 1 ALLOWED FAILURE</span>"
        ),
        "{}",
        html.stdout
    );
}

#[test]
fn approve_signs_the_evidence_and_the_report_says_whether_it_changed_since() {
    let case = Case::new("e2e_report_approve");
    let dir = failed_gate_run(&case);
    let shown = relative(&case, &dir);

    let signed = runbook(
        case.path(),
        &[
            "approve",
            &shown,
            "--as",
            "Dr. Tanaka",
            "--comment",
            "gate failure expected: empty table",
        ],
    );
    assert_no_panic(&signed);
    assert_eq!(signed.code, 0, "{}", signed.all_output());
    assert!(
        signed.stdout.starts_with("approved by Dr. Tanaka at "),
        "{}",
        signed.stdout
    );
    assert!(signed.stdout.contains("  the run's verdict: gate_failed\n"));
    let record: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("approvals/0001-Dr.-Tanaka.json")).expect("the record"),
    )
    .expect("JSON");
    assert_eq!(record["approver"], "Dr. Tanaka");
    assert_eq!(record["comment"], "gate failure expected: empty table");
    assert_eq!(record["run_status"], "gate_failed");
    let (ok, text) = sha256sum_check(&dir);
    assert!(
        ok && text.contains("approvals/0001-Dr.-Tanaka.json: OK"),
        "{text}"
    );
    let verified = runbook(case.path(), &["verify", &shown]);
    assert_eq!(verified.code, 0, "{}", verified.all_output());

    let report = runbook(case.path(), &["report", &shown]);
    assert_eq!(report.code, 0, "{}", report.all_output());
    let signoff = report
        .stdout
        .split("## Sign-off\n\n")
        .nth(1)
        .expect("a sign-off section");
    assert!(
        signoff.contains(&format!(
            "| Dr. Tanaka ([approvals/0001-Dr.-Tanaka.json]({shown}/approvals/0001-Dr.-Tanaka.json)) | "
        )) && signoff.contains(&format!("| {} | unchanged |", record["sums_sha256"].as_str().unwrap())),
        "{signoff}"
    );

    // Someone edits the log and rewrites SHA256SUMS whole: every file matches its line, but
    // not what was approved.
    let log = dir.join("steps/02-noisy/output.log");
    std::fs::write(&log, "all fine\n").expect("edit");
    let listing = std::fs::read_to_string(dir.join("SHA256SUMS")).expect("sums");
    let rewritten: String = listing
        .split_terminator('\n')
        .map(|line| {
            if line.ends_with("steps/02-noisy/output.log") {
                format!(
                    "{}  steps/02-noisy/output.log\n",
                    runbook_evidence::sha256_hex(b"all fine\n")
                )
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    std::fs::write(dir.join("SHA256SUMS"), rewritten).expect("rewrite");
    assert!(sha256sum_check(&dir).0, "coreutils cannot tell");
    let verified = runbook(case.path(), &["verify", &shown]);
    assert_eq!(verified.code, 5, "{}", verified.all_output());
    assert!(
        verified.stdout.contains(
            "approval by \"Dr. Tanaka\" (approvals/0001-Dr.-Tanaka.json) is for an earlier state"
        ),
        "{}",
        verified.stdout
    );
    let again = runbook(case.path(), &["approve", &shown, "--as", "mallory"]);
    assert_eq!(again.code, 5, "{}", again.all_output());
    assert!(
        again.stderr.contains("refusing to approve"),
        "{}",
        again.stderr
    );
    assert!(!dir.join("approvals/0002-mallory.json").exists());

    let missing = runbook(case.path(), &["approve", "no-such-dir", "--as", "x"]);
    assert_eq!(missing.code, 2, "{}", missing.all_output());
}
