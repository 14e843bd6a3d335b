//! `runbook run` and `runbook check`: the same plan, executed or looked at.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use console::Style;
use runbook_engine::{CancellationToken, Plan, RunOptions, RunReport, StepFailure};
use runbook_evidence::{Mode, RunStatus};

use crate::confirm::TtyConfirmer;
use crate::display::{Display, Recap, format_duration};
use crate::{exit_codes, runbook_file, sanitize};

/// How long leftover blocking work may hold the exit after a run ended.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(2);

/// What the command line asked for beyond the mode.
pub struct Request<'a> {
    pub file: &'a Path,
    pub vars: &'a [(String, String)],
    pub evidence_dir: Option<PathBuf>,
    pub confirm: Vec<String>,
    pub from: Option<String>,
    pub yes: bool,
    pub keep: bool,
    pub terminate_stale: bool,
    pub quiet: bool,
    pub verbose: bool,
    /// `runbook undo DIR`: run only the undo steps of that run's passed steps.
    pub undo_of: Option<runbook_engine::UndoOf>,
    /// `run --resume DIR [--allow-changed]`: continue that run in its directory.
    pub resume: Option<runbook_engine::ResumeOptions>,
}

pub fn execute(mode: Mode, request: Request<'_>) -> i32 {
    let runbook =
        match runbook_file::load(request.file, request.vars, runbook_file::Purpose::Execute) {
            Ok(runbook) => runbook,
            Err(code) => return code,
        };
    let plan = Plan::new(runbook);
    let mut options = RunOptions::new(mode, request.file.display().to_string());
    options.from_step = request.from.clone();
    options.confirmed_targets = request.confirm.clone();
    options.keep_ephemeral = request.keep;
    options.terminate_stale = request.terminate_stale;
    options.evidence_base = request.evidence_dir.clone();
    options.undo_of = request.undo_of;
    options.resume = request.resume;
    if mode == Mode::Run && !request.yes {
        options.confirmer = TtyConfirmer::if_terminal();
    }
    // One thread drives the sessions: a load is a strict request/response sequence, and the
    // script is read on a blocking thread of its own; a multi-threaded scheduler only adds
    // hand-offs (measured slower with scripts/bench-load under load).
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            crate::report_error(&format!("cannot start the async runtime: {error}"));
            return exit_codes::FAILED;
        }
    };
    let display = Display::new(request.quiet, request.verbose);
    let recap = display.recap();
    let result = runtime.block_on(async {
        let cancel = CancellationToken::new();
        tokio::spawn(interrupt_on_signal(cancel.clone()));
        runbook_engine::execute(&plan, options, vec![Box::new(display)], cancel).await
    });
    let code = match result {
        Ok(report) => conclude(mode, &report, &recap),
        Err(error) => {
            let kind = error.kind();
            crate::report_error(&crate::chain(error));
            match kind {
                runbook_engine::EngineErrorKind::InvalidInput => exit_codes::INVALID_INPUT,
                runbook_engine::EngineErrorKind::NotIntact => exit_codes::NOT_INTACT,
                runbook_engine::EngineErrorKind::Failed => exit_codes::FAILED,
            }
        }
    };
    // The run has shut its resources down and sealed its evidence. What may still run on a
    // blocking thread (the hash of a dump behind an interrupted step) is not waited for
    // beyond a moment; dropping the runtime would wait for it, deaf to a second Ctrl-C.
    runtime.shutdown_timeout(SHUTDOWN_WAIT);
    code
}

/// First Ctrl-C or SIGTERM (a cancelled CI job, `timeout`, `systemctl stop`): cancel the running
/// statement server-side, stop the step's processes and seal the evidence. Dying on SIGTERM
/// instead would leave the server running the statement (it notices a vanished client only
/// when it next writes to it), ephemeral clusters running, and the evidence unfinished. A
/// second signal: leave at once.
async fn interrupt_on_signal(cancel: CancellationToken) {
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let first = tokio::select! {
        result = tokio::signal::ctrl_c() => match result {
            Ok(()) => "interrupted",
            Err(_) => return,
        },
        () = next_signal(&mut terminate) => "terminated (SIGTERM)",
    };
    let _ = writeln!(
        std::io::stderr(),
        "\n{first}: cancelling the running step; the finally steps run, then the evidence is sealed (Ctrl-C again to quit at once)"
    );
    cancel.cancel();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = next_signal(&mut terminate) => {}
    }
    #[expect(clippy::disallowed_methods, reason = "a second signal means: stop now")]
    std::process::exit(exit_codes::INTERRUPTED);
}

/// The next delivery of a signal stream; never, when it could not be registered.
async fn next_signal(signal: &mut Option<tokio::signal::unix::Signal>) {
    match signal {
        Some(signal) => {
            signal.recv().await;
        }
        None => std::future::pending().await,
    }
}

/// Failures listed by name after the deciding one; the rest are counted (every one is in
/// `run.json` and the report).
const MAX_LISTED_FAILURES: usize = 20;

