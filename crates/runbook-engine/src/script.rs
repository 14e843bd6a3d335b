//! What the `sql` and `sql_file` steps share: psql scripts read by `runbook-sql`, loaded by
//! `runbook-postgres`, reported in evidence by statement and position.
//!
//! In run mode each completed statement becomes one line of `output.log` with its place in the
//! file; errors keep the server's SQLSTATE, DETAIL, HINT and CONTEXT and point at the error
//! inside the file (for inline SQL, at the runbook line). In check mode the script is read, not
//! executed: the statements are counted, the ones that destroy data are named with what they
//! would destroy right now, and a script psql could not run (an unsupported meta-command, an
//! unterminated quote) is reported as a step that would fail.

use std::collections::BTreeMap;
use std::io::Read;

use indexmap::IndexMap;
use runbook_evidence::{ErrorRecord, InputFile, StepOutcome, StepStatus};
use runbook_postgres::load::{
    LoadObserver, LoadOptions, LoadSummary, ResultTable, StatementOutcome, split_cut_value,
};
use runbook_postgres::{LoadError, LoadErrorKind, ScriptError, ScriptErrorKind};
use runbook_spec::{Runbook, TextOrigin};
use runbook_sql::analysis::{ConsentAnalyzer, Effect, Risk, classify};
use runbook_sql::{Item, Position, ReaderOptions, ScriptReader};

use crate::blast;
use crate::context::StepContext;
use crate::errors::StepError;
use crate::output::StepOutput;
use crate::text::plural;

/// Where a script's positions are shown: a SQL file, or SQL written inside the runbook.
#[derive(Debug, Clone)]
pub(crate) enum Origin {
    File(String),
    Inline { runbook: String, origin: TextOrigin },
}

impl Origin {
    /// The file, line and column a reader position is shown at.
    pub(crate) fn locate(&self, p: Position) -> (String, u32, u32) {
        match self {
            Origin::File(name) => (name.clone(), p.line, p.column),
            Origin::Inline { runbook, origin } => {
                let at = origin.position_of(p.line, p.column);
                (runbook.clone(), at.line, at.column)
            }
        }
    }

    pub(crate) fn show(&self, p: Position) -> String {
        let (file, line, column) = self.locate(p);
        format!("{file}:{line}:{column}")
    }

    /// The name the loader uses in its own messages.
    pub(crate) fn source_name(&self) -> String {
        match self {
            Origin::File(name) => name.clone(),
            Origin::Inline { runbook, .. } => format!("{runbook} (sql)"),
        }
    }
}

