//! Expected SHA-256 digests of input files (`sha256:` in `require_files`).

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer};

use crate::qualified_name::visit_name;

/// A SHA-256 digest in lowercase hex.
///
/// The contract's own example writes an abbreviated digest (`3b1f...`); that form is accepted as a
/// prefix that the file's digest must start with, and the runbook carries a warning for it, because
/// a full digest is what makes the check worth having.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sha256Digest {
    hex: String,
    abbreviated: bool,
}

impl Sha256Digest {
    pub fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        let (digits, abbreviated) = match trimmed
            .strip_suffix("...")
            .or_else(|| trimmed.strip_suffix('…'))
        {
            Some(prefix) => (prefix, true),
            None => (trimmed, false),
        };
        let hex_ok = digits.bytes().all(|b| b.is_ascii_hexdigit());
        let len_ok = if abbreviated {
            (4..=64).contains(&digits.len())
        } else {
            digits.len() == 64
        };
        if hex_ok && len_ok {
            Ok(Self {
                hex: digits.to_ascii_lowercase(),
                abbreviated,
            })
        } else {
            Err(format!(
                "invalid sha256 '{text}': expected 64 hexadecimal digits (as printed by sha256sum)"
            ))
        }
    }

    /// The digest (or, when abbreviated, the known prefix) in lowercase hex.
    pub fn hex(&self) -> &str {
        &self.hex
    }

    pub fn is_abbreviated(&self) -> bool {
        self.abbreviated
    }

    /// Whether a file whose full digest is `actual_hex` satisfies this expectation.
    pub fn matches(&self, actual_hex: &str) -> bool {
        let actual = actual_hex.to_ascii_lowercase();
        if self.abbreviated {
            actual.starts_with(&self.hex)
        } else {
            actual == self.hex
        }
    }
}

impl fmt::Display for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex)?;
        if self.abbreviated {
            f.write_str("...")?;
        }
        Ok(())
    }
}

impl<'de> Deserialize<'de> for Sha256Digest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        visit_name(deserializer, "64 hexadecimal digits", Sha256Digest::parse)
    }
}

impl JsonSchema for Sha256Digest {
    fn schema_name() -> Cow<'static, str> {
        "Sha256Digest".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "The file's SHA-256 digest: 64 hexadecimal digits as printed by sha256sum. An abbreviated prefix followed by '...' is accepted with a warning.",
            "type": "string",
            "pattern": "^\\s*([0-9a-fA-F]{64}|[0-9a-fA-F]{4,64}(\\.\\.\\.|…))\\s*$"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_and_abbreviated_digests() {
        let full = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
        let d = Sha256Digest::parse(full).unwrap();
        assert!(!d.is_abbreviated());
        assert!(d.matches(&full.to_lowercase()));
        let short = Sha256Digest::parse("3b1f...").unwrap();
        assert!(short.is_abbreviated());
        assert!(short.matches("3b1f00"));
        assert!(!short.matches("3b2f00"));
        assert_eq!(
            Sha256Digest::parse("3b1f").unwrap_err(),
            "invalid sha256 '3b1f': expected 64 hexadecimal digits (as printed by sha256sum)"
        );
        assert!(Sha256Digest::parse("zz...").is_err());
    }
}
