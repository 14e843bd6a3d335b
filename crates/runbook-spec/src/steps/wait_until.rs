//! `wait_until`: poll one condition until it holds or the step's timeout passes. What a plpgsql
//! polling loop did before (WAL archived, a standby promoted, a row a background job writes), a
//! container's health, a file another process writes.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::duration::Duration;
use crate::steps::gate::Expect;
use crate::steps::kind::{KindSpec, Needs, StepCx};
use crate::text_origin::{SqlReference, TextOrigin};

/// The wait when the step has no `timeout`: long enough for a restart or a promotion, short
/// enough that a condition that never holds does not hold the run for long.
pub const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(300);

/// The shortest `every`: a poll is a query, a Docker inspection or a `stat`; ten a second is
/// plenty and keeps a busy server from being hammered.
pub const MIN_POLL_INTERVAL: Duration = Duration::from_millis(100);

/// The longest `every`: a condition checked less often than this is a sleep, not a wait.
pub const MAX_POLL_INTERVAL: Duration = Duration::from_secs(600);

/// Polls one condition until it holds: `query` with `expect`, `container_healthy` or
/// `file_exists` (exactly one). Gives up when the step's `timeout` (default 5m) passes.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitUntil {
    /// A read-only query against the step's target, polled until its result matches `expect`
    /// (the gate's conditions: rows, min, max, equals, contains, empty).
    pub query: Option<String>,
    /// What the query's result must satisfy; required with `query`.
    #[serde(default, deserialize_with = "crate::steps::gate::expect::expect")]
    #[schemars(with = "Expect")]
    pub expect: Option<Expect>,
    /// A container that must become healthy (its healthcheck passes; running, for a container
    /// without a healthcheck).
    pub container_healthy: Option<String>,
    /// A path that must exist (as a file, a directory or anything else `stat` finds).
    pub file_exists: Option<PathBuf>,
    /// How long between two polls, 100ms to 10m.
    #[serde(default = "default_every")]
    #[schemars(extend("default" = "1s"))]
    pub every: Duration,
    /// Where `query` starts in the runbook.
    #[serde(skip)]
    pub query_origin: TextOrigin,
    /// The `${...}` references that were substituted into `query`.
    #[serde(skip)]
    pub references: Vec<SqlReference>,
}

fn default_every() -> Duration {
    Duration::from_secs(1)
}

/// The one condition of a [`WaitUntil`] (the loader guarantees exactly one).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WaitCondition<'a> {
    Query { sql: &'a str, expect: &'a Expect },
    ContainerHealthy(&'a str),
    FileExists(&'a std::path::Path),
}

impl WaitUntil {
    /// The condition polled; `None` only for a value the loader did not build.
    pub fn condition(&self) -> Option<WaitCondition<'_>> {
        match (
            &self.query,
            &self.expect,
            &self.container_healthy,
            &self.file_exists,
        ) {
            (Some(sql), Some(expect), None, None) => Some(WaitCondition::Query { sql, expect }),
            (None, None, Some(name), None) => Some(WaitCondition::ContainerHealthy(name)),
            (None, None, None, Some(path)) => Some(WaitCondition::FileExists(path)),
            _ => None,
        }
    }
}

const CONDITIONS: &str = "query (with expect), container_healthy, file_exists";

impl KindSpec for WaitUntil {
    const KIND: &'static str = "wait_until";
    /// A target is needed for `query` only; `validate` asks for it then.
    const NEEDS: Needs = Needs::Nothing;

