//! Durations as people write them in runbooks: `500ms`, `30s`, `5m`, `1h30m`, or a bare number of
//! seconds.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserialize, Deserializer, Visitor};

/// A non-negative span of time. Kept as its own type so that every duration field accepts the same
/// spellings and reports the same error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration(std::time::Duration);

/// The longest duration any field accepts: 30 days. Every duration (`timeout`, `wait`, `grace`,
/// ...) is added to a clock reading at run time; a value near `u64::MAX` seconds overflowed
/// there and panicked mid-run (exit 101, the evidence left "running"), after `validate` had
/// passed it. No recovery step waits a month, so the bound is refused where the runbook is read,
/// with its file:line:col.
pub const MAX_DURATION: Duration = Duration::from_secs(30 * 24 * 3600);

impl Duration {
    pub const fn from_secs(secs: u64) -> Self {
        Self(std::time::Duration::from_secs(secs))
    }

    pub const fn from_millis(millis: u64) -> Self {
        Self(std::time::Duration::from_millis(millis))
    }

    pub const fn as_std(self) -> std::time::Duration {
        self.0
    }

    /// Parses `500ms`, `30s`, `5m`, `1h`, `1h30m` (units may be combined, largest first is not
    /// required) or a bare integer meaning seconds.
    pub fn parse(text: &str) -> Result<Self, String> {
        let invalid = || {
            format!(
                "invalid duration '{text}': expected a number with a unit (ms, s, m, h), e.g. 30s or 5m"
            )
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(invalid());
        }
        if trimmed.bytes().all(|b| b.is_ascii_digit()) {
            return match trimmed.parse::<u64>() {
                Ok(secs) => Self::checked_from_secs(secs).map_err(|()| too_long(text)),
                Err(_) => Err(too_long(text)),
            };
        }
        let bytes = trimmed.as_bytes();
        let mut millis: u128 = 0;
        let mut i = 0;
        while i < bytes.len() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if start == i {
                return Err(invalid());
            }
            let number: u128 = trimmed[start..i].parse().map_err(|_| invalid())?;
            let unit_start = i;
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            let factor: u128 = match &trimmed[unit_start..i] {
                "ms" => 1,
                "s" => 1_000,
                "m" => 60_000,
                "h" => 3_600_000,
                _ => return Err(invalid()),
            };
            millis = number
                .checked_mul(factor)
                .and_then(|m| millis.checked_add(m))
                .ok_or_else(|| too_long(text))?;
            if millis > MAX_DURATION.0.as_millis() {
                return Err(too_long(text));
            }
        }
        let millis = u64::try_from(millis).map_err(|_| too_long(text))?;
        Ok(Self::from_millis(millis))
    }

    /// `secs` seconds, unless that is more than [`MAX_DURATION`].
    fn checked_from_secs(secs: u64) -> Result<Self, ()> {
        if secs > MAX_DURATION.0.as_secs() {
            Err(())
        } else {
            Ok(Self::from_secs(secs))
        }
    }
}

fn too_long(text: &str) -> String {
    let shown: String = text.chars().take(40).collect();
    format!("duration '{shown}' is too long: at most {MAX_DURATION} (30 days)")
}

impl From<Duration> for std::time::Duration {
    fn from(value: Duration) -> Self {
        value.0
    }
}

impl fmt::Display for Duration {
    /// The shortest spelling that parses back to the same value (`1h30m`, `500ms`, `0s`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.0.as_millis();
        if total == 0 {
            return f.write_str("0s");
        }
        let (h, rest) = (total / 3_600_000, total % 3_600_000);
        let (m, rest) = (rest / 60_000, rest % 60_000);
        let (s, ms) = (rest / 1_000, rest % 1_000);
        for (value, unit) in [(h, "h"), (m, "m"), (s, "s"), (ms, "ms")] {
            if value > 0 {
                write!(f, "{value}{unit}")?;
            }
        }
        Ok(())
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DurationVisitor;
        impl Visitor<'_> for DurationVisitor {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as 30s, 5m or 1h30m")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
                Duration::checked_from_secs(v).map_err(|()| E::custom(too_long(&v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
                let v = u64::try_from(v).map_err(|_| {
                    E::custom(format!("invalid duration '{v}': expected zero or more"))
                })?;
                self.visit_u64(v)
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<Duration, E> {
                Err(E::custom(too_long(&v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Duration, E> {
                Err(E::custom(format!(
                    "invalid duration '{v}': expected a number with a unit (ms, s, m, h), e.g. 30s or 5m"
                )))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
                Duration::parse(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(DurationVisitor)
    }
}

impl JsonSchema for Duration {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A duration: a number with a unit (ms, s, m, h), units may be combined (1h30m); a bare integer means seconds.",
            "anyOf": [
                { "type": "integer", "minimum": 0 },
                { "type": "string", "pattern": "^\\s*([0-9]+|([0-9]+(ms|s|m|h))+)\\s*$" }
            ],
            "examples": ["30s", "5m", "1h30m", "500ms"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_units_combinations_and_bare_seconds() {
        assert_eq!(Duration::parse("500ms").unwrap().as_std().as_millis(), 500);
        assert_eq!(Duration::parse("30s").unwrap().as_std().as_secs(), 30);
        assert_eq!(Duration::parse("5m").unwrap().as_std().as_secs(), 300);
        assert_eq!(Duration::parse("1h30m").unwrap().as_std().as_secs(), 5400);
        assert_eq!(Duration::parse("90").unwrap().as_std().as_secs(), 90);
        assert_eq!(Duration::parse("1m30s").unwrap().to_string(), "1m30s");
        assert_eq!(Duration::parse("90s").unwrap().to_string(), "1m30s");
    }

    #[test]
    fn rejects_words_and_missing_units() {
        assert_eq!(
            Duration::parse("5 minutes").unwrap_err(),
            "invalid duration '5 minutes': expected a number with a unit (ms, s, m, h), e.g. 30s or 5m"
        );
        for bad in ["", "s", "5x", "1.5h", "-3s", "5m3", "99999999999999999999h"] {
            assert!(Duration::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn values_past_thirty_days_are_refused_before_they_can_overflow_a_clock() {
        assert_eq!(Duration::parse("720h").unwrap(), MAX_DURATION);
        assert_eq!(Duration::parse("2592000").unwrap(), MAX_DURATION);
        for bad in [
            "18446744073709551615",
            "2592001",
            "721h",
            "720h1ms",
            "99999999999999999999",
        ] {
            assert_eq!(
                Duration::parse(bad).unwrap_err(),
                format!("duration '{bad}' is too long: at most 720h (30 days)"),
            );
        }
        let err = serde_json::from_str::<Duration>("18446744073709551615").unwrap_err();
        assert!(
            err.to_string().contains("is too long: at most 720h"),
            "{err}"
        );
    }
}
