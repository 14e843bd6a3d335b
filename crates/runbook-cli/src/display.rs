//! What the operator watches while a runbook runs.
//!
//! On a terminal: one line per finished step and a live bar for the running one (bytes for a
//! SQL file, a spinner otherwise). Not on a terminal (CI, `| tee`): the same lines, plain, one
//! when a step starts and one when it ends, so a log shows where a run hung. `--quiet` keeps
//! only failures; `--verbose` adds each step's `description` and every line the steps write to
//! their `output.log`.
//!
//! A failed step says why under its line, so nobody has to open the evidence to learn it: a
//! gate each failed check (`name: expected X, found Y`, and what is missing), a `shell` or
//! `container_exec` step the last lines of its stderr (see [`failure_details`]). The same
//! lines are kept for the verdict's recap ([`Recap`]).

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use console::Style;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use runbook_engine::{Event, Listener};
use runbook_evidence::{Mode, Phase, StepOutcome, StepStatus};

use crate::sanitize;

/// Gate checks shown under a failed gate; the rest are counted (the evidence has them all).
const MAX_CHECK_LINES: usize = 20;

/// Steps whose failure details the recap keeps: with `continue_on_error` (or in check mode) a
/// run may fail at every step, and the recap repeats the details of one of them only.
const MAX_RECAP_STEPS: usize = 50;

/// The failure details printed under each failed step, by step id, for the verdict's recap:
/// the deciding failure's reason then sits right above the evidence path. At most
/// [`MAX_RECAP_STEPS`] steps, each at most [`MAX_CHECK_LINES`] + 2 or 21 stderr lines.
#[derive(Clone, Default)]
pub struct Recap(Arc<Mutex<Vec<StepDetails>>>);

/// A failed step's id and the lines printed under it.
type StepDetails = (String, Vec<String>);

impl Recap {
    /// The lines printed under the failed step `id` (already sanitised), if any.
    pub fn details(&self, id: &str) -> Vec<String> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .find(|(step, _)| step == id)
            .map(|(_, lines)| lines.clone())
            .unwrap_or_default()
    }

    fn keep(&self, id: &str, lines: &[String]) {
        let mut kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if kept.len() < MAX_RECAP_STEPS && !lines.is_empty() {
            kept.push((id.to_owned(), lines.to_vec()));
        }
    }
}

pub struct Display {
    quiet: bool,
    verbose: bool,
    /// Bars and colours: stderr is a terminal.
    live: bool,
    mode: Mode,
    bar: Option<ProgressBar>,
    current: String,
    recap: Recap,
}

impl Display {
    pub fn new(quiet: bool, verbose: bool) -> Display {
        Display {
            quiet,
            verbose,
            live: std::io::stderr().is_terminal(),
            mode: Mode::Run,
            bar: None,
            current: String::new(),
            recap: Recap::default(),
        }
    }

    /// What failed steps printed under their line, for the verdict after the run.
    pub fn recap(&self) -> Recap {
        self.recap.clone()
    }

    /// Prints a line of ours around sanitised text, broken before the terminal's edge
    /// (`sanitize::fit`) so that no untrusted text starts a screen row.
    fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(sanitize::fit(text, sanitize::stderr_width())),
            None if self.live => {
                let text = sanitize::fit(text, sanitize::stderr_width());
                let _ = writeln!(std::io::stderr(), "{text}");
            }
            None => {
                let text = sanitize::fit(text, sanitize::stdout_width());
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{text}");
                let _ = out.flush();
            }
        }
    }

    fn status_word(&self, status: StepStatus) -> String {
        let (word, style) = match (status, self.mode) {
            (StepStatus::Passed, Mode::Check) => ("ready", Style::new().green()),
            (StepStatus::Passed, Mode::Run) => ("passed", Style::new().green()),
            (StepStatus::Failed, Mode::Check) => ("would fail", Style::new().red().bold()),
            (StepStatus::Failed, Mode::Run) => ("FAILED", Style::new().red().bold()),
            (StepStatus::Blocked, _) => ("BLOCKED", Style::new().yellow().bold()),
            (StepStatus::Skipped, _) => ("skipped", Style::new().dim()),
            (StepStatus::NotRun, _) => ("not run", Style::new().dim()),
        };
        style.apply_to(word).to_string()
    }
}

