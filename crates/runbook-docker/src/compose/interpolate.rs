//! `${VAR}` interpolation as Compose does it.
//!
//! Supports `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`,
//! `${VAR?message}`, `${VAR:+replacement}`, `${VAR+replacement}` and `$$` for a literal `$`;
//! defaults may themselves contain `${...}`. An unset variable without a default becomes an
//! empty string with a warning, as in Compose.

/// Interpolation problems; the caller adds the file position.
pub(crate) type Problem = String;

/// Replaces every reference in `text`. `lookup` answers with the variable's value, or `None`
/// when it is unset.
pub(crate) fn interpolate(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    warnings: &mut Vec<String>,
) -> Result<String, Problem> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(inner_start) = after.strip_prefix('{') {
            let close = matching_brace(inner_start)
                .ok_or_else(|| format!("unclosed '${{' in '{text}'; write $$ for a literal $"))?;
            let inner = &inner_start[..close];
            out.push_str(&expand(inner, text, lookup, warnings)?);
            rest = &inner_start[close + 1..];
        } else {
            let name_len = name_length(after);
            if name_len == 0 {
                return Err(format!(
                    "invalid interpolation in '{text}': expected a variable name after '$'; write $$ for a literal $"
                ));
            }
            let name = &after[..name_len];
            out.push_str(&value_or_warn(name, lookup, warnings));
            rest = &after[name_len..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Expands the inside of one `${...}`.
fn expand(
    inner: &str,
    whole: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    warnings: &mut Vec<String>,
) -> Result<String, Problem> {
    let name_len = name_length(inner);
    let name = &inner[..name_len];
    let op = &inner[name_len..];
    if name.is_empty() {
        return Err(format!(
            "invalid interpolation '${{{inner}}}' in '{whole}': expected a variable name"
        ));
    }
    let value = lookup(name);
    let nested = |text: &str, warnings: &mut Vec<String>| interpolate(text, lookup, warnings);
    let (operator, argument) = [":-", ":?", ":+", "-", "?", "+"]
        .iter()
        .find_map(|o| op.strip_prefix(o).map(|arg| (*o, arg)))
        .unwrap_or((op, ""));
    match operator {
        "" => Ok(value_or_warn(name, lookup, warnings)),
        ":-" => match value.filter(|v| !v.is_empty()) {
            Some(v) => Ok(v),
            None => nested(argument, warnings),
        },
        "-" => match value {
            Some(v) => Ok(v),
            None => nested(argument, warnings),
        },
        ":?" | "?" => {
            let missing = match &value {
                None => true,
                Some(v) => operator == ":?" && v.is_empty(),
            };
            if missing {
                let message = nested(argument, warnings)?;
                let message = if message.is_empty() {
                    format!("required variable {name} is missing a value")
                } else {
                    format!("required variable {name} is missing a value: {message}")
                };
                Err(message)
            } else {
                Ok(value.unwrap_or_default())
            }
        }
        ":+" => match value.filter(|v| !v.is_empty()) {
            Some(_) => nested(argument, warnings),
            None => Ok(String::new()),
        },
        "+" => match value {
            Some(_) => nested(argument, warnings),
            None => Ok(String::new()),
        },
        _ => Err(format!(
            "invalid interpolation '${{{inner}}}' in '{whole}': expected ${{NAME}}, ${{NAME:-default}} or ${{NAME:?message}}"
        )),
    }
}

fn value_or_warn(
    name: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    warnings: &mut Vec<String>,
) -> String {
    lookup(name).unwrap_or_else(|| {
        let warning = format!("the {name} variable is not set; using an empty string");
        if !warnings.contains(&warning) {
            warnings.push(warning);
        }
        String::new()
    })
}

/// Length of the variable name at the start of `text`: `[A-Za-z_][A-Za-z0-9_]*`.
fn name_length(text: &str) -> usize {
    let mut len = 0;
    for (i, c) in text.char_indices() {
        let ok = c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit());
        if !ok {
            break;
        }
        len = i + c.len_utf8();
    }
    len
}

/// Index of the `}` closing a `${` whose content starts `text`, allowing nested `${...}`.
fn matching_brace(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Result<(String, Vec<String>), String> {
        let lookup = |name: &str| match name {
            "USER" => Some("opendolphin".to_owned()),
            "EMPTY" => Some(String::new()),
            "PORT" => Some("15432".to_owned()),
            _ => None,
        };
        let mut warnings = Vec::new();
        interpolate(text, &lookup, &mut warnings).map(|s| (s, warnings))
    }

    fn ok(text: &str) -> String {
        run(text).unwrap().0
    }

    #[test]
    fn forms() {
        assert_eq!(ok("${USER}"), "opendolphin");
        assert_eq!(ok("$USER-x"), "opendolphin-x");
        assert_eq!(ok("127.0.0.1:${PORT:-5432}:5432"), "127.0.0.1:15432:5432");
        assert_eq!(ok("${MISSING:-5432}"), "5432");
        assert_eq!(ok("${EMPTY:-d}"), "d");
        assert_eq!(ok("${EMPTY-d}"), "");
        assert_eq!(ok("${MISSING-d}"), "d");
        assert_eq!(ok("${USER:+set}"), "set");
        assert_eq!(ok("${MISSING:+set}"), "");
        assert_eq!(ok("${MISSING:-${USER}}"), "opendolphin");
        assert_eq!(ok("cost $$5"), "cost $5");
        assert_eq!(ok("no references"), "no references");
    }

    #[test]
    fn unset_without_default_warns_once() {
        let (text, warnings) = run("${MISSING}/${MISSING}").unwrap();
        assert_eq!(text, "/");
        assert_eq!(
            warnings,
            ["the MISSING variable is not set; using an empty string"]
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            run("${PASSWORD:?set POSTGRES_PASSWORD first}").unwrap_err(),
            "required variable PASSWORD is missing a value: set POSTGRES_PASSWORD first"
        );
        assert_eq!(run("${EMPTY?}").unwrap().0, "");
        assert_eq!(
            run("${USER").unwrap_err(),
            "unclosed '${' in '${USER'; write $$ for a literal $"
        );
        assert_eq!(
            run("a $ b").unwrap_err(),
            "invalid interpolation in 'a $ b': expected a variable name after '$'; write $$ for a literal $"
        );
        assert_eq!(
            run("${USER/x}").unwrap_err(),
            "invalid interpolation '${USER/x}' in '${USER/x}': expected ${NAME}, ${NAME:-default} or ${NAME:?message}"
        );
    }
}
