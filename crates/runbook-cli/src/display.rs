//! What the operator watches while a runbook runs.
//!
//! On a terminal: one line per finished step and a live bar for the running one (bytes for a
//! SQL file, a spinner otherwise). Not on a terminal (CI, `| tee`): the same lines, plain, one
//! when a step starts and one when it ends, so a log shows where a run hung. `--quiet` keeps
//! only failures; `--verbose` adds every line the steps write to their `output.log`.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use console::Style;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use runbook_engine::{Event, Listener};
use runbook_evidence::{Mode, StepStatus};

use crate::sanitize;

pub struct Display {
    quiet: bool,
    verbose: bool,
    /// Bars and colours: stderr is a terminal.
    live: bool,
    mode: Mode,
    bar: Option<ProgressBar>,
    current: String,
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
        }
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
            Event::StepStarted { index, total, step } => {
                self.current = format!(
                    "[{index}/{total}] {} ({})",
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
                outcome, duration, ..
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
