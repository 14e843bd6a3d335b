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

/// The longest compose file, `.env` or `env_file` read; a bigger one is not configuration.
const MAX_FILE: u64 = 16 * 1024 * 1024;

/// Reads a compose file, an `.env` or an `env_file` as text: only a regular file (`stat`
/// first: opening a FIFO would wait for a writer, possibly forever, and `/dev/zero` would be
/// read until memory runs out) and at most [`MAX_FILE`] bytes.
fn read_text(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read;
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a FIFO, a device or a directory is refused before opening)",
        ));
    }
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(MAX_FILE + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_FILE {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("longer than {} MiB", MAX_FILE >> 20),
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::read_text;

    #[test]
    fn special_files_are_refused_before_opening() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("docker-compose.yml");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        // Would block for ever in open(2) without a writer.
        let error = read_text(&fifo).unwrap_err().to_string();
        assert!(error.contains("not a regular file"), "{error}");
        let error = read_text(std::path::Path::new("/dev/zero"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("not a regular file"), "{error}");
        let big = dir.path().join(".env");
        std::fs::File::create(&big)
            .unwrap()
            .set_len(super::MAX_FILE + 1)
            .unwrap();
        assert!(
            read_text(&big)
                .unwrap_err()
                .to_string()
                .contains("longer than 16 MiB")
        );
    }
}
