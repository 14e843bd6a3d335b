//! `runbook report DIR`: a finished run rendered for reviewers and dashboards.
//!
//! A directory that does not verify is refused (exit 5, what `verify` found on stderr) rather
//! than rendered: a report opens with the verdict, and a verdict read from records no checksum
//! covers is exactly what a forger wants printed. An unfinished run that verifies still renders,
//! with its warning.
//!
//! Links to evidence files (logs, results, attachments) are relative: from the directory of
//! `--output FILE`, or from the current directory when the report goes to standard output (as
//! `> report.html` saves it). A report is never written into the evidence directory itself:
//! a file `SHA256SUMS` does not list would make it fail `verify`.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use anyhow::Context;

use runbook_evidence::report::{Format, RenderOptions, render_verified_with};

use crate::args::ReportFormat;
use crate::{exit_codes, sanitize};

pub fn report(dir: &Path, format: ReportFormat, output: Option<&Path>) -> i32 {
    let format = match format {
        ReportFormat::Md => Format::Markdown,
        ReportFormat::Html => Format::Html,
        ReportFormat::Json => Format::Json,
        ReportFormat::Junit => Format::Junit,
    };
    let integrity =
        match super::verified(dir, "to render a report", "its verdict cannot be trusted") {
            Ok(integrity) => integrity,
            Err(code) => return code,
        };
    let from = match output {
        Some(path) => path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
        None => PathBuf::from("."),
    };
    let link_base = match link_base(&from, dir) {
        Ok(base) => base,
        Err(()) => {
            crate::report_error(&format!(
                "refusing to write the report into the evidence directory {}: a file SHA256SUMS \
                 does not list would make it fail verify; expected an --output outside it",
                dir.display()
            ));
            return exit_codes::INVALID_INPUT;
        }
    };
    let options = RenderOptions { link_base };
    let rendered = match render_verified_with(dir, format, integrity, &options) {
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

/// The relative path from the directory `from` to the evidence directory `dir`, with a
/// trailing `/` (empty when they are the same); `Err` when `from` is inside `dir` (a report
/// written there would be an extra file). Falls back to `dir` as given when either cannot be
/// resolved.
fn link_base(from: &Path, dir: &Path) -> Result<String, ()> {
    let (Ok(from), Ok(to)) = (from.canonicalize(), dir.canonicalize()) else {
        return Ok(format!("{}/", dir.display()));
    };
    if from.starts_with(&to) {
        return Err(());
    }
    let from_parts: Vec<Component<'_>> = from.components().collect();
    let to_parts: Vec<Component<'_>> = to.components().collect();
    let common = from_parts
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut base = String::new();
    for _ in common..from_parts.len() {
        base.push_str("../");
    }
    for part in &to_parts[common..] {
        base.push_str(&part.as_os_str().to_string_lossy());
        base.push('/');
    }
    Ok(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_lead_from_where_the_report_is_saved_to_the_evidence() {
        let root = tempfile::tempdir().unwrap();
        let ev = root.path().join("ev/20250101T000000Z");
        let out = root.path().join("reports");
        std::fs::create_dir_all(&ev).unwrap();
        std::fs::create_dir_all(&out).unwrap();
        assert_eq!(
            link_base(&out, &ev),
            Ok("../ev/20250101T000000Z/".to_owned())
        );
        assert_eq!(
            link_base(root.path(), &ev),
            Ok("ev/20250101T000000Z/".to_owned())
        );
        assert_eq!(link_base(&ev, &ev), Err(()));
        assert_eq!(link_base(&ev.join("."), &ev), Err(()));
    }
}
