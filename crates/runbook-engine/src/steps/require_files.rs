//! `require_files`: the inputs a restore cannot go on without (the baseline DDL from Secrets),
//! present, private and intact.
//!
//! Checked for real in both modes: it only reads. Every problem is listed, not just the first,
//! so the operator can ask Ops for everything at once. A problem ends the run BLOCKED: the tool
//! did nothing wrong, the world is not ready. Files are recorded by path, size and digest, never
//! copied: they may hold patient data.

use std::os::unix::fs::PermissionsExt;

use async_trait::async_trait;
use runbook_evidence::{InputFile, OutputValue, StepOutcome, StepStatus, hash_file};
use runbook_spec::RequireFiles;

use crate::context::StepContext;
use crate::errors::StepError;
use crate::input_file::{self, Special};
use crate::step::Step;
use crate::text::plural;

pub(crate) struct RequireFilesStep(pub RequireFiles);

#[async_trait]
impl Step for RequireFilesStep {
    async fn run(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        self.inspect(cx).await
    }

    async fn check(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        self.inspect(cx).await
    }
}

impl RequireFilesStep {
    async fn inspect(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let check_mode = cx.mode() == runbook_evidence::Mode::Check;
        // Paths may use `${run...}` and earlier steps' outputs. In check mode a file an earlier
        // step produces does not exist yet: it is provided by that step, not missing.
        let mut files = Vec::new();
        let mut provided = Vec::new();
        for file in &self.0.files {
            let written = file.path.display().to_string();
            if check_mode && let Some(step) = cx.producer_of(&written) {
                let shown = cx.expand(&written).await?;
                cx.log(format!(
                    "provided by step '{step}'  {}: produced when the run gets there, checked then",
                    crate::text::one_line_name(&shown)
                ));
                provided.push(step);
                continue;
            }
            let mut file = file.clone();
            file.path = cx.expand(&written).await?.into();
            files.push(file);
        }
        let allow_special = self.0.allow_special_file;
        let output = cx.output();
        let cancel = cx.cancellation();
        // Hashing a multi-gigabyte dump is blocking work.
        let hashing = tokio::task::spawn_blocking(move || {
            let mut inputs = Vec::new();
            let mut unread = 0u64;
            let mut problems = Vec::new();
            for file in &files {
                let raw = file.path.display().to_string();
                let shown = crate::text::one_line_name(&raw).into_owned();
                let meta = match std::fs::metadata(&file.path) {
                    Ok(meta) => meta,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        problems.push(format!("{shown}: missing"));
                        output.log(format!("missing  {shown}"));
                        continue;
                    }
                    Err(e) => {
                        problems.push(format!("{shown}: cannot read ({e})"));
                        output.log(format!("unreadable  {shown}: {e}"));
                        continue;
                    }
                };
                // `stat` only so far: a FIFO is never opened (that would wait for a writer) and
                // a device never hashed (/dev/zero never ends) unless the step allows it.
                if let Some(special) = Special::of(meta.file_type()) {
                    if !allow_special || !special.readable() {
                        problems.push(input_file::refusal(&file.path, special));
                        output.log(format!("not a file  {shown}: {}", special.name()));
                        continue;
                    }
                    if check_mode {
                        output.log(format!(
                            "special  {shown}  {} (allow_special_file: true): not read in check mode, hashed when the step runs",
                            special.name()
                        ));
                        unread += 1;
                        continue;
                    }
                }
                let mode = meta.permissions().mode() & 0o7777;
                let mut ok = true;
                if let Some(want) = file.mode
                    && mode != want.bits()
                {
                    ok = false;
                    problems.push(format!(
                        "{shown}: mode is {mode:04o}, expected {:04o} (chmod {:o} {shown})",
                        want.bits(),
                        want.bits()
                    ));
                }
                if let Some(min) = file.min_size
                    && meta.len() < min
                {
                    ok = false;
                    problems.push(format!(
                        "{shown}: {} bytes, expected at least {min}",
                        meta.len()
                    ));
                }
                let digest = match hash_file(&file.path) {
                    Ok(digest) => digest,
                    Err(e) => {
                        problems.push(format!("{shown}: cannot read ({e})"));
                        continue;
                    }
                };
                if let Some(want) = &file.sha256
                    && !want.matches(&digest.sha256)
                {
                    ok = false;
                    problems.push(format!(
                        "{shown}: sha256 is {}, expected {}",
                        digest.sha256,
                        want.hex()
                    ));
                }
                output.log(format!(
                    "{}  {shown}  mode {mode:04o}  {} bytes  sha256 {}",
                    if ok { "present" } else { "mismatch" },
                    digest.size,
                    digest.sha256
                ));
                inputs.push(InputFile {
                    path: raw,
                    size: digest.size,
                    sha256: digest.sha256,
                });
            }
            (inputs, problems, unread)
        });
        // A blocking thread cannot be stopped: on Ctrl-C or a timeout the step ends at once and
        // leaves the hash it no longer needs to finish on its own.
        let (inputs, problems, unread) = tokio::select! {
            result = hashing => {
                result.map_err(|e| StepError::failed(format!("file check task failed: {e}")))?
            }
            () = cancel.cancelled() => return Err(StepError::Interrupted),
        };

        let total = self.0.files.len() - provided.len();
        let mut outcome = if problems.is_empty() {
            StepOutcome::new(
                StepStatus::Passed,
                format!(
                    "{}{}{}",
                    if total == 0 && !provided.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "{total} file{} present and as required",
                            plural(total as u64)
                        )
                    },
                    if unread > 0 {
                        format!(" ({unread} special, not read in check mode)")
                    } else {
                        String::new()
                    },
                    if provided.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "{}{} file{} provided by step{} {}",
                            if total == 0 { "" } else { "; " },
                            provided.len(),
                            plural(provided.len() as u64),
                            plural(provided.len() as u64),
                            provided
                                .iter()
                                .map(|s| format!("'{s}'"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                ),
            )
        } else {
            for problem in &problems {
                cx.log(format!("blocked: {problem}"));
            }
            let mut outcome = StepOutcome::new(
                StepStatus::Blocked,
                format!("blocked: {}", problems.join("; ")),
            );
            outcome.error = Some(runbook_evidence::ErrorRecord::new(problems.join("; ")));
            outcome
        };
        // `sha256_N` by position in `files` (and `sha256` for a single file): only when every
        // file was read, so a later step never gets a digest of the wrong file.
        if problems.is_empty() && provided.is_empty() && inputs.len() == self.0.files.len() {
            for (i, input) in inputs.iter().enumerate() {
                outcome.outputs.insert(
                    format!("sha256_{}", i + 1),
                    OutputValue::plain(input.sha256.clone()),
                );
            }
            if let [only] = inputs.as_slice() {
                outcome
                    .outputs
                    .insert("sha256".to_owned(), OutputValue::plain(only.sha256.clone()));
            }
        }
        outcome.inputs = inputs;
        Ok(outcome)
    }
}
