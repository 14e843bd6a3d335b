//! Flyway's conventions: file names, the CRC32 checksum, flyway.conf and the advisory lock key.

mod checksum;
pub mod conf;
mod names;

pub use checksum::{Feeder, checksum};
pub use names::{NameVerdict, ParsedName, parse_name};

/// `LOCK_MAGIC_NUM` of Flyway's `PostgreSQLAdvisoryLockTemplate`: "Flyway" in ASCII.
const LOCK_MAGIC_NUM: i64 =
    (0x46 << 40) + (0x6C << 32) + (0x79 << 24) + (0x77 << 16) + (0x61 << 8) + 0x79;

/// The advisory lock key Flyway takes for a history table, so Runbook and a Flyway running
/// against the same database exclude each other: `LOCK_MAGIC_NUM + table.toString().hashCode()`
/// where the string is the quoted, schema-qualified name (`"public"."flyway_schema_history"`)
/// and the Java int hash is sign-extended (`PostgreSQLConnection.lock`,
/// `PostgreSQLAdvisoryLockTemplate`).
pub fn lock_key(schema: &str, table: &str) -> i64 {
    let qualified = format!("{}.{}", quote(schema), quote(table));
    LOCK_MAGIC_NUM + i64::from(java_hash_code(&qualified))
}

/// PostgreSQL identifier quoting as Flyway's `PostgreSQLDatabase.doQuote` does.
fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// Java's `String.hashCode`: `s[0]*31^(n-1) + ...` over UTF-16 code units, wrapping.
pub(crate) fn java_hash_code(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_keys_match_java() {
        // Values from running Java's String.hashCode (research notes, F2).
        assert_eq!(
            java_hash_code("\"opendolphin\".\"flyway_schema_history\""),
            1180410989
        );
        assert_eq!(
            lock_key("opendolphin", "flyway_schema_history"),
            77432888690150
        );
        assert_eq!(lock_key("public", "flyway_schema_history"), 77433833903597);
        // java: "hello".hashCode() == 99162322; "polygenelubricants".hashCode() == Integer.MIN_VALUE
        assert_eq!(java_hash_code("hello"), 99162322);
        assert_eq!(java_hash_code("polygenelubricants"), i32::MIN);
        assert_eq!(LOCK_MAGIC_NUM, 77431708279161);
    }
}