impl Listener for Display {
    fn on_event(&mut self, event: &Event<'_>) {
        match event {
            Event::RunStarted {
                runbook,
                mode,
                evidence_dir,
                total_steps,
            } => {
                self.mode = *mode;
                if !self.quiet {
                    let verb = match mode {
                        Mode::Run => "run",
                        Mode::Check => "check (dry run: nothing is changed)",
                    };
                    self.line(&format!(
                        "{} {verb}: {total_steps} step{}; evidence in {}",
                        Style::new().bold().apply_to(sanitize::line(&runbook.name)),
                        if *total_steps == 1 { "" } else { "s" },
                        sanitize::path(evidence_dir)
                    ));
                }
            }
            Event::StepStarted {
                index,
                total,
                step,
                phase,
                attempt,
                attempts,
            } => {
                let phase = match phase {
                    Phase::Main => String::new(),
                    other => format!("{other} "),
                };
                let attempt = if *attempt > 1 {
                    format!(" attempt {attempt} of {attempts}")
                } else {
                    String::new()
                };
                self.current = format!(
                    "[{phase}{index}/{total}] {} ({}){attempt}",
                    sanitize::line(&step.id),
                    step.kind.name()
                );
                if self.quiet {
                    return;
                }
                if self.live {
                    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                    bar.set_style(spinner_style());
                    bar.set_message(self.current.clone());
                    bar.enable_steady_tick(Duration::from_millis(120));
                    self.bar = Some(bar);
                } else {
                    self.line(&format!("{} ...", self.current));
                }
                // What the step is for, as the runbook's author put it; check mode is the
                // plan a reviewer reads, so it shows it too.
                if let Some(description) = &step.description
                    && (self.verbose || self.mode == Mode::Check)
                {
                    self.line(&format!("    {}", sanitize::line(description)));
                }
            }
            Event::Progress { done, total, .. } => {
                if let Some(bar) = &self.bar {
                    if let Some(total) = total
                        && bar.length() != Some(*total)
                    {
                        bar.set_length(*total);
                        bar.set_style(bytes_style());
                    }
                    bar.set_position(*done);
                }
            }
            Event::Warning { message } => crate::report_warning(message),
            // The engine splits a message into log lines at its line breaks; the lines after
            // a message's first go on after the marker, so a line break inside a file name or
            // a server message cannot print a line that looks like the step's.
            Event::Log {
                line, continued, ..
            } if self.verbose => {
                let mark = if *continued {
                    sanitize::CONTINUATION
                } else {
                    ""
                };
                self.line(&format!("    {mark}{}", sanitize::line(line)));
            }
            Event::StepFinished {
                outcome,
                duration,
                step,
                ..
            } => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_and_clear();
                }
                let bad = matches!(outcome.status, StepStatus::Failed | StepStatus::Blocked);
                if self.quiet && !bad {
                    return;
                }
                self.line(&format!(
                    "{}  {}  {}  {}",
                    self.current,
                    self.status_word(outcome.status),
                    format_duration(*duration),
                    sanitize::block(&outcome.summary)
                ));
                if bad {
                    let details = failure_details(step.kind.name(), outcome);
                    for line in &details {
                        self.line(line);
                    }
                    self.recap.keep(&step.id, &details);
                }
            }
            Event::RunFinished { .. } => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_and_clear();
                }
            }
            _ => {}
        }
    }
}

