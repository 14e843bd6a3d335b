//! The command line, as clap sees it. Help texts are what `runbook --help` shows.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Executes database recovery runbooks and writes evidence a reviewer can verify.
#[derive(Debug, Parser)]
#[command(name = "runbook", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Print only errors and the final verdict.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Also print every line written to the steps' output.log.
    #[arg(short, long, global = true, conflicts_with = "quiet")]
    pub verbose: bool,

    /// When to use colours (NO_COLOR in the environment also turns them off).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check runbooks statically: YAML shape, unknown keys, references, SQL of files that exist.
    Validate {
        /// Runbook files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        vars: VarArgs,
    },
    /// Dry run against the live systems: changes nothing, reports what would happen.
    Check {
        /// The runbook file.
        file: PathBuf,
        #[command(flatten)]
        vars: VarArgs,
        #[command(flatten)]
        evidence: EvidenceArgs,
    },
    /// Execute the runbook's steps in order, stopping at the first failure.
    Run {
        /// The runbook file.
        file: PathBuf,
        #[command(flatten)]
        vars: VarArgs,
        /// Allow destructive steps on this protected target (repeatable).
        #[arg(long = "confirm", value_name = "TARGET")]
        confirm: Vec<String>,
        /// Start at this step; earlier steps are skipped (and recorded as such).
        #[arg(long = "from", value_name = "STEP")]
        from: Option<String>,
        /// Never prompt: protected targets then need --confirm.
        #[arg(short = 'y', long)]
        yes: bool,
        /// Leave ephemeral clusters running after the run (their URL is printed).
        #[arg(long)]
        keep: bool,
        /// Cancel (then terminate) statements that an earlier run, killed or crashed, left
        /// running on a target's database, instead of refusing to start; recorded in evidence.
        #[arg(long)]
        terminate_stale: bool,
        /// Continue the failed, blocked, interrupted or killed run whose evidence directory
        /// this is, in that directory: main steps that passed are not run again (except
        /// require_files), the others run as their next attempt. DIR must verify and hold no
        /// approval, and the runbook must be the one that run recorded.
        #[arg(long, value_name = "DIR", conflicts_with = "evidence_dir")]
        resume: Option<PathBuf>,
        /// With --resume: go on although the runbook changed since the run began; both
        /// sha256 digests are recorded in the evidence.
        #[arg(long, requires = "resume")]
        allow_changed: bool,
        #[command(flatten)]
        evidence: EvidenceArgs,
    },
    /// Roll back a finished run: run the undo steps of every main step that passed in its
    /// journal, last first, in a new evidence directory (after verifying DIR and checking that
    /// the runbook is the one that ran).
    Undo {
        /// The evidence directory of the run to undo.
        dir: PathBuf,
        /// The runbook file (default: the path recorded in DIR's run.json); its sha256 must
        /// equal the one recorded there.
        #[arg(long, value_name = "FILE")]
        runbook: Option<PathBuf>,
        #[command(flatten)]
        vars: VarArgs,
        /// Allow destructive steps on this protected target (repeatable).
        #[arg(long = "confirm", value_name = "TARGET")]
        confirm: Vec<String>,
        /// Never prompt: protected targets then need --confirm.
        #[arg(short = 'y', long)]
        yes: bool,
        #[command(flatten)]
        evidence: EvidenceArgs,
    },
    /// Re-hash an evidence directory and report every missing, extra or modified file.
    Verify {
        /// The evidence directory (artifacts/<name>/<UTC timestamp>).
        dir: PathBuf,
    },
    /// Render a finished run for reviewers.
    Report {
        /// The evidence directory.
        dir: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
        format: ReportFormat,
        /// Write to this file instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Sign off a finished run: record who approved its evidence, when, and the SHA256SUMS
    /// digest approved (a new file under approvals/, listed in SHA256SUMS).
    Approve {
        /// The evidence directory.
        dir: PathBuf,
        /// Who signs (a name or an e-mail address), kept in the approval record.
        #[arg(long = "as", value_name = "NAME")]
        approver: String,
        /// A comment kept with the approval.
        #[arg(long, value_name = "TEXT")]
        comment: Option<String>,
    },
    /// Print the JSON Schema of the runbook format (for editors: yaml-language-server).
    Schema,
    /// Connect to URL and print which server it is, as the `expect:` block to paste under a
    /// target: a run then refuses any other server.
    Identify {
        /// A libpq-style URL or key=value string; PG* variables and ~/.pgpass fill the rest.
        url: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Md,
    Html,
    Json,
    Junit,
}

#[derive(Debug, Args)]
pub struct VarArgs {
    /// Override a var of the runbook (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
}

#[derive(Debug, Args)]
pub struct EvidenceArgs {
    /// Write evidence under this directory instead of the runbook's evidence.dir.
    #[arg(long, value_name = "DIR")]
    pub evidence_dir: Option<PathBuf>,
}

fn parse_var(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(format!("expected NAME=VALUE, found '{text}'")),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn vars_need_a_name_and_an_equals_sign() {
        assert_eq!(parse_var("db=x=y"), Ok(("db".into(), "x=y".into())));
        assert_eq!(parse_var("db="), Ok(("db".into(), String::new())));
        assert!(parse_var("=x").is_err());
        assert!(parse_var("db").is_err());
    }
}
