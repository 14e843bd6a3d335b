//! SQL tokens of one statement's text, for analysis (not for splitting: that is the lexer's
//! job, which follows psql byte for byte). Comments are skipped, quoted identifiers and
//! string literals are unquoted, so that `"DROP"` is a name and `'DROP'` a string.

use crate::chars::{
    dollar_delimiter_end, is_ident_cont, is_ident_start, is_op_char, is_space, number_end,
};

/// One token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// An unquoted identifier or keyword, as written.
    Word(&'a str),
    /// A `"quoted"` (or `U&"..."`) identifier, with `""` collapsed.
    QuotedIdent(String),
    /// A string literal's content (`'...'`, `E'...'`, `$$...$$`, ...), roughly unescaped.
    Str(String),
    Number(&'a str),
    /// `$1`
    Param(&'a str),
    /// A single punctuation character: `( ) [ ] , ; . :`
    Punct(char),
    /// An operator, including `::`, `=`, `*`.
    Operator(&'a str),
}

impl Token<'_> {
    /// Whether this is the unquoted keyword `kw` (case-insensitive).
    pub(crate) fn is_kw(&self, kw: &str) -> bool {
        matches!(self, Token::Word(w) if w.eq_ignore_ascii_case(kw))
    }

    pub(crate) fn is_punct(&self, c: char) -> bool {
        matches!(self, Token::Punct(p) if *p == c)
    }
}

/// Splits `sql` into tokens; `std_strings` is the `standard_conforming_strings` setting.
pub(crate) fn tokenize(sql: &str, std_strings: bool) -> Vec<Token<'_>> {
    let src = sql.as_bytes();
    let n = src.len();
    let text = |a: usize, b: usize| sql.get(a..b).unwrap_or("");
    let at = |k: usize| src.get(k).copied();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let c = src[i];
        if is_space(c) {
            i += 1;
        } else if c == b'-' && at(i + 1) == Some(b'-') {
            i = memchr::memchr2(b'\n', b'\r', &src[i..]).map_or(n, |k| i + k);
        } else if c == b'/' && at(i + 1) == Some(b'*') {
            i = block_comment_end(src, i);
        } else if c == b'\'' {
            let (s, j) = quoted(src, i + 1, !std_strings);
            out.push(Token::Str(s));
            i = j;
        } else if c == b'"' {
            let (s, j) = quoted_ident(src, i + 1);
            out.push(Token::QuotedIdent(s));
            i = j;
        } else if c == b'$' {
            if at(i + 1).is_some_and(|b| b.is_ascii_digit()) {
                let mut j = i + 1;
                while at(j).is_some_and(|b| b.is_ascii_digit()) {
                    j += 1;
                }
                out.push(Token::Param(text(i, j)));
                i = j;
            } else if let Some(j) = dollar_delimiter_end(src, i) {
                let tag = &src[i..j];
                let body_end = find(src, j, tag).unwrap_or(n);
                out.push(Token::Str(
                    String::from_utf8_lossy(&src[j..body_end]).into_owned(),
                ));
                i = (body_end + tag.len()).min(n);
            } else {
                out.push(Token::Operator(text(i, i + 1)));
                i += 1;
            }
        } else if c.is_ascii_digit() || (c == b'.' && at(i + 1).is_some_and(|b| b.is_ascii_digit()))
        {
            let j = number_end(src, i);
            out.push(Token::Number(text(i, j)));
            i = j;
        } else if is_ident_start(c) {
            let lower = c.to_ascii_lowercase();
            if at(i + 1) == Some(b'\'') && matches!(lower, b'b' | b'x' | b'e' | b'n') {
                let (s, j) = quoted(src, i + 2, lower == b'e');
                out.push(Token::Str(s));
                i = j;
            } else if lower == b'u' && at(i + 1) == Some(b'&') && at(i + 2) == Some(b'\'') {
                let (s, j) = quoted(src, i + 3, false);
                out.push(Token::Str(s));
                i = j;
            } else if lower == b'u' && at(i + 1) == Some(b'&') && at(i + 2) == Some(b'"') {
                let (s, j) = quoted_ident(src, i + 3);
                out.push(Token::QuotedIdent(s));
                i = j;
            } else {
                let mut j = i + 1;
                while at(j).is_some_and(is_ident_cont) {
                    j += 1;
                }
                out.push(Token::Word(text(i, j)));
                i = j;
            }
        } else if c == b':' && at(i + 1) == Some(b':') {
            out.push(Token::Operator(text(i, i + 2)));
            i += 2;
        } else if matches!(c, b'(' | b')' | b'[' | b']' | b',' | b';' | b'.' | b':') {
            out.push(Token::Punct(c as char));
            i += 1;
        } else if is_op_char(c) {
            let mut j = i + 1;
            while at(j).is_some_and(is_op_char)
                && !(at(j) == Some(b'-') && at(j + 1) == Some(b'-'))
                && !(at(j) == Some(b'/') && at(j + 1) == Some(b'*'))
            {
                j += 1;
            }
            out.push(Token::Operator(text(i, j)));
            i = j;
        } else {
            // Anything else (a backslash, a stray byte): skip the whole character.
            let mut j = i + 1;
            while j < n && (src[j] & 0xC0) == 0x80 {
                j += 1;
            }
            i = j;
        }
    }
    out
}

