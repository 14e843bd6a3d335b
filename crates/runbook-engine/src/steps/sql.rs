//! `sql`: statements written in the runbook itself (`DROP SCHEMA public CASCADE; CREATE SCHEMA
//! public;`), run exactly like a psql script: one statement at a time, psql's splitting rules,
//! the runbook's vars available as psql variables (`:'db'`, `:"schema"`). Errors point at the
//! runbook line.

use std::io::Cursor;

use async_trait::async_trait;
use indexmap::IndexMap;
use runbook_evidence::{Redactor, StepOutcome};
use runbook_spec::{Runbook, Sql};

use crate::context::StepContext;
use crate::errors::StepError;
use crate::script::{self, EvidenceObserver, Origin};
use crate::step::{Destruction, Step};

pub(crate) struct SqlStep(pub Sql);

impl SqlStep {
    fn origin(&self, runbook: &Runbook) -> Origin {
        Origin::Inline {
            runbook: runbook.file.display().to_string(),
            origin: self.0.text_origin,
        }
    }

    fn reader(&self, runbook: &Runbook) -> runbook_sql::ScriptReader<Cursor<Vec<u8>>> {
        script::reader(
            Cursor::new(self.0.text.clone().into_bytes()),
            script::variables(runbook, &IndexMap::new()),
        )
    }
}

#[async_trait]
impl Step for SqlStep {
    async fn run(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let origin = self.origin(cx.runbook());
        let reader = self.reader(cx.runbook());
        let options = script::load_options(
            &origin,
            self.0.on_error,
            self.0.single_transaction,
            self.0.text.len() as u64,
            self.0.show_rows,
        );
        let mut observer = EvidenceObserver::new(cx.output(), origin.clone());
        let mut session = cx.script_session().await?;
        match session.load_script(reader, &options, &mut observer).await {
            Ok(summary) => Ok(script::loaded(&summary, None)),
            Err(error) => Err(script::load_failure(
                error,
                &origin,
                self.0.single_transaction,
            )),
        }
    }

    async fn check(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let origin = self.origin(cx.runbook());
        let reader = self.reader(cx.runbook());
        let outcome = script::describe(cx, reader, origin).await;
        cx.will_change_target();
        outcome
    }

    fn destruction(
        &self,
        step: &runbook_spec::Step,
        runbook: &Runbook,
    ) -> Result<Vec<Destruction>, StepError> {
        let Some(target) = &step.target else {
            return Ok(Vec::new());
        };
        crate::script_consent::destructions(
            runbook,
            target,
            &self.origin(runbook),
            &Redactor::new(runbook.secrets()),
            &mut |scs| {
                let mut reader = self.reader(runbook);
                reader.set_standard_conforming_strings(scs);
                Ok(reader)
            },
        )
    }

    fn lint(&self, step: &runbook_spec::Step, runbook: &Runbook) -> Vec<String> {
        crate::lint::scan(self.reader(runbook), &self.origin(runbook), &step.id)
    }
}
