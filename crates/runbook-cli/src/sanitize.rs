//! The one gate between untrusted text and the operator's terminal.
//!
//! Server messages, file names, SQL quoted in the consent prompt, container logs, shell output
//! and evidence paths are written by whoever controls a dump, a server, a container or a
//! directory. Written raw, their control characters drive the terminal: `\r` and `ESC [2K`
//! erase what the runbook printed, `ESC [1A` moves up to overwrite the verdict, `ESC [8m` hides
//! a `DROP TABLE` in the consent prompt, a newline in a file name starts a line of its own that
//! looks like ours, and a bidi override reverses what is read. So every such text goes through
//! [`line`] or [`block`] before it is printed: control characters become visible (`ESC` as
//! `␛`, `\r`, `\n`, `\t` as those two characters, every other C0 or C1 control, DEL and the
//! bidi controls as `\u{...}`), and lines longer than [`MAX_LINE_CHARS`] are cut with a note,
//! so a 200 MB server message costs the terminal a few kilobytes. Where the text is printed,
//! [`fit`] breaks a line wider than the terminal before its edge, so the terminal's own wrap
//! cannot start a row with whatever the text holds at that column. The CLI's own colour codes
//! are added after this, around text that already passed here; they are the only escape
//! sequences the terminal receives (and none with `NO_COLOR`).
//!
//! The evidence keeps the raw text: it is data, read by tools, and `verify` proves it unchanged.

use std::fmt::Write as _;

/// Characters of one line shown before it is cut. Long enough for any statement, path or
/// message a person reads; the evidence has the rest.
pub const MAX_LINE_CHARS: usize = 1000;

/// Lines of a multi-line text (a server error's `DETAIL`/`CONTEXT`, a step's summary) shown
/// before the rest is counted instead.
pub const MAX_BLOCK_LINES: usize = 40;

/// How continuation lines of a [`block`] start: never at the left margin, and never like a
/// line the CLI writes itself, so an untrusted line break cannot pass for our own line.
pub const CONTINUATION: &str = "  | ";

/// `text` as one terminal line: every control character visible (line breaks included),
/// cut at [`MAX_LINE_CHARS`] with a note.
pub fn line(text: &str) -> String {
    let (head, rest) = match text.char_indices().nth(MAX_LINE_CHARS) {
        Some((at, _)) => text.split_at(at),
        None => (text, ""),
    };
    let mut out = String::with_capacity(head.len() + 16);
    for c in head.chars() {
        push_visible(&mut out, c);
    }
    if !rest.is_empty() {
        let rest = rest.chars().count();
        let _ = write!(
            out,
            " [... {rest} more character{} not shown on the terminal]",
            if rest == 1 { "" } else { "s" }
        );
    }
    out
}

/// `text` that may hold several lines: each line through [`line`], every line after the first
/// starting with [`CONTINUATION`], at most [`MAX_BLOCK_LINES`] lines. A `\r\n` ends a line
/// like `\n`; a lone `\r` stays visible.
pub fn block(text: &str) -> String {
    let mut out = String::new();
    for (count, piece) in text.split('\n').enumerate() {
        if count == MAX_BLOCK_LINES {
            let rest = text.split('\n').count() - count;
            let _ = write!(
                out,
                "\n{CONTINUATION}[... {rest} more line{} not shown on the terminal]",
                if rest == 1 { "" } else { "s" }
            );
            break;
        }
        if count > 0 {
            out.push('\n');
            out.push_str(CONTINUATION);
        }
        out.push_str(&line(piece.strip_suffix('\r').unwrap_or(piece)));
    }
    out
}

/// A whole document (a Markdown or HTML report) for the terminal: its line breaks kept, every
/// other control character made visible, no line cut (a cut could fall inside markup).
pub fn document(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\n' {
            out.push(c);
        } else {
            push_visible(&mut out, c);
        }
    }
    out
}

/// A JSON document with the control characters JSON leaves raw (DEL, C1 controls such as the
/// one-byte CSI U+009B, bidi controls, U+2028/9) written as `\uXXXX` escapes: the same JSON
/// to any parser, and nothing a terminal obeys. Outside strings JSON holds none of them.
pub fn json(text: &str) -> String {
    escape_with(text, |out, c| {
        let _ = write!(out, "\\u{:04x}", u32::from(c));
    })
}

/// An XML document (JUnit) with its control characters, carriage returns included, written as
/// character references: the same document to any parser, and nothing a terminal obeys.
pub fn xml(text: &str) -> String {
    escape_with(text, |out, c| {
        let _ = write!(out, "&#x{:x};", u32::from(c));
    })
}

