//! The rows a script's statement returned, kept within a budget and printed as psql prints
//! them (its default aligned format), so that the evidence shows what an operator pasting
//! psql's output would have shown.
//!
//! Memory stays bounded whatever the server sends: the driver holds one row at a time; of a
//! result set, the first `show_rows` rows are kept, each value cut at [`MAX_CELL_BYTES`], and
//! rows stop being kept once the statement's kept text or its printed table would pass
//! [`MAX_TABLE_BYTES`]. Rows beyond are counted, not kept, and the table says how many.
//!
//! The printing follows psql 15's `print_aligned_text` (src/fe_utils/print.c) with its defaults
//! (`\pset format aligned`, `border 1`, `linestyle ascii`, `null ''`, no `numericlocale`), and
//! `pg_wcsformat` for the cells: a header centred over each column, a `-+-` rule, values
//! right-aligned for the numeric types psql right-aligns, a line break inside a value continued
//! on the next line with `+` at the right, `\r` and control characters shown escaped, tabs
//! expanded, display widths of wide (East Asian) and combining characters, and the `(N rows)`
//! footer. psql's blank line after the footer is left out.

use unicode_width::UnicodeWidthChar;

/// A value longer than this (in bytes) is cut at a character boundary, with a note of how much
/// was left out.
pub const MAX_CELL_BYTES: usize = 4096;
/// How much of one statement's results is kept, and about how large its printed tables may be
/// (bytes of values kept; printed width times lines). Rows past it are counted, not kept.
pub const MAX_TABLE_BYTES: usize = 1 << 20;
/// How many rows of each result set are kept by default (`show_rows`).
pub const DEFAULT_SHOW_ROWS: usize = 100;

/// Type OIDs psql right-aligns (`column_type_alignment` in psql's common.c): int2, int4, int8,
/// float4, float8, numeric, oid, xid, xid8, cid, money.
const RIGHT_ALIGNED_TYPES: [u32; 11] = [21, 23, 20, 700, 701, 1700, 26, 28, 5069, 29, 790];

/// One column of a result set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultColumn {
    pub name: String,
    /// The column's type, when the statement could be described (see the executor); without
    /// it the column is left-aligned.
    pub type_oid: Option<u32>,
}

impl ResultColumn {
    fn right_aligned(&self) -> bool {
        self.type_oid
            .is_some_and(|oid| RIGHT_ALIGNED_TYPES.contains(&oid))
    }
}

/// One result set of a statement: its columns, the rows kept and how many there were.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResultTable {
    pub columns: Vec<ResultColumn>,
    /// The first rows (values as PostgreSQL's text output, `None` for NULL), each value cut at
    /// [`MAX_CELL_BYTES`].
    pub rows: Vec<Vec<Option<String>>>,
    /// Every row the server sent.
    pub total_rows: u64,
}

impl ResultTable {
    /// The table as psql prints it, line by line (no trailing blank line). When rows were not
    /// kept, the footer says how many: `... 4,900 more rows not shown (5,000 rows)`.
    pub fn psql_lines(&self) -> Vec<String> {
        let header: Vec<Vec<Piece>> = self.columns.iter().map(|c| pieces(&c.name)).collect();
        let cells: Vec<Vec<Vec<Piece>>> = self
            .rows
            .iter()
            .map(|row| {
                (0..self.columns.len())
                    .map(|j| pieces(row.get(j).and_then(Option::as_deref).unwrap_or("")))
                    .collect()
            })
            .collect();
        let mut widths: Vec<usize> = header.iter().map(|lines| max_width(lines)).collect();
        for row in &cells {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(max_width(cell));
            }
        }
        let right: Vec<bool> = self
            .columns
            .iter()
            .map(ResultColumn::right_aligned)
            .collect();
        let mut out = Vec::new();
        header_lines(&header, &widths, &mut out);
        out.push(rule(&widths));
        for row in &cells {
            row_lines(row, &widths, &right, &mut out);
        }
        let kept = self.rows.len() as u64;
        if kept < self.total_rows {
            out.push(format!(
                "... {} more row{} not shown ({} rows)",
                group(self.total_rows - kept),
                if self.total_rows - kept == 1 { "" } else { "s" },
                group(self.total_rows)
            ));
        } else if self.total_rows == 1 {
            out.push("(1 row)".to_owned());
        } else {
            out.push(format!("({} rows)", self.total_rows));
        }
        out
    }
}

