//! Splitting streamed output into text lines.
//!
//! Docker delivers output in frames that cut lines anywhere (and a multi-byte character
//! anywhere); evidence and progress want whole lines. Memory stays bounded: a line longer than
//! the limit is emitted in pieces.

/// Longest line kept whole; longer ones are emitted in pieces of this size.
pub const MAX_LINE: usize = 64 * 1024;

/// Accumulates bytes and hands out complete lines, without their `\n` or `\r\n`.
#[derive(Debug, Default)]
pub struct LineSplitter {
    pending: Vec<u8>,
}

impl LineSplitter {
    pub fn new() -> Self {
        LineSplitter::default()
    }

    /// Adds `chunk`, calling `emit` for every line it completes.
    pub fn push(&mut self, chunk: &[u8], emit: &mut dyn FnMut(String)) {
        let mut rest = chunk;
        while let Some(newline) = rest.iter().position(|&b| b == b'\n') {
            self.pending.extend_from_slice(&rest[..newline]);
            let mut line = std::mem::take(&mut self.pending);
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            emit(String::from_utf8_lossy(&line).into_owned());
            rest = &rest[newline + 1..];
        }
        self.pending.extend_from_slice(rest);
        // A line of exactly MAX_LINE bytes waits for its newline: cutting it here would emit
        // it and then an empty line.
        while self.pending.len() > MAX_LINE {
            let cut = utf8_boundary(&self.pending[..MAX_LINE]);
            let piece: Vec<u8> = self.pending.drain(..cut).collect();
            emit(String::from_utf8_lossy(&piece).into_owned());
        }
    }

    /// Emits what is left when the output ended without a final newline.
    pub fn finish(&mut self, emit: &mut dyn FnMut(String)) {
        if !self.pending.is_empty() {
            let mut line = std::mem::take(&mut self.pending);
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            emit(String::from_utf8_lossy(&line).into_owned());
        }
    }
}

/// The longest prefix of `bytes` that does not end inside a UTF-8 character (or all of it
/// when the text is not UTF-8 there anyway).
fn utf8_boundary(bytes: &[u8]) -> usize {
    match std::str::from_utf8(bytes) {
        Ok(_) => bytes.len(),
        Err(e) if e.error_len().is_none() && e.valid_up_to() > 0 => e.valid_up_to(),
        Err(_) => bytes.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(chunks: &[&[u8]]) -> Vec<String> {
        let mut out = Vec::new();
        let mut s = LineSplitter::new();
        for c in chunks {
            s.push(c, &mut |l| out.push(l));
        }
        s.finish(&mut |l| out.push(l));
        out
    }

    #[test]
    fn lines_across_chunks_with_crlf_and_no_final_newline() {
        assert_eq!(
            split(&[b"CREATE TA", b"BLE\r\nINSERT 0 1\n\nlast"]),
            ["CREATE TABLE", "INSERT 0 1", "", "last"]
        );
    }

    #[test]
    fn a_character_cut_between_chunks_survives() {
        let text = "患者\n".as_bytes();
        assert_eq!(split(&[&text[..2], &text[2..]]), ["患者"]);
    }

    #[test]
    fn a_line_of_exactly_the_limit_is_one_line() {
        let line = vec![b'x'; MAX_LINE];
        let lines = split(&[&line, b"\nnext\n"]);
        assert_eq!(
            lines.len(),
            2,
            "{:?}",
            lines.iter().map(String::len).collect::<Vec<_>>()
        );
        assert_eq!(lines[0].len(), MAX_LINE);
        assert_eq!(lines[1], "next");
    }

    #[test]
    fn long_lines_come_in_bounded_pieces() {
        let long = vec![b'x'; MAX_LINE * 2 + 10];
        let lines = split(&[&long, b"\n"]);
        assert_eq!(lines.len(), 3);
        assert!(lines.iter().all(|l| l.len() <= MAX_LINE));
        assert_eq!(
            lines.iter().map(String::len).sum::<usize>(),
            MAX_LINE * 2 + 10
        );
    }
}
