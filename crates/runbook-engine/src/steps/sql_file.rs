//! `sql_file`: load a psql script (a pg_dump, a migration) into the step's target.
//!
//! `via: client` (the default) reads the file here and sends it over this tool's own session
//! through the psql-compatible loader: statements with positions in the evidence, errors at the
//! exact line and column, bounded memory whatever the size. The file is hashed while it is read,
//! so a 5 GB dump is read once. `via: container` is the seeds' own procedure for teams that want
//! the container's psql: the file is copied into the target's container, `psql -X -f` runs there
//! as the target's user, its output becomes the log, and the copy is removed again even when the
//! load fails, so patient data does not linger in the container.

use std::fs::File;
use std::io::Read;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use runbook_docker::{DockerClient, ExecEnd, ExecSpec, OutputStream, Owner};
use runbook_evidence::{ErrorRecord, InputFile, Redactor, StepOutcome, StepStatus, hash_file};
use runbook_spec::{OnError, Runbook, SqlFile, Via};
use sha2::{Digest, Sha256};

use crate::context::StepContext;
use crate::errors::StepError;
use crate::input_file;
use crate::output::{CommandOutput, StepOutput};
use crate::script::{self, EvidenceObserver, Origin};
use crate::step::{Destruction, Step};

pub(crate) struct SqlFileStep(pub SqlFile);

/// Read size for SQL files: large reads, whatever the reader asks for.
const READ_BUFFER: usize = 256 * 1024;

/// How long psql in a container gets after SIGTERM before SIGKILL.
const PSQL_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

impl SqlFileStep {
    fn origin(&self) -> Origin {
        Origin::File(self.0.path.display().to_string())
    }

    fn variables(&self, runbook: &Runbook) -> std::collections::BTreeMap<String, String> {
        script::variables(runbook, &self.0.variables)
    }

    /// The script for reading before the step runs (consent), never blocking: a special file
    /// is refused, and one the step allows is not read here either (a FIFO can be read only
    /// once, by the step itself; a device may never end), so consent treats it as unknown.
    fn open(&self) -> Result<(std::io::Take<File>, u64), StepError> {
        let path = &self.0.path;
        let examined = input_file::examine(path, self.0.allow_special_file)?;
        if let Some(special) = examined.special {
            return Err(StepError::Blocked(format!(
                "{} is {} (allow_special_file: true): it is read once, when the step runs, so what it contains cannot be known before",
                path.display(),
                special.name()
            )));
        }
        let (file, meta) = input_file::open_regular(path)?;
        // No more than `stat` says: this read happens before anything runs, on the runtime's
        // thread, and a "regular" file of /proc or /sys says 0 or 4096 bytes and may give
        // more, or block (/proc/kmsg).
        Ok((file.take(meta.len()), meta.len()))
    }

    /// The script for `check` and `run`: a special file only when the step allows it, opened
    /// off the runtime's thread under the step's timeout and cancellation.
    async fn open_for_step(
        &self,
        cx: &StepContext<'_>,
    ) -> Result<(File, input_file::Examined), StepError> {
        input_file::open_for_step(&self.0.path, self.0.allow_special_file, &cx.cancellation()).await
    }
}

impl SqlFileStep {
    async fn run_expanded(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        match self.0.via {
            Via::Client => self.load_here(cx).await,
            Via::Container => self.load_in_container(cx).await,
        }
    }

    async fn check_produced(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        // A script an earlier step produces does not exist yet: it is read when the run gets
        // here, so all check can say is where it comes from.
        if let Some(step) = cx.producer_of(&self.0.path.display().to_string()) {
            let shown = cx.expand(&self.0.path.display().to_string()).await?;
            cx.log(format!(
                "{shown}: provided by step '{step}'; its statements are read when the run gets here"
            ));
            cx.will_change_target();
            return Ok(StepOutcome::new(
                StepStatus::Passed,
                format!("would load {shown}, provided by step '{step}'"),
            ));
        }
        match self.expanded(cx).await? {
            Some(expanded) => expanded.check_expanded(cx).await,
            None => self.check_expanded(cx).await,
        }
    }

