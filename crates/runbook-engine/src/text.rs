//! Small pieces of wording shared by the messages of several steps.

use std::time::Duration;

/// The plural "s" for `n` things: `format!("{n} file{}", plural(n))`.
pub(crate) fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// "5m", "1h30m", "250ms": durations as runbooks write them.
pub(crate) fn humantime(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 || out.is_empty() {
        out.push_str(&format!("{s}s"));
    }
    out
}

/// A name (a file path) as one line of a log: its control characters written as escapes
/// (`\n`, `\r`, `\u{1b}`). `output.log` is line-oriented and the terminal obeys escape codes,
/// so a line break in a file name would otherwise start a line of its own that reads like the
/// step's ("present ... sha256 ..."). Records keep the raw name.
pub(crate) fn one_line_name(name: &str) -> std::borrow::Cow<'_, str> {
    if !name.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() + 8);
    for c in name.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_with_a_line_break_stays_one_line() {
        assert_eq!(one_line_name("dump.sql"), "dump.sql");
        assert_eq!(
            one_line_name("a\npresent x  sha256 0\x1b[2K\r"),
            "a\\npresent x  sha256 0\\u{1b}[2K\\r"
        );
        assert_eq!(one_line_name("Grüße.sql"), "Grüße.sql");
    }

    #[test]
    fn durations_read_as_runbooks_write_them() {
        assert_eq!(humantime(Duration::from_millis(250)), "250ms");
        assert_eq!(humantime(Duration::from_secs(5)), "5s");
        assert_eq!(humantime(Duration::from_secs(300)), "5m");
        assert_eq!(humantime(Duration::from_secs(5400)), "1h30m");
    }

    #[test]
    fn plural_is_empty_for_one_only() {
        assert_eq!(plural(0), "s");
        assert_eq!(plural(1), "");
        assert_eq!(plural(2), "s");
    }
}
