//! A single self-contained HTML page (inline style, no scripts, no external resources) with
//! the same content as `report.md`, for mail, artifact viewers and paper: the verdict and what
//! failed first, step logs collapsible (`<details>`, open when printed), relative links to every
//! evidence file. The verdict is in words, so it reads the same without colour.

use std::fmt::Write;

use crate::report::log::bytes;
use crate::report::model::{IntegrityView, Model, SignoffView, StepView, Tone};
use crate::report::text::duration;
use crate::status::StepStatus;

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:75em;\
padding:0 1em;color:#222;line-height:1.4}\
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.3em .6em;\
text-align:left;vertical-align:top}th{background:#f3f3f3}.pass{color:#176f2c}.fail{color:#b00020;\
font-weight:bold}.allowed{color:#8a5300;font-weight:bold}\
.warning{border:3px solid #b00020;background:#fff0f0;padding:.5em 1em;margin-bottom:1.5em}\
h1.verdict{font-size:1.8em;padding:.4em .6em;border:4px solid;border-radius:.2em}\
h1.tone-pass{color:#176f2c;background:#eef8f0}h1.tone-warn{color:#7a4a00;background:#fff4d6}\
h1.tone-fail{color:#b00020;background:#fff0f0}\
.failures{border-left:6px solid #b00020;padding:.2em 1em;margin-bottom:1.5em}\
.failures.tone-warn{border-color:#c98a00}\
pre{background:#f7f7f7;border:1px solid #ddd;padding:.5em;overflow-x:auto;white-space:pre-wrap;\
word-break:break-all;font-size:.85em}code{font-size:.95em}\
section.step{border-top:1px solid #ccc;margin-top:1em}summary{cursor:pointer}\
.cut{font-style:italic;color:#555}ul.error li{white-space:pre-wrap}\
@media print{body{margin:0;max-width:none;font-size:10pt;color:#000}\
h1.verdict,.failures,.warning{background:none!important;color:#000!important}\
.pass,.fail,.allowed{color:#000!important}\
details>*{display:block!important}details::details-content{display:block;content-visibility:visible}\
summary{list-style:none}pre{white-space:pre-wrap;border:1px solid #999;background:none}\
section.step,table,tr{break-inside:avoid-page}a{color:#000}\
a[href]::after{content:\" (\" attr(href) \")\";font-size:.8em}}";

pub(crate) fn render(model: &Model) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&model.headline),
        escape(&model.name)
    );
    let tone = tone_class(model.tone);
    let _ = writeln!(
        out,
        "<h1 id=\"verdict\" class=\"verdict {tone}\"><span class=\"headline\">{}</span>: {}</h1>",
        escape(&model.headline),
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
    if !model.failures.is_empty() {
        let _ = writeln!(
            out,
            "<section id=\"failures\" class=\"failures {tone}\">\n<h2>What failed ({})</h2>\n<ol>",
            model.failures.len()
        );
        for f in &model.failures {
            let allowed = if f.allowed {
                " <span class=\"allowed\">allowed by continue_on_error (the run went on)</span>"
            } else {
                ""
            };
            let _ = write!(
                out,
                "<li class=\"failure\"><a href=\"#{}\">step {} <strong>{}</strong></a> ({}): \
                 <span class=\"fail\">{}</span>{allowed}: {}",
                escape(&f.anchor),
                escape(&f.number),
                escape(&f.id),
                escape(&f.kind),
                f.status,
                escape(&f.summary)
            );
            let lines: Vec<String> = f
                .description
                .iter()
                .map(|d| format!("step: {d}"))
                .chain(f.error.iter().cloned())
                .collect();
            if !lines.is_empty() || !f.checks.is_empty() {
                // `error`: a DETAIL of several lines (a command's stderr tail) keeps them.
                out.push_str("\n<ul class=\"error\">\n");
                for line in &lines {
                    let _ = writeln!(out, "<li>{}</li>", escape(line));
                }
                for check in &f.checks {
                    let _ = writeln!(out, "<li class=\"failed-check\">{}</li>", escape(check));
                }
                out.push_str("</ul>");
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ol>\n</section>\n");
    } else if let Some(line) = model.no_failure_line() {
        let _ = writeln!(out, "<p class=\"no-failure\">{}</p>", escape(&line));
    }
    if !model.top_notes.is_empty() {
        out.push_str("<ul class=\"top-notes\">\n");
        for note in &model.top_notes {
            let _ = writeln!(out, "<li><strong>Note:</strong> {}</li>", escape(note));
        }
        out.push_str("</ul>\n");
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
    out.push_str("</table>\n");
    if !model.run_files.is_empty() {
        let links: Vec<String> = model
            .run_files
            .iter()
            .map(|f| link(&model.link_base, f))
            .collect();
        let _ = writeln!(
            out,
            "<p class=\"files\">Run files: {}</p>",
            links.join(", ")
        );
    }
    integrity(&mut out, model);
    signoff(&mut out, model);

    out.push_str("<h2>Gates</h2>\n");
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
            "<h3><a href=\"#{}\">{}</a>: <span class=\"{}\">{}</span>{}</h3>",
            escape(&gate.anchor),
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
                "<table class=\"checks\">\n<tr><th>check</th><th>result</th><th>expected</th>\
                 <th>actual</th><th>missing</th><th>query</th></tr>\n",
            );
            for check in &gate.checks {
                let mut actual = check.actual.clone();
                if let Some(error) = &check.error {
                    actual.push_str(&format!(" (error: {error})"));
                }
                let (class, word, row) = if check.passed {
                    ("pass", "pass", "passed")
                } else {
                    ("fail", "FAIL", "failed")
                };
                let query = check
                    .query
                    .as_deref()
                    .map(|q| format!("<pre class=\"query\">{}</pre>", escape(q)))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "<tr class=\"check {row}\"><td>{}</td><td class=\"{class} result\">{word}</td>\
                     <td class=\"expected\">{}</td><td class=\"actual\">{}</td>\
                     <td class=\"missing\">{}</td><td>{query}</td></tr>",
                    escape(&check.name),
                    escape(&check.expected),
                    escape(&actual),
                    escape(&check.missing.join(", "))
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
            "<tr><td>{}</td><td><a href=\"#{}\">{}</a></td><td>{}</td><td class=\"{}\">{}</td>\
             <td>{}</td><td>{}</td></tr>",
            escape(&step.number),
            escape(&step.anchor),
            escape(&step.id),
            escape(&step.kind),
            status_class(step.status),
            step.status,
            escape(&step.duration),
            escape(&step.outcome)
        );
    }
    out.push_str("</table>\n");
    for step in &model.steps {
        step_section(&mut out, step, &model.link_base);
    }
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

fn integrity(out: &mut String, model: &Model) {
    out.push_str("<h2>Integrity</h2>\n");
    match &model.integrity {
        IntegrityView::AtWriting => out.push_str(
            "<p id=\"integrity\">Written by the run as it sealed its evidence: SHA256SUMS lists \
             every file. <code>runbook verify DIR</code> checks that nothing changed since.</p>\n",
        ),
        IntegrityView::NotChecked => {
            out.push_str("<p id=\"integrity\">Not checked (<code>runbook verify DIR</code>).</p>\n")
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
                    "<p id=\"integrity\"><strong class=\"pass\">intact</strong>: verify re-hashed \
                     the {checked} files SHA256SUMS lists when this report was rendered; none is \
                     missing, modified or extra.</p>"
                );
            } else {
                out.push_str(
                    "<div id=\"integrity\"><p><strong class=\"fail\">NOT intact</strong>: verify \
                     found:</p>\n<ul>\n",
                );
                for p in problems {
                    let _ = writeln!(out, "<li>{}</li>", escape(p));
                }
                out.push_str("</ul></div>\n");
            }
            if !pending_approvals.is_empty() {
                let _ = writeln!(
                    out,
                    "<p>An interrupted <code>runbook approve</code> left files that approve \
                     nothing: {}</p>",
                    escape(&pending_approvals.join(", "))
                );
            }
        }
    }
}

fn signoff(out: &mut String, model: &Model) {
    out.push_str("<h2>Sign-off</h2>\n");
    let how = "<code>runbook approve DIR --as NAME [--comment TEXT]</code>";
    match &model.signoff {
        SignoffView::AtWriting => {
            let _ = writeln!(
                out,
                "<p id=\"signoff\">Not yet approved. A reviewer signs with {how}.</p>"
            );
        }
        SignoffView::NotChecked => out.push_str("<p id=\"signoff\">Approvals not checked.</p>\n"),
        SignoffView::Checked(approvals) if approvals.is_empty() => {
            let _ = writeln!(
                out,
                "<p id=\"signoff\">No approvals. A reviewer signs with {how}.</p>"
            );
        }
        SignoffView::Checked(approvals) => {
            out.push_str(
                "<table id=\"signoff\">\n<tr><th>approved by</th><th>at</th><th>as</th>\
                 <th>comment</th><th>approves SHA256SUMS sha256</th><th>evidence since</th></tr>\n",
            );
            for a in approvals {
                let since = if a.current {
                    "<span class=\"pass\">unchanged</span>".to_owned()
                } else {
                    format!(
                        "<span class=\"fail\">CHANGED</span>: {}",
                        escape(a.problem.as_deref().unwrap_or("not what was approved"))
                    )
                };
                let _ = writeln!(
                    out,
                    "<tr><td>{} ({})</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td>\
                     <td>{since}</td></tr>",
                    escape(&a.approver),
                    link(&model.link_base, &a.path),
                    escape(&a.when),
                    escape(&a.by),
                    escape(a.comment.as_deref().unwrap_or("")),
                    escape(&a.sums_sha256)
                );
            }
            out.push_str("</table>\n");
        }
    }
}

fn step_section(out: &mut String, step: &StepView, base: &str) {
    let allowed = if step.allowed {
        " <span class=\"allowed\">(continue_on_error)</span>"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "<section class=\"step\" id=\"{}\">\n<h3>{} {} ({}): <span class=\"{}\">{}</span>{allowed}</h3>",
        escape(&step.anchor),
        escape(&step.number),
        escape(&step.id),
        escape(&step.kind),
        status_class(step.status),
        step.status
    );
    if let Some(description) = &step.description {
        let _ = writeln!(out, "<p class=\"description\">{}</p>", escape(description));
    }
    if !step.outcome.is_empty() {
        let _ = writeln!(out, "<p>Outcome: {}</p>", escape(&step.outcome));
    }
    if !step.error_lines.is_empty() {
        out.push_str("<ul class=\"error\">\n");
        for line in &step.error_lines {
            let _ = writeln!(out, "<li>{}</li>", escape(line));
        }
        out.push_str("</ul>\n");
    }
    if !step.inputs.is_empty() {
        out.push_str("<table>\n<tr><th>input</th><th>size</th><th>sha256</th></tr>\n");
        for input in &step.inputs {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                escape(&input.path),
                input.size,
                escape(&input.sha256)
            );
        }
        out.push_str("</table>\n");
    }
    if !step.details.is_empty() {
        out.push_str("<table class=\"details\">\n");
        for (key, value) in &step.details {
            let _ = writeln!(
                out,
                "<tr><th>{}</th><td>{}</td></tr>",
                escape(key),
                escape(value)
            );
        }
        out.push_str("</table>\n");
    }
    if !step.outputs.is_empty() {
        out.push_str("<table class=\"outputs\">\n<tr><th>output</th><th>value</th></tr>\n");
        for (name, value) in &step.outputs {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td></tr>",
                escape(name),
                escape(value)
            );
        }
        out.push_str("</table>\n");
    }
    if let Some(log) = &step.log {
        let link = link(base, &log.path);
        match &log.note {
            Some(note) => {
                let _ = writeln!(
                    out,
                    "<p>Log {link} ({}): {}</p>",
                    bytes(log.total_bytes),
                    escape(note)
                );
            }
            None if log.total_bytes == 0 => {
                let _ = writeln!(out, "<p>Log {link}: empty</p>");
            }
            None => {
                // Open for a failed step: its log is what the reviewer reads next.
                let open = if matches!(step.status, StepStatus::Failed | StepStatus::Blocked) {
                    " open"
                } else {
                    ""
                };
                let _ = write!(
                    out,
                    "<details class=\"log\"{open}><summary>Log {} ({})</summary>\n<pre class=\"log\">{}</pre>",
                    escape(&log.path),
                    bytes(log.total_bytes),
                    escape_block(&log.head)
                );
                if let (Some(cut), Some(tail)) = (&log.cut, &log.tail) {
                    let _ = write!(
                        out,
                        "\n<p class=\"cut\">... {}: the full log is {link} ...</p>\n<pre class=\"log\">{}</pre>",
                        escape(cut),
                        escape_block(tail)
                    );
                }
                let _ = writeln!(out, "\n<p>Full log: {link}</p></details>");
            }
        }
    }
    if !step.files.is_empty() {
        let links: Vec<String> = step.files.iter().map(|f| link(base, f)).collect();
        let _ = writeln!(out, "<p class=\"files\">Files: {}</p>", links.join(", "));
    }
    out.push_str("</section>\n");
}

fn link(base: &str, path: &str) -> String {
    format!(
        "<a href=\"{}\">{}</a>",
        escape(&href(&format!("{base}{path}"))),
        escape(path)
    )
}

/// A relative URL for an evidence path: every byte but unreserved characters and `/`
/// percent-encoded, so a name cannot turn the link into a scheme (`javascript:`) or a query.
pub(crate) fn href(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn tone_class(tone: Tone) -> &'static str {
    match tone {
        Tone::Pass => "tone-pass",
        Tone::Warn => "tone-warn",
        Tone::Fail => "tone-fail",
    }
}

fn status_class(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Passed => "pass",
        StepStatus::Failed | StepStatus::Blocked => "fail",
        StepStatus::Skipped | StepStatus::NotRun => "",
    }
}

pub(crate) fn escape(text: &str) -> String {
    escape_keeping(text, '\n')
}

/// [`escape`] for a `<pre>` block: tabs are kept too (harmless there, and column output needs
/// them).
fn escape_block(text: &str) -> String {
    escape_keeping(text, '\t')
}

fn escape_keeping(text: &str, also: char) -> String {
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
            c if (c.is_control() && c != '\n' && c != also)
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