    async fn check_expanded(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let examined = input_file::examine(&self.0.path, self.0.allow_special_file)?;
        if let Some(special) = examined.special {
            return Err(input_file::not_read_in_check(&self.0.path, special));
        }
        let (file, examined) = self.open_for_step(cx).await?;
        let size = examined.size();
        let hashing = HashingReader::new(file);
        let digest = hashing.digest_handle();
        let buffered = std::io::BufReader::with_capacity(READ_BUFFER, hashing);
        let reader = script::file_reader(buffered, cx.runbook(), &self.0);
        cx.log(format!("{}: {} bytes", self.0.path.display(), size));
        let mut outcome = script::describe(cx, reader, self.origin()).await;
        if self.0.via == Via::Container {
            let container = cx.container_of(None)?;
            let docker = cx.docker().await?;
            match docker.inspect_container(&container).await? {
                Some(info) if info.state.is_running() => {
                    cx.log(format!(
                        "would copy the file into container {container} and run psql -f there"
                    ));
                }
                _ if cx.resources.provisional_containers.contains_key(&container) => {
                    cx.log(format!(
                        "container {container} is started by an earlier step"
                    ));
                }
                Some(info) => {
                    outcome = Err(StepError::failed(format!(
                        "container {container} is {}, not running: psql cannot run in it",
                        info.state
                    )));
                }
                None => {
                    outcome = Err(StepError::failed(format!(
                        "container {container} does not exist"
                    )));
                }
            }
        }
        cx.will_change_target();
        let mut outcome = outcome?;
        if let Some(sha256) = finished_digest(&digest) {
            outcome.inputs.push(InputFile {
                path: self.0.path.display().to_string(),
                size,
                sha256,
            });
        }
        Ok(outcome)
    }

    /// The step with `${run...}`, `${steps...}` and `${targets...}` expanded in its `path` and
    /// `variables` (see `run_values.rs`); `None` when there is nothing to expand.
    async fn expanded(&self, cx: &mut StepContext<'_>) -> Result<Option<SqlFileStep>, StepError> {
        let path = self.0.path.display().to_string();
        if !path.contains("${") && !self.0.variables.values().any(|v| v.contains("${")) {
            return Ok(None);
        }
        let mut spec = self.0.clone();
        spec.path = cx.expand(&path).await?.into();
        for value in spec.variables.values_mut() {
            *value = cx.expand(value).await?;
        }
        Ok(Some(SqlFileStep(spec)))
    }
}

#[async_trait]
impl Step for SqlFileStep {
    async fn run(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        match self.expanded(cx).await? {
            Some(expanded) => expanded.run_expanded(cx).await,
            None => self.run_expanded(cx).await,
        }
    }

    async fn check(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        self.check_produced(cx).await
    }

    fn destruction(
        &self,
        step: &runbook_spec::Step,
        runbook: &Runbook,
    ) -> Result<Vec<Destruction>, StepError> {
        let Some(target) = &step.target else {
            return Ok(Vec::new());
        };
        // Consent is asked before anything runs: a script an earlier step produces does not
        // exist yet (or is an old copy), so what it would do cannot be listed (fail closed).
        let path = self.0.path.display().to_string();
        if let Some(producer) = crate::run_values::producer_before(runbook, &step.id, &path) {
            return Err(StepError::Blocked(format!(
                "its script {path} is produced during the run by step '{producer}', so it cannot be read before the run starts"
            )));
        }
        crate::script_consent::destructions(
            runbook,
            target,
            &self.origin(),
            &Redactor::new(runbook.secrets()),
            &mut |scs| {
                let (file, _) = self.open()?;
                let buffered = std::io::BufReader::with_capacity(READ_BUFFER, file);
                let mut reader = script::file_reader(buffered, runbook, &self.0);
                reader.set_standard_conforming_strings(scs);
                Ok(reader)
            },
        )
    }

