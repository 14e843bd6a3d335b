//! `when:` conditions: run a step only if a var is set (or, with `!`, only if it is not), so one
//! runbook covers the variants of a procedure (`--var reseed=yes`).

use std::borrow::Cow;
use std::fmt;

use indexmap::IndexMap;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer};

use crate::qualified_name::visit_name;

/// `when: vars.NAME`, `when: NAME`, `when: "!vars.NAME"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct When {
    pub var: String,
    /// `!`: the step runs only when the var is *not* set.
    pub negated: bool,
}

impl When {
    pub fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        let (negated, rest) = match trimmed.strip_prefix('!') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, trimmed),
        };
        let var = rest.strip_prefix("vars.").unwrap_or(rest);
        if crate::names::is_var_name(var) {
            Ok(Self {
                var: var.to_owned(),
                negated,
            })
        } else {
            Err(format!(
                "invalid condition '{text}': expected vars.NAME or !vars.NAME"
            ))
        }
    }

    /// Whether the step should run, given the resolved vars.
    pub fn holds(&self, vars: &IndexMap<String, String>) -> bool {
        is_set(vars.get(&self.var).map(String::as_str)) != self.negated
    }
}

/// A var is set when it is defined, not empty, and not one of the words people use for "off"
/// (`false`, `0`, `no`, `off`, in any case).
pub fn is_set(value: Option<&str>) -> bool {
    match value.map(str::trim) {
        None | Some("") => false,
        Some(v) => !["false", "0", "no", "off"]
            .iter()
            .any(|off| v.eq_ignore_ascii_case(off)),
    }
}

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}vars.{}",
            if self.negated { "!" } else { "" },
            self.var
        )
    }
}

impl<'de> Deserialize<'de> for When {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        visit_name(deserializer, "vars.NAME or !vars.NAME", When::parse)
    }
}

impl JsonSchema for When {
    fn schema_name() -> Cow<'static, str> {
        "When".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Run the step only if the var is set (defined, non-empty, not false/0/no/off); '!vars.NAME' runs it only if the var is not set.",
            "type": "string",
            "pattern": "^\\s*!?\\s*(vars\\.)?[A-Za-z_][A-Za-z0-9_]*\\s*$",
            "examples": ["vars.reseed", "!vars.skip_restore"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_spellings_and_negation() {
        assert_eq!(
            When::parse("vars.reseed").unwrap(),
            When {
                var: "reseed".into(),
                negated: false
            }
        );
        assert_eq!(
            When::parse("reseed").unwrap(),
            When {
                var: "reseed".into(),
                negated: false
            }
        );
        assert_eq!(
            When::parse("! vars.reseed").unwrap(),
            When {
                var: "reseed".into(),
                negated: true
            }
        );
        assert_eq!(
            When::parse("vars.a-b").unwrap_err(),
            "invalid condition 'vars.a-b': expected vars.NAME or !vars.NAME"
        );
    }

    #[test]
    fn set_means_defined_non_empty_and_not_off() {
        for off in [
            None,
            Some(""),
            Some("false"),
            Some("0"),
            Some("NO"),
            Some("Off"),
            Some("  "),
        ] {
            assert!(!is_set(off), "{off:?}");
        }
        for on in ["yes", "1", "true", "anything"] {
            assert!(is_set(Some(on)));
        }
        let vars: IndexMap<String, String> = [("reseed".to_owned(), "yes".to_owned())].into();
        assert!(When::parse("vars.reseed").unwrap().holds(&vars));
        assert!(!When::parse("!vars.reseed").unwrap().holds(&vars));
        assert!(When::parse("!vars.other").unwrap().holds(&vars));
    }
}
