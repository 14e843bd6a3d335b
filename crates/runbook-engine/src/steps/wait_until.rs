//! `wait_until`: polls one condition (a query's result, a container's health, a path's
//! existence) every `every` until it holds or the step's timeout (default 5m) passes.
//!
//! Evidence keeps a summary, not every poll: the first and the last result, with when they were
//! seen, and the number of polls (`details` of `result.json`, and two lines of `output.log`). A
//! wait of an hour at 100ms would otherwise write 36000 lines.
//!
//! A condition that cannot be asked is not waited out: a query the server refuses (a syntax
//! error, a missing table), a path `stat` cannot look at (permission denied) or an unreachable
//! Docker Engine end the step at once. A wait is for a state, not for an error to go away; to
//! wait for a table to appear, ask the catalog (`SELECT to_regclass('t') IS NOT NULL`).
//!
//! `check` polls once and reports whether the condition holds now; "not yet" passes (the run
//! would wait), and the summary says so.
//!
//! `file_exists` may name what an earlier step produced (`${steps.ID.outputs.NAME}`) or carry
//! `${run.*}`: the path is expanded once, when the step starts. In check mode an output has no
//! value, so such a path reads `<output of step ID>` and does not exist yet: "not yet" again.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use runbook_docker::{ContainerState, Health};
use runbook_evidence::{StepOutcome, StepStatus};
use runbook_spec::{WaitCondition, WaitUntil};
use serde_json::json;

use crate::context::StepContext;
use crate::errors::StepError;
use crate::step::{Destruction, Step};
use crate::steps::gate::{QueryPoll, poll_query, query_needs_consent};

pub(crate) struct WaitUntilStep(pub WaitUntil);

/// A described poll result is cut here: a result is a few words or rows, and the summary, the
/// log and the details each carry it.
const MAX_RESULT_CHARS: usize = 500;

/// What one poll saw.
struct Poll {
    holds: bool,
    /// The result in words: "no rows", "the value 3", "health starting", "absent".
    result: String,
}

/// A poll's result with when it was seen (since the step started).
struct Seen {
    at: Duration,
    result: String,
}

#[async_trait]
impl Step for WaitUntilStep {
    async fn run(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let path = self.expanded_path(cx).await?;
        let condition = with_path(self.condition()?, path.as_deref());
        let started = Instant::now();
        let timeout = wait_of(cx.step().timeout);
        let budget = budget(timeout, cx.step().timeout.is_some());
        let every = self.0.every.as_std();
        let cancel = cx.cancellation();
        let mut first: Option<Seen> = None;
        let mut polls: u64 = 0;
        loop {
            let poll = match self.poll(cx, condition).await? {
                Polled::Seen(poll) => poll,
                Polled::NotCheckable(reason) => return Err(StepError::failed(reason)),
            };
            polls += 1;
            let seen = Seen {
                at: started.elapsed(),
                result: poll.result,
            };
            if first.is_none() {
                cx.log(format!("poll 1 at {}: {}", secs(seen.at), seen.result));
            }
            let elapsed = started.elapsed();
            if poll.holds || elapsed >= budget {
                if polls > 1 {
                    cx.log(format!(
                        "poll {polls} at {}: {}",
                        secs(seen.at),
                        seen.result
                    ));
                }
                let first = first.unwrap_or(Seen {
                    at: seen.at,
                    result: seen.result.clone(),
                });
                return Ok(self.outcome(condition, poll.holds, timeout, polls, &first, &seen));
            }
            first.get_or_insert(seen);
            let pause = every.min(budget - elapsed);
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                () = cancel.cancelled() => return Err(StepError::Interrupted),
            }
        }
    }

    /// One poll: whether the condition holds now. Not yet is no failure: the run would wait.
    async fn check(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let path = self.expanded_path(cx).await?;
        let condition = with_path(self.condition()?, path.as_deref());
        let timeout = wait_of(cx.step().timeout);
        let poll = match self.poll(cx, condition).await? {
            Polled::Seen(poll) => poll,
            Polled::NotCheckable(reason) => {
                cx.log(format!("not checked: {reason}"));
                return Ok(StepOutcome::new(
                    StepStatus::Passed,
                    format!("not checkable read-only: {reason}"),
                ));
            }
        };
        cx.log(format!("now: {}", poll.result));
        let summary = if poll.holds {
            format!("{} holds now: {}", describe(condition), poll.result)
        } else {
            // A path an earlier step produces: that step is why it is not there yet.
            let producer = self
                .0
                .file_exists
                .as_ref()
                .and_then(|raw| cx.producer_of(&raw.display().to_string()))
                .map(|step| format!(", provided by step '{step}'"))
                .unwrap_or_default();
            format!(
                "{} does not hold yet ({}{producer}); the run would wait up to {}",
                describe(condition),
                poll.result,
                humantime(timeout)
            )
        };
        let mut outcome = StepOutcome::new(StepStatus::Passed, summary);
        outcome.details = json!({
            "condition": describe(condition),
            "holds_now": poll.holds,
            "now": poll.result,
        });
        Ok(outcome)
    }

    /// A polled query runs as a gate query does: one that cannot be proven harmless needs
    /// consent on a protected target.
    fn destruction(
        &self,
        step: &runbook_spec::Step,
        runbook: &runbook_spec::Runbook,
    ) -> Result<Vec<Destruction>, StepError> {
        let (Some(sql), Some(target)) = (&self.0.query, &step.target) else {
            return Ok(Vec::new());
        };
        let redactor = runbook_evidence::Redactor::new(runbook.secrets());
        Ok(query_needs_consent(sql, runbook)
            .map(|reason| Destruction {
                target: target.clone(),
                what: format!("poll the query: {}", redactor.redact(&reason)),
            })
            .into_iter()
            .collect())
    }
}

