//! `when:` conditions: run a step only if a var is set (or, with `!`, only if it is not), so one
//! runbook covers the variants of a procedure (`--var reseed=yes`).

use std::borrow::Cow;
use std::fmt;

use indexmap::IndexMap;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer};

use crate::qualified_name::visit_name;

/// `when: vars.NAME`, `when: NAME`, `when: ${vars.NAME}`, `when: "!vars.NAME"`, or a literal
/// (`true`, `false`, `yes`, `no`, `on`, `off`, `1`, `0`, empty), which is what
/// `when: ${env.RESEED:-}` leaves after interpolation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct When {
    pub condition: Condition,
    /// `!`: the step runs only when the condition does *not* hold.
    pub negated: bool,
}

/// What a `when:` looks at.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Condition {
    /// Holds when the var is set (see [`is_set`]).
    Var(String),
    /// Fixed at parse time: the value a `${...}` reference left, or one written as is.
    Literal(bool),
}

/// Words that are conditions by themselves, not var names.
const TRUE_WORDS: [&str; 4] = ["true", "yes", "on", "1"];
const FALSE_WORDS: [&str; 4] = ["false", "no", "off", "0"];

impl When {
    pub fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        let (negated, rest) = match trimmed.strip_prefix('!') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, trimmed),
        };
        if rest.is_empty() || FALSE_WORDS.iter().any(|w| rest.eq_ignore_ascii_case(w)) {
            return Ok(Self {
                condition: Condition::Literal(false),
                negated,
            });
        }
        if TRUE_WORDS.iter().any(|w| rest.eq_ignore_ascii_case(w)) {
            return Ok(Self {
                condition: Condition::Literal(true),
                negated,
            });
        }
        let reference = rest.strip_prefix("${").and_then(|r| r.strip_suffix('}'));
        let name = reference.unwrap_or(rest);
        let var = name.strip_prefix("vars.").unwrap_or(name);
        if crate::names::is_var_name(var) && (reference.is_none() || name.starts_with("vars.")) {
            Ok(Self {
                condition: Condition::Var(var.to_owned()),
                negated,
            })
        } else {
            Err(format!(
                "invalid condition '{text}': expected vars.NAME, !vars.NAME, ${{vars.NAME}} or true/false"
            ))
        }
    }

    /// The var the condition reads, if any.
    pub fn var(&self) -> Option<&str> {
        match &self.condition {
            Condition::Var(var) => Some(var),
            Condition::Literal(_) => None,
        }
    }

    /// Whether the step should run, given the resolved vars.
    pub fn holds(&self, vars: &IndexMap<String, String>) -> bool {
        let value = match &self.condition {
            Condition::Var(var) => is_set(vars.get(var).map(String::as_str)),
            Condition::Literal(value) => *value,
        };
        value != self.negated
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
        let not = if self.negated { "!" } else { "" };
        match &self.condition {
            Condition::Var(var) => write!(f, "{not}vars.{var}"),
            Condition::Literal(value) => write!(f, "{not}{value}"),
        }
    }
}

impl<'de> Deserialize<'de> for When {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        visit_name(
            deserializer,
            "vars.NAME, !vars.NAME, ${vars.NAME} or true/false",
            When::parse,
        )
    }
}

impl JsonSchema for When {
    fn schema_name() -> Cow<'static, str> {
        "When".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Run the step only if the var is set (defined, non-empty, not false/0/no/off); '!vars.NAME' runs it only if the var is not set. ${vars.NAME} means vars.NAME; true/false/yes/no/on/off/1/0 (or empty) are fixed conditions, e.g. what ${env.RESEED:-no} leaves.",
            "type": ["string", "boolean"],
            "examples": ["vars.reseed", "!vars.skip_restore", "${vars.reseed}"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_spellings_and_negation() {
        let var = |name: &str, negated| When {
            condition: Condition::Var(name.into()),
            negated,
        };
        assert_eq!(When::parse("vars.reseed").unwrap(), var("reseed", false));
        assert_eq!(When::parse("reseed").unwrap(), var("reseed", false));
        assert_eq!(When::parse("! vars.reseed").unwrap(), var("reseed", true));
        assert_eq!(When::parse("${vars.reseed}").unwrap(), var("reseed", false));
        assert_eq!(When::parse("!${vars.reseed}").unwrap(), var("reseed", true));
        assert_eq!(
            When::parse("vars.a-b").unwrap_err(),
            "invalid condition 'vars.a-b': expected vars.NAME, !vars.NAME, ${vars.NAME} or true/false"
        );
        assert!(
            When::parse("${env.X}").is_err(),
            "env references are interpolated before"
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

    #[test]
    fn literals_are_fixed_conditions() {
        let none = IndexMap::new();
        for yes in ["true", "YES", "on", "1"] {
            assert!(When::parse(yes).unwrap().holds(&none), "{yes}");
            assert!(
                !When::parse(&format!("!{yes}")).unwrap().holds(&none),
                "!{yes}"
            );
        }
        for no in ["false", "No", "off", "0", "", "  "] {
            assert!(!When::parse(no).unwrap().holds(&none), "{no:?}");
        }
        assert_eq!(When::parse("!0").unwrap().to_string(), "!false");
    }
}
