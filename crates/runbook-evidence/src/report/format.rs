//! The entry points: pick a format, render loaded records or a directory.

use std::path::Path;
use std::str::FromStr;

use crate::errors::{EvidenceError, Result};
use crate::load::Evidence;
use crate::report::model::Model;
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

/// Renders records. With `integrity` from [`verify`](crate::verify()) a damaged directory gets
/// a warning at the top (and a failing test case in JUnit, `intact: false` in JSON).
pub fn render(evidence: &Evidence, integrity: Option<&VerifyReport>, format: Format) -> String {
    match format {
        Format::Markdown => markdown::render(&Model::build(evidence, integrity)),
        Format::Html => html::render(&Model::build(evidence, integrity)),
        Format::Json => json::render(evidence, integrity),
        Format::Junit => junit::render(evidence, integrity),
    }
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
    let evidence = Evidence::load(dir)?;
    Ok(Rendered {
        text: render(&evidence, Some(&integrity), format),
        integrity,
    })
}