/// What a poll came to: a result, or (check mode) why the query is not sent.
enum Polled {
    Seen(Poll),
    NotCheckable(String),
}

impl WaitUntilStep {
    fn condition(&self) -> Result<WaitCondition<'_>, StepError> {
        self.0.condition().ok_or_else(|| {
            StepError::failed("wait_until has no single condition (the runbook was not validated)")
        })
    }

    /// `file_exists` with `${run.*}` and `${steps.ID.outputs.NAME}` expanded, once: the path
    /// an earlier step produced is the same at every poll. `None` for the other conditions.
    async fn expanded_path(&self, cx: &mut StepContext<'_>) -> Result<Option<PathBuf>, StepError> {
        match &self.0.file_exists {
            Some(path) => Ok(Some(PathBuf::from(
                cx.expand(&path.display().to_string()).await?,
            ))),
            None => Ok(None),
        }
    }

    async fn poll(
        &self,
        cx: &mut StepContext<'_>,
        condition: WaitCondition<'_>,
    ) -> Result<Polled, StepError> {
        let poll = match condition {
            WaitCondition::Query { sql, expect } => {
                let check_mode = cx.is_check();
                let runbook = cx.runbook;
                let session = cx.session().await?;
                match poll_query(session, sql, expect, runbook, check_mode).await? {
                    QueryPoll::Judged {
                        holds,
                        expected,
                        actual,
                    } => Poll {
                        holds,
                        result: format!("{actual} (waiting for {expected})"),
                    },
                    QueryPoll::Failed(error) => {
                        return Err(StepError::failed(format!(
                            "the polled query failed: {}",
                            cut(&error)
                        )));
                    }
                    QueryPoll::NotCheckable(reason) => return Ok(Polled::NotCheckable(reason)),
                }
            }
            WaitCondition::ContainerHealthy(name) => container_health(cx, name).await?,
            WaitCondition::FileExists(path) => file_exists(path).await?,
        };
        Ok(Polled::Seen(Poll {
            holds: poll.holds,
            result: cut(&poll.result),
        }))
    }

    fn outcome(
        &self,
        condition: WaitCondition<'_>,
        held: bool,
        timeout: Duration,
        polls: u64,
        first: &Seen,
        last: &Seen,
    ) -> StepOutcome {
        let what = describe(condition);
        let polls_said = format!("{polls} poll{}", if polls == 1 { "" } else { "s" });
        let (status, summary) = if held {
            (
                StepStatus::Passed,
                format!(
                    "{what} held after {} ({polls_said}): {}",
                    secs(last.at),
                    last.result
                ),
            )
        } else {
            (
                StepStatus::Failed,
                format!(
                    "{what} did not hold within {} ({polls_said} over {}); last: {}",
                    humantime(timeout),
                    secs(last.at),
                    last.result
                ),
            )
        };
        let mut outcome = StepOutcome::new(status, summary.clone());
        if !held {
            outcome.error = Some(runbook_evidence::ErrorRecord::new(summary));
        }
        outcome.details = json!({
            "condition": what,
            "held": held,
            "every": self.0.every.to_string(),
            "timeout": humantime(timeout),
            "polls": polls,
            "first": { "at_seconds": first.at.as_secs_f64(), "result": first.result },
            "last": { "at_seconds": last.at.as_secs_f64(), "result": last.result },
        });
        outcome
    }
}

/// The condition with its path as expanded for this run (`path`, from `expanded_path`).
fn with_path<'a>(condition: WaitCondition<'a>, path: Option<&'a Path>) -> WaitCondition<'a> {
    match (condition, path) {
        (WaitCondition::FileExists(_), Some(path)) => WaitCondition::FileExists(path),
        (condition, _) => condition,
    }
}

