//! `runbook validate` for a migrate step, without any server: the flyway.conf parses, and when
//! the migrations are there, what the files alone show (two files with one version, names
//! that look like migrations but do not parse, a Prisma folder without migration.sql, a lock
//! file for another provider, an `exclude` entry that names no file) and scripts psql could
//! not run. A directory or conf file that does not exist is not a finding: an earlier step may
//! create it, and `check` and `run` say so when it matters.

use std::io::Read;

use runbook_migrate::{BuiltIns, MigrateError};
use runbook_spec::Runbook;
use runbook_spec::steps::migrate::Migrate;
use runbook_sql::ScriptReader;

use super::config;
use crate::errors::StepError;
use crate::script::Origin;

pub(crate) fn lint(spec: &Migrate, step: &runbook_spec::Step, runbook: &Runbook) -> Vec<String> {
    let at_step = |finding: &str| crate::lint::at_step(runbook, step, finding);
    let env = |name: &str| std::env::var(name).ok();
    let built = match config::build(spec, &env, &config::working_dir()) {
        Ok(built) => built,
        Err(StepError::Io { .. }) => return Vec::new(),
        Err(error) => {
            let record = error.to_record();
            return vec![match record.location() {
                Some(at) => format!("{at}: {} (step '{}')", record.message, step.id),
                None => at_step(&record.message),
            }];
        }
    };
    let config = built.config;
    let resolved = match runbook_migrate::resolve(&config) {
        Ok(resolved) => resolved,
        Err(MigrateError::Location { .. }) => return Vec::new(),
        Err(error) => return vec![at_step(&error.to_string())],
    };
    let mut findings: Vec<String> = resolved
        .problems
        .iter()
        .map(|p| at_step(&p.message.replace('\n', " ")))
        .collect();
    let builtins = BuiltIns::from_config(&config);
    for migration in &resolved.migrations {
        let origin = Origin::File(migration.path.display().to_string());
        let reader: Box<dyn Read + Send> =
            match runbook_migrate::open_script(&config, migration, &builtins) {
                Ok(reader) => reader,
                // ${flyway:user} and its kin are known only to the run.
                Err(MigrateError::Placeholder { message, .. }) if message.contains("flyway:") => {
                    continue;
                }
                Err(error) => {
                    findings.push(format!("{error} (step '{}')", step.id));
                    continue;
                }
            };
        findings.extend(crate::lint::scan(
            ScriptReader::new(reader),
            &origin,
            &step.id,
        ));
    }
    findings
}