/// Prints the verdict and picks the exit code.
///
/// The verdict line first (coloured by what it means: a run that passed with allowed failures
/// is yellow, never the green of a clean pass), then the deciding failure with the details
/// its step printed (a gate's expected and found values, a command's stderr tail), then every
/// other failure, each allowed one marked, and where the evidence is.
fn conclude(mode: Mode, report: &RunReport, recap: &Recap) -> i32 {
    // Assembled, then laid out for the terminal at once (`sanitize::fit`).
    let mut out = String::new();
    if let Some(refusal) = &report.refused {
        crate::report_error(refusal);
        let _ = writeln!(
            std::io::stdout(),
            "evidence: {}",
            sanitize::path(&report.evidence_dir)
        );
        return exit_codes::INVALID_INPUT;
    }
    let verb = match mode {
        Mode::Run => "run",
        Mode::Check => "check",
    };
    let _ = writeln!(
        out,
        "{}",
        verdict_line(verb, report.status, &report.failures, report.duration)
    );
    // The failure's message is the server's or the tool's words: sanitised, so that its escape
    // codes cannot move up and overwrite the verdict above, nor its line breaks print a
    // verdict of their own.
    if let Some(failure) = &report.failure {
        let _ = writeln!(out, "{}", failure_line(failure));
        for line in recap.details(&failure.step) {
            let _ = writeln!(out, "{line}");
        }
        let others: Vec<_> = report
            .failures
            .iter()
            .filter(|f| f.step != failure.step)
            .collect();
        if !others.is_empty() {
            let _ = writeln!(out, "also failed:");
            for other in others.iter().take(MAX_LISTED_FAILURES) {
                let _ = writeln!(out, "  {}", failure_line(other));
            }
            if others.len() > MAX_LISTED_FAILURES {
                let _ = writeln!(
                    out,
                    "  ... and {} more (run.json and the report list them all)",
                    others.len() - MAX_LISTED_FAILURES
                );
            }
        }
    }
    if let Some(undo) = &report.undo {
        let _ = writeln!(out, "{}", undo_line(undo));
    }
    for (target, url) in &report.kept_clusters {
        let _ = writeln!(
            out,
            "kept the ephemeral cluster of target '{}': {}",
            sanitize::line(target),
            sanitize::line(url)
        );
    }
    let evidence = sanitize::path(&report.evidence_dir);
    let _ = writeln!(out, "evidence: {evidence}");
    let _ = writeln!(out, "verify with: runbook verify {evidence}");
    let _ = std::io::stdout()
        .lock()
        .write_all(sanitize::fit(&out, sanitize::stdout_width()).as_bytes());
    match report.status {
        RunStatus::Passed | RunStatus::PassedWithFailures | RunStatus::Ready => exit_codes::OK,
        RunStatus::Failed | RunStatus::WouldFail | RunStatus::Running => exit_codes::FAILED,
        RunStatus::Blocked => exit_codes::BLOCKED,
        RunStatus::GateFailed => exit_codes::GATE_FAILED,
        RunStatus::Interrupted => exit_codes::INTERRUPTED,
    }
}

/// `run passed_with_failures in 1.2s: PASSED WITH 1 ALLOWED FAILURE (continue_on_error)`: the
/// status as `run.json` spells it (scripts grep for it), then what it means when a word is not
/// enough. Green only for a clean pass (or a ready check), yellow when steps failed but were
/// allowed to, red otherwise.
fn verdict_line(
    verb: &str,
    status: RunStatus,
    failures: &[StepFailure],
    duration: std::time::Duration,
) -> String {
    let allowed = failures.iter().filter(|f| f.allowed).count();
    let plural = if allowed == 1 { "" } else { "s" };
    let (meaning, style) = match status {
        RunStatus::Passed => (String::new(), Style::new().green().bold()),
        RunStatus::Ready if failures.is_empty() => (String::new(), Style::new().green().bold()),
        RunStatus::PassedWithFailures => (
            format!(": PASSED WITH {allowed} ALLOWED FAILURE{plural} (continue_on_error)"),
            Style::new().yellow().bold(),
        ),
        RunStatus::Ready => (
            format!(": READY, {allowed} step{plural} would fail (allowed by continue_on_error)"),
            Style::new().yellow().bold(),
        ),
        RunStatus::GateFailed if allowed > 0 => (
            ": a gate failed; the run went on past failures allowed by continue_on_error"
                .to_owned(),
            Style::new().red().bold(),
        ),
        _ => (String::new(), Style::new().red().bold()),
    };
    let text = format!("{verb} {status} in {}{meaning}", format_duration(duration));
    style.apply_to(text).to_string()
}

/// `step 'ID' (KIND): MESSAGE`, with `, allowed (continue_on_error)` after the kind when the
/// run went on after it.
fn failure_line(failure: &StepFailure) -> String {
    format!(
        "step '{}' ({}){}: {}",
        sanitize::line(&failure.step),
        failure.kind,
        if failure.allowed {
            ", allowed (continue_on_error)"
        } else {
            ""
        },
        sanitize::block(&failure.message)
    )
}

/// How the undo phase ended: whether what the run did was rolled back.
fn undo_line(undo: &runbook_engine::UndoSummary) -> String {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    match &undo.stopped_at {
        None if undo.passed == undo.total => format!(
            "undo: all {} undo step{} passed (the steps that passed were rolled back, last first)",
            undo.total,
            plural(undo.total)
        ),
        None => format!(
            "undo: {} of {} undo step{} passed (failures allowed by continue_on_error)",
            undo.passed,
            undo.total,
            plural(undo.total)
        ),
        Some(step) => format!(
            "undo: stopped at step '{}', which failed; {} of {} undo step{} passed, the rest did not run: the rollback is incomplete",
            sanitize::line(step),
            undo.passed,
            undo.total,
            plural(undo.total)
        ),
    }
}
