//! Redacting the copy of the runbook (`runbook.yaml`) per YAML value, so that it stays a YAML
//! document with the runbook's structure.
//!
//! Redacting the file as plain text broke it: a short secret such as `postgres` rewrote keys
//! (`targets: {postgres: ...}`), and a mask at the start of a plain scalar (`pw: ****`) is a YAML
//! alias. Here only scalar *values* and comments are redacted, keys and indicators never; a
//! plain scalar that would start with the mask is written single-quoted (`pw: '****'`), so the
//! mask cannot be read as an alias. If the result still does not parse (a construct this does not foresee), the copy
//! falls back to text redaction: a secret is never kept to preserve the shape.

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

use crate::redact::Redactor;

/// A stretch of the source holding one value scalar, in bytes.
struct ValueSpan {
    start: usize,
    end: usize,
    /// A single-line plain scalar whose source is exactly its value.
    plain: bool,
}

/// `text` with secrets redacted per value; `None` when it is not YAML this can follow.
pub(crate) fn redact_yaml(redactor: &Redactor, text: &str) -> Option<String> {
    let spans = value_spans(text)?;
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for span in spans {
        if span.start < copied {
            continue;
        }
        out.push_str(&redact_comments(redactor, &text[copied..span.start]));
        let source = &text[span.start..span.end];
        let redacted = redactor.redact(source);
        if span.plain && redacted.starts_with('*') {
            out.push('\'');
            out.push_str(&redacted.replace('\'', "''"));
            out.push('\'');
        } else {
            out.push_str(&redacted);
        }
        copied = span.end;
    }
    out.push_str(&redact_comments(redactor, &text[copied..]));
    parses(&out).then_some(out)
}

/// Whether `text` is a YAML stream without errors.
fn parses(text: &str) -> bool {
    let mut parser = Parser::new_from_str(text);
    loop {
        match parser.next_token() {
            Ok((Event::StreamEnd, _)) => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
}

/// The text between values: keys and indicators are kept, comments (`#` at the start of a
/// line or after a blank, to the end of the line) are redacted.
fn redact_comments(redactor: &Redactor, gap: &str) -> String {
    let mut out = String::with_capacity(gap.len());
    for line in gap.split_inclusive('\n') {
        let hash = line
            .char_indices()
            .find(|&(i, c)| c == '#' && (i == 0 || line[..i].ends_with([' ', '\t'])))
            .map(|(i, _)| i);
        match hash {
            Some(i) => {
                out.push_str(&line[..i]);
                out.push_str(&redactor.redact(&line[i..]));
            }
            None => out.push_str(line),
        }
    }
    out
}

/// The spans of every scalar that is not a mapping key, in source order.
fn value_spans(text: &str) -> Option<Vec<ValueSpan>> {
    // yaml-rust2 markers count characters; spans need bytes.
    let offsets: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let byte_at = |index: usize| offsets.get(index).copied();
    let mut parser = Parser::new_from_str(text);
    // One entry per open collection: a mapping (with whether its next scalar is a key) or a
    // sequence.
    let mut stack: Vec<Option<bool>> = Vec::new();
    let mut scalars: Vec<(usize, String, TScalarStyle)> = Vec::new();
    let mut starts: Vec<usize> = Vec::new();
    loop {
        let (event, marker) = parser.next_token().ok()?;
        let at = byte_at(marker.index())?;
        starts.push(at);
        // Whether this node is a key of the enclosing mapping; flips the mapping's state.
        let is_key = |stack: &mut Vec<Option<bool>>| match stack.last_mut() {
            Some(Some(next_is_key)) => {
                let key = *next_is_key;
                *next_is_key = !key;
                key
            }
            _ => false,
        };
        match event {
            Event::StreamEnd => break,
            Event::Scalar(value, style, _, _) if !is_key(&mut stack) => {
                scalars.push((at, value, style));
            }
            Event::Alias(_) => {
                is_key(&mut stack);
            }
            Event::MappingStart(..) => {
                is_key(&mut stack);
                stack.push(Some(true));
            }
            Event::SequenceStart(..) => {
                is_key(&mut stack);
                stack.push(None);
            }
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
            }
            _ => {}
        }
    }
    starts.sort_unstable();
    let next_start = |at: usize| {
        starts
            .iter()
            .copied()
            .find(|&s| s > at)
            .unwrap_or(text.len())
    };
    let mut spans = Vec::new();
    for (start, value, style) in scalars {
        let rest = &text[start..];
        let (end, plain) = match style {
            TScalarStyle::Plain if !value.is_empty() && rest.starts_with(&value) => {
                (start + value.len(), true)
            }
            TScalarStyle::SingleQuoted if rest.starts_with('\'') => (
                quoted_end(rest, b'\'').map_or(next_start(start), |e| start + e),
                false,
            ),
            TScalarStyle::DoubleQuoted if rest.starts_with('"') => (
                quoted_end(rest, b'"').map_or(next_start(start), |e| start + e),
                false,
            ),
            TScalarStyle::Plain if value.is_empty() => continue,
            _ => (next_start(start), false),
        };
        spans.push(ValueSpan { start, end, plain });
    }
    spans.sort_by_key(|s| s.start);
    Some(spans)
}

/// The byte just after the closing quote of the quoted scalar at the start of `rest`.
fn quoted_end(rest: &str, quote: u8) -> Option<usize> {
    let b = rest.as_bytes();
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'\\' if quote == b'"' => i += 2,
            c if c == quote => {
                if quote == b'\'' && b.get(i + 1) == Some(&b'\'') {
                    i += 2;
                } else {
                    return Some(i + 1);
                }
            }
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
pub(crate) fn parses_for_tests(text: &str) -> bool {
    parses(text)
}
