//! A readable rendering of what the reader yields, used by the `.expected` files.
//!
//! ```text
//! statement 1:1-1:10
//! | SELECT 1;
//! meta 2:1 Set { name: "v", value: "1" }
//! copy-data 15 bytes
//! | 1<TAB>a   (data shown as is; <TAB> stands for a tab here)
//! copy-end 5:1
//! error 6:1: unsupported psql meta-command \gset ...
//! ```
//! A `\r` is shown as `<CR>`; text lines are prefixed with `| `.

use std::fmt::Write;

use runbook_sql::{CopyDirection, Item, ReaderOptions, ScriptReader};

/// Renders every item of `input`, errors included, until the end of the input.
pub fn render(input: &[u8], options: ReaderOptions) -> String {
    let mut out = String::new();
    let mut reader = ScriptReader::with_options(input, options);
    // A generous bound, so that a reader bug that loops shows up as a failure.
    for _ in 0..100_000 {
        match reader.next_item() {
            Ok(None) => return out,
            Ok(Some(item)) => render_item(&mut out, &item),
            Err(e) => {
                let _ = writeln!(out, "error {}: {}", e.position, e.kind);
                if e.is_fatal() {
                    let _ = writeln!(out, "(fatal)");
                }
            }
        }
    }
    out.push_str("(too many items)\n");
    out
}

fn render_item(out: &mut String, item: &Item) {
    match item {
        Item::Statement(s) => {
            let _ = write!(out, "statement {}-{}", s.start, s.end);
            match s.copy {
                Some(CopyDirection::FromStdin) => out.push_str(" copy=from-stdin"),
                Some(CopyDirection::ToStdout) => out.push_str(" copy=to-stdout"),
                None => {}
            }
            if !s.terminated {
                out.push_str(" ended-by-eof");
            }
            if s.interpolated {
                out.push_str(" interpolated");
            }
            out.push('\n');
            text_lines(out, &s.text);
        }
        Item::Meta(m) => {
            let _ = writeln!(out, "meta {} {:?}", m.position, m.command);
        }
        Item::CopyData(d) => {
            let _ = writeln!(out, "copy-data {} bytes", d.bytes.len());
            let text = String::from_utf8_lossy(&d.bytes);
            text_lines(out, text.strip_suffix('\n').unwrap_or(&text));
        }
        Item::CopyEnd(e) => {
            let _ = writeln!(
                out,
                "copy-end {}{}",
                e.position,
                if e.terminated { "" } else { " unterminated" }
            );
        }
    }
}

fn text_lines(out: &mut String, text: &str) {
    for line in text.split('\n') {
        let _ = writeln!(out, "| {}", line.replace('\r', "<CR>"));
    }
}
