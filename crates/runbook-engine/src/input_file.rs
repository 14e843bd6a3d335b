//! Paths a step reads (`sql_file`, `require_files`, `copy_to_container`): what kind of file
//! they are, found out before anything opens them.
//!
//! Opening or reading a path that is not a regular file can hurt the run: `/dev/zero` gives
//! bytes forever (a script reader allocates until the kernel kills it), opening a FIFO blocks
//! until another process opens it for writing (on the runtime's only thread that stops every
//! timer, so the step's timeout never fires and SIGTERM cannot seal the evidence), a socket
//! cannot be opened at all. A path is therefore examined with `stat` (which never blocks on
//! such files) and refused unless the step says `allow_special_file: true`. When it does, the
//! open and every read run on a blocking thread under the step's timeout and cancellation, and
//! only `run` reads it: a FIFO can be read once, and check mode changes nothing.

use std::fs::{File, FileType, Metadata};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

use tokio_util::sync::CancellationToken;

use crate::errors::StepError;

/// A path that is not a regular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Special {
    Directory,
    CharDevice,
    BlockDevice,
    Fifo,
    Socket,
    Other,
}

impl Special {
    pub(crate) fn of(file_type: FileType) -> Option<Special> {
        Some(if file_type.is_file() {
            return None;
        } else if file_type.is_dir() {
            Special::Directory
        } else if file_type.is_char_device() {
            Special::CharDevice
        } else if file_type.is_block_device() {
            Special::BlockDevice
        } else if file_type.is_fifo() {
            Special::Fifo
        } else if file_type.is_socket() {
            Special::Socket
        } else {
            Special::Other
        })
    }

    /// "a character device", as the messages say it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Special::Directory => "a directory",
            Special::CharDevice => "a character device",
            Special::BlockDevice => "a block device",
            Special::Fifo => "a FIFO (named pipe)",
            Special::Socket => "a socket",
            Special::Other => "not a regular file",
        }
    }

    /// Why reading it is refused by default.
    fn danger(self) -> &'static str {
        match self {
            Special::Directory => "a directory cannot be read as a file",
            Special::CharDevice => "reading it may never end (/dev/zero gives bytes forever)",
            Special::BlockDevice => "reading it reads a whole disk",
            Special::Fifo => {
                "opening it waits for another process to write to it, possibly forever"
            }
            Special::Socket => "a socket cannot be read as a file",
            Special::Other => "reading it may never end",
        }
    }

    /// Whether `allow_special_file: true` can make it readable at all.
    pub(crate) fn readable(self) -> bool {
        !matches!(self, Special::Directory | Special::Socket)
    }
}

/// What [`examine`] found.
#[derive(Debug)]
pub(crate) struct Examined {
    pub meta: Metadata,
    /// `None` for a regular file.
    pub special: Option<Special>,
}

impl Examined {
    /// The size to report: a special file's `st_size` means nothing (0 for a FIFO).
    pub(crate) fn size(&self) -> u64 {
        self.meta.len()
    }
}

/// The message of a refused special file, the same in `validate`, `check` and `run`.
pub(crate) fn refusal(path: &Path, special: Special) -> String {
    // One line whatever the name holds: the message goes to the step's log and summary.
    let path = crate::text::one_line_name(&path.to_string_lossy()).into_owned();
    if special.readable() {
        format!(
            "{} is {}, not a regular file: {}; refused before opening it (set allow_special_file: true on the step to read it anyway, under the step's timeout)",
            path,
            special.name(),
            special.danger()
        )
    } else {
        format!(
            "{} is {}, not a regular file: {}",
            path,
            special.name(),
            special.danger()
        )
    }
}

/// Looks at `path` without opening it (`stat`, following symlinks: a link to a regular file
/// is a regular file, a link to `/dev/zero` is a character device). A special file is refused
/// (BLOCKED: the input is wrong, nothing of the step ran) unless `allow` says otherwise.
pub(crate) fn examine(path: &Path, allow: bool) -> Result<Examined, StepError> {
    let meta = std::fs::metadata(path).map_err(|e| StepError::io(path, e))?;
    let special = Special::of(meta.file_type());
    if let Some(special) = special
        && (!allow || !special.readable())
    {
        return Err(StepError::Blocked(refusal(path, special)));
    }
    Ok(Examined { meta, special })
}

/// Check mode's answer for an allowed special file: it is not read now (reading a FIFO
/// consumes what it holds; a device may never end), only when the step runs.
pub(crate) fn not_read_in_check(path: &Path, special: Special) -> StepError {
    StepError::Deferred(format!(
        "not read in check mode: {} is {} (allow_special_file: true), read only when the step runs, under its timeout",
        path.display(),
        special.name()
    ))
}

