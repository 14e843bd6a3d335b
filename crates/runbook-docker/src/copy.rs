//! Copying a local file into a container (`docker cp`), streamed.
//!
//! The engine takes a tar archive. A blocking thread reads the file, hashes it and writes the
//! archive into a bounded channel that feeds the request body, so a 5 GB dump moves through a
//! few hundred kilobytes of memory. Mode and owner are set on the tar header, which the engine
//! applies as it extracts; the digest is of the bytes actually sent.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use bollard::query_parameters::UploadToContainerOptionsBuilder;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::client::DockerClient;
use crate::errors::{DockerError, SpecError};
use crate::exec::ExecSpec;
use crate::failure::classify;
use runbook_values::Owner;

/// Size of the pieces sent to the engine.
const CHUNK: usize = 256 * 1024;
/// Pieces in flight between the reading thread and the request.
const IN_FLIGHT: usize = 4;

/// What was copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    /// Path of the file inside the container.
    pub destination: String,
    pub bytes: u64,
    /// Lowercase hex SHA-256 of the content.
    pub sha256: String,
}

impl DockerClient {
    /// Copies `local` into `container` as `dest` (a file path; a path ending in `/` names a
    /// directory and keeps the local file name) with permission bits `mode` and owner `owner`.
    /// The directory must exist in the container; the container need not be running.
    pub async fn copy_file_into(
        &self,
        container: &str,
        local: &Path,
        dest: &str,
        mode: u32,
        owner: Owner,
    ) -> Result<CopyReport, DockerError> {
        let (dir, file_name) = split_destination(dest, local)?;
        let file = File::open(local).map_err(|source| DockerError::LocalFile {
            path: local.to_owned(),
            source,
        })?;
        let meta = file.metadata().map_err(|source| DockerError::LocalFile {
            path: local.to_owned(),
            source,
        })?;
        if !meta.is_file() {
            return Err(DockerError::LocalFile {
                path: local.to_owned(),
                source: io::Error::new(io::ErrorKind::InvalidInput, "not a regular file"),
            });
        }
        self.require_container(container).await?;

        let (tx, rx) = mpsc::channel::<Result<Bytes, io::Error>>(IN_FLIGHT);
        let header = TarEntry {
            name: file_name.clone(),
            size: meta.len(),
            mode,
            owner,
            mtime: meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_secs()),
        };
        let path = local.to_owned();
        let writer = tokio::task::spawn_blocking(move || write_archive(file, &path, &header, tx));

        let body = futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        });
        let options = UploadToContainerOptionsBuilder::default()
            .path(&dir)
            .build();
        let upload = self
            .docker
            .upload_to_container(
                &crate::names::path_segment(container),
                Some(options),
                bollard::body_try_stream(body),
            )
            .await;
        let written = writer.await.map_err(|e| DockerError::Transport {
            operation: format!("copy {} into container {container}", local.display()),
            message: e.to_string(),
        })?;
        // A local failure explains an aborted upload better than the upload's own error.
        let Sent { bytes, sha256 } = written?;
        if let Err(e) = upload {
            let failure = classify(e);
            return Err(match failure.status() {
                Some(404) if self.inspect_container(container).await?.is_some() => {
                    DockerError::NoSuchPathInContainer {
                        container: container.to_owned(),
                        path: dir,
                    }
                }
                Some(404) => DockerError::NoSuchContainer {
                    name: container.to_owned(),
                },
                _ => self.fail(
                    format!("copy {} into container {container}", local.display()),
                    failure,
                ),
            });
        }
        Ok(CopyReport {
            destination: format!("{}/{file_name}", dir.trim_end_matches('/')),
            bytes,
            sha256,
        })
    }

    /// Deletes a file in `container` (`rm -f`), so that a dump copied in for a load does not
    /// stay there. A missing file is not an error.
    pub async fn remove_path_in(&self, container: &str, path: &str) -> Result<(), DockerError> {
        if !path.starts_with('/') || path.trim_end_matches('/').is_empty() {
            return Err(SpecError::new(
                "path in container",
                path,
                "expected an absolute file path",
            )
            .into());
        }
        let spec = ExecSpec::new(["rm", "-f", "--", path]).user("0");
        let out = self.exec_capture(container, &spec).await?;
        if out.exit_code != 0 {
            return Err(DockerError::ExecFailed {
                container: container.to_owned(),
                command: spec.display_command(),
                message: format!("exit code {}: {}", out.exit_code, out.stderr.trim()),
            });
        }
        Ok(())
    }
}

