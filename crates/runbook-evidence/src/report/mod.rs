//! Rendering a run for reviewers: Markdown (`report.md`), a self-contained HTML page, one JSON
//! document, and JUnit XML for CI dashboards.
//!
//! Every format is drawn from the same model (`model.rs`): the verdict first, then the gates, then one
//! line per step, then notes; a directory that `verify` finds damaged gets a warning above all.

mod format;
mod html;
mod json;
mod junit;
mod markdown;
mod model;
mod text;

pub use format::{Format, Rendered, render, render_dir, render_verified};
pub use json::JsonReport;
