//! Finding the migrations of a set on disk, checksumming them (streaming) and putting them in
//! apply order, with every finding about the files themselves (duplicates, bad names, a Prisma
//! folder without its script, a lock file for another provider).

use std::collections::BTreeMap;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::chunks::each_chunk;
use crate::config::{Config, Format};
use crate::errors::{MigrateError, Problem, ProblemKind};
use crate::flyway::{self, NameVerdict};
use crate::migration::{Checksum, Migration, MigrationKind};
use crate::placeholders::{self, BuiltIns};
use crate::plain::{PlainName, parse_plain_name};
use crate::prisma::{self, PrismaChecksums};
use crate::version::Version;

/// The migrations of a set, in apply order (versioned by version, then repeatables by
/// description; Prisma by folder name), with what was found wrong or worth saying.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    pub migrations: Vec<Migration>,
    /// Findings that block a run (a plan carries them on).
    pub problems: Vec<Problem>,
    /// Things worth recording that do not block (a `.sql` file plain does not take, ...).
    pub notes: Vec<String>,
}

impl Resolved {
    /// The index of the migration recorded under `script` (or with that file name).
    pub fn find_script(&self, script: &str) -> Option<usize> {
        self.migrations
            .iter()
            .position(|m| m.script == script || m.file_name == script)
    }
}

/// Resolves with the built-ins known without a server (see `BuiltIns::from_config`). A
/// repeatable whose script uses `${flyway:user}` or `${flyway:database}` then gets a
/// `Placeholder` problem: call `resolve_with` with those filled in.
pub fn resolve(config: &Config) -> Result<Resolved, MigrateError> {
    resolve_with(config, &BuiltIns::from_config(config))
}

/// Resolves the set. `builtins` are needed for the checksum of Flyway repeatables, which is
/// taken after placeholder replacement.
pub fn resolve_with(config: &Config, builtins: &BuiltIns) -> Result<Resolved, MigrateError> {
    let mut resolved = Resolved::default();
    if config.locations.is_empty() {
        return Err(MigrateError::Config(
            "no migration location: give the step a dir (or flyway.locations=filesystem:DIR)"
                .to_owned(),
        ));
    }
    for location in &config.locations {
        check_location(location)?;
    }
    match config.format {
        Format::Flyway => resolve_flyway(config, builtins, &mut resolved)?,
        Format::Plain => resolve_plain(config, &mut resolved)?,
        Format::Prisma => resolve_prisma(config, &mut resolved)?,
    }
    check_excludes(config, &mut resolved);
    Ok(resolved)
}

fn check_location(path: &Path) -> Result<(), MigrateError> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(MigrateError::Location {
            path: path.to_owned(),
            problem: "is not a directory".to_owned(),
        }),
        Err(e) => Err(MigrateError::Location {
            path: path.to_owned(),
            problem: format!("cannot be read: {e}"),
        }),
    }
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> MigrateError + '_ {
    move |source| MigrateError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Sorted entries of a directory: (name, path, is_dir).
fn entries(dir: &Path) -> Result<Vec<(String, PathBuf, bool)>, MigrateError> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_err(dir))? {
        let entry = entry.map_err(io_err(dir))?;
        let path = entry.path();
        let is_dir = std::fs::metadata(&path)
            .map(|m| m.is_dir())
            .unwrap_or(false);
        out.push((
            entry.file_name().to_string_lossy().into_owned(),
            path,
            is_dir,
        ));
    }
    out.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    Ok(out)
}

/// One read of a file: Flyway's CRC32, the sha256, the size, and Prisma's variants if asked.
struct Digest1 {
    crc: i32,
    sha256: String,
    size: u64,
    prisma: Option<PrismaChecksums>,
}

fn digest(path: &Path, with_prisma: bool) -> io::Result<Digest1> {
    if with_prisma {
        let p = prisma::checksum(File::open(path)?)?;
        let size = std::fs::metadata(path)?.len();
        return Ok(Digest1 {
            crc: 0,
            sha256: p.raw.clone(),
            size,
            prisma: Some(p),
        });
    }
    let file = File::open(path)?;
    let mut feeder = flyway::Feeder::new();
    let mut sha = Sha256::new();
    let mut size = 0u64;
    each_chunk(file, |chunk| {
        feeder.push(chunk);
        sha.update(chunk);
        size += chunk.len() as u64;
    })?;
    let sha256 = sha
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    Ok(Digest1 {
        crc: feeder.finish(),
        sha256,
        size,
        prisma: None,
    })
}

/// Files under a Flyway location, recursively (Flyway scans subfolders), with the path
/// relative to the location root, `/`-separated (what Flyway records as `script`).
fn walk(
    root: &Path,
    dir: &Path,
    depth: usize,
    out: &mut Vec<(String, PathBuf)>,
) -> Result<(), MigrateError> {
    if depth > 32 {
        return Ok(());
    }
    for (_, path, is_dir) in entries(dir)? {
        if is_dir {
            walk(root, &path, depth + 1, out)?;
        } else {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push((rel, path));
        }
    }
    Ok(())
}