/// The first word of `sql` after whitespace, comments and opening parentheses, for a quick
/// look before tokenizing a whole statement.
pub(crate) fn first_word(sql: &str) -> Option<&str> {
    let src = sql.as_bytes();
    let mut i = 0;
    while i < src.len() {
        let c = src[i];
        if is_space(c) || c == b'(' {
            i += 1;
        } else if c == b'-' && src.get(i + 1) == Some(&b'-') {
            i = memchr::memchr2(b'\n', b'\r', &src[i..]).map_or(src.len(), |k| i + k);
        } else if c == b'/' && src.get(i + 1) == Some(&b'*') {
            i = block_comment_end(src, i);
        } else {
            break;
        }
    }
    let mut j = i;
    while j < src.len() && is_ident_cont(src[j]) {
        j += 1;
    }
    (j > i).then(|| sql.get(i..j)).flatten()
}

fn block_comment_end(src: &[u8], mut i: usize) -> usize {
    let mut depth = 0u32;
    i += 2;
    while i < src.len() {
        if src[i] == b'/' && src.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if src[i] == b'*' && src.get(i + 1) == Some(&b'/') {
            i += 2;
            if depth == 0 {
                return i;
            }
            depth -= 1;
        } else {
            i += 1;
        }
    }
    src.len()
}

/// The content of a single-quoted literal starting at `i` (after the quote), and the index
/// after the closing quote. Adjacent literals separated by a newline are not joined: analysis
/// only needs to know a string was there.
fn quoted(src: &[u8], mut i: usize, backslash_escapes: bool) -> (String, usize) {
    let mut out = Vec::new();
    while i < src.len() {
        match src[i] {
            b'\'' if src.get(i + 1) == Some(&b'\'') => {
                out.push(b'\'');
                i += 2;
            }
            b'\'' => return (String::from_utf8_lossy(&out).into_owned(), i + 1),
            b'\\' if backslash_escapes && i + 1 < src.len() => {
                out.push(src[i + 1]);
                i += 2;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    (String::from_utf8_lossy(&out).into_owned(), src.len())
}

fn quoted_ident(src: &[u8], mut i: usize) -> (String, usize) {
    let mut out = Vec::new();
    while i < src.len() {
        match src[i] {
            b'"' if src.get(i + 1) == Some(&b'"') => {
                out.push(b'"');
                i += 2;
            }
            b'"' => return (String::from_utf8_lossy(&out).into_owned(), i + 1),
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    (String::from_utf8_lossy(&out).into_owned(), src.len())
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(&hay[from..], needle).map(|k| from + k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_skipped_and_quotes_unwrapped() {
        let t = tokenize(
            "DROP /* x /* y */ */ TABLE \"My\"\"T\", e'a\\'b' -- c\n;",
            true,
        );
        assert_eq!(
            t,
            vec![
                Token::Word("DROP"),
                Token::Word("TABLE"),
                Token::QuotedIdent("My\"T".into()),
                Token::Punct(','),
                Token::Str("a'b".into()),
                Token::Punct(';'),
            ]
        );
    }

    #[test]
    fn dollar_quotes_are_one_string() {
        let t = tokenize("SELECT $mig$ a $$ b; $mig$, $1::int", true);
        assert_eq!(
            t,
            vec![
                Token::Word("SELECT"),
                Token::Str(" a $$ b; ".into()),
                Token::Punct(','),
                Token::Param("$1"),
                Token::Operator("::"),
                Token::Word("int"),
            ]
        );
    }
}
