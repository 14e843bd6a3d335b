//! `runbook report DIR`: a finished run rendered for reviewers and dashboards.
//!
//! A directory that does not verify is refused (exit 5, what `verify` found on stderr) rather
//! than rendered: a report opens with the verdict, and a verdict read from records no checksum
//! covers is exactly what a forger wants printed. An unfinished run that verifies still renders,
//! with its warning.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use runbook_evidence::report::{Format, render_verified};

use crate::args::ReportFormat;
use crate::{exit_codes, sanitize};

pub fn report(dir: &Path, format: ReportFormat, output: Option<&Path>) -> i32 {
    let format = match format {
        ReportFormat::Md => Format::Markdown,
        ReportFormat::Html => Format::Html,
        ReportFormat::Json => Format::Json,
        ReportFormat::Junit => Format::Junit,
    };
    let integrity = match runbook_evidence::verify(dir) {
        Ok(integrity) => integrity,
        Err(error) => {
            crate::report_error(&crate::chain(error));
            return exit_codes::INVALID_INPUT;
        }
    };
    if !integrity.is_intact() {
        crate::report_error(&format!(
            "refusing to render a report: {} does not verify, so its verdict cannot be trusted \
             (`runbook verify {}` says the same):",
            dir.display(),
            dir.display()
        ));
        // One line per problem, each sanitised on its own: they name the files found.
        let width = sanitize::stderr_width();
        let mut err = std::io::stderr().lock();
        for problem in integrity.problems() {
            let line = format!("  {}", sanitize::line(&problem));
            let _ = writeln!(err, "{}", sanitize::fit(&line, width));
        }
        return exit_codes::NOT_INTACT;
    }
    let rendered = match render_verified(dir, format, integrity) {
        Ok(rendered) => rendered,
        Err(error) => {
            crate::report_error(&crate::chain(error));
            return exit_codes::INVALID_INPUT;
        }
    };
    let text = match format {
        // Markdown and HTML are read on a terminal as often as in a viewer: the summaries and
        // messages they quote keep their line structure but not their control characters,
        // which could otherwise repaint the verdict at the top.
        Format::Markdown | Format::Html => sanitize::document(&rendered.text),
        // The same data to a parser, written without the characters a terminal obeys.
        Format::Json => sanitize::json(&rendered.text),
        Format::Junit => sanitize::xml(&rendered.text),
    };
    match output {
        Some(path) => {
            let written = std::fs::write(path, text.as_bytes())
                .with_context(|| format!("cannot write the report to {}", path.display()));
            if let Err(error) = written {
                crate::report_error(&format!("{error:#}"));
                return exit_codes::FAILED;
            }
        }
        None => {
            // On a terminal, a document's long lines go on after a marker instead of wrapping
            // at the edge; JSON and JUnit stay data a reader can copy.
            let text = match format {
                Format::Markdown | Format::Html => sanitize::fit(&text, sanitize::stdout_width()),
                _ => text,
            };
            let mut out = std::io::stdout().lock();
            if out.write_all(text.as_bytes()).is_err() {
                return exit_codes::FAILED;
            }
        }
    }
    exit_codes::OK
}
