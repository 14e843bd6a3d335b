//! The `${...}` reference syntax inside string values, and the run-time half of it.
//!
//! `${env.NAME}`, `${env.NAME:-default}` and `${vars.NAME}` are replaced while parsing.
//! `${targets.NAME.url}`, `${run.FIELD}` and `${steps.ID.outputs.NAME}` stay in the parsed
//! strings, because their values exist only while the run goes (an ephemeral target gets its URL
//! when the engine starts it, a step's outputs when it finishes): the engine expands them with
//! [`expand_runtime_refs`]. In parsed strings `${targets.`, `${run.` and `${steps.` therefore
//! always start such a reference, and `$${targets.` (`$${run.`, `$${steps.`) stands for the
//! literal text (every other `$${` escape is already resolved to `${`).

/// The beginnings of the references the engine expands ([`expand_runtime_refs`]).
pub(crate) const RUNTIME_MARKERS: [&str; 3] = ["${targets.", "${run.", "${steps."];

/// The fields of `${run.FIELD}`.
pub const RUN_FIELDS: [&str; 3] = ["id", "started_utc", "evidence_dir"];

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
    /// `${run.FIELD}` (the field is checked against [`RUN_FIELDS`] where it is used, for a
    /// better message).
    Run {
        field: String,
    },
    /// `${steps.STEP.outputs.NAME}`.
    Output {
        step: String,
        name: String,
    },
}

impl Reference {
    /// Whether the engine expands this reference at run time (it stays in parsed strings).
    pub(crate) fn is_runtime(&self) -> bool {
        matches!(
            self,
            Reference::Target { .. } | Reference::Run { .. } | Reference::Output { .. }
        )
    }
}

/// A piece of a string value, with its byte range in the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    Literal(&'a str),
    /// `$${`: a literal `${`. `runtime` when `targets.`, `run.` or `steps.` follows, which
    /// must stay escaped in parsed strings.
    Escape {
        runtime: bool,
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

pub(crate) const REFERENCE_FORMS: &str = "${env.NAME}, ${env.NAME:-default}, ${vars.NAME}, ${targets.NAME.url}, ${run.FIELD} or ${steps.ID.outputs.NAME}";

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
                runtime: RUNTIME_MARKERS.iter().any(|m| text[i + 1..].starts_with(m)),
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
        return Err(
            if matches!(inner, "env" | "vars" | "targets" | "run" | "steps") {
                RefProblem::Malformed
            } else {
                RefProblem::UnknownNamespace(inner.to_owned())
            },
        );
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
        "run" if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') => {
            Ok(Reference::Run {
                field: rest.to_owned(),
            })
        }
        "steps" => match rest.split_once(".outputs.") {
            Some((step, name))
                if crate::names::is_slug(step) && crate::names::is_var_name(name) =>
            {
                Ok(Reference::Output {
                    step: step.to_owned(),
                    name: name.to_owned(),
                })
            }
            _ => Err(RefProblem::Malformed),
        },
        "vars" | "run" => Err(RefProblem::Malformed),
        other => Err(RefProblem::UnknownNamespace(other.to_owned())),
    }
}

/// Escapes a substituted value so that it cannot be mistaken for a run-time reference.
pub(crate) fn escape_runtime_markers(value: &str) -> std::borrow::Cow<'_, str> {
    if RUNTIME_MARKERS.iter().any(|m| value.contains(m)) {
        let mut escaped = value.to_owned();
        for marker in RUNTIME_MARKERS {
            escaped = escaped.replace(marker, &format!("${marker}"));
        }
        escaped.into()
    } else {
        value.into()
    }
}

/// Undoes [`escape_runtime_markers`] in a value the engine never expands.
pub(crate) fn unescape_runtime_markers(value: &str) -> String {
    let mut text = value.to_owned();
    for marker in RUNTIME_MARKERS {
        text = text.replace(&format!("${marker}"), marker);
    }
    text
}

/// A reference the engine expands, as [`expand_runtime_refs`] hands it to its resolver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuntimeRef<'a> {
    /// `${targets.NAME.FIELD}`.
    Target { name: &'a str, field: &'a str },
    /// `${run.FIELD}`.
    Run { field: &'a str },
    /// `${steps.STEP.outputs.NAME}`.
    Output { step: &'a str, name: &'a str },
}

impl<'a> RuntimeRef<'a> {
    fn parse(inner: &'a str) -> Option<Self> {
        if let Some(rest) = inner.strip_prefix("targets.") {
            let (name, field) = rest.split_once('.')?;
            return Some(RuntimeRef::Target { name, field });
        }
        if let Some(field) = inner.strip_prefix("run.") {
            return Some(RuntimeRef::Run { field });
        }
        let rest = inner.strip_prefix("steps.")?;
        let (step, name) = rest.split_once(".outputs.")?;
        Some(RuntimeRef::Output { step, name })
    }
}

