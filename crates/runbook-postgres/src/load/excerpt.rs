//! The source line under an error, with the caret column, from the statement text.

use crate::errors::Excerpt;
use runbook_sql::Statement;

/// The line of `statement` holding its `char_position`-th character (1-based, as the server
/// counts), numbered as in the file. `None` when the position is outside the text.
pub(crate) fn excerpt(statement: &Statement, char_position: u32) -> Option<Excerpt> {
    let index = usize::try_from(char_position).ok()?.checked_sub(1)?;
    let text = &statement.text;
    let (byte, _) = text.char_indices().nth(index)?;
    let line_start = text[..byte].rfind('\n').map_or(0, |at| at + 1);
    let line_end = text[byte..].find('\n').map_or(text.len(), |at| byte + at);
    let line_text = text[line_start..line_end].trim_end_matches('\r');
    let caret = text[line_start..byte].chars().count();
    let position = statement.position_of_char(char_position);
    Some(Excerpt {
        line: position.line,
        text: line_text.to_owned(),
        caret,
    })
}
