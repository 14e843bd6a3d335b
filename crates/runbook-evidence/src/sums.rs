//! The `SHA256SUMS` file: one `<64 hex>  <relative path>` line per file, sorted by path, the
//! format `sha256sum -c` reads.
//!
//! Our own names never need GNU's backslash escaping (step ids and attachment names are plain),
//! but the parser accepts escaped lines, binary-mode `*` markers and CRLF endings so that a file
//! that went through other tools is still judged on its content. Paths that could reach outside
//! the evidence directory are refused rather than followed.

use std::collections::BTreeMap;

/// Name of the checksum file in an evidence directory.
pub const SUMS_FILE: &str = "SHA256SUMS";

/// `sha256sum` text for `entries` (relative path → hex digest), sorted by path bytes.
pub(crate) fn render(entries: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    for (path, digest) in entries {
        out.push_str(digest);
        out.push_str("  ");
        out.push_str(path);
        out.push('\n');
    }
    out
}

/// One usable line of a `SHA256SUMS` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SumsEntry {
    pub line: usize,
    /// Normalized: no `.` segments, `/` separated.
    pub path: String,
    pub sha256: String,
}

/// A line that could not be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadLine {
    pub line: usize,
    pub problem: BadLineKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BadLineKind {
    /// Not `<64 hex>  <path>`; holds the offending text.
    Malformed(String),
    /// An absolute path or one with `..`; holds the path.
    Escapes(String),
    /// Listed again; holds the path and the line of its first listing.
    Duplicate(String, usize),
}

/// Every entry and every bad line of `text`.
pub(crate) fn parse(text: &str) -> (Vec<SumsEntry>, Vec<BadLine>) {
    let mut entries: Vec<SumsEntry> = Vec::new();
    let mut bad = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let body = text.strip_suffix('\n').unwrap_or(text);
    if body.is_empty() {
        return (entries, bad);
    }
    for (i, raw) in body.split('\n').enumerate() {
        let line = i + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let Some((sha256, path)) = split_line(raw) else {
            bad.push(BadLine {
                line,
                problem: BadLineKind::Malformed(raw.to_owned()),
            });
            continue;
        };
        let Some(path) = normalize(&path) else {
            bad.push(BadLine {
                line,
                problem: BadLineKind::Escapes(path),
            });
            continue;
        };
        if let Some(&first) = seen.get(&path) {
            bad.push(BadLine {
                line,
                problem: BadLineKind::Duplicate(path, first),
            });
            continue;
        }
        seen.insert(path.clone(), line);
        entries.push(SumsEntry { line, path, sha256 });
    }
    (entries, bad)
}

/// `(lowercase digest, path)` of one line, undoing GNU escaping when the line starts with `\`.
fn split_line(raw: &str) -> Option<(String, String)> {
    let (escaped, raw) = match raw.strip_prefix('\\') {
        Some(rest) => (true, rest),
        None => (false, raw),
    };
    let digest = raw.get(..64)?;
    if !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let rest = &raw[64..];
    let path = rest
        .strip_prefix("  ")
        .or_else(|| rest.strip_prefix(" *"))?;
    if path.is_empty() {
        return None;
    }
    let path = if escaped {
        unescape(path)?
    } else {
        path.to_owned()
    };
    Some((digest.to_ascii_lowercase(), path))
}

fn unescape(path: &str) -> Option<String> {
    let mut out = String::with_capacity(path.len());
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '\\' => out.push('\\'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            _ => return None,
        }
    }
    Some(out)
}

/// A relative path inside the directory, without `.` segments; `None` when it is absolute,
/// climbs with `..`, is empty or holds a NUL.
pub(crate) fn normalize(path: &str) -> Option<String> {
    if path.starts_with('/') || path.contains('\0') {
        return None;
    }
    let mut parts = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn render_is_sorted_and_sha256sum_shaped() {
        let mut entries = BTreeMap::new();
        entries.insert("steps/01-a/output.log".to_owned(), A.to_owned());
        entries.insert("run.json".to_owned(), A.to_owned());
        entries.insert("report.md".to_owned(), A.to_owned());
        assert_eq!(
            render(&entries),
            format!("{A}  report.md\n{A}  run.json\n{A}  steps/01-a/output.log\n")
        );
    }

    #[test]
    fn parse_accepts_what_tools_write() {
        let upper = A.to_ascii_uppercase();
        let text = format!("{A}  a\r\n{upper} *./b/c\n\\{A}  d\\\\e\n");
        let (entries, bad) = parse(&text);
        assert!(bad.is_empty(), "{bad:?}");
        let paths: Vec<_> = entries.iter().map(|e| (e.line, e.path.as_str())).collect();
        assert_eq!(paths, [(1, "a"), (2, "b/c"), (3, "d\\e")]);
        assert!(entries.iter().all(|e| e.sha256 == A));
    }

    #[test]
    fn parse_reports_bad_lines_with_numbers() {
        let text = format!("{A}  ok\nnot a line\n{A}  ../etc/passwd\n{A}  /abs\n{A}  ok\n{A} x\n");
        let (entries, bad) = parse(&text);
        assert_eq!(entries.len(), 1);
        assert_eq!(
            bad,
            [
                BadLine {
                    line: 2,
                    problem: BadLineKind::Malformed("not a line".into())
                },
                BadLine {
                    line: 3,
                    problem: BadLineKind::Escapes("../etc/passwd".into())
                },
                BadLine {
                    line: 4,
                    problem: BadLineKind::Escapes("/abs".into())
                },
                BadLine {
                    line: 5,
                    problem: BadLineKind::Duplicate("ok".into(), 1)
                },
                BadLine {
                    line: 6,
                    problem: BadLineKind::Malformed(format!("{A} x"))
                },
            ]
        );
    }

    #[test]
    fn empty_file_has_no_entries() {
        assert_eq!(parse(""), (vec![], vec![]));
    }
}
