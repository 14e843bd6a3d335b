//! Permission bits written in octal, as `chmod` takes them: `"0600"`, `"644"`, `"0o755"`.

use crate::ValueError;

const EXPECTED: &str = "expected octal permission bits as a string, e.g. \"0600\"";

/// Parses 3 to 5 octal digits (optionally after `0o`), at most `7777`. Fewer than 3 digits is
/// refused though `chmod` takes it: `"60"` is far more often a typo than `0060`.
pub fn parse_mode(text: &str) -> Result<u32, ValueError> {
    let err = || ValueError::new("mode", text, EXPECTED);
    let digits = text.trim();
    let digits = digits.strip_prefix("0o").unwrap_or(digits);
    if !(3..=5).contains(&digits.len()) || !digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
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
    fn octal_digits_as_chmod_takes_them() {
        assert_eq!(parse_mode("0600"), Ok(0o600));
        assert_eq!(parse_mode("644"), Ok(0o644));
        assert_eq!(parse_mode("0o755"), Ok(0o755));
        assert_eq!(parse_mode("04755"), Ok(0o4755));
    }

    #[test]
    fn anything_else_is_refused() {
        assert_eq!(
            parse_mode("0800").unwrap_err().to_string(),
            "invalid mode '0800': expected octal permission bits as a string, e.g. \"0600\""
        );
        for bad in ["", "60", "rw-------", "077777", "17777", "77777", "0o"] {
            assert!(parse_mode(bad).is_err(), "{bad}");
        }
    }
}
