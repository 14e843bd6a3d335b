//! Compose files: one service of a `docker-compose.yml` as a [`ContainerSpec`].
//!
//! Runbooks written for `docker compose up -d db` keep working: the service's settings are read
//! like Compose reads them (interpolation from the environment and an `.env` beside the file,
//! project-prefixed named volumes), and the container is labelled like Compose labels it so
//! `docker compose ps` lists it. Errors name the file, line and column.
//!
//! [`ContainerSpec`]: crate::ContainerSpec

mod dotenv;
mod interpolate;
mod project;
mod service;
mod shell_words;
mod yaml;

pub use project::{ComposeProject, LoadedService, load_service};
