//! Which OS account runs the server programs.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

use crate::errors::EphemeralError;

/// The unprivileged account that server programs run as when Runbook itself is root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerAccount {
    pub uid: u32,
    pub gid: u32,
}

impl ServerAccount {
    /// `None` when Runbook is not root (the programs run as the current user); the `postgres`
    /// account from `/etc/passwd` when it is.
    pub fn for_current_process() -> Result<Option<ServerAccount>, EphemeralError> {
        // /proc/self belongs to the effective user; no unsafe getuid() needed.
        let is_root = std::fs::metadata("/proc/self")
            .map(|m| m.uid() == 0)
            .unwrap_or(false);
        if !is_root {
            return Ok(None);
        }
        let passwd = std::fs::read_to_string("/etc/passwd").map_err(|e| {
            EphemeralError::NoPostgresAccount {
                reason: format!("cannot read /etc/passwd: {e}"),
            }
        })?;
        passwd
            .split('\n')
            .map(|line| line.trim_end_matches('\r').split(':').collect::<Vec<_>>())
            .find(|fields| fields.first() == Some(&"postgres"))
            .and_then(|fields| {
                Some(ServerAccount {
                    uid: fields.get(2)?.parse().ok()?,
                    gid: fields.get(3)?.parse().ok()?,
                })
            })
            .map(Some)
            .ok_or_else(|| EphemeralError::NoPostgresAccount {
                reason: "there is no \"postgres\" entry in /etc/passwd (installing the postgresql package creates it)"
                    .to_owned(),
            })
    }

    /// Makes `path` belong to the account (the server insists on owning its data directory).
    pub fn give(&self, path: &Path) -> Result<(), EphemeralError> {
        std::os::unix::fs::chown(path, Some(self.uid), Some(self.gid)).map_err(|source| {
            EphemeralError::Directory {
                path: path.to_path_buf(),
                source,
            }
        })
    }

    /// Makes `command` run as the account.
    pub fn apply(&self, command: &mut Command) {
        use std::os::unix::process::CommandExt;
        command.uid(self.uid).gid(self.gid);
    }
}
