//! Whether a migration can run in one transaction with its history row, decided before it runs.
//!
//! Flyway decides per script (`ParserSqlScript.executeInTransaction()`): a script holding any
//! statement PostgreSQL refuses inside a transaction block (`PostgreSQLParser.
//! detectCanExecuteInTransaction`: `CREATE/DROP INDEX CONCURRENTLY`, `VACUUM`, `CREATE DATABASE`,
//! `ALTER TYPE ... ADD VALUE` before 12, ...) runs without one, statement by statement in
//! autocommit. Runbook tells those statements from PostgreSQL's own parse tree
//! (`runbook_sql::analysis::transaction_needs`) rather than Flyway's keyword regexes, and reads
//! a script that manages its own transactions (`BEGIN` ... `COMMIT`) the same way: wrapping it
//! would end our transaction at its first `COMMIT`. Flyway's default `mixed = false` refuses a
//! script that mixes both kinds; Runbook runs it as Flyway's `mixed = true` does (the issue asks
//! for that) and says which statement made it so.

use std::io::Read;

use runbook_sql::analysis::{TransactionNeed, transaction_needs};
use runbook_sql::{Item, MetaCommand, ReaderOptions, ScriptReader};

/// How a migration runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransactionMode {
    /// In one transaction together with its history row: a failure leaves nothing behind.
    Transactional,
    /// Statement by statement in autocommit, because of `reason`.
    NonTransactional(NonTransactionalReason),
}

impl TransactionMode {
    pub fn is_transactional(&self) -> bool {
        matches!(self, TransactionMode::Transactional)
    }
}

/// The first statement that keeps a migration out of a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonTransactionalReason {
    /// What it is: "CREATE INDEX CONCURRENTLY", "COMMIT", ...
    pub statement_kind: String,
    /// 1-based line of the statement's start in the script.
    pub line: u32,
    /// Whether it controls transactions itself (BEGIN/COMMIT) rather than being refused in one.
    pub controls_transaction: bool,
}

impl NonTransactionalReason {
    /// A note for the operator, e.g. "runs without a transaction (as Flyway does): line 3 has
    /// CREATE INDEX CONCURRENTLY, which PostgreSQL refuses inside a transaction block".
    pub fn note(&self, script: &str) -> String {
        if self.controls_transaction {
            format!(
                "{script} runs without a transaction wrapped around it, statement by statement: \
                 line {} has {}, so the file manages its own transactions; a failure can leave \
                 part of it applied",
                self.line, self.statement_kind
            )
        } else {
            format!(
                "{script} runs without a transaction, statement by statement (as Flyway runs a \
                 non-transactional migration): line {} has {}, which PostgreSQL refuses inside a \
                 transaction block; a failure can leave part of it applied",
                self.line, self.statement_kind
            )
        }
    }
}

/// A script that cannot run as a migration at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanRefusal {
    /// `\connect` would move the session away from the database the history row goes to.
    Connect { line: u32 },
}

/// Reads the whole script (streaming; blocking I/O: call it from a blocking thread) and decides.
/// A scan error ends the scan with what was seen: the load reports the same error at the same
/// place, and runs only what comes before it.
pub fn transaction_mode<R: Read>(
    script: R,
    standard_conforming_strings: bool,
    server_version_num: u32,
) -> Result<TransactionMode, ScanRefusal> {
    let options = ReaderOptions {
        standard_conforming_strings,
        ..ReaderOptions::default()
    };
    let mut first: Option<NonTransactionalReason> = None;
    for item in ScriptReader::with_options(script, options) {
        let Ok(item) = item else { break };
        match item {
            Item::Statement(statement) if first.is_none() => {
                let need = transaction_needs(
                    &statement.text,
                    statement.standard_conforming_strings,
                    server_version_num,
                );
                let (kind, controls) = match need {
                    TransactionNeed::OutsideTransaction(kind) => (kind, false),
                    TransactionNeed::ControlsTransaction(kind) => (kind, true),
                    TransactionNeed::Any | TransactionNeed::Unparsed(_) => continue,
                };
                first = Some(NonTransactionalReason {
                    statement_kind: kind,
                    line: statement.start.line,
                    controls_transaction: controls,
                });
            }
            Item::Meta(meta) => {
                if let MetaCommand::Connect { .. } = meta.command {
                    return Err(ScanRefusal::Connect {
                        line: meta.position.line,
                    });
                }
            }
            _ => {}
        }
    }
    Ok(match first {
        Some(reason) => TransactionMode::NonTransactional(reason),
        None => TransactionMode::Transactional,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(sql: &str, version: u32) -> Result<TransactionMode, ScanRefusal> {
        transaction_mode(sql.as_bytes(), true, version)
    }

    #[test]
    fn ordinary_ddl_is_transactional() {
        let sql = "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\nSAVEPOINT a;\n";
        assert_eq!(mode(sql, 150000), Ok(TransactionMode::Transactional));
    }

    #[test]
    fn the_first_statement_refused_in_a_block_decides_with_its_line() {
        let sql = "CREATE TABLE t (id int);\n\nCREATE INDEX CONCURRENTLY i ON t (id);\nVACUUM t;\n";
        let Ok(TransactionMode::NonTransactional(reason)) = mode(sql, 150000) else {
            panic!("expected non-transactional");
        };
        assert_eq!(reason.line, 3);
        assert!(!reason.controls_transaction);
        assert!(reason.statement_kind.contains("CONCURRENTLY"), "{reason:?}");
        assert!(reason.note("V2__x.sql").contains("line 3"));
    }

    #[test]
    fn a_script_with_its_own_commit_manages_its_transactions() {
        let sql = "BEGIN;\nCREATE TABLE t (id int);\nCOMMIT;\n";
        let Ok(TransactionMode::NonTransactional(reason)) = mode(sql, 150000) else {
            panic!("expected non-transactional");
        };
        assert_eq!(reason.line, 1);
        assert!(reason.controls_transaction);
    }

    #[test]
    fn add_value_is_transactional_from_12_on() {
        let sql = "ALTER TYPE mood ADD VALUE 'meh';\n";
        assert_eq!(mode(sql, 150000), Ok(TransactionMode::Transactional));
        assert!(matches!(
            mode(sql, 110000),
            Ok(TransactionMode::NonTransactional(_))
        ));
    }

    #[test]
    fn connect_is_refused() {
        let sql = "SELECT 1;\n\\connect other\nSELECT 2;\n";
        assert_eq!(mode(sql, 150000), Err(ScanRefusal::Connect { line: 2 }));
    }

    #[test]
    fn keywords_in_strings_and_comments_do_not_count() {
        let sql = "-- CREATE INDEX CONCURRENTLY i ON t (id);\nSELECT 'VACUUM; COMMIT';\n";
        assert_eq!(mode(sql, 150000), Ok(TransactionMode::Transactional));
    }
}
