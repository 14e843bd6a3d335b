//! The `runbook` command: argument parsing, a call into the libraries, an exit code.
//!
//! Everything a runbook does lives in the library crates (`runbook-engine` and below); this
//! binary turns the command line into their inputs, shows progress, and maps outcomes to the
//! exit codes of the contract (`exit_codes.rs`).

mod args;
mod commands;
mod confirm;
mod display;
mod exit_codes;
mod runbook_file;
mod sanitize;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use console::Style;
use runbook_evidence::Mode;

use crate::args::{Cli, ColorChoice, Command};
use crate::commands::execute::Request;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let colors = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stderr().is_terminal()
        }
    };
    console::set_colors_enabled(colors);
    console::set_colors_enabled_stderr(colors);
    let code = match &cli.command {
        Command::Validate { files, vars } => commands::validate::validate(files, &vars.vars),
        Command::Check {
            file,
            vars,
            evidence,
        } => commands::execute::execute(
            Mode::Check,
            Request {
                file,
                vars: &vars.vars,
                evidence_dir: evidence.evidence_dir.clone(),
                confirm: Vec::new(),
                from: None,
                yes: true,
                keep: false,
                terminate_stale: false,
                quiet: cli.quiet,
                verbose: cli.verbose,
                undo_of: None,
                resume: None,
            },
        ),
        Command::Run {
            file,
            vars,
            confirm,
            from,
            yes,
            keep,
            terminate_stale,
            resume,
            allow_changed,
            evidence,
        } => commands::execute::execute(
            Mode::Run,
            Request {
                file,
                vars: &vars.vars,
                evidence_dir: evidence.evidence_dir.clone(),
                confirm: confirm.clone(),
                from: from.clone(),
                yes: *yes,
                keep: *keep,
                terminate_stale: *terminate_stale,
                quiet: cli.quiet,
                verbose: cli.verbose,
                undo_of: None,
                resume: resume.clone().map(|dir| runbook_engine::ResumeOptions {
                    dir,
                    allow_changed: *allow_changed,
                }),
            },
        ),
        Command::Undo {
            dir,
            runbook,
            vars,
            confirm,
            yes,
            evidence,
        } => commands::undo::undo(
            dir,
            runbook.as_deref(),
            Request {
                file: std::path::Path::new(""),
                vars: &vars.vars,
                evidence_dir: evidence.evidence_dir.clone(),
                confirm: confirm.clone(),
                from: None,
                yes: *yes,
                keep: false,
                terminate_stale: false,
                quiet: cli.quiet,
                verbose: cli.verbose,
                undo_of: None,
                resume: None,
            },
        ),
        Command::Verify { dir } => commands::verify::verify(dir),
        Command::Report {
            dir,
            format,
            output,
        } => commands::report::report(dir, *format, output.as_deref()),
        Command::Approve {
            dir,
            approver,
            comment,
        } => commands::approve::approve(dir, approver, comment.as_deref()),
        Command::Schema => commands::schema::schema(),
        Command::Identify { url } => commands::identify::identify(url),
    };
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// An error for the operator: "error: " and the message, on stderr. Messages quote file names,
/// server messages and statements, so they pass through the sanitiser (`sanitize::block`).
pub(crate) fn report_error(message: &str) {
    let line = format!(
        "{} {}",
        Style::new().red().bold().for_stderr().apply_to("error:"),
        sanitize::block(message)
    );
    let _ = writeln!(
        std::io::stderr(),
        "{}",
        sanitize::fit(&line, sanitize::stderr_width())
    );
}

/// A warning for the operator, sanitised like [`report_error`].
pub(crate) fn report_warning(message: &str) {
    let line = format!(
        "{} {}",
        Style::new()
            .yellow()
            .bold()
            .for_stderr()
            .apply_to("warning:"),
        sanitize::block(message)
    );
    let _ = writeln!(
        std::io::stderr(),
        "{}",
        sanitize::fit(&line, sanitize::stderr_width())
    );
}

/// An error and its causes on one line: "cannot read x.yaml: No such file or directory".
pub(crate) fn chain(error: impl std::error::Error + Send + Sync + 'static) -> String {
    format!("{:#}", anyhow::Error::new(error))
}
