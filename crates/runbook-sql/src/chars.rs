//! Byte classes shared by the script lexer and the statement analyser.
//!
//! They follow psql's `psqlscan.l` (which follows the server's `scan.l`): every byte at or above
//! 0x80 counts as a letter, so multibyte UTF-8 characters are never split.

/// `[A-Za-z\200-\377_]`: may start an identifier (and a dollar-quote tag).
pub(crate) fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

/// `[A-Za-z\200-\377_0-9\$]`: may continue an identifier.
pub(crate) fn is_ident_cont(b: u8) -> bool {
    is_ident_start(b) || b.is_ascii_digit() || b == b'$'
}

/// `[A-Za-z\200-\377_0-9]`: may continue a dollar-quote tag (no `$`).
pub(crate) fn is_dolq_cont(b: u8) -> bool {
    is_ident_start(b) || b.is_ascii_digit()
}

/// `[A-Za-z\200-\377_0-9]`: may appear in a psql variable name.
pub(crate) fn is_variable_char(b: u8) -> bool {
    is_dolq_cont(b)
}

/// `[ \t\n\r\f]`: SQL whitespace.
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0C)
}

/// Characters that can form operators.
pub(crate) fn is_op_char(b: u8) -> bool {
    matches!(
        b,
        b'~' | b'!'
            | b'@'
            | b'#'
            | b'^'
            | b'&'
            | b'|'
            | b'`'
            | b'?'
            | b'+'
            | b'-'
            | b'*'
            | b'/'
            | b'%'
            | b'<'
            | b'>'
            | b'='
    )
}

/// The end of a number token starting at `i` (a digit, or `.` followed by a digit), including
/// one trailing identifier character: PostgreSQL 15 lexes `1e` in `1e'x'` as one (junk)
/// token, so that `e` does not start an escape string.
pub(crate) fn number_end(src: &[u8], i: usize) -> usize {
    let at = |k: usize| src.get(k).copied();
    let mut j = i;
    while at(j).is_some_and(|b| b.is_ascii_digit()) {
        j += 1;
    }
    if at(j) == Some(b'.') {
        if at(j + 1) == Some(b'.') {
            // `1..10`: an integer followed by `..`
            return j;
        }
        j += 1;
        while at(j).is_some_and(|b| b.is_ascii_digit()) {
            j += 1;
        }
    }
    if matches!(at(j), Some(b'e' | b'E')) {
        let mut k = j + 1;
        if matches!(at(k), Some(b'+' | b'-')) {
            k += 1;
        }
        if at(k).is_some_and(|b| b.is_ascii_digit()) {
            while at(k).is_some_and(|b| b.is_ascii_digit()) {
                k += 1;
            }
            j = k;
        }
    }
    if at(j).is_some_and(is_ident_start) {
        j += 1;
    }
    j
}

/// If a dollar-quote delimiter (`$$` or `$tag$`) starts at `i` (a `$`), the index just after it.
pub(crate) fn dollar_delimiter_end(src: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    if src.get(j).copied().is_some_and(is_ident_start) {
        j += 1;
        while src.get(j).copied().is_some_and(is_dolq_cont) {
            j += 1;
        }
    }
    (src.get(j) == Some(&b'$')).then_some(j + 1)
}