/// The psql variables a script of the runbook sees, as `psql -v` would set them: the
/// runbook's vars, and a `sql_file` step's own `variables` over them. `validate`, `check` and
/// `run` all take them from here, so they read a script alike.
pub(crate) fn variables(
    runbook: &Runbook,
    own: &IndexMap<String, String>,
) -> BTreeMap<String, String> {
    runbook
        .vars
        .iter()
        .chain(own)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// A reader with the given psql variables (see [`variables`]).
pub(crate) fn reader<R: Read>(input: R, variables: BTreeMap<String, String>) -> ScriptReader<R> {
    let options = ReaderOptions {
        variables,
        ..ReaderOptions::default()
    };
    ScriptReader::with_options(input, options)
}

/// A `sql_file` step's script: its psql variables (see [`variables`]), its
/// `max_statement_bytes` and a refusal of a cut-off last statement, alike in `validate`,
/// `check` and `run`.
pub(crate) fn file_reader<R: Read>(
    input: R,
    runbook: &Runbook,
    step: &runbook_spec::SqlFile,
) -> ScriptReader<R> {
    let options = ReaderOptions {
        variables: variables(runbook, &step.variables),
        max_statement_bytes: step.max_statement_bytes,
        // A file that ends inside a statement is a dump cut off in transfer more often than a
        // script missing its last ';' (see ReaderOptions).
        final_statement_needs_semicolon: true,
        ..ReaderOptions::default()
    };
    ScriptReader::with_options(input, options)
}

/// How the loader runs a script of a step: `on_error`, `single_transaction` and `show_rows` as
/// the runbook says, positions named after `origin`, progress out of `total_bytes`.
pub(crate) fn load_options(
    origin: &Origin,
    on_error: runbook_spec::OnError,
    single_transaction: bool,
    total_bytes: u64,
    show_rows: usize,
) -> LoadOptions {
    LoadOptions {
        source_name: origin.source_name(),
        on_error: match on_error {
            runbook_spec::OnError::Stop => runbook_postgres::load::OnError::Stop,
            runbook_spec::OnError::Continue => runbook_postgres::load::OnError::Continue,
        },
        transaction: if single_transaction {
            runbook_postgres::load::Transaction::Single
        } else {
            runbook_postgres::load::Transaction::None
        },
        total_bytes: Some(total_bytes),
        show_rows,
    }
}

/// How many NOTICE-or-below messages (NOTICE, INFO, LOG, DEBUG) one step keeps in its log; the
/// rest are counted. The session keeps 1000 a statement, but a script has many statements: a
/// thousand statements each raising a thousand 8 KiB notices was gigabytes of evidence.
pub(crate) const MAX_NOTICES_PER_STEP: usize = 10_000;
/// How many WARNING-or-worse messages one step keeps: a budget of their own, so that a flood of
/// notices never costs a warning its place.
pub(crate) const MAX_WARNINGS_PER_STEP: usize = 10_000;

/// Logs each statement as it completes.
pub(crate) struct EvidenceObserver {
    pub output: StepOutput,
    pub origin: Origin,
    kept_notices: usize,
    kept_warnings: usize,
    dropped_notices: usize,
    dropped_warnings: usize,
}

impl EvidenceObserver {
    pub(crate) fn new(output: StepOutput, origin: Origin) -> EvidenceObserver {
        EvidenceObserver {
            output,
            origin,
            kept_notices: 0,
            kept_warnings: 0,
            dropped_notices: 0,
            dropped_warnings: 0,
        }
    }

    /// Whether the step's budget for `severity` has room; counts the message either way.
    fn keep(&mut self, severity: &str) -> bool {
        let serious = matches!(severity, "WARNING" | "ERROR" | "FATAL" | "PANIC");
        let (kept, dropped, limit, what) = if serious {
            (
                &mut self.kept_warnings,
                &mut self.dropped_warnings,
                MAX_WARNINGS_PER_STEP,
                "warnings",
            )
        } else {
            (
                &mut self.kept_notices,
                &mut self.dropped_notices,
                MAX_NOTICES_PER_STEP,
                "notices",
            )
        };
        if *kept < limit {
            *kept += 1;
            return true;
        }
        *dropped += 1;
        if *dropped == 1 {
            self.output.log(format!(
                "  (this step kept {limit} {what}; later ones are counted, not kept)"
            ));
        }
        false
    }
}

/// The counts of what the step's budget left out, as the last lines of its log.
impl Drop for EvidenceObserver {
    fn drop(&mut self) {
        if self.dropped_warnings > 0 {
            self.output.log(format!(
                "  {} more warnings of this step were not kept (at most {MAX_WARNINGS_PER_STEP})",
                self.dropped_warnings
            ));
        }
        if self.dropped_notices > 0 {
            self.output.log(format!(
                "  {} more notices of this step were not kept (at most {MAX_NOTICES_PER_STEP})",
                self.dropped_notices
            ));
        }
    }
}

impl LoadObserver for EvidenceObserver {
    fn statement(&mut self, outcome: &StatementOutcome<'_>) {
        let rows = match outcome.rows {
            Some(rows)
                if outcome.tag.starts_with("COPY")
                    || outcome.tag.starts_with("INSERT")
                    || outcome.tag.starts_with("UPDATE")
                    || outcome.tag.starts_with("DELETE")
                    || outcome.tag.starts_with("SELECT") =>
            {
                format!("  {rows} row{}", plural(rows))
            }
            _ => String::new(),
        };
        self.output.log(format!(
            "{}  {}{rows}  ({:.1} ms)  {}",
            self.origin.show(outcome.start),
            outcome.tag,
            outcome.duration.as_secs_f64() * 1000.0,
            statement_text(outcome.text, &self.output)
        ));
        // The rows, as psql would have printed them under the statement, masked before they
        // are laid out: the columns are as wide as what is shown, and a secret cut in two at
        // a value's cap is masked too.
        for table in outcome.results {
            for line in redacted_table(table, &self.output).psql_lines() {
                self.output.log(line);
            }
        }
        for notice in outcome.notices {
            if !self.keep(&notice.severity) {
                continue;
            }
            self.output
                .log(format!("  {}:  {}", notice.severity, notice.message));
            for line in notice.extra_lines() {
                self.output.log(format!("  {line}"));
            }
        }
    }

    fn error(&mut self, error: &ScriptError) {
        let record = script_error_record(error, &self.origin);
        let location = record
            .location()
            .map(|l| format!("{l}: "))
            .unwrap_or_default();
        self.output
            .log(format!("error: {location}{}", record.message));
    }

    fn echo(&mut self, text: &str, position: Position) {
        self.output
            .log(format!("{}  \\echo {text}", self.origin.show(position)));
    }

    fn connected(&mut self, spec: &runbook_postgres::ConnectionSpec, position: Position) {
        self.output.log(format!(
            "{}  \\connect {}",
            self.origin.show(position),
            spec.redacted()
        ));
    }

    fn progress(&mut self, bytes_read: u64, total: Option<u64>) {
        self.output.progress(bytes_read, total);
    }
}

/// Characters of a statement's text shown on its log line.
pub(crate) const STATEMENT_TEXT_CHARS: usize = 200;
/// Bytes of a statement's text looked at for its log line: the secrets are masked in this
/// much (a statement may be megabytes), then it is put on one line and cut.
const STATEMENT_TEXT_WINDOW: usize = 8 << 10;

/// A statement's text for its log line: on one line (every run of white space, line breaks
/// included, as one space; other control characters as `\xHH`), its first
/// [`STATEMENT_TEXT_CHARS`] characters, `...` when there is more. Secrets are masked before it
/// is cut, so that none is shown in part.
pub(crate) fn statement_text(text: &str, output: &StepOutput) -> String {
    let text = text.trim();
    let mut end = text.len().min(STATEMENT_TEXT_WINDOW);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let window_cut = end < text.len();
    let masked = output.redact_piece(&text[..end], false, window_cut);
    let mut out = String::new();
    let mut chars = 0;
    let mut space = false;
    for c in masked.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if chars >= STATEMENT_TEXT_CHARS {
            out.push_str(" ...");
            return out;
        }
        if space {
            out.push(' ');
            chars += 1;
            space = false;
        }
        if c.is_control() {
            out.push_str(&format!("\\x{:02X}", c as u32));
        } else {
            out.push(c);
        }
        chars += 1;
    }
    if window_cut {
        out.push_str(" ...");
    }
    out
}

