//! `report.md`: readable as plain text at 3 a.m. and as rendered Markdown in a merge request.

use std::fmt::Write;

use crate::report::model::Model;
use crate::report::text::duration;

pub(crate) fn render(model: &Model) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {}: {}\n",
        model.status.as_str().to_uppercase(),
        inline(&model.name)
    );
    for warning in &model.warnings {
        let _ = writeln!(out, "> **WARNING: {}**", inline(&warning.headline));
        for line in &warning.lines {
            let _ = writeln!(out, "> - {}", inline(line));
        }
        out.push('\n');
    }
    out.push_str("| | |\n| --- | --- |\n");
    for (label, value) in &model.facts {
        let value = if *label == "status" {
            format!("**{}**", cell(value))
        } else {
            cell(value)
        };
        let _ = writeln!(out, "| {label} | {value} |");
    }

    out.push_str("\n## Gates\n\n");
    if model.gates.is_empty() {
        out.push_str("This runbook has no gate steps.\n");
    }
    for gate in &model.gates {
        let took = gate.duration_ms.map(|ms| format!(" ({})", duration(ms)));
        let _ = writeln!(
            out,
            "### {}: {}{}\n",
            inline(&gate.label),
            gate.status,
            took.unwrap_or_default()
        );
        if let Some(note) = &gate.note {
            let _ = writeln!(out, "{}\n", inline(note));
        }
        if !gate.checks.is_empty() {
            out.push_str("| check | result | expected | actual |\n| --- | --- | --- | --- |\n");
            for check in &gate.checks {
                let mut actual = check.actual.clone();
                if !check.missing.is_empty() {
                    actual.push_str(&format!(" (missing: {})", check.missing.join(", ")));
                }
                if let Some(error) = &check.error {
                    actual.push_str(&format!(" (error: {error})"));
                }
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    cell(&check.name),
                    if check.passed { "pass" } else { "**FAIL**" },
                    cell(&check.expected),
                    cell(&actual)
                );
            }
            out.push('\n');
        }
    }

    if !out.ends_with("\n\n") {
        out.push('\n');
    }
    out.push_str("## Steps\n\n| # | step | kind | status | duration | outcome |\n");
    out.push_str("| --- | --- | --- | --- | --- | --- |\n");
    for step in &model.steps {
        let status = match step.status {
            crate::StepStatus::Failed | crate::StepStatus::Blocked => {
                format!("**{}**", step.status)
            }
            other => other.to_string(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            step.number,
            cell(&step.id),
            cell(&step.kind),
            status,
            step.duration,
            cell(&step.outcome)
        );
    }

    if !model.notes.is_empty() {
        out.push_str("\n## Notes\n\n");
        for note in &model.notes {
            let _ = writeln!(out, "- {}", inline(note));
        }
    }
    out
}

/// A table cell: pipes escaped, line breaks folded.
fn cell(text: &str) -> String {
    inline(text).replace('|', "\\|")
}

/// One line of text.
fn inline(text: &str) -> String {
    text.replace("\r\n", " / ").replace(['\n', '\r'], " / ")
}
