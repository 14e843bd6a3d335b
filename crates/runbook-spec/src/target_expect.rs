//! `targets.NAME.expect`: which server a target must be, checked by the engine on the run's
//! first connection to it, so a runbook written for staging cannot run against whatever
//! `127.0.0.1:5432` happens to be. Values are validated here, where the file:line:col is known.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

/// Any subset of the identity `runbook identify URL` prints; every field given must match.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetExpect {
    /// `pg_control_system().system_identifier`: fixed at initdb, unique per cluster.
    pub system_identifier: Option<SystemIdentifier>,
    /// `15` matches any 15.x; `15.4` matches exactly (quote it: `"15.4"`).
    pub server_version: Option<ExpectedVersion>,
    /// `current_database()`.
    pub database: Option<NonEmpty>,
    /// The server's address as `inet_server_addr()` reports it (e.g. `10.0.0.5`), or
    /// `unix socket`.
    pub host: Option<NonEmpty>,
}

/// Digits only (the identifier is an unsigned 64-bit integer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemIdentifier(pub String);

/// `MAJOR` or `MAJOR.MINOR` (also `9.6` / `9.6.24` for old servers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedVersion(pub String);

/// A string with something in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonEmpty(pub String);

impl ExpectedVersion {
    /// Whether the server's `server_version` (e.g. `16.4`, `16.4 (Debian 16.4-1)`, `17beta1`)
    /// is the expected one: every dotted part given must equal the server's part at the same
    /// position, so `15` matches 15.x and `15.4` only 15.4.
    pub fn matches(&self, server_version: &str) -> bool {
        let actual = server_version.split(' ').next().unwrap_or_default();
        let actual_parts: Vec<&str> = actual.split('.').collect();
        self.0.split('.').enumerate().all(|(i, want)| {
            actual_parts.get(i).is_some_and(|got| {
                // `17beta1`: the major is the leading digits.
                let digits: &str = got
                    .find(|c: char| !c.is_ascii_digit())
                    .map_or(got, |end| &got[..end]);
                digits == want
            })
        })
    }
}

fn version_error(text: &str) -> String {
    format!(
        "invalid server_version '{text}': expected a major version (15) or major.minor (\"15.4\")"
    )
}

fn parse_version(text: &str) -> Result<ExpectedVersion, String> {
    let parts: Vec<&str> = text.split('.').collect();
    let ok = (1..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if ok {
        Ok(ExpectedVersion(text.to_owned()))
    } else {
        Err(version_error(text))
    }
}

fn parse_identifier(text: &str) -> Result<SystemIdentifier, String> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && text.parse::<u64>().is_ok() {
        Ok(SystemIdentifier(text.to_owned()))
    } else {
        Err(format!(
            "invalid system_identifier '{text}': expected the digits `SELECT system_identifier FROM pg_control_system()` shows"
        ))
    }
}

impl<'de> Deserialize<'de> for SystemIdentifier {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = SystemIdentifier;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a system identifier (digits)")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<SystemIdentifier, E> {
                Ok(SystemIdentifier(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<SystemIdentifier, E> {
                parse_identifier(&v.to_string()).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SystemIdentifier, E> {
                parse_identifier(v.trim()).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for ExpectedVersion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ExpectedVersion;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a server version such as 15 or \"15.4\"")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ExpectedVersion, E> {
                Ok(ExpectedVersion(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ExpectedVersion, E> {
                parse_version(&v.to_string()).map_err(E::custom)
            }
            /// YAML reads `15.10` as the number 15.1: a minor version must be quoted.
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ExpectedVersion, E> {
                Err(E::custom(format!(
                    "server_version {v} is a number to YAML (15.10 would read as 15.1): quote it, e.g. \"{v}\""
                )))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ExpectedVersion, E> {
                parse_version(v.trim()).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for NonEmpty {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text.trim().is_empty() {
            return Err(de::Error::custom("expected a non-empty string"));
        }
        Ok(NonEmpty(text))
    }
}

impl JsonSchema for SystemIdentifier {
    fn schema_name() -> Cow<'static, str> {
        "SystemIdentifier".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "pg_control_system().system_identifier",
            "anyOf": [{ "type": "integer", "minimum": 0 }, { "type": "string", "pattern": "^[0-9]+$" }]
        })
    }
}

impl JsonSchema for ExpectedVersion {
    fn schema_name() -> Cow<'static, str> {
        "ExpectedVersion".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "15 matches any 15.x; \"15.4\" matches exactly",
            "anyOf": [{ "type": "integer", "minimum": 0 }, { "type": "string", "pattern": "^[0-9]+(\\.[0-9]+){0,2}$" }]
        })
    }
}

impl JsonSchema for NonEmpty {
    fn schema_name() -> Cow<'static, str> {
        "NonEmptyString".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "minLength": 1 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_major_matches_every_minor_and_a_minor_only_itself() {
        let major = ExpectedVersion("15".into());
        assert!(major.matches("15.4"));
        assert!(major.matches("15.10 (Debian 15.10-1)"));
        assert!(!major.matches("16.1"));
        assert!(!major.matches("150.1"));
        let minor = ExpectedVersion("15.4".into());
        assert!(minor.matches("15.4"));
        assert!(!minor.matches("15.40"));
        assert!(!minor.matches("15.5"));
        assert!(ExpectedVersion("17".into()).matches("17beta1"));
    }

    #[test]
    fn versions_and_identifiers_are_checked_where_they_are_written() {
        assert!(parse_version("15.x").is_err());
        assert!(parse_version("").is_err());
        assert!(parse_identifier("73015abc").is_err());
        assert!(parse_identifier("99999999999999999999999").is_err());
        assert!(parse_identifier("7301234567890123456").is_ok());
    }
}
