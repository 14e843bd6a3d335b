//! Prisma Migrate's conventions: the checksum (prisma-engines
//! `schema-engine/connectors/schema-connector/src/checksum.rs`), its line-ending tolerance, the
//! provider check of `migration_lock.toml` (`error_on_changed_provider`) and the lock key.

use std::io::{self, Read};

use sha2::{Digest, Sha256};

use crate::chunks::each_chunk;

/// Prisma's advisory lock: `SELECT pg_advisory_lock(72707369)` ("a unique number we chose to
/// identify Migrate", `flavour/postgres.rs`), session level, taken for deploy and resolve.
pub const LOCK_KEY: i64 = 72707369;

/// The checksums of one migration.sql, computed in one pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrismaChecksums {
    /// Lowercase hex sha256 of the bytes as they are: what Prisma records.
    pub raw: String,
    /// Of the text with every CRLF turned into LF.
    pub crlf_to_lf: String,
    /// Of the text with every LF turned into CRLF (an existing CRLF becomes CR CR LF, as
    /// Prisma's `replace('\n', "\r\n")` does).
    pub lf_to_crlf: String,
    /// Whether the file is valid UTF-8 (Prisma reads it with `read_to_string` and fails if not).
    pub utf8: bool,
}

impl PrismaChecksums {
    /// Prisma's `script_matches_checksum`: the recorded checksum matches any of the three
    /// forms; a recorded value that is not 64 characters is compared with the old unpadded
    /// hex rendering (prisma-engines#1887).
    pub fn matches(&self, recorded: &str) -> bool {
        [&self.raw, &self.crlf_to_lf, &self.lf_to_crlf]
            .into_iter()
            .any(|hex| {
                if !recorded.is_empty() && recorded.len() != 64 {
                    unpadded(hex) == recorded
                } else {
                    hex == recorded
                }
            })
    }
}

/// The pre-2.x rendering: each byte as `{:x}`, without zero padding.
fn unpadded(hex: &str) -> String {
    hex.as_bytes()
        .chunks(2)
        .map(|pair| {
            let s = std::str::from_utf8(pair).unwrap_or("");
            s.strip_prefix('0')
                .filter(|r| !r.is_empty())
                .unwrap_or(s)
                .to_owned()
        })
        .collect()
}