    fn lint(&self, step: &runbook_spec::Step, runbook: &Runbook) -> Vec<String> {
        // Never opened when it is not a regular file: /dev/zero would be read forever, a FIFO
        // would hang `validate`. Refused unless the step allows it, and then left to `run` (it
        // can be read only once). No more than `stat` says: a file of /proc or /sys says 0 or
        // 4096 bytes and may give more, or block.
        let handle = match input_file::open_regular(&self.0.path) {
            Ok((handle, meta)) => handle.take(meta.len()),
            Err(StepError::Blocked(_)) if self.0.allow_special_file => return Vec::new(),
            Err(StepError::Blocked(refusal)) => {
                return vec![crate::lint::at_step(runbook, step, &refusal)];
            }
            Err(_) => return Vec::new(),
        };
        let reader = script::file_reader(std::io::BufReader::new(handle), runbook, &self.0);
        crate::lint::scan(reader, &self.origin(), &step.id)
    }
}

impl SqlFileStep {
    async fn load_here(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let (file, examined) = self.open_for_step(cx).await?;
        let size = examined.size();
        let special = examined.special.is_some();
        let hashing = HashingReader::new(file);
        let digest = hashing.digest_handle();
        let origin = self.origin();
        // Full-size reads keep the lexer fast (it slows down badly on short reads).
        let buffered = std::io::BufReader::with_capacity(READ_BUFFER, hashing);
        let reader = script::file_reader(buffered, cx.runbook(), &self.0);
        let options = script::load_options(
            &origin,
            self.0.on_error,
            self.0.single_transaction,
            size,
            self.0.show_rows,
        );
        cx.log(format!(
            "loading {} ({size} bytes) via client{}",
            self.0.path.display(),
            if self.0.single_transaction {
                ", single transaction"
            } else {
                ""
            }
        ));
        let mut observer = EvidenceObserver::new(cx.output(), origin.clone());
        let mut session = cx.script_session().await?;
        let result = session.load_script(reader, &options, &mut observer).await;
        match result {
            Ok(summary) => Ok(script::loaded(
                &summary,
                self.input_record(&digest, size, special).await,
            )),
            Err(error) => {
                let not_sql = refused_as_not_sql(&error);
                let error = script::load_failure(error, &origin, self.0.single_transaction);
                // A cancelled load is the runner's to report (interrupted or timed out), and
                // at once: hashing the rest of a dump the operator gave up on would hold the
                // run for as long as reading it takes.
                if matches!(error, StepError::Interrupted) {
                    return Err(error);
                }
                // A failed load still says which file (by digest) it was: the reviewer needs
                // it most then. Not a file the reader refused as not SQL (a NUL byte, an
                // endless statement): reading all of it again is what the refusal spared.
                let input = if not_sql {
                    None
                } else {
                    self.input_record(&digest, size, special).await
                };
                let mut outcome = crate::outcome::outcome_of(Err(error), cx.mode(), &cx.output());
                outcome.inputs.extend(input);
                Ok(outcome)
            }
        }
    }

    /// The file's digest: from the load when it read everything, else by reading it again
    /// (not a special file: what it gives a second time is another content, or never ends).
    async fn input_record(
        &self,
        digest: &Arc<Mutex<Option<Sha256>>>,
        size: u64,
        special: bool,
    ) -> Option<InputFile> {
        let path = self.0.path.clone();
        let sha256 = match finished_digest(digest) {
            Some(sha256) => sha256,
            None if special => return None,
            None => tokio::task::spawn_blocking(move || hash_file(&path).ok().map(|d| d.sha256))
                .await
                .ok()
                .flatten()?,
        };
        Some(InputFile {
            path: self.0.path.display().to_string(),
            size,
            sha256,
        })
    }

