//! Whether a statement can run inside a transaction block someone else owns.
//!
//! A migration and its history row commit together only when every statement of the migration
//! can run inside one transaction. Some cannot: the server refuses them in a transaction block
//! (`PreventInTransactionBlock` in PostgreSQL's source: `CREATE INDEX CONCURRENTLY`, `VACUUM`,
//! `CREATE DATABASE`, ...), and transaction control in the script would end the migrator's
//! transaction early. Both are told from the parse tree, so a `CONCURRENTLY` in a comment or a
//! string changes nothing, and a statement the parser cannot read is reported as such rather than
//! guessed at.

use pg_query::NodeEnum;
use pg_query::protobuf::{DiscardMode, Node, ReindexObjectType, TransactionStmtKind, a_const::Val};

use super::tree;

/// What a statement needs of the transaction it runs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransactionNeed {
    /// Runs inside a transaction block like any other statement.
    Any,
    /// Begins, ends or prepares a transaction (`BEGIN`, `COMMIT`, `ROLLBACK`, `END`,
    /// `PREPARE TRANSACTION`, `COMMIT PREPARED`): it would end a transaction its caller owns.
    /// Savepoints are not among them. The text names the statement.
    ControlsTransaction(String),
    /// The server refuses it inside a transaction block; the text names it, e.g.
    /// "CREATE INDEX CONCURRENTLY".
    OutsideTransaction(String),
    /// The parser cannot read it; the text is the parser's message.
    Unparsed(String),
}

/// What `sql` (one statement as the script reader split it, or several joined with `\;`) needs.
/// `server_version_num` is the server's `server_version_num` (150004): `ALTER TYPE ... ADD VALUE`
/// cannot run in a transaction block before PostgreSQL 12. The first statement that needs more
/// than [`TransactionNeed::Any`] decides.
pub fn transaction_needs(
    sql: &str,
    standard_conforming_strings: bool,
    server_version_num: u32,
) -> TransactionNeed {
    let statements = match tree::parse_nodes(sql, standard_conforming_strings) {
        Ok(statements) => statements,
        Err(message) => return TransactionNeed::Unparsed(message),
    };
    statements
        .iter()
        .map(|node| need(node.as_ref(), server_version_num))
        .find(|need| *need != TransactionNeed::Any)
        .unwrap_or(TransactionNeed::Any)
}

