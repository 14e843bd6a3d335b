//! Whether a statement is a COPY through the client (`FROM STDIN` / `TO STDOUT`).
//!
//! psql does not need to know: the server answers a COPY with a request for data. A loader
//! that reads ahead must know, to stream the following lines as data instead of SQL.

use super::tokens::tokenize;
use crate::item::CopyDirection;

/// The direction of a `COPY ... FROM STDIN` or `COPY ... TO STDOUT` statement.
pub fn copy_direction(sql: &str) -> Option<CopyDirection> {
    let tokens = tokenize(sql, true);
    if !tokens.first()?.is_kw("copy") {
        return None;
    }
    let mut depth = 0u32;
    for pair in tokens.windows(2) {
        match &pair[0] {
            t if t.is_punct('(') => depth += 1,
            t if t.is_punct(')') => depth = depth.saturating_sub(1),
            t if t.is_punct(';') && depth == 0 => return None,
            t if depth == 0 && t.is_kw("from") && pair[1].is_kw("stdin") => {
                return Some(CopyDirection::FromStdin);
            }
            t if depth == 0 && t.is_kw("to") && pair[1].is_kw("stdout") => {
                return Some(CopyDirection::ToStdout);
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_stdin_and_stdout_at_top_level_only() {
        assert_eq!(
            copy_direction("COPY public.t (a, b) FROM stdin;"),
            Some(CopyDirection::FromStdin)
        );
        assert_eq!(
            copy_direction("copy t from STDIN with (format csv, header true)"),
            Some(CopyDirection::FromStdin)
        );
        assert_eq!(
            copy_direction("COPY (SELECT a FROM stdin) TO STDOUT;"),
            Some(CopyDirection::ToStdout)
        );
        assert_eq!(copy_direction("COPY t FROM '/tmp/x.csv';"), None);
        assert_eq!(
            copy_direction("COPY (SELECT 1 FROM stdin) TO '/tmp/x';"),
            None
        );
        assert_eq!(copy_direction("SELECT 'COPY t FROM stdin';"), None);
        assert_eq!(
            copy_direction("/* c */ COPY t FROM stdin;"),
            Some(CopyDirection::FromStdin)
        );
    }
}