/// Splits the destination into the directory the engine extracts into and the entry name.
fn split_destination(dest: &str, local: &Path) -> Result<(String, String), DockerError> {
    let bad = |problem: &str| {
        DockerError::from(SpecError::new("destination in container", dest, problem))
    };
    if !dest.starts_with('/') {
        return Err(bad("expected an absolute path"));
    }
    if dest.ends_with('/') {
        let name = local
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| bad("the local file has no usable name"))?;
        return Ok((dest.to_owned(), name.to_owned()));
    }
    let (dir, name) = dest.rsplit_once('/').unwrap_or(("", dest));
    if name == "." || name == ".." {
        return Err(bad("expected a file path"));
    }
    let dir = if dir.is_empty() { "/" } else { dir };
    Ok((dir.to_owned(), name.to_owned()))
}

/// What the archive carried: size and digest of the file's bytes.
#[derive(Debug)]
struct Sent {
    bytes: u64,
    sha256: String,
}

struct TarEntry {
    name: String,
    size: u64,
    mode: u32,
    owner: Owner,
    mtime: u64,
}

/// Writes a one-file tar archive into `tx`; returns the size and digest of what was sent.
/// On any failure an error is also sent down the channel so the request is aborted rather
/// than completed with a broken file.
fn write_archive(
    file: File,
    path: &Path,
    entry: &TarEntry,
    tx: mpsc::Sender<Result<Bytes, io::Error>>,
) -> Result<Sent, DockerError> {
    let abort = tx.clone();
    let result = (|| {
        let mut header = tar::Header::new_gnu();
        header.set_size(entry.size);
        header.set_mode(entry.mode);
        header.set_uid(u64::from(entry.owner.uid));
        header.set_gid(u64::from(entry.owner.gid));
        header.set_mtime(entry.mtime);
        header.set_entry_type(tar::EntryType::Regular);
        let mut reader = ExactReader {
            inner: file,
            size: entry.size,
            remaining: entry.size,
            hasher: Sha256::new(),
        };
        let mut builder = tar::Builder::new(ChannelWriter::new(tx));
        builder
            .append_data(&mut header, &entry.name, &mut reader)
            .map_err(|e| local_error(path, entry.size, e))?;
        // A file that grew while it was read is not the file that was hashed.
        let mut probe = [0u8; 1];
        if reader
            .inner
            .read(&mut probe)
            .map_err(|e| local_error(path, entry.size, e))?
            > 0
        {
            return Err(DockerError::FileGrew {
                path: path.to_owned(),
                expected: entry.size,
            });
        }
        let digest = hex::encode(reader.hasher.finalize());
        let mut writer = builder
            .into_inner()
            .map_err(|e| local_error(path, entry.size, e))?;
        writer
            .flush()
            .map_err(|e| local_error(path, entry.size, e))?;
        Ok(Sent {
            bytes: entry.size,
            sha256: digest,
        })
    })();
    if result.is_err() {
        let _ = abort.blocking_send(Err(io::Error::other("copy aborted")));
    }
    result
}

fn local_error(path: &Path, expected: u64, e: io::Error) -> DockerError {
    if let Some(short) = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<ShortRead>())
    {
        return DockerError::FileChanged {
            path: path.to_owned(),
            expected,
            found: short.0,
        };
    }
    if e.kind() == io::ErrorKind::BrokenPipe {
        // The request ended first; its own error says why.
        return DockerError::Transport {
            operation: format!("copy {}", path.display()),
            message: "the Docker Engine stopped reading the upload".to_owned(),
        };
    }
    DockerError::LocalFile {
        path: PathBuf::from(path),
        source: e,
    }
}

/// The file ended before the size announced in the tar header.
#[derive(Debug)]
struct ShortRead(u64);

impl std::fmt::Display for ShortRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "file ended after {} bytes", self.0)
    }
}

impl std::error::Error for ShortRead {}

/// Reads exactly the announced size, hashing as it goes; fails on a short file instead of
/// letting `tar` write a truncated entry.
struct ExactReader {
    inner: File,
    size: u64,
    remaining: u64,
    hasher: Sha256,
}

