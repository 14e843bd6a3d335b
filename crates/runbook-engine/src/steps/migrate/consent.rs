//! What a migrate step needs a protected target's consent for, known before anything runs and
//! without a database: every migration that could be pending (every file found, less the
//! excluded ones and those above `target_version`) read with the same script analysis as
//! `sql_file` (`script_consent.rs`), each destructive statement named by its file:line:col; and
//! the modes that rewrite the history table (`repair`, `resolve_*`), which change what Flyway or
//! Prisma will do next on that database.

use std::io::Read;

use runbook_evidence::Redactor;
use runbook_migrate::{BuiltIns, Config, Migration, Version};
use runbook_spec::Runbook;
use runbook_spec::steps::migrate::{Migrate, Mode};
use runbook_sql::ScriptReader;

use super::config;
use crate::errors::StepError;
use crate::script::Origin;
use crate::script_consent;
use crate::step::Destruction;

pub(crate) fn destruction(
    spec: &Migrate,
    step: &runbook_spec::Step,
    runbook: &Runbook,
) -> Result<Vec<Destruction>, StepError> {
    let Some(target) = &step.target else {
        return Ok(Vec::new());
    };
    // A migration cannot \connect elsewhere (runbook-postgres refuses it), so only the step's
    // own target can be at stake.
    if script_consent::protected_identity(runbook, target).is_none() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    match &spec.mode {
        Mode::Validate | Mode::Baseline => return Ok(found),
        Mode::Repair => found.push(Destruction {
            target: target.clone(),
            what: "mode: repair rewrites the migration history table (deletes failed rows, realigns checksums and descriptions, as flyway repair)".to_owned(),
        }),
        Mode::ResolveApplied(name) => found.push(Destruction {
            target: target.clone(),
            what: format!("mode: resolve_applied {name} records a migration as applied without running it (prisma migrate resolve --applied)"),
        }),
        Mode::ResolveRolledBack(name) => found.push(Destruction {
            target: target.clone(),
            what: format!("mode: resolve_rolled_back {name} marks a failed migration rolled back (prisma migrate resolve --rolled-back)"),
        }),
        Mode::Migrate => {}
    }
    if spec.mode != Mode::Migrate {
        return Ok(found);
    }
    // What the run's environment would give flyway.conf's ${NAME} is not known before the run
    // (Step::destruction has no run): the process's is read, as for the rest of consent.
    let env = |name: &str| std::env::var(name).ok();
    let built = config::build(spec, &env, &config::working_dir())?;
    let config = built.config;
    let resolved = runbook_migrate::resolve(&config).map_err(|e| {
        StepError::Blocked(format!(
            "the migrations cannot be read before the run ({e}), so what they would do cannot be listed"
        ))
    })?;
    let builtins = BuiltIns::from_config(&config);
    let redactor = Redactor::new(runbook.secrets());
    for migration in resolved
        .migrations
        .iter()
        .filter(|m| could_be_pending(&config, m))
    {
        let origin = Origin::File(migration.path.display().to_string());
        let mut open = |scs: bool| -> Result<ScriptReader<Box<dyn Read + Send>>, StepError> {
            let mut reader = ScriptReader::new(open_for_consent(&config, migration, &builtins)?);
            reader.set_standard_conforming_strings(scs);
            Ok(reader)
        };
        found.extend(script_consent::destructions(
            runbook, target, &origin, &redactor, &mut open,
        )?);
    }
    Ok(found)
}

/// Not excluded, and not above `target_version`.
pub(crate) fn could_be_pending(config: &Config, migration: &Migration) -> bool {
    if config.is_excluded(&migration.script) || config.is_excluded(&migration.file_name) {
        return false;
    }
    let target = config
        .target_version
        .as_deref()
        .filter(|t| !matches!(*t, "latest" | "current"))
        .and_then(|t| Version::parse(t).ok());
    match (&migration.version, target) {
        (Some(version), Some(target)) => *version <= target,
        _ => true,
    }
}

/// The script as it would run (placeholders replaced); a placeholder only the server can fill
/// (`${flyway:user}`) leaves the file read as written, which the analysis reads as unknown SQL
/// and so asks consent for.
fn open_for_consent(
    config: &Config,
    migration: &Migration,
    builtins: &BuiltIns,
) -> Result<Box<dyn Read + Send>, StepError> {
    match runbook_migrate::open_script(config, migration, builtins) {
        Ok(reader) => Ok(reader),
        Err(runbook_migrate::MigrateError::Placeholder { .. }) => {
            let (file, meta) = crate::input_file::open_regular(&migration.path)?;
            Ok(Box::new(std::io::BufReader::new(file.take(meta.len()))))
        }
        Err(error) => Err(StepError::Blocked(error.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn migration(script: &str, version: Option<&str>) -> Migration {
        Migration {
            kind: runbook_migrate::MigrationKind::Versioned,
            version: version.map(|v| Version::parse(v).unwrap()),
            description: String::new(),
            script: script.to_owned(),
            path: script.into(),
            checksum: runbook_migrate::Checksum::Crc32(0),
            raw_checksum: runbook_migrate::Checksum::Crc32(0),
            prisma: None,
            sha256: String::new(),
            size: 0,
            file_name: script.to_owned(),
        }
    }

    #[test]
    fn excluded_files_and_those_above_the_target_never_need_consent() {
        let mut config = Config::new(runbook_migrate::Format::Flyway);
        config.exclude = vec!["V0225__alter_module_add_json.sql".to_owned()];
        config.target_version = Some("0221".to_owned());
        let at = |s: &str, v: &str| could_be_pending(&config, &migration(s, Some(v)));
        assert!(at("V0002__x.sql", "0002"));
        assert!(at("V0221__x.sql", "221"), "equal numerically to the target");
        assert!(!at("V0222__x.sql", "0222"));
        assert!(!at("V0225__alter_module_add_json.sql", "0225"));
        // A repeatable has no version: it can always be pending.
        assert!(could_be_pending(&config, &migration("R__view.sql", None)));
        config.target_version = Some("latest".to_owned());
        assert!(could_be_pending(
            &config,
            &migration("V0222__x.sql", Some("0222"))
        ));
    }
}
