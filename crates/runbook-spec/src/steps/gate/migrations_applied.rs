//! `migrations_applied`: what a migration history table records as applied, so a gate can
//! sign off "the database is at 0221" in the words Flyway and Prisma use rather than through a
//! hand-written query over their tables.
//!
//! The table's shape decides how it is read (the engine looks at its columns): Flyway's
//! `flyway_schema_history` and Runbook's `runbook_schema_history` (the same shape) list
//! `versions`, Prisma's `_prisma_migrations` lists `names`. Versions compare as Flyway's
//! `MigrationVersion` compares them (`"2"` equals `"0002"`, `"1.10"` is above `"1.9"`), so a
//! runbook may write the seed's `2` for the file `V0002__x.sql`.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

use crate::qualified_name::QualifiedName;
use crate::steps::kind::StepCx;

/// `{ table, versions | names, match }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MigrationsApplied {
    /// The history table, resolved as the server does (`to_regclass`):
    /// `opendolphin.flyway_schema_history`, `public._prisma_migrations`.
    pub table: QualifiedName,
    /// Flyway / plain history: the versions of the successful rows, in `installed_rank` order
    /// (the baseline row's version included). Quote them: YAML reads `0002` as the number 2.
    #[serde(default)]
    pub versions: Option<VersionList>,
    /// Prisma history: the names of the migrations finished and not rolled back
    /// (`20240101000000_init`), in any order.
    #[serde(default)]
    pub names: Option<Vec<String>>,
    /// `exact` (the default): the history holds these and nothing else. `subset`: it holds at
    /// least these (others may have been applied too; the order is not checked).
    #[serde(default, rename = "match")]
    pub matching: HistoryMatch,
}

/// How the listed migrations compare with the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HistoryMatch {
    /// Exactly the listed ones (versions: in this order).
    #[default]
    Exact,
    /// At least the listed ones.
    Subset,
}

impl fmt::Display for HistoryMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HistoryMatch::Exact => "exact",
            HistoryMatch::Subset => "subset",
        })
    }
}

/// Versions as written (`"0002"`), kept as text: a YAML number would lose the leading zeros
/// and turn `1.10` into `1.1`, so numbers are refused with that reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionList(pub Vec<String>);

impl<'de> Deserialize<'de> for VersionList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor;
        impl<'de> Visitor<'de> for ListVisitor {
            type Value = VersionList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of versions in quotes, e.g. [\"0\", \"0002\"]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<VersionList, A::Error> {
                let mut versions = Vec::new();
                while let Some(VersionText(v)) = seq.next_element()? {
                    versions.push(v);
                }
                Ok(VersionList(versions))
            }
        }
        deserializer.deserialize_seq(ListVisitor)
    }
}

impl JsonSchema for VersionList {
    fn schema_name() -> Cow<'static, str> {
        "VersionList".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Versions as text (quoted), compared as Flyway compares them: \"2\" equals \"0002\".",
            "type": "array",
            "items": { "type": "string", "pattern": "^[0-9]+([._][0-9]+)*$" }
        })
    }
}

struct VersionText(String);

