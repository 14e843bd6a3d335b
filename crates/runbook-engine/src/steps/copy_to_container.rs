//! `copy_to_container`: put a local file into a container, like `docker cp`.
//!
//! The file is streamed as a tar archive (bounded memory whatever its size) with the mode and
//! numeric owner the step asks for, hashed on the way. The evidence records its path, size and
//! SHA-256 as an input of the step, never its content: dumps hold patient data. Check mode looks
//! at the local file and the container and copies nothing.

use async_trait::async_trait;
use runbook_docker::Owner;
use runbook_evidence::{InputFile, StepOutcome, StepStatus};
use runbook_spec::CopyToContainer;
use serde_json::json;

use crate::context::StepContext;
use crate::errors::StepError;
use crate::input_file;
use crate::step::Step;

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
        let examined = input_file::examine(&local, self.0.allow_special_file)?;
        // A tar entry states its size before its content: an allowed special file is read
        // into a private temporary file first, off the runtime and under the step's timeout.
        let spooled = match examined.special {
            Some(_) => Some(input_file::spool(&local, &cx.cancellation()).await?),
            None => {
                input_file::open_regular(&local)?;
                None
            }
        };
        let (readable, to) = match &spooled {
            Some(spooled) => (spooled.path.clone(), self.destination_for_spool()),
            None => (local.clone(), self.0.to.clone()),
        };
        let docker = cx.docker().await?.clone();
        let copied = docker
            .copy_file_into(&container, &readable, &to, mode, owner)
            .await?;
        drop(spooled);
        cx.log(format!(
            "copied {} ({} bytes, sha256 {}) to {container}:{} (mode {mode:04o}, owner {owner})",
            local.display(),
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
            path: local.display().to_string(),
            size: copied.bytes,
            sha256: copied.sha256.clone(),
        });
        outcome.details = json!({
            "container": container,
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
        let examined = input_file::examine(&self.0.path, self.0.allow_special_file)?;
        let size = match examined.special {
            // Not read in check mode: a FIFO can be read once, a device may never end.
            Some(special) => format!(
                "{}, read only when the step runs (allow_special_file: true)",
                special.name()
            ),
            None => format!("{} bytes", input_file::open_regular(&self.0.path)?.1.len()),
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
}

impl CopyToContainerStep {
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
