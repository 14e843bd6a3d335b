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
//!
//! A secret rarely leaves in the form it was given: psql's `:'pw'` doubles its quotes
//! (`Don''t`) and, with a backslash, writes an E-string (`E'a\\b'`), the server echoes that
//! text in `LINE n:`, JSON escapes `"` and `\`, URLs percent-encode. [`Redactor::new`]
//! therefore derives every such form of each secret (see [`forms_of`]) and replaces all of them.
//!
//! Redaction must not destroy what it protects: secrets shorter than [`SHORT_SECRET_CHARS`]
//! characters are replaced as whole tokens only and never inside an RFC 3339 timestamp, and the
//! copy of the runbook is redacted per YAML value ([`Redactor::redact_yaml`]), never in keys.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use aho_corasick::AhoCorasick;

/// What a secret becomes.
pub const MASK: &str = "****";

/// Secrets with fewer characters than this are redacted as whole tokens only.
///
/// Why 9: a substring of eight characters or fewer is not rare in evidence. `postgres` (8) is
/// the default password and also a user name, an image name and a URL scheme; four digits are
/// a year or a port; one to eight hex digits occur in every sha256. Replacing such a secret
/// inside longer words rewrote digests, timestamps and the runbook copy into unreadable text.
/// From nine characters on, a chance occurrence inside an unrelated word is negligible (nine
/// hex digits: about one in 7·10¹⁰ per position), so longer secrets are replaced wherever they
/// occur, which also catches them glued to other text.
pub const SHORT_SECRET_CHARS: usize = 9;

/// One form of a secret, as it is searched for.
#[derive(Clone)]
struct Form {
    text: String,
    /// Match only when bounded by non-alphanumeric characters (or the ends of the text).
    whole_token: bool,
    /// Checked at the edges of a cut piece (escaped forms of a long secret).
    cut_check: bool,
}

/// Replaces secrets in text. Cheap to clone (the secrets are shared).
///
/// Short secrets (fewer than [`SHORT_SECRET_CHARS`] characters) are still redacted, because
/// leaking a short password is still leaking it, but only as whole tokens, and the redactor
/// says so in [`warnings`](Redactor::warnings): `1` is masked in `pw=1` and `the value 1`,
/// not in `17 ms` or a timestamp.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Every form of every secret, longest first, so a form that contains another is replaced
    /// whole.
    forms: Arc<[Form]>,
    /// How many distinct secrets were given.
    count: usize,
    warnings: Arc<[String]>,
    /// Whether any form is matched as a whole token (then timestamps are protected).
    any_short: bool,
    /// Finds every form in one pass (pattern ids are indexes into `forms`).
    automaton: Option<Arc<AhoCorasick>>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("secrets", &format_args!("{} hidden", self.count))
            .finish()
    }
}

