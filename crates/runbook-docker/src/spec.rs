//! What a container should look like: the input of [`DockerClient::create_container`].
//!
//! Built by the engine from a `container_start` step or by [`compose::load_service`] from a
//! compose file; both go through the same parsers ([`PortMapping`], [`VolumeMount`],
//! [`parse_size`](crate::parse_size)) so a runbook and a compose file mean the same thing.
//!
//! [`DockerClient::create_container`]: crate::DockerClient::create_container
//! [`compose::load_service`]: crate::compose::load_service

use std::collections::BTreeMap;
use std::fmt;

use crate::errors::SpecError;
use crate::mount::VolumeMount;
use runbook_values::PortMapping;

/// A container to create. `Debug` hides environment values: they hold passwords.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ContainerSpec {
    pub name: String,
    pub image: String,
    pub env: BTreeMap<String, String>,
    pub ports: Vec<PortMapping>,
    pub volumes: Vec<VolumeMount>,
    /// Replaces the image's `CMD`; `None` keeps it.
    pub command: Option<Vec<String>>,
    pub labels: BTreeMap<String, String>,
    /// Labels given to the named volumes that creating the container creates, so that they can
    /// be found (and cleaned up) by label like the container.
    pub volume_labels: BTreeMap<String, String>,
    /// Size of `/dev/shm` in bytes; `None` keeps Docker's 64 MB.
    pub shm_size: Option<u64>,
}

impl ContainerSpec {
    pub fn new(name: impl Into<String>, image: impl Into<String>) -> Self {
        ContainerSpec {
            name: name.into(),
            image: image.into(),
            ..ContainerSpec::default()
        }
    }

    /// Checks what Docker would otherwise reject with a less helpful message.
    pub fn validate(&self) -> Result<(), SpecError> {
        check_container_name(&self.name)?;
        if self.image.trim().is_empty() || self.image.chars().any(char::is_whitespace) {
            return Err(SpecError::new(
                "image",
                &self.image,
                "expected an image reference like postgres:15",
            ));
        }
        for key in self.env.keys() {
            if key.is_empty() || key.contains('=') {
                return Err(SpecError::new(
                    "environment variable name",
                    key,
                    "expected a non-empty name without '='",
                ));
            }
        }
        Ok(())
    }
}

impl fmt::Debug for ContainerSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContainerSpec")
            .field("name", &self.name)
            .field("image", &self.image)
            .field("env", &RedactedEnv(&self.env))
            .field("ports", &self.ports)
            .field("volumes", &self.volumes)
            .field("command", &self.command)
            .field("labels", &self.labels)
            .field("volume_labels", &self.volume_labels)
            .field("shm_size", &self.shm_size)
            .finish()
    }
}

/// Shows which variables are set, never their values.
pub(crate) struct RedactedEnv<'a>(pub(crate) &'a BTreeMap<String, String>);

impl fmt::Debug for RedactedEnv<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.keys().map(|k| (k, "****")))
            .finish()
    }
}

/// Docker's rule for container and volume names: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
pub(crate) use runbook_values::is_docker_name;

/// Docker's rule for container names, with a message that says it.
pub fn check_container_name(name: &str) -> Result<(), SpecError> {
    if is_docker_name(name) {
        Ok(())
    } else {
        Err(SpecError::new(
            "container name",
            name,
            "expected letters, digits, '_', '.' or '-', at least 2 characters, starting with a letter or digit",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_env_values() {
        let mut spec = ContainerSpec::new("db", "postgres:15");
        spec.env
            .insert("POSTGRES_PASSWORD".into(), "s3cret-value".into());
        let text = format!("{spec:?}");
        assert!(text.contains("POSTGRES_PASSWORD"), "{text}");
        assert!(!text.contains("s3cret-value"), "{text}");
    }

    #[test]
    fn names_are_checked() {
        assert!(
            ContainerSpec::new("opendolphin-postgres", "postgres:15")
                .validate()
                .is_ok()
        );
        assert_eq!(
            ContainerSpec::new("-db", "postgres:15")
                .validate()
                .unwrap_err()
                .to_string(),
            "invalid container name '-db': expected letters, digits, '_', '.' or '-', at least 2 characters, starting with a letter or digit"
        );
        assert_eq!(
            ContainerSpec::new("db", "")
                .validate()
                .unwrap_err()
                .to_string(),
            "invalid image '': expected an image reference like postgres:15"
        );
    }
}
