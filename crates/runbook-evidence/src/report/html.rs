//! A single self-contained HTML page (inline style, no scripts, no external resources) with
//! the same content as `report.md`, for mail and artifact viewers.

use std::fmt::Write;

use crate::report::model::Model;
use crate::report::text::duration;
use crate::status::{RunStatus, StepStatus};

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;max-width:75em;color:#222}\
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.3em .6em;\
text-align:left;vertical-align:top}th{background:#f3f3f3}.pass{color:#176f2c}.fail{color:#b00020;\
font-weight:bold}.warning{border:3px solid #b00020;background:#fff0f0;padding:.5em 1em;\
margin-bottom:1.5em}.verdict{font-size:1.6em}code{font-size:.95em}";

pub(crate) fn render(model: &Model) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{}: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(model.status.as_str()),
        escape(&model.name)
    );
    let verdict_class = if matches!(model.status, RunStatus::Passed | RunStatus::Ready) {
        "pass"
    } else {
        "fail"
    };
    let _ = writeln!(
        out,
        "<h1><span class=\"verdict {verdict_class}\">{}</span>: {}</h1>",
        escape(&model.status.as_str().to_uppercase()),
        escape(&model.name)
    );
    for warning in &model.warnings {
        let _ = writeln!(
            out,
            "<div class=\"warning\"><p><strong>WARNING: {}</strong></p>",
            escape(&warning.headline)
        );
        if !warning.lines.is_empty() {
            out.push_str("<ul>\n");
            for line in &warning.lines {
                let _ = writeln!(out, "<li>{}</li>", escape(line));
            }
            out.push_str("</ul>\n");
        }
        out.push_str("</div>\n");
    }
    out.push_str("<table>\n");
    for (label, value) in &model.facts {
        let _ = writeln!(
            out,
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(label),
            escape(value)
        );
    }
    out.push_str("</table>\n<h2>Gates</h2>\n");
    if model.gates.is_empty() {
        out.push_str("<p>This runbook has no gate steps.</p>\n");
    }
    for gate in &model.gates {
        let took = gate
            .duration_ms
            .map(|ms| format!(" ({})", duration(ms)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<h3>{}: <span class=\"{}\">{}</span>{}</h3>",
            escape(&gate.label),
            status_class(gate.status),
            gate.status,
            escape(&took)
        );
        if let Some(note) = &gate.note {
            let _ = writeln!(out, "<p>{}</p>", escape(note));
        }
        if !gate.checks.is_empty() {
            out.push_str(
                "<table>\n<tr><th>check</th><th>result</th><th>expected</th><th>actual</th></tr>\n",
            );
            for check in &gate.checks {
                let mut actual = check.actual.clone();
                if !check.missing.is_empty() {
                    actual.push_str(&format!(" (missing: {})", check.missing.join(", ")));
                }
                if let Some(error) = &check.error {
                    actual.push_str(&format!(" (error: {error})"));
                }
                let (class, word) = if check.passed {
                    ("pass", "pass")
                } else {
                    ("fail", "FAIL")
                };
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td class=\"{class}\">{word}</td><td>{}</td><td>{}</td></tr>",
                    escape(&check.name),
                    escape(&check.expected),
                    escape(&actual)
                );
            }
            out.push_str("</table>\n");
        }
    }
    out.push_str(
        "<h2>Steps</h2>\n<table>\n<tr><th>#</th><th>step</th><th>kind</th><th>status</th>\
         <th>duration</th><th>outcome</th></tr>\n",
    );
    for step in &model.steps {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td></tr>",
            escape(&step.number),
            escape(&step.id),
            escape(&step.kind),
            status_class(step.status),
            step.status,
            escape(&step.duration),
            escape(&step.outcome)
        );
    }
    out.push_str("</table>\n");
    if !model.notes.is_empty() {
        out.push_str("<h2>Notes</h2>\n<ul>\n");
        for note in &model.notes {
            let _ = writeln!(out, "<li>{}</li>", escape(note));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn status_class(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Passed => "pass",
        StepStatus::Failed | StepStatus::Blocked => "fail",
        StepStatus::Skipped | StepStatus::NotRun => "",
    }
}

pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // A server's or a file name's control characters and bidi overrides are shown, not
            // obeyed: an override reverses what a cell reads, an escape code repaints a
            // terminal the report is printed on.
            c if (c.is_control() && c != '\n')
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') =>
            {
                out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escape_shows_control_characters_and_bidi_overrides() {
        assert_eq!(
            escape("<b>a\x1b[2K\r\u{202E}deliaf\u{9b}\nz"),
            "&lt;b&gt;a\\u{1b}[2K\\u{d}\\u{202e}deliaf\\u{9b}\nz"
        );
    }
}
