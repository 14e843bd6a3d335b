//! Flyway's migration file names, as its `ResourceNameParser` reads them: the suffix (`.sql`,
//! matched case-insensitively) is removed, then the longest matching prefix (`V`, `R`; matched
//! case-sensitively), then the name splits at the first separator (`__`): the left side is the
//! version, the right side the description with every `_` turned into a space (no trimming).

use crate::config::Config;
use crate::version::Version;

/// A file name that parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedName {
    /// None for a repeatable migration.
    pub version: Option<Version>,
    /// As recorded: `_` → space.
    pub description: String,
}

/// The verdict on one file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameVerdict {
    /// Not a migration at all (no migration prefix or suffix): ignored, as Flyway ignores it.
    NotMigration,
    /// A migration name.
    Migration(ParsedName),
    /// Looks like a migration (prefix and suffix match) but does not parse: the message says why.
    Invalid(String),
}

/// Parses a bare file name under the configured prefixes, separator and suffixes.
pub fn parse_name(config: &Config, file_name: &str) -> NameVerdict {
    let upper = file_name.to_uppercase();
    let Some(suffix) = config
        .sql_migration_suffixes
        .iter()
        .filter(|s| !s.is_empty())
        .find(|s| upper.ends_with(&s.to_uppercase()))
    else {
        return NameVerdict::NotMigration;
    };
    // The suffix's length in the original name: uppercasing can change byte lengths, so strip
    // by character count.
    let suffix_chars = suffix.chars().count();
    let total_chars = file_name.chars().count();
    let stem: String = file_name
        .chars()
        .take(total_chars.saturating_sub(suffix_chars))
        .collect();

    let versioned = config.sql_migration_prefix.as_str();
    let repeatable = config.repeatable_sql_migration_prefix.as_str();
    let mut prefixes = [(versioned, true), (repeatable, false)];
    prefixes.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    let Some((prefix, is_versioned)) = prefixes
        .into_iter()
        .find(|(p, _)| !p.is_empty() && stem.starts_with(p))
    else {
        return NameVerdict::NotMigration;
    };
    let rest = &stem[prefix.len()..];
    let separator = config.sql_migration_separator.as_str();
    let (left, right) = match (separator.is_empty(), rest.find(separator)) {
        (false, Some(at)) => (&rest[..at], &rest[at + separator.len()..]),
        _ => (rest, ""),
    };
    let description = right.replace('_', " ");
    if is_versioned {
        if left.is_empty() {
            return NameVerdict::Invalid(format!(
                "invalid versioned migration name {file_name}: it must contain a version and look like {prefix}1.2{separator}description{suffix} (Flyway's rule)"
            ));
        }
        match Version::parse(left) {
            Ok(version) => NameVerdict::Migration(ParsedName {
                version: Some(version),
                description,
            }),
            Err(_) => NameVerdict::Invalid(format!(
                "invalid versioned migration name {file_name}: could not recognise version number '{left}' (expected digits and dots or underscores before '{separator}', as in {prefix}1_2{separator}description{suffix})"
            )),
        }
    } else if !left.is_empty() {
        NameVerdict::Invalid(format!(
            "invalid repeatable migration name {file_name}: it cannot contain a version and should look like {prefix}{separator}description{suffix} (Flyway's rule)"
        ))
    } else {
        NameVerdict::Migration(ParsedName {
            version: None,
            description,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Format;

    fn parse(name: &str) -> NameVerdict {
        parse_name(&Config::new(Format::Flyway), name)
    }

    fn versioned(name: &str) -> (String, String) {
        match parse(name) {
            NameVerdict::Migration(ParsedName {
                version: Some(v),
                description,
            }) => (v.as_str().to_owned(), description),
            other => panic!("{name}: {other:?}"),
        }
    }

    #[test]
    fn opendolphin_names() {
        assert_eq!(
            versioned("V0227_1__audit_event_trace_id.sql"),
            ("0227.1".into(), "audit event trace id".into())
        );
        assert_eq!(
            versioned("V0227__audit_event_payload_text.sql"),
            ("0227".into(), "audit event payload text".into())
        );
        assert_eq!(
            versioned("V0001__baseline_tag.sql"),
            ("0001".into(), "baseline tag".into())
        );
    }

    #[test]
    fn flyway_edge_cases() {
        assert_eq!(versioned("V1___x.sql"), ("1".into(), " x".into()));
        assert_eq!(versioned("V1.SQL"), ("1".into(), "".into()));
        assert_eq!(versioned("V1_0__A_b.sql"), ("1.0".into(), "A b".into()));
        assert_eq!(versioned("V2__a__b.sql"), ("2".into(), "a  b".into()));
        assert_eq!(
            parse("R__my_view.sql"),
            NameVerdict::Migration(ParsedName {
                version: None,
                description: "my view".into()
            })
        );
        for not in [
            "README.md",
            "flyway.conf",
            "V1__x.sql.conf",
            "v1__x.sql",
            "beforeMigrate.sql",
        ] {
            assert_eq!(parse(not), NameVerdict::NotMigration, "{not}");
        }
        for bad in ["V1_init.sql", "V__x.sql", "Vx__y.sql", "R1__x.sql"] {
            assert!(matches!(parse(bad), NameVerdict::Invalid(_)), "{bad}");
        }
    }

    #[test]
    fn configured_prefix_separator_suffix() {
        let mut c = Config::new(Format::Flyway);
        c.sql_migration_prefix = "M".into();
        c.sql_migration_separator = "-".into();
        c.sql_migration_suffixes = vec![".pgsql".into(), ".sql".into()];
        match parse_name(&c, "M3-add_x.pgsql") {
            NameVerdict::Migration(p) => {
                assert_eq!(p.version.map(|v| v.as_str().to_owned()), Some("3".into()));
                assert_eq!(p.description, "add x");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(parse_name(&c, "V1__x.sql"), NameVerdict::NotMigration);
    }
}
