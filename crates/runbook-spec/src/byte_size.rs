//! Sizes written the way Docker takes them (`64m`, `1.5g`, `512k`, or bytes); parsed by
//! `runbook-values`, the one implementation the Docker adapter uses too.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserialize, Deserializer, Visitor};

/// A number of bytes; the units are binary (k = 1024), as in `docker run --shm-size`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ByteSize(u64);

impl ByteSize {
    pub const fn from_bytes(bytes: u64) -> Self {
        Self(bytes)
    }

    pub const fn bytes(self) -> u64 {
        self.0
    }

    /// Docker's syntax (`runbook_values::parse_size`, shared with the Docker adapter): `1.5g`
    /// means here what it means to `docker run --shm-size` and Compose.
    pub fn parse(text: &str) -> Result<Self, String> {
        runbook_values::parse_size(text)
            .map(Self)
            .map_err(|e| e.to_string())
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        for (shift, unit) in [(30, "g"), (20, "m"), (10, "k")] {
            if b != 0 && b.is_multiple_of(1u64 << shift) {
                return write!(f, "{}{unit}", b >> shift);
            }
        }
        write!(f, "{b}")
    }
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SizeVisitor;
        impl Visitor<'_> for SizeVisitor {
            type Value = ByteSize;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a size such as 256m or 1g")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ByteSize, E> {
                Ok(ByteSize(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ByteSize, E> {
                ByteSize::parse(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(SizeVisitor)
    }
}

impl JsonSchema for ByteSize {
    fn schema_name() -> Cow<'static, str> {
        "ByteSize".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A size in bytes with an optional binary unit (k, m, g, t, p), as Docker reads it, e.g. 256m or 1.5g.",
            "anyOf": [
                { "type": "integer", "minimum": 0 },
                { "type": "string", "pattern": "^\\s*[0-9]+(\\.[0-9]+)? ?([kKmMgGtTpP])?[iI]?[bB]?\\s*$" }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_docker_units() {
        assert_eq!(ByteSize::parse("64m").unwrap().bytes(), 64 << 20);
        assert_eq!(ByteSize::parse("1G").unwrap().bytes(), 1 << 30);
        assert_eq!(ByteSize::parse("1024").unwrap().to_string(), "1k");
        assert!(ByteSize::parse("lots").is_err());
        assert!(ByteSize::parse("99999999999g").is_err());
        // As Docker reads it (go-units' RAMInBytes), which this once refused.
        assert_eq!(ByteSize::parse("1.5g").unwrap().bytes(), 1_610_612_736);
    }
}
