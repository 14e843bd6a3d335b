//! What a migrate step leaves in its evidence: the history table's rows before and after (as a
//! table a reviewer reads and as JSON a program reads), and one record per migration.

use runbook_migrate::{Checksum, Entry, HistoryChange, HistoryRow, Migration, Resolved};
use serde_json::{Value, json};

/// The rows laid out as psql prints a table (`installed_rank | version | ...`), or a line
/// saying there is no table.
pub(crate) fn history_text(table: &str, rows: Option<&[HistoryRow]>) -> String {
    let Some(rows) = rows else {
        return format!("{table}: no history table\n");
    };
    let prisma = rows.iter().any(|r| r.prisma.is_some());
    let header: Vec<&str> = if prisma {
        vec![
            "migration_name",
            "checksum",
            "started_at",
            "finished_at",
            "rolled_back_at",
            "applied_steps_count",
            "logs",
        ]
    } else {
        vec![
            "installed_rank",
            "version",
            "description",
            "type",
            "script",
            "checksum",
            "installed_by",
            "installed_on",
            "execution_time",
            "success",
        ]
    };
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| match &r.prisma {
            Some(p) if prisma => vec![
                r.script.clone(),
                p.checksum.clone(),
                p.started_at.clone(),
                p.finished_at.clone().unwrap_or_default(),
                p.rolled_back_at.clone().unwrap_or_default(),
                p.applied_steps_count.to_string(),
                p.logs
                    .as_deref()
                    .map(first_line)
                    .unwrap_or_default()
                    .to_owned(),
            ],
            _ => vec![
                r.rank.to_string(),
                r.version.clone().unwrap_or_default(),
                r.description.clone(),
                r.kind.clone(),
                r.script.clone(),
                r.checksum
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                r.installed_by.clone().unwrap_or_default(),
                r.installed_on.clone().unwrap_or_default(),
                r.execution_time_ms
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
                if r.success { "t" } else { "f" }.to_owned(),
            ],
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}", w = *w))
            .collect();
        format!(" {}", parts.join(" | ")).trim_end().to_owned()
    };
    let mut out = format!("{table}\n");
    out.push_str(&line(
        &header.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>(),
    ));
    out.push('\n');
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(w + 2)).collect();
    out.push_str(&rule.join("+"));
    out.push('\n');
    for row in &cells {
        out.push_str(&line(row));
        out.push('\n');
    }
    out.push_str(&format!(
        "({} row{})\n",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    ));
    out
}

fn first_line(text: &str) -> &str {
    text.split('\n').next().unwrap_or_default()
}

/// The rows as JSON (`null` when there is no table).
pub(crate) fn history_json(table: &str, rows: Option<&[HistoryRow]>) -> Value {
    let rows = rows.map(|rows| rows.iter().map(row_json).collect::<Vec<_>>());
    json!({ "table": table, "exists": rows.is_some(), "rows": rows })
}

pub(crate) fn row_json(r: &HistoryRow) -> Value {
    let mut value = json!({
        "installed_rank": r.rank,
        "version": r.version,
        "description": r.description,
        "type": r.kind,
        "script": r.script,
        "checksum": r.checksum.as_ref().map(checksum_json),
        "installed_by": r.installed_by,
        "installed_on": r.installed_on,
        "execution_time": r.execution_time_ms,
        "success": r.success,
    });
    if let Some(p) = &r.prisma {
        value["prisma"] = json!({
            "id": p.id,
            "checksum": p.checksum,
            "started_at": p.started_at,
            "finished_at": p.finished_at,
            "rolled_back_at": p.rolled_back_at,
            "applied_steps_count": p.applied_steps_count,
            "logs": p.logs,
        });
    }
    value
}

/// A checksum as the history stores it: a number for Flyway's CRC32, text for Prisma's sha256.
pub(crate) fn checksum_json(c: &Checksum) -> Value {
    match c {
        Checksum::Crc32(n) => json!(n),
        Checksum::Sha256(s) => json!(s),
    }
}

/// One migration's record in `migrations.json`; what the run did to it is added by the caller.
pub(crate) fn migration_json(m: &Migration, state: &str) -> Value {
    json!({
        "file": m.path.display().to_string(),
        "script": m.script,
        "version": m.version.as_ref().map(|v| v.as_str().to_owned()),
        "description": m.description,
        "checksum": checksum_json(&m.checksum),
        "sha256": m.sha256,
        "size": m.size,
        "state": state,
    })
}

