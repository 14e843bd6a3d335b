//! A bounded window over the input: reads in 64 KiB blocks, validates UTF-8 as it reads, and
//! hands out whole lines (psql reads its input line by line) or blocks of lines (COPY data).
//!
//! Consumed bytes are dropped before the next read, so memory holds the current line or COPY
//! chunk plus one read block, whatever the size of the file.

use std::io::{self, Read};

/// Bytes asked of the input at a time; also the target size of a COPY data chunk.
pub(crate) const BLOCK: usize = 64 * 1024;

/// Why the window could not provide what was asked.
#[derive(Debug)]
pub(crate) enum WindowError {
    Io(io::Error),
    /// Invalid UTF-8 starts at this index of `data()`.
    InvalidUtf8 {
        index: usize,
    },
    /// A NUL byte is at this index of `data()`.
    Nul {
        index: usize,
    },
    /// The line at the start of `data()` is longer than the window's line limit.
    LineTooLong,
}

/// A complete line at the start of `data()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line {
    /// Bytes before the `\n` (a `\r` before it is part of the line, as in psql).
    pub(crate) len: usize,
    /// Whether a `\n` follows (only the last line of a file can lack one).
    pub(crate) newline: bool,
}

impl Line {
    pub(crate) fn total_len(self) -> usize {
        self.len + usize::from(self.newline)
    }
}

#[derive(Debug)]
pub(crate) struct Window<R> {
    input: R,
    buf: Vec<u8>,
    /// First unconsumed byte.
    start: usize,
    /// `buf[..valid]` is valid UTF-8 (ends on a character boundary).
    valid: usize,
    /// Invalid UTF-8 (or a NUL byte, see `nul`) starts at `valid`.
    invalid: bool,
    /// What stops the data at `valid` is a NUL byte.
    nul: bool,
    /// The longest line `line()` collects before giving up.
    max_line: usize,
    eof: bool,
    bytes_read: u64,
    /// Index (relative to `start`) below which there is no `\n`, to avoid rescanning.
    no_newline_before: usize,
}

impl<R: Read> Window<R> {
    #[cfg(test)]
    pub(crate) fn new(input: R) -> Self {
        Self::with_max_line(input, usize::MAX)
    }

    /// A window whose `line()` fails with [`WindowError::LineTooLong`] rather than hold a line
    /// longer than `max_line` bytes.
    pub(crate) fn with_max_line(input: R, max_line: usize) -> Self {
        Window {
            input,
            buf: Vec::new(),
            start: 0,
            valid: 0,
            invalid: false,
            nul: false,
            max_line,
            eof: false,
            bytes_read: 0,
            no_newline_before: 0,
        }
    }

    pub(crate) fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// The unconsumed, validated bytes.
    pub(crate) fn data(&self) -> &[u8] {
        &self.buf[self.start..self.valid]
    }

    /// Whether `data()` reaches the end of the input (all read, all valid).
    pub(crate) fn holds_the_rest(&self) -> bool {
        self.eof && !self.invalid && self.valid == self.buf.len()
    }

    pub(crate) fn consume(&mut self, n: usize) {
        let n = n.min(self.valid - self.start);
        self.start += n;
        self.no_newline_before = self.no_newline_before.saturating_sub(n);
    }

