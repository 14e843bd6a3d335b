//! Keeping secrets out of evidence.
//!
//! Evidence is read by reviewers and archived; a password that reaches it has leaked. Every text
//! the writer stores (log lines, attachments, every string in the JSON records, error messages,
//! the report, even the copy of the runbook) goes through one [`Redactor`], which replaces:
//!
//! 1. every occurrence of a known secret (the passwords the run uses),
//! 2. the password of `scheme://user:PASSWORD@host` URLs,
//! 3. the value of `password=...` in key=value connection strings (quoted or not), and of
//!    `PGPASSWORD=...`, `*_PASSWORD=...`, `*_SECRET=...`, `*_TOKEN=...` assignments in command
//!    lines and environment listings (keys compared without regard to case),
//!
//! with [`MASK`]. The patterns catch secrets the run was never told about (a password typed into
//! a URL in a shell step); the literal list catches the ones it knows wherever they appear.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// What a secret becomes.
pub const MASK: &str = "****";

/// Replaces secrets in text. Cheap to clone (the secrets are shared).
///
/// Secrets shorter than four characters are redacted too, because leaking a short password is
/// still leaking it; but a one- or two-character secret also matches innocent text (a `1` in
/// every timing), so expect over-redaction when a run uses one.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Longest first, so a secret that contains another is replaced whole.
    secrets: Arc<[String]>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("secrets", &format_args!("{} hidden", self.secrets.len()))
            .finish()
    }
}

impl Redactor {
    /// A redactor for the given secrets plus the built-in patterns. Empty strings are ignored,
    /// and so are secrets made only of `*` (they would match the mask itself).
    pub fn new<I, S>(secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut list: Vec<String> = secrets
            .into_iter()
            .map(Into::into)
            .filter(|s| !s.is_empty() && !s.bytes().all(|b| b == b'*'))
            .collect();
        list.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        list.dedup();
        Redactor {
            secrets: list.into(),
        }
    }

    /// A redactor with the patterns only.
    pub fn patterns_only() -> Self {
        Redactor::default()
    }

    /// How many literal secrets this redactor knows.
    pub fn secret_count(&self) -> usize {
        self.secrets.len()
    }