impl Redactor {
    /// A redactor for the given secrets, in every form they take on the way out (see
    /// [`forms_of`]), plus the built-in patterns. Empty strings are ignored, and so are secrets
    /// made only of `*` (they would match the mask itself).
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
        list.sort();
        list.dedup();
        let mut forms: Vec<Form> = Vec::new();
        let mut warnings: Vec<String> = Vec::new();
        for secret in &list {
            let chars = secret.chars().count();
            let whole_token = chars < SHORT_SECRET_CHARS;
            if whole_token {
                // The count in words: a digit would itself be masked when the secret is one.
                let count = [
                    "", "one", "two", "three", "four", "five", "six", "seven", "eight",
                ]
                .get(chars)
                .map_or_else(|| chars.to_string(), |w| (*w).to_owned());
                let warning = format!(
                    "secret of {count} character{} is too short to redact reliably; it is \
                     redacted as a whole word only",
                    if chars == 1 { "" } else { "s" }
                );
                if !warnings.contains(&warning) {
                    warnings.push(warning);
                }
            }
            let escaped = escaped_forms(secret);
            for text in forms_of(secret) {
                if text.bytes().all(|b| b == b'*') {
                    continue;
                }
                let cut_check = !whole_token && escaped.contains(&text);
                forms.push(Form {
                    text,
                    whole_token,
                    cut_check,
                });
            }
        }
        // Longest first; for one text, a substring match (long secret) wins over a token one.
        forms.sort_by(|a, b| {
            b.text
                .len()
                .cmp(&a.text.len())
                .then_with(|| a.text.cmp(&b.text))
                .then_with(|| a.whole_token.cmp(&b.whole_token))
        });
        forms.dedup_by(|later, earlier| later.text == earlier.text);
        let any_short = forms.iter().any(|f| f.whole_token);
        let automaton = if forms.is_empty() {
            None
        } else {
            // Only fails for automata beyond its size limits, far above a few hundred short
            // patterns; without one, the literal secrets would silently not be redacted.
            Some(Arc::new(
                AhoCorasick::new(forms.iter().map(|f| f.text.as_str()))
                    .expect("an automaton of the secrets' forms"),
            ))
        };
        Redactor {
            automaton,
            forms: forms.into(),
            count: list.len(),
            warnings: warnings.into(),
            any_short,
        }
    }

    /// [`redact`](Self::redact) for a piece of a longer line that was cut (a line over the
    /// writer's line cap, output kept up to a limit): a secret that straddles the cut is in
    /// neither piece whole, so `cut_before` also masks a start of the text that is the end of a
    /// secret's form, and `cut_after` an end that is the start of one. Only secrets long enough
    /// to be replaced as substrings take part; a short one is matched as a whole word anyway.
    pub fn redact_piece(&self, text: &str, cut_before: bool, cut_after: bool) -> String {
        let mut out = self.redact(text).into_owned();
        if cut_after {
            let keep = self
                .forms
                .iter()
                .filter(|f| f.cut_check)
                .filter_map(|f| {
                    f.text
                        .char_indices()
                        .skip(1)
                        .map(|(i, _)| i)
                        .filter(|&i| out.ends_with(&f.text[..i]))
                        .max()
                })
                .max()
                .map_or(out.len(), |k| out.len() - k);
            if keep < out.len() {
                out.truncate(keep);
                out.push_str(MASK);
            }
        }
        if cut_before {
            let drop = self
                .forms
                .iter()
                .filter(|f| f.cut_check)
                .filter_map(|f| {
                    f.text
                        .char_indices()
                        .skip(1)
                        .map(|(i, _)| i)
                        .filter(|&i| out.starts_with(&f.text[i..]))
                        .min()
                        .map(|i| f.text.len() - i)
                })
                .max()
                .unwrap_or(0);
            if drop > 0 {
                out.replace_range(..drop, MASK);
            }
        }
        out
    }

    /// The copy of a runbook with secrets redacted per YAML value: keys, indicators and the
    /// document's structure are kept, so the copy still parses (see `yaml_copy.rs`). Text that
    /// is not YAML is redacted as text.
    pub fn redact_yaml(&self, text: &str) -> String {
        if self.redact(text) == text {
            return text.to_owned();
        }
        crate::yaml_copy::redact_yaml(self, text).unwrap_or_else(|| self.redact(text).into_owned())
    }

    /// One sentence per kind of secret this redactor cannot redact reliably (too short, so
    /// only whole tokens are replaced), for the terminal and the evidence.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// A redactor with the patterns only.
    pub fn patterns_only() -> Self {
        Redactor::default()
    }

    /// How many literal secrets this redactor knows.
    pub fn secret_count(&self) -> usize {
        self.count
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
        let automaton = self.automaton.as_ref()?;
        // Every occurrence of every form, in one pass; then, from left to right, the longest
        // valid one at each start (a short form must be a whole token outside timestamps).
        let mut found: Vec<(usize, usize, usize)> = automaton
            .find_overlapping_iter(text)
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect();
        if found.is_empty() {
            return None;
        }
        found.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let protected = if self.any_short {
            timestamp_spans(text)
        } else {
            Vec::new()
        };
        let in_timestamp = |i: usize| {
            let at = protected.partition_point(|&(_, end)| end <= i);
            protected.get(at).is_some_and(|&(start, _)| start <= i)
        };
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        for (start, end, pattern) in found {
            if start < copied {
                continue;
            }
            let valid = !self.forms[pattern].whole_token
                || (!in_timestamp(start)
                    && !text[..start]
                        .chars()
                        .next_back()
                        .is_some_and(char::is_alphanumeric)
                    && !text[end..]
                        .chars()
                        .next()
                        .is_some_and(char::is_alphanumeric));
            if valid {
                out.push_str(&text[copied..start]);
                out.push_str(MASK);
                copied = end;
            }
        }
        if copied == 0 {
            return None;
        }
        out.push_str(&text[copied..]);
        Some(out)
    }
}

