//! Migration versions, parsed and compared as Flyway's `MigrationVersion` does: `_` is a dot,
//! the text splits at each dot followed by a digit, every part is a non-negative integer
//! (leading zeros do not count), trailing zero parts are dropped, and comparison fills missing
//! parts with zero. So `1.9 < 1.10`, `0002 == 2`, `1 == 1.0`. The text is kept as written
//! (with `_` turned into `.`): that is what Flyway stores in the history's `version` column
//! (`V0227_1__x.sql` is recorded as `0227.1`).

use std::cmp::Ordering;
use std::fmt;

/// A version as Flyway understands one.
#[derive(Debug, Clone)]
pub struct Version {
    /// Display text: the written version with `_` replaced by `.` (Flyway's `displayText`).
    text: String,
    /// Numeric parts without leading zeros (decimal digit strings, "0" for zero), trailing
    /// zero parts removed (Flyway's `tokenize`). Strings, so any length compares correctly.
    parts: Vec<String>,
}

/// Why a version did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid version '{text}': {problem}")]
pub struct VersionError {
    pub text: String,
    pub problem: String,
}

impl Version {
    /// Parses a version as written in a file name or configuration (`0227_1`, `1.10`, `0`).
    pub fn parse(text: &str) -> Result<Version, VersionError> {
        let normalized = text.replace('_', ".");
        if normalized.is_empty() {
            return Err(VersionError {
                text: text.to_owned(),
                problem: "it is empty; expected digits and dots such as 1.2".to_owned(),
            });
        }
        // Split at a dot followed by a digit (Flyway's `\.(?=\d)`); anything else left in a
        // part (a letter, a trailing or doubled dot) makes the part invalid.
        let bytes = normalized.as_bytes();
        let mut parts = Vec::new();
        let mut start = 0;
        for i in 0..bytes.len() {
            if bytes[i] == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
                parts.push(&normalized[start..i]);
                start = i + 1;
            }
        }
        parts.push(&normalized[start..]);
        let mut numeric = Vec::with_capacity(parts.len());
        for part in parts {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(VersionError {
                    text: text.to_owned(),
                    problem: "a version may only contain 0..9 and . (dot) (Flyway's rule)"
                        .to_owned(),
                });
            }
            let trimmed = part.trim_start_matches('0');
            numeric.push(if trimmed.is_empty() {
                "0".to_owned()
            } else {
                trimmed.to_owned()
            });
        }
        while numeric.len() > 1 && numeric.last().is_some_and(|p| p == "0") {
            numeric.pop();
        }
        Ok(Version {
            text: normalized,
            parts: numeric,
        })
    }

    /// The text as recorded in a history table (`0227.1`).
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

fn cmp_part(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        let n = self.parts.len().max(other.parts.len());
        for i in 0..n {
            let a = self.parts.get(i).map_or("0", String::as_str);
            let b = other.parts.get(i).map_or("0", String::as_str);
            match cmp_part(a, b) {
                Ordering::Equal => {}
                unequal => return unequal,
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Version) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Equal as Flyway's `equals` (`compareTo == 0`): `1` and `1.0` are the same version.
impl PartialEq for Version {
    fn eq(&self, other: &Version) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).expect(s)
    }

    #[test]
    fn orders_as_flyway() {
        let table: &[(&str, &str, Ordering)] = &[
            ("1.9", "1.10", Ordering::Less),
            ("0002", "2", Ordering::Equal),
            ("1", "1.0", Ordering::Equal),
            ("1.0.0", "1", Ordering::Equal),
            ("0227", "0227.1", Ordering::Less),
            ("0227.1", "0228", Ordering::Less),
            ("0227_1", "0227.1", Ordering::Equal),
            ("2", "10", Ordering::Less),
            ("0", "0001", Ordering::Less),
            ("1.2.3", "1.2", Ordering::Greater),
            ("20250101120000", "3", Ordering::Greater),
            (
                "99999999999999999999999",
                "99999999999999999999998",
                Ordering::Greater,
            ),
        ];
        for (a, b, want) in table {
            assert_eq!(v(a).cmp(&v(b)), *want, "{a} vs {b}");
            assert_eq!(v(b).cmp(&v(a)), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn keeps_the_text_as_written() {
        assert_eq!(v("0227_1").as_str(), "0227.1");
        assert_eq!(v("0001").as_str(), "0001");
        assert_eq!(v("0_00").as_str(), "0.00");
        assert_eq!(v("0.0.1.01").as_str(), "0.0.1.01");
    }

    #[test]
    fn refuses_what_flyway_refuses() {
        for bad in ["", "1a", "a", "1..2", "1.", ".1", "1.2-3", "1 2", "-1"] {
            assert!(Version::parse(bad).is_err(), "{bad:?} should not parse");
        }
    }
}
