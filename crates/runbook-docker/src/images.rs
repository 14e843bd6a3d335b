//! Images: only ever looked up, never pulled (the engines this runs against may have no
//! registry, and pulling would silently change what a tested runbook runs).

use crate::client::DockerClient;
use crate::errors::DockerError;
use crate::failure::classify;

/// An image present on the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInfo {
    /// `sha256:...`: what exactly will run, for the evidence.
    pub id: String,
    pub tags: Vec<String>,
    pub size: u64,
}

impl DockerClient {
    /// Whether `name` (a reference like `postgres:15` or an id) is present on the engine.
    pub async fn image_exists(&self, name: &str) -> Result<bool, DockerError> {
        Ok(self.inspect_image(name).await?.is_some())
    }

    /// The image `name`, or `None` when it is not present.
    pub async fn inspect_image(&self, name: &str) -> Result<Option<ImageInfo>, DockerError> {
        match self.docker.inspect_image(name).await {
            Ok(raw) => Ok(Some(ImageInfo {
                id: raw.id.unwrap_or_default(),
                tags: raw.repo_tags.unwrap_or_default(),
                size: raw.size.and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
            })),
            Err(e) => match classify(e) {
                f if f.status() == Some(404) => Ok(None),
                f => Err(self.fail(format!("inspect image {name}"), f)),
            },
        }
    }
}
