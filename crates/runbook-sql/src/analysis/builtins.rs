//! What PostgreSQL itself provides and is known not to destroy data, for analysis without a
//! server. Anything not listed is treated as able to do anything.

use std::collections::HashSet;
use std::sync::OnceLock;

/// pg_catalog functions none of whose overloads is VOLATILE (generated from a real server by
/// `scripts/gen-builtin-functions`).
const STABLE: &str = include_str!("data/stable_builtins.txt");

/// VOLATILE built-ins whose only effects are on the session, the clock or the random number
/// generator, or which only read: they cannot change data, locks held by others or files.
pub(crate) const HARMLESS_VOLATILE: &[&str] = &[
    "clock_timestamp",
    "timeofday",
    "random",
    "random_normal",
    "setseed",
    "gen_random_uuid",
    "pg_sleep",
    "pg_sleep_for",
    "pg_sleep_until",
    "currval",
    "lastval",
    "pg_sequence_last_value",
    "pg_current_wal_lsn",
    "pg_current_wal_insert_lsn",
    "pg_current_wal_flush_lsn",
    "pg_last_wal_receive_lsn",
    "pg_last_wal_replay_lsn",
    "pg_last_xact_replay_timestamp",
    "pg_is_in_recovery",
    "pg_is_wal_replay_paused",
    "pg_get_wal_replay_pause_state",
    "pg_database_size",
    "pg_relation_size",
    "pg_table_size",
    "pg_indexes_size",
    "pg_total_relation_size",
    "pg_tablespace_size",
    "pg_blocking_pids",
    "pg_safe_snapshot_blocking_pids",
    "pg_lock_status",
    "pg_partition_tree",
    "pg_partition_ancestors",
    "pg_control_checkpoint",
    "pg_control_init",
    "pg_control_recovery",
    "pg_control_system",
    "pg_xact_status",
    "txid_status",
    "pg_xact_commit_timestamp",
    "pg_xact_commit_timestamp_origin",
    "pg_last_committed_xact",
    "pg_jit_available",
    "pg_notification_queue_usage",
    "pg_stat_clear_snapshot",
    "pg_stat_have_stats",
    "pg_stat_get_xact_blocks_fetched",
    "pg_stat_get_xact_blocks_hit",
    "pg_stat_get_xact_function_calls",
    "pg_stat_get_xact_function_self_time",
    "pg_stat_get_xact_function_total_time",
    "pg_stat_get_xact_numscans",
    "pg_stat_get_xact_tuples_deleted",
    "pg_stat_get_xact_tuples_fetched",
    "pg_stat_get_xact_tuples_hot_updated",
    "pg_stat_get_xact_tuples_inserted",
    "pg_stat_get_xact_tuples_returned",
    "pg_stat_get_xact_tuples_updated",
    "current_query",
    "bernoulli",
    "system",
];

/// Operator symbols of pg_catalog. An operator outside this list is user-defined, and its
/// function may do anything.
const OPERATORS: &str = "!! !~ !~* !~~ !~~* # ## #- #> #>> % & && &< &<| &> * *< *<= *<> *= *> *>= \
    + - -> ->> -|- / < <-> << <<= <<| <= <> <@ <^ = > >= >> >>= >^ ? ?# ?& ?- ?-| ?| ?|| @ @-@ \
    @> @? @@ @@@ ^ ^@ | |&> |/ |>> || ||/ ~ ~* ~<=~ ~<~ ~= ~>=~ ~>~ ~~ ~~* !=";

fn stable() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        STABLE
            .split('\n')
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// Whether `name` (unqualified, as the parser folded it) is a built-in function that cannot
/// write: stable or immutable in every overload, or a known-harmless volatile one.
pub(crate) fn is_harmless_function(name: &str) -> bool {
    stable().contains(name) || HARMLESS_VOLATILE.contains(&name)
}

/// Whether a function name list refers to pg_catalog (unqualified, or qualified with it).
pub(crate) fn builtin_name(names: &[String]) -> Option<&str> {
    match names {
        [name] => Some(name),
        [schema, name] if schema == "pg_catalog" => Some(name),
        _ => None,
    }
}

/// Whether an operator name list is a built-in operator symbol.
pub(crate) fn is_builtin_operator(names: &[String]) -> bool {
    builtin_name(names).is_some_and(|op| OPERATORS.split_whitespace().any(|o| o == op))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_list_has_stable_functions_and_no_volatile_ones() {
        assert!(is_harmless_function("lower"));
        assert!(is_harmless_function("count"));
        assert!(is_harmless_function("now"));
        for volatile in [
            "setval",
            "nextval",
            "set_config",
            "pg_advisory_lock",
            "lo_export",
            "pg_terminate_backend",
            "query_to_xml",
            "dblink_exec",
        ] {
            assert!(!is_harmless_function(volatile), "{volatile}");
        }
    }
}