/// Every form `secret` can take in text that leaves the run, the secret itself first:
///
/// - SQL literals: `'` doubled (`Don''t`, what psql's `:'var'` and `quote_literal` write), or
///   backslash-escaped (`\'`), each with `\` as is or doubled (E-strings);
/// - identifiers: `"` doubled (psql's `:"var"`);
/// - shell single quotes: `'` as `'\''` or `'"'"'`;
/// - JSON string content of each of the above (`\"`, `\\`, `\n`, `\u0001`, and also with every
///   non-ASCII character as `\uXXXX`, as some encoders write);
/// - percent-encoding of the secret (upper- and lowercase hex, and `+` for a space);
/// - the secret in lower and upper case (unquoted identifiers are folded);
/// - for secrets of [`SHORT_SECRET_CHARS`] or more: hex (`bytea` output) and the base64
///   characters it always produces, at any alignment (HTTP Basic auth).
pub fn forms_of(secret: &str) -> Vec<String> {
    let mut all = escaped_forms(secret);
    for form in encoded_forms(secret) {
        if !all.contains(&form) {
            all.push(form);
        }
    }
    all
}

/// The secret and its escaped forms (the first part of [`forms_of`]).
fn escaped_forms(secret: &str) -> Vec<String> {
    let mut base: Vec<String> = vec![secret.to_owned()];
    let add = |list: &mut Vec<String>, s: String| {
        if !list.contains(&s) {
            list.push(s);
        }
    };
    for doubled_backslash in [false, true] {
        let b = if doubled_backslash {
            secret.replace('\\', "\\\\")
        } else {
            secret.to_owned()
        };
        add(&mut base, b.clone());
        add(&mut base, b.replace('\'', "''"));
        add(&mut base, b.replace('\'', "\\'"));
    }
    add(&mut base, secret.replace('"', "\"\""));
    // HTML/XML text and attributes (reports, JUnit, web consoles).
    let html = secret
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    for apostrophe in ["&#39;", "&apos;", "&#x27;"] {
        add(&mut base, html.replace('\'', apostrophe));
    }
    add(&mut base, secret.replace('\'', "'\\''"));
    add(&mut base, secret.replace('\'', "'\"'\"'"));
    let mut all = base.clone();
    for form in &base {
        let json = serde_json::to_string(form).unwrap_or_default();
        let json = json[1..json.len().saturating_sub(1).max(1)].to_owned();
        add(&mut all, json_ascii(&json));
        add(&mut all, json);
    }
    for upper in [true, false] {
        add(&mut all, percent_encode(secret, upper, false));
        add(&mut all, percent_encode(secret, upper, true));
    }
    all.retain(|s| !s.is_empty());
    all
}

