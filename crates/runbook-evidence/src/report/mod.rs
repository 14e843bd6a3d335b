//! Rendering a run for reviewers: Markdown (`report.md`), a self-contained HTML page, one JSON
//! document, and JUnit XML for CI dashboards.
//!
//! Markdown and HTML are drawn from the same model (`model.rs`): the verdict in words (never a
//! pass while a step failed), what failed, the `--from` note and run notes, the facts, the
//! integrity state and the sign-off, then the gates with their checks and queries, then every
//! step with its description, inputs, details, capped log (`log.rs`) and links to its files,
//! then notes; a directory that `verify` finds damaged gets a warning above all.

mod format;
mod html;
mod json;
mod junit;
mod log;
mod markdown;
mod model;
mod text;

pub(crate) use format::render_at_writing;
pub use format::{
    Format, RenderOptions, Rendered, render, render_dir, render_verified, render_verified_with,
    render_with,
};
pub use json::JsonReport;
