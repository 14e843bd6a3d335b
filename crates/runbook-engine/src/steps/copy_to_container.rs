//! `copy_to_container`: put a local file into a container, like `docker cp`.
//!
//! The file is streamed as a tar archive (bounded memory whatever its size) with the mode and
//! numeric owner the step asks for, hashed on the way. The evidence records its path, size and
//! SHA-256 as an input of the step, never its content: dumps hold patient data. Check mode looks
//! at the local file and the container and copies nothing.
//!
//! A symbolic link anywhere in `path` (as written) is refused unless `follow_symlinks: true`:
//! the copy would be of what the link points to (`/etc/shadow`, say) under the link's name.
//! Followed, the real path is what is copied and recorded, with its digest.

use std::path::{Component, Path, PathBuf};

use async_trait::async_trait;
use runbook_docker::Owner;
use runbook_evidence::{InputFile, StepOutcome, StepStatus};
use runbook_spec::CopyToContainer;
use serde_json::json;

use crate::context::StepContext;
use crate::docker_identity::DockerFacts;
use crate::errors::StepError;
use crate::input_file;
use crate::step::{Destruction, Step};

/// `docker cp` gives a copied file the mode it had; a runbook says what it wants, and without
/// that gets a file anyone in the container may read but only root may change.
const DEFAULT_MODE: u32 = 0o644;

pub(crate) struct CopyToContainerStep(pub CopyToContainer);

#[async_trait]
impl Step for CopyToContainerStep {
    async fn run(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let container = cx.container_of(self.0.container.as_deref())?;
        let (mode, owner) = (self.mode(), self.owner());
        let local = self.0.path.clone();
        let real = self.real_path()?;
        let examined = input_file::examine(&real, self.0.allow_special_file)?;
        // A tar entry states its size before its content: an allowed special file is read
        // into a private temporary file first, off the runtime and under the step's timeout.
        let spooled = match examined.special {
            Some(_) => Some(input_file::spool(&real, &cx.cancellation()).await?),
            None => {
                input_file::open_regular(&real)?;
                None
            }
        };
        let (readable, to) = match &spooled {
            Some(spooled) => (spooled.path.clone(), self.destination_for_spool()),
            None => (real.clone(), self.0.to.clone()),
        };
        let docker = cx.docker().await?.clone();
        let copied = docker
            .copy_file_into(&container, &readable, &to, mode, owner)
            .await?;
        drop(spooled);
        let followed = (real != local).then(|| real.display().to_string());
        if let Some(real) = &followed {
            cx.log(format!(
                "{} is reached through a symbolic link (follow_symlinks: true); its real path is {real}",
                shown(&local)
            ));
        }
        cx.log(format!(
            "copied {} ({} bytes, sha256 {}) to {container}:{} (mode {mode:04o}, owner {owner})",
            shown(&real),
            copied.bytes,
            copied.sha256,
            copied.destination
        ));
        let mut outcome = StepOutcome::new(
            StepStatus::Passed,
            format!(
                "copied {} ({} bytes) to {container}:{}",
                local.display(),
                copied.bytes,
                copied.destination
            ),
        );
        outcome.inputs.push(InputFile {
            path: real.display().to_string(),
            size: copied.bytes,
            sha256: copied.sha256.clone(),
        });
        outcome.details = json!({
            "container": container,
            "path": local.display().to_string(),
            "real_path": followed,
            "destination": copied.destination,
            "mode": format!("{mode:04o}"),
            "owner": owner.to_string(),
            "bytes": copied.bytes,
            "sha256": copied.sha256,
        });
        Ok(outcome)
    }

    async fn check(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let container = cx.container_of(self.0.container.as_deref())?;
        let real = self.real_path()?;
        let examined = input_file::examine(&real, self.0.allow_special_file)?;
        let size = match examined.special {
            // Not read in check mode: a FIFO can be read once, a device may never end.
            Some(special) => format!(
                "{}, read only when the step runs (allow_special_file: true)",
                special.name()
            ),
            None => format!("{} bytes", input_file::open_regular(&real)?.1.len()),
        };
        let size = if real == self.0.path {
            size
        } else {
            format!(
                "{size}, through a symbolic link to {} (follow_symlinks: true)",
                shown(&real)
            )
        };
        let info = cx.docker().await?.inspect_container(&container).await?;
        let note = match info {
            Some(info) => format!("container {container} exists ({})", info.state),
            None => match cx.provided_by(&container) {
                Some(step) => format!("container {container} is created by step '{step}' first"),
                None => {
                    return Err(StepError::failed(format!(
                        "container {container} does not exist; there is nothing to copy into"
                    )));
                }
            },
        };
        let would = format!(
            "would copy {} ({size}) to {container}:{} (mode {:04o}, owner {})",
            self.0.path.display(),
            self.0.to,
            self.mode(),
            self.owner()
        );
        cx.log(&would);
        cx.log(note);
        Ok(StepOutcome::new(StepStatus::Passed, would))
    }

