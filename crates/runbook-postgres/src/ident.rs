//! Quoting for SQL the engine builds itself (`sequence_reset`'s table and column names), where
//! identifiers cannot be bind parameters.

/// `name` as a quoted identifier: `"d_facility"`, `"My ""odd"" name"`. Always quoted, so case
/// and reserved words are kept exactly as the runbook wrote them.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `value` as a string literal (`standard_conforming_strings` on, the default since 9.1).
pub fn quote_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_doubled() {
        assert_eq!(quote_ident("d_facility"), "\"d_facility\"");
        assert_eq!(quote_ident("My \"odd\" name"), "\"My \"\"odd\"\" name\"");
        assert_eq!(quote_literal("O'Brien"), "'O''Brien'");
    }
}
