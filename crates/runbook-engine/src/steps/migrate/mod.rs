//! `migrate`: ordered migrations with a history table Flyway, Prisma (or Runbook, for `plain`)
//! recognise as their own, so a database migrated here is one those tools continue, and the
//! reverse.
//!
//! The pure decisions (names, versions, checksums, plan, repair) are `runbook_migrate`'s, the
//! history table, lock and applying a migration with its row are `runbook_postgres::migrate`'s;
//! this step joins them to a run: the configuration (`config.rs`), run mode (`run.rs`,
//! `apply.rs`), check mode (`check.rs`), consent (`consent.rs`), `validate` (`lint.rs`) and the
//! evidence (`evidence.rs`).

mod apply;
mod check;
mod config;
mod consent;
mod evidence;
mod lint;
mod run;
mod state;

use async_trait::async_trait;
use runbook_evidence::{StepOutcome, StepStatus};
use runbook_spec::Runbook;
use runbook_spec::steps::migrate::Migrate;

use crate::context::StepContext;
use crate::errors::StepError;
use crate::step::{Destruction, Step};

pub(crate) struct MigrateStep(pub Migrate);

impl MigrateStep {
    /// The configuration, with `${NAME}` in a flyway.conf read from the run's environment.
    fn config(&self, cx: &StepContext<'_>) -> Result<runbook_migrate::Config, StepError> {
        let env = cx.env().clone();
        let lookup = move |name: &str| env.var(name);
        let built = config::build(&self.0, &lookup, &config::working_dir())?;
        cx.log(format!("format {}, mode {}", self.0.format, self.0.mode));
        for line in &built.provenance {
            cx.log(format!("setting: {line}"));
        }
        Ok(built.config)
    }
}

#[async_trait]
impl Step for MigrateStep {
    async fn run(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let config = self.config(cx)?;
        run::run(&self.0, &config, cx).await
    }

    async fn check(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        // A directory an earlier step produces (a checkout, an unpacked release) is not
        // there yet: all check can say is where it comes from.
        if let Some(dir) = self.0.dir.as_ref().filter(|d| !d.exists()) {
            let shown = dir.display().to_string();
            if let Some(producer) = cx.producer_of(&shown) {
                cx.log(format!(
                    "{shown}: provided by step '{producer}'; its migrations are read when the run gets here"
                ));
                cx.will_change_target();
                return Ok(StepOutcome::new(
                    StepStatus::Passed,
                    format!("would apply the migrations in {shown}, provided by step '{producer}'"),
                ));
            }
        }
        let config = self.config(cx)?;
        check::check(&self.0, &config, cx).await
    }

    fn destruction(
        &self,
        step: &runbook_spec::Step,
        runbook: &Runbook,
    ) -> Result<Vec<Destruction>, StepError> {
        consent::destruction(&self.0, step, runbook)
    }

    fn lint(&self, step: &runbook_spec::Step, runbook: &Runbook) -> Vec<String> {
        lint::lint(&self.0, step, runbook)
    }
}
