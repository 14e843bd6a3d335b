//! The step's `runbook_migrate::Config`: the format's defaults, then the flyway.conf when the
//! step names one, then the step's own keys, which win (as Flyway lets a command-line setting
//! win over its conf file). Where each setting came from is kept for the log, so a reviewer can
//! tell a `baselineVersion` the runbook chose from one a conf file in the repository chose.

use std::io::Read;
use std::path::{Path, PathBuf};

use runbook_migrate::flyway::conf;
use runbook_migrate::{Config, Format};
use runbook_spec::steps::migrate::{self as spec, Migrate, Mode};

use crate::errors::StepError;
use crate::input_file;

/// The longest flyway.conf read: a conf file is a few dozen lines; anything near this is not
/// one, and reading it whole (Flyway does too) should not cost the run its memory.
const MAX_CONF_BYTES: u64 = 1 << 20;

/// A built configuration and the lines that say where its settings came from.
#[derive(Debug)]
pub(crate) struct Built {
    pub config: Config,
    /// `schemas = opendolphin (flyway.conf:4)`, `dir: ... (step)`, and the conf keys that were
    /// not used (`flyway.url (flyway.conf:1): not used, the step's target is the database`).
    pub provenance: Vec<String>,
}

pub(crate) fn format_of(format: spec::Format) -> Format {
    match format {
        spec::Format::Flyway => Format::Flyway,
        spec::Format::Prisma => Format::Prisma,
        spec::Format::Plain => Format::Plain,
    }
}

/// Builds the configuration. `env` answers `${NAME}` in the conf file (the run's environment,
/// never the process's behind its back); `working_dir` is what a relative
/// `flyway.locations=filesystem:` entry is resolved against, as Flyway resolves it (`new
/// File(path)`: the process's working directory, not the conf file's directory).
pub(crate) fn build(
    step: &Migrate,
    env: &dyn Fn(&str) -> Option<String>,
    working_dir: &Path,
) -> Result<Built, StepError> {
    let mut config = Config::new(format_of(step.format));
    let mut provenance = Vec::new();
    if let Some(path) = &step.config {
        let conf = read_conf(path, env)?;
        let shown = path.display().to_string();
        conf.apply(&mut config, working_dir)
            .map_err(|e| conf_error(path, e))?;
        for (key, value) in conf.entries() {
            let line = conf.line_of(key).unwrap_or(0);
            let place = format!("{shown}:{line}");
            if conf.ignored_keys().contains(&key) {
                let why = match key {
                    "flyway.url" | "flyway.user" | "flyway.password" => {
                        "not used: the step's target is the database and its user"
                    }
                    _ => "not used by runbook (no effect on the history or the files)",
                };
                provenance.push(format!("{key} ({place}): {why}"));
            } else if key.starts_with("flyway.placeholders.") {
                // A placeholder's value may be a secret taken from the environment.
                provenance.push(format!("{key} ({place})"));
            } else {
                provenance.push(format!("{key} = {value} ({place})"));
            }
        }
    }
    apply_step(step, &mut config, &mut provenance);
    if config.locations.is_empty() {
        return Err(StepError::Blocked(match &step.config {
            Some(path) => format!(
                "{} gives no flyway.locations and the step no dir: there are no migrations to look at",
                path.display()
            ),
            None => "the step gives no dir: there are no migrations to look at".to_owned(),
        }));
    }
    Ok(Built { config, provenance })
}

/// The step's keys over what the conf file said.
fn apply_step(step: &Migrate, config: &mut Config, provenance: &mut Vec<String>) {
    let mut set = |what: String| provenance.push(format!("{what} (step)"));
    if let Some(dir) = &step.dir {
        config.locations = vec![dir.clone()];
        set(format!("dir = {}", dir.display()));
    }
    if let Some(schema) = &step.schema {
        config.schema = Some(schema.clone());
        set(format!("schema = {schema}"));
    }
    if let Some(table) = &step.table {
        config.table = table.clone();
        set(format!("table = {table}"));
    }
    if let Some(baseline) = &step.baseline {
        config.baseline_version = baseline.version.clone();
        set(format!("baseline.version = {}", baseline.version));
        if let Some(description) = &baseline.description {
            config.baseline_description = description.clone();
            set(format!("baseline.description = {description}"));
        }
    }
    if let Some(on_migrate) = step.baseline_on_migrate {
        config.baseline_on_migrate = on_migrate;
        set(format!("baseline_on_migrate = {on_migrate}"));
    }
    // `baseline:` on its own baselines a database without history whatever its schema holds
    // (`flyway baseline` then `migrate`); with baseline_on_migrate: true it only gives the
    // version Flyway's baselineOnMigrate uses.
    config.baseline = (step.baseline.is_some() && step.baseline_on_migrate != Some(true))
        || step.mode == Mode::Baseline;
    if let Some(target) = &step.target_version {
        config.target_version = Some(target.clone());
        set(format!("target_version = {target}"));
    }
    if let Some(out_of_order) = step.out_of_order {
        config.out_of_order = out_of_order;
        set(format!("out_of_order = {out_of_order}"));
    }
    if !step.exclude.is_empty() {
        config.exclude = step.exclude.clone();
        set(format!("exclude = {}", step.exclude.join(", ")));
    }
    for name in step.placeholders.keys() {
        let value = step.placeholders.get(name).cloned().unwrap_or_default();
        config.placeholders.insert(name.clone(), value);
        set(format!("placeholders.{name}"));
    }
    if let Some(installed_by) = &step.installed_by {
        config.installed_by = Some(installed_by.clone());
        set(format!("installed_by = {installed_by}"));
    }
}

