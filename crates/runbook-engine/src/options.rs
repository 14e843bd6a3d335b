//! How a run was asked for: mode, starting step, consent, where evidence goes, and the
//! environment it reads.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use runbook_evidence::Mode;

use crate::step::Destruction;

/// Asks the operator, on a terminal, to consent to destroying data on a protected target.
pub trait Confirmer: Send {
    /// Returns whether the operator typed the target's name.
    fn confirm(&mut self, target: &str, destructions: &[Destruction]) -> bool;
}

pub struct RunOptions {
    pub mode: Mode,
    /// `--from STEP`: steps before it are skipped (and recorded as such).
    pub from_step: Option<String>,
    /// `--confirm TARGET`: consent given on the command line.
    pub confirmed_targets: Vec<String>,
    /// Consent typed on a terminal; `None` when there is no terminal or with `--yes`.
    pub confirmer: Option<Box<dyn Confirmer>>,
    /// `--keep`: leave ephemeral clusters running after the run.
    pub keep_ephemeral: bool,
    /// `--terminate-stale`: backends of an earlier run that ended (killed, say) but whose
    /// statements still run on a target's database are cancelled, then terminated, instead of
    /// refusing the run. Never those of a run that still holds its lock.
    pub terminate_stale: bool,
    /// Overrides the runbook's `evidence.dir`.
    pub evidence_base: Option<PathBuf>,
    /// The runbook file as the operator named it, for the evidence.
    pub runbook_path: String,
    /// `runbook undo DIR`: run only the undo steps of these main steps (they passed in the
    /// run in DIR), last first, in a new run; no main and no finally step runs.
    pub undo_of: Option<UndoOf>,
    /// Where the run reads environment variables; the process's own by default.
    pub env: RunEnv,
    /// `--resume DIR [--allow-changed]`: continue that run in its directory (resume.rs)
    /// instead of creating one.
    pub resume: Option<crate::resume::ResumeOptions>,
}

/// The finished run `runbook undo` rolls back (read from its verified journal by the CLI).
#[derive(Debug, Clone)]
pub struct UndoOf {
    /// Its evidence directory, as given.
    pub dir: PathBuf,
    /// The sha256 of its `SHA256SUMS` when it was verified: which evidence was undone.
    pub sums_sha256: String,
    /// Ids of its main steps that passed.
    pub passed: Vec<String>,
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("mode", &self.mode)
            .field("from_step", &self.from_step)
            .field("confirmed_targets", &self.confirmed_targets)
            .field("interactive", &self.confirmer.is_some())
            .field("keep_ephemeral", &self.keep_ephemeral)
            .field("terminate_stale", &self.terminate_stale)
            .field("evidence_base", &self.evidence_base)
            .field("undo_of", &self.undo_of)
            .field("env", &self.env)
            .field("resume", &self.resume)
            .finish()
    }
}

impl RunOptions {
    pub fn new(mode: Mode, runbook_path: impl Into<String>) -> RunOptions {
        RunOptions {
            mode,
            from_step: None,
            confirmed_targets: Vec::new(),
            confirmer: None,
            keep_ephemeral: false,
            terminate_stale: false,
            evidence_base: None,
            runbook_path: runbook_path.into(),
            undo_of: None,
            env: RunEnv::Process,
            resume: None,
        }
    }
}

/// The environment a run reads: libpq's `PG*` defaults and `password_env` values for its
/// targets (and the passwords among them, for redaction), `DOCKER_HOST` and its kin, what a
/// Compose file interpolates, `HOME` for a `~/` mount, `PATH` to find a shell step's program,
/// and the environment a shell step's command starts with.
///
/// Neither the spec's `Env` nor `runbook_postgres::Env` is used as the type, though this
/// implements both (so one value can feed `ParseOptions::env` and the run): a trait answers one
/// name at a time, and a shell step's command needs the whole environment, which a trait object
/// cannot list. `Given` is a run's own environment, without touching the process's (shared by
/// every thread, and by tests that run in parallel); the process's is read when asked, as before.
#[derive(Clone, Default)]
pub enum RunEnv {
    /// The environment of this process, read when a value is needed; child processes inherit it.
    #[default]
    Process,
    /// Exactly these variables: nothing else is read, and child processes get only these.
    Given(Arc<BTreeMap<String, String>>),
}

impl RunEnv {
    pub fn given<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> RunEnv {
        RunEnv::Given(Arc::new(
            vars.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        ))
    }

    /// The variable's value; `None` when it is unset (or, in the process's, not valid UTF-8).
    pub fn var(&self, name: &str) -> Option<String> {
        match self {
            RunEnv::Process => std::env::var(name).ok(),
            RunEnv::Given(vars) => vars.get(name).cloned(),
        }
    }

