//! `.env` files (beside the compose file, and `env_file:`), read like Compose reads them.
//!
//! `KEY=VALUE` lines, `export` allowed, `#` comments, single quotes literal, double quotes with
//! `\n`, `\"` and `\\` escapes; unquoted and double-quoted values may refer to variables set
//! earlier in the file or in the environment.

use super::interpolate::interpolate;

/// A line that is not `KEY=VALUE`: 1-based line number and what is wrong.
#[derive(Debug)]
pub(crate) struct DotenvError {
    pub line: usize,
    pub message: String,
}

/// Parses `text`; `env` resolves references that the file itself does not define.
pub(crate) fn parse(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
    warnings: &mut Vec<String>,
) -> Result<Vec<(String, String)>, DotenvError> {
    let mut vars: Vec<(String, String)> = Vec::new();
    for (index, raw) in text.split('\n').enumerate() {
        let line_no = index + 1;
        let fail = |message: String| DotenvError {
            line: line_no,
            message,
        };
        let line = raw.strip_suffix('\r').unwrap_or(raw).trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").map_or(line, str::trim_start);
        let Some((key, value)) = line.split_once('=') else {
            return Err(fail(format!("expected KEY=VALUE, found '{line}'")));
        };
        let key = key.trim();
        let valid = key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if !valid {
            return Err(fail(format!("'{key}' is not a valid variable name")));
        }
        let value = value.trim_start();
        let lookup = |name: &str| {
            vars.iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .or_else(|| env(name))
        };
        let value = if let Some(body) = value.strip_prefix('\'') {
            let end = body
                .find('\'')
                .ok_or_else(|| fail("unclosed single quote".to_owned()))?;
            body[..end].to_owned()
        } else if let Some(body) = value.strip_prefix('"') {
            let (text, _) =
                double_quoted(body).ok_or_else(|| fail("unclosed double quote".to_owned()))?;
            interpolate(&text, &lookup, warnings).map_err(fail)?
        } else {
            let without_comment = match value.find(" #") {
                Some(i) => &value[..i],
                None => value,
            };
            interpolate(without_comment.trim_end(), &lookup, warnings).map_err(fail)?
        };
        vars.push((key.to_owned(), value));
    }
    Ok(vars)
}

/// The content of a double-quoted value (after the opening quote) with escapes applied, and
/// what follows the closing quote.
fn double_quoted(body: &str) -> Option<(String, &str)> {
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &body[i + 1..])),
            '\\' => match chars.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((_, c @ ('"' | '\\'))) => out.push(c),
                Some((_, '$')) => out.push_str("$$"),
                Some((_, c)) => {
                    out.push('\\');
                    out.push(c);
                }
                None => return None,
            },
            '$' => out.push('$'),
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(text: &str) -> Vec<(String, String)> {
        parse(
            text,
            &|name| (name == "HOME").then(|| "/home/ops".to_owned()),
            &mut Vec::new(),
        )
        .unwrap()
    }

    #[test]
    fn forms() {
        let text = "# comment\r\nPOSTGRES_DB=opendolphin\r\nexport POSTGRES_USER = ops \nQ='a $b # c'\nD=\"line\\nnext ${POSTGRES_DB}\"\nU=${HOME}/x # trailing\nEMPTY=\n";
        assert_eq!(
            vars(text),
            [
                ("POSTGRES_DB".to_owned(), "opendolphin".to_owned()),
                ("POSTGRES_USER".to_owned(), "ops".to_owned()),
                ("Q".to_owned(), "a $b # c".to_owned()),
                ("D".to_owned(), "line\nnext opendolphin".to_owned()),
                ("U".to_owned(), "/home/ops/x".to_owned()),
                ("EMPTY".to_owned(), String::new()),
            ]
        );
    }

    #[test]
    fn errors_have_line_numbers() {
        let err = parse("A=1\nnot a pair\n", &|_| None, &mut Vec::new()).unwrap_err();
        assert_eq!(
            (err.line, err.message.as_str()),
            (2, "expected KEY=VALUE, found 'not a pair'")
        );
        let err = parse("A='open\n", &|_| None, &mut Vec::new()).unwrap_err();
        assert_eq!(
            (err.line, err.message.as_str()),
            (1, "unclosed single quote")
        );
    }
}
