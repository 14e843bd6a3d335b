//! Object names as the server resolves them: unquoted identifiers fold to lower case, quoted
//! ones are kept as written.

use std::fmt;

use super::tokens::Token;

/// A possibly schema-qualified object name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QualifiedName {
    pub schema: Option<String>,
    pub name: String,
}

impl QualifiedName {
    pub fn new(schema: Option<&str>, name: &str) -> Self {
        QualifiedName {
            schema: schema.map(str::to_owned),
            name: name.to_owned(),
        }
    }
}

impl fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.schema {
            Some(schema) => write!(f, "{schema}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// The identifier a token names, folded as the server folds it.
pub(crate) fn identifier(t: &Token<'_>) -> Option<String> {
    match t {
        Token::Word(w) => Some(w.to_ascii_lowercase()),
        Token::QuotedIdent(s) => Some(s.clone()),
        _ => None,
    }
}

/// Reads `name`, `schema.name` or `db.schema.name` at `tokens[*k]`, advancing `k`.
pub(crate) fn qualified_name(tokens: &[Token<'_>], k: &mut usize) -> Option<QualifiedName> {
    let mut parts = vec![identifier(tokens.get(*k)?)?];
    *k += 1;
    while tokens.get(*k).is_some_and(|t| t.is_punct('.')) {
        match tokens.get(*k + 1).and_then(identifier) {
            Some(part) => {
                parts.push(part);
                *k += 2;
            }
            None => break,
        }
    }
    let name = parts.pop()?;
    Some(QualifiedName {
        schema: parts.pop(),
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tokens::tokenize;

    #[test]
    fn folds_unquoted_and_keeps_quoted() {
        let t = tokenize("Public.\"MyTable\" x", true);
        let mut k = 0;
        assert_eq!(
            qualified_name(&t, &mut k),
            Some(QualifiedName::new(Some("public"), "MyTable"))
        );
        assert_eq!(k, 3);
        let t = tokenize("db.s.t", true);
        let mut k = 0;
        assert_eq!(
            qualified_name(&t, &mut k),
            Some(QualifiedName::new(Some("s"), "t"))
        );
    }
}