    /// Inside a protected target's container nothing is provably harmless.
    fn docker_destruction(
        &self,
        step: &runbook_spec::Step,
        runbook: &runbook_spec::Runbook,
        facts: &DockerFacts,
    ) -> Option<Result<Vec<Destruction>, StepError>> {
        facts.acting_in(step, runbook, self.0.container.as_deref(), |c| {
            format!(
                "copy {} into container {c}, overwriting whatever is there",
                self.0.path.display()
            )
        })
    }

    /// A symbolic link in `path` is refused before anything runs, unless the step follows it.
    fn lint(&self, step: &runbook_spec::Step, runbook: &runbook_spec::Runbook) -> Vec<String> {
        if self.0.follow_symlinks {
            return Vec::new();
        }
        symlink_in(&self.0.path)
            .map(|(link, to)| {
                let refusal = symlink_refusal(&self.0.path, &link, &to);
                crate::lint::at_step(runbook, step, &refusal)
            })
            .into_iter()
            .collect()
    }
}

impl CopyToContainerStep {
    /// The path to read: `path` itself when no part of it is a symbolic link; with
    /// `follow_symlinks: true`, where the links lead; otherwise the step is blocked.
    fn real_path(&self) -> Result<PathBuf, StepError> {
        let Some((link, to)) = symlink_in(&self.0.path) else {
            return Ok(self.0.path.clone());
        };
        if !self.0.follow_symlinks {
            return Err(StepError::Blocked(symlink_refusal(
                &self.0.path,
                &link,
                &to,
            )));
        }
        std::fs::canonicalize(&self.0.path).map_err(|e| StepError::io(&self.0.path, e))
    }

    fn mode(&self) -> u32 {
        self.0.mode.map_or(DEFAULT_MODE, |m| m.bits())
    }

    fn owner(&self) -> Owner {
        self.0.owner.map_or(Owner::ROOT, |o| Owner {
            uid: o.uid,
            gid: o.gid,
        })
    }

    /// Where a spooled copy goes: `to` as written, or for a directory (`to` ending in `/`)
    /// the local file's own name in it, as for a regular file (not the spool's name).
    fn destination_for_spool(&self) -> String {
        match (self.0.to.ends_with('/'), self.0.path.file_name()) {
            (true, Some(name)) => format!("{}{}", self.0.to, name.to_string_lossy()),
            _ => self.0.to.clone(),
        }
    }
}

/// A path for a log line: one line whatever the name holds.
fn shown(path: &Path) -> String {
    crate::text::one_line_name(&path.to_string_lossy()).into_owned()
}

/// The first part of `path`, as written, that is a symbolic link, and what the link says.
/// (The directories above a relative path, the working directory's, are not the runbook's.)
pub(crate) fn symlink_in(path: &Path) -> Option<(PathBuf, PathBuf)> {
    let mut prefix = PathBuf::new();
    for component in path.components() {
        prefix.push(component);
        if !matches!(component, Component::Normal(_)) {
            continue;
        }
        let is_link = std::fs::symlink_metadata(&prefix).is_ok_and(|m| m.file_type().is_symlink());
        if is_link {
            let to = std::fs::read_link(&prefix).unwrap_or_default();
            return Some((prefix, to));
        }
    }
    None
}

/// Why a path through a symbolic link is refused, naming the link and where it points.
pub(crate) fn symlink_refusal(path: &Path, link: &Path, to: &Path) -> String {
    let through = if link == path {
        String::new()
    } else {
        format!(" ({} is one)", shown(link))
    };
    format!(
        "{} is reached through a symbolic link{through} to {}: the copy would be of what the link points to, under the link's name; name the file itself, or set follow_symlinks: true on the step (the evidence then records the real path and its digest)",
        shown(path),
        shown(to)
    )
}
