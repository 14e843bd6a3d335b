//! Splitting a `command:` string into words like a POSIX shell would (Compose does the same),
//! without expanding anything.

/// Splits `text` into words honouring single quotes, double quotes and backslashes.
pub(crate) fn split(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(format!("unclosed single quote in '{text}'")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some('\n') => {}
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err(format!("unclosed double quote in '{text}'")),
                        },
                        Some(c) => word.push(c),
                        None => return Err(format!("unclosed double quote in '{text}'")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some('\n') => {}
                    Some(c) => word.push(c),
                    None => return Err(format!("'{text}' ends with a lone backslash")),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert_eq!(
            split(r#"postgres -c 'shared_buffers=256MB' -c "work_mem=16MB" a\ b"#).unwrap(),
            [
                "postgres",
                "-c",
                "shared_buffers=256MB",
                "-c",
                "work_mem=16MB",
                "a b"
            ]
        );
        assert_eq!(split("  ").unwrap(), Vec::<String>::new());
        assert_eq!(split("''").unwrap(), [""]);
        assert_eq!(split(r#""a\"b\n""#).unwrap(), [r#"a"b\n"#]);
    }

    #[test]
    fn unclosed_quotes() {
        assert_eq!(
            split("sh -c 'echo").unwrap_err(),
            "unclosed single quote in 'sh -c 'echo'"
        );
        assert_eq!(
            split("sh -c \"echo").unwrap_err(),
            "unclosed double quote in 'sh -c \"echo'"
        );
    }
}