fn hex(digest: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(digest.len() * 2);
    for b in digest {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Prisma's checksum of a migration.sql, with the CRLF/LF variants, streaming.
pub fn checksum<R: Read>(reader: R) -> io::Result<PrismaChecksums> {
    let mut raw = Sha256::new();
    let mut to_lf = Sha256::new();
    let mut to_crlf = Sha256::new();
    let mut pending_cr = false;
    let mut utf8 = Utf8Check::default();
    each_chunk(reader, |chunk| {
        raw.update(chunk);
        utf8.push(chunk);
        for part in chunk.split_inclusive(|&b| b == b'\n' || b == b'\r') {
            // CRLF → LF: hold a CR back until we know whether LF follows.
            if pending_cr {
                if part.first() != Some(&b'\n') {
                    to_lf.update(b"\r");
                }
                pending_cr = false;
            }
            match part.last() {
                Some(b'\r') => {
                    to_lf.update(&part[..part.len() - 1]);
                    pending_cr = true;
                }
                _ => to_lf.update(part),
            }
            // LF → CRLF.
            match part.last() {
                Some(b'\n') => {
                    to_crlf.update(&part[..part.len() - 1]);
                    to_crlf.update(b"\r\n");
                }
                _ => to_crlf.update(part),
            }
        }
    })?;
    if pending_cr {
        to_lf.update(b"\r");
    }
    Ok(PrismaChecksums {
        raw: hex(&raw.finalize()),
        crlf_to_lf: hex(&to_lf.finalize()),
        lf_to_crlf: hex(&to_crlf.finalize()),
        utf8: utf8.finish(),
    })
}

/// Streaming UTF-8 validation.
#[derive(Debug, Default)]
struct Utf8Check {
    carry: Vec<u8>,
    bad: bool,
}

impl Utf8Check {
    fn push(&mut self, bytes: &[u8]) {
        if self.bad {
            return;
        }
        let mut joined = std::mem::take(&mut self.carry);
        joined.extend_from_slice(bytes);
        if let Err(e) = std::str::from_utf8(&joined) {
            match e.error_len() {
                Some(_) => self.bad = true,
                None => self.carry = joined[e.valid_up_to()..].to_vec(),
            }
        }
    }

    fn finish(self) -> bool {
        !self.bad && self.carry.is_empty()
    }
}

/// The provider `migration_lock.toml` names, read as Prisma reads it: the first line starting
/// with `provider`, with `provider = ` and the quotes trimmed; `<PROVIDER NOT FOUND>` when no
/// line does (Prisma's placeholder, which then mismatches).
pub fn lock_provider(text: &str) -> String {
    text.split('\n')
        .map(|l| l.trim_end_matches('\r'))
        .find(|l| l.starts_with("provider"))
        .map(|l| {
            l.trim_start_matches("provider = ")
                .trim_matches('"')
                .to_owned()
        })
        .unwrap_or_else(|| "<PROVIDER NOT FOUND>".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ck(bytes: &[u8]) -> PrismaChecksums {
        checksum(bytes).expect("in-memory read")
    }

    #[test]
    fn prisma_test_vector() {
        // checksum.rs: render_checksum("hello") == "2cf24d..."; python3 hashlib.sha256(b"hello").
        assert_eq!(
            ck(b"hello").raw,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        // python3 -c 'import hashlib;print(hashlib.sha256(b"").hexdigest())'
        assert_eq!(
            ck(b"").raw,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn line_ending_tolerance_as_prisma() {
        // Prisma's own module tests: "ab\ncd\nef\ngh\rab" matches "ab\r\ncd\r\nef\r\ngh\rab" both
        // ways; "abc\n" does not match "abc".
        let lf = ck(b"ab\ncd\nef\ngh\rab");
        let crlf = ck(b"ab\r\ncd\r\nef\r\ngh\rab");
        assert!(lf.matches(&crlf.raw));
        assert!(crlf.matches(&lf.raw));
        assert!(!ck(b"abc").matches(&ck(b"abc\n").raw));
        // A lone CR is left alone by both conversions.
        assert_eq!(crlf.crlf_to_lf, lf.raw);
        assert_eq!(lf.lf_to_crlf, crlf.raw);
    }

    #[test]
    fn split_points_do_not_matter() {
        struct Steps<'a>(&'a [u8], usize);
        impl Read for Steps<'_> {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                let n = self.1.min(out.len()).min(self.0.len());
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let text = "a\r\n\r\rb\n\r\n日本\r".as_bytes();
        let whole = ck(text);
        for step in 1..text.len() {
            assert_eq!(checksum(Steps(text, step)).expect("read"), whole, "{step}");
        }
    }

    #[test]
    fn old_unpadded_format() {
        let c = ck(b"hello");
        // 2c f2 4d ba 5f b0 a3 0e ... : "0e" renders as "e" unpadded.
        let old = unpadded(&c.raw);
        assert!(old.len() < 64);
        assert!(c.matches(&old));
        assert!(!ck(b"hello!").matches(&old));
    }

    #[test]
    fn utf8_flag() {
        assert!(ck("患者".as_bytes()).utf8);
        assert!(!ck(b"\xff").utf8);
        assert!(!ck(b"\xe6\x82").utf8);
    }

    #[test]
    fn lock_file_provider() {
        assert_eq!(
            lock_provider(
                "# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = \"postgresql\""
            ),
            "postgresql"
        );
        assert_eq!(lock_provider("provider = \"mysql\"\r\n"), "mysql");
        assert_eq!(lock_provider(""), "<PROVIDER NOT FOUND>");
    }
}
