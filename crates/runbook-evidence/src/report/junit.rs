//! JUnit XML for CI dashboards: one `<testsuite>` per gate step with one `<testcase>` per check,
//! one `steps` suite with a test case per other step, and an `evidence` suite that fails when
//! the directory is not intact.

use std::fmt::Write;

use chrono::{DateTime, Utc};

use crate::load::Evidence;
use crate::report::model::describe_error;
use crate::status::StepStatus;
use crate::verify::VerifyReport;

/// One `<testcase>` before it is written.
struct Case {
    name: String,
    classname: String,
    seconds: f64,
    outcome: CaseOutcome,
    /// Text for `<system-out>`.
    output: Option<String>,
}

enum CaseOutcome {
    Pass,
    Failure { message: String, body: String },
    Error { message: String, body: String },
    Skipped { message: String },
}

struct Suite {
    name: String,
    seconds: f64,
    cases: Vec<Case>,
}

pub(crate) fn render(evidence: &Evidence, integrity: Option<&VerifyReport>) -> String {
    let run = &evidence.run;
    let runbook = &run.runbook.name;
    let mut suites = Vec::new();
    if let Some(report) = integrity {
        let outcome = if report.is_intact() {
            CaseOutcome::Pass
        } else {
            CaseOutcome::Failure {
                message: "the evidence directory is not intact".to_owned(),
                body: report.problems().join("\n"),
            }
        };
        suites.push(Suite {
            name: "evidence".to_owned(),
            seconds: 0.0,
            cases: vec![Case {
                name: "evidence directory is intact".to_owned(),
                classname: format!("{runbook}.evidence"),
                seconds: 0.0,
                outcome,
                output: None,
            }],
        });
    }
    // A CI dashboard shows a step once, as it ended: an attempt a later one replaced (retry:)
    // is not a test case of its own.
    let superseded = crate::report::model::superseded_attempts(evidence);
    let current = |e: &&crate::load::StepEntry| !superseded.contains(&e.summary.index);
    for entry in evidence
        .steps
        .iter()
        .filter(current)
        .filter(|e| e.is_gate())
    {
        let seconds = seconds(entry.summary.duration_ms);
        let classname = format!("{runbook}.{}", entry.summary.id);
        let checks = entry.result.as_ref().and_then(|r| r.gate.as_ref());
        let mut cases = Vec::new();
        for check in checks.into_iter().flatten() {
            let outcome = match (&check.error, check.passed) {
                (Some(error), _) => CaseOutcome::Error {
                    message: error.clone(),
                    body: format!("expected: {}\n{error}", check.expected),
                },
                (None, true) => CaseOutcome::Pass,
                (None, false) => {
                    let mut body =
                        format!("expected: {}\nactual: {}", check.expected, check.actual);
                    if !check.missing.is_empty() {
                        body.push_str(&format!("\nmissing: {}", check.missing.join(", ")));
                    }
                    CaseOutcome::Failure {
                        message: format!("expected {}, found {}", check.expected, check.actual),
                        body,
                    }
                }
            };
            cases.push(Case {
                name: check.name.clone(),
                classname: classname.clone(),
                seconds: 0.0,
                outcome,
                output: check.query.clone(),
            });
        }
        if cases.is_empty() {
            cases.push(Case {
                name: entry.summary.id.clone(),
                classname: classname.clone(),
                seconds,
                outcome: step_outcome(entry),
                output: None,
            });
        }
        suites.push(Suite {
            name: format!("{runbook}: gate {}", entry.summary.id),
            seconds,
            cases,
        });
    }
    let step_cases: Vec<Case> = evidence
        .steps
        .iter()
        .filter(current)
        .filter(|e| !e.is_gate())
        .map(|entry| Case {
            name: format!(
                "{:02} {}",
                entry.summary.index,
                crate::report::model::record_label(&entry.summary)
            ),
            classname: format!("{runbook}.steps"),
            seconds: seconds(entry.summary.duration_ms),
            outcome: step_outcome(entry),
            output: (!entry.summary.summary.is_empty()).then(|| entry.summary.summary.clone()),
        })
        .collect();
    if !step_cases.is_empty() {
        suites.push(Suite {
            name: format!("{runbook}: steps"),
            seconds: step_cases.iter().map(|c| c.seconds).sum(),
            cases: step_cases,
        });
    }
    let properties = [
        ("runbook", runbook.clone()),
        ("runbook.sha256", run.runbook.sha256.clone()),
        ("mode", run.mode.to_string()),
        ("status", run.status.to_string()),
        ("operator", run.operator.clone()),
        ("evidence", evidence.dir.display().to_string()),
    ];
    write(evidence, &properties, &suites)
}