    async fn load_in_container(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let container = cx.container_of(None)?;
        let target = cx.target_name()?.to_owned();
        let spec = cx.resources.connection_spec(&target).await?;
        let local = self.0.path.clone();
        // The copy is a tar entry, which states its size first: an allowed special file is
        // read into a private temporary file first (off the runtime, under the timeout).
        let examined = input_file::examine(&local, self.0.allow_special_file)?;
        let spooled = match examined.special {
            Some(_) => Some(input_file::spool(&local, &cx.cancellation()).await?),
            None => None,
        };
        let readable = spooled.as_ref().map_or(local.clone(), |s| s.path.clone());
        // psql would load a truncated dump's partial rows, run a cut-off last statement or
        // send NUL bytes: the file is read here first and refused as the client loader
        // refuses it, before anything reaches the container.
        refuse_what_the_loader_refuses(&readable, &self.origin(), cx, &self.0).await?;
        let dest = format!("/tmp/runbook-{}-{}.sql", cx.step().id, std::process::id());
        let variables = self.variables(cx.runbook());
        let mut cmd = vec!["psql".to_owned(), "-X".to_owned()];
        if self.0.on_error == OnError::Stop || self.0.single_transaction {
            cmd.extend(["-v".to_owned(), "ON_ERROR_STOP=1".to_owned()]);
        }
        if self.0.single_transaction {
            cmd.push("-1".to_owned());
        }
        // The variables (a password among them, often) go in a file of `\set` lines run
        // first, not as `-v NAME=VALUE`: a command line is visible to every process in the
        // container (`ps`) and in the exec's record.
        let prelude = if variables.is_empty() {
            None
        } else {
            let dest = format!(
                "/tmp/runbook-{}-{}-vars.sql",
                cx.step().id,
                std::process::id()
            );
            Some((
                VariablesFile::write(&variables).map_err(StepError::failed)?,
                dest,
            ))
        };
        cmd.extend([
            "-U".to_owned(),
            spec.user().to_owned(),
            "-d".to_owned(),
            spec.dbname().to_owned(),
        ]);
        if let Some((_, prelude_dest)) = &prelude {
            cmd.extend(["-f".to_owned(), prelude_dest.clone()]);
        }
        cmd.extend(["-f".to_owned(), dest.clone()]);
        let mut exec = ExecSpec::new(cmd);
        if let Some(password) = spec.password() {
            exec = exec.env("PGPASSWORD", password);
        }
        let output = cx.output();
        let cancel = cx.cancellation();
        let docker = cx.docker().await?;
        if let Some((file, prelude_dest)) = &prelude {
            let copied = docker
                .copy_file_into(&container, &file.path, prelude_dest, 0o600, Owner::POSTGRES)
                .await;
            if let Err(error) = copied {
                remove_copy(docker, &container, prelude_dest, &output).await;
                return Err(error.into());
            }
        }
        let prelude_dest = prelude.as_ref().map(|(_, dest)| dest.clone());
        drop(prelude);
        // The postgres account of the official image (and of runbook/postgres) can read it;
        // root can read anything: both ways of exec'ing work, and nobody else can.
        let copying = docker.copy_file_into(&container, &readable, &dest, 0o600, Owner::POSTGRES);
        // Copying a dump of gigabytes outlasts the runner's grace: on Ctrl-C or a timeout it is
        // abandoned at once, and what arrived of it (patient data) is removed like a copy that
        // failed half-way.
        let copied = tokio::select! {
            copied = copying => copied.map_err(StepError::from),
            () = cancel.cancelled() => Err(StepError::Interrupted),
        };
        let copied = match copied {
            Ok(copied) => copied,
            Err(error) => {
                remove_copy(docker, &container, &dest, &output).await;
                if let Some(prelude_dest) = &prelude_dest {
                    remove_copy(docker, &container, prelude_dest, &output).await;
                }
                return Err(error);
            }
        };
        output.log(format!(
            "copied {} ({} bytes, sha256 {}) to {container}:{dest}",
            local.display(),
            copied.bytes,
            copied.sha256
        ));
        output.log(format!(
            "$ docker exec {container} {}",
            exec.display_command()
        ));
        let shown_local = local.display().to_string();
        // psql's output (a script's SELECTs and \echo) is capped like container_exec's.
        let captured = CommandOutput::new(output.clone(), None).rewriting(&dest, &shown_local);
        let mut out_lines = captured.stream("stdout");
        let mut err_lines = captured.stream("stderr");
        let mut on_output = |stream: OutputStream, chunk: &[u8]| match stream {
            OutputStream::Stdout => out_lines.push(chunk),
            _ => err_lines.push(chunk),
        };
        // Ctrl-C or the step's timeout stops psql inside the container too (SIGTERM, then
        // SIGKILL); dropping the exec would leave it running there.
        let result = docker
            .exec_cancellable(
                &container,
                &exec,
                &mut on_output,
                cancel.cancelled_owned(),
                PSQL_GRACE,
            )
            .await;
        out_lines.finish();
        err_lines.finish();
        captured.finish();
        // Remove the copy whatever happened: a dump may hold patient data.
        let removed = remove_copy(docker, &container, &dest, &output).await;
        if let Some(prelude_dest) = &prelude_dest {
            remove_copy(docker, &container, prelude_dest, &output).await;
        }
        let code = match result? {
            ExecEnd::Exited(code) => code,
            ExecEnd::Cancelled { .. } => {
                output.log("psql in the container was stopped: the step was cancelled");
                return Err(StepError::Interrupted);
            }
        };
        let input = InputFile {
            path: shown_local.clone(),
            size: copied.bytes,
            sha256: copied.sha256.clone(),
        };
        let details = serde_json::json!({
            "via": "container",
            "container": container,
            "exit_code": code,
            "copy_removed": removed,
        });
        if code == 0 {
            let mut outcome = StepOutcome::new(
                StepStatus::Passed,
                format!("psql -f in {container} exited 0"),
            );
            outcome.inputs.push(input);
            outcome.details = details;
            return Ok(outcome);
        }
        let meaning = match code {
            1 => "a fatal error of psql itself (file not readable, bad option)",
            2 => "the connection to the server was lost",
            3 => "an error in the script (ON_ERROR_STOP)",
            _ => "an unexpected exit code",
        };
        let mut record = ErrorRecord::new(format!(
            "psql in container {container} exited {code}: {meaning}; see output.log for psql's message"
        ));
        record.file = Some(shown_local);
        let mut outcome =
            StepOutcome::new(StepStatus::Failed, format!("failed: {}", record.message));
        outcome.error = Some(record);
        outcome.inputs.push(input);
        outcome.details = details;
        Ok(outcome)
    }
}

