//! The plain format: a directory of `.sql` files for teams with neither Flyway nor Prisma
//! (drizzle-kit's `0000_milky_shotgun.sql`, Neon's numbered files, hand-written sets).
//!
//! The naming rule:
//! - only files directly in the directory whose name ends in `.sql` (any case) are considered;
//! - a migration's name starts with its version: digits, optionally dot-separated groups of
//!   digits (`0001`, `2`, `10`, `1.2`), compared as Flyway compares versions (so `2 < 10`,
//!   `0002 == 2`, `1.9 < 1.10`) and recorded as written;
//! - the version is followed by the end of the name (`3.sql`) or by `_` or `-` and a
//!   description (`_` turned into a space, as Flyway records descriptions);
//! - a `.sql` file that does not start with a digit (`rollback_0006_x.sql`, `seed.sql`) is not a
//!   migration; it is listed in the notes, never applied;
//! - ambiguous names are refused: a version followed by anything else (`1a_x.sql`, `1.2.sql.bak`
//!   is not `.sql` and so not considered) and a description that starts with a digit after `_`
//!   or `-` (`1_2_x.sql`: version 1 or 1.2? `2024_01_15_x.sql`: a date?). Write `1.2_x.sql`.

use crate::version::Version;

/// The verdict on one plain file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlainName {
    /// Not a `.sql` file: ignored without a word (README, .conf, ...).
    NotSql,
    /// A `.sql` file that does not start with a version: listed in the notes.
    NoVersion,
    /// A migration.
    Migration {
        version: Version,
        description: String,
    },
    /// Refused: the message says why and what to write instead.
    Ambiguous(String),
}

/// Parses a plain migration file name.
pub fn parse_plain_name(file_name: &str) -> PlainName {
    let lower = file_name.to_ascii_lowercase();
    if !lower.ends_with(".sql") {
        return PlainName::NotSql;
    }
    let stem = &file_name[..file_name.len() - 4];
    if !stem.starts_with(|c: char| c.is_ascii_digit()) {
        return PlainName::NoVersion;
    }
    let bytes = stem.as_bytes();
    let mut end = 0;
    while end < bytes.len() {
        let digit = bytes[end].is_ascii_digit();
        let dot_then_digit =
            bytes[end] == b'.' && bytes.get(end + 1).is_some_and(u8::is_ascii_digit);
        if digit || dot_then_digit {
            end += 1;
        } else {
            break;
        }
    }
    let version_text = &stem[..end];
    let rest = &stem[end..];
    let description = match rest.as_bytes().first() {
        None => "",
        Some(b'_' | b'-') => &rest[1..],
        Some(_) => {
            return PlainName::Ambiguous(format!(
                "{file_name}: the version '{version_text}' is followed by '{rest}'; a plain migration name is <version>_<description>.sql (such as 0001_init.sql) or <version>.sql"
            ));
        }
    };
    if description.starts_with(|c: char| c.is_ascii_digit()) {
        return PlainName::Ambiguous(format!(
            "{file_name}: ambiguous version: '{version_text}' followed by '{rest}' could be one version or several parts; write the version with dots (such as {version_text}.{}_description.sql) or start the description with a letter",
            description
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .unwrap_or("")
        ));
    }
    match Version::parse(version_text) {
        Ok(version) => PlainName::Migration {
            version,
            description: description.replace('_', " "),
        },
        Err(e) => PlainName::Ambiguous(format!("{file_name}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mig(name: &str) -> (String, String) {
        match parse_plain_name(name) {
            PlainName::Migration {
                version,
                description,
            } => (version.as_str().to_owned(), description),
            other => panic!("{name}: {other:?}"),
        }
    }

    #[test]
    fn names() {
        assert_eq!(mig("0001_init.sql"), ("0001".into(), "init".into()));
        assert_eq!(
            mig("0000_milky_shotgun.sql"),
            ("0000".into(), "milky shotgun".into())
        );
        assert_eq!(mig("2_x.sql"), ("2".into(), "x".into()));
        assert_eq!(mig("10-y.SQL"), ("10".into(), "y".into()));
        assert_eq!(mig("3.sql"), ("3".into(), "".into()));
        assert_eq!(mig("1.2_add.sql"), ("1.2".into(), "add".into()));
        assert_eq!(parse_plain_name("README.md"), PlainName::NotSql);
        assert_eq!(
            parse_plain_name("rollback_0006_add_rag_metrics.sql"),
            PlainName::NoVersion
        );
        for bad in [
            "1a_x.sql",
            "1_2_x.sql",
            "2024_01_15_x.sql",
            "1 x.sql",
            "1..2_x.sql",
        ] {
            assert!(
                matches!(parse_plain_name(bad), PlainName::Ambiguous(_)),
                "{bad}"
            );
        }
    }

    #[test]
    fn natural_order() {
        let mut names = [
            "10_y.sql",
            "2_x.sql",
            "0001_init.sql",
            "1.10_b.sql",
            "1.9_a.sql",
        ];
        names.sort_by(|a, b| {
            let v = |n: &str| match parse_plain_name(n) {
                PlainName::Migration { version, .. } => version,
                other => panic!("{other:?}"),
            };
            v(a).cmp(&v(b))
        });
        assert_eq!(
            names,
            [
                "0001_init.sql",
                "1.9_a.sql",
                "1.10_b.sql",
                "2_x.sql",
                "10_y.sql"
            ]
        );
    }
}