/// A copy of a result with the run's secrets masked in its column names and values (a value
/// cut at its cap also where a secret is cut in two), to be laid out as shown.
fn redacted_table(table: &ResultTable, output: &StepOutput) -> ResultTable {
    let mut shown = table.clone();
    for column in &mut shown.columns {
        column.name = output.redact(&column.name);
    }
    for value in shown.rows.iter_mut().flatten().flatten() {
        let masked = match split_cut_value(value) {
            (kept, Some(note)) => format!("{}{note}", output.redact_piece(kept, false, true)),
            (whole, None) => output.redact(whole),
        };
        *value = masked;
    }
    shown
}

/// The evidence form of a script error, positioned in the file a person can open. The
/// position lives in the record's fields, not in its message: whoever shows the record adds
/// it once (`ErrorRecord::location`).
pub(crate) fn script_error_record(error: &ScriptError, origin: &Origin) -> ErrorRecord {
    let (file, line, column) = origin.locate(error.position);
    let shown = error.to_string();
    let prefix = format!(
        "{}:{}:{}: ",
        error.source_name, error.position.line, error.position.column
    );
    let body = shown.strip_prefix(&prefix).unwrap_or(&shown);
    let mut record = ErrorRecord::new(body);
    record.file = Some(file);
    record.line = Some(line);
    record.column = Some(column);
    match &error.kind {
        ScriptErrorKind::Server(failure) => {
            record.sqlstate = Some(failure.server.code.clone());
            record.detail = failure.server.detail.clone();
            record.hint = failure.server.hint.clone();
            record.context = failure.server.context.clone();
        }
        ScriptErrorKind::Query(query) => {
            record.sqlstate = query.sqlstate().map(str::to_owned);
        }
        _ => {}
    }
    record
}