    /// Reads one more block; `Ok(false)` at the end of the input.
    pub(crate) fn read_more(&mut self) -> Result<bool, WindowError> {
        if self.eof {
            return Ok(false);
        }
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.valid -= self.start;
            self.start = 0;
        }
        let old = self.buf.len();
        self.buf.resize(old + BLOCK, 0);
        let n = loop {
            match self.input.read(&mut self.buf[old..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.buf.truncate(old);
                    return Err(WindowError::Io(e));
                }
            }
        };
        self.buf.truncate(old + n);
        self.bytes_read += n as u64;
        if n == 0 {
            self.eof = true;
        }
        self.validate();
        Ok(n > 0)
    }

    fn validate(&mut self) {
        if self.invalid {
            return;
        }
        let from = self.valid;
        match std::str::from_utf8(&self.buf[self.valid..]) {
            Ok(_) => self.valid = self.buf.len(),
            Err(e) => {
                self.valid += e.valid_up_to();
                // An incomplete character at the end of a block is completed by the next one.
                if e.error_len().is_some() || self.eof {
                    self.invalid = true;
                }
            }
        }
        // NUL is valid UTF-8 but never part of a script: the data ends before it, so nothing
        // after it is scanned (or kept in memory) and the error comes with the first block.
        if let Some(k) = memchr::memchr(0, &self.buf[from..self.valid]) {
            self.valid = from + k;
            self.invalid = true;
            self.nul = true;
        }
    }

    fn invalid_error(&self) -> WindowError {
        let index = self.valid - self.start;
        if self.nul {
            WindowError::Nul { index }
        } else {
            WindowError::InvalidUtf8 { index }
        }
    }

    /// Makes sure `data()` starts with a whole line; `None` at the end of the input.
    pub(crate) fn line(&mut self) -> Result<Option<Line>, WindowError> {
        loop {
            let len = self.data().len();
            let from = self.no_newline_before.min(len);
            if let Some(k) = memchr::memchr(b'\n', &self.data()[from..]) {
                return Ok(Some(Line {
                    len: from + k,
                    newline: true,
                }));
            }
            self.no_newline_before = len;
            if self.invalid {
                return Err(self.invalid_error());
            }
            if len > self.max_line {
                return Err(WindowError::LineTooLong);
            }
            if self.eof {
                return Ok((len > 0).then_some(Line {
                    len,
                    newline: false,
                }));
            }
            self.read_more()?;
        }
    }

    /// Makes sure `data()` holds at least `n` bytes, unless the input ends (or turns invalid)
    /// before.
    pub(crate) fn fill(&mut self, n: usize) -> Result<(), WindowError> {
        while self.data().len() < n && !self.eof && !self.invalid {
            self.read_more()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that returns one byte at a time, to exercise block boundaries.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() || out.is_empty() {
                return Ok(0);
            }
            out[0] = self.0[0];
            self.0 = &self.0[1..];
            Ok(1)
        }
    }

    #[test]
    fn lines_come_whole_even_when_reads_split_characters() {
        let text = "日本\r\nx";
        let mut w = Window::new(Trickle(text.as_bytes()));
        let line = w.line().ok().flatten().unwrap();
        assert_eq!((line.len, line.newline), (7, true));
        assert_eq!(&w.data()[..line.len], "日本\r".as_bytes());
        w.consume(line.total_len());
        let line = w.line().ok().flatten().unwrap();
        assert_eq!((line.len, line.newline), (1, false));
        w.consume(1);
        assert!(w.line().ok().unwrap().is_none());
    }

    #[test]
    fn invalid_utf8_is_reported_at_its_index() {
        let mut w = Window::new(&b"ok\nab\xffcd\n"[..]);
        let line = w.line().ok().flatten().unwrap();
        w.consume(line.total_len());
        match w.line() {
            Err(WindowError::InvalidUtf8 { index }) => assert_eq!(index, 2),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_nul_byte_ends_the_data_and_is_reported_at_its_index() {
        let mut w = Window::new(&b"ok\nab\0cd\n"[..]);
        let line = w.line().ok().flatten().unwrap();
        w.consume(line.total_len());
        match w.line() {
            Err(WindowError::Nul { index }) => assert_eq!(index, 2),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_line_over_the_limit_is_refused_without_reading_on() {
        let mut input = std::io::repeat(b'x').take(10 * BLOCK as u64);
        let mut w = Window::with_max_line(&mut input, 100);
        assert!(matches!(w.line(), Err(WindowError::LineTooLong)));
        assert!(w.bytes_read() <= BLOCK as u64, "{}", w.bytes_read());
    }

    #[test]
    fn a_truncated_character_at_the_end_is_invalid() {
        let mut w = Window::new(&b"ab\xe6\x97"[..]);
        assert!(matches!(
            w.line(),
            Err(WindowError::InvalidUtf8 { index: 2 })
        ));
    }
}
