//! Flyway's checksum, as its `ChecksumCalculator` computes it (flyway-core
//! `internal/resolver/ChecksumCalculator.java`, the same algorithm since 8.0 and, for files
//! without a BOM, since 6.0): the file is decoded as UTF-8 (malformed bytes become U+FFFD, as a
//! Java `InputStreamReader` does), read line by line with `BufferedReader.readLine` (terminators
//! `\n`, `\r\n` and a lone `\r` removed), one leading BOM stripped from the first line, and the
//! UTF-8 bytes of every line fed to one CRC32 with no separator. The result is cast to a signed
//! 32-bit int, which is what `checksum INTEGER` stores.
//!
//! Removing every CR and LF and the BOM at byte 0 gives exactly that, so this streams the file
//! through a fixed buffer: no line, let alone the file, is held in memory.

use std::io::{self, Read};

use crate::chunks::each_chunk;
use crate::crc32::Crc32;

const BOM: &[u8] = "\u{feff}".as_bytes();
const REPLACEMENT: &[u8] = "\u{fffd}".as_bytes();

/// Flyway's CRC32 of a script.
pub fn checksum<R: Read>(reader: R) -> io::Result<i32> {
    let mut feeder = Feeder::new();
    each_chunk(reader, |chunk| feeder.push(chunk))?;
    Ok(feeder.finish())
}

/// Incremental form of `checksum`, for callers that already stream the bytes elsewhere (the
/// placeholder reader for repeatables, or a reader that hashes what it executes).
#[derive(Debug)]
pub struct Feeder {
    crc: Crc32,
    /// Bytes of an incomplete UTF-8 sequence (at most 3) or of a possible BOM at the start.
    pending: Vec<u8>,
    /// Still at the start of the file (a BOM may follow).
    at_start: bool,
}

impl Default for Feeder {
    fn default() -> Self {
        Feeder::new()
    }
}

impl Feeder {
    pub fn new() -> Feeder {
        Feeder {
            crc: Crc32::new(),
            pending: Vec::new(),
            at_start: true,
        }
    }

