//! psql variables: `\set`, `\unset`, `psql -v`, and how psql quotes a value for `:'name'` and
//! `:"name"`.

use std::collections::BTreeMap;

/// The variables a script has defined so far.
#[derive(Debug, Clone, Default)]
pub(crate) struct Variables {
    values: BTreeMap<String, String>,
}

impl Variables {
    pub(crate) fn new(initial: BTreeMap<String, String>) -> Self {
        Variables { values: initial }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    pub(crate) fn set(&mut self, name: String, value: String) {
        self.values.insert(name, value);
    }

    pub(crate) fn unset(&mut self, name: &str) {
        self.values.remove(name);
    }

    pub(crate) fn all(&self) -> &BTreeMap<String, String> {
        &self.values
    }
}

/// psql's `valid_variable_name`: letters, digits, `_`, and any non-ASCII character.
pub(crate) fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b >= 0x80 || b.is_ascii_alphanumeric() || b == b'_')
}

/// libpq's `PQescapeLiteral`: quotes doubled; with backslashes present, they are doubled and
/// the literal becomes ` E'...'` (the leading space keeps it from gluing onto an identifier).
pub(crate) fn quote_literal(value: &str) -> String {
    let has_backslash = value.contains('\\');
    let mut out = String::with_capacity(value.len() + 4);
    if has_backslash {
        out.push_str(" E");
    }
    out.push('\'');
    for c in value.chars() {
        if c == '\'' || c == '\\' {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// libpq's `PQescapeIdentifier`: double quotes doubled, the whole in double quotes.
pub(crate) fn quote_identifier(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' {
            out.push(c);
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_quoted_as_libpq_does() {
        assert_eq!(quote_literal("it's"), "'it''s'");
        assert_eq!(quote_literal(r"a\b"), r" E'a\\b'");
        assert_eq!(quote_literal(""), "''");
    }

    #[test]
    fn identifiers_are_quoted_as_libpq_does() {
        assert_eq!(quote_identifier("My \"T\""), "\"My \"\"T\"\"\"");
    }

    #[test]
    fn variable_names_follow_psql() {
        assert!(is_valid_name("db_name1"));
        assert!(is_valid_name("名前"));
        assert!(!is_valid_name("a-b"));
        assert!(!is_valid_name(""));
    }
}