impl Read for ExactReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 {
            return Ok(0);
        }
        let want = buf
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            let read = self.size - self.remaining;
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                ShortRead(read),
            ));
        }
        self.hasher.update(&buf[..n]);
        self.remaining -= n as u64;
        Ok(n)
    }
}

/// Hands the archive to the request body in bounded chunks.
struct ChannelWriter {
    tx: mpsc::Sender<Result<Bytes, io::Error>>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn new(tx: mpsc::Sender<Result<Bytes, io::Error>>) -> Self {
        ChannelWriter {
            tx,
            buf: Vec::with_capacity(CHUNK),
        }
    }

    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "upload closed"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = data.len().min(CHUNK - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `write_archive` for `content` announced as `size` bytes; returns its result and the
    /// archive it sent (or `None` when it aborted the stream).
    fn archive(content: &[u8], size: u64) -> (Result<Sent, DockerError>, Option<Vec<u8>>) {
        let mut file = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut file, content).unwrap();
        std::io::Seek::rewind(&mut file).unwrap();
        let (tx, mut rx) = mpsc::channel(IN_FLIGHT);
        let entry = TarEntry {
            name: "dump.sql".into(),
            size,
            mode: 0o600,
            owner: Owner::POSTGRES,
            mtime: 0,
        };
        let writer =
            std::thread::spawn(move || write_archive(file, Path::new("/x/dump.sql"), &entry, tx));
        let mut sent = Some(Vec::new());
        while let Some(item) = rx.blocking_recv() {
            match item {
                Ok(bytes) => sent.as_mut().map(|s| s.extend_from_slice(&bytes)),
                Err(_) => sent.take().map(|_| ()),
            };
        }
        (writer.join().unwrap(), sent)
    }

    #[test]
    fn the_archive_holds_the_file_with_mode_and_owner() {
        let content = b"CREATE TABLE t ();\n".repeat(30_000);
        let (result, sent) = archive(&content, content.len() as u64);
        let sent_file = result.unwrap();
        assert_eq!(sent_file.bytes, content.len() as u64);
        assert_eq!(sent_file.sha256, hex::encode(Sha256::digest(&content)));
        let sent = sent.expect("the archive was sent whole");
        let mut archive = tar::Archive::new(sent.as_slice());
        let mut entries = archive.entries().unwrap();
        let mut entry = entries.next().unwrap().unwrap();
        assert_eq!(entry.path().unwrap().to_str(), Some("dump.sql"));
        assert_eq!(entry.header().mode().unwrap(), 0o600);
        assert_eq!(
            (entry.header().uid().unwrap(), entry.header().gid().unwrap()),
            (999, 999)
        );
        let mut back = Vec::new();
        entry.read_to_end(&mut back).unwrap();
        assert_eq!(back, content);
        drop(entry);
        assert!(entries.next().is_none());
    }

    #[test]
    fn a_file_that_shrank_or_grew_aborts_the_upload() {
        let (result, sent) = archive(b"short", 10);
        assert_eq!(
            result.unwrap_err().to_string(),
            "copy /x/dump.sql: the file changed while it was being copied (10 bytes expected, 5 read)"
        );
        assert!(sent.is_none(), "the upload was not aborted");

        let (result, sent) = archive(b"longer than announced", 6);
        assert_eq!(
            result.unwrap_err().to_string(),
            "copy /x/dump.sql: the file changed while it was being copied (it grew beyond the 6 bytes it had when the copy started)"
        );
        assert!(sent.is_none(), "the upload was not aborted");
    }

    #[test]
    fn destinations() {
        let local = Path::new("/tmp/schema.sql");
        assert_eq!(
            split_destination("/tmp/load.sql", local).unwrap(),
            ("/tmp".to_owned(), "load.sql".to_owned())
        );
        assert_eq!(
            split_destination("/tmp/", local).unwrap(),
            ("/tmp/".to_owned(), "schema.sql".to_owned())
        );
        assert_eq!(
            split_destination("/x.sql", local).unwrap(),
            ("/".to_owned(), "x.sql".to_owned())
        );
        assert_eq!(
            split_destination("tmp/x.sql", local)
                .unwrap_err()
                .to_string(),
            "invalid destination in container 'tmp/x.sql': expected an absolute path"
        );
    }
}