impl<'de> Deserialize<'de> for VersionText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        const QUOTE: &str =
            "put versions in quotes: YAML reads 0002 as the number 2 and 1.10 as 1.1";
        impl Visitor<'_> for TextVisitor {
            type Value = VersionText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a version in quotes, e.g. \"0002\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<VersionText, E> {
                Ok(VersionText(v.to_owned()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<VersionText, E> {
                Err(E::custom(format!("invalid version {v}: {QUOTE}")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<VersionText, E> {
                Err(E::custom(format!("invalid version {v}: {QUOTE}")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<VersionText, E> {
                Err(E::custom(format!("invalid version {v}: {QUOTE}")))
            }
        }
        deserializer.deserialize_any(TextVisitor)
    }
}

/// A version's numeric parts as Flyway's `MigrationVersion` holds them: `_` read as `.`, split
/// at each dot, every part a whole number without its leading zeros, trailing zero parts
/// dropped (`"1.0"` equals `"1"`). Two versions are equal when their keys are; keys order as
/// Flyway orders versions when compared part by part as numbers ([`compare_versions`]). The
/// error says what a version looks like.
pub fn version_key(text: &str) -> Result<Vec<String>, String> {
    let normalized = text.replace('_', ".");
    let mut parts = Vec::new();
    for part in normalized.split('.') {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(
                "expected numbers separated by dots (or _), such as 0002 or 0227.1".to_owned(),
            );
        }
        let digits = part.trim_start_matches('0');
        parts.push(if digits.is_empty() { "0" } else { digits }.to_owned());
    }
    while parts.len() > 1 && parts.last().is_some_and(|p| p == "0") {
        parts.pop();
    }
    Ok(parts)
}

/// Flyway's `MigrationVersion.compareTo` over two [`version_key`]s: part by part as whole
/// numbers of any length, a missing part counting as 0.
pub fn compare_versions(a: &[String], b: &[String]) -> std::cmp::Ordering {
    let zero = "0".to_owned();
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).unwrap_or(&zero);
        let y = b.get(i).unwrap_or(&zero);
        let order = x.len().cmp(&y.len()).then_with(|| x.cmp(y));
        if order.is_ne() {
            return order;
        }
    }
    std::cmp::Ordering::Equal
}

/// The checks beyond the types: exactly one list, not empty, every entry well formed, no entry
/// twice (`2` and `0002` are one version).
pub(super) fn validate(cx: &mut StepCx<'_>, name: &str, index: &str, spec: &MigrationsApplied) {
    let at = ["checks", index, "migrations_applied"];
    match (&spec.versions, &spec.names) {
        (Some(_), Some(_)) | (None, None) => {
            let message = format!(
                "check '{name}' of {} needs exactly one of 'versions' (a Flyway or plain history) or 'names' (a Prisma history)",
                cx.label()
            );
            cx.error(&at, message);
        }
        (Some(VersionList(versions)), None) => {
            if versions.is_empty() {
                empty(cx, name, &at, "versions");
            }
            let mut seen: Vec<(Vec<String>, &str)> = Vec::new();
            for (j, version) in versions.iter().enumerate() {
                let j = j.to_string();
                let path = [&at[..], &["versions", &j]].concat();
                match version_key(version) {
                    Err(expected) => {
                        let message = format!(
                            "invalid version '{version}' in check '{name}' of {}: {expected}",
                            cx.label()
                        );
                        cx.error(&path, message);
                    }
                    Ok(key) => {
                        if let Some((_, earlier)) = seen.iter().find(|(k, _)| *k == key) {
                            let message = format!(
                                "check '{name}' of {} lists version {version} twice ('{earlier}' and '{version}' are the same version, as Flyway compares them)",
                                cx.label()
                            );
                            cx.error(&path, message);
                        }
                        seen.push((key, version));
                    }
                }
            }
        }
        (None, Some(names)) => {
            if names.is_empty() {
                empty(cx, name, &at, "names");
            }
            for (j, migration) in names.iter().enumerate() {
                let earlier = &names[..j];
                let j = j.to_string();
                let path = [&at[..], &["names", &j]].concat();
                if migration.trim().is_empty() || migration.contains(['/', '\\']) {
                    let message = format!(
                        "invalid migration name '{migration}' in check '{name}' of {}: expected a migration directory's name, such as 20240101000000_init",
                        cx.label()
                    );
                    cx.error(&path, message);
                } else if earlier.contains(migration) {
                    let message = format!(
                        "check '{name}' of {} lists migration {migration} twice",
                        cx.label()
                    );
                    cx.error(&path, message);
                }
            }
        }
    }
}

fn empty(cx: &mut StepCx<'_>, name: &str, at: &[&str], key: &str) {
    let message = format!(
        "check '{name}' of {} lists no {key}; expected every migration the history must hold",
        cx.label()
    );
    cx.error(&[at, &[key]].concat(), message);
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;
    use std::path::Path;

    use super::*;
    use crate::steps::gate::CheckKind;
    use crate::{ParseOptions, StepKind};

    fn parse(checks: &str) -> Result<Vec<super::super::Check>, String> {
        let text = format!(
            "version: 1\nname: t\ntargets:\n  db:\n    postgres: {{ url: \"postgres://ops@db/app\" }}\nsteps:\n  - id: g\n    kind: gate\n    target: db\n    checks:\n{checks}"
        );
        let runbook = crate::parse(&text, Path::new("t.yaml"), &ParseOptions::default())
            .map_err(|e| e.to_string())?;
        let StepKind::Gate(gate) = &runbook.steps[0].kind else {
            panic!("gate")
        };
        Ok(gate.checks.clone())
    }

    fn key(text: &str) -> Vec<String> {
        version_key(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn versions_compare_as_flyway_compares_them() {
        // MigrationVersion: leading zeros are insignificant, trailing zero parts too, `_` is `.`.
        assert_eq!(key("0002"), key("2"));
        assert_eq!(key("1.0"), key("1"));
        assert_eq!(key("0227_1"), key("227.1"));
        assert_eq!(key("0"), key("0000"));
        let order = [
            "0", "0001", "1.1", "1.9", "1.10", "2", "0220", "0227", "0227.1",
        ];
        for pair in order.windows(2) {
            assert_eq!(
                compare_versions(&key(pair[0]), &key(pair[1])),
                Ordering::Less,
                "{} < {}",
                pair[0],
                pair[1]
            );
        }
        assert_eq!(
            compare_versions(
                &key("99999999999999999999999"),
                &key("100000000000000000000000")
            ),
            Ordering::Less
        );
        for bad in ["", "v1", "1..2", "1.", ".1", "1.a", "1-2", " 1"] {
            assert!(version_key(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn a_flyway_and_a_prisma_check_parse() {
        let checks = parse(
            "      - name: flyway\n        migrations_applied:\n          table: opendolphin.flyway_schema_history\n          versions: [\"0\", \"0001\", \"0221\"]\n      - name: prisma\n        migrations_applied: { table: public._prisma_migrations, names: [20240101000000_init], match: subset }\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let CheckKind::MigrationsApplied(flyway) = &checks[0].kind else {
            panic!("migrations_applied")
        };
        assert_eq!(
            flyway.table.to_string(),
            "opendolphin.flyway_schema_history"
        );
        assert_eq!(
            flyway.versions,
            Some(VersionList(vec!["0".into(), "0001".into(), "0221".into()]))
        );
        assert_eq!(flyway.matching, HistoryMatch::Exact);
        let CheckKind::MigrationsApplied(prisma) = &checks[1].kind else {
            panic!("migrations_applied")
        };
        assert_eq!(prisma.names, Some(vec!["20240101000000_init".to_owned()]));
        assert_eq!(prisma.matching, HistoryMatch::Subset);
    }

    #[test]
    fn every_mistake_is_named_where_it_is() {
        let cases = [
            (
                "versions: [\"1\"], names: [a]",
                "needs exactly one of 'versions' (a Flyway or plain history) or 'names'",
            ),
            ("match: exact", "needs exactly one of 'versions'"),
            ("versions: []", "lists no versions"),
            ("names: []", "lists no names"),
            (
                "versions: [\"2\", \"0002\"]",
                "lists version 0002 twice ('2' and '0002' are the same version",
            ),
            (
                "versions: [\"1.x\"]",
                "invalid version '1.x' in check 'h' of step 'g': expected numbers separated by dots",
            ),
            (
                "versions: [0002]",
                "put versions in quotes: YAML reads 0002 as the number 2",
            ),
            (
                "versions: [1.10]",
                "invalid version 1.1 for 'checks[0].migrations_applied.versions[0]'",
            ),
            ("names: [a/b]", "invalid migration name 'a/b'"),
            ("names: [a, b, a]", "lists migration a twice"),
            (
                "versions: [\"1\"], match: all",
                "expected one of exact, subset, found 'all'",
            ),
            ("versions: [\"1\"], rows: 3", "unknown key 'rows'"),
        ];
        for (body, wanted) in cases {
            let checks = format!(
                "      - name: h\n        migrations_applied: {{ table: flyway_schema_history, {body} }}\n"
            );
            match parse(&checks) {
                Ok(_) => panic!("{body}: accepted"),
                Err(e) => assert!(e.contains(wanted), "{body}: {e}"),
            }
        }
    }
}
