//! Docker's grammar for container and volume names.

/// `[a-zA-Z0-9][a-zA-Z0-9_.-]+`: what the Docker Engine accepts as a container or volume name.
/// Checked where a runbook is validated and again before any request (a name like
/// `adv-anon/json?x=` would otherwise be pasted into an Engine API path).
pub fn is_docker_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    first_ok && rest_ok && name.len() >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockers_name_grammar() {
        for ok in ["db", "pg.data_1-a", "9box", "opendolphin-pgdata"] {
            assert!(is_docker_name(ok), "{ok}");
        }
        for bad in [
            "",
            "x",
            "-db",
            ".db",
            "a b",
            "adv-anon/json?x=",
            "é1",
            "db:1",
        ] {
            assert!(!is_docker_name(bad), "{bad}");
        }
    }
}