    /// `text` with every secret replaced by [`MASK`]; borrowed when nothing had to change.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        if let Some(changed) = self.replace_literals(&out) {
            out = Cow::Owned(changed);
        }
        if let Some(changed) = replace_url_passwords(&out) {
            out = Cow::Owned(changed);
        }
        if let Some(changed) = replace_assignments(&out) {
            out = Cow::Owned(changed);
        }
        out
    }

    /// Redacts every string value in a JSON value in place. A string under a key that names a
    /// secret (`password`, `POSTGRES_PASSWORD`, `api_token`, ...) is replaced whole. Keys are
    /// left alone: they are the records' field names, and a short secret that happens to occur
    /// in `index` must not turn `run.json` into a document no reader can load.
    pub fn redact_json(&self, value: &mut serde_json::Value) {
        use serde_json::Value;
        match value {
            Value::String(s) => {
                if let Cow::Owned(changed) = self.redact(s) {
                    *s = changed;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|item| self.redact_json(item)),
            Value::Object(map) => {
                for (key, item) in map.iter_mut() {
                    match item {
                        Value::String(s) if is_secret_key(key) && !s.is_empty() => {
                            *s = MASK.to_owned();
                        }
                        _ => self.redact_json(item),
                    }
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }

    /// One pass, so a mask is never matched again by a shorter secret.
    fn replace_literals(&self, text: &str) -> Option<String> {
        if self.secrets.is_empty() || !self.secrets.iter().any(|s| text.contains(s.as_str())) {
            return None;
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        'outer: while !rest.is_empty() {
            for secret in self.secrets.iter() {
                if rest.starts_with(secret.as_str()) {
                    out.push_str(MASK);
                    rest = &rest[secret.len()..];
                    continue 'outer;
                }
            }
            let ch = rest.chars().next().unwrap_or_default();
            out.push(ch);
            rest = &rest[ch.len_utf8()..];
        }
        Some(out)
    }
}

/// Whether a key or variable name says its value is a secret: `password`, `passwd`,
/// `pgpassword`, `secret`, `token`, or a name ending in `_password`, `_passwd`, `_secret` or
/// `_token` (any case).
pub fn is_secret_key(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "password" | "passwd" | "pgpassword" | "secret" | "token"
    ) || ["_password", "_passwd", "_secret", "_token"]
        .iter()
        .any(|suffix| lower.ends_with(suffix))
}

/// `${env.PW}` or `$PW`: a reference to a secret, not one, kept so the runbook copy and
/// commands stay readable (the value it expands to is redacted wherever it appears).
fn is_reference(value: &str) -> bool {
    // Placeholders in documentation (`PGPASSWORD=...`, `password=<secret>`) are not secrets
    // either; masking them made the evidence copy of a runbook differ from the runbook.
    if !value.is_empty() && value.bytes().all(|b| b == b'.') || value == "…" {
        return true;
    }
    if value.len() > 2
        && value.starts_with('<')
        && value.ends_with('>')
        && !value[1..].contains('<')
    {
        return true;
    }
    if let Some(inner) = value.strip_prefix("${").and_then(|v| v.strip_suffix('}')) {
        return !inner.contains(['{', '}']);
    }
    value.strip_prefix('$').is_some_and(|name| {
        name.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && name.bytes().all(is_ident)
    })
}

/// Characters that end a URL's authority in running text. `?` and `#` do not: libpq reads the
/// user info up to the `@` (or a `/`), so a password may hold them, and stopping there would
/// leave such a password in the clear.
fn ends_url_authority(b: u8) -> bool {
    matches!(b, b'/' | b'"' | b'\'' | b'<' | b'>' | b'`') || b.is_ascii_whitespace()
}

/// `scheme://user:PASSWORD@host` → `scheme://user:****@host`.
fn replace_url_passwords(text: &str) -> Option<String> {
    if !text.contains("://") {
        return None;
    }
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = text[search..].find("://") {
        let start = search + found + 3;
        let end = bytes[start..]
            .iter()
            .position(|&b| ends_url_authority(b))
            .map_or(bytes.len(), |p| start + p);
        search = end.max(start);
        let authority = &text[start..end];
        // The user info ends at the last '@' before the first '/', as libpq (and
        // runbook-postgres) read it, even when a '?' comes before that '@'.
        let Some(at) = authority.rfind('@') else {
            continue;
        };
        let Some(colon) = authority[..at].find(':') else {
            continue;
        };
        let password = &authority[colon + 1..at];
        if password.is_empty() || password == MASK || is_reference(password) {
            continue;
        }
        out.push_str(&text[copied..start + colon + 1]);
        out.push_str(MASK);
        copied = start + at;
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `password=...`, `PGPASSWORD=...`, `X_SECRET='...'` → the value replaced, quotes kept.
fn replace_assignments(text: &str) -> Option<String> {
    if !text.contains('=') {
        return None;
    }
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'=' {
            i += 1;
            continue;
        }
        // The key: identifier characters before '=', perhaps separated from it by blanks
        // (libpq allows `password = secret`).
        let mut key_end = i;
        while key_end > 0 && matches!(bytes[key_end - 1], b' ' | b'\t') {
            key_end -= 1;
        }
        let spaced = key_end < i;
        let mut key_start = key_end;
        while key_start > 0 && is_ident(bytes[key_start - 1]) {
            key_start -= 1;
        }
        let key = &text[key_start..key_end];
        if key.is_empty() || !is_secret_key(key) {
            i += 1;
            continue;
        }
        let mut value_start = i + 1;
        if spaced {
            while value_start < bytes.len() && matches!(bytes[value_start], b' ' | b'\t') {
                value_start += 1;
            }
        }
        let (inner_start, inner_end, value_end) = value_span(bytes, value_start);
        let value = &text[inner_start..inner_end];
        if !value.is_empty() && value != MASK && !is_reference(value) {
            out.push_str(&text[copied..inner_start]);
            out.push_str(MASK);
            copied = inner_end;
        }
        i = value_end.max(i + 1);
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// The value starting at `start`: `(content start, content end, end including a closing
/// quote)`. A quoted value runs to the matching unescaped quote (or the end of the text); a bare
/// one to whitespace, a quote or `&` (the next parameter of a URL query).
fn value_span(bytes: &[u8], start: usize) -> (usize, usize, usize) {
    match bytes.get(start) {
        Some(&quote @ (b'\'' | b'"')) => {
            let mut j = start + 1;
            while j < bytes.len() {
                match bytes[j] {
                    b'\\' => j += 2,
                    b if b == quote => return (start + 1, j, j + 1),
                    _ => j += 1,
                }
            }
            let end = bytes.len();
            (start + 1, end, end)
        }
        _ => {
            let end = bytes[start.min(bytes.len())..]
                .iter()
                .position(|&b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'&'))
                .map_or(bytes.len(), |p| start + p);
            (start, end, end)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patterns(text: &str) -> String {
        Redactor::patterns_only().redact(text).into_owned()
    }

    #[test]
    fn known_secrets_are_replaced_everywhere() {
        let r = Redactor::new(["s3cr3t-pw", "other"]);
        assert_eq!(
            r.redact("login with s3cr3t-pw; again s3cr3t-pw and other"),
            "login with ****; again **** and ****"
        );
    }

    #[test]
    fn a_secret_containing_another_is_replaced_whole() {
        let r = Redactor::new(["abc", "abcdef"]);
        assert_eq!(r.redact("x abcdef y abc"), "x **** y ****");
    }

    #[test]
    fn short_secrets_are_still_redacted_and_masks_are_not_rematched() {
        let r = Redactor::new(["7", "*", ""]);
        assert_eq!(r.redact("took 17 ms"), "took 1**** ms");
        assert_eq!(r.secret_count(), 1);
    }

    #[test]
    fn text_without_secrets_is_borrowed() {
        let r = Redactor::new(["hunter2"]);
        assert!(matches!(
            r.redact("SELECT 1; -- a=b x://y"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn url_passwords_are_replaced() {
        assert_eq!(
            patterns("connect postgres://alice:pa55@db.example:5432/app?sslmode=require"),
            "connect postgres://alice:****@db.example:5432/app?sslmode=require"
        );
        assert_eq!(
            patterns("postgresql://u:p@ss@h/db and http://x:y@z"),
            "postgresql://u:****@h/db and http://x:****@z"
        );
        assert_eq!(
            patterns("pg_dump postgres://u:pa?ss@h/db postgres://u:pa#ss@h:5432?sslmode=require"),
            "pg_dump postgres://u:****@h/db postgres://u:****@h:5432?sslmode=require"
        );
        // libpq takes everything up to the last '@' as user info: the password here is
        // 'pw@h?application_name=a'.
        assert_eq!(
            patterns("postgres://u:pw@h?application_name=a@b"),
            "postgres://u:****@b"
        );
    }

    #[test]
    fn urls_without_passwords_are_untouched() {
        let text = "postgres://alice@db/app postgres://db:5432/app https://example.com/a:b@c";
        assert_eq!(patterns(text), text);
        assert_eq!(patterns("postgres://u:@h/db"), "postgres://u:@h/db");
    }

    #[test]
    fn key_value_passwords_are_replaced() {
        assert_eq!(
            patterns("host=db user=alice password=pa55 dbname=app"),
            "host=db user=alice password=**** dbname=app"
        );
        assert_eq!(
            patterns("host=db password = 'it\\'s secret' port=5"),
            "host=db password = '****' port=5"
        );
        assert_eq!(
            patterns("PASSWORD=x sslmode=disable"),
            "PASSWORD=**** sslmode=disable"
        );
    }

    #[test]
    fn secret_assignments_in_commands_and_environments_are_replaced() {
        assert_eq!(
            patterns("PGPASSWORD=pa55 psql -h db"),
            "PGPASSWORD=**** psql -h db"
        );
        assert_eq!(
            patterns(r#"env POSTGRES_PASSWORD="a b c" API_TOKEN=t0k APP_SECRET='x' USER=bob"#),
            r#"env POSTGRES_PASSWORD="****" API_TOKEN=**** APP_SECRET='****' USER=bob"#
        );
        assert_eq!(
            patterns(r#"["POSTGRES_PASSWORD=pw","POSTGRES_DB=app"]"#),
            r#"["POSTGRES_PASSWORD=****","POSTGRES_DB=app"]"#
        );
        assert_eq!(
            patterns("https://h/cb?access_token=abc&state=1"),
            "https://h/cb?access_token=****&state=1"
        );
        assert_eq!(
            patterns("mysql --password=pw db"),
            "mysql --password=**** db"
        );
    }

    #[test]
    fn references_to_secrets_are_kept() {
        let text = "PGPASSWORD=${env.PGPASSWORD} psql postgres://u:${vars.pw}@h/db; X_TOKEN=$TOKEN";
        assert_eq!(patterns(text), text);
        assert_eq!(patterns("PGPASSWORD=${a}b"), "PGPASSWORD=****");
        assert_eq!(patterns("PGPASSWORD=$1abc"), "PGPASSWORD=****");
    }

    #[test]
    fn documentation_placeholders_are_kept() {
        let text =
            "#   export POSTGRES_PASSWORD=...  # or PGPASSWORD=<secret> psql postgres://u:...@h/db";
        assert_eq!(patterns(text), text);
        assert_eq!(patterns("PGPASSWORD=..x"), "PGPASSWORD=****");
        assert_eq!(patterns("PGPASSWORD=<a>b"), "PGPASSWORD=****");
    }

    #[test]
    fn look_alike_keys_are_untouched() {
        let text = "password_env=POSTGRES_PASSWORD XPASSWORD=1 a==b PGPASSWORD= psql";
        assert_eq!(patterns(text), text);
    }

    #[test]
    fn json_strings_and_secret_keys_are_redacted_but_keys_are_kept() {
        let r = Redactor::new(["hunter2"]);
        let mut value = serde_json::json!({
            "url": "postgres://a:b@h/d",
            "env": ["PGPASSWORD=xyz", "A=1"],
            "nested": { "note": "typed hunter2", "POSTGRES_PASSWORD": "plain", "n": 3 },
            "hunter2": true,
        });
        r.redact_json(&mut value);
        assert_eq!(
            value,
            serde_json::json!({
                "url": "postgres://a:****@h/d",
                "env": ["PGPASSWORD=****", "A=1"],
                "nested": { "note": "typed ****", "POSTGRES_PASSWORD": "****", "n": 3 },
                "hunter2": true,
            })
        );
    }

    #[test]
    fn debug_does_not_show_secrets() {
        let r = Redactor::new(["hunter2"]);
        let shown = format!("{r:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("1 hidden"), "{shown}");
    }

    #[test]
    fn non_ascii_text_survives() {
        let r = Redactor::new(["秘密"]);
        assert_eq!(
            r.redact("証跡: 秘密 password=秘密の値 ok"),
            "証跡: **** password=**** ok"
        );
    }
}