impl ResultTable {
    /// Whether the columns' types could change how the table is printed: some value is
    /// narrower than its column (with no rows, or every value as wide as its column, left and
    /// right alignment print the same). Describing the types costs round trips.
    pub fn alignment_matters(&self) -> bool {
        let mut widths: Vec<usize> = self
            .columns
            .iter()
            .map(|c| max_width(&pieces(&c.name)))
            .collect();
        let mut narrowest = vec![usize::MAX; widths.len()];
        for row in &self.rows {
            for (j, value) in row.iter().enumerate().take(widths.len()) {
                for piece in pieces(value.as_deref().unwrap_or("")) {
                    widths[j] = widths[j].max(piece.width);
                    narrowest[j] = narrowest[j].min(piece.width);
                }
            }
        }
        widths.iter().zip(&narrowest).any(|(w, n)| n < w)
    }
}

/// One display line of a value: its text as psql shows it and its width in columns.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece {
    text: String,
    width: usize,
}

/// `pg_wcsformat`: a value split at line breaks, with `\r` as `\r`, tabs expanded to the next
/// multiple of 8, other control characters as `\xHH` (C0, DEL) or `\uHHHH` (C1).
fn pieces(value: &str) -> Vec<Piece> {
    let mut lines = Vec::new();
    let mut text = String::new();
    let mut width = 0;
    for c in value.chars() {
        match c {
            '\n' => lines.push(Piece {
                text: std::mem::take(&mut text),
                width: std::mem::take(&mut width),
            }),
            '\r' => {
                text.push_str("\\r");
                width += 2;
            }
            '\t' => loop {
                text.push(' ');
                width += 1;
                if width % 8 == 0 {
                    break;
                }
            },
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                text.push_str(&format!("\\x{:02X}", c as u32));
                width += 4;
            }
            c if (0x80..0xa0).contains(&(c as u32)) => {
                text.push_str(&format!("\\u{:04X}", c as u32));
                width += 6;
            }
            c => {
                text.push(c);
                width += display_width(c);
            }
        }
    }
    lines.push(Piece { text, width });
    lines
}

/// A character's width as psql 15 counts it (`ucs_wcwidth`): 0 for non-spacing and enclosing
/// marks (Mn, Me), 2 for East Asian wide and fullwidth characters, 1 for the rest. Unicode's
/// own widths (the `unicode-width` crate) differ in two places psql does not follow: format
/// characters (Cf: soft hyphen, zero-width space and joiner, bidi controls, BOM) and the
/// Hangul Jamo vowels and final consonants (U+1160..U+11FF) are 1 column there.
fn display_width(c: char) -> usize {
    if is_format_character(c) || ('\u{1160}'..='\u{11FF}').contains(&c) {
        return 1;
    }
    c.width().unwrap_or(0)
}

