//! Helpers shared by the loader tests: a recording observer and one-call loads.

use std::io::Cursor;
use std::time::Duration;

use runbook_postgres::{
    ConnectionSpec, LoadError, LoadObserver, LoadOptions, LoadSummary, ScriptError, ServerMessage,
    Session, StatementOutcome,
};
use runbook_sql::{Position, ScriptReader};

/// One completed statement, as the observer saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub tag: String,
    pub line: u32,
    pub rows: Option<u64>,
    pub notices: Vec<ServerMessage>,
    pub duration: Duration,
}

/// Records everything a load reports.
#[derive(Debug, Default)]
pub struct Recorder {
    pub statements: Vec<Seen>,
    pub errors: Vec<String>,
    pub echoes: Vec<(String, u32)>,
    pub copy_out: Vec<u8>,
    pub connected: Vec<String>,
    pub progress: Vec<u64>,
}

impl LoadObserver for Recorder {
    fn statement(&mut self, outcome: &StatementOutcome<'_>) {
        self.statements.push(Seen {
            tag: outcome.tag.to_owned(),
            line: outcome.start.line,
            rows: outcome.rows,
            notices: outcome.notices.to_vec(),
            duration: outcome.duration,
        });
    }

    fn error(&mut self, error: &ScriptError) {
        self.errors.push(error.to_string());
    }

    fn echo(&mut self, text: &str, position: Position) {
        self.echoes.push((text.to_owned(), position.line));
    }

    fn copy_out(&mut self, data: &[u8]) {
        self.copy_out.extend_from_slice(data);
    }

    fn connected(&mut self, spec: &ConnectionSpec, _position: Position) {
        self.connected.push(spec.dbname().to_owned());
    }

    fn progress(&mut self, bytes_read: u64, _total: Option<u64>) {
        self.progress.push(bytes_read);
    }
}

/// Loads `script` (named `source_name`) with `options` over `session`.
pub async fn load_text(
    session: &mut Session,
    script: &str,
    options: &LoadOptions,
) -> (Result<LoadSummary, LoadError>, Recorder) {
    let mut recorder = Recorder::default();
    let reader = ScriptReader::new(Cursor::new(script.as_bytes().to_vec()));
    let result = session.load_script(reader, options, &mut recorder).await;
    (result, recorder)
}

/// The single value of a query, for checks.
pub async fn value(session: &Session, sql: &str) -> Option<String> {
    let rows = session
        .simple_query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.single_value().flatten().map(str::to_owned)
}

/// Loads the file at `path` with `on_error: stop` and panics with the error if it fails.
pub async fn load_file_ok(session: &mut Session, path: &std::path::Path) -> LoadSummary {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let reader = ScriptReader::new(std::io::BufReader::new(file));
    let options = LoadOptions::named(path.display().to_string());
    session
        .load_script(reader, &options, &mut runbook_postgres::NoopObserver)
        .await
        .unwrap_or_else(|e| panic!("the loader failed on {}:\n{e}", path.display()))
}
