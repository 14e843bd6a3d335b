//! Tracking `standard_conforming_strings` the way psql follows the server's setting: a script
//! that turns it off (old pg_dump output does) changes how later `'...'` literals are split.

use super::tokens::{Token, tokenize};

/// What a statement does to `standard_conforming_strings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScsChange {
    Set(bool),
    /// `RESET`, `RESET ALL`, `SET ... TO DEFAULT`: back to the session's starting value.
    Reset,
}

/// The last change the statement (possibly several, joined with `\;`) makes, if any.
pub(crate) fn scs_change(sql: &str, std_strings: bool) -> Option<ScsChange> {
    let tokens = tokenize(sql, std_strings);
    tokens
        .split(|t| t.is_punct(';'))
        .rev()
        .find_map(one_command)
}

fn one_command(t: &[Token<'_>]) -> Option<ScsChange> {
    let is_name = |t: Option<&Token<'_>>| match t {
        Some(Token::Word(w)) => w.eq_ignore_ascii_case("standard_conforming_strings"),
        Some(Token::QuotedIdent(w)) => w == "standard_conforming_strings",
        _ => false,
    };
    let first = t.first()?;
    if first.is_kw("reset") {
        return (is_name(t.get(1)) || t.get(1).is_some_and(|t| t.is_kw("all")))
            .then_some(ScsChange::Reset);
    }
    if !first.is_kw("set") {
        return None;
    }
    let mut k = 1;
    if t.get(k)
        .is_some_and(|t| t.is_kw("session") || t.is_kw("local"))
    {
        k += 1;
    }
    if !is_name(t.get(k)) {
        return None;
    }
    k += 1;
    match t.get(k) {
        Some(Token::Operator("=")) => {}
        Some(tok) if tok.is_kw("to") => {}
        _ => return None,
    }
    let value = match t.get(k + 1)? {
        tok if tok.is_kw("default") => return Some(ScsChange::Reset),
        Token::Word(w) => (*w).to_owned(),
        Token::Str(s) => s.clone(),
        Token::Number(n) => (*n).to_owned(),
        _ => return None,
    };
    parse_bool(&value).map(ScsChange::Set)
}

/// PostgreSQL's `parse_bool`, which psql's `ParseVariableBool` (`\set ON_ERROR_STOP on`)
/// follows too: case-insensitive, unique prefixes of true/false/yes/no, on/off (at least two
/// letters), 1/0. `None` for anything else.
pub fn parse_bool(value: &str) -> Option<bool> {
    let v = value.trim().to_ascii_lowercase();
    let prefix_of = |word: &str, min: usize| v.len() >= min && word.starts_with(v.as_str());
    if prefix_of("true", 1) || prefix_of("yes", 1) || prefix_of("on", 2) || v == "1" {
        Some(true)
    } else if prefix_of("false", 1) || prefix_of("no", 1) || prefix_of("off", 2) || v == "0" {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_read_as_psql_and_the_server_read_them() {
        for on in ["on", "ON", "true", "t", "yes", "y", "1"] {
            assert_eq!(parse_bool(on), Some(true), "{on}");
        }
        for off in ["off", "of", "false", "f", "no", "n", "0"] {
            assert_eq!(parse_bool(off), Some(false), "{off}");
        }
        for bad in ["o", "", "2", "maybe"] {
            assert_eq!(parse_bool(bad), None, "{bad}");
        }
    }

    #[test]
    fn recognises_the_forms_pg_dump_and_people_write() {
        assert_eq!(
            scs_change("SET standard_conforming_strings = off;", true),
            Some(ScsChange::Set(false))
        );
        assert_eq!(
            scs_change("set session standard_conforming_strings to 'on'", true),
            Some(ScsChange::Set(true))
        );
        assert_eq!(
            scs_change("SET LOCAL \"standard_conforming_strings\" TO 0", true),
            Some(ScsChange::Set(false))
        );
        assert_eq!(
            scs_change("SET standard_conforming_strings TO DEFAULT", true),
            Some(ScsChange::Reset)
        );
        assert_eq!(
            scs_change("RESET standard_conforming_strings", true),
            Some(ScsChange::Reset)
        );
        assert_eq!(scs_change("RESET ALL", true), Some(ScsChange::Reset));
        assert_eq!(
            scs_change("SET standard_conforming_strings = maybe", true),
            None
        );
        assert_eq!(scs_change("SET search_path = off", true), None);
        assert_eq!(
            scs_change(
                "SET standard_conforming_strings = off; SET standard_conforming_strings = true",
                true
            ),
            Some(ScsChange::Set(true))
        );
    }

    #[test]
    fn parses_booleans_like_the_server() {
        assert_eq!(parse_bool("of"), Some(false));
        assert_eq!(parse_bool("o"), None);
        assert_eq!(parse_bool("TR"), Some(true));
        assert_eq!(parse_bool("2"), None);
    }
}