/// Unicode's format characters (general category Cf).
fn is_format_character(c: char) -> bool {
    matches!(
        c as u32,
        0xAD | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x890..=0x891
            | 0x8E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
}

fn max_width(lines: &[Piece]) -> usize {
    lines.iter().map(|l| l.width).max().unwrap_or(0)
}

fn spaces(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// The header: each name centred (the odd space on the right), `+` where a name goes on to
/// another line.
fn header_lines(header: &[Vec<Piece>], widths: &[usize], out: &mut Vec<String>) {
    let height = header.iter().map(Vec::len).max().unwrap_or(0);
    for k in 0..height {
        let mut line = String::new();
        for (i, (lines, &width)) in header.iter().zip(widths).enumerate() {
            line.push(' ');
            match lines.get(k) {
                Some(piece) => {
                    let free = width - piece.width;
                    spaces(&mut line, free / 2);
                    line.push_str(&piece.text);
                    spaces(&mut line, free.div_ceil(2));
                    line.push(if k + 1 < lines.len() { '+' } else { ' ' });
                }
                None => {
                    spaces(&mut line, width);
                    line.push(' ');
                }
            }
            if i + 1 < header.len() {
                line.push('|');
            }
        }
        out.push(line);
    }
}

fn rule(widths: &[usize]) -> String {
    let parts: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
    format!("-{}-", parts.join("-+-"))
}

/// One row: as many lines as its tallest value; the last column is not padded on the right
/// unless a `+` follows it.
fn row_lines(row: &[Vec<Piece>], widths: &[usize], right: &[bool], out: &mut Vec<String>) {
    let height = row.iter().map(Vec::len).max().unwrap_or(1);
    let last = row.len().saturating_sub(1);
    for k in 0..height {
        let mut line = String::new();
        for (j, lines) in row.iter().enumerate() {
            let width = widths[j];
            line.push(' ');
            match lines.get(k) {
                None => {
                    if j < last {
                        spaces(&mut line, width + 1);
                    }
                }
                Some(piece) => {
                    let more = k + 1 < lines.len();
                    if right[j] {
                        spaces(&mut line, width - piece.width);
                        line.push_str(&piece.text);
                    } else {
                        line.push_str(&piece.text);
                        if j < last || more {
                            spaces(&mut line, width - piece.width);
                        }
                    }
                    if more {
                        line.push('+');
                    } else if j < last {
                        line.push(' ');
                    }
                }
            }
            if j < last {
                line.push('|');
            }
        }
        out.push(line);
    }
}

/// 4900 → "4,900".
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Keeps a result set's first rows as they arrive, within the row count and the byte budget.
#[derive(Debug)]
pub(crate) struct TableBuilder {
    table: ResultTable,
    show_rows: usize,
    /// What the statement may still keep (shared by its result sets).
    budget: usize,
    /// Printed width and lines so far, for the printed-size budget.
    widths: Vec<usize>,
    lines: usize,
    /// A row was left out: later ones are only counted, so the kept rows are the first ones.
    full: bool,
}

impl TableBuilder {
    pub(crate) fn new(names: Vec<String>, show_rows: usize, budget: usize) -> TableBuilder {
        let columns: Vec<ResultColumn> = names
            .into_iter()
            .map(|name| ResultColumn {
                name,
                type_oid: None,
            })
            .collect();
        let header: Vec<Vec<Piece>> = columns.iter().map(|c| pieces(&c.name)).collect();
        let widths = header.iter().map(|l| max_width(l)).collect();
        let lines = header.iter().map(Vec::len).max().unwrap_or(0) + 2;
        let header_bytes: usize = columns.iter().map(|c| c.name.len()).sum();
        TableBuilder {
            table: ResultTable {
                columns,
                ..ResultTable::default()
            },
            show_rows,
            budget: budget.saturating_sub(header_bytes),
            widths,
            lines,
            full: false,
        }
    }

    /// Counts a row and keeps it if it fits.
    pub(crate) fn push<'v>(&mut self, values: impl Iterator<Item = Option<&'v str>>) {
        self.table.total_rows += 1;
        if self.full || self.table.rows.len() >= self.show_rows {
            self.full = true;
            return;
        }
        let row: Vec<Option<String>> = values.map(|v| v.map(cut)).collect();
        let bytes: usize = row.iter().map(|v| v.as_ref().map_or(0, String::len)).sum();
        let mut widths = self.widths.clone();
        let mut height = 1;
        for (width, value) in widths.iter_mut().zip(&row) {
            let lines = pieces(value.as_deref().unwrap_or(""));
            *width = (*width).max(max_width(&lines));
            height = height.max(lines.len());
        }
        let line_width: usize = widths.iter().map(|w| w + 3).sum();
        let printed = (self.lines + height).saturating_mul(line_width);
        if bytes > self.budget || printed > MAX_TABLE_BYTES {
            self.full = true;
            return;
        }
        self.budget -= bytes;
        self.widths = widths;
        self.lines += height;
        self.table.rows.push(row);
    }

    /// What the statement may still keep after this result set.
    pub(crate) fn remaining_budget(&self) -> usize {
        self.budget
    }

    pub(crate) fn finish(self) -> ResultTable {
        self.table
    }
}

/// A kept value split into what was kept of it and the note of how much was left out, when it
/// was cut at [`MAX_CELL_BYTES`]: whoever masks secrets masks a secret cut in two at the end of
/// the first part.
pub fn split_cut_value(value: &str) -> (&str, Option<&str>) {
    if value.len() > MAX_CELL_BYTES
        && value.ends_with(" more bytes not kept]")
        && let Some(at) = value.rfind("[... ")
    {
        return (&value[..at], Some(&value[at..]));
    }
    (value, None)
}

/// A value cut at [`MAX_CELL_BYTES`] (on a character boundary), saying how much was left out.
fn cut(value: &str) -> String {
    if value.len() <= MAX_CELL_BYTES {
        return value.to_owned();
    }
    let mut end = MAX_CELL_BYTES;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}[... {} more bytes not kept]",
        &value[..end],
        value.len() - end
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(columns: &[(&str, Option<u32>)], rows: &[&[Option<&str>]]) -> ResultTable {
        ResultTable {
            columns: columns
                .iter()
                .map(|(name, oid)| ResultColumn {
                    name: (*name).to_owned(),
                    type_oid: *oid,
                })
                .collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|v| v.map(str::to_owned)).collect())
                .collect(),
            total_rows: rows.len() as u64,
        }
    }

    #[test]
    fn numbers_right_text_left_header_centred() {
        let t = table(
            &[("id", Some(23)), ("name", Some(25))],
            &[&[Some("1"), Some("ヤマダ")], &[Some("1000"), None]],
        );
        assert_eq!(
            t.psql_lines(),
            [
                "  id  |  name  ",
                "------+--------",
                "    1 | ヤマダ",
                " 1000 | ",
                "(2 rows)",
            ]
        );
    }

    #[test]
    fn alignment_matters_only_where_a_value_is_narrower_than_its_column() {
        let none = table(&[("n", None)], &[]);
        assert!(!none.alignment_matters());
        let full = table(&[("n", None)], &[&[Some("7")], &[Some("8")]]);
        assert!(!full.alignment_matters());
        let narrow = table(&[("setval", None)], &[&[Some("13")]]);
        assert!(narrow.alignment_matters());
    }

    #[test]
    fn line_breaks_continue_with_a_plus() {
        let t = table(
            &[("a", Some(25)), ("b", Some(25))],
            &[&[Some("x\ny"), Some("z")]],
        );
        assert_eq!(
            t.psql_lines(),
            [" a | b ", "---+---", " x+| z", " y | ", "(1 row)"]
        );
        let t = table(
            &[("a", Some(25)), ("b", Some(25))],
            &[&[Some("x"), Some("y\nz")]],
        );
        assert_eq!(
            t.psql_lines(),
            [" a | b ", "---+---", " x | y+", "   | z", "(1 row)"]
        );
    }

    #[test]
    fn rows_past_the_cap_are_counted() {
        let mut builder = TableBuilder::new(vec!["n".to_owned()], 2, MAX_TABLE_BYTES);
        for i in 0..5000 {
            builder.push(std::iter::once(Some(i.to_string().as_str())));
        }
        let t = builder.finish();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.total_rows, 5000);
        assert_eq!(
            t.psql_lines().last().map(String::as_str),
            Some("... 4,998 more rows not shown (5,000 rows)")
        );
    }

    #[test]
    fn long_values_are_cut_and_wide_tables_stop_at_the_budget() {
        assert_eq!(
            cut(&"é".repeat(3000)).len(),
            4096 + "[... 1904 more bytes not kept]".len()
        );
        let mut builder = TableBuilder::new(vec!["v".to_owned()], 10_000, MAX_TABLE_BYTES);
        for _ in 0..10_000 {
            builder.push(std::iter::once(Some("x".repeat(10_000).as_str())));
        }
        let t = builder.finish();
        assert_eq!(t.total_rows, 10_000);
        assert!(t.rows.len() < 300, "{}", t.rows.len());
        let printed: usize = t.psql_lines().iter().map(|l| l.len() + 1).sum();
        assert!(printed <= MAX_TABLE_BYTES + 100, "{printed}");
    }

    #[test]
    fn a_cut_value_splits_into_the_kept_part_and_the_note() {
        let long = "x".repeat(5000);
        let kept = cut(&long);
        let (head, note) = split_cut_value(&kept);
        assert_eq!(head.len(), MAX_CELL_BYTES);
        assert_eq!(note, Some("[... 904 more bytes not kept]"));
        assert_eq!(
            split_cut_value("short [... 3 more bytes not kept]"),
            ("short [... 3 more bytes not kept]", None)
        );
    }

    #[test]
    fn control_characters_are_escaped_as_psql_does() {
        let p = pieces("a\tb\rc\u{1}\u{85}");
        assert_eq!(p[0].text, "a       b\\rc\\x01\\u0085");
        assert_eq!(p[0].width, 8 + 1 + 2 + 1 + 4 + 6);
    }
}
