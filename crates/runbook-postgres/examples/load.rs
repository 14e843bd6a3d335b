//! Loads psql scripts with the runbook loader, for `scripts/bench-load`: `load URL FILE...`
//! loads the files in order (`on_error: stop`) and prints the wall time in milliseconds and the
//! process's peak resident memory in KiB.

use std::io::{BufReader, Write};
use std::process::ExitCode;
use std::time::Instant;

use runbook_postgres::{ConnectionSpec, LoadOptions, NoopObserver, ProcessEnv, Session};
use runbook_sql::ScriptReader;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((url, files)) = args.split_first() else {
        let _ = writeln!(std::io::stderr(), "usage: load URL FILE...");
        return ExitCode::from(2);
    };
    match run(url, files).await {
        Ok(millis) => {
            let _ = writeln!(std::io::stdout(), "{millis} {}", peak_rss_kib());
            ExitCode::SUCCESS
        }
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "load: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(url: &str, files: &[String]) -> Result<u128, String> {
    let started = Instant::now();
    let spec = ConnectionSpec::parse(url, &ProcessEnv).map_err(|e| e.to_string())?;
    let mut session = Session::connect(&spec).await.map_err(|e| e.to_string())?;
    for file in files {
        let input = std::fs::File::open(file).map_err(|e| format!("{file}: {e}"))?;
        let reader = ScriptReader::new(BufReader::with_capacity(64 * 1024, input));
        session
            .load_script(
                reader,
                &LoadOptions::named(file.as_str()),
                &mut NoopObserver,
            )
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(started.elapsed().as_millis())
}

/// VmHWM from /proc/self/status: the peak resident set size.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .split('\n')
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
