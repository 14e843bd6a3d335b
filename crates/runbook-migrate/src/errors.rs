//! The errors of this crate: hard failures (`MigrateError`, `ConfError`) and the validation
//! findings a plan carries (`Problem`), which block a run but are all reported together.

use std::path::PathBuf;

/// A failure that stops resolution or reading a script: nothing sensible can be said about the
/// set until it is fixed.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// A file or directory could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A configured location does not exist or is not a directory.
    #[error("migration location {} {problem}", path.display())]
    Location { path: PathBuf, problem: String },
    /// A placeholder in a script has no value, or is not closed.
    #[error("{file}:{line}: {message}")]
    Placeholder {
        file: String,
        line: u64,
        message: String,
    },
    /// The configuration itself is unusable (a bad version, a bad prefix).
    #[error("{0}")]
    Config(String),
}

/// A flyway.conf that cannot be used. Always names the file and line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}:{line}: {message}")]
pub struct ConfError {
    /// The conf file as the caller named it.
    pub source_name: String,
    /// 1-based line of the offending key (0 when the problem is not tied to a line).
    pub line: usize,
    /// What was wrong and what was expected.
    pub message: String,
}

/// What kind of validation finding a `Problem` is, so callers can count or filter them
/// without parsing messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// Two files resolve to one version (Flyway: "Found more than one migration with version").
    DuplicateVersion,
    /// Two repeatable migrations with one description.
    DuplicateDescription,
    /// A file that looks like a migration (prefix and suffix match) but whose name does not parse.
    BadName,
    /// A migration file that could not be read.
    Unreadable,
    /// A Prisma migration folder without `migration.sql` (Prisma's P3015 meaning).
    MissingScript,
    /// `migration_lock.toml` names another provider (Prisma's P3019).
    ProviderMismatch,
    /// An `exclude` entry that names no migration file.
    UnknownExclude,
    /// The schema has objects but no history table and no baseline was asked for (Flyway's
    /// "Found non-empty schema(s)", Prisma's P3005).
    NonEmptySchema,
    /// An explicit baseline conflicts with the history table (Flyway's `DbBaseline`).
    BaselineConflict,
    /// An applied migration's file changed since (Flyway's checksum mismatch).
    ChecksumMismatch,
    /// An applied migration's description differs from its file name.
    DescriptionMismatch,
    /// An applied row's type differs from the resolved migration's.
    TypeMismatch,
    /// An applied migration whose file is gone.
    MissingLocally,
    /// A failed migration in the history (Flyway `success = false`; Prisma P3009).
    Failed,
    /// A pending migration older than the newest applied one, without `out_of_order`.
    OutOfOrder,
    /// A standalone validate found migrations not applied yet that `migrate` would apply
    /// (Flyway's "Detected resolved migration not applied to database"; `prisma migrate
    /// status`'s "Following migrations have not yet been applied").
    NotApplied,
    /// `target_version` is not a version.
    BadTarget,
    /// A repeatable script's placeholders could not be replaced for its checksum.
    Placeholder,
    /// `resolve_applied`: no such migration (Prisma P3017).
    NotFound,
    /// `resolve_applied`: already recorded as applied (Prisma P3008).
    AlreadyApplied,
    /// `resolve_rolled_back`: never applied (Prisma P3011).
    NeverApplied,
    /// `resolve_rolled_back`: not in a failed state (Prisma P3012).
    NotFailed,
    /// A mode the format does not have (`resolve_applied` for Flyway).
    ModeNotSupported,
}

/// One validation finding: complete and user-facing, naming the files and values involved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub message: String,
}

impl Problem {
    pub fn new(kind: ProblemKind, message: impl Into<String>) -> Problem {
        Problem {
            kind,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
