//! `runbook identify URL`: which server a URL reaches, printed as the `expect:` block to
//! paste under a target, so a runbook can refuse any other server (see `targets.NAME.expect`).

use std::io::Write;

use runbook_engine::RunEnv;

use crate::exit_codes;

pub fn identify(url: &str) -> i32 {
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
    let env = RunEnv::Process;
    match runtime.block_on(runbook_engine::identify_server(url, &env)) {
        Ok(identity) => {
            let mut out = std::io::stdout().lock();
            if out
                .write_all(runbook_engine::expect_block(&identity).as_bytes())
                .is_err()
            {
                return exit_codes::FAILED;
            }
            exit_codes::OK
        }
        Err(runbook_engine::IdentifyError::Spec(error)) => {
            crate::report_error(&format!("identify: invalid connection url: {error}"));
            exit_codes::INVALID_INPUT
        }
        Err(error) => {
            crate::report_error(&format!("identify: {error}"));
            exit_codes::FAILED
        }
    }
}
