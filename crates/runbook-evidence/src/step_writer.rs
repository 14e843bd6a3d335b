//! The files of one step while it runs: its log, streamed to disk line by line, and the extra
//! files it attaches.
//!
//! The log is written as `output.log.partial` and renamed to `output.log` when
//! [`EvidenceDir::finish_step`](crate::EvidenceDir::finish_step) seals the step; attachments are
//! written atomically. None of these files is in `SHA256SUMS` before the step is sealed, and
//! `run.json` names the step as `current_step` meanwhile, which is how `verify` tells a killed
//! step's files from files added later. Nothing is held in memory: a log of millions of lines
//! costs one line of buffer.

use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::atomic::{sync_dir, temp_name};
use crate::errors::{EvidenceError, Result};
use crate::layout::{PARTIAL_LOG_FILE, is_valid_attachment};
use crate::redact::Redactor;

/// Longest piece of an attached stream handled at once; longer lines are split there (a secret
/// straddling the split could escape the patterns, but not the literal list of a later piece).
const MAX_LINE: usize = 1024 * 1024;

/// Writes one step's log and attachments. Obtained from
/// [`EvidenceDir::begin_step`](crate::EvidenceDir::begin_step) and handed back to
/// [`EvidenceDir::finish_step`](crate::EvidenceDir::finish_step); it does not borrow the
/// directory, so an event listener can keep both side by side.
#[derive(Debug)]
pub struct StepWriter {
    pub(crate) index: usize,
    pub(crate) id: String,
    pub(crate) kind: String,
    /// `steps/NN-id`, relative to the evidence directory.
    pub(crate) rel_dir: String,
    pub(crate) abs_dir: PathBuf,
    pub(crate) log: File,
    pub(crate) log_hash: Sha256,
    pub(crate) log_bytes: u64,
    /// Set when a write failed half-way: the running hash may no longer match the file.
    pub(crate) log_damaged: bool,
    pub(crate) redactor: Redactor,
    pub(crate) started_at: DateTime<Utc>,
    pub(crate) started: Instant,
    /// Name → sha256, in attach order.
    pub(crate) attachments: Vec<(String, String)>,
    /// Alive as long as this writer; the directory holds a weak copy to see whether an
    /// unfinished step was abandoned (dropped) or is still being written.
    pub(crate) _alive: Arc<()>,
}

impl StepWriter {
    pub(crate) fn open(
        index: usize,
        id: &str,
        kind: &str,
        rel_dir: String,
        abs_dir: PathBuf,
        redactor: Redactor,
        alive: Arc<()>,
    ) -> Result<StepWriter> {
        fs::create_dir_all(&abs_dir).map_err(|source| EvidenceError::CreateDir {
            path: abs_dir.clone(),
            source,
        })?;
        let log_path = abs_dir.join(PARTIAL_LOG_FILE);
        let log = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .open(&log_path)
            .map_err(|source| EvidenceError::Write {
                path: log_path.clone(),
                source,
            })?;
        sync_dir(&abs_dir)?;
        if let Some(steps) = abs_dir.parent() {
            sync_dir(steps)?;
        }
        Ok(StepWriter {
            index,
            id: id.to_owned(),
            kind: kind.to_owned(),
            rel_dir,
            abs_dir,
            log,
            log_hash: Sha256::new(),
            log_bytes: 0,
            log_damaged: false,
            redactor,
            started_at: Utc::now(),
            started: Instant::now(),
            attachments: Vec::new(),
            _alive: alive,
        })
    }

