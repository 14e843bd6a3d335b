//! The entry points: pick a format, render loaded records or a directory.

use std::path::Path;
use std::str::FromStr;

use crate::errors::{EvidenceError, Result};
use crate::load::Evidence;
use crate::report::model::{Model, Occasion};
use crate::report::{html, json, junit, markdown};
use crate::verify::{VerifyReport, verify};

/// The formats of `runbook report --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
    Json,
    Junit,
}

impl FromStr for Format {
    type Err = EvidenceError;

    /// Accepts `md` (or `markdown`), `html`, `json`, `junit`.
    fn from_str(s: &str) -> Result<Format> {
        match s {
            "md" | "markdown" => Ok(Format::Markdown),
            "html" => Ok(Format::Html),
            "json" => Ok(Format::Json),
            "junit" => Ok(Format::Junit),
            other => Err(EvidenceError::UnknownFormat {
                found: other.to_owned(),
            }),
        }
    }
}

/// How a report is drawn besides its format.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Prefix of the relative links to evidence files (logs, results, attachments), with a
    /// trailing `/`: the path from where the report is saved to the evidence directory. Empty
    /// when the report is saved in the evidence directory itself (or read on a terminal).
    pub link_base: String,
}

/// Renders records. With `integrity` from [`verify`](crate::verify()) a damaged directory gets
/// a warning at the top (and a failing test case in JUnit, `intact: false` in JSON), and the
/// report shows the integrity state and the approvals `verify` checked.
pub fn render(evidence: &Evidence, integrity: Option<&VerifyReport>, format: Format) -> String {
    render_with(evidence, integrity, format, &RenderOptions::default())
}

/// [`render`] with options (links from elsewhere than the evidence directory).
pub fn render_with(
    evidence: &Evidence,
    integrity: Option<&VerifyReport>,
    format: Format,
    options: &RenderOptions,
) -> String {
    let model = || Model::build(evidence, integrity, Occasion::OnDemand, &options.link_base);
    match format {
        Format::Markdown => markdown::render(&model()),
        Format::Html => html::render(&model()),
        Format::Json => json::render(evidence, integrity),
        Format::Junit => junit::render(evidence, integrity),
    }
}

/// The `report.md` a run writes into its own evidence at its end: integrity and sign-off as of
/// writing (the directory is being sealed, nothing approved it yet).
pub(crate) fn render_at_writing(evidence: &Evidence) -> String {
    markdown::render(&Model::build(evidence, None, Occasion::AtWriting, ""))
}

/// A report of a directory, with what `verify` found there.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub text: String,
    pub integrity: VerifyReport,
}

/// Loads, verifies and renders the evidence directory `dir`. A directory that is not intact
/// still renders (with the warning); one that is not evidence at all is an error.
pub fn render_dir(dir: &Path, format: Format) -> Result<Rendered> {
    let integrity = verify(dir)?;
    render_verified(dir, format, integrity)
}

/// [`render_dir`] with what [`verify`] already found, so a caller that refuses damaged
/// directories before rendering (the CLI's `report`) hashes the files once.
pub fn render_verified(dir: &Path, format: Format, integrity: VerifyReport) -> Result<Rendered> {
    render_verified_with(dir, format, integrity, &RenderOptions::default())
}

/// [`render_verified`] with options.
pub fn render_verified_with(
    dir: &Path,
    format: Format,
    integrity: VerifyReport,
    options: &RenderOptions,
) -> Result<Rendered> {
    let evidence = Evidence::load(dir)?;
    Ok(Rendered {
        text: render_with(&evidence, Some(&integrity), format, options),
        integrity,
    })
}