fn need(node: Option<&NodeEnum>, server_version_num: u32) -> TransactionNeed {
    let outside = |what: &str| TransactionNeed::OutsideTransaction(what.to_owned());
    let Some(node) = node else {
        return TransactionNeed::Any;
    };
    match node {
        NodeEnum::TransactionStmt(stmt) => match TransactionStmtKind::try_from(stmt.kind) {
            Ok(
                TransactionStmtKind::TransStmtSavepoint
                | TransactionStmtKind::TransStmtRelease
                | TransactionStmtKind::TransStmtRollbackTo,
            ) => TransactionNeed::Any,
            Ok(kind) => TransactionNeed::ControlsTransaction(transaction_word(kind).to_owned()),
            Err(_) => TransactionNeed::ControlsTransaction("transaction control".to_owned()),
        },
        NodeEnum::IndexStmt(stmt) if stmt.concurrent => outside("CREATE INDEX CONCURRENTLY"),
        NodeEnum::DropStmt(stmt) if stmt.concurrent => outside("DROP INDEX CONCURRENTLY"),
        NodeEnum::ReindexStmt(stmt) => {
            let concurrently = stmt
                .params
                .iter()
                .any(|p| def_elem_is_true(p, "concurrently"));
            match ReindexObjectType::try_from(stmt.kind) {
                _ if concurrently => outside("REINDEX CONCURRENTLY"),
                Ok(ReindexObjectType::ReindexObjectSchema) => outside("REINDEX SCHEMA"),
                Ok(ReindexObjectType::ReindexObjectSystem) => outside("REINDEX SYSTEM"),
                Ok(ReindexObjectType::ReindexObjectDatabase) => outside("REINDEX DATABASE"),
                _ => TransactionNeed::Any,
            }
        }
        NodeEnum::VacuumStmt(stmt) if stmt.is_vacuumcmd => outside("VACUUM"),
        NodeEnum::ClusterStmt(stmt) if stmt.relation.is_none() => outside("CLUSTER of every table"),
        NodeEnum::CreatedbStmt(_) => outside("CREATE DATABASE"),
        NodeEnum::DropdbStmt(_) => outside("DROP DATABASE"),
        NodeEnum::AlterDatabaseStmt(stmt)
            if stmt.options.iter().any(|o| def_elem_named(o, "tablespace")) =>
        {
            outside("ALTER DATABASE ... SET TABLESPACE")
        }
        NodeEnum::CreateTableSpaceStmt(_) => outside("CREATE TABLESPACE"),
        NodeEnum::DropTableSpaceStmt(_) => outside("DROP TABLESPACE"),
        NodeEnum::AlterSystemStmt(_) => outside("ALTER SYSTEM"),
        // create_slot defaults to true, and a slot cannot be made in a transaction block.
        NodeEnum::CreateSubscriptionStmt(_) => outside("CREATE SUBSCRIPTION"),
        NodeEnum::DropSubscriptionStmt(_) => outside("DROP SUBSCRIPTION"),
        NodeEnum::DiscardStmt(stmt) if stmt.target == DiscardMode::DiscardAll as i32 => {
            outside("DISCARD ALL")
        }
        NodeEnum::AlterEnumStmt(stmt) if !stmt.new_val.is_empty() && stmt.old_val.is_empty() => {
            if server_version_num < 120_000 {
                outside("ALTER TYPE ... ADD VALUE (before PostgreSQL 12)")
            } else {
                TransactionNeed::Any
            }
        }
        _ => TransactionNeed::Any,
    }
}

fn transaction_word(kind: TransactionStmtKind) -> &'static str {
    match kind {
        TransactionStmtKind::TransStmtBegin => "BEGIN",
        TransactionStmtKind::TransStmtStart => "START TRANSACTION",
        TransactionStmtKind::TransStmtCommit => "COMMIT",
        TransactionStmtKind::TransStmtRollback => "ROLLBACK",
        TransactionStmtKind::TransStmtPrepare => "PREPARE TRANSACTION",
        TransactionStmtKind::TransStmtCommitPrepared => "COMMIT PREPARED",
        TransactionStmtKind::TransStmtRollbackPrepared => "ROLLBACK PREPARED",
        TransactionStmtKind::TransStmtSavepoint
        | TransactionStmtKind::TransStmtRelease
        | TransactionStmtKind::TransStmtRollbackTo
        | TransactionStmtKind::Undefined => "transaction control",
    }
}

fn def_elem_named(node: &Node, name: &str) -> bool {
    matches!(&node.node, Some(NodeEnum::DefElem(d)) if d.defname.eq_ignore_ascii_case(name))
}