/// The lines that say why a step failed, beyond its summary, indented under its line and
/// sanitised (the values come from the database, the command or the runbook):
///
/// - a gate: each failed check as `name: expected X, found Y`, then `missing: a, b` when a
///   catalog check names what it did not find (at most [`MAX_CHECK_LINES`] checks);
/// - `shell` and `container_exec`: the tail of stderr the step kept in `error.detail`
///   (redacted by the engine, at most 20 lines). A SQL step's message has its server's
///   DETAIL and caret already, in the summary.
pub fn failure_details(kind: &str, outcome: &StepOutcome) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(checks) = &outcome.gate {
        let failed: Vec<_> = checks.iter().filter(|c| !c.passed).collect();
        for check in failed.iter().take(MAX_CHECK_LINES) {
            lines.push(format!(
                "    {}: expected {}, found {}",
                sanitize::line(&check.name),
                sanitize::line(&check.expected),
                sanitize::line(&check.actual)
            ));
            if !check.missing.is_empty() {
                lines.push(format!(
                    "      missing: {}",
                    sanitize::line(&check.missing.join(", "))
                ));
            }
        }
        if failed.len() > MAX_CHECK_LINES {
            lines.push(format!(
                "    ... and {} more failed checks (in result.json and the report)",
                failed.len() - MAX_CHECK_LINES
            ));
        }
    }
    if matches!(kind, "shell" | "container_exec")
        && let Some(detail) = outcome.error.as_ref().and_then(|e| e.detail.as_deref())
    {
        let mut detail = detail.split('\n');
        if let Some(heading) = detail.next() {
            lines.push(format!("    {}", sanitize::line(heading)));
        }
        for line in detail {
            lines.push(format!(
                "    {}{}",
                sanitize::CONTINUATION,
                sanitize::line(line)
            ));
        }
    }
    lines
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg}  {elapsed}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

fn bytes_style() -> ProgressStyle {
    ProgressStyle::with_template(
        "{spinner} {msg}  [{bar:30}] {bytes}/{total_bytes}  {bytes_per_sec}  {elapsed}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ")
}

pub fn format_duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        let whole = d.as_secs();
        format!("{}m{:02}s", whole / 60, whole % 60)
    }
}

#[cfg(test)]
mod tests {
    use runbook_evidence::{ErrorRecord, GateCheckRecord};

    use super::*;

    fn check(i: usize, passed: bool) -> GateCheckRecord {
        GateCheckRecord {
            name: format!("check {i}"),
            passed,
            check: "query".to_owned(),
            expected: "the value 1".to_owned(),
            actual: "the value '\u{1b}[2K0'".to_owned(),
            missing: Vec::new(),
            query: None,
            error: None,
        }
    }

    #[test]
    fn a_gate_lists_its_failed_checks_sanitised_and_counts_past_the_cap() {
        let mut outcome = StepOutcome::new(StepStatus::Failed, "26 of 27 checks failed");
        outcome.gate = Some((0..27).map(|i| check(i, i == 0)).collect());
        let lines = failure_details("gate", &outcome);
        assert_eq!(lines.len(), MAX_CHECK_LINES + 1);
        assert_eq!(
            lines[0],
            "    check 1: expected the value 1, found the value '␛[2K0'"
        );
        assert_eq!(
            lines[MAX_CHECK_LINES],
            "    ... and 6 more failed checks (in result.json and the report)"
        );
    }

    #[test]
    fn a_command_s_stderr_tail_is_shown_line_by_line_only_for_commands() {
        let mut outcome = StepOutcome::new(StepStatus::Failed, "failed: sh ended with exit code 1");
        let mut error = ErrorRecord::new("sh ended with exit code 1");
        error.detail = Some("stderr (2 lines):\nfirst\r\n\u{1b}[1Arun passed".to_owned());
        outcome.error = Some(error);
        assert_eq!(
            failure_details("shell", &outcome),
            [
                "    stderr (2 lines):",
                "      | first\\r",
                "      | ␛[1Arun passed"
            ]
        );
        // A SQL step's DETAIL is in its message already.
        assert!(failure_details("sql", &outcome).is_empty());
    }
}
