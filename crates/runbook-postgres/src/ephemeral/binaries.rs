//! Finding the PostgreSQL server programs.

use std::path::{Path, PathBuf};

use crate::errors::EphemeralError;

/// A directory holding `initdb`, `pg_ctl` and their siblings (`psql`, `pg_dump`, `pgbench`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgBinaries {
    dir: PathBuf,
}

const DEBIAN_ROOT: &str = "/usr/lib/postgresql";

impl PgBinaries {
    /// `dir` if given; else the first `PATH` entry with both `initdb` and `pg_ctl`; else the
    /// highest version under `/usr/lib/postgresql/*/bin` (Debian keeps them off `PATH`).
    pub fn find(dir: Option<&Path>) -> Result<PgBinaries, EphemeralError> {
        let path_dirs: Vec<PathBuf> = match dir {
            Some(dir) => vec![dir.to_path_buf()],
            None => std::env::var_os("PATH")
                .map(|p| std::env::split_paths(&p).collect())
                .unwrap_or_default(),
        };
        let mut candidates = path_dirs.clone();
        if dir.is_none() {
            candidates.extend(debian_dirs());
        }
        if let Some(found) = candidates.into_iter().find(|d| has_server_programs(d)) {
            return Ok(PgBinaries { dir: found });
        }
        let searched = match dir {
            Some(dir) => dir.display().to_string(),
            None => format!("PATH and {DEBIAN_ROOT}/*/bin"),
        };
        Err(EphemeralError::BinariesNotFound { searched })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The program `name` in this directory, or the one on `PATH` when this directory lacks it
    /// (Debian installs `psql` in the client package, which may be another version).
    pub fn program(&self, name: &str) -> PathBuf {
        let here = self.dir.join(name);
        if is_executable(&here) {
            here
        } else {
            PathBuf::from(name)
        }
    }
}

fn debian_dirs() -> Vec<PathBuf> {
    let mut versions: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir(DEBIAN_ROOT)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let version = name
                .split('.')
                .map(|part| part.parse().ok())
                .collect::<Option<Vec<u32>>>()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versions.sort_by(|a, b| b.0.cmp(&a.0));
    versions.into_iter().map(|(_, dir)| dir).collect()
}

fn has_server_programs(dir: &Path) -> bool {
    is_executable(&dir.join("initdb")) && is_executable(&dir.join("pg_ctl"))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_directory_without_the_programs_is_a_clear_error() {
        let err = PgBinaries::find(Some(Path::new("/nonexistent/pg/bin"))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot find the PostgreSQL server programs (initdb, pg_ctl): looked in /nonexistent/pg/bin; \
             install them with `apt-get install postgresql-15` (Debian/Ubuntu) or put their directory on PATH"
        );
    }
}