/// `(CONCURRENTLY)`, `(CONCURRENTLY true)`, `(CONCURRENTLY on)`: true; `(CONCURRENTLY false)`
/// and `(CONCURRENTLY 0)`: false. A value that is not a recognisable boolean counts as true, so
/// the statement is kept out of a transaction where the server would have refused it.
fn def_elem_is_true(node: &Node, name: &str) -> bool {
    let Some(NodeEnum::DefElem(d)) = &node.node else {
        return false;
    };
    if !d.defname.eq_ignore_ascii_case(name) {
        return false;
    }
    let value = d.arg.as_ref().and_then(|a| a.node.as_ref());
    let text = match value {
        None => return true,
        Some(NodeEnum::String(s)) => s.sval.clone(),
        Some(NodeEnum::Boolean(b)) => return b.boolval,
        Some(NodeEnum::Integer(i)) => return i.ival != 0,
        Some(NodeEnum::AConst(c)) => match &c.val {
            Some(Val::Ival(i)) => return i.ival != 0,
            Some(Val::Boolval(b)) => return b.boolval,
            Some(Val::Sval(s)) => s.sval.clone(),
            _ => return true,
        },
        _ => return true,
    };
    super::settings::parse_bool(&text).unwrap_or(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need(sql: &str) -> TransactionNeed {
        transaction_needs(sql, true, 150_000)
    }

    fn outside(sql: &str) -> bool {
        matches!(need(sql), TransactionNeed::OutsideTransaction(_))
    }

    #[test]
    fn statements_the_server_refuses_in_a_block_are_found_from_the_tree() {
        for sql in [
            "CREATE INDEX CONCURRENTLY i ON t (a)",
            "create unique index concurrently if not exists i on s.t using btree (a)",
            "DROP INDEX CONCURRENTLY IF EXISTS i",
            "REINDEX (CONCURRENTLY) TABLE t",
            "REINDEX TABLE CONCURRENTLY t",
            "REINDEX SCHEMA s",
            "REINDEX DATABASE d",
            "VACUUM",
            "VACUUM (ANALYZE) t",
            "vacuum full t",
            "CLUSTER",
            "CREATE DATABASE d",
            "DROP DATABASE IF EXISTS d",
            "ALTER DATABASE d SET TABLESPACE x",
            "CREATE TABLESPACE x LOCATION '/x'",
            "DROP TABLESPACE x",
            "ALTER SYSTEM SET work_mem = '1MB'",
            "DISCARD ALL",
            "CREATE SUBSCRIPTION s CONNECTION 'host=x' PUBLICATION p",
            "DROP SUBSCRIPTION s",
        ] {
            assert!(outside(sql), "{sql}: {:?}", need(sql));
        }
    }

    #[test]
    fn look_alikes_run_in_a_transaction() {
        for sql in [
            "CREATE INDEX i ON t (\"concurrently\")",
            "SELECT 'CREATE INDEX CONCURRENTLY'",
            "-- VACUUM\nSELECT 1",
            "ANALYZE t",
            "CLUSTER t USING i",
            "REINDEX TABLE t",
            "REINDEX (CONCURRENTLY false) TABLE t",
            "DISCARD TEMP",
            "ALTER DATABASE d SET work_mem = '1MB'",
            "ALTER TYPE e ADD VALUE 'x'",
            "ALTER TYPE e RENAME VALUE 'a' TO 'b'",
            "SAVEPOINT a",
            "RELEASE SAVEPOINT a",
            "ROLLBACK TO SAVEPOINT a",
            "DO $$ BEGIN COMMIT; END $$",
            "",
        ] {
            assert_eq!(need(sql), TransactionNeed::Any, "{sql}");
        }
    }

    #[test]
    fn add_value_is_outside_before_postgres_12() {
        assert!(matches!(
            transaction_needs("ALTER TYPE e ADD VALUE IF NOT EXISTS 'x'", true, 110_000),
            TransactionNeed::OutsideTransaction(what) if what.contains("ADD VALUE")
        ));
    }

    #[test]
    fn transaction_control_is_named() {
        for (sql, word) in [
            ("BEGIN", "BEGIN"),
            ("begin transaction isolation level serializable", "BEGIN"),
            ("START TRANSACTION", "START TRANSACTION"),
            ("COMMIT", "COMMIT"),
            ("END", "COMMIT"),
            ("ROLLBACK", "ROLLBACK"),
            ("ABORT", "ROLLBACK"),
            ("PREPARE TRANSACTION 'x'", "PREPARE TRANSACTION"),
            ("COMMIT PREPARED 'x'", "COMMIT PREPARED"),
        ] {
            assert_eq!(
                need(sql),
                TransactionNeed::ControlsTransaction(word.to_owned()),
                "{sql}"
            );
        }
    }

    #[test]
    fn joined_statements_are_judged_together_and_errors_are_reported() {
        assert!(outside("SELECT 1\\; VACUUM".replace("\\;", ";").as_str()));
        assert!(matches!(
            need("CREATE TABLE ("),
            TransactionNeed::Unparsed(_)
        ));
    }
}
