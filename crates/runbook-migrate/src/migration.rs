//! One migration found on disk, with what its history row records.

use std::fmt;
use std::path::PathBuf;

use crate::prisma::PrismaChecksums;
use crate::version::Version;

/// Versioned (applied once, in version order) or repeatable (Flyway `R__`: applied after the
/// versioned ones, again whenever its checksum changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MigrationKind {
    Versioned,
    Repeatable,
}

/// A checksum as a history table stores it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Checksum {
    /// Flyway's (and plain's) signed CRC32, `checksum INTEGER`.
    Crc32(i32),
    /// Prisma's lowercase hex sha256, `checksum VARCHAR(64)`.
    Sha256(String),
}

/// The value as the history stores it (`-722651034`, `2cf24d...`).
impl fmt::Display for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Checksum::Crc32(c) => write!(f, "{c}"),
            Checksum::Sha256(s) => f.write_str(s),
        }
    }
}

/// One migration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    pub kind: MigrationKind,
    /// Flyway/plain versioned; None for repeatables and Prisma.
    pub version: Option<Version>,
    /// As recorded (Flyway: `_` → space); Prisma: the migration name.
    pub description: String,
    /// As recorded in the history's `script` / `migration_name` column (Flyway: the path
    /// relative to its location, `/`-separated).
    pub script: String,
    /// The file to execute.
    pub path: PathBuf,
    /// As the history records it (Flyway repeatable: after placeholder replacement).
    pub checksum: Checksum,
    /// The checksum of the raw file: equal to `checksum` except for a Flyway repeatable with
    /// placeholder replacement on, where Flyway accepts either (its `equivalentChecksum`).
    pub raw_checksum: Checksum,
    /// Prisma only: the CRLF/LF variants Prisma accepts when comparing.
    pub prisma: Option<PrismaChecksums>,
    /// sha256 of the raw bytes, for evidence.
    pub sha256: String,
    pub size: u64,
    /// The bare file name, as `${flyway:filename}` gives it.
    pub file_name: String,
}

impl Migration {
    /// How the migration is named in messages: `version 0225 (V0225__x.sql)`, `repeatable
    /// my view (R__my_view.sql)`, or the Prisma name.
    pub fn label(&self) -> String {
        match (&self.version, self.kind) {
            (Some(v), _) => format!("version {v} ({})", self.script),
            (None, MigrationKind::Repeatable) => {
                format!("repeatable {} ({})", self.description, self.script)
            }
            (None, MigrationKind::Versioned) => self.script.clone(),
        }
    }

    /// Whether a recorded checksum matches this file as the format's tool decides: Flyway
    /// equality with either the replaced or the raw checksum (`checksumMatches`); Prisma's
    /// line-ending tolerance. A missing recorded checksum matches (Flyway's
    /// `isChecksumMatching` passes when either side is null).
    pub fn checksum_matches(&self, recorded: Option<&Checksum>) -> bool {
        match recorded {
            None => true,
            Some(Checksum::Sha256(s)) => match &self.prisma {
                Some(p) => p.matches(s),
                None => self.checksum == Checksum::Sha256(s.clone()),
            },
            Some(c) => *c == self.checksum || *c == self.raw_checksum,
        }
    }
}
