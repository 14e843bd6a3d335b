//! Function calls whose effects escape a read-only transaction.
//!
//! Check mode runs gate queries inside `BEGIN READ ONLY ... ROLLBACK`, which stops writes to
//! tables but not everything a `SELECT` can do: terminate other sessions, reload the server's
//! configuration, write files on the server, take session locks that outlive the rollback, reset
//! statistics, or run arbitrary SQL elsewhere through dblink. A dry run must not do any of that,
//! so such queries are reported as not checkable instead of being sent.
//!
//! The scan looks for `name(` outside quotes and comments. It errs on the safe side: a column
//! that happens to share such a name and is followed by `(` only makes a check "not checked".

/// Functions (or, ending in `*`, prefixes of function names) with effects outside the
/// transaction, and what the effect is.
const DENIED: &[(&str, &str)] = &[
    ("pg_terminate_backend", "ends other sessions"),
    ("pg_cancel_backend", "cancels other sessions' queries"),
    ("pg_reload_conf", "reloads the server configuration"),
    ("pg_rotate_logfile", "rotates the server log"),
    ("pg_switch_wal", "switches the WAL file"),
    ("pg_create_restore_point", "writes a WAL restore point"),
    ("pg_promote", "promotes a standby"),
    ("pg_log_backend_memory_contexts", "writes to the server log"),
    (
        "pg_advisory_lock*",
        "takes a session lock that survives the rollback",
    ),
    (
        "pg_try_advisory_lock*",
        "takes a session lock that survives the rollback",
    ),
    (
        "pg_advisory_unlock*",
        "releases session locks other work relies on",
    ),
    ("lo_export", "writes a file on the server"),
    ("lo_import", "reads a server file into the database"),
    ("pg_file_write", "writes a file on the server"),
    ("pg_file_rename", "renames a file on the server"),
    ("pg_file_unlink", "deletes a file on the server"),
    ("pg_file_sync", "syncs a file on the server"),
    (
        "dblink*",
        "runs SQL in another session, outside this transaction",
    ),
    ("pg_stat_reset*", "resets statistics"),
    ("pg_stat_statements_reset", "resets statistics"),
    (
        "pg_create_physical_replication_slot",
        "creates a replication slot",
    ),
    (
        "pg_create_logical_replication_slot",
        "creates a replication slot",
    ),
    ("pg_drop_replication_slot", "drops a replication slot"),
    ("pg_replication_origin_*", "changes replication origins"),
    ("pg_replication_slot_advance", "advances a replication slot"),
];

/// The first call in `sql` with effects outside the transaction: the function and its effect.
pub(crate) fn escaping_call(sql: &str) -> Option<(String, &'static str)> {
    let code = code_only(sql);
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !is_word_start(bytes[i]) || (i > 0 && is_word_char(bytes[i - 1])) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_word_char(bytes[i]) {
            i += 1;
        }
        let word = code[start..i].to_ascii_lowercase();
        let mut j = i;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if bytes.get(j) == Some(&b'(')
            && let Some((_, effect)) =
                DENIED
                    .iter()
                    .find(|(name, _)| match name.strip_suffix('*') {
                        Some(prefix) => word.starts_with(prefix),
                        None => word == *name,
                    })
        {
            return Some((word, effect));
        }
    }
    None
}

fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_word_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// `sql` with string literals, quoted identifiers, dollar quotes and comments blanked, so only
/// code is searched. Lengths are kept; exactness does not matter beyond not matching text.
fn code_only(sql: &str) -> String {
    let bytes = sql.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        let skip_to = if rest.starts_with(b"--") {
            rest.iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |n| i + n)
        } else if rest.starts_with(b"/*") {
            find(rest, b"*/").map_or(bytes.len(), |n| i + n + 2)
        } else if rest[0] == b'\'' || rest[0] == b'"' {
            let quote = rest[0];
            let mut k = 1;
            while k < rest.len() {
                if rest[k] == quote {
                    if rest.get(k + 1) == Some(&quote) {
                        k += 2;
                        continue;
                    }
                    break;
                }
                k += 1;
            }
            i + (k + 1).min(rest.len())
        } else if rest[0] == b'$'
            && let Some(tag_len) = dollar_tag(rest)
        {
            let tag = &rest[..tag_len];
            find(&rest[tag_len..], tag).map_or(bytes.len(), |n| i + tag_len + n + tag_len)
        } else {
            out.push(bytes[i]);
            i += 1;
            continue;
        };
        out.extend(std::iter::repeat_n(b' ', skip_to - i));
        i = skip_to;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Length of a `$tag$` opening at the start of `rest`.
fn dollar_tag(rest: &[u8]) -> Option<usize> {
    let end = rest[1..].iter().position(|&b| b == b'$')? + 1;
    let tag = &rest[1..end];
    let valid = tag.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_')
        && tag.first().is_none_or(|b| !b.is_ascii_digit());
    valid.then_some(end + 1)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::escaping_call;

    #[test]
    fn finds_calls_that_escape_the_transaction() {
        for (sql, name) in [
            (
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity",
                "pg_terminate_backend",
            ),
            ("select PG_RELOAD_CONF ()", "pg_reload_conf"),
            ("SELECT pg_advisory_lock(1)", "pg_advisory_lock"),
            (
                "SELECT pg_try_advisory_lock_shared(1, 2)",
                "pg_try_advisory_lock_shared",
            ),
            ("SELECT lo_export(1, '/tmp/x')", "lo_export"),
            (
                "SELECT * FROM dblink_exec('host=x', 'DROP TABLE t')",
                "dblink_exec",
            ),
            ("SELECT pg_stat_reset()", "pg_stat_reset"),
        ] {
            assert_eq!(
                escaping_call(sql).map(|(n, _)| n),
                Some(name.to_owned()),
                "{sql}"
            );
        }
    }

    #[test]
    fn leaves_reads_and_transaction_scoped_calls_alone() {
        for sql in [
            "SELECT count(*) FROM d_users",
            "SELECT pg_advisory_xact_lock(1)",
            "SELECT 'pg_terminate_backend(1)' AS text",
            "SELECT \"pg_reload_conf\" FROM t",
            "SELECT 1 -- pg_reload_conf()\n",
            "SELECT /* lo_export(1, 'x') */ 1",
            "SELECT $q$ pg_terminate_backend(1) $q$",
            "SELECT my_pg_reload_conf(1)",
            "SELECT nextval('facility_num')",
        ] {
            assert_eq!(escaping_call(sql), None, "{sql}");
        }
    }
}
