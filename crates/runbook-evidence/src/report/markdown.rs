//! `report.md`: readable as plain text at 3 a.m. and as rendered Markdown in a merge request.
//!
//! Order: the verdict as the first line, integrity warnings, what failed (with every failed
//! check as `name: expected X, found Y`), the `--from` note and run notes, the facts, the
//! integrity state, the sign-off, the gates with their queries, the steps (a table, then each
//! step's description, inputs, details, outputs, log excerpt and files), other notes.

use std::fmt::Write;

use crate::report::log::bytes;
use crate::report::model::{IntegrityView, Model, SignoffView, StepView};
use crate::report::text::duration;

pub(crate) fn render(model: &Model) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}: {}\n", model.headline, inline(&model.name));
    for warning in &model.warnings {
        let _ = writeln!(out, "> **WARNING: {}**", inline(&warning.headline));
        for line in &warning.lines {
            let _ = writeln!(out, "> - {}", inline(line));
        }
        out.push('\n');
    }
    if let Some(line) = model.no_failure_line() {
        let _ = writeln!(out, "{line}\n");
    } else if !model.failures.is_empty() {
        let _ = writeln!(out, "**What failed** ({}):\n", model.failures.len());
        for (n, f) in model.failures.iter().enumerate() {
            let allowed = if f.allowed {
                ", allowed by continue_on_error (the run went on)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "{}. **step {} {}** ({}): **{}**{allowed}: {}",
                n + 1,
                f.number,
                inline(&f.id),
                inline(&f.kind),
                f.status,
                inline(&f.summary)
            );
            if let Some(description) = &f.description {
                let _ = writeln!(out, "   - step: {}", inline(description));
            }
            for line in f.error.iter().chain(&f.checks) {
                let _ = writeln!(out, "   - {}", inline(line));
            }
        }
        out.push('\n');
    }
    for note in &model.top_notes {
        let _ = writeln!(out, "- **Note:** {}", inline(note));
    }
    if !model.top_notes.is_empty() {
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

    if !model.run_files.is_empty() {
        let links: Vec<String> = model
            .run_files
            .iter()
            .map(|f| link(&model.link_base, f))
            .collect();
        let _ = writeln!(out, "\nRun files: {}", links.join(", "));
    }
    out.push_str("\n## Integrity\n\n");
    match &model.integrity {
        IntegrityView::AtWriting => out.push_str(
            "Written by the run as it sealed its evidence: SHA256SUMS lists every file. Check that \
             nothing changed since with `runbook verify DIR` (or `cd DIR && sha256sum -c \
             SHA256SUMS`); `runbook report DIR` renders this report again with the result.\n",
        ),
        IntegrityView::NotChecked => {
            out.push_str("Not checked (`runbook verify DIR` checks it).\n")
        }
        IntegrityView::Checked {
            intact,
            checked,
            problems,
            pending_approvals,
        } => {
            if *intact {
                let _ = writeln!(
                    out,
                    "**intact**: `verify` re-hashed the {checked} files SHA256SUMS lists when \
                     this report was rendered; none is missing, modified or extra."
                );
            } else {
                out.push_str("**NOT intact**: `verify` found:\n\n");
                for p in problems {
                    let _ = writeln!(out, "- {}", inline(p));
                }
            }
            if !pending_approvals.is_empty() {
                let _ = writeln!(
                    out,
                    "\nAn interrupted `runbook approve` left files that approve nothing: {}",
                    inline(&pending_approvals.join(", "))
                );
            }
        }
    }

    out.push_str("\n## Sign-off\n\n");
    match &model.signoff {
        SignoffView::AtWriting => out.push_str(
            "Not yet approved. A reviewer signs with `runbook approve DIR --as NAME [--comment \
             TEXT]`; `runbook report DIR` shows the approvals and whether the evidence changed \
             since each.\n",
        ),
        SignoffView::NotChecked => out.push_str("Approvals not checked.\n"),
        SignoffView::Checked(approvals) if approvals.is_empty() => out.push_str(
            "No approvals. A reviewer signs with `runbook approve DIR --as NAME [--comment TEXT]`.\n",
        ),
        SignoffView::Checked(approvals) => {
            out.push_str(
                "| approved by | at | as | comment | approves SHA256SUMS sha256 | evidence since |\n\
                 | --- | --- | --- | --- | --- | --- |\n",
            );
            for a in approvals {
                let since = if a.current {
                    "unchanged".to_owned()
                } else {
                    format!(
                        "**CHANGED**: {}",
                        a.problem.as_deref().unwrap_or("not what was approved")
                    )
                };
                let _ = writeln!(
                    out,
                    "| {} ({}) | {} | {} | {} | {} | {} |",
                    cell(&a.approver),
                    link(&model.link_base, &a.path),
                    cell(&a.when),
                    cell(&a.by),
                    cell(a.comment.as_deref().unwrap_or("")),
                    cell(&a.sums_sha256),
                    cell(&since)
                );
            }
        }
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
            for check in gate.checks.iter().filter(|c| c.query.is_some()) {
                let query = check.query.as_deref().unwrap_or_default();
                let _ = writeln!(out, "Query of {}:\n", inline(&check.name));
                fenced(&mut out, "sql", query);
            }
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
    for step in &model.steps {
        step_section(&mut out, step, &model.link_base);
    }

    if !model.notes.is_empty() {
        out.push_str("\n## Notes\n\n");
        for note in &model.notes {
            let _ = writeln!(out, "- {}", inline(note));
        }
    }
    out
}

fn step_section(out: &mut String, step: &StepView, base: &str) {
    let allowed = if step.allowed {
        " (continue_on_error)"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "\n### {} {} ({}): {}{allowed}\n",
        step.number,
        inline(&step.id),
        inline(&step.kind),
        step.status
    );
    if let Some(description) = &step.description {
        let _ = writeln!(out, "{}\n", inline(description));
    }
    if !step.outcome.is_empty() {
        let _ = writeln!(out, "Outcome: {}\n", inline(&step.outcome));
    }
    for line in &step.error_lines {
        let _ = writeln!(out, "- {}", inline(line));
    }
    if !step.error_lines.is_empty() {
        out.push('\n');
    }
    if !step.inputs.is_empty() {
        out.push_str("| input | size | sha256 |\n| --- | --- | --- |\n");
        for input in &step.inputs {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                cell(&input.path),
                input.size,
                cell(&input.sha256)
            );
        }
        out.push('\n');
    }
    for (key, value) in &step.details {
        let _ = writeln!(out, "- {}: {}", inline(key), inline(value));
    }
    if !step.details.is_empty() {
        out.push('\n');
    }
    if !step.outputs.is_empty() {
        out.push_str("Outputs:\n\n");
        for (name, value) in &step.outputs {
            // The name as code: `password = x` reads as a credential to the report's redaction.
            let _ = writeln!(out, "- `{}` = {}", inline(name), inline(value));
        }
        out.push('\n');
    }
    if let Some(log) = &step.log {
        let link = link(base, &log.path);
        match &log.note {
            Some(note) => {
                let _ = writeln!(
                    out,
                    "Log {link} ({}): {}\n",
                    bytes(log.total_bytes),
                    inline(note)
                );
            }
            None if log.total_bytes == 0 => {
                let _ = writeln!(out, "Log {link}: empty\n");
            }
            None => {
                let _ = writeln!(out, "Log {link} ({}):\n", bytes(log.total_bytes));
                fenced(out, "text", &log.head);
                if let (Some(cut), Some(tail)) = (&log.cut, &log.tail) {
                    let _ = writeln!(out, "... {cut}: the full log is {link} ...\n");
                    fenced(out, "text", tail);
                }
            }
        }
    }
    if !step.files.is_empty() {
        let links: Vec<String> = step.files.iter().map(|f| link(base, f)).collect();
        let _ = writeln!(out, "Files: {}", links.join(", "));
    }
}

/// `[steps/01-a/output.log](BASE/steps/01-a/output.log)`.
fn link(base: &str, path: &str) -> String {
    format!(
        "[{}]({})",
        inline(path).replace(['[', ']'], "_"),
        crate::report::html::href(&format!("{base}{path}"))
    )
}

/// A fenced code block that `text` cannot close: the fence is longer than any run of
/// backticks inside. Control characters are shown as `\u{..}` (the block is read with `cat`).
fn fenced(out: &mut String, info: &str, text: &str) {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat((longest + 1).max(3));
    let _ = writeln!(out, "{fence}{info}");
    for line in text.strip_suffix('\n').unwrap_or(text).split('\n') {
        for c in line.chars() {
            if (c.is_control() && c != '\t')
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
            {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            } else {
                out.push(c);
            }
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{fence}\n");
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
