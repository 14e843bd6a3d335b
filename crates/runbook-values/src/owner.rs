//! The numeric owner of a file copied into a container.
//!
//! Numeric only: names like `postgres` mean different ids in different images, and the tar
//! header that carries them is numeric anyway.

use std::fmt;
use std::str::FromStr;

use crate::ValueError;

/// Numeric owner of a file inside a container (`999:999` is `postgres` in the official image
/// and in `runbook/postgres`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
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
    type Err = ValueError;

    /// `UID:GID`, both numeric. A lone `UID` is refused: which group it would mean is a guess.
    fn from_str(text: &str) -> Result<Self, ValueError> {
        let parsed = text.split_once(':').and_then(|(uid, gid)| {
            Some(Owner {
                uid: uid.trim().parse().ok()?,
                gid: gid.trim().parse().ok()?,
            })
        });
        parsed
            .ok_or_else(|| ValueError::new("owner", text, "expected numeric uid:gid, e.g. 999:999"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_uid_and_gid() {
        assert_eq!("999:999".parse(), Ok(Owner::POSTGRES));
        assert_eq!("0:0".parse(), Ok(Owner::ROOT));
        assert_eq!(" 70 : 71 ".parse(), Ok(Owner { uid: 70, gid: 71 }));
        for bad in ["postgres:postgres", "0", "", "1:", ":1", "-1:0", "1:2:3"] {
            assert_eq!(
                bad.parse::<Owner>().unwrap_err().to_string(),
                format!("invalid owner '{bad}': expected numeric uid:gid, e.g. 999:999"),
                "{bad}"
            );
        }
    }
}
