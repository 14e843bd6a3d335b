//! Crash-safe file replacement: write a temp file in the same directory, fsync it, rename it
//! over the target, fsync the directory.
//!
//! A reader (or `sha256sum -c` after a crash) therefore sees either the old content or the new
//! one, never a torn file. Temp files are named `.<name>.tmp`, which `verify` recognises as
//! writer leftovers of an unfinished run.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::errors::{EvidenceError, Result};

/// The temp name used while `name` is being replaced.
pub(crate) fn temp_name(name: &str) -> String {
    format!(".{name}.tmp")
}

/// Whether a file name is one of our temp names.
pub(crate) fn is_temp_name(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".tmp") && name.len() > ".tmp".len() + 1
}

/// Atomically replaces `dir/name` with `bytes`.
pub(crate) fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let target = dir.join(name);
    let temp = dir.join(temp_name(name));
    let write_error = |source| EvidenceError::Write {
        path: target.clone(),
        source,
    };
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&temp)
        .map_err(write_error)?;
    file.write_all(bytes).map_err(write_error)?;
    file.sync_all().map_err(write_error)?;
    drop(file);
    fs::rename(&temp, &target).map_err(write_error)?;
    sync_dir(dir)
}

/// Removes temp files an interrupted write left in `dir`, so a sealed directory holds only
/// finished files.
pub(crate) fn remove_temp_files(dir: &Path) -> Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(EvidenceError::Read {
                path: dir.to_owned(),
                source,
            });
        }
    };
    for entry in entries.flatten() {
        if is_temp_name(&entry.file_name().to_string_lossy()) {
            fs::remove_file(entry.path()).map_err(|source| EvidenceError::Write {
                path: entry.path(),
                source,
            })?;
        }
    }
    Ok(())
}

/// Renames within one directory and makes the rename durable.
pub(crate) fn rename_durable(dir: &Path, from: &str, to: &str) -> Result<()> {
    let target: PathBuf = dir.join(to);
    fs::rename(dir.join(from), &target).map_err(|source| EvidenceError::Write {
        path: target.clone(),
        source,
    })?;
    sync_dir(dir)
}

/// Makes renames and creations in `dir` durable (a no-op where directories cannot be opened).
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    match File::open(dir).and_then(|d| d.sync_all()) {
        Ok(()) => Ok(()),
        // Some filesystems refuse fsync on directories; the rename itself is still atomic.
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported
            ) =>
        {
            Ok(())
        }
        Err(source) => Err(EvidenceError::Write {
            path: dir.to_owned(),
            source,
        }),
    }
}
