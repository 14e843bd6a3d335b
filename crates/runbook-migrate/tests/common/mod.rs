//! Helpers: a migration directory in a temp dir, history rows as a database would hold them.

#![allow(dead_code)]

use std::path::Path;

use runbook_migrate::{Checksum, Config, Format, HistoryRow, PrismaRow, Resolved, resolve};

pub struct Set {
    pub dir: tempfile::TempDir,
    pub config: Config,
}

impl Set {
    /// A set of `format` with these files (paths relative to the dir).
    pub fn new(format: Format, files: &[(&str, &str)]) -> Set {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, text) in files {
            write(dir.path(), name, text);
        }
        let mut config = Config::new(format);
        config.locations = vec![dir.path().to_owned()];
        config.schema = Some("public".into());
        Set { dir, config }
    }

    pub fn resolve(&self) -> Resolved {
        resolve(&self.config).expect("resolves")
    }

    pub fn write(&self, name: &str, text: &str) {
        write(self.dir.path(), name, text);
    }
}

pub fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

/// A Flyway history row.
pub fn row(
    rank: i64,
    version: Option<&str>,
    description: &str,
    kind: &str,
    script: &str,
    checksum: Option<i32>,
    success: bool,
) -> HistoryRow {
    HistoryRow {
        rank,
        version: version.map(str::to_owned),
        description: description.to_owned(),
        kind: kind.to_owned(),
        script: script.to_owned(),
        checksum: checksum.map(Checksum::Crc32),
        installed_by: Some("postgres".into()),
        installed_on: Some("2026-01-01 00:00:00".into()),
        execution_time_ms: Some(3),
        success,
        prisma: None,
    }
}

/// The row recording a resolved migration as Flyway would.
pub fn applied(r: &Resolved, script: &str, rank: i64) -> HistoryRow {
    let m = r
        .migrations
        .iter()
        .find(|m| m.script == script)
        .unwrap_or_else(|| panic!("{script} resolved"));
    HistoryRow {
        rank,
        version: m.version.as_ref().map(|v| v.as_str().to_owned()),
        description: m.description.clone(),
        kind: "SQL".into(),
        script: m.script.clone(),
        checksum: Some(m.checksum.clone()),
        installed_by: Some("postgres".into()),
        installed_on: None,
        execution_time_ms: Some(1),
        success: true,
        prisma: None,
    }
}

/// A Prisma row: finished (applied), failed (not finished), or rolled back.
pub fn prisma_row(
    rank: i64,
    name: &str,
    checksum: &str,
    finished: bool,
    rolled_back: bool,
    logs: Option<&str>,
) -> HistoryRow {
    HistoryRow {
        rank,
        version: None,
        description: name.to_owned(),
        kind: "SQL".into(),
        script: name.to_owned(),
        checksum: Some(Checksum::Sha256(checksum.to_owned())),
        installed_by: None,
        installed_on: None,
        execution_time_ms: None,
        success: finished,
        prisma: Some(PrismaRow {
            id: format!("id-{rank}"),
            checksum: checksum.to_owned(),
            finished_at: finished.then(|| "2026-01-01 00:00:01+00".to_owned()),
            rolled_back_at: rolled_back.then(|| "2026-01-01 00:00:02+00".to_owned()),
            logs: logs.map(str::to_owned),
            started_at: format!("2026-01-01 00:00:0{rank}.000000 UTC"),
            applied_steps_count: i64::from(finished),
        }),
    }
}
