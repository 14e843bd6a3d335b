//! Byte sizes as Docker reads them (`256m`, `1g`, `1.5GiB`, `100 m`, a plain number of bytes):
//! `go-units`' `RAMInBytes`, which `docker run --shm-size` and Compose's `shm_size` use.

use crate::ValueError;

const EXPECTED: &str =
    "expected a number of bytes with an optional binary unit (k, m, g, t, p), e.g. 256m or 1.5g";

/// Parses a size with binary units (`1k` is 1024 bytes), as Docker does: a decimal number
/// (`1.5g` is 1610612736 bytes, the fraction of a byte dropped), at most one space, then an
/// optional unit `k`, `m`, `g`, `t` or `p`, optionally followed by `i` and `b` (any case).
/// Surrounding whitespace is ignored.
pub fn parse_size(text: &str) -> Result<u64, ValueError> {
    let err = || ValueError::new("size", text, EXPECTED);
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    // go-units: `\d+(\.\d+)*`, so neither end may be a dot.
    if number.is_empty()
        || number.starts_with('.')
        || number.ends_with('.')
        || number.contains("..")
    {
        return Err(err());
    }
    let unit = unit.strip_prefix(' ').unwrap_or(unit).to_ascii_lowercase();
    let unit = unit.strip_suffix('b').unwrap_or(&unit);
    let unit = unit.strip_suffix('i').unwrap_or(unit);
    let factor: u64 = match unit {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        "t" => 1 << 40,
        "p" => 1 << 50,
        _ => return Err(err()),
    };
    if let Ok(whole) = number.parse::<u64>() {
        return whole.checked_mul(factor).ok_or_else(err);
    }
    // `1.5.2` is no number (go-units takes it, then ParseFloat refuses it).
    let value: f64 = number.parse().map_err(|_| err())?;
    let bytes = value * factor as f64;
    if !bytes.is_finite() || bytes >= u64::MAX as f64 {
        return Err(err());
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_binary_and_fractions_are_taken_as_docker_takes_them() {
        assert_eq!(parse_size("256m"), Ok(256 << 20));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("1GB"), Ok(1 << 30));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("67108864"), Ok(67_108_864));
        assert_eq!(parse_size("1.5g"), Ok(1_610_612_736));
        assert_eq!(parse_size("0.5k"), Ok(512));
        assert_eq!(parse_size("1.0001k"), Ok(1024));
        assert_eq!(parse_size("100 m"), Ok(100 << 20));
        assert_eq!(parse_size("1t"), Ok(1 << 40));
        assert_eq!(parse_size("2p"), Ok(2 << 50));
        assert_eq!(parse_size("10b"), Ok(10));
    }

    #[test]
    fn bad_sizes_are_quoted_with_what_was_expected() {
        for text in [
            "",
            "m",
            "256x",
            "-1",
            "1.g",
            ".5g",
            "1..5g",
            "1.5.2g",
            "big",
            "1  m",
            "99999999999p",
            "16777216t",
        ] {
            assert_eq!(
                parse_size(text).unwrap_err().to_string(),
                format!("invalid size '{text}': {EXPECTED}"),
                "{text}"
            );
        }
    }
}