/// The forms of `secret` that are not escapes of its text: case-folded, hex, base64. A cut
/// piece is not checked against their ends (see [`Redactor::redact_piece`]): one or two
/// characters of them match anything.
fn encoded_forms(secret: &str) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    let add = |list: &mut Vec<String>, s: String| {
        if !list.contains(&s) {
            list.push(s);
        }
    };
    // The server folds unquoted identifiers to lower case (`:pw` without quotes comes back as
    // `role "hunter2x" ...`); other tools shout.
    for folded in [secret.to_lowercase(), secret.to_uppercase()] {
        add(&mut all, folded);
    }
    // Byte dumps (`bytea` output `\x...`, hexdumps) and base64 (HTTP Basic auth, Docker
    // registry credentials), only for secrets long enough to be matched as substrings: the hex
    // of `1` is `31`, which is every other number.
    if secret.chars().count() >= SHORT_SECRET_CHARS {
        add(&mut all, hex::encode(secret));
        add(&mut all, hex::encode_upper(secret));
        for core in base64_cores(secret.as_bytes()) {
            add(&mut all, core);
        }
    }
    all.retain(|s| !s.is_empty());
    all
}

/// The base64 characters that depend only on `secret`, for each of the three alignments it can
/// have inside a longer encoded value (`user:secret` in Basic auth): what a leak of it in base64
/// always contains.
fn base64_cores(secret: &[u8]) -> Vec<String> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut cores = Vec::new();
    for offset in 0..3usize {
        let mut bytes = vec![0u8; offset];
        bytes.extend_from_slice(secret);
        let groups = bytes.len() / 3;
        let mut encoded = String::with_capacity(groups * 4);
        for group in bytes.chunks_exact(3) {
            let n = (u32::from(group[0]) << 16) | (u32::from(group[1]) << 8) | u32::from(group[2]);
            for shift in [18, 12, 6, 0] {
                encoded.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            }
        }
        // Characters holding bits of the zero prefix depend on what precedes the secret.
        let first_clean = (8 * offset).div_ceil(6);
        if encoded.len() >= first_clean + 8 {
            cores.push(encoded[first_clean..].to_owned());
        }
    }
    cores
}

/// JSON string content with every non-ASCII character written as `\uXXXX` (UTF-16).
fn json_ascii(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// `secret` percent-encoded: every byte but `A-Z a-z 0-9 - . _ ~` as `%XX`; with `plus`, a
/// space as `+` (HTML forms, query strings).
fn percent_encode(secret: &str, upper: bool, plus: bool) -> String {
    let mut out = String::with_capacity(secret.len() * 3);
    for &b in secret.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else if plus && b == b' ' {
            out.push('+');
        } else if upper {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push_str(&format!("%{b:02x}"));
        }
    }
    out
}

