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
use crate::layout::{PENDING_RUN_FILE, PREVIOUS_RUN_FILE, REPORT_FILE, RUN_FILE};
use crate::load::Evidence;
use crate::redact::Redactor;
use crate::report::render_at_writing;
use crate::run_record::RunRecord;
use crate::sums::{SUMS_FILE, parse, render};
use crate::verify::read_evidence_file;

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

    /// The ledger of an existing directory, as its `SHA256SUMS` lists it (for a reopened run;
    /// the caller has verified the directory).
    pub(crate) fn load(dir: &Path) -> Result<Ledger> {
        let path = dir.join(SUMS_FILE);
        let bytes =
            read_evidence_file(&path).map_err(|source| EvidenceError::Read { path, source })?;
        let text = String::from_utf8_lossy(&bytes);
        let (entries, _) = parse(&text);
        Ok(Ledger {
            dir: dir.to_owned(),
            entries: entries.into_iter().map(|e| (e.path, e.sha256)).collect(),
        })
    }

    /// Completes the update of `run.json` a kill interrupted, so that the next commit starts
    /// from the state every commit leaves (`run.json` listed, no copies): an unlisted `run.json`
    /// is replaced by the listed `run.next.json` (the update's new record; phase 2 wrote the
    /// report before it, but a kill may have come first, so an update that wrote the verdict
    /// has its report drawn again), which is then listed instead of the copies, and the
    /// copies are deleted. Each instruction leaves a state `verify` accepts: the unlisted
    /// `run.json` is always identical to a listed copy until the listing names it, and an
    /// unlisted copy identical to `run.json` is a leftover. Leftover copies of a completed
    /// update are deleted too.
    pub(crate) fn complete_interrupted_update(&mut self, redactor: &Redactor) -> Result<()> {
        if !self.entries.contains_key(RUN_FILE) && self.entries.contains_key(PENDING_RUN_FILE) {
            let pending = self.dir.join(PENDING_RUN_FILE);
            let next = read_evidence_file(&pending).map_err(|source| EvidenceError::Read {
                path: pending.clone(),
                source,
            })?;
            let current = read_evidence_file(self.dir.join(RUN_FILE)).ok();
            if current.as_deref() != Some(next.as_slice()) {
                write_atomic(&self.dir, RUN_FILE, &next)?;
            }
            let record: RunRecord =
                serde_json::from_slice(&next).map_err(|e| EvidenceError::Serialize {
                    what: format!("{}", pending.display()),
                    source: e,
                })?;
            if record.status.is_finished() {
                let evidence = Evidence::load(&self.dir)?;
                let report = render_at_writing(&evidence);
                self.write_top(REPORT_FILE, redactor.redact(&report).as_bytes())?;
            }
            self.entries.remove(PREVIOUS_RUN_FILE);
            self.entries.remove(PENDING_RUN_FILE);
            self.stage(RUN_FILE.to_owned(), sha256_hex(&next));
            self.write_sums()?;
        }
        for name in [PREVIOUS_RUN_FILE, PENDING_RUN_FILE] {
            if self.entries.contains_key(name) {
                continue;
            }
            let path = self.dir.join(name);
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(source) => return Err(EvidenceError::Write { path, source }),
            }
        }
        sync_dir(&self.dir)
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
