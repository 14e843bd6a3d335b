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
//! A kill between 1 and 3 leaves `run.json` uncovered but every listed file intact; `verify`
//! knows that an uncovered `run.json` means "killed inside an update" and accepts it (saying so),
//! but only while it says `running`: an uncovered `run.json` is exactly what a forger leaves after
//! editing it and deleting its line, so it may not carry a verdict. The one update that writes a
//! verdict ([`Ledger::commit_verdict`]) therefore first commits a copy of the new `run.json` as
//! `run.next.json`; phase 1 lists that copy, phase 3 replaces it by `run.json`, and the copy is
//! deleted afterwards. An uncovered `run.json` with a verdict is accepted only when it is
//! byte-identical to that listed copy; a leftover unlisted copy only when identical to the listed
//! `run.json`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::atomic::sync_dir;
use crate::atomic::write_atomic;
use crate::digest::sha256_hex;
use crate::errors::EvidenceError;
use crate::errors::Result;
use crate::layout::{PENDING_RUN_FILE, RUN_FILE};
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
        self.commit(run_json, others, false)
    }

    /// [`commit_with_run`](Self::commit_with_run) for the `run.json` that carries the verdict:
    /// a listed copy (`run.next.json`) covers it while `run.json` itself is not listed.
    pub(crate) fn commit_verdict(
        &mut self,
        run_json: &[u8],
        others: &[(&str, &[u8])],
    ) -> Result<()> {
        self.commit(run_json, others, true)
    }

    fn commit(&mut self, run_json: &[u8], others: &[(&str, &[u8])], pending: bool) -> Result<()> {
        let previous = self.entries.remove(RUN_FILE);
        for (name, _) in others {
            self.entries.remove(*name);
        }
        if pending {
            self.write_top(PENDING_RUN_FILE, run_json)?;
        }
        if previous.is_some() || pending {
            self.write_sums()?;
        }
        for (name, bytes) in others {
            self.write_top(name, bytes)?;
        }
        self.write_top(RUN_FILE, run_json)?;
        if pending {
            self.entries.remove(PENDING_RUN_FILE);
        }
        self.write_sums()?;
        if pending {
            let copy = self.dir.join(PENDING_RUN_FILE);
            match std::fs::remove_file(&copy) {
                Ok(()) => sync_dir(&self.dir)?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(EvidenceError::Write { path: copy, source }),
            }
        }
        Ok(())
    }
}