fn resolve_flyway(
    config: &Config,
    builtins: &BuiltIns,
    resolved: &mut Resolved,
) -> Result<(), MigrateError> {
    let mut files = Vec::new();
    for location in &config.locations {
        walk(location, location, 0, &mut files)?;
    }
    for (script, path) in files {
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let parsed = match flyway::parse_name(config, &file_name) {
            NameVerdict::NotMigration => continue,
            NameVerdict::Invalid(message) => {
                resolved.problems.push(Problem::new(
                    ProblemKind::BadName,
                    format!("{message} (file {})", path.display()),
                ));
                continue;
            }
            NameVerdict::Migration(p) => p,
        };
        let d = match digest(&path, false) {
            Ok(d) => d,
            Err(e) => {
                resolved.problems.push(unreadable(&path, &e));
                continue;
            }
        };
        let kind = if parsed.version.is_some() {
            MigrationKind::Versioned
        } else {
            MigrationKind::Repeatable
        };
        let raw = Checksum::Crc32(d.crc);
        // A repeatable's checksum is taken after placeholder replacement (Flyway's
        // SqlMigrationResolver.getChecksumForLoadableResource, since 6.3.0).
        let checksum = if kind == MigrationKind::Repeatable && placeholders::replaces(config) {
            match placeholders::replaced_checksum(config, &path, &script, &file_name, builtins) {
                Ok(c) => Checksum::Crc32(c),
                Err(e) => {
                    resolved.problems.push(Problem::new(
                        ProblemKind::Placeholder,
                        format!("repeatable migration {script}: cannot compute its checksum after placeholder replacement: {e}"),
                    ));
                    raw.clone()
                }
            }
        } else {
            raw.clone()
        };
        resolved.migrations.push(Migration {
            kind,
            version: parsed.version,
            description: parsed.description,
            script,
            path,
            checksum,
            raw_checksum: raw,
            prisma: None,
            sha256: d.sha256,
            size: d.size,
            file_name,
        });
    }
    order_and_check_duplicates(config, resolved);
    Ok(())
}

fn unreadable(path: &Path, e: &io::Error) -> Problem {
    Problem::new(
        ProblemKind::Unreadable,
        format!("cannot read migration {}: {e}", path.display()),
    )
}

fn resolve_plain(config: &Config, resolved: &mut Resolved) -> Result<(), MigrateError> {
    for location in &config.locations {
        for (file_name, path, is_dir) in entries(location)? {
            if is_dir {
                continue;
            }
            let (version, description) = match parse_plain_name(&file_name) {
                PlainName::NotSql => continue,
                PlainName::NoVersion => {
                    resolved.notes.push(format!(
                        "{} is not a migration: its name does not start with a version number (plain migrations are named like 0001_init.sql)",
                        path.display()
                    ));
                    continue;
                }
                PlainName::Ambiguous(message) => {
                    resolved.problems.push(Problem::new(
                        ProblemKind::BadName,
                        format!("{message} (in {})", location.display()),
                    ));
                    continue;
                }
                PlainName::Migration {
                    version,
                    description,
                } => (version, description),
            };
            let d = match digest(&path, false) {
                Ok(d) => d,
                Err(e) => {
                    resolved.problems.push(unreadable(&path, &e));
                    continue;
                }
            };
            resolved.migrations.push(Migration {
                kind: MigrationKind::Versioned,
                version: Some(version),
                description,
                script: file_name.clone(),
                path,
                checksum: Checksum::Crc32(d.crc),
                raw_checksum: Checksum::Crc32(d.crc),
                prisma: None,
                sha256: d.sha256,
                size: d.size,
                file_name,
            });
        }
    }
    order_and_check_duplicates(config, resolved);
    Ok(())
}