/// The outcome of a load that finished (with `on_error: continue`, possibly with errors).
pub(crate) fn loaded(summary: &LoadSummary, input: Option<InputFile>) -> StepOutcome {
    let mut text = format!(
        "{} statement{} in {:.1}s",
        summary.statements,
        plural(summary.statements),
        summary.duration.as_secs_f64()
    );
    if summary.rows_copied > 0 {
        text.push_str(&format!(
            ", {} rows copied",
            crate::blast::group(summary.rows_copied)
        ));
    }
    if summary.error_count > 0 {
        text.push_str(&format!(
            ", {} error{} (on_error: continue)",
            summary.error_count,
            plural(summary.error_count)
        ));
    }
    let mut outcome = StepOutcome::new(StepStatus::Passed, text);
    outcome.details = serde_json::json!({
        "statements": summary.statements,
        "rows_copied": summary.rows_copied,
        "bytes_read": summary.bytes_read,
        "errors": summary.error_count,
        "duration_ms": summary.duration.as_millis() as u64,
    });
    outcome.inputs.extend(input);
    outcome
}

/// Turns a stopped load into the step's error.
pub(crate) fn load_failure(
    error: LoadError,
    origin: &Origin,
    single_transaction: bool,
) -> StepError {
    match error.kind {
        LoadErrorKind::Script(script) => {
            let mut record = script_error_record(&script, origin);
            // The summary counts the failed statement too, when a statement failed.
            let failed_statement = matches!(
                script.kind,
                ScriptErrorKind::Server(_) | ScriptErrorKind::Query(_)
            );
            let done = error
                .summary
                .statements
                .saturating_sub(u64::from(failed_statement));
            let note = if single_transaction {
                " (single transaction: rolled back, nothing was kept)".to_owned()
            } else {
                format!(" (after {done} statement{} succeeded)", plural(done))
            };
            // On the first line, before the server's LINE/caret excerpt.
            record.message = match record.message.split_once('\n') {
                Some((first, rest)) => format!("{first}{note}\n{rest}"),
                None => format!("{}{note}", record.message),
            };
            StepError::Failed(Box::new(record))
        }
        LoadErrorKind::Cancelled { .. } => StepError::Interrupted,
        other => StepError::failed(other.to_string()),
    }
}

