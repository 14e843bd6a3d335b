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

/// One line of text. The text is the servers', the tools' and the file names' own, and
/// `report.md` is read with `cat` as often as rendered: line breaks are folded, every other
/// control character is written as `\u{..}` (an escape code could move up and repaint the
/// verdict on the first line), and `<` as `&lt;` (raw HTML renders: a `<h1>` in a summary
/// would print a verdict of its own, a `<!--` would hide the rest of the table).
fn inline(text: &str) -> String {
    let folded = text.replace("\r\n", " / ").replace(['\n', '\r'], " / ");
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            c if c.is_control()
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') =>
            {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untrusted_text_cannot_repaint_or_restyle_the_report() {
        assert_eq!(
            inline("a\x1b[1A\x1b[2K\r# PASSED\n<h1>PASSED</h1><!--\u{202E}"),
            "a\\u{1b}[1A\\u{1b}[2K / # PASSED / &lt;h1>PASSED&lt;/h1>&lt;!--\\u{202e}"
        );
        assert_eq!(cell("x|y\tz"), "x\\|y\\u{9}z");
        assert_eq!(inline("Grüße 患者"), "Grüße 患者");
    }
}