/// How long the step waits: its `timeout`, or
/// [`runbook_spec::steps::wait_until::DEFAULT_WAIT_TIMEOUT`] without one.
fn wait_of(timeout: Option<runbook_spec::Duration>) -> Duration {
    timeout
        .unwrap_or(runbook_spec::steps::wait_until::DEFAULT_WAIT_TIMEOUT)
        .as_std()
}

/// How long the step polls. When the wait is the step's `timeout` (the runner stops the step
/// then), the last poll starts a little before it (a tenth, at most a second), so the step
/// itself reports what it last saw instead of the runner's bare "timed out".
fn budget(wait: Duration, runner_enforces: bool) -> Duration {
    if runner_enforces {
        wait - (wait / 10).min(Duration::from_secs(1))
    } else {
        wait
    }
}

/// The condition in words, for the summary and the details.
fn describe(condition: WaitCondition<'_>) -> String {
    match condition {
        WaitCondition::Query { .. } => "the query's result".to_owned(),
        WaitCondition::ContainerHealthy(name) => format!("container {name}'s health"),
        WaitCondition::FileExists(path) => format!("the existence of {}", path.display()),
    }
}

/// Healthy when the image's healthcheck passes; running, when the container has none (there is
/// nothing else to wait for, and Compose's `service_healthy` would refuse such a service).
async fn container_health(cx: &mut StepContext<'_>, name: &str) -> Result<Poll, StepError> {
    let info = cx.docker().await?.inspect_container(name).await?;
    let Some(info) = info else {
        if cx.is_check()
            && let Some(step) = cx.provided_by(name)
        {
            return Err(StepError::Deferred(format!(
                "container {name} does not exist yet; step '{step}' creates it, and the run waits for its health then"
            )));
        }
        return Ok(Poll {
            holds: false,
            result: format!("no container {name}"),
        });
    };
    let running = matches!(info.state, ContainerState::Running);
    Ok(match (&info.health, running) {
        (Some(Health::Healthy), true) => Poll {
            holds: true,
            result: "healthy".to_owned(),
        },
        (Some(Health::Starting), true) => Poll {
            holds: false,
            result: "health starting".to_owned(),
        },
        (
            Some(Health::Unhealthy {
                failing_streak,
                last_output,
            }),
            true,
        ) => Poll {
            holds: false,
            result: format!(
                "unhealthy ({failing_streak} failing checks; last said: {})",
                last_output.trim()
            ),
        },
        (None, true) => Poll {
            holds: true,
            result: "running (no healthcheck)".to_owned(),
        },
        (_, false) => Poll {
            holds: false,
            result: info.state.to_string(),
        },
    })
}

/// Exists as `stat` sees it, following symbolic links (a dangling link does not exist yet).
async fn file_exists(path: &Path) -> Result<Poll, StepError> {
    match tokio::fs::metadata(path).await {
        Ok(meta) => {
            let what = if meta.is_dir() {
                "a directory"
            } else if meta.is_file() {
                "a file"
            } else {
                "a special file"
            };
            Ok(Poll {
                holds: true,
                result: format!("{} exists ({what})", path.display()),
            })
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Poll {
            holds: false,
            result: format!("{} does not exist", path.display()),
        }),
        Err(error) => Err(StepError::io(path, error)),
    }
}

/// At most [`MAX_RESULT_CHARS`] characters, on one line.
fn cut(text: &str) -> String {
    let one_line = text.replace(['\n', '\r'], " ");
    match one_line.char_indices().nth(MAX_RESULT_CHARS) {
        Some((at, _)) => format!("{}...", &one_line[..at]),
        None => one_line,
    }
}

/// `2.0s`: when a poll was seen.
fn secs(at: Duration) -> String {
    format!("{:.1}s", at.as_secs_f64())
}

fn humantime(d: Duration) -> String {
    runbook_spec::Duration::from_millis(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_poll_comes_before_the_runners_timeout() {
        assert_eq!(
            budget(Duration::from_secs(5), true),
            Duration::from_millis(4500)
        );
        assert_eq!(
            budget(Duration::from_secs(60), true),
            Duration::from_secs(59)
        );
        assert_eq!(wait_of(None), Duration::from_secs(300));
        assert_eq!(budget(wait_of(None), false), Duration::from_secs(300));
    }

    #[test]
    fn results_are_cut_to_one_short_line() {
        assert_eq!(cut("a\nb"), "a b");
        let long = "é".repeat(MAX_RESULT_CHARS + 5);
        assert_eq!(cut(&long).chars().count(), MAX_RESULT_CHARS + 3);
    }
}