/// Check mode: read the whole script without running it and say what it would do.
pub(crate) async fn describe<R: Read + Send + 'static>(
    cx: &mut StepContext<'_>,
    reader: ScriptReader<R>,
    origin: Origin,
) -> Result<StepOutcome, StepError> {
    let cancel = cx.cancellation();
    // Split the script as the server will have it read: its real standard_conforming_strings.
    let mut reader = reader;
    if let Ok(session) = cx.session().await {
        reader.set_standard_conforming_strings(session.standard_conforming_strings());
    }
    let scanning = tokio::task::spawn_blocking(move || scan(reader));
    // Reading a dump of gigabytes takes a while, and a blocking thread cannot be stopped: on
    // Ctrl-C or a timeout the step ends at once and leaves the reader to finish on its own.
    let scan = tokio::select! {
        scan = scanning => {
            scan.map_err(|e| StepError::failed(format!("script reader task failed: {e}")))?
        }
        () = cancel.cancelled() => return Err(StepError::Interrupted),
    };
    let mut counts: Vec<(String, u64)> = scan.counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let listing: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
    cx.log(format!(
        "would run {} statement{}: {}",
        scan.statements,
        plural(scan.statements as u64),
        listing.join(", ")
    ));
    if scan.copy_rows > 0 {
        cx.log(format!("COPY data: {} rows", scan.copy_rows));
    }
    // Ready means the target answers (and no other run holds it), not only that the script
    // reads well; a target brought up by an earlier step cannot answer yet.
    let unreachable = match cx.session().await {
        Ok(_) => None,
        Err(StepError::Deferred(reason)) => {
            cx.log(format!("target not inspected: {reason}"));
            Some(reason)
        }
        Err(error) => return Err(error),
    };
    // What an earlier step creates or drops is not there yet: the measure is of the target as
    // it is now, and says so.
    let measured_now = cx
        .target_changed_earlier()
        .map(|target| format!(" (measured now; an earlier step changes target '{target}' first)"))
        .unwrap_or_default();
    let mut destructive = Vec::new();
    for (position, keywords, what) in &scan.destructive {
        let shown = origin.show(*position);
        let radius = match &unreachable {
            None => format!(
                "{}{measured_now}",
                blast::describe(cx.session().await?, what).await
            ),
            Some(reason) => format!("(not measured: {reason})"),
        };
        cx.log(format!("destructive  {shown}  {keywords}: {radius}"));
        destructive.push(format!("{keywords} at {shown}: {radius}"));
    }
    if let Some((position, message)) = scan.error {
        return Err(StepError::Failed(Box::new({
            let (file, line, column) = origin.locate(position);
            let mut record = ErrorRecord::new(message);
            record.file = Some(file);
            record.line = Some(line);
            record.column = Some(column);
            record
        })));
    }
    // What the keyword description above does not name but consent would ask for: DO
    // blocks, calls of functions that may write, ALTER ... DROP COLUMN, and the like.
    for (position, reason) in &scan.consent {
        let shown = origin.show(*position);
        cx.log(format!("needs consent  {shown}  {reason}"));
        destructive.push(format!("{reason} at {shown}"));
    }
    if scan.consent_unlisted > 0 {
        let more = scan.consent_unlisted;
        cx.log(format!(
            "needs consent  {more} more statement{}",
            plural(more)
        ));
        destructive.push(format!(
            "{more} more statement{} needing consent",
            plural(more)
        ));
    }
    let statements = format!(
        "{} statement{}",
        scan.statements,
        plural(scan.statements as u64)
    );
    let summary = if destructive.is_empty() {
        format!("would run {statements}; none destructive")
    } else {
        format!(
            "would run {statements}; destructive: {}",
            destructive.join("; ")
        )
    };
    let mut outcome = StepOutcome::new(StepStatus::Passed, summary);
    outcome.details = serde_json::json!({
        "statements": scan.statements,
        "by_command": counts.iter().map(|(k, n)| serde_json::json!({"command": k, "count": n})).collect::<Vec<_>>(),
        "copy_rows": scan.copy_rows,
        "destructive": destructive,
    });
    Ok(outcome)
}

struct Scan {
    statements: u64,
    counts: BTreeMap<String, u64>,
    copy_rows: u64,
    destructive: Vec<(Position, String, runbook_sql::analysis::Destructive)>,
    /// Statements that are not destructive by their keywords but cannot be proven harmless.
    consent: Vec<(Position, String)>,
    consent_unlisted: u64,
    error: Option<(Position, String)>,
}

/// Statements needing consent that check mode names one by one; the rest are counted, so a
/// script of a million UPDATEs does not fill memory or the log.
const LISTED_CONSENT: usize = 100;

fn scan<R: Read>(reader: ScriptReader<R>) -> Scan {
    let mut scan = Scan {
        statements: 0,
        counts: BTreeMap::new(),
        copy_rows: 0,
        destructive: Vec::new(),
        consent: Vec::new(),
        consent_unlisted: 0,
        error: None,
    };
    let mut analyzer = ConsentAnalyzer::new();
    for item in reader {
        match item {
            Ok(Item::Statement(statement)) => {
                scan.statements += 1;
                let class = classify(&statement.text);
                *scan.counts.entry(class.keywords.clone()).or_default() += 1;
                let risk =
                    analyzer.statement(&statement.text, statement.standard_conforming_strings);
                if let Effect::Destructive(what) = class.effect {
                    scan.destructive
                        .push((statement.start, class.keywords, what));
                } else if let Risk::NeedsConsent(reason) = risk {
                    if scan.consent.len() < LISTED_CONSENT {
                        scan.consent.push((statement.start, reason));
                    } else {
                        scan.consent_unlisted += 1;
                    }
                }
            }
            Ok(Item::CopyData(data)) => {
                scan.copy_rows += data.bytes.iter().filter(|&&b| b == b'\n').count() as u64;
            }
            Ok(_) => {}
            Err(error) => {
                if scan.error.is_none() {
                    scan.error = Some((error.position, error.kind.to_string()));
                }
                if error.is_fatal() {
                    break;
                }
            }
        }
    }
    scan
}
