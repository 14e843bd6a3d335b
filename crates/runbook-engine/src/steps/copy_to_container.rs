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
        self.local_size()?;
        let docker = cx.docker().await?.clone();
        let copied = docker
            .copy_file_into(&container, &local, &self.0.to, mode, owner)
            .await?;
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
        let size = self.local_size()?;
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
            "would copy {} ({size} bytes) to {container}:{} (mode {:04o}, owner {})",
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

    /// The local file must be a readable regular file; says so before the engine is asked.
    fn local_size(&self) -> Result<u64, StepError> {
        let path = &self.0.path;
        let file = std::fs::File::open(path).map_err(|e| StepError::io(path, e))?;
        let meta = file.metadata().map_err(|e| StepError::io(path, e))?;
        if !meta.is_file() {
            return Err(StepError::failed(format!(
                "{} is not a regular file; expected the file to copy",
                path.display()
            )));
        }
        Ok(meta.len())
    }
}
