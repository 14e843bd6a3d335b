//! Byte sizes as Docker writes them (`256m`, `1g`, `1.5GiB`, a plain number of bytes), for
//! `shm_size`: PostgreSQL's parallel queries need more than the 64 MB `/dev/shm` Docker gives.

use crate::errors::SpecError;

const EXPECTED: &str = "expected a number of bytes with an optional unit k, m, g or t (like 256m)";

/// Parses a size with binary units (`1k` is 1024 bytes), as `docker run --shm-size` does.
pub fn parse_size(text: &str) -> Result<u64, SpecError> {
    let err = || SpecError::new("size", text, EXPECTED);
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') {
        return Err(err());
    }
    let unit = unit.trim_start().to_ascii_lowercase();
    let unit = unit.strip_suffix('b').unwrap_or(&unit);
    let unit = unit.strip_suffix('i').unwrap_or(unit);
    let factor: u64 = match unit {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        "t" => 1 << 40,
        _ => return Err(err()),
    };
    if let Ok(whole) = number.parse::<u64>() {
        return whole.checked_mul(factor).ok_or_else(err);
    }
    let value: f64 = number.parse().map_err(|_| err())?;
    let bytes = value * factor as f64;
    if !bytes.is_finite() || bytes > u64::MAX as f64 {
        return Err(err());
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_binary() {
        assert_eq!(parse_size("256m"), Ok(256 << 20));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert_eq!(parse_size("1GB"), Ok(1 << 30));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("67108864"), Ok(67_108_864));
        assert_eq!(parse_size("1.5g"), Ok(3 << 29));
        assert_eq!(parse_size("100 m"), Ok(100 << 20));
    }

    #[test]
    fn bad_sizes_are_quoted() {
        for text in ["", "m", "256x", "-1", "1.g", "big"] {
            assert_eq!(
                parse_size(text).unwrap_err().to_string(),
                format!(
                    "invalid size '{text}': expected a number of bytes with an optional unit k, m, g or t (like 256m)"
                )
            );
        }
    }
}