    /// Feeds the next bytes of the file.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.pending.is_empty() {
            self.consume(bytes, false);
        } else {
            let mut joined = std::mem::take(&mut self.pending);
            joined.extend_from_slice(bytes);
            self.consume(&joined, false);
        }
    }

    /// The checksum of everything fed.
    pub fn finish(mut self) -> i32 {
        let rest = std::mem::take(&mut self.pending);
        self.consume(&rest, true);
        self.crc.value() as i32
    }

    fn consume(&mut self, mut bytes: &[u8], eof: bool) {
        if self.at_start {
            if bytes.len() < BOM.len() && BOM.starts_with(bytes) && !eof {
                self.pending.extend_from_slice(bytes);
                return;
            }
            self.at_start = false;
            if let Some(rest) = bytes.strip_prefix(BOM) {
                bytes = rest;
            }
        }
        loop {
            match std::str::from_utf8(bytes) {
                Ok(_) => {
                    self.feed_text(bytes);
                    return;
                }
                Err(e) => {
                    let (good, bad) = bytes.split_at(e.valid_up_to());
                    self.feed_text(good);
                    match e.error_len() {
                        Some(len) => {
                            self.crc.update(REPLACEMENT);
                            bytes = &bad[len..];
                        }
                        None if eof => {
                            // A truncated sequence at the end of the file decodes to one U+FFFD.
                            self.crc.update(REPLACEMENT);
                            return;
                        }
                        None => {
                            self.pending.extend_from_slice(bad);
                            return;
                        }
                    }
                }
            }
        }
    }

    /// Valid UTF-8: everything but CR and LF goes into the CRC.
    fn feed_text(&mut self, text: &[u8]) {
        for run in text.split(|&b| b == b'\n' || b == b'\r') {
            self.crc.update(run);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ck(bytes: &[u8]) -> i32 {
        checksum(bytes).expect("in-memory read")
    }

    /// Flyway's documentation ("Tutorial - Dry Runs") shows V3__Couple.sql recorded with
    /// checksum -722651034; lines 3 and 4 end in one space.
    const COUPLE: &str = "create table COUPLE (\n    ID int not null,\n    PERSON1 int not null references PERSON(ID), \n    PERSON2 int not null references PERSON(ID) \n);\n";

    #[test]
    fn flyway_documented_value() {
        assert_eq!(ck(COUPLE.as_bytes()), -722651034);
        assert_eq!(ck(COUPLE.replace('\n', "\r\n").as_bytes()), -722651034);
        assert_eq!(ck(COUPLE.replace('\n', "\r").as_bytes()), -722651034);
        // Negative controls from the same reference implementation: trailing spaces count.
        assert_eq!(ck(COUPLE.replace(" \n", "\n").as_bytes()), 824101511);
    }

    /// Checksums Flyway recorded in a real database (krystian-leszczewski-vimn/migrations,
    /// pg_dump of flyway_schema_history next to the files), V1__init.sql, no final newline.
    #[test]
    fn flyway_recorded_value() {
        let v1 = "create table migrations.test_table(\n    id VARCHAR (16) NOT NULL,\n    env VARCHAR (16) NOT NULL,\n    text_variable VARCHAR (16) NOT NULL,\n    PRIMARY KEY (id)\n);";
        assert_eq!(ck(v1.as_bytes()), 1738658883);
    }

    #[test]
    fn line_endings_bom_and_text() {
        // Expected values: python3 -c 'import zlib; c=zlib.crc32(S); print(c-2**32 if c>=2**31 else c)'
        // where S is the text with CR, LF and a leading BOM removed, UTF-8 encoded.
        // S = b"" → 0
        assert_eq!(ck(b""), 0);
        assert_eq!(ck(b"\n\r\n\r"), 0);
        // S = b"select 1;" → -690524359
        let plain = ck(b"select 1;");
        assert_eq!(plain, -690524359);
        assert_eq!(ck(b"select 1;\n"), plain);
        assert_eq!(ck(b"select 1;\r\n"), plain);
        assert_eq!(ck(b"select\r 1;"), ck(b"select 1;"));
        assert_eq!(ck(b"\xef\xbb\xbfselect 1;\n"), plain);
        // A BOM that is not at the very start is text and counts.
        assert_ne!(ck(b"\n\xef\xbb\xbfselect 1;"), plain);
        // Trailing spaces count: S = b"select 1; " → -1228959710
        assert_eq!(ck(b"select 1; \n"), -1228959710);
        // zlib.crc32(b"abc") = 891568578
        assert_eq!(ck(b"a\r\nb\rc\n"), 891568578);
        // Japanese text, CRLF: S = "-- 患者テーブルcreate table 患者 (id int);".encode() → -1614697141
        let jp = "-- 患者テーブル\r\ncreate table 患者 (id int);\r\n";
        assert_eq!(ck(jp.as_bytes()), -1614697141);
    }

    #[test]
    fn malformed_utf8_is_replaced_as_java_decodes_it() {
        let mut c = Crc32::new();
        c.update("a\u{fffd}b".as_bytes());
        assert_eq!(ck(b"a\xffb"), c.value() as i32);
        let mut c = Crc32::new();
        c.update("a\u{fffd}".as_bytes());
        assert_eq!(ck(b"a\xe6\x82"), c.value() as i32);
    }

    #[test]
    fn any_split_gives_the_same_value() {
        let text = format!("\u{feff}{COUPLE}-- 日本語\r\n");
        let bytes = text.as_bytes();
        let whole = ck(bytes);
        for split in 0..=bytes.len() {
            let mut f = Feeder::new();
            f.push(&bytes[..split]);
            f.push(&bytes[split..]);
            assert_eq!(f.finish(), whole, "split at {split}");
        }
    }
}