fn step_outcome(entry: &crate::load::StepEntry) -> CaseOutcome {
    let error = entry.result.as_ref().and_then(|r| r.error.as_ref());
    let message = error
        .map(describe_error)
        .or_else(|| entry.problem.clone())
        .unwrap_or_else(|| entry.summary.summary.clone());
    match entry.summary.status {
        StepStatus::Passed => CaseOutcome::Pass,
        StepStatus::Failed => CaseOutcome::Failure {
            body: error
                .map(|e| {
                    [e.detail.as_deref(), e.hint.as_deref(), e.context.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default(),
            message,
        },
        StepStatus::Blocked => CaseOutcome::Error {
            message: format!("blocked: {message}"),
            body: String::new(),
        },
        StepStatus::Skipped => CaseOutcome::Skipped {
            message: if message.is_empty() {
                "skipped".to_owned()
            } else {
                message
            },
        },
        StepStatus::NotRun => CaseOutcome::Skipped {
            message: "not run".to_owned(),
        },
    }
}

fn seconds(ms: Option<u64>) -> f64 {
    ms.unwrap_or(0) as f64 / 1000.0
}

fn write(evidence: &Evidence, properties: &[(&str, String)], suites: &[Suite]) -> String {
    let run = &evidence.run;
    let runbook = &run.runbook.name;
    let started: DateTime<Utc> = run.started_at;
    let count = |f: fn(&CaseOutcome) -> bool| -> usize {
        suites
            .iter()
            .flat_map(|s| &s.cases)
            .filter(|c| f(&c.outcome))
            .count()
    };
    let tests = suites.iter().map(|s| s.cases.len()).sum::<usize>();
    let failures = count(|o| matches!(o, CaseOutcome::Failure { .. }));
    let errors = count(|o| matches!(o, CaseOutcome::Error { .. }));
    let skipped = count(|o| matches!(o, CaseOutcome::Skipped { .. }));
    let timestamp = started.format("%Y-%m-%dT%H:%M:%S").to_string();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" \
         skipped=\"{skipped}\" time=\"{:.3}\" timestamp=\"{timestamp}\">",
        escape(&format!("runbook {runbook}")),
        seconds(run.duration_ms)
    );
    for (id, suite) in suites.iter().enumerate() {
        let of = |f: fn(&CaseOutcome) -> bool| suite.cases.iter().filter(|c| f(&c.outcome)).count();
        let _ = writeln!(
            out,
            "  <testsuite id=\"{id}\" name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" \
             skipped=\"{}\" time=\"{:.3}\" timestamp=\"{timestamp}\" hostname=\"{}\" \
             package=\"{}\">",
            escape(&suite.name),
            suite.cases.len(),
            of(|o| matches!(o, CaseOutcome::Failure { .. })),
            of(|o| matches!(o, CaseOutcome::Error { .. })),
            of(|o| matches!(o, CaseOutcome::Skipped { .. })),
            suite.seconds,
            escape(&run.host),
            escape(runbook)
        );
        out.push_str("    <properties>\n");
        for (name, value) in properties {
            let _ = writeln!(
                out,
                "      <property name=\"{}\" value=\"{}\"/>",
                escape(name),
                escape(value)
            );
        }
        out.push_str("    </properties>\n");
        for case in &suite.cases {
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\" time=\"{:.3}\"",
                escape(&case.name),
                escape(&case.classname),
                case.seconds
            );
            let inner = match &case.outcome {
                CaseOutcome::Pass => String::new(),
                CaseOutcome::Failure { message, body } => format!(
                    "      <failure message=\"{}\" type=\"failure\">{}</failure>\n",
                    escape(message),
                    escape(body)
                ),
                CaseOutcome::Error { message, body } => format!(
                    "      <error message=\"{}\" type=\"error\">{}</error>\n",
                    escape(message),
                    escape(body)
                ),
                CaseOutcome::Skipped { message } => {
                    format!("      <skipped message=\"{}\"/>\n", escape(message))
                }
            };
            let output = case
                .output
                .as_ref()
                .map(|o| format!("      <system-out>{}</system-out>\n", escape(o)))
                .unwrap_or_default();
            if inner.is_empty() && output.is_empty() {
                out.push_str("/>\n");
            } else {
                let _ = write!(out, ">\n{inner}{output}    </testcase>\n");
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Escapes text for XML attributes and content; characters XML 1.0 cannot hold at all (most
/// control characters) become U+FFFD.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_makes_any_text_valid_xml() {
        assert_eq!(
            escape("a<b & \"c\" 'd'\u{1}\u{7}\tz"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;\u{FFFD}\u{FFFD}\tz"
        );
    }
}