fn resolve_prisma(config: &Config, resolved: &mut Resolved) -> Result<(), MigrateError> {
    let Some(dir) = config.locations.first() else {
        return Ok(());
    };
    if config.locations.len() > 1 {
        resolved.notes.push(format!(
            "prisma reads one migrations directory; only {} is used",
            dir.display()
        ));
    }
    let lock = dir.join("migration_lock.toml");
    match std::fs::read_to_string(&lock) {
        Ok(text) => {
            let provider = prisma::lock_provider(&text);
            if provider != "postgresql" {
                resolved.problems.push(Problem::new(
                    ProblemKind::ProviderMismatch,
                    format!(
                        "{} names provider `{provider}`, but the target is PostgreSQL (`postgresql`); these migrations were written for another database (Prisma's P3019)",
                        lock.display()
                    ),
                ));
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => resolved.problems.push(unreadable(&lock, &e)),
    }
    for (name, path, is_dir) in entries(dir)? {
        if !is_dir {
            continue;
        }
        let script_path = path.join("migration.sql");
        let d = match digest(&script_path, true) {
            Ok(d) => d,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                resolved.problems.push(Problem::new(
                    ProblemKind::MissingScript,
                    format!(
                        "migration folder {name} has no migration.sql: could not find the migration file at {}; delete the folder or restore the file (Prisma's P3015)",
                        script_path.display()
                    ),
                ));
                continue;
            }
            Err(e) => {
                resolved.problems.push(unreadable(&script_path, &e));
                continue;
            }
        };
        let Some(p) = d.prisma else { continue };
        if !p.utf8 {
            resolved.problems.push(Problem::new(
                ProblemKind::Unreadable,
                format!(
                    "{} is not valid UTF-8; Prisma reads migration.sql as UTF-8 text and would refuse it",
                    script_path.display()
                ),
            ));
        }
        resolved.migrations.push(Migration {
            kind: MigrationKind::Versioned,
            version: None,
            description: name.clone(),
            script: name.clone(),
            path: script_path,
            checksum: Checksum::Sha256(p.raw.clone()),
            raw_checksum: Checksum::Sha256(p.raw.clone()),
            prisma: Some(p),
            sha256: d.sha256,
            size: d.size,
            file_name: name,
        });
    }
    // Prisma sorts migration names byte-wise; `entries` already did.
    Ok(())
}

/// Java's `String.compareTo`: UTF-16 code units (so "B" < "a").
fn java_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Versioned by version, then repeatables by description (Flyway's
/// `ResolvedMigrationComparator`); two non-excluded files with one version (or two repeatables
/// with one description) are a problem naming both (Flyway's `CompositeMigrationResolver`).
fn order_and_check_duplicates(config: &Config, resolved: &mut Resolved) {
    resolved
        .migrations
        .sort_by(|a, b| match (&a.version, &b.version) {
            (Some(x), Some(y)) => x.cmp(y).then_with(|| a.script.cmp(&b.script)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => {
                java_cmp(&a.description, &b.description).then_with(|| a.script.cmp(&b.script))
            }
        });
    let live: Vec<&Migration> = resolved
        .migrations
        .iter()
        .filter(|m| !excluded(config, m))
        .collect();
    let mut groups: BTreeMap<usize, Vec<&Migration>> = BTreeMap::new();
    let mut start = 0;
    for i in 1..=live.len() {
        let same = i < live.len()
            && match (&live[start].version, &live[i].version) {
                (Some(a), Some(b)) => a == b,
                (None, None) => live[start].description == live[i].description,
                _ => false,
            };
        if !same {
            if i - start > 1 {
                groups.insert(start, live[start..i].to_vec());
            }
            start = i;
        }
    }
    for group in groups.values() {
        let names: Vec<&str> = group.iter().map(|m| m.script.as_str()).collect();
        let listed = match names.as_slice() {
            [a, b] => format!("{a} and {b} both"),
            _ => format!(
                "{} and {} all",
                names[..names.len() - 1].join(", "),
                names[names.len() - 1]
            ),
        };
        let first = group[0];
        let message = match &first.version {
            Some(v) => format!(
                "{listed} have version {v}; Flyway refuses this (\"Found more than one migration with version {v}\"): keep one and list the others under exclude:, or renumber them"
            ),
            None => format!(
                "{listed} are repeatable migrations with the description \"{}\"; Flyway refuses this (\"Found more than one repeatable migration with description\"): keep one and list the others under exclude:",
                first.description
            ),
        };
        let kind = if first.version.is_some() {
            ProblemKind::DuplicateVersion
        } else {
            ProblemKind::DuplicateDescription
        };
        resolved.problems.push(Problem::new(kind, message));
    }
}

/// Whether a migration is listed under `exclude` (by its recorded script or its file name).
pub(crate) fn excluded(config: &Config, m: &Migration) -> bool {
    config.is_excluded(&m.script) || config.is_excluded(&m.file_name)
}

fn check_excludes(config: &Config, resolved: &mut Resolved) {
    for name in &config.exclude {
        if resolved.find_script(name).is_none() {
            resolved.problems.push(Problem::new(
                ProblemKind::UnknownExclude,
                format!(
                    "exclude names {name}, which is not a migration in {}; expected a script name as recorded, such as {}",
                    config
                        .locations
                        .iter()
                        .map(|l| l.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                    resolved
                        .migrations
                        .first()
                        .map_or("V1__init.sql", |m| m.script.as_str())
                ),
            ));
        }
    }
}

/// Parses `target_version` for Flyway/plain (`latest`/`current`: no limit).
pub(crate) fn target(config: &Config) -> Result<Option<Version>, Problem> {
    match config.target_version.as_deref() {
        None => Ok(None),
        Some(t) if t.eq_ignore_ascii_case("latest") || t.eq_ignore_ascii_case("current") => {
            Ok(None)
        }
        Some(t) => Version::parse(t)
            .map(Some)
            .map_err(|e| Problem::new(ProblemKind::BadTarget, format!("target_version: {e}"))),
    }
}