    /// The step's 1-based index.
    pub fn index(&self) -> usize {
        self.index
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// When the step began.
    pub fn started_at(&self) -> DateTime<Utc> {
        self.started_at
    }

    /// The step's directory (absolute), e.g. to tell the operator where its log is.
    pub fn dir(&self) -> &Path {
        &self.abs_dir
    }

    /// Appends `text` to the log, redacted, one line per `\n`-separated piece (a `\r` before
    /// the `\n` is dropped). It reaches the file before this returns, so a crash loses nothing
    /// already logged.
    pub fn log_line(&mut self, text: &str) -> Result<()> {
        let redacted = self.redactor.redact(text);
        let body = redacted.strip_suffix('\n').unwrap_or(&redacted);
        let mut out = String::with_capacity(body.len() + 1);
        for piece in body.split('\n') {
            out.push_str(piece.strip_suffix('\r').unwrap_or(piece));
            out.push('\n');
        }
        match self.log.write_all(out.as_bytes()) {
            Ok(()) => {
                self.log_hash.update(out.as_bytes());
                self.log_bytes += out.len() as u64;
                Ok(())
            }
            Err(source) => {
                self.log_damaged = true;
                Err(EvidenceError::Write {
                    path: self.abs_dir.join(PARTIAL_LOG_FILE),
                    source,
                })
            }
        }
    }

    /// How many bytes the log holds so far.
    pub fn log_len(&self) -> u64 {
        self.log_bytes
    }

    /// Adds a file to the step (e.g. `container-log.txt`), redacted. Attaching a name twice
    /// replaces the first file.
    pub fn attach(&mut self, name: &str, contents: &str) -> Result<()> {
        let redacted = self.redactor.redact(contents);
        self.write_attachment(name, |file, target| {
            file.write_all(redacted.as_bytes())
                .map_err(|source| EvidenceError::Write {
                    path: target.to_owned(),
                    source,
                })
        })
    }

    /// Adds a JSON file to the step (e.g. `gate-rows.json`), with every string redacted.
    pub fn attach_json(&mut self, name: &str, value: &serde_json::Value) -> Result<()> {
        let mut value = value.clone();
        self.redactor.redact_json(&mut value);
        let mut bytes =
            serde_json::to_vec_pretty(&value).map_err(|source| EvidenceError::Serialize {
                what: name.to_owned(),
                source,
            })?;
        bytes.push(b'\n');
        self.write_attachment(name, |file, target| {
            file.write_all(&bytes)
                .map_err(|source| EvidenceError::Write {
                    path: target.to_owned(),
                    source,
                })
        })
    }

    /// Adds a file streamed from `reader` (a container log, command output), line by line,
    /// redacted, with invalid UTF-8 replaced; memory stays bounded whatever the size. `source`
    /// names the reader in errors. Returns the number of bytes written.
    pub fn attach_reader(&mut self, name: &str, source: &str, reader: impl Read) -> Result<u64> {
        let redactor = self.redactor.clone();
        let mut reader = BufReader::with_capacity(64 * 1024, reader);
        let mut written = 0u64;
        self.write_attachment(name, |file, target| {
            let mut line = Vec::new();
            // The first bytes of a character that a cut at MAX_LINE split, for the next piece.
            let mut carry = Vec::new();
            // Whether the previous piece ended at a cut rather than a newline: a secret may
            // straddle it (see Redactor::redact_piece).
            let mut cut_before = false;
            loop {
                line.clear();
                line.append(&mut carry);
                let n = (&mut reader)
                    .take(MAX_LINE as u64)
                    .read_until(b'\n', &mut line)
                    .map_err(|e| EvidenceError::Read {
                        path: PathBuf::from(source),
                        source: e,
                    })?;
                if line.is_empty() {
                    return Ok(());
                }
                let cut_after = n == MAX_LINE && line.last() != Some(&b'\n');
                if cut_after {
                    carry = line.split_off(complete_utf8_len(&line));
                }
                let text = String::from_utf8_lossy(&line);
                let redacted = redactor.redact_piece(&text, cut_before, cut_after);
                cut_before = cut_after;
                file.write_all(redacted.as_bytes())
                    .map_err(|e| EvidenceError::Write {
                        path: target.to_owned(),
                        source: e,
                    })?;
                written += redacted.len() as u64;
            }
        })?;
        Ok(written)
    }

    fn write_attachment(
        &mut self,
        name: &str,
        fill: impl FnOnce(&mut HashingFile, &Path) -> Result<()>,
    ) -> Result<()> {
        if !is_valid_attachment(name) {
            return Err(EvidenceError::BadAttachmentName {
                name: name.to_owned(),
            });
        }
        let target = self.abs_dir.join(name);
        let temp = self.abs_dir.join(temp_name(name));
        let write_error = |source| EvidenceError::Write {
            path: target.clone(),
            source,
        };
        let file = File::create(&temp).map_err(write_error)?;
        let mut hashing = HashingFile {
            file,
            hash: Sha256::new(),
        };
        if let Err(e) = fill(&mut hashing, &target) {
            drop(hashing);
            let _ = fs::remove_file(&temp);
            return Err(e);
        }
        hashing.file.sync_all().map_err(write_error)?;
        let digest = hex::encode(hashing.hash.finalize());
        fs::rename(&temp, &target).map_err(write_error)?;
        sync_dir(&self.abs_dir)?;
        self.attachments.retain(|(existing, _)| existing != name);
        self.attachments.push((name.to_owned(), digest));
        Ok(())
    }

    /// Flushes the log to disk and returns its sha256 (re-read from disk if a write failed).
    pub(crate) fn seal_log(&mut self) -> Result<String> {
        let partial = self.abs_dir.join(PARTIAL_LOG_FILE);
        self.log.sync_all().map_err(|source| EvidenceError::Write {
            path: partial.clone(),
            source,
        })?;
        if self.log_damaged {
            return Ok(crate::digest::hash_file(&partial)?.sha256);
        }
        Ok(hex::encode(self.log_hash.clone().finalize()))
    }
}

/// How much of `bytes` is left once a character cut off at the end is set aside (all of it
/// when the bytes are not UTF-8 there anyway).
fn complete_utf8_len(bytes: &[u8]) -> usize {
    match std::str::from_utf8(bytes) {
        Err(e) if e.error_len().is_none() => e.valid_up_to(),
        _ => bytes.len(),
    }
}

/// A file that hashes what is written to it, so attachments are never read back.
#[derive(Debug)]
pub(crate) struct HashingFile {
    file: File,
    hash: Sha256,
}

impl Write for HashingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}
