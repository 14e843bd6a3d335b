//! The commit protocol: which files `SHA256SUMS` covers, and how `run.json` is replaced without
//! a moment at which `sha256sum -c` would fail.
//!
//! A file is *committed* once `SHA256SUMS` lists it. Files are always complete and fsynced
//! before they are committed, and `SHA256SUMS` itself is only ever replaced by rename, so at
//! every instant it lists files whose content matches. `run.json` changes after it has been
//! committed, which two renames cannot do atomically; so each update goes in three phases:
//!
//! 1. `SHA256SUMS` is rewritten without `run.json` (and with the new files of the update),
//! 2. `run.json` (and `report.md` at the end of the run) is replaced,
//! 3. `SHA256SUMS` is rewritten with everything.
//!
//! In phases 1 to 3 `run.json` is not listed, and an unlisted `run.json` is exactly what a forger
//! leaves after editing it and deleting its line. So phase 1 also commits two covered copies: the
//! current `run.json` as `run.prev.json` (a hard link, or a copy where links are not supported)
//! and the new one as `run.next.json`. Whatever the instant of a kill, the unlisted `run.json` is
//! byte-identical to one of them, and `verify` accepts it only then. Phase 3 lists `run.json`
//! instead of the copies, which are deleted afterwards; a kill before that deletion leaves them
//! unlisted, and `verify` ignores them (`run.next.json` only when identical to `run.json`).

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::atomic::sync_dir;
use crate::atomic::write_atomic;
use crate::digest::sha256_hex;
use crate::errors::EvidenceError;
use crate::errors::Result;
use crate::layout::{PENDING_RUN_FILE, PREVIOUS_RUN_FILE, RUN_FILE};
use crate::sums::{SUMS_FILE, render};

#[derive(Debug)]
pub(crate) struct Ledger {
    dir: PathBuf,
    /// Relative path → sha256 of every committed file.
    entries: BTreeMap<String, String>,
}

impl Ledger {
    pub(crate) fn new(dir: &Path) -> Self {
        Ledger {
            dir: dir.to_owned(),
            entries: BTreeMap::new(),
        }
    }

    /// Points the ledger at the directory's final path (after the staging rename).
    pub(crate) fn relocate(&mut self, dir: &Path) {
        self.dir = dir.to_owned();
    }

    /// Records a file that is already durable on disk; committed by the next write.
    pub(crate) fn stage(&mut self, path: String, sha256: String) {
        self.entries.insert(path, sha256);
    }

    /// Writes a top-level file atomically and stages it.
    pub(crate) fn write_top(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        write_atomic(&self.dir, name, bytes)?;
        self.stage(name.to_owned(), sha256_hex(bytes));
        Ok(())
    }

    /// Rewrites `SHA256SUMS` from the staged entries.
    pub(crate) fn write_sums(&self) -> Result<()> {
        write_atomic(&self.dir, SUMS_FILE, render(&self.entries).as_bytes())
    }

    /// Commits staged files and replaces `run.json` (and the given other top-level files) by
    /// the three-phase protocol above.
    pub(crate) fn commit_with_run(
        &mut self,
        run_json: &[u8],
        others: &[(&str, &[u8])],
    ) -> Result<()> {
        let previous = self.entries.remove(RUN_FILE);
        for (name, _) in others {
            self.entries.remove(*name);
        }
        if let Some(old_digest) = &previous {
            self.keep_previous(old_digest)?;
            self.write_top(PENDING_RUN_FILE, run_json)?;
            self.write_sums()?;
        }
        for (name, bytes) in others {
            self.write_top(name, bytes)?;
        }
        self.write_top(RUN_FILE, run_json)?;
        self.entries.remove(PREVIOUS_RUN_FILE);
        self.entries.remove(PENDING_RUN_FILE);
        self.write_sums()?;
        if previous.is_some() {
            for name in [PREVIOUS_RUN_FILE, PENDING_RUN_FILE] {
                let path = self.dir.join(name);
                match fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(source) => return Err(EvidenceError::Write { path, source }),
                }
            }
            sync_dir(&self.dir)?;
        }
        Ok(())
    }

    /// `run.prev.json`: the current `run.json` under another name, staged with its committed
    /// digest. A hard link costs no write; a copy is the fallback. Made durable by the
    /// directory sync of the next `write_top`.
    fn keep_previous(&mut self, digest: &str) -> Result<()> {
        let from = self.dir.join(RUN_FILE);
        let to = self.dir.join(PREVIOUS_RUN_FILE);
        let write_error = |source| EvidenceError::Write {
            path: to.clone(),
            source,
        };
        match fs::remove_file(&to) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(source) => return Err(write_error(source)),
        }
        if fs::hard_link(&from, &to).is_err() {
            let bytes = fs::read(&from).map_err(|source| EvidenceError::Read {
                path: from.clone(),
                source,
            })?;
            write_atomic(&self.dir, PREVIOUS_RUN_FILE, &bytes)?;
        }
        self.stage(PREVIOUS_RUN_FILE.to_owned(), digest.to_owned());
        Ok(())
    }
}