    /// `PATH` as the OS gives it (not necessarily UTF-8 in the process's environment).
    pub(crate) fn path_var(&self) -> Option<std::ffi::OsString> {
        match self {
            RunEnv::Process => std::env::var_os("PATH"),
            RunEnv::Given(vars) => vars.get("PATH").map(Into::into),
        }
    }

    /// Starts `command` with this environment: inherited from the process, or exactly the
    /// given variables. Call it before the step's own `env:` entries, which win.
    pub(crate) fn apply_to(&self, command: &mut tokio::process::Command) {
        if let RunEnv::Given(vars) = self {
            command.env_clear().envs(vars.iter());
        }
    }
}

impl std::fmt::Debug for RunEnv {
    /// Names only: values may be passwords.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunEnv::Process => f.write_str("Process"),
            RunEnv::Given(vars) => f.debug_tuple("Given").field(&vars.keys()).finish(),
        }
    }
}

impl runbook_spec::Env for RunEnv {
    fn var(&self, name: &str) -> Option<String> {
        RunEnv::var(self, name)
    }
}

impl runbook_postgres::Env for RunEnv {
    fn var(&self, name: &str) -> Option<String> {
        RunEnv::var(self, name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_given_environment_is_all_a_command_sees_and_all_the_run_reads() {
        let env = RunEnv::given([
            ("RUNBOOK_TEST_ONLY_HERE", "given"),
            ("PATH", "/usr/bin:/bin"),
        ]);
        assert_eq!(env.var("RUNBOOK_TEST_ONLY_HERE").as_deref(), Some("given"));
        // HOME is set in the process running the tests, not in the given environment.
        assert!(std::env::var_os("HOME").is_some());
        assert_eq!(env.var("HOME"), None);
        assert_eq!(runbook_postgres::Env::var(&env, "HOME"), None);
        assert_eq!(
            runbook_spec::Env::var(&env, "PATH").as_deref(),
            Some("/usr/bin:/bin")
        );

        let mut command = tokio::process::Command::new("sh");
        command.args(["-c", "env | sort"]);
        env.apply_to(&mut command);
        let out = command.output().await.expect("sh runs");
        let seen = String::from_utf8_lossy(&out.stdout);
        assert!(seen.contains("RUNBOOK_TEST_ONLY_HERE=given\n"), "{seen}");
        assert!(!seen.contains("HOME="), "{seen}");

        // The process's environment is inherited as it always was.
        let mut command = tokio::process::Command::new("sh");
        command.args(["-c", "echo \"$HOME\""]);
        RunEnv::Process.apply_to(&mut command);
        let out = command.output().await.expect("sh runs");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim_end(),
            std::env::var("HOME").unwrap()
        );
    }

    /// A whole run with an environment of its own (the same value parses the runbook): a shell
    /// step's command and the run's redaction see the given variables, not the process's (whose
    /// HOME the command would otherwise print).
    #[tokio::test]
    async fn a_run_given_an_environment_reads_it_and_not_the_processs() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("seen.txt");
        let env = RunEnv::given([
            ("PATH", "/usr/bin:/bin"),
            ("RUNBOOK_TEST_GREETING", "hello-from-the-given-env"),
            ("PGPASSWORD", "given-pg-password-1234"),
        ]);
        let source = format!(
            "version: 1\nname: given-env\nsteps:\n  - id: show\n    kind: shell\n    shell: true\n    command: 'echo \"$RUNBOOK_TEST_GREETING home=$HOME\" > {out}; echo \"$PGPASSWORD\"'\n",
            out = out.display()
        );
        let parse = runbook_spec::ParseOptions {
            env: &env,
            ..Default::default()
        };
        let runbook =
            runbook_spec::parse(&source, std::path::Path::new("rb.yaml"), &parse).unwrap();
        let plan = crate::Plan::new(runbook);
        let mut options = RunOptions::new(Mode::Run, "rb.yaml");
        options.evidence_base = Some(dir.path().join("evidence"));
        options.env = env;
        let report = crate::execute(&plan, options, Vec::new(), Default::default())
            .await
            .unwrap();
        assert_eq!(report.status, runbook_evidence::RunStatus::Passed);
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "hello-from-the-given-env home=\n"
        );
        // PGPASSWORD of the given environment is a secret of the run: masked in the evidence.
        let log =
            std::fs::read_to_string(report.evidence_dir.join("steps/01-show/output.log")).unwrap();
        assert!(!log.contains("given-pg-password-1234"), "{log}");
        assert!(log.contains("****"), "{log}");
    }

    #[test]
    fn debug_shows_names_not_values() {
        let env = RunEnv::given([("PGPASSWORD", "hunter2")]);
        let shown = format!("{env:?}");
        assert!(
            shown.contains("PGPASSWORD") && !shown.contains("hunter2"),
            "{shown}"
        );
    }
}
