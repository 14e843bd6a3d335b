//! psql's reading of boolean variables (`\set ON_ERROR_STOP on`).

/// psql's `ParseVariableBool`: any unambiguous, case-insensitive prefix of true/false/yes/no,
/// `on`/`off` (at least two letters), or 1/0. `None` for anything else (psql warns and keeps
/// the old value).
pub(crate) fn parse(value: &str) -> Option<bool> {
    let value = value.trim().to_ascii_lowercase();
    if value.is_empty() {
        return None;
    }
    let prefix_of = |word: &str, min: usize| value.len() >= min && word.starts_with(&value);
    if prefix_of("true", 1) || prefix_of("yes", 1) || prefix_of("on", 2) || value == "1" {
        Some(true)
    } else if prefix_of("false", 1) || prefix_of("no", 1) || prefix_of("off", 2) || value == "0" {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn accepts_what_psql_accepts() {
        for on in ["on", "ON", "true", "t", "yes", "y", "1"] {
            assert_eq!(parse(on), Some(true), "{on}");
        }
        for off in ["off", "of", "false", "f", "no", "n", "0"] {
            assert_eq!(parse(off), Some(false), "{off}");
        }
        for bad in ["o", "", "2", "maybe"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