/// Opens a regular file (refusing anything else) without ever blocking: `stat` first for the
/// message, then `open(O_NONBLOCK)` and `fstat` of what was opened, so a path swapped for a
/// FIFO between the two is refused too instead of hanging the open. For the synchronous
/// readers (`validate`, consent) and for the regular files of `check` and `run`.
pub(crate) fn open_regular(path: &Path) -> Result<(File, Metadata), StepError> {
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(special) = Special::of(
        std::fs::metadata(path)
            .map_err(|e| StepError::io(path, e))?
            .file_type(),
    ) {
        return Err(StepError::Blocked(refusal(path, special)));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)
        .map_err(|e| StepError::io(path, e))?;
    let meta = file.metadata().map_err(|e| StepError::io(path, e))?;
    if let Some(special) = Special::of(meta.file_type()) {
        return Err(StepError::Blocked(refusal(path, special)));
    }
    // Reads of a regular file block as usual (O_NONBLOCK means nothing to most file systems,
    // but a FUSE one may honour it).
    rustix::fs::fcntl_setfl(&file, rustix::fs::OFlags::empty())
        .map_err(|e| StepError::io(path, e.into()))?;
    Ok((file, meta))
}

/// `check` and `run`: a regular file is opened at once; a special file the step allows is
/// opened by [`open`], off the runtime's thread.
pub(crate) async fn open_for_step(
    path: &Path,
    allow: bool,
    cancel: &CancellationToken,
) -> Result<(File, Examined), StepError> {
    let examined = examine(path, allow)?;
    if examined.special.is_none() {
        let (file, meta) = open_regular(path)?;
        return Ok((
            file,
            Examined {
                meta,
                special: None,
            },
        ));
    }
    Ok((open(path, cancel).await?, examined))
}

/// Reads an allowed special file into a private temporary file (mode 0600, removed when the
/// returned guard drops), for consumers that need a regular file (a tar entry states its size
/// before its content). Open and reads run on a blocking thread that stops at the next read
/// once the step is cancelled, so `/dev/zero` fills the disk only until the step's timeout.
pub(crate) async fn spool(path: &Path, cancel: &CancellationToken) -> Result<Spooled, StepError> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let spooled = Spooled {
        path: std::env::temp_dir().join(format!("runbook-spool-{}-{n}", std::process::id())),
    };
    let (source, target) = (path.to_owned(), spooled.path.clone());
    let stop = cancel.clone();
    let copying = tokio::task::spawn_blocking(move || -> std::io::Result<u64> {
        use std::io::{Read, Write};
        use std::os::unix::fs::OpenOptionsExt;
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&target)?;
        let mut input = File::open(&source)?;
        let mut buf = vec![0u8; 256 * 1024];
        let mut total = 0u64;
        loop {
            if stop.is_cancelled() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::Interrupted,
                    "cancelled",
                ));
            }
            let n = match input.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            out.write_all(&buf[..n])?;
            total += n as u64;
        }
        out.flush()?;
        Ok(total)
    });
    tokio::select! {
        copied = copying => match copied {
            Ok(Ok(_)) => Ok(spooled),
            Ok(Err(e)) => Err(StepError::io(path, e)),
            Err(e) => Err(StepError::failed(format!("reading {} failed: {e}", path.display()))),
        },
        () = cancel.cancelled() => Err(StepError::Interrupted),
    }
}

/// A spooled copy of a special file; removed when dropped.
#[derive(Debug)]
pub(crate) struct Spooled {
    pub path: PathBuf,
}

impl Drop for Spooled {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Opens `path` for reading on a blocking thread, so that a FIFO without a writer holds that
/// thread and not the runtime: the step's timeout and Ctrl-C end the wait (the thread is left
/// behind; the CLI does not wait for it on exit).
pub(crate) async fn open(path: &Path, cancel: &CancellationToken) -> Result<File, StepError> {
    let owned: PathBuf = path.to_owned();
    let opening = tokio::task::spawn_blocking(move || File::open(&owned));
    tokio::select! {
        opened = opening => match opened {
            Ok(opened) => opened.map_err(|e| StepError::io(path, e)),
            Err(e) => Err(StepError::failed(format!("opening {} failed: {e}", path.display()))),
        },
        () = cancel.cancelled() => Err(StepError::Interrupted),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_directories_are_refused_with_the_way_out() {
        let error = examine(Path::new("/dev/zero"), false).unwrap_err();
        let message = error.to_string();
        assert!(matches!(error, StepError::Blocked(_)));
        assert!(
            message.contains("/dev/zero is a character device")
                && message.contains("allow_special_file: true"),
            "{message}"
        );
        let allowed = examine(Path::new("/dev/zero"), true).unwrap();
        assert_eq!(allowed.special, Some(Special::CharDevice));
        // A directory cannot be read whatever the step allows.
        assert!(examine(Path::new("/"), true).is_err());
    }

    #[test]
    fn a_fifo_is_examined_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        rustix_mkfifo(&fifo);
        let error = examine(&fifo, false).unwrap_err().to_string();
        assert!(error.contains("is a FIFO (named pipe)"), "{error}");
    }

    fn rustix_mkfifo(path: &Path) {
        let status = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success());
    }
}
