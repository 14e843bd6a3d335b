//! Names of containers and volumes as they reach the Engine API.
//!
//! bollard pastes a name into the request path as it is (`/containers/{name}/json`), so a name
//! like `adv-anon/json?x=` addressed the container `adv-anon` instead of failing: the step's
//! name, the log and consent spoke of one object while the engine acted on another. Every name
//! is therefore checked against Docker's own grammar (`[a-zA-Z0-9][a-zA-Z0-9_.-]+`, which an ID
//! or ID prefix also fits) before any request, and percent-encoded in the path anyway, so that
//! a name is never anything but one path segment.

use crate::errors::{DockerError, SpecError};

/// Checks a container name (or ID, or ID prefix) against Docker's grammar.
pub fn check_container_ref(name: &str) -> Result<(), DockerError> {
    check(name, "container name")
}

/// Checks a volume name against Docker's grammar (the same as a container name's).
pub fn check_volume_ref(name: &str) -> Result<(), DockerError> {
    check(name, "volume name")
}

fn check(name: &str, what: &'static str) -> Result<(), DockerError> {
    if crate::spec::is_docker_name(name) {
        Ok(())
    } else {
        Err(SpecError::new(
            what,
            name,
            "expected letters, digits, '_', '.' or '-', at least 2 characters, starting with a letter or digit",
        )
        .into())
    }
}

/// `name` as one URL path segment: every byte but the unreserved ones percent-encoded. For a
/// name that passed the checks above this is the name itself; it is the second lock on the door.
pub(crate) fn path_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Whether `text` looks like a full container ID or an ID prefix (hex digits only): what
/// Docker resolves by prefix when no container has that name.
pub fn looks_like_id(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_url_characters_are_refused() {
        for bad in [
            "adv-anon/json?x=",
            "a b",
            "db#x",
            "../x",
            "-db",
            "x",
            "",
            "db%2F",
        ] {
            assert!(check_container_ref(bad).is_err(), "{bad}");
            assert!(check_volume_ref(bad).is_err(), "{bad}");
        }
        for good in ["db", "opendolphin-postgres", "838d8", "a_b.c-d"] {
            assert!(check_container_ref(good).is_ok(), "{good}");
        }
        assert_eq!(
            check_container_ref("adv-anon/json?x=")
                .unwrap_err()
                .to_string(),
            "invalid container name 'adv-anon/json?x=': expected letters, digits, '_', '.' or '-', at least 2 characters, starting with a letter or digit"
        );
    }

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(path_segment("box-1.a_b"), "box-1.a_b");
        assert_eq!(path_segment("adv-anon/json?x="), "adv-anon%2Fjson%3Fx%3D");
        assert_eq!(path_segment("é"), "%C3%A9");
    }
}