/// A plan entry as one log line: `applied   V0002 performance indexes (V0002__x.sql, checksum
/// 123)`, with the recorded checksum when it differs.
pub(crate) fn entry_line(entry: &Entry, resolved: &Resolved) -> String {
    let name = match (&entry.version, entry.description.is_empty()) {
        (Some(v), false) => format!("{v} {}", entry.description),
        (Some(v), true) => v.clone(),
        (None, _) => entry.description.clone(),
    };
    let file = entry
        .migration
        .and_then(|i| resolved.migrations.get(i))
        .map_or_else(|| entry.script.clone(), |m| m.script.clone());
    // A Prisma migration's name is its folder's: said once.
    let mut facts = if file == name { Vec::new() } else { vec![file] };
    match (&entry.checksum, &entry.applied_checksum) {
        (Some(file), Some(applied)) if file != applied => {
            facts.push(format!("checksum {file}, recorded {applied}"));
        }
        (Some(c), _) | (None, Some(c)) => facts.push(format!("checksum {c}")),
        (None, None) => {}
    }
    let mut line = format!("{:<16} {name}", entry.state.as_str());
    if !facts.is_empty() {
        line.push_str(&format!(" ({})", facts.join(", ")));
    }
    if let Some(note) = &entry.note {
        line.push_str(&format!(": {note}"));
    }
    line
}

/// What a history change would do, for check mode (the run logs what runbook-postgres did).
pub(crate) fn change_line(change: &HistoryChange, resolved: &Resolved) -> String {
    let show = |c: &Option<Checksum>| {
        c.as_ref()
            .map_or_else(|| "none".to_owned(), ToString::to_string)
    };
    match change {
        HistoryChange::DeleteFailed { rank, script } => {
            format!("would remove the failed row {rank} ({script})")
        }
        HistoryChange::MarkDeleted { row } => format!(
            "would mark {} as deleted (its file is gone): a DELETE row at rank {}",
            row.script, row.rank
        ),
        HistoryChange::Realign {
            rank,
            script,
            checksum,
            description,
        } => {
            let mut what = format!(
                "would realign row {rank} ({script}): checksum {} -> {}",
                show(&checksum.0),
                checksum.1
            );
            if let Some((old, new)) = description {
                what.push_str(&format!(", description \"{old}\" -> \"{new}\""));
            }
            what
        }
        HistoryChange::MarkApplied { migration } => format!(
            "would record {} as applied without running it",
            resolved
                .migrations
                .get(*migration)
                .map_or("?", |m| m.script.as_str())
        ),
        HistoryChange::MarkRolledBack { prisma_id, name } => {
            format!("would mark {name} (row id {prisma_id}) as rolled back")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(rank: i64, version: &str, script: &str, checksum: Option<i32>) -> HistoryRow {
        HistoryRow {
            rank,
            version: Some(version.to_owned()),
            description: script.to_owned(),
            kind: "SQL".to_owned(),
            script: script.to_owned(),
            checksum: checksum.map(Checksum::Crc32),
            installed_by: Some("ops".to_owned()),
            installed_on: Some("2026-12-02 10:00:00".to_owned()),
            execution_time_ms: Some(12),
            success: true,
            prisma: None,
        }
    }

    #[test]
    fn history_table_lists_every_row_under_flyways_column_names() {
        let rows = [
            row(1, "0", "<< Flyway Baseline >>", None),
            row(
                2,
                "0002",
                "V0002__performance_indexes.sql",
                Some(-722651034),
            ),
        ];
        let text = history_text("opendolphin.flyway_schema_history", Some(&rows));
        let lines: Vec<&str> = text.split('\n').collect();
        assert_eq!(lines[0], "opendolphin.flyway_schema_history");
        assert!(lines[1].starts_with(" installed_rank | version"), "{text}");
        assert!(
            text.contains("V0002__performance_indexes.sql | -722651034"),
            "{text}"
        );
        assert!(text.contains("(2 rows)"), "{text}");
        let json = history_json("t", Some(&rows));
        assert_eq!(json["rows"][1]["checksum"], -722651034);
        assert_eq!(json["rows"][0]["checksum"], Value::Null);
        assert_eq!(history_json("t", None)["exists"], false);
        assert!(history_text("t", None).contains("no history table"));
    }
}
