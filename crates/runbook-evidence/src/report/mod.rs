//! Rendering a run for reviewers: Markdown (`report.md`), a self-contained HTML page, one JSON
//! document, and JUnit XML for CI dashboards.
//!
//! Every format is drawn from the same model (`model.rs`): the verdict first, then the gates, then one
//! line per step, then notes; a directory that `verify` finds damaged gets a warning above all.

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
