//! The `${...}` reference syntax inside string values, and the run-time half of it.
//!
//! `${env.NAME}`, `${env.NAME:-default}` and `${vars.NAME}` are replaced while parsing.
//! `${targets.NAME.url}` stays in the parsed strings, because an ephemeral target gets its URL
//! only when the engine starts it: the engine expands it with [`expand_target_refs`]. In parsed
//! strings `${targets.` therefore always starts such a reference, and `$${targets.` stands for a
//! literal `${targets.` (every other `$${` escape is already resolved to `${`).

/// One reference as written between `${` and `}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reference {
    Env {
        name: String,
        default: Option<String>,
    },
    Var {
        name: String,
    },
    Target {
        name: String,
        field: String,
    },
}

/// A piece of a string value, with its byte range in the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    Literal(&'a str),
    /// `$${`: a literal `${`. `targets` when `targets.` follows, which must stay escaped in
    /// parsed strings.
    Escape {
        targets: bool,
    },
    Ref {
        reference: Reference,
        raw: &'a str,
        start: usize,
    },
    /// A `${` that does not start a valid reference.
    Bad {
        problem: RefProblem,
        raw: &'a str,
        start: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RefProblem {
    Unterminated,
    Malformed,
    UnknownNamespace(String),
}

pub(crate) const REFERENCE_FORMS: &str =
    "${env.NAME}, ${env.NAME:-default}, ${vars.NAME} or ${targets.NAME.url}";

/// Splits a string value into literal text, escapes and references.
pub(crate) fn scan(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut literal_start = 0;
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < bytes.len() {
        if text[i..].starts_with("$${") {
            if literal_start < i {
                pieces.push(Piece::Literal(&text[literal_start..i]));
            }
            pieces.push(Piece::Escape {
                targets: text[i + 3..].starts_with("targets."),
            });
            i += 3;
            literal_start = i;
        } else if text[i..].starts_with("${") {
            if literal_start < i {
                pieces.push(Piece::Literal(&text[literal_start..i]));
            }
            match text[i + 2..]
                .find(['}', '\n'])
                .filter(|&end| text.as_bytes()[i + 2 + end] == b'}')
            {
                None => {
                    let raw = &text[i..text[i..].find('\n').map_or(text.len(), |n| i + n)];
                    pieces.push(Piece::Bad {
                        problem: RefProblem::Unterminated,
                        raw,
                        start: i,
                    });
                    i += raw.len();
                }
                Some(len) => {
                    let raw = &text[i..i + 2 + len + 1];
                    let inner = &text[i + 2..i + 2 + len];
                    match parse_reference(inner) {
                        Ok(reference) => pieces.push(Piece::Ref {
                            reference,
                            raw,
                            start: i,
                        }),
                        Err(problem) => pieces.push(Piece::Bad {
                            problem,
                            raw,
                            start: i,
                        }),
                    }
                    i += raw.len();
                }
            }
            literal_start = i;
        } else {
            i += text[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    if literal_start < text.len() {
        pieces.push(Piece::Literal(&text[literal_start..]));
    }
    pieces
}

fn parse_reference(inner: &str) -> Result<Reference, RefProblem> {
    let Some((namespace, rest)) = inner.split_once('.') else {
        return Err(if matches!(inner, "env" | "vars" | "targets") {
            RefProblem::Malformed
        } else {
            RefProblem::UnknownNamespace(inner.to_owned())
        });
    };
    match namespace {
        "env" => {
            let (name, default) = match rest.split_once(":-") {
                Some((name, default)) => (name, Some(default.to_owned())),
                None => (rest, None),
            };
            if crate::names::is_env_name(name) {
                Ok(Reference::Env {
                    name: name.to_owned(),
                    default,
                })
            } else {
                Err(RefProblem::Malformed)
            }
        }
        "vars" if crate::names::is_var_name(rest) => Ok(Reference::Var {
            name: rest.to_owned(),
        }),
        "targets" => match rest.split_once('.') {
            Some((name, field)) if crate::names::is_target_name(name) && !field.is_empty() => {
                Ok(Reference::Target {
                    name: name.to_owned(),
                    field: field.to_owned(),
                })
            }
            _ => Err(RefProblem::Malformed),
        },
        "vars" => Err(RefProblem::Malformed),
        other => Err(RefProblem::UnknownNamespace(other.to_owned())),
    }
}

/// Escapes a substituted value so that it cannot be mistaken for a run-time target reference.
pub(crate) fn escape_target_marker(value: &str) -> std::borrow::Cow<'_, str> {
    if value.contains("${targets.") {
        value.replace("${targets.", "$${targets.").into()
    } else {
        value.into()
    }
}

/// Replaces `${targets.NAME.FIELD}` in a parsed string with `resolve(NAME, FIELD)` and turns
/// `$${targets.` back into a literal `${targets.`.
///
/// A reference that `resolve` does not know is left as written, so a mistake shows up verbatim in
/// the evidence instead of as an empty string. Parsing has already checked that every target
/// exists and that the field is `url`.
pub fn expand_target_refs(text: &str, resolve: &dyn Fn(&str, &str) -> Option<String>) -> String {
    if !text.contains("${targets.") {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("${targets.") {
        let escaped = at > 0 && rest.as_bytes()[at - 1] == b'$';
        if escaped {
            out.push_str(&rest[..at - 1]);
            out.push_str("${targets.");
            rest = &rest[at + "${targets.".len()..];
            continue;
        }
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let Some(end) = after.find('}') else {
            out.push_str(after);
            return out;
        };
        let raw = &after[..=end];
        let replacement = after[2..end]
            .strip_prefix("targets.")
            .and_then(|r| r.split_once('.'))
            .and_then(|(name, field)| resolve(name, field));
        out.push_str(replacement.as_deref().unwrap_or(raw));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The `(target, field)` pairs a parsed string references, in order, so the engine can prepare
/// (start an ephemeral cluster, look up a password) before expanding.
pub fn target_refs(text: &str) -> Vec<(String, String)> {
    let found = std::cell::RefCell::new(Vec::new());
    expand_target_refs(text, &|target, field| {
        found
            .borrow_mut()
            .push((target.to_owned(), field.to_owned()));
        None
    });
    found.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_references_escapes_and_problems() {
        let pieces = scan("a ${env.HOME:-/root} $${x} ${vars.db}${foo.x} ${vars");
        assert_eq!(pieces[0], Piece::Literal("a "));
        assert!(
            matches!(&pieces[1], Piece::Ref { reference: Reference::Env { name, default: Some(d) }, start: 2, .. } if name == "HOME" && d == "/root")
        );
        assert_eq!(pieces[3], Piece::Escape { targets: false });
        assert_eq!(pieces[4], Piece::Literal("x} "));
        assert!(
            matches!(&pieces[5], Piece::Ref { reference: Reference::Var { name }, .. } if name == "db")
        );
        assert!(
            matches!(&pieces[6], Piece::Bad { problem: RefProblem::UnknownNamespace(ns), raw: "${foo.x}", .. } if ns == "foo")
        );
        assert!(matches!(
            &pieces[8],
            Piece::Bad {
                problem: RefProblem::Unterminated,
                raw: "${vars",
                ..
            }
        ));
        assert!(matches!(
            &scan("${vars.a-b}")[0],
            Piece::Bad {
                problem: RefProblem::Malformed,
                ..
            }
        ));
        assert_eq!(scan("$5 $$ pid"), vec![Piece::Literal("$5 $$ pid")]);
    }

    #[test]
    fn expands_target_urls_and_keeps_escapes_literal() {
        let resolve =
            |t: &str, f: &str| (t == "legacy" && f == "url").then(|| "postgres://h/db".to_owned());
        assert_eq!(
            expand_target_refs("pg_dump ${targets.legacy.url} $${targets.x.url}", &resolve),
            "pg_dump postgres://h/db ${targets.x.url}"
        );
        assert_eq!(
            expand_target_refs("${targets.other.url}", &resolve),
            "${targets.other.url}"
        );
        assert_eq!(expand_target_refs("no refs ${x}", &resolve), "no refs ${x}");
        assert_eq!(
            target_refs("${targets.a.url} $${targets.b.url} ${targets.c.url}"),
            vec![
                ("a".to_owned(), "url".to_owned()),
                ("c".to_owned(), "url".to_owned())
            ]
        );
    }
}