/// Reads and parses the conf file (a regular file, at most [`MAX_CONF_BYTES`]).
fn read_conf(
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<conf::ConfFile, StepError> {
    let (file, meta) = input_file::open_regular(path)?;
    if meta.len() > MAX_CONF_BYTES {
        return Err(StepError::failed(format!(
            "{}: {} bytes is not a flyway.conf (at most {MAX_CONF_BYTES} bytes are read)",
            path.display(),
            meta.len()
        )));
    }
    let mut bytes = Vec::new();
    file.take(MAX_CONF_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|e| StepError::io(path, e))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        StepError::failed(format!(
            "{}: not UTF-8 text at byte {}; expected a flyway.conf",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
    })?;
    conf::parse(&text, &path.display().to_string(), env).map_err(|e| conf_error(path, e))
}

fn conf_error(path: &Path, error: runbook_migrate::ConfError) -> StepError {
    let mut record = runbook_evidence::ErrorRecord::new(error.message.clone());
    record.file = Some(path.display().to_string());
    if error.line > 0 {
        record.line = u32::try_from(error.line).ok();
    }
    StepError::Failed(Box::new(record))
}

/// The working directory relative locations are resolved against.
pub(crate) fn working_dir() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(yaml_keys: impl FnOnce(&mut Migrate)) -> Migrate {
        let mut step = Migrate {
            format: spec::Format::Flyway,
            dir: None,
            config: None,
            schema: None,
            table: None,
            baseline: None,
            baseline_on_migrate: None,
            target_version: None,
            out_of_order: None,
            exclude: Vec::new(),
            placeholders: Default::default(),
            installed_by: None,
            mode: Mode::Migrate,
        };
        yaml_keys(&mut step);
        step
    }

    #[test]
    fn step_keys_win_over_the_conf_file_and_each_setting_says_where_it_came_from() {
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("flyway.conf");
        std::fs::write(
            &conf,
            "flyway.url=jdbc:postgresql://${DB_HOST}:5432/x\nflyway.password=${DB_PASSWORD}\nflyway.schemas=opendolphin\nflyway.locations=filesystem:sql\nflyway.baselineOnMigrate=true\nflyway.baselineVersion=0\nflyway.placeholders.role=${ROLE}\n",
        )
        .unwrap();
        let s = step(|s| {
            s.config = Some(conf.clone());
            s.dir = Some(PathBuf::from("/elsewhere/sql"));
            s.baseline = Some(spec::Baseline {
                version: "5".into(),
                description: None,
            });
        });
        let env = |name: &str| (name == "ROLE").then(|| "app".to_owned());
        let built = build(&s, &env, dir.path()).unwrap();
        assert_eq!(
            built.config.locations,
            vec![PathBuf::from("/elsewhere/sql")]
        );
        assert_eq!(built.config.schema.as_deref(), Some("opendolphin"));
        assert_eq!(built.config.baseline_version, "5");
        assert!(built.config.baseline_on_migrate);
        // baseline: without baseline_on_migrate in the step is an explicit baseline.
        assert!(built.config.baseline);
        assert_eq!(
            built.config.placeholders.get("role").map(String::as_str),
            Some("app")
        );
        let lines = built.provenance.join("\n");
        let shown = conf.display().to_string();
        assert!(
            lines.contains(&format!("flyway.schemas = opendolphin ({shown}:3)")),
            "{lines}"
        );
        assert!(lines.contains("flyway.url ("), "{lines}");
        assert!(lines.contains("not used: the step's target"), "{lines}");
        assert!(lines.contains("dir = /elsewhere/sql (step)"), "{lines}");
        // Neither the password reference nor a placeholder's value is shown.
        assert!(!lines.contains("= app"), "{lines}");
        assert!(!lines.contains("DB_PASSWORD}"), "{lines}");
    }

    #[test]
    fn conf_locations_are_relative_to_the_working_directory_and_errors_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("flyway.conf");
        std::fs::write(&conf, "flyway.locations=filesystem:sql\n").unwrap();
        let s = step(|s| s.config = Some(conf.clone()));
        let built = build(&s, &|_| None, Path::new("/work")).unwrap();
        assert_eq!(built.config.locations, vec![PathBuf::from("/work/sql")]);

        std::fs::write(&conf, "# x\nflyway.baselineOnMigrate=maybe\n").unwrap();
        let error = build(&s, &|_| None, Path::new("/work")).unwrap_err();
        let record = error.to_record();
        assert_eq!(record.line, Some(2), "{record:?}");
        assert!(record.message.contains("maybe"), "{}", record.message);
    }

    #[test]
    fn baseline_on_migrate_true_only_gives_the_version() {
        let s = step(|s| {
            s.dir = Some(PathBuf::from("sql"));
            s.baseline = Some(spec::Baseline {
                version: "0".into(),
                description: Some("legacy".into()),
            });
            s.baseline_on_migrate = Some(true);
        });
        let built = build(&s, &|_| None, Path::new("/")).unwrap();
        assert!(!built.config.baseline);
        assert!(built.config.baseline_on_migrate);
        assert_eq!(built.config.baseline_version, "0");
        assert_eq!(built.config.baseline_description, "legacy");
    }

    #[test]
    fn no_location_at_all_is_refused() {
        let s = step(|_| {});
        assert!(matches!(
            build(&s, &|_| None, Path::new("/")),
            Err(StepError::Blocked(_))
        ));
    }
}
