//! Where a running step writes: its evidence files and the listeners, behind one cheap handle.
//!
//! A step often needs to log while it holds a database session borrowed from its context (a
//! script load reports every statement as it completes). A cloneable handle with its own lock
//! avoids tying the two borrows together. Writes are short and never held across an `.await`.

use std::sync::{Arc, Mutex, MutexGuard};

use runbook_evidence::{EvidenceError, Redactor, StepWriter};

use crate::events::{Event, Listener};

pub(crate) type Listeners = Vec<Box<dyn Listener>>;

/// The output of the step that is running now.
#[derive(Clone)]
pub struct StepOutput {
    inner: Arc<Mutex<Inner>>,
}

impl std::fmt::Debug for StepOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StepOutput").finish_non_exhaustive()
    }
}

struct Inner {
    index: usize,
    writer: Option<StepWriter>,
    redactor: Redactor,
    listeners: Listeners,
    /// The first evidence write that failed; the runner stops the run after the step.
    error: Option<EvidenceError>,
}

impl StepOutput {
    pub(crate) fn new(
        index: usize,
        writer: StepWriter,
        redactor: Redactor,
        listeners: Listeners,
    ) -> StepOutput {
        StepOutput {
            inner: Arc::new(Mutex::new(Inner {
                index,
                writer: Some(writer),
                redactor,
                listeners,
                error: None,
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A listener that panicked poisoned the lock; the evidence is still worth writing.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Appends text to `output.log`, one evidence line per line of text, and shows it to the
    /// listeners. Secrets are redacted by the evidence writer before anything is stored or shown.
    pub fn log(&self, text: impl AsRef<str>) {
        let mut inner = self.lock();
        let inner = &mut *inner;
        for (i, line) in text.as_ref().split('\n').enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            let Some(writer) = inner.writer.as_mut() else {
                return;
            };
            let redacted = inner.redactor.redact(line);
            let shown = shown_line(&redacted).into_owned();
            drop(redacted);
            if let Err(error) = writer.log_line(line) {
                inner.error.get_or_insert(error);
            }
            let event = Event::Log {
                index: inner.index,
                line: &shown,
                continued: i > 0,
            };
            for listener in &mut inner.listeners {
                listener.on_event(&event);
            }
        }
    }

    /// Stores an extra file in the step's evidence folder (redacted).
    pub fn attach(&self, name: &str, contents: &str) {
        let mut inner = self.lock();
        let inner = &mut *inner;
        if let Some(writer) = inner.writer.as_mut()
            && let Err(error) = writer.attach(name, contents)
        {
            inner.error.get_or_insert(error);
        }
    }

    /// Stores a JSON document in the step's evidence folder (string values redacted).
    pub fn attach_json(&self, name: &str, value: &serde_json::Value) {
        let mut inner = self.lock();
        let inner = &mut *inner;
        if let Some(writer) = inner.writer.as_mut()
            && let Err(error) = writer.attach_json(name, value)
        {
            inner.error.get_or_insert(error);
        }
    }

    /// Stores a file streamed from `reader` in the step's evidence folder, line by line and
    /// redacted, so a container log of any size costs a line of memory. The handle is locked
    /// while `reader` is drained: call it from a blocking thread and do not log meanwhile.
    /// Returns the bytes written (0 when the evidence could not be written; the runner then
    /// stops the run after the step).
    pub fn attach_reader(&self, name: &str, source: &str, reader: impl std::io::Read) -> u64 {
        let mut inner = self.lock();
        let inner = &mut *inner;
        let Some(writer) = inner.writer.as_mut() else {
            return 0;
        };
        match writer.attach_reader(name, source, reader) {
            Ok(bytes) => bytes,
            Err(error) => {
                inner.error.get_or_insert(error);
                0
            }
        }
    }

    pub fn progress(&self, done: u64, total: Option<u64>) {
        let mut inner = self.lock();
        let inner = &mut *inner;
        let event = Event::Progress {
            index: inner.index,
            done,
            total,
        };
        for listener in &mut inner.listeners {
            listener.on_event(&event);
        }
    }

    /// `text` with the run's secrets masked, for what a step keeps outside the log (the
    /// stderr tail of a failed command, which the terminal and `result.json` show).
    pub(crate) fn redact(&self, text: &str) -> String {
        self.lock().redactor.redact(text).into_owned()
    }

    /// [`redact`](Self::redact) for a piece cut out of a longer text (a statement's first
    /// characters, a value cut at its cap): a secret cut in two is masked too (see
    /// `Redactor::redact_piece`).
    pub(crate) fn redact_piece(&self, text: &str, cut_before: bool, cut_after: bool) -> String {
        self.lock()
            .redactor
            .redact_piece(text, cut_before, cut_after)
    }

    /// Takes the writer and listeners back when the step ends.
    pub(crate) fn finish(self) -> (Option<StepWriter>, Listeners, Option<EvidenceError>) {
        let mut inner = self.lock();
        (
            inner.writer.take(),
            std::mem::take(&mut inner.listeners),
            inner.error.take(),
        )
    }
}

/// How much of a command's output (`shell`, `container_exec`) a step keeps in its evidence
/// unless it says `max_output_bytes`: enough for any log a person reads, small enough that a
/// command printing gigabytes cannot fill the evidence disk.
pub(crate) const DEFAULT_MAX_OUTPUT: u64 = 64 * 1024 * 1024;

/// Longest line of command output kept. Lines are assembled here, so this is what bounds
/// memory: the rest of a longer line is counted as it streams past, never buffered.
pub(crate) const MAX_OUTPUT_LINE: usize = 1024 * 1024;

/// Longest log line shown to listeners (the terminal); the evidence keeps the whole line.
const MAX_SHOWN_LINE: usize = 4096;

/// Lines of a command's stderr kept for the failure's record: the error that made it fail is
/// nearly always among its last lines, and twenty fit on a screen above the verdict.
pub(crate) const STDERR_TAIL_LINES: usize = 20;

/// Characters of one stderr tail line kept; the whole line (up to [`MAX_OUTPUT_LINE`]) is in
/// `output.log`. With [`STDERR_TAIL_LINES`], this bounds the tail at about 20 × 2 KiB (a
/// character is at most 4 bytes: 80 KiB at worst).
const STDERR_TAIL_LINE_CHARS: usize = 500;

/// The output of one command, shared by its streams: the byte budget of the step's evidence
/// (`max_output_bytes`) and what did not fit, noted in the log when the cap is reached and
/// counted to the end.
#[derive(Clone)]
pub(crate) struct CommandOutput {
    output: StepOutput,
    limit: u64,
    counts: Arc<Mutex<OutputCounts>>,
    /// Text replaced in every kept line (a temporary path shown as the file it copies).
    rewrite: Option<Arc<(String, String)>>,
    /// The last [`STDERR_TAIL_LINES`] lines of stderr, redacted and cut, whether or not the
    /// budget let them into the log: the lines that say why a command failed come last, and
    /// the budget bounds the evidence file, not these few lines.
    stderr_tail: Arc<Mutex<std::collections::VecDeque<String>>>,
    /// The last line of stdout (at most [`crate::run_values::MAX_OUTPUT_BYTES`] of it), kept
    /// whether or not the budget let it into the log: a shell step's `stdout_last_line` output.
    stdout_last: Arc<Mutex<String>>,
}

/// Bytes of command output kept in and left out of the evidence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct OutputCounts {
    /// Bytes of the command's lines kept (with their newlines).
    pub kept: u64,
    /// What they take in `output.log` (with the `[stdout] ` marks): what the budget bounds.
    stored: u64,
    /// Bytes counted but not kept: lines after the cap and the cut-off ends of long lines.
    pub not_kept: u64,
    /// Lines longer than [`MAX_OUTPUT_LINE`], kept cut.
    pub cut_lines: u64,
    capped: bool,
}

impl CommandOutput {
    pub(crate) fn new(
        output: StepOutput,
        max_output_bytes: Option<runbook_spec::ByteSize>,
    ) -> Self {
        CommandOutput {
            output,
            limit: max_output_bytes.map_or(DEFAULT_MAX_OUTPUT, |b| b.bytes()),
            counts: Arc::new(Mutex::new(OutputCounts::default())),
            rewrite: None,
            stderr_tail: Arc::default(),
            stdout_last: Arc::default(),
        }
    }

    /// The last line the command wrote on stdout (empty when it wrote none), without a `\r`.
    pub(crate) fn stdout_last_line(&self) -> String {
        self.stdout_last
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Shows `from` as `to` in every kept line.
    pub(crate) fn rewriting(mut self, from: &str, to: &str) -> Self {
        self.rewrite = Some(Arc::new((from.to_owned(), to.to_owned())));
        self
    }

    /// A line assembler for one stream, `[label]` in the log.
    pub(crate) fn stream(&self, label: &'static str) -> LineCapture {
        LineCapture {
            sink: self.clone(),
            label,
            pending: Vec::new(),
            overflow: None,
            lines: 0,
        }
    }

    fn counts(&self) -> MutexGuard<'_, OutputCounts> {
        self.counts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps one assembled line (at most [`MAX_OUTPUT_LINE`] bytes; `cut` more bytes of it
    /// went past) if the budget allows.
    fn line(&self, label: &str, line: &[u8], cut: Option<u64>) {
        if label == "stderr" {
            self.keep_in_tail(line, cut.is_some());
        } else if label == "stdout" {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let end = utf8_boundary(&line[..line.len().min(crate::run_values::MAX_OUTPUT_BYTES)]);
            let mut last = self.stdout_last.lock().unwrap_or_else(|p| p.into_inner());
            last.clear();
            last.push_str(&String::from_utf8_lossy(&line[..end]));
        }
        let size = line.len() as u64 + 1;
        // `[stdout] ` and the line: the budget bounds the evidence file, not only the output.
        let stored = label.len() as u64 + 3 + size;
        let mut counts = self.counts();
        if counts.capped || counts.stored + stored > self.limit {
            counts.not_kept += size + cut.unwrap_or(0);
            let first = !std::mem::replace(&mut counts.capped, true);
            drop(counts);
            if first {
                self.output.log(format!(
                    "... output reached max_output_bytes ({}): the rest is counted, not kept",
                    shown_bytes(self.limit)
                ));
            }
            return;
        }
        counts.kept += size;
        counts.stored += stored;
        if let Some(cut) = cut {
            counts.not_kept += cut;
            counts.cut_lines += 1;
        }
        drop(counts);
        let mut text = String::from_utf8_lossy(line);
        if let Some(rewrite) = &self.rewrite
            && text.contains(rewrite.0.as_str())
        {
            text = text.replace(rewrite.0.as_str(), &rewrite.1).into();
        }
        // One evidence line per line of output (a '\r' inside it stays in this line).
        self.output.log(format!("[{label}] {text}"));
        if let Some(cut) = cut {
            self.output.log(format!(
                "[{label}] ... line cut at {}: {cut} more bytes of it not kept",
                shown_bytes(MAX_OUTPUT_LINE as u64)
            ));
        }
    }

    /// Adds a stderr line to the tail: cut at [`STDERR_TAIL_LINE_CHARS`] before it is redacted
    /// and rewritten, so a megabyte line costs the tail a few hundred characters. A secret
    /// that straddles the cut is not recognised: its part before the cut is shown.
    fn keep_in_tail(&self, line: &[u8], cut: bool) {
        let mut end = line.len().min(STDERR_TAIL_LINE_CHARS * 4);
        end = utf8_boundary(&line[..end]);
        let mut text = String::from_utf8_lossy(&line[..end]);
        let chars = text.chars().count();
        let mut more = cut || end < line.len();
        if chars > STDERR_TAIL_LINE_CHARS {
            end = text
                .char_indices()
                .nth(STDERR_TAIL_LINE_CHARS)
                .map_or(text.len(), |(i, _)| i);
            text = std::borrow::Cow::Owned(text[..end].to_owned());
            more = true;
        }
        if let Some(rewrite) = &self.rewrite
            && text.contains(rewrite.0.as_str())
        {
            text = text.replace(rewrite.0.as_str(), &rewrite.1).into();
        }
        let mut kept = self.output.redact(&text);
        if more {
            kept.push_str(" ... (cut; the whole line is in output.log)");
        }
        let mut tail = self.stderr_tail.lock().unwrap_or_else(|p| p.into_inner());
        if tail.len() == STDERR_TAIL_LINES {
            tail.pop_front();
        }
        tail.push_back(kept);
    }

    /// The stderr tail as a failed command's `ErrorRecord::detail`: what the terminal prints
    /// under the failure and the reports show, without opening `output.log`. `None` when the
    /// command wrote nothing on stderr.
    pub(crate) fn stderr_detail(&self, total_lines: u64) -> Option<String> {
        let tail = self.stderr_tail();
        if tail.is_empty() {
            return None;
        }
        let heading = if tail.len() as u64 >= total_lines {
            format!(
                "stderr ({} line{}):",
                tail.len(),
                if tail.len() == 1 { "" } else { "s" }
            )
        } else {
            format!("stderr (last {} of {total_lines} lines):", tail.len())
        };
        Some(
            std::iter::once(heading)
                .chain(tail)
                .collect::<Vec<_>>()
                .join("\n"),
        )
    }

    /// The last lines of stderr (at most [`STDERR_TAIL_LINES`]), redacted, oldest first.
    pub(crate) fn stderr_tail(&self) -> Vec<String> {
        self.stderr_tail
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    /// Notes what was left out, once both streams ended, and returns the counts.
    pub(crate) fn finish(&self) -> OutputCounts {
        let counts = *self.counts();
        if counts.not_kept > 0 {
            self.output.log(format!(
                "... {} more bytes not kept (max_output_bytes: {}, lines longer than {} cut)",
                counts.not_kept,
                shown_bytes(self.limit),
                shown_bytes(MAX_OUTPUT_LINE as u64)
            ));
        }
        counts
    }
}

/// `64 MiB`, `1000 bytes`.
fn shown_bytes(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

/// Turns one stream's chunks (as a pipe or the Docker Engine delivers them, cut anywhere) into
/// lines for [`CommandOutput`], holding at most [`MAX_OUTPUT_LINE`] bytes.
pub(crate) struct LineCapture {
    sink: CommandOutput,
    label: &'static str,
    pending: Vec<u8>,
    /// Bytes of the current line beyond the line cap, streamed past.
    overflow: Option<u64>,
    lines: u64,
}

impl LineCapture {
    pub(crate) fn push(&mut self, chunk: &[u8]) {
        let mut rest = chunk;
        while let Some(newline) = rest.iter().position(|&b| b == b'\n') {
            self.take(&rest[..newline]);
            self.end_line();
            rest = &rest[newline + 1..];
        }
        self.take(rest);
    }

    fn take(&mut self, bytes: &[u8]) {
        if let Some(overflow) = self.overflow.as_mut() {
            *overflow += bytes.len() as u64;
            return;
        }
        let room = MAX_OUTPUT_LINE - self.pending.len();
        if bytes.len() <= room {
            self.pending.extend_from_slice(bytes);
        } else {
            self.pending.extend_from_slice(&bytes[..room]);
            self.overflow = Some((bytes.len() - room) as u64);
        }
    }

    fn end_line(&mut self) {
        let mut line = std::mem::take(&mut self.pending);
        let cut = self.overflow.take();
        match cut {
            None => {
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
            }
            // Cut where a character ends, counting the bytes of a split one as not kept.
            Some(_) => {
                let keep = utf8_boundary(&line);
                let split = (line.len() - keep) as u64;
                line.truncate(keep);
                self.lines += 1;
                self.sink.line(self.label, &line, cut.map(|c| c + split));
                return;
            }
        }
        self.lines += 1;
        self.sink.line(self.label, &line, None);
    }

    /// Ends the stream (a last line without newline) and returns how many lines it had.
    pub(crate) fn finish(&mut self) -> u64 {
        if !self.pending.is_empty() || self.overflow.is_some() {
            self.end_line();
        }
        self.lines
    }
}

/// The longest prefix of `bytes` that does not end inside a UTF-8 character (all of it when
/// the text is not UTF-8 there anyway).
fn utf8_boundary(bytes: &[u8]) -> usize {
    match std::str::from_utf8(bytes) {
        Ok(_) => bytes.len(),
        Err(e) if e.error_len().is_none() => e.valid_up_to(),
        Err(_) => bytes.len(),
    }
}

/// A log line as listeners get it: cut at [`MAX_SHOWN_LINE`] bytes (on a character boundary)
/// with a note, so a megabyte of one line does not flood the terminal.
fn shown_line(line: &str) -> std::borrow::Cow<'_, str> {
    if line.len() <= MAX_SHOWN_LINE {
        return std::borrow::Cow::Borrowed(line);
    }
    let mut end = MAX_SHOWN_LINE;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    std::borrow::Cow::Owned(format!(
        "{} ... ({} more bytes in output.log)",
        &line[..end],
        line.len() - end
    ))
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use runbook_evidence::{EvidenceDir, Mode, NewRun, PlannedStep, Redactor, RunbookSource};

    use super::*;

    struct Lines(Arc<Mutex<Vec<String>>>);

    impl Listener for Lines {
        fn on_event(&mut self, event: &Event<'_>) {
            if let Event::Log { line, .. } = event {
                self.0.lock().unwrap().push((*line).to_owned());
            }
        }
    }

    /// A step output whose log lines (as listeners see them) land in the returned list.
    fn output(dir: &std::path::Path) -> (StepOutput, Arc<Mutex<Vec<String>>>, EvidenceDir) {
        let run = NewRun::new(
            RunbookSource {
                name: "t".to_owned(),
                path: "t.yaml".to_owned(),
                description: None,
                source: b"name: t\n".to_vec(),
            },
            Mode::Run,
            vec![PlannedStep::new("s", "shell")],
        );
        let mut evidence =
            EvidenceDir::create(dir, run, Redactor::new(Vec::<String>::new())).expect("evidence");
        let writer = evidence.begin_step(1).expect("step");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let out = StepOutput::new(
            0,
            writer,
            Redactor::new(Vec::<String>::new()),
            vec![Box::new(Lines(Arc::clone(&lines)))],
        );
        (out, lines, evidence)
    }

    #[test]
    fn a_long_line_is_cut_at_the_line_cap_and_the_rest_counted() {
        let dir = tempfile::tempdir().unwrap();
        let (out, lines, _evidence) = output(dir.path());
        let captured = CommandOutput::new(out, None);
        let mut stream = captured.stream("stdout");
        let chunk = vec![b'x'; 64 * 1024];
        // 3 MiB in one line, then a short one.
        for _ in 0..48 {
            stream.push(&chunk);
        }
        stream.push(b"\nafter\r\n");
        assert_eq!(stream.finish(), 2);
        let counts = captured.finish();
        assert_eq!(counts.cut_lines, 1);
        assert_eq!(counts.not_kept, 2 * 1024 * 1024);
        let lines = lines.lock().unwrap();
        assert!(lines[0].starts_with("[stdout] xxx"), "{}", &lines[0][..20]);
        assert_eq!(
            lines[1],
            "[stdout] ... line cut at 1 MiB: 2097152 more bytes of it not kept"
        );
        assert_eq!(lines[2], "[stdout] after");
        assert!(
            lines[3].starts_with("... 2097152 more bytes not kept"),
            "{}",
            lines[3]
        );
    }

    #[test]
    fn output_past_the_budget_is_counted_and_noted_once() {
        let dir = tempfile::tempdir().unwrap();
        let (out, lines, _evidence) = output(dir.path());
        let captured = CommandOutput::new(out, Some(runbook_spec::ByteSize::from_bytes(30)));
        let mut stdout = captured.stream("stdout");
        let mut stderr = captured.stream("stderr");
        stdout.push(b"12345\n");
        stderr.push(b"abc\nde");
        stdout.push(b"67890\nmore\n");
        assert_eq!(stdout.finish(), 3);
        assert_eq!(stderr.finish(), 2);
        let counts = captured.finish();
        assert_eq!((counts.kept, counts.not_kept), (10, 14));
        let lines = lines.lock().unwrap();
        assert_eq!(
            *lines,
            [
                "[stdout] 12345",
                "[stderr] abc",
                "... output reached max_output_bytes (30 bytes): the rest is counted, not kept",
                "... 14 more bytes not kept (max_output_bytes: 30 bytes, lines longer than 1 MiB cut)",
            ]
        );
    }

    #[test]
    fn a_character_split_by_the_cut_is_not_kept_in_half() {
        let dir = tempfile::tempdir().unwrap();
        let (out, lines, _evidence) = output(dir.path());
        let captured = CommandOutput::new(out, None);
        let mut stream = captured.stream("stdout");
        let mut line = vec![b'x'; MAX_OUTPUT_LINE - 1];
        line.extend_from_slice("患者\n".as_bytes());
        stream.push(&line);
        stream.finish();
        let counts = captured.finish();
        assert_eq!(counts.not_kept, 6);
        let lines = lines.lock().unwrap();
        assert!(!lines[0].contains('\u{FFFD}'));
    }

    #[test]
    fn the_stderr_tail_keeps_the_last_lines_cut_even_past_the_budget() {
        let dir = tempfile::tempdir().unwrap();
        let (out, _lines, _evidence) = output(dir.path());
        let captured = CommandOutput::new(out, Some(runbook_spec::ByteSize::from_bytes(100)));
        let mut stdout = captured.stream("stdout");
        let mut stderr = captured.stream("stderr");
        for i in 1..=30 {
            stderr.push(format!("err {i}\n").as_bytes());
            stdout.push(format!("out {i}\n").as_bytes());
        }
        let long = "患".repeat(3000);
        stderr.push(long.as_bytes());
        stderr.finish();
        stdout.finish();
        captured.finish();
        let tail = captured.stderr_tail();
        assert_eq!(tail.len(), STDERR_TAIL_LINES);
        assert_eq!(tail[0], "err 12");
        assert_eq!(tail[18], "err 30");
        assert!(
            tail[19].starts_with(&"患".repeat(STDERR_TAIL_LINE_CHARS))
                && tail[19].ends_with("... (cut; the whole line is in output.log)"),
            "{}",
            tail[19]
        );
        assert_eq!(
            tail[19].chars().filter(|&c| c == '患').count(),
            STDERR_TAIL_LINE_CHARS
        );
    }

    #[test]
    fn listeners_get_long_lines_cut_the_evidence_whole() {
        let long = "é".repeat(3000);
        let shown = shown_line(&long);
        assert!(shown.len() < MAX_SHOWN_LINE + 64);
        assert!(shown.ends_with("more bytes in output.log)"), "{shown}");
    }
}
