//! Words for deserialization errors: one wording for every part of the file, with the owner
//! (the top level, a target, a step) and the key path, e.g.
//! "unknown key 'taget' in step 'load-schema' (did you mean 'target'?); expected one of: ...".

use crate::load::suggest::{closest, did_you_mean};
use crate::yaml::de::{DeError, DeErrorKind, Seg};

/// What the deserialized part belongs to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Owner<'a> {
    TopLevel,
    /// "step 'load-schema'" or "step 3".
    Step(&'a str),
    Target(&'a str),
}

impl Owner<'_> {
    fn noun(&self) -> String {
        match self {
            Owner::TopLevel => "runbook".to_owned(),
            Owner::Step(label) => (*label).to_owned(),
            Owner::Target(name) => format!("target '{name}'"),
        }
    }

    /// " in step 'x'" (nothing at the top level).
    fn suffix(&self) -> String {
        match self {
            Owner::TopLevel => String::new(),
            other => format!(" in {}", other.noun()),
        }
    }

    /// Where a key lives: " at the top level", " in step 'x'", " in 'files[0]' of step 'x'".
    fn location(&self, path: &str) -> String {
        match (self, path.is_empty()) {
            (Owner::TopLevel, true) => " at the top level".to_owned(),
            (Owner::TopLevel, false) => format!(" in '{path}'"),
            (other, true) => format!(" in {}", other.noun()),
            (other, false) => format!(" in '{path}' of {}", other.noun()),
        }
    }
}

pub(crate) fn render_path(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The message for a deserialization error. `extra_keys` are valid keys the failing struct does
/// not list itself (a step's common keys, next to its kind's keys).
pub(crate) fn describe(error: &DeError, owner: Owner<'_>, extra_keys: &[&str]) -> String {
    let path = render_path(&error.path());
    match &error.kind {
        DeErrorKind::UnknownField { field, expected } => {
            // Extra keys apply only at the step's own level, not inside nested mappings.
            let extra = if path.is_empty() { extra_keys } else { &[] };
            let keys: Vec<&str> = extra
                .iter()
                .chain(expected.iter())
                .copied()
                .filter(|k| *k != *field)
                .collect();
            let suggestion = did_you_mean(field, keys.iter().copied());
            if keys.is_empty() {
                format!(
                    "unknown key '{field}'{}; this mapping takes no keys",
                    owner.location(&path)
                )
            } else {
                format!(
                    "unknown key '{field}'{}{suggestion}; expected one of: {}",
                    owner.location(&path),
                    keys.join(", ")
                )
            }
        }
        DeErrorKind::MissingField(field) => {
            format!("missing required key '{field}'{}", owner.location(&path))
        }
        DeErrorKind::InvalidType { expected, found } => {
            if path.is_empty() {
                format!(
                    "invalid {}: expected {expected}, found {found}",
                    owner.noun()
                )
            } else {
                format!(
                    "invalid value for '{path}'{}: expected {expected}, found {found}",
                    owner.suffix()
                )
            }
        }
        DeErrorKind::UnknownVariant { variant, expected } => {
            let suggestion = closest(variant, expected.iter().copied())
                .map(|c| format!(" (did you mean '{c}'?)"))
                .unwrap_or_default();
            format!(
                "invalid value for '{path}'{}: expected one of {}, found '{variant}'{suggestion}",
                owner.suffix(),
                expected.join(", ")
            )
        }
        DeErrorKind::Custom(message) => {
            let (subject, details) = match message.split_once(": ") {
                Some((subject, details)) => (subject, Some(details)),
                None => (message.as_str(), None),
            };
            let place = if path.is_empty() {
                format!(" in {}", owner.noun())
            } else {
                format!(" for '{path}'{}", owner.suffix())
            };
            match details {
                Some(details) => format!("{subject}{place}: {details}"),
                None => format!("{subject}{place}"),
            }
        }
    }
}
