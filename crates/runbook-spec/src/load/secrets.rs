//! Which names suggest that a value is a secret, so that the value is recorded for redaction.

/// `POSTGRES_PASSWORD`, `PGPASSWORD`, `api_token`, `AWS_SECRET_ACCESS_KEY`...: erring on the side
/// of redacting too much.
pub(crate) fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "KEY", "CREDENTIAL"]
        .iter()
        .any(|word| upper.contains(word))
}

/// Keeps secrets unique, non-empty and longest first.
pub(crate) fn normalize(mut secrets: Vec<String>) -> Vec<String> {
    secrets.retain(|s| !s.is_empty());
    secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    secrets.dedup();
    secrets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_looking_names() {
        for name in [
            "POSTGRES_PASSWORD",
            "PGPASSWORD",
            "db_password",
            "API_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
        ] {
            assert!(looks_secret(name), "{name}");
        }
        for name in ["POSTGRES_USER", "HOME", "POSTGRES_DB"] {
            assert!(!looks_secret(name), "{name}");
        }
        assert_eq!(
            normalize(vec!["a".into(), "".into(), "abc".into(), "a".into()]),
            vec!["abc", "a"]
        );
    }
}
