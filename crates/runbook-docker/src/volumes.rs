//! Named volumes: existence, creation with labels, removal.
//!
//! Removing a volume that a container still uses is refused by the engine; the error names the
//! containers so the operator knows what to stop or remove first.

use std::collections::{BTreeMap, HashMap};

use bollard::models::VolumeCreateRequest;
use bollard::query_parameters::{ListVolumesOptionsBuilder, RemoveVolumeOptionsBuilder};

use crate::client::DockerClient;
use crate::errors::DockerError;
use crate::failure::classify;
use crate::names::{check_volume_ref, path_segment};

impl DockerClient {
    pub async fn volume_exists(&self, name: &str) -> Result<bool, DockerError> {
        check_volume_ref(name)?;
        match self.docker.inspect_volume(&path_segment(name)).await {
            Ok(_) => Ok(true),
            Err(e) => match classify(e) {
                f if f.status() == Some(404) => Ok(false),
                f => Err(self.fail(format!("inspect volume {name}"), f)),
            },
        }
    }

    /// Creates a named volume (a no-op when it exists, as in Docker).
    pub async fn create_volume(
        &self,
        name: &str,
        labels: &BTreeMap<String, String>,
    ) -> Result<(), DockerError> {
        crate::mount::check_volume_name(name)
            .map_err(|problem| crate::errors::SpecError::new("volume", name, problem))?;
        let request = VolumeCreateRequest {
            name: Some(name.to_owned()),
            labels: Some(labels.clone().into_iter().collect()),
            ..VolumeCreateRequest::default()
        };
        self.docker
            .create_volume(request)
            .await
            .map(|_| ())
            .map_err(|e| self.fail(format!("create volume {name}"), classify(e)))
    }

    /// Removes a named volume and its data.
    pub async fn remove_volume(&self, name: &str) -> Result<(), DockerError> {
        check_volume_ref(name)?;
        let options = RemoveVolumeOptionsBuilder::default().force(false).build();
        match self
            .docker
            .remove_volume(&path_segment(name), Some(options))
            .await
        {
            Ok(()) => Ok(()),
            Err(e) => match classify(e) {
                f if f.status() == Some(404) => Err(DockerError::NoSuchVolume {
                    name: name.to_owned(),
                }),
                f if f.status() == Some(409) => {
                    let containers = self
                        .list_containers_filtered("volume", name)
                        .await?
                        .into_iter()
                        .map(|c| c.name)
                        .collect();
                    Err(DockerError::VolumeInUse {
                        name: name.to_owned(),
                        containers,
                    })
                }
                f => Err(self.fail(format!("remove volume {name}"), f)),
            },
        }
    }

    /// Names of the containers (running or not) that mount the volume `name`, sorted: who
    /// would keep a `volume_remove` from succeeding.
    pub async fn containers_using_volume(&self, name: &str) -> Result<Vec<String>, DockerError> {
        check_volume_ref(name)?;
        Ok(self
            .list_containers_filtered("volume", name)
            .await?
            .into_iter()
            .map(|c| c.name)
            .collect())
    }

    /// The labels of the volume `name`, or `None` when there is no such volume: who made it
    /// (`io.runbook.*`, `com.docker.compose.*`) for check mode to say.
    pub async fn volume_labels(
        &self,
        name: &str,
    ) -> Result<Option<BTreeMap<String, String>>, DockerError> {
        check_volume_ref(name)?;
        match self.docker.inspect_volume(&path_segment(name)).await {
            Ok(volume) => Ok(Some(volume.labels.into_iter().collect())),
            Err(e) => match classify(e) {
                f if f.status() == Some(404) => Ok(None),
                f => Err(self.fail(format!("inspect volume {name}"), f)),
            },
        }
    }

    /// The containers (running or not) that mount the volume `name`, with their IDs: what
    /// consent compares with a protected target's container, whatever name reached it.
    pub async fn volume_users(
        &self,
        name: &str,
    ) -> Result<Vec<crate::info::ContainerSummary>, DockerError> {
        check_volume_ref(name)?;
        self.list_containers_filtered("volume", name).await
    }

    /// Names of the volumes carrying the label `key=value`, sorted.
    pub async fn list_volumes_by_label(
        &self,
        key: &str,
        value: &str,
    ) -> Result<Vec<String>, DockerError> {
        let label = format!("{key}={value}");
        let filters: HashMap<&str, Vec<&str>> = HashMap::from([("label", vec![label.as_str()])]);
        let options = ListVolumesOptionsBuilder::default()
            .filters(&filters)
            .build();
        let list = self
            .docker
            .list_volumes(Some(options))
            .await
            .map_err(|e| self.fail("list volumes", classify(e)))?;
        let mut names: Vec<String> = list
            .volumes
            .unwrap_or_default()
            .into_iter()
            .map(|v| v.name)
            .collect();
        names.sort();
        Ok(names)
    }
}