    fn validate(&mut self, cx: &mut StepCx<'_>) {
        let given: Vec<&str> = [
            ("query", self.query.is_some()),
            ("container_healthy", self.container_healthy.is_some()),
            ("file_exists", self.file_exists.is_some()),
        ]
        .into_iter()
        .filter_map(|(key, given)| given.then_some(key))
        .collect();
        match given.as_slice() {
            [_] => {}
            [] => {
                let message = format!(
                    "{} has nothing to wait for; expected one of {CONDITIONS}",
                    cx.label()
                );
                cx.error(&[], message);
            }
            [_, second, ..] => {
                let message = format!(
                    "{} gives {}; expected exactly one of {CONDITIONS}",
                    cx.label(),
                    given.join(" and ")
                );
                cx.key_error(&[second], message);
            }
        }
        if let Some(sql) = &self.query {
            if sql.trim().is_empty() {
                let message = format!("empty query in {}", cx.label());
                cx.error(&["query"], message);
            }
            match &self.expect {
                None => {
                    let message = format!(
                        "{} has a query but no expect; expected the conditions its result must meet (rows, min, max, equals, contains, empty)",
                        cx.label()
                    );
                    cx.key_error(&["query"], message);
                }
                Some(expect) => {
                    if let Some(problem) = expect.contradiction() {
                        let message =
                            format!("impossible expectation in {}: {problem}", cx.label());
                        cx.error(&["expect"], message);
                    }
                }
            }
            match cx.target {
                Some((_, target)) if target.has_postgres() => {}
                Some((name, _)) => {
                    let message = format!(
                        "target '{name}' of {} has no postgres connection, which a query needs",
                        cx.label()
                    );
                    cx.error(&["target"], message);
                }
                None if cx.tree.get(cx.node, "target").is_some() => {}
                None => {
                    let message = format!(
                        "{} (kind wait_until) polls a query, which needs a target with a postgres connection; add target: NAME",
                        cx.label()
                    );
                    cx.error(&["query"], message);
                }
            }
            self.query_origin = cx.text_origin(&["query"]);
            self.references = cx.sql_references(&["query"]);
        } else if self.expect.is_some() {
            let message = format!(
                "'expect' in {} applies to 'query' only; expected it next to a query",
                cx.label()
            );
            cx.key_error(&["expect"], message);
        }
        if let Some(name) = self.container_healthy.clone() {
            super::container_start::check_docker_name(
                cx,
                &["container_healthy"],
                "container name",
                &name,
            );
        }
        if self
            .file_exists
            .as_ref()
            .is_some_and(|p| p.as_os_str().is_empty())
        {
            let message = format!("empty 'file_exists' in {}; expected a path", cx.label());
            cx.error(&["file_exists"], message);
        }
        if self.every < MIN_POLL_INTERVAL || self.every > MAX_POLL_INTERVAL {
            let message = format!(
                "invalid 'every' {} in {}: expected {MIN_POLL_INTERVAL} to {MAX_POLL_INTERVAL}",
                self.every,
                cx.label()
            );
            cx.error(&["every"], message);
        }
    }

    fn sql_nodes(
        tree: &crate::yaml::tree::Tree,
        step: crate::yaml::tree::NodeId,
        nodes: &mut Vec<crate::yaml::tree::NodeId>,
    ) {
        nodes.extend(tree.get(step, "query").map(|(_, v)| v));
    }
}

#[cfg(test)]
mod tests {
    fn parse(query: &str, who: &str) -> Result<crate::Runbook, String> {
        let source = format!(
            "version: 1\nname: waits\nvars:\n  who: x\ntargets:\n  db: {{ postgres: {{ url: \"postgres://ops@db/app\" }} }}\nsteps:\n  - id: wait\n    kind: wait_until\n    target: db\n    query: \"{query}\"\n    expect: {{ rows: 1 }}\n"
        );
        let options = crate::ParseOptions {
            vars: [("who".to_owned(), who.to_owned())].into(),
            ..crate::ParseOptions::default()
        };
        crate::parse(&source, std::path::Path::new("rb.yaml"), &options).map_err(|e| e.to_string())
    }

    /// The query is SQL text like a gate's: a var pasted into it must be a plain token.
    #[test]
    fn a_reference_in_the_query_follows_the_sql_rule() {
        let ok = parse(
            "SELECT 1 FROM pg_roles WHERE rolname = '${vars.who}'",
            "app_user",
        );
        assert!(ok.is_ok(), "{ok:?}");
        let error = parse(
            "SELECT 1 FROM pg_roles WHERE rolname = '${vars.who}'",
            "x' OR true --",
        )
        .unwrap_err();
        assert!(
            error.contains("rb.yaml:11:53: cannot paste ${vars.who} into SQL text"),
            "{error}"
        );
    }
}