/// Removes the copy of the script from the container, saying so in the log either way.
async fn remove_copy(
    docker: &DockerClient,
    container: &str,
    dest: &str,
    output: &StepOutput,
) -> bool {
    match docker.remove_path_in(container, dest).await {
        Ok(()) => {
            output.log(format!("removed {container}:{dest}"));
            true
        }
        Err(error) => {
            output.log(format!(
                "warning: could not remove {container}:{dest}: {error}"
            ));
            false
        }
    }
}

/// Hashes what passes through, so the file is read once for loading and for its digest. The
/// digest is only taken when the whole file went through.
struct HashingReader<R> {
    inner: R,
    hasher: Option<Sha256>,
    done: Arc<Mutex<Option<Sha256>>>,
}

impl<R: Read> HashingReader<R> {
    fn new(inner: R) -> Self {
        HashingReader {
            inner,
            hasher: Some(Sha256::new()),
            done: Arc::new(Mutex::new(None)),
        }
    }

    fn digest_handle(&self) -> Arc<Mutex<Option<Sha256>>> {
        Arc::clone(&self.done)
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(hasher) = self.hasher.as_mut() {
            if n == 0 {
                let finished = self.hasher.take().expect("checked above");
                *self.done.lock().unwrap_or_else(|p| p.into_inner()) = Some(finished);
            } else {
                hasher.update(&buf[..n]);
            }
        }
        Ok(n)
    }
}

