//! `runbook run` and `runbook check`: the same plan, executed or looked at.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use runbook_engine::{CancellationToken, Plan, RunOptions, RunReport};
use runbook_evidence::{Mode, RunStatus};

use crate::confirm::TtyConfirmer;
use crate::display::{Display, format_duration};
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
    let result = runtime.block_on(async {
        let cancel = CancellationToken::new();
        tokio::spawn(interrupt_on_signal(cancel.clone()));
        runbook_engine::execute(&plan, options, vec![Box::new(display)], cancel).await
    });
    let code = match result {
        Ok(report) => conclude(mode, &report),
        Err(error) => {
            let kind = error.kind();
            crate::report_error(&crate::chain(error));
            match kind {
                runbook_engine::EngineErrorKind::InvalidInput => exit_codes::INVALID_INPUT,
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
        "\n{first}: cancelling the running step and sealing the evidence (Ctrl-C again to quit at once)"
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

/// Prints the verdict and picks the exit code.
fn conclude(mode: Mode, report: &RunReport) -> i32 {
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
        "{verb} {} in {}",
        report.status,
        format_duration(report.duration)
    );
    // The failure's message is the server's or the tool's words: sanitised, so that its escape
    // codes cannot move up and overwrite the verdict above, nor its line breaks print a
    // verdict of their own.
    if let Some(failure) = &report.failure {
        let _ = writeln!(
            out,
            "step '{}' ({}): {}",
            sanitize::line(&failure.step),
            failure.kind,
            sanitize::block(&failure.message)
        );
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
