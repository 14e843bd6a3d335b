//! SHA-256 digests of files and byte streams.
//!
//! Input files (dumps of several gigabytes, possibly with patient data) are recorded by size and
//! digest, never copied; hashing streams them through a fixed 64 KiB buffer.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::errors::{EvidenceError, Result};
use crate::step_result::InputFile;

const BUFFER: usize = 64 * 1024;

/// Size and lowercase hex sha256 of some content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDigest {
    pub size: u64,
    pub sha256: String,
}

/// Streams `path` through SHA-256.
pub fn hash_file(path: &Path) -> Result<FileDigest> {
    let read_error = |source| EvidenceError::Read {
        path: path.to_owned(),
        source,
    };
    let file = File::open(path).map_err(read_error)?;
    hash_reader(file).map_err(read_error)
}

/// Streams any reader through SHA-256.
pub fn hash_reader(mut reader: impl Read) -> io::Result<FileDigest> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; BUFFER];
    let mut size = 0u64;
    loop {
        let n = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buffer[..n]);
        size += n as u64;
    }
    Ok(FileDigest {
        size,
        sha256: hex::encode(hasher.finalize()),
    })
}

/// The lowercase hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl InputFile {
    /// Records an input file by path (as given), size and digest.
    pub fn from_path(path: &Path) -> Result<InputFile> {
        let digest = hash_file(path)?;
        Ok(InputFile {
            path: path.display().to_string(),
            size: digest.size,
            sha256: digest.sha256,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_known_values() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let long = vec![b'x'; BUFFER * 2 + 17];
        let digest = hash_reader(&long[..]).unwrap();
        assert_eq!(digest.size, long.len() as u64);
        assert_eq!(digest.sha256, sha256_hex(&long));
    }

    #[test]
    fn a_missing_input_names_the_path() {
        let err = InputFile::from_path(Path::new("/nonexistent/dump.sql")).unwrap_err();
        assert_eq!(err.to_string(), "cannot read /nonexistent/dump.sql");
        let source = std::error::Error::source(&err).unwrap().to_string();
        assert!(source.contains("No such file"), "{source}");
    }
}
