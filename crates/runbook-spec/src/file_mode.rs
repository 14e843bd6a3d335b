//! Unix permission bits written as an octal string (`"0600"`), as `chmod` takes them.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserialize, Deserializer, Visitor};

/// Permission bits (at most `0o7777`).
///
/// Written as a string because YAML reads an unquoted `0600` as the decimal number 600; an
/// unquoted value is still read as octal digits, which is what anyone writing it meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileMode(u32);

impl FileMode {
    pub const fn new(bits: u32) -> Option<Self> {
        if bits <= 0o7777 {
            Some(Self(bits))
        } else {
            None
        }
    }

    pub const fn bits(self) -> u32 {
        self.0
    }

    /// `chmod`'s octal digits (`runbook_values::parse_mode`, shared with the Docker adapter).
    pub fn parse(text: &str) -> Result<Self, String> {
        runbook_values::parse_mode(text)
            .map(Self)
            .map_err(|e| e.to_string())
    }
}

impl fmt::Display for FileMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04o}", self.0)
    }
}

impl<'de> Deserialize<'de> for FileMode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ModeVisitor;
        impl Visitor<'_> for ModeVisitor {
            type Value = FileMode;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("octal permission bits as a string, e.g. \"0600\"")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<FileMode, E> {
                FileMode::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FileMode, E> {
                FileMode::parse(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(ModeVisitor)
    }
}

impl JsonSchema for FileMode {
    fn schema_name() -> Cow<'static, str> {
        "FileMode".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Unix permission bits as an octal string, e.g. \"0600\".",
            "type": "string",
            "pattern": "^(0o)?[0-7]{3,5}$",
            "examples": ["0600", "0644"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_octal_strings() {
        assert_eq!(FileMode::parse("0600").unwrap().bits(), 0o600);
        assert_eq!(FileMode::parse("644").unwrap().bits(), 0o644);
        assert_eq!(FileMode::parse("0o755").unwrap().to_string(), "0755");
    }

    #[test]
    fn rejects_non_octal() {
        assert_eq!(
            FileMode::parse("0800").unwrap_err(),
            "invalid mode '0800': expected octal permission bits as a string, e.g. \"0600\""
        );
        for bad in ["", "rw-------", "60", "077777", "17777"] {
            assert!(FileMode::parse(bad).is_err(), "{bad}");
        }
    }
}
