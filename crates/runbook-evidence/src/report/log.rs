//! A step's `output.log` as a report shows it: whole when short, otherwise its first and last
//! lines with what was cut said, so memory stays bounded whatever the log's size.
//!
//! Caps: a log of at most [`WHOLE_BYTES`] and [`WHOLE_LINES`] lines is shown whole; a longer one
//! as its first [`HEAD_LINES`] lines (within [`HEAD_BYTES`]) and its last [`TAIL_LINES`] lines
//! (within [`TAIL_BYTES`]): a failure is explained at the end of a log more often than at its
//! start. A report shows at most [`REPORT_LOG_BUDGET`] bytes of logs in all; later logs are
//! linked, not quoted.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

pub(crate) const WHOLE_BYTES: u64 = 32 * 1024;
pub(crate) const WHOLE_LINES: usize = 200;
pub(crate) const HEAD_BYTES: u64 = 8 * 1024;
pub(crate) const HEAD_LINES: usize = 40;
pub(crate) const TAIL_BYTES: u64 = 24 * 1024;
pub(crate) const TAIL_LINES: usize = 120;
pub(crate) const REPORT_LOG_BUDGET: u64 = 4 * 1024 * 1024;

/// What a report quotes of one log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LogExcerpt {
    /// Relative to the evidence directory.
    pub path: String,
    pub total_bytes: u64,
    /// The first lines (the whole log when `tail` is `None`).
    pub head: String,
    /// The last lines, when the middle was cut.
    pub tail: Option<String>,
    /// What is not shown, for the line between head and tail.
    pub cut: Option<String>,
    /// Why nothing is quoted (unreadable, not a regular file, budget spent).
    pub note: Option<String>,
}

/// Reads the excerpt of `dir/rel`, charging what it quotes to `budget`. `None` when the file
/// does not exist.
pub(crate) fn excerpt(dir: &Path, rel: &str, budget: &mut u64) -> Option<LogExcerpt> {
    let path = dir.join(rel);
    let meta = match std::fs::symlink_metadata(&path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return None,
        Err(e) => return Some(noted(rel, 0, format!("cannot read it: {e}"))),
    };
    if !meta.is_file() {
        // A FIFO would hang the report in open(2), a symlink could point anywhere.
        return Some(noted(rel, 0, "not a regular file: not read".to_owned()));
    }
    let total = meta.len();
    if *budget == 0 {
        return Some(noted(
            rel,
            total,
            "not quoted: this report already quotes as much log text as it holds".to_owned(),
        ));
    }
    match read(&path, total) {
        Ok(mut excerpt) => {
            excerpt.path = rel.to_owned();
            let shown = (excerpt.head.len() + excerpt.tail.as_ref().map_or(0, String::len)) as u64;
            *budget = budget.saturating_sub(shown);
            Some(excerpt)
        }
        Err(e) => Some(noted(rel, total, format!("cannot read it: {e}"))),
    }
}

fn noted(rel: &str, total: u64, note: String) -> LogExcerpt {
    LogExcerpt {
        path: rel.to_owned(),
        total_bytes: total,
        head: String::new(),
        tail: None,
        cut: None,
        note: Some(note),
    }
}

fn read(path: &Path, total: u64) -> io::Result<LogExcerpt> {
    let mut file = File::open(path)?;
    let mut excerpt = LogExcerpt {
        path: String::new(),
        total_bytes: total,
        head: String::new(),
        tail: None,
        cut: None,
        note: None,
    };
    if total <= WHOLE_BYTES {
        let mut bytes = Vec::new();
        file.by_ref().take(WHOLE_BYTES).read_to_end(&mut bytes)?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if text.matches('\n').count() <= WHOLE_LINES {
            excerpt.head = text;
            return Ok(excerpt);
        }
        file.seek(SeekFrom::Start(0))?;
    }
    let mut head = Vec::new();
    file.by_ref().take(HEAD_BYTES).read_to_end(&mut head)?;
    let mut head_text = String::from_utf8_lossy(&head).into_owned();
    if head.len() as u64 == HEAD_BYTES
        && let Some(end) = head_text.rfind('\n')
    {
        head_text.truncate(end + 1);
    }
    let head_text = first_lines(&head_text, HEAD_LINES);
    let head_end = head_text.len() as u64;

    let tail_start = total.saturating_sub(TAIL_BYTES).max(head_end);
    file.seek(SeekFrom::Start(tail_start))?;
    let mut tail = Vec::new();
    file.take(TAIL_BYTES).read_to_end(&mut tail)?;
    let mut tail_text = String::from_utf8_lossy(&tail).into_owned();
    if tail_start > head_end
        && let Some(start) = tail_text.find('\n')
    {
        // Started mid-line: begin at the next whole line.
        tail_text.replace_range(..=start, "");
    }
    let tail_text = last_lines(&tail_text, TAIL_LINES);
    let shown = head_end + tail_text.len() as u64;
    excerpt.cut = Some(format!(
        "{} of {} not shown here",
        bytes(total.saturating_sub(shown)),
        bytes(total)
    ));
    excerpt.head = head_text;
    excerpt.tail = Some(tail_text);
    Ok(excerpt)
}

fn first_lines(text: &str, n: usize) -> String {
    match text.match_indices('\n').nth(n.saturating_sub(1)) {
        Some((i, _)) => text[..=i].to_owned(),
        None => text.to_owned(),
    }
}

fn last_lines(text: &str, n: usize) -> String {
    let body = text.strip_suffix('\n').unwrap_or(text);
    match body.rmatch_indices('\n').nth(n.saturating_sub(1)) {
        Some((i, _)) => text[i + 1..].to_owned(),
        None => text.to_owned(),
    }
}

/// `512 bytes`, `12.3 KiB`, `4.0 MiB`.
pub(crate) fn bytes(n: u64) -> String {
    match n {
        0..1024 => format!("{n} bytes"),
        1024..1_048_576 => format!("{:.1} KiB", n as f64 / 1024.0),
        _ => format!("{:.1} MiB", n as f64 / 1_048_576.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_log_is_whole_a_long_one_keeps_its_ends() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("short.log"), "a\nb\n").unwrap();
        let mut budget = REPORT_LOG_BUDGET;
        let short = excerpt(dir.path(), "short.log", &mut budget).unwrap();
        assert_eq!((short.head.as_str(), short.tail.as_ref()), ("a\nb\n", None));

        let long: String = (0..10_000).map(|i| format!("line {i}\n")).collect();
        std::fs::write(dir.path().join("long.log"), &long).unwrap();
        let cut = excerpt(dir.path(), "long.log", &mut budget).unwrap();
        assert!(cut.head.starts_with("line 0\n"));
        assert_eq!(cut.head.matches('\n').count(), HEAD_LINES);
        let tail = cut.tail.unwrap();
        assert_eq!(tail.matches('\n').count(), TAIL_LINES);
        assert!(tail.ends_with("line 9999\n"));
        assert!(cut.cut.unwrap().ends_with("not shown here"));
        assert!(excerpt(dir.path(), "absent.log", &mut budget).is_none());
        let mut spent = 0;
        let none = excerpt(dir.path(), "long.log", &mut spent).unwrap();
        assert!(none.note.unwrap().starts_with("not quoted"));
    }
}
