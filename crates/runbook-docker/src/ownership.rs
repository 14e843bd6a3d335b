//! Mode and owner of a file copied into a container.
//!
//! Numeric only: names like `postgres` mean different ids in different images, and the tar
//! header that carries them is numeric anyway.

use std::fmt;
use std::str::FromStr;

use crate::errors::SpecError;

/// Numeric owner of a file inside a container (`999:999` is `postgres` in the official image
/// and in `runbook/postgres`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Owner {
    pub uid: u32,
    pub gid: u32,
}

impl Owner {
    pub const ROOT: Owner = Owner { uid: 0, gid: 0 };
    /// The `postgres` account of the official image and of `scripts/build-postgres-image`.
    pub const POSTGRES: Owner = Owner { uid: 999, gid: 999 };
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.uid, self.gid)
    }
}

impl FromStr for Owner {
    type Err = SpecError;

    /// `UID:GID`, or a lone `UID` that also serves as the group.
    fn from_str(text: &str) -> Result<Self, SpecError> {
        let err = || {
            SpecError::new(
                "owner",
                text,
                "expected UID:GID with numeric ids (like 999:999)",
            )
        };
        let (uid, gid) = text.split_once(':').unwrap_or((text, text));
        Ok(Owner {
            uid: uid.trim().parse().map_err(|_| err())?,
            gid: gid.trim().parse().map_err(|_| err())?,
        })
    }
}

/// Parses permission bits written in octal, as `chmod` takes them: `"0600"`, `"644"`.
pub fn parse_mode(text: &str) -> Result<u32, SpecError> {
    let err = || {
        SpecError::new(
            "mode",
            text,
            "expected octal permission bits like 0600 or 644",
        )
    };
    let digits = text.trim();
    let digits = digits.strip_prefix("0o").unwrap_or(digits);
    if digits.is_empty() || digits.len() > 5 {
        return Err(err());
    }
    let mode = u32::from_str_radix(digits, 8).map_err(|_| err())?;
    if mode > 0o7777 {
        return Err(err());
    }
    Ok(mode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners() {
        assert_eq!("999:999".parse(), Ok(Owner::POSTGRES));
        assert_eq!("0".parse(), Ok(Owner::ROOT));
        assert_eq!(
            "postgres:postgres"
                .parse::<Owner>()
                .unwrap_err()
                .to_string(),
            "invalid owner 'postgres:postgres': expected UID:GID with numeric ids (like 999:999)"
        );
    }

    #[test]
    fn modes() {
        assert_eq!(parse_mode("0600"), Ok(0o600));
        assert_eq!(parse_mode("644"), Ok(0o644));
        assert_eq!(parse_mode("0o755"), Ok(0o755));
        assert_eq!(
            parse_mode("0800").unwrap_err().to_string(),
            "invalid mode '0800': expected octal permission bits like 0600 or 644"
        );
        assert!(parse_mode("").is_err());
        assert!(parse_mode("77777").is_err());
    }
}