/// Byte ranges of dates and times, which short secrets must not rewrite: RFC 3339 timestamps
/// (`2025-11-08T06:24:36.123Z`, `... 06:24:36+09:00`), PostgreSQL's (`2025-11-08
/// 06:24:36.123+09`), and a date (`2025-11-08`) or a time of day (`06:24:36.5`) on its own.
fn timestamp_spans(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let digits = |from: usize, n: usize| {
        from + n <= b.len() && b[from..from + n].iter().all(u8::is_ascii_digit)
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let date = |i: usize| {
        digits(i, 4) && at(i + 4, b'-') && digits(i + 5, 2) && at(i + 7, b'-') && digits(i + 8, 2)
    };
    let time = |i: usize| {
        digits(i, 2) && at(i + 2, b':') && digits(i + 3, 2) && at(i + 5, b':') && digits(i + 6, 2)
    };
    // The end of a time of day starting at `i`: seconds, fraction, zone.
    let time_end = |i: usize| {
        let mut end = i + 8;
        if at(end, b'.') && digits(end + 1, 1) {
            end += 1;
            while end < b.len() && b[end].is_ascii_digit() {
                end += 1;
            }
        }
        if matches!(b.get(end), Some(b'Z' | b'z')) {
            end += 1;
        } else if matches!(b.get(end), Some(b'+' | b'-')) && digits(end + 1, 2) {
            end += 3;
            if at(end, b':') && digits(end + 1, 2) {
                end += 3;
            } else if digits(end, 2) {
                end += 2;
            }
        }
        end
    };
    let mut spans = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts_token = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        if starts_token && date(i) {
            let end = if matches!(b.get(i + 10), Some(b'T' | b't' | b' ')) && time(i + 11) {
                time_end(i + 11)
            } else {
                i + 10
            };
            spans.push((i, end));
            i = end;
        } else if starts_token && time(i) {
            let end = time_end(i);
            spans.push((i, end));
            i = end;
        } else {
            i += 1;
        }
    }
    spans
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
    fn short_secrets_are_redacted_as_whole_tokens_only_with_a_warning() {
        let r = Redactor::new(["7", "*", ""]);
        assert_eq!(
            r.redact("took 17 ms, pw=7, value 7."),
            "took 17 ms, pw=****, value ****."
        );
        assert_eq!(r.secret_count(), 1);
        assert_eq!(
            r.warnings(),
            [
                "secret of one character is too short to redact reliably; it is redacted as a \
              whole word only"
            ]
        );
        let r = Redactor::new(["postgres"]);
        assert_eq!(
            r.redact("user postgres on runbook/postgres:15 as postgresql"),
            "user **** on runbook/****:15 as postgresql"
        );
        assert_eq!(r.warnings().len(), 1);
        assert!(Redactor::new(["Don't-Tell-42"]).warnings().is_empty());
    }

    #[test]
    fn short_secrets_never_rewrite_timestamps_or_digests() {
        let r = Redactor::new(["1", "2026", "12", "ab", "00", "14"]);
        let text = "started 2026-12-02T03:14:19.123Z, 2026-01-12 12:01:01+09:00; \
                    sha256 ab12ab1212ab121212ab; year 2026; pg 2026-12-02 03:14:19.5+00, \
                    on 2026-12-02 at 12:14:00; 14 rows";
        assert_eq!(
            r.redact(text),
            "started 2026-12-02T03:14:19.123Z, 2026-01-12 12:01:01+09:00; \
             sha256 ab12ab1212ab121212ab; year ****; pg 2026-12-02 03:14:19.5+00, \
             on 2026-12-02 at 12:14:00; **** rows"
        );
    }

    #[test]
    fn every_escaped_form_of_a_secret_is_redacted() {
        let r = Redactor::new([r"Don't-\Tell-42 ü"]);
        for leaked in [
            r"Don't-\Tell-42 ü",           // as written
            r"Don''t-\Tell-42 ü",          // psql :'var', quote_literal
            r"Don''t-\\Tell-42 ü",         // E-string with '' quotes
            r"Don\'t-\\Tell-42 ü",         // E-string, backslash escapes
            r#"Don\\'t-\\\\Tell-42 ü"#,    // JSON of the E-string
            r#"Don''t-\\Tell-42 \u00fc"#,  // JSON, non-ASCII escaped
            "Don%27t-%5CTell-42%20%C3%BC", // percent-encoded
            "Don%27t-%5cTell-42+%c3%bc",   // lowercase, form-encoded
            r#"Don'\''t-\Tell-42 ü"#,      // shell single quotes
        ] {
            let line = format!("ERROR: LINE 1: SELECT E'{leaked}' + 1");
            let out = r.redact(&line);
            assert_eq!(out, "ERROR: LINE 1: SELECT E'****' + 1", "{leaked}");
        }
        let mut value = serde_json::json!({"m": "pw Don't-\\Tell-42 ü"});
        r.redact_json(&mut value);
        assert_eq!(value, serde_json::json!({"m": "pw ****"}));
        assert_eq!(forms_of("abc"), ["abc", "ABC"]);
    }

    #[test]
    fn a_one_letter_password_does_not_eat_words() {
        // POSTGRES_PASSWORD=x once printed "container db does not e****ist yet".
        let r = Redactor::new(["x"]);
        assert_eq!(
            r.redact("container db does not exist yet; POSTGRES_PASSWORD=x pw x"),
            "container db does not exist yet; POSTGRES_PASSWORD=**** pw ****"
        );
    }

    #[test]
    fn html_escaped_forms_are_redacted() {
        let r = Redactor::new([r#"Don't<"&>-42x"#]);
        for leaked in [
            "Don&#39;t&lt;&quot;&amp;&gt;-42x",
            "Don&apos;t&lt;&quot;&amp;&gt;-42x",
        ] {
            assert_eq!(r.redact(&format!("<td>{leaked}</td>")), "<td>****</td>");
        }
    }

    #[test]
    fn folded_hex_and_base64_forms_are_redacted() {
        let r = Redactor::new(["Hunter2-Pass"]);
        assert_eq!(
            r.redact(r#"role "hunter2-pass" does not exist"#),
            r#"role "****" does not exist"#
        );
        assert_eq!(r.redact("\\x48756e746572322d50617373"), "\\x****");
        // Basic auth of "alice:Hunter2-Pass" and "bob:Hunter2-Pass" (two alignments).
        for (user, header) in [
            ("alice", "YWxpY2U6SHVudGVyMi1QYXNz"),
            ("bob", "Ym9iOkh1bnRlcjItUGFzcw=="),
        ] {
            let out = r.redact(header);
            assert!(out.contains(MASK), "{user}: {out}");
            assert!(out.len() < header.len(), "{user}: {out}");
        }
        // Short secrets have no hex or base64 forms: `31` is not `1`.
        assert_eq!(Redactor::new(["1"]).redact("31 MQ"), "31 MQ");
    }

    #[test]
    fn a_secret_cut_in_two_is_masked_on_both_sides_of_the_cut() {
        let r = Redactor::new(["hunter2-long-pw", "7"]);
        assert_eq!(r.redact_piece("aaa hunter2-lo", false, true), "aaa ****");
        assert_eq!(r.redact_piece("ng-pw bbb", true, false), "**** bbb");
        assert_eq!(r.redact_piece("x h", false, true), "x ****");
        // Without a cut, or with a short secret, nothing more is masked.
        assert_eq!(
            r.redact_piece("aaa hunter2-lo", false, false),
            "aaa hunter2-lo"
        );
        assert_eq!(r.redact_piece("took 7", true, true), "took ****");
        assert_eq!(r.redact_piece("a 17", true, true), "a 17");
    }

    #[test]
    fn the_runbook_copy_stays_yaml_with_its_keys() {
        let r = Redactor::new(["postgres", "1", "hunter2-long-pw"]);
        let yaml = "version: 1\nname: demo # pw hunter2-long-pw\nvars:\n  pw: hunter2-long-pw\n  \
                    one: 1\n  q: 'it''s 1'\n  d: \"x 1 y\"\ntargets:\n  postgres:\n    \
                    postgres:\n      url: postgres://u@h/db\n  '1': {a: 1}\nsteps:\n  - id: s1\n    \
                    sql: |\n      SELECT 1;\n";
        let out = r.redact_yaml(yaml);
        assert_eq!(
            out,
            "version: '****'\nname: demo # pw ****\nvars:\n  pw: '****'\n  one: '****'\n  \
             q: 'it''s ****'\n  d: \"x **** y\"\ntargets:\n  postgres:\n    postgres:\n      \
             url: '****://u@h/db'\n  '1': {a: '****'}\nsteps:\n  - id: s1\n    sql: |\n      \
             SELECT ****;\n"
        );
        assert!(crate::yaml_copy::parses_for_tests(&out));
        assert_eq!(r.redact_yaml("a: b\n"), "a: b\n");
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
