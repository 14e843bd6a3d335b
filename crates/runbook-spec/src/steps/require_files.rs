//! `require_files`: the inputs a procedure depends on must be present (and be the right files)
//! before anything is changed. A missing or mismatched file blocks the run.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::digest::Sha256Digest;
use crate::file_mode::FileMode;
use crate::steps::kind::{KindSpec, Needs, StepCx};

/// Checks that files exist, and optionally their permission bits, digest and size.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequireFiles {
    /// The files to check; at least one.
    pub files: Vec<RequiredFile>,
    /// Also accept paths that are not regular files (a FIFO, a device) and hash what they
    /// give, under the step's timeout. Off by default: such a path is reported as the wrong
    /// kind of file.
    #[serde(default)]
    pub allow_special_file: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequiredFile {
    /// Path of the file (relative paths are relative to the working directory).
    pub path: PathBuf,
    /// Exact permission bits the file must have, as an octal string, e.g. "0600".
    pub mode: Option<FileMode>,
    /// Expected SHA-256 digest (64 hex digits, as printed by sha256sum).
    pub sha256: Option<Sha256Digest>,
    /// Minimum size in bytes (catches empty or truncated downloads).
    pub min_size: Option<u64>,
}

impl KindSpec for RequireFiles {
    const KIND: &'static str = "require_files";
    const NEEDS: Needs = Needs::Nothing;

    fn validate(&mut self, cx: &mut StepCx<'_>) {
        if self.files.is_empty() {
            let message = format!(
                "{} lists no files; expected at least one entry under 'files'",
                cx.label()
            );
            cx.error(&["files"], message);
        }
        for (i, file) in self.files.iter().enumerate() {
            let index = i.to_string();
            if file.path.as_os_str().is_empty() {
                let message = format!(
                    "empty path in 'files[{i}]' of {}; expected the path of a file",
                    cx.label()
                );
                cx.error(&["files", &index, "path"], message);
            }
            if let Some(digest) = file.sha256.as_ref().filter(|d| d.is_abbreviated()) {
                let message = format!(
                    "abbreviated sha256 '{digest}' in {} only checks that the digest starts with {}; write all 64 digits",
                    cx.label(),
                    digest.hex()
                );
                cx.warning(&["files", &index, "sha256"], message);
            }
        }
    }
}
