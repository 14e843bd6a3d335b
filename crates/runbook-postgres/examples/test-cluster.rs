//! The program behind `scripts/test-cluster`: start, stop, inspect or locate the PostgreSQL
//! cluster that the whole test run shares (see `runbook_testkit::postgres`).

use std::io::Write;
use std::process::ExitCode;

use runbook_testkit::postgres::{cluster_status, ensure_cluster, stop_cluster};

fn main() -> ExitCode {
    let command = std::env::args().nth(1).unwrap_or_default();
    let result = match command.as_str() {
        "start" => {
            ensure_cluster().map(|spec| Some(format!("test cluster running at {}", spec.url())))
        }
        "stop" => stop_cluster().map(|stopped| {
            Some(
                if stopped {
                    "test cluster stopped"
                } else {
                    "test cluster was not running"
                }
                .to_owned(),
            )
        }),
        "status" => {
            cluster_status().map(|url| url.map(|url| format!("test cluster running at {url}")))
        }
        "url" => cluster_status(),
        _ => Err("usage: scripts/test-cluster start|stop|status|url".to_owned()),
    };
    match result {
        Ok(Some(line)) => {
            let _ = writeln!(std::io::stdout(), "{line}");
            ExitCode::SUCCESS
        }
        Ok(None) => {
            let _ = writeln!(std::io::stderr(), "test cluster is not running");
            ExitCode::FAILURE
        }
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "test-cluster: {message}");
            ExitCode::from(2)
        }
    }
}
