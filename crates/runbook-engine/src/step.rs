//! The one trait every step kind implements.
//!
//! A kind lives in one file under `steps/` and is bound to its YAML form in `registry.rs`; the
//! runner knows nothing else about it. Both modes go through the same object: `run` does the
//! work, `check` looks at the live systems without changing anything and says whether `run`
//! would succeed. A kind that cannot tell without acting says so in its check outcome rather than
//! acting.

use async_trait::async_trait;
use runbook_evidence::StepOutcome;
use runbook_spec::Runbook;

use crate::context::StepContext;
use crate::errors::StepError;

/// What a step would destroy, said before anything runs, so a protected target can ask for
/// consent up front instead of half-way through a restore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destruction {
    /// The target whose data is at stake.
    pub target: String,
    /// What would be destroyed, e.g. "DROP SCHEMA public CASCADE (sql line 2)".
    pub what: String,
}

#[async_trait]
pub trait Step: Send + Sync {
    /// Executes the step. A returned error fails the step; `Ok` carries its status (a gate that
    /// ran but whose checks failed returns `Ok` with status `failed` and the checks).
    async fn run(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError>;

    /// Looks without touching: read-only database sessions, Docker inspections, file checks.
    async fn check(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError>;

    /// What `run` would destroy, by target, known from the runbook and the files it names
    /// alone (no server is asked). Empty when the step changes nothing irreversibly. A script
    /// can name other targets than its step's own (`\connect` to a protected database).
    fn destruction(
        &self,
        _step: &runbook_spec::Step,
        _runbook: &Runbook,
    ) -> Result<Vec<Destruction>, StepError> {
        Ok(Vec::new())
    }

    /// What `run` would destroy of Docker data, judged by identity from the engine's snapshot
    /// taken before the first step (`facts`); `None` for kinds that touch no container or
    /// volume, whose `destruction` says it all.
    fn docker_destruction(
        &self,
        _step: &runbook_spec::Step,
        _runbook: &Runbook,
        _facts: &crate::docker_identity::DockerFacts,
    ) -> Option<Result<Vec<Destruction>, StepError>> {
        None
    }

    /// What `runbook validate` finds wrong with the step without any server or container:
    /// a script psql could not run (an unsupported meta-command, an unclosed quote), a path the
    /// step would refuse. Each finding is `file:line:col: message (step 'id')`. A file that does
    /// not exist is not a finding: `check` and `run` say so when it matters (an earlier step may
    /// create it). Never reads what could block or never end (FIFOs, devices).
    fn lint(&self, _step: &runbook_spec::Step, _runbook: &Runbook) -> Vec<String> {
        Vec::new()
    }
}