fn finished_digest(handle: &Arc<Mutex<Option<Sha256>>>) -> Option<String> {
    let hasher = handle.lock().unwrap_or_else(|p| p.into_inner()).take()?;
    Some(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The loader stopped because the file is not a SQL script (a NUL byte) or holds a statement
/// over `max_statement_bytes`.
fn refused_as_not_sql(error: &runbook_postgres::LoadError) -> bool {
    use runbook_sql::ScanErrorKind;
    error.script_error().is_some_and(|e| {
        matches!(
            &e.kind,
            runbook_postgres::ScriptErrorKind::Scan(
                ScanErrorKind::NulByte
                    | ScanErrorKind::StatementTooLong { .. }
                    | ScanErrorKind::CopyLineTooLong { .. }
            )
        )
    })
}

/// Reads the script as `via: client` would and fails at the first error that makes the client
/// loader refuse the file (a NUL byte, COPY data or a last statement cut off at end of file, a
/// statement over `max_statement_bytes`), so `via: container` is no laxer than `via: client`.
/// Invalid UTF-8 is left to psql, which may be told another encoding.
async fn refuse_what_the_loader_refuses(
    path: &std::path::Path,
    origin: &Origin,
    cx: &StepContext<'_>,
    step: &SqlFile,
) -> Result<(), StepError> {
    let file = File::open(path).map_err(|e| StepError::io(path, e))?;
    let mut reader = script::file_reader(
        std::io::BufReader::with_capacity(READ_BUFFER, file),
        cx.runbook(),
        step,
    );
    let scanning = tokio::task::spawn_blocking(move || {
        reader
            .by_ref()
            .filter_map(Result::err)
            .find(runbook_sql::ScanError::is_fatal)
    });
    let cancel = cx.cancellation();
    let found = tokio::select! {
        found = scanning => {
            found.map_err(|e| StepError::failed(format!("script reader task failed: {e}")))?
        }
        () = cancel.cancelled() => return Err(StepError::Interrupted),
    };
    match found {
        Some(error) if !matches!(error.kind, runbook_sql::ScanErrorKind::InvalidUtf8 { .. }) => {
            let (file, line, column) = origin.locate(error.position);
            let mut record = ErrorRecord::new(format!("{file}:{line}:{column}: {}", error.kind));
            record.file = Some(file);
            record.line = Some(line);
            record.column = Some(column);
            Err(StepError::Failed(Box::new(record)))
        }
        _ => Ok(()),
    }
}

/// A private local file of psql `\set` commands for a script's variables, removed on drop.
struct VariablesFile {
    path: std::path::PathBuf,
}

impl VariablesFile {
    fn write(variables: &std::collections::BTreeMap<String, String>) -> Result<Self, String> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let path =
            std::env::temp_dir().join(format!("runbook-vars-{}-{nanos}.sql", std::process::id()));
        let mut text = String::new();
        for (name, value) in variables {
            text.push_str(&format!("\\set {name} '{}'\n", psql_quote(value)));
        }
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        let written = file.write_all(text.as_bytes());
        let file = VariablesFile { path };
        written.map_err(|e| format!("cannot write {}: {e}", file.path.display()))?;
        Ok(file)
    }
}

impl Drop for VariablesFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A value inside a single-quoted psql meta-command argument: `'` doubled, backslash and line
/// breaks escaped (psql reads `\\`, `\n`, `\r` there).
fn psql_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}