fn escape_with(text: &str, mut escape: impl FnMut(&mut String, char)) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_control(c) && !matches!(c, '\n' | '\t') {
            escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// A path as one terminal line (file names may hold any byte but `/` and NUL).
pub fn path(path: &std::path::Path) -> String {
    line(&path.to_string_lossy())
}

/// The columns of the terminal on stderr, when stderr is one.
pub fn stderr_width() -> Option<usize> {
    terminal_width(&console::Term::stderr())
}

/// The columns of the terminal on stdout, when stdout is one.
pub fn stdout_width() -> Option<usize> {
    terminal_width(&console::Term::stdout())
}

fn terminal_width(term: &console::Term) -> Option<usize> {
    if !term.is_term() {
        return None;
    }
    term.size_checked().map(|(_rows, cols)| usize::from(cols))
}

/// Sanitised text (ours around it, colour codes included) laid out for a terminal `width`
/// columns wide: every line longer than the terminal is broken before the edge and goes on
/// after [`CONTINUATION`]. Left to the terminal, the wrap would start a screen row with
/// whatever the untrusted text holds at that column: a server message padded to the width
/// would put "run passed" at the left margin. `None` (not a terminal) or a very narrow
/// terminal: unchanged.
pub fn fit(text: &str, width: Option<usize>) -> String {
    let Some(width) = width.filter(|w| *w > 2 * CONTINUATION.len() + 8) else {
        return text.to_owned();
    };
    // A row is broken after its last space when that space is this near the edge, so that
    // words (a table's name, a file's) stay whole; otherwise at the edge.
    let slack = (width / 3).min(30);
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        // The row being laid out, its width so far, and where after its last space it could
        // be broken (byte index, column).
        let mut row = String::new();
        let mut column = 0usize;
        let mut space: Option<(usize, usize)> = None;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\u{1B}' {
                // One of our own colour codes (sanitised text has no ESC left): copied whole,
                // no width.
                row.push(c);
                if chars.peek() == Some(&'[') {
                    for next in chars.by_ref() {
                        row.push(next);
                        if matches!(next, '\u{40}'..='\u{7E}') && next != '[' {
                            break;
                        }
                    }
                }
                continue;
            }
            let mut buf = [0u8; 4];
            let w = console::measure_text_width(c.encode_utf8(&mut buf));
            if column + w >= width {
                let word = space.filter(|(_, at)| column - at <= slack);
                let rest = match word {
                    Some((index, _)) => row.split_off(index),
                    None => String::new(),
                };
                out.push_str(&row);
                out.push('\n');
                out.push_str(CONTINUATION);
                column = CONTINUATION.len() + word.map_or(0, |(_, at)| column - at);
                row = rest;
                space = None;
            }
            row.push(c);
            column += w;
            if c == ' ' {
                space = Some((row.len(), column));
            }
        }
        out.push_str(&row);
    }
    out
}

/// Whether `c` would act on the terminal or on how the line reads, instead of being shown.
fn is_control(c: char) -> bool {
    c.is_control() // C0, DEL, C1
        || matches!(
            c,
            // Bidi embeddings, overrides and isolates, and the marks that steer them.
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
            // Line and paragraph separators: some terminals and viewers break lines there.
            | '\u{2028}' | '\u{2029}'
        )
}

