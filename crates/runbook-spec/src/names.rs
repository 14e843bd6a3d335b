//! The spelling rules for the names a runbook declares (runbook, step ids, targets, vars): kept
//! in one place so the parser, the messages and the schema agree.

/// Runbook names and step ids: `[a-z0-9-]+`. They name folders in the evidence directory.
pub fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Target names: `[a-z0-9_-]+`.
pub fn is_target_name(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Var names: `[A-Za-z_][A-Za-z0-9_]*`, so that they are also valid psql variable names.
pub fn is_var_name(text: &str) -> bool {
    let mut bytes = text.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Environment variable names as POSIX shells accept them.
pub fn is_env_name(text: &str) -> bool {
    is_var_name(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spelling_rules() {
        assert!(is_slug("load-schema-2"));
        assert!(!is_slug("Load") && !is_slug("a_b") && !is_slug(""));
        assert!(is_target_name("legacy_db-1") && !is_target_name("Legacy"));
        assert!(is_var_name("_x1") && is_var_name("POSTGRES_DB"));
        assert!(!is_var_name("1x") && !is_var_name("a-b") && !is_var_name(""));
    }
}
