//! Reading a script in fixed-size chunks, for the digests that stream it (Flyway's CRC32,
//! Prisma's sha256 variants, the resolver's digest of each file).

use std::io::{self, Read};

/// Feeds every chunk `reader` gives to `each`, retrying a read that was interrupted, until
/// the end; the first other read error stops it.
pub(crate) fn each_chunk<R: Read>(mut reader: R, mut each: impl FnMut(&[u8])) -> io::Result<()> {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        each(&buf[..n]);
    }
}