/// Replaces the run-time references in a parsed string (`${targets.NAME.FIELD}`,
/// `${run.FIELD}`, `${steps.ID.outputs.NAME}`) with what `resolve` gives, and turns their
/// escapes (`$${targets.`, `$${run.`, `$${steps.`) back into literal text.
///
/// A reference that `resolve` does not know is left as written, so a mistake shows up verbatim in
/// the evidence instead of as an empty string. Parsing has already checked every reference.
pub fn expand_runtime_refs(
    text: &str,
    resolve: &mut dyn FnMut(RuntimeRef<'_>) -> Option<String>,
) -> String {
    let next = |rest: &str| {
        RUNTIME_MARKERS
            .iter()
            .filter_map(|m| rest.find(m).map(|at| (at, m.len())))
            .min()
    };
    if next(text).is_none() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((at, marker_len)) = next(rest) {
        let escaped = at > 0 && rest.as_bytes()[at - 1] == b'$';
        if escaped {
            out.push_str(&rest[..at - 1]);
            out.push_str(&rest[at..at + marker_len]);
            rest = &rest[at + marker_len..];
            continue;
        }
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let Some(end) = after.find('}') else {
            out.push_str(after);
            return out;
        };
        let raw = &after[..=end];
        let replacement = RuntimeRef::parse(&after[2..end]).and_then(&mut *resolve);
        out.push_str(replacement.as_deref().unwrap_or(raw));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// [`expand_runtime_refs`] for `${targets.NAME.FIELD}` alone: `resolve(NAME, FIELD)`; other
/// run-time references are left as written (their escapes are undone all the same).
pub fn expand_target_refs(text: &str, resolve: &dyn Fn(&str, &str) -> Option<String>) -> String {
    expand_runtime_refs(text, &mut |reference| match reference {
        RuntimeRef::Target { name, field } => resolve(name, field),
        _ => None,
    })
}

/// The `(target, field)` pairs a parsed string references, in order, so the engine can prepare
/// (start an ephemeral cluster, look up a password) before expanding.
pub fn target_refs(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    expand_runtime_refs(text, &mut |reference| {
        if let RuntimeRef::Target { name, field } = reference {
            found.push((name.to_owned(), field.to_owned()));
        }
        None
    });
    found
}

/// The steps whose outputs a parsed string references, in order (with repeats), for check
/// mode's "provided by step X".
pub fn output_refs(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    expand_runtime_refs(text, &mut |reference| {
        if let RuntimeRef::Output { step, name } = reference {
            found.push((step.to_owned(), name.to_owned()));
        }
        None
    });
    found
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
        assert_eq!(pieces[3], Piece::Escape { runtime: false });
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

    #[test]
    fn run_and_output_references_parse_and_expand_with_their_escapes() {
        assert!(matches!(
            &scan("${run.id}")[0],
            Piece::Ref { reference: Reference::Run { field }, .. } if field == "id"
        ));
        assert!(matches!(
            &scan("${steps.dump-1.outputs.backup_2}")[0],
            Piece::Ref { reference: Reference::Output { step, name }, .. } if step == "dump-1" && name == "backup_2"
        ));
        for bad in [
            "${steps.dump.backup}",
            "${steps.Dump.outputs.x}",
            "${run}",
            "${steps}",
        ] {
            assert!(
                matches!(
                    &scan(bad)[0],
                    Piece::Bad {
                        problem: RefProblem::Malformed,
                        ..
                    }
                ),
                "{bad}"
            );
        }
        assert_eq!(scan("$${run.id}")[0], Piece::Escape { runtime: true });
        let mut resolve = |r: RuntimeRef<'_>| match r {
            RuntimeRef::Run { field: "id" } => Some("r1".to_owned()),
            RuntimeRef::Output {
                step: "dump",
                name: "path",
            } => Some("out/a.sql".to_owned()),
            _ => None,
        };
        assert_eq!(
            expand_runtime_refs(
                "x ${run.id} ${steps.dump.outputs.path} $${steps.dump.outputs.path} ${run.other}",
                &mut resolve
            ),
            "x r1 out/a.sql ${steps.dump.outputs.path} ${run.other}"
        );
        assert_eq!(
            output_refs("${steps.a.outputs.x} $${steps.b.outputs.y} ${targets.t.url}"),
            vec![("a".to_owned(), "x".to_owned())]
        );
        assert_eq!(
            unescape_runtime_markers(&escape_runtime_markers("${run.id} ${steps.a.outputs.x}")),
            "${run.id} ${steps.a.outputs.x}"
        );
    }
}
