//! Targets: the databases and containers a runbook acts on, declared once and named by steps.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::target_expect::TargetExpect;

/// A database and/or the Docker container that holds it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// How to reach the database: a URL, or a throwaway local cluster.
    pub postgres: Option<PostgresTarget>,
    /// The Docker container that holds this database (or the container itself, for a pure Docker
    /// target).
    pub container: Option<String>,
    /// Destructive steps on this target need --confirm NAME (or a typed confirmation on a TTY).
    #[serde(default)]
    pub protected: bool,
    /// Which server the target must be (any subset of what `runbook identify URL` prints),
    /// checked on the run's first connection, before any step acts on it.
    pub expect: Option<TargetExpect>,
}

/// Exactly one of `url` or `ephemeral: true`.
#[derive(Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("oneOf" = [
    {"required": ["url"], "properties": {"ephemeral": {"const": false}}},
    {"required": ["ephemeral"], "properties": {"ephemeral": {"const": true}}, "not": {"required": ["url"]}}
]))]
pub struct PostgresTarget {
    /// A libpq-style URL or key=value string; PG* environment variables fill what it leaves out.
    /// Write no password here: use password_env.
    pub url: Option<String>,
    /// Name of the environment variable that holds the password; its value never enters evidence.
    pub password_env: Option<String>,
    /// A throwaway local cluster (initdb + pg_ctl), created for the run and removed after it.
    #[serde(default)]
    pub ephemeral: bool,
}

impl std::fmt::Debug for PostgresTarget {
    /// The URL may embed a password despite the advice; it is left out.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresTarget")
            .field("url", &self.url.as_ref().map(|_| "<redacted>"))
            .field("password_env", &self.password_env)
            .field("ephemeral", &self.ephemeral)
            .finish()
    }
}

/// How a Postgres target is reached, once validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection<'a> {
    /// A server reached through a URL; the password, if any, is in the variable `password_env`.
    Url {
        url: &'a str,
        password_env: Option<&'a str>,
    },
    Ephemeral,
}

impl PostgresTarget {
    pub fn connection(&self) -> Connection<'_> {
        match &self.url {
            Some(url) if !self.ephemeral => Connection::Url {
                url,
                password_env: self.password_env.as_deref(),
            },
            _ => Connection::Ephemeral,
        }
    }
}

impl Target {
    pub fn has_postgres(&self) -> bool {
        self.postgres.is_some()
    }
}
