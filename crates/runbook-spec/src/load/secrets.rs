//! Which names suggest that a value is a secret, so that the value is recorded for redaction.

use crate::step::{Step, StepKind};

/// `POSTGRES_PASSWORD`, `PGPASSWORD`, `api_token`, `AWS_SECRET_ACCESS_KEY`...: erring on the side
/// of redacting too much.
pub(crate) fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "KEY", "CREDENTIAL"]
        .iter()
        .any(|word| upper.contains(word))
}

/// Values written into a step's environment under secret-looking names
/// (`POSTGRES_PASSWORD: ...` of a container_start): they reach the container or the command,
/// and the evidence copy of the runbook must not show them. Values that came from
/// `${env.NAME}` are recorded by the interpolator already; this adds the ones written out.
pub(crate) fn step_env_secrets(steps: &[Step]) -> Vec<String> {
    steps
        .iter()
        .filter_map(|step| match &step.kind {
            StepKind::ContainerStart(s) => Some(&s.env),
            StepKind::ContainerExec(s) => Some(&s.env),
            StepKind::Shell(s) => Some(&s.env),
            _ => None,
        })
        .flatten()
        .filter(|(name, _)| looks_secret(name))
        .map(|(_, value)| value.clone())
        .collect()
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
