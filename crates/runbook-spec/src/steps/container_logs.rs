//! `container_logs`: keep a container's log as evidence (startup errors, initdb output).

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use crate::steps::kind::{KindSpec, Needs};

/// Captures the last lines of a container's log.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContainerLogs {
    /// The container; defaults to the target's. Always set after parsing.
    pub container: Option<String>,
    /// How many lines from the end, or "all".
    #[serde(default)]
    pub tail: Tail,
}

/// How much of the log to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tail {
    All,
    Lines(u64),
}

impl Default for Tail {
    fn default() -> Self {
        Tail::Lines(100)
    }
}

impl fmt::Display for Tail {
    /// As Docker's API takes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tail::All => f.write_str("all"),
            Tail::Lines(n) => write!(f, "{n}"),
        }
    }
}

impl<'de> Deserialize<'de> for Tail {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TailVisitor;
        impl Visitor<'_> for TailVisitor {
            type Value = Tail;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number of lines or \"all\"")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Tail, E> {
                Ok(Tail::Lines(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Tail, E> {
                match v.trim() {
                    "all" => Ok(Tail::All),
                    other => other.parse().map(Tail::Lines).map_err(|_| {
                        E::custom(format!(
                            "invalid tail '{v}': expected a number of lines or \"all\""
                        ))
                    }),
                }
            }
        }
        deserializer.deserialize_str(TailVisitor)
    }
}

impl JsonSchema for Tail {
    fn schema_name() -> Cow<'static, str> {
        "Tail".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A number of lines from the end, or \"all\".",
            "anyOf": [ { "type": "integer", "minimum": 0 }, { "const": "all" } ],
            "default": 100
        })
    }
}

impl KindSpec for ContainerLogs {
    const KIND: &'static str = "container_logs";
    const NEEDS: Needs = Needs::Container;

    fn container_slot(&mut self) -> Option<&mut Option<String>> {
        Some(&mut self.container)
    }
}