fn push_visible(out: &mut String, c: char) {
    if !is_control(c) {
        out.push(c);
        return;
    }
    match c {
        '\u{1B}' => out.push('␛'),
        '\r' => out.push_str("\\r"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        c => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_shown_not_obeyed() {
        assert_eq!(
            line("DROP TABLE patients /*\x1b[2K\r*/"),
            "DROP TABLE patients /*␛[2K\\r*/"
        );
        assert_eq!(line("\x1b[8mhidden\x1b[0m"), "␛[8mhidden␛[0m");
        assert_eq!(line("a\x1b[1A\x1b[2Kb"), "a␛[1A␛[2Kb");
    }

    #[test]
    fn every_c0_control_del_and_c1_control_is_visible() {
        for code in (0u32..0x20).chain([0x7F]).chain(0x80..0xA0) {
            let c = char::from_u32(code).unwrap();
            let shown = line(&format!("a{c}b"));
            assert!(
                shown.starts_with('a') && shown.ends_with('b') && shown.len() > 2,
                "U+{code:04X} shown as {shown:?}"
            );
            assert!(
                shown.chars().all(|c| !c.is_control()),
                "U+{code:04X} reached the terminal: {shown:?}"
            );
        }
        assert_eq!(line("\0"), "\\u{0}");
        assert_eq!(line("\x07\x08\x7f"), "\\u{7}\\u{8}\\u{7f}");
        assert_eq!(line("\u{9b}31m"), "\\u{9b}31m"); // C1 CSI
        assert_eq!(line("\u{85}"), "\\u{85}"); // C1 next line
        assert_eq!(line("a\tb\nc"), "a\\tb\\nc");
    }

    #[test]
    fn bidi_controls_are_visible() {
        for c in ('\u{202A}'..='\u{202E}').chain('\u{2066}'..='\u{2069}') {
            let shown = line(&format!("x{c}y"));
            assert_eq!(shown, format!("x\\u{{{:x}}}y", u32::from(c)));
        }
        assert_eq!(line("\u{200F}\u{2028}"), "\\u{200f}\\u{2028}");
    }

    #[test]
    fn utf8_text_is_kept() {
        let text = "Grüße, 患者テーブル, emoji 🩺, ␛ itself, back\\slash";
        assert_eq!(line(text), text);
        assert_eq!(block(text), text);
    }

    #[test]
    fn a_long_line_is_cut_at_the_width_with_a_note() {
        let long = "é".repeat(MAX_LINE_CHARS + 5);
        let shown = line(&long);
        assert_eq!(
            shown,
            format!(
                "{} [... 5 more characters not shown on the terminal]",
                "é".repeat(MAX_LINE_CHARS)
            )
        );
        assert_eq!(
            line(&"x".repeat(MAX_LINE_CHARS)),
            "x".repeat(MAX_LINE_CHARS)
        );
        // Escapes count as one character each: the cut bounds what is printed.
        let escapes = line(&"\x1b".repeat(MAX_LINE_CHARS * 3));
        assert!(escapes.chars().count() < MAX_LINE_CHARS + 100, "{escapes}");
    }

    #[test]
    fn a_block_keeps_its_lines_but_never_at_the_margin() {
        assert_eq!(
            block("failed: boom\r\nCONTEXT:  x\nrun passed in 0.1s"),
            "failed: boom\n  | CONTEXT:  x\n  | run passed in 0.1s"
        );
        assert_eq!(block("one"), "one");
        assert_eq!(block("a\rb"), "a\\rb");
    }

    #[test]
    fn a_document_keeps_its_lines_and_shows_its_controls() {
        let long = "y".repeat(MAX_LINE_CHARS * 2);
        assert_eq!(
            document(&format!("# Run\n| a\x1b[1A | {long} |\r\n")),
            format!("# Run\n| a␛[1A | {long} |\\r\n")
        );
    }

    #[test]
    fn data_documents_keep_their_meaning_and_lose_their_controls() {
        assert_eq!(
            json("{\n  \"a\": \"x\u{9b}2J\u{7f}\u{202e}\"\n}"),
            "{\n  \"a\": \"x\\u009b2J\\u007f\\u202e\"\n}"
        );
        assert_eq!(xml("<a>x\r\u{85}\ty</a>\n"), "<a>x&#xd;&#x85;\ty</a>\n");
    }

    #[test]
    fn a_line_wider_than_the_terminal_goes_on_after_the_marker() {
        let padded = format!("step 'x': failed: {}run passed in 0.1s", "x".repeat(56));
        assert_eq!(
            fit(&padded, Some(40)),
            format!(
                "step 'x': failed: {}\n  | {}\n  | run passed in 0.1s",
                "x".repeat(21),
                "x".repeat(35),
            )
        );
        // Words stay whole when a space is near the edge.
        assert_eq!(
            fit(
                "drops table patients and everything that depends on it",
                Some(40)
            ),
            "drops table patients and everything \n  | that depends on it"
        );
        // Our colour codes take no room and are never split.
        let colored = format!("\x1b[31m{}\x1b[0m", "y".repeat(45));
        let fitted = fit(&colored, Some(40));
        assert_eq!(
            fitted,
            format!("\x1b[31m{}\n  | {}\x1b[0m", "y".repeat(39), "y".repeat(6))
        );
        // Wide characters count two columns; the last column stays free (a character there
        // leaves some terminals in a pending wrap).
        assert_eq!(
            fit(&"患".repeat(21), Some(40)),
            format!("{}\n  | 患患", "患".repeat(19))
        );
        assert_eq!(fit("short\nlines", Some(40)), "short\nlines");
        assert_eq!(fit(&padded, None), padded);
    }

    #[test]
    fn a_block_of_many_lines_is_cut_with_a_note() {
        let text = "x\n".repeat(MAX_BLOCK_LINES + 9);
        let shown = block(&text);
        assert_eq!(shown.split('\n').count(), MAX_BLOCK_LINES + 1);
        // 49 lines of "x" and the empty one after the last newline.
        assert!(
            shown.ends_with("  | [... 10 more lines not shown on the terminal]"),
            "{shown}"
        );
    }
}
