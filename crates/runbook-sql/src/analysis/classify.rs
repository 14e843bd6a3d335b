//! What a statement does, told from its tokens without a server: read-only, transaction
//! control, a way out of a read-only session, destructive (and to what), or some other write.
//!
//! `check` mode refuses transaction control and read-only escapes (they would let a dry run
//! write), and protected targets ask for confirmation before destructive statements. The
//! classification is about the statement's kind: a `SELECT` calling a function that writes
//! is still `ReadOnly`; the read-only transaction of `check` mode catches that.

use super::names::{QualifiedName, qualified_name};
use super::tokens::{Token, tokenize};

/// The result of [`classify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    /// The leading keywords, upper case: `"DROP SCHEMA"`, `"CREATE OR REPLACE FUNCTION"`.
    pub keywords: String,
    pub effect: Effect,
}

/// What running the statement does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Reads only: `SELECT` (without `INTO` or a locking clause), `SHOW`, `EXPLAIN` without
    /// `ANALYZE`, `VALUES`, `TABLE`.
    ReadOnly,
    /// Begins or ends a transaction or savepoint.
    TransactionControl,
    /// Could turn a read-only session into a writing one (read-only settings, role changes,
    /// `RESET ALL`, `DISCARD ALL`).
    ReadOnlyEscape,
    /// Removes objects or data wholesale.
    Destructive(Destructive),
    /// Everything else.
    Write,
}

/// A destructive statement and what it destroys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destructive {
    /// `DROP <kind> [IF EXISTS] names [CASCADE]`, `kind` upper case (`"TABLE"`, `"SCHEMA"`,
    /// `"MATERIALIZED VIEW"`, `"DATABASE"`). Names are empty for kinds not named by a plain
    /// name (`CAST`, `OPERATOR`, `USER MAPPING`).
    Drop {
        object_kind: String,
        names: Vec<QualifiedName>,
        cascade: bool,
        if_exists: bool,
    },
    /// `DROP OWNED BY roles [CASCADE]`.
    DropOwned { roles: Vec<String>, cascade: bool },
    /// `TRUNCATE tables [CASCADE]`.
    Truncate {
        tables: Vec<QualifiedName>,
        cascade: bool,
    },
    /// `DELETE FROM table` without `WHERE`.
    DeleteAll { table: QualifiedName },
    /// `UPDATE table SET ...` without `WHERE`.
    UpdateAll { table: QualifiedName },
}

/// Classifies one statement (several joined with `\;` give the most serious effect).
pub fn classify(sql: &str) -> Classification {
    let tokens = tokenize(sql, true);
    let mut commands = tokens.split(|t| t.is_punct(';')).filter(|c| !c.is_empty());
    let Some(first) = commands.next() else {
        return Classification {
            keywords: String::new(),
            effect: Effect::ReadOnly,
        };
    };
    let keywords = leading_keywords(first);
    let mut effect = command_effect(first);
    for command in commands {
        let e = command_effect(command);
        if severity(&e) > severity(&effect) {
            effect = e;
        }
    }
    Classification { keywords, effect }
}

fn severity(e: &Effect) -> u8 {
    match e {
        Effect::ReadOnly => 0,
        Effect::Write => 1,
        Effect::TransactionControl => 2,
        Effect::ReadOnlyEscape => 3,
        Effect::Destructive(_) => 4,
    }
}

/// Words that continue a statement's leading keywords after its verb.
const PHRASE_WORDS: &[&str] = &[
    "access",
    "aggregate",
    "all",
    "authorization",
    "cast",
    "class",
    "collation",
    "configuration",
    "constraint",
    "conversion",
    "data",
    "database",
    "default",
    "dictionary",
    "domain",
    "event",
    "extension",
    "family",
    "foreign",
    "function",
    "global",
    "group",
    "index",
    "into",
    "language",
    "large",
    "local",
    "mapping",
    "materialized",
    "method",
    "object",
    "operator",
    "or",
    "owned",
    "parser",
    "policy",
    "prepared",
    "privileges",
    "procedural",
    "procedure",
    "publication",
    "recursive",
    "replace",
    "role",
    "routine",
    "rule",
    "schema",
    "search",
    "sequence",
    "server",
    "session",
    "statistics",
    "subscription",
    "table",
    "tablespace",
    "temp",
    "template",
    "temporary",
    "text",
    "transaction",
    "transform",
    "trigger",
    "trusted",
    "type",
    "unique",
    "unlogged",
    "user",
    "view",
    "work",
    "wrapper",
];

fn leading_keywords(t: &[Token<'_>]) -> String {
    let mut words: Vec<String> = Vec::new();
    for (k, tok) in t.iter().enumerate() {
        let Token::Word(w) = tok else { break };
        let lower = w.to_ascii_lowercase();
        if k > 0 && !PHRASE_WORDS.contains(&lower.as_str()) {
            break;
        }
        // `SELECT ... INTO`, `INSERT INTO`: the verb is enough.
        if lower == "into" {
            break;
        }
        words.push(w.to_ascii_uppercase());
    }
    words.join(" ")
}

fn command_effect(t: &[Token<'_>]) -> Effect {
    // `(SELECT ...) UNION ...`
    let start = t
        .iter()
        .position(|tok| !tok.is_punct('('))
        .unwrap_or(t.len());
    let t = &t[start..];
    if escapes_via_set_config(t) {
        return Effect::ReadOnlyEscape;
    }
    let Some(Token::Word(first)) = t.first() else {
        return Effect::Write;
    };
    match first.to_ascii_lowercase().as_str() {
        "select" => select_effect(t),
        "values" | "table" | "show" => Effect::ReadOnly,
        "explain" => explain_effect(t),
        "with" => with_effect(t),
        "begin" | "start" | "commit" | "end" | "rollback" | "abort" | "savepoint" | "release" => {
            Effect::TransactionControl
        }
        "prepare" if t.get(1).is_some_and(|x| x.is_kw("transaction")) => Effect::TransactionControl,
        "set" => set_effect(t),
        "reset" => reset_effect(t),
        "discard" if t.get(1).is_some_and(|x| x.is_kw("all")) => Effect::ReadOnlyEscape,
        "drop" => drop_effect(t),
        "truncate" => truncate_effect(t),
        "delete" => delete_effect(t),
        "update" => update_effect(t),
        "copy" => copy_effect(t),
        _ => Effect::Write,
    }
}

/// Tokens at parenthesis depth 0 (the statement's own clauses, not subqueries).
fn top_level<'t, 'a>(t: &'t [Token<'a>]) -> impl Iterator<Item = (usize, &'t Token<'a>)> {
    let mut depth = 0i32;
    t.iter().enumerate().filter(move |(_, tok)| {
        if tok.is_punct('(') || tok.is_punct('[') {
            depth += 1;
            false
        } else if tok.is_punct(')') || tok.is_punct(']') {
            depth -= 1;
            false
        } else {
            depth == 0
        }
    })
}

fn has_top_level_kw(t: &[Token<'_>], kw: &str) -> bool {
    top_level(t).any(|(_, tok)| tok.is_kw(kw))
}

fn select_effect(t: &[Token<'_>]) -> Effect {
    let locking = top_level(t).any(|(k, tok)| {
        tok.is_kw("for")
            && t.get(k + 1).is_some_and(|n| {
                n.is_kw("update") || n.is_kw("share") || n.is_kw("no") || n.is_kw("key")
            })
    });
    if has_top_level_kw(t, "into") || locking {
        Effect::Write
    } else {
        Effect::ReadOnly
    }
}

/// `SELECT set_config('default_transaction_read_only', 'off', false)` and the like.
fn escapes_via_set_config(t: &[Token<'_>]) -> bool {
    t.windows(3).any(|w| {
        w[0].is_kw("set_config")
            && w[1].is_punct('(')
            && matches!(&w[2], Token::Str(s) if is_read_only_setting(s))
    })
}

fn is_read_only_setting(name: &str) -> bool {
    name.eq_ignore_ascii_case("transaction_read_only")
        || name.eq_ignore_ascii_case("default_transaction_read_only")
}

fn names_read_only_setting(t: Option<&Token<'_>>) -> bool {
    match t {
        Some(Token::Word(w)) => is_read_only_setting(w),
        Some(Token::QuotedIdent(s)) => is_read_only_setting(s),
        _ => false,
    }
}

fn explain_effect(t: &[Token<'_>]) -> Effect {
    let mut k = 1;
    let mut analyze = false;
    if t.get(k).is_some_and(|x| x.is_punct('(')) {
        // EXPLAIN (ANALYZE [on], VERBOSE, ...)
        let close = t[k..]
            .iter()
            .position(|x| x.is_punct(')'))
            .map_or(t.len(), |p| k + p);
        let options = &t[k + 1..close.min(t.len())];
        for option in options.split(|x| x.is_punct(',')) {
            if option
                .first()
                .is_some_and(|x| x.is_kw("analyze") || x.is_kw("analyse"))
            {
                analyze = match option.get(1) {
                    None => true,
                    Some(Token::Word(v)) => super::settings::parse_bool(v).unwrap_or(true),
                    Some(Token::Str(v)) => super::settings::parse_bool(v).unwrap_or(true),
                    Some(Token::Number(v)) => super::settings::parse_bool(v).unwrap_or(true),
                    Some(_) => true,
                };
            }
        }
        k = close + 1;
    } else {
        while t
            .get(k)
            .is_some_and(|x| x.is_kw("analyze") || x.is_kw("analyse") || x.is_kw("verbose"))
        {
            analyze |= !t[k].is_kw("verbose");
            k += 1;
        }
    }
    if !analyze {
        return Effect::ReadOnly;
    }
    match t.get(k..) {
        Some(inner) if !inner.is_empty() => command_effect(inner),
        _ => Effect::ReadOnly,
    }
}

fn with_effect(t: &[Token<'_>]) -> Effect {
    const MAIN: &[&str] = &[
        "select", "insert", "update", "delete", "merge", "values", "table",
    ];
    let main = top_level(t)
        .skip(1)
        .find(|(_, tok)| MAIN.iter().any(|m| tok.is_kw(m)))
        .map(|(k, _)| k);
    let modifying_cte = t.iter().enumerate().any(|(k, tok)| {
        Some(k) != main
            && ["insert", "update", "delete", "merge"]
                .iter()
                .any(|m| tok.is_kw(m))
            && k > 0
            && t[k - 1].is_punct('(')
    });
    let main_effect = main.map_or(Effect::Write, |k| command_effect(&t[k..]));
    if modifying_cte && severity(&main_effect) < severity(&Effect::Write) {
        Effect::Write
    } else {
        main_effect
    }
}

fn set_effect(t: &[Token<'_>]) -> Effect {
    let mut k = 1;
    if t.get(k)
        .is_some_and(|x| x.is_kw("session") || x.is_kw("local"))
    {
        // `SET SESSION AUTHORIZATION`, `SET SESSION CHARACTERISTICS`, or a scope keyword.
        if t.get(k).is_some_and(|x| x.is_kw("session")) {
            if t.get(k + 1).is_some_and(|x| x.is_kw("authorization")) {
                return Effect::ReadOnlyEscape;
            }
            if t.get(k + 1).is_some_and(|x| x.is_kw("characteristics")) {
                return if read_write(&t[k..]) {
                    Effect::ReadOnlyEscape
                } else {
                    Effect::Write
                };
            }
        }
        k += 1;
    }
    let target = t.get(k);
    if target.is_some_and(|x| x.is_kw("role") || x.is_kw("authorization"))
        || names_read_only_setting(target)
    {
        return Effect::ReadOnlyEscape;
    }
    if target.is_some_and(|x| x.is_kw("session"))
        && t.get(k + 1).is_some_and(|x| x.is_kw("authorization"))
    {
        return Effect::ReadOnlyEscape;
    }
    if target.is_some_and(|x| x.is_kw("transaction")) && read_write(&t[k..]) {
        return Effect::ReadOnlyEscape;
    }
    Effect::Write
}

fn read_write(t: &[Token<'_>]) -> bool {
    t.windows(2)
        .any(|w| w[0].is_kw("read") && w[1].is_kw("write"))
}

fn reset_effect(t: &[Token<'_>]) -> Effect {
    let target = t.get(1);
    if target.is_some_and(|x| x.is_kw("all") || x.is_kw("role") || x.is_kw("session"))
        || names_read_only_setting(target)
    {
        Effect::ReadOnlyEscape
    } else {
        Effect::Write
    }
}

/// `COPY ... TO STDOUT` only reads (what its query does, for `COPY (query)`); every other
/// COPY writes (a table, or a file on the server).
fn copy_effect(t: &[Token<'_>]) -> Effect {
    let to_stdout = top_level(t)
        .any(|(k, tok)| tok.is_kw("to") && t.get(k + 1).is_some_and(|n| n.is_kw("stdout")));
    if !to_stdout {
        return Effect::Write;
    }
    if t.get(1).is_some_and(|x| x.is_punct('(')) {
        let mut k = 1;
        skip_parens(t, &mut k);
        return command_effect(&t[2..k.saturating_sub(1).max(2)]);
    }
    Effect::ReadOnly
}

/// `DROP` object kinds of more than one word, longest first.
const MULTI_WORD_KINDS: &[&[&str]] = &[
    &["text", "search", "configuration"],
    &["text", "search", "dictionary"],
    &["text", "search", "parser"],
    &["text", "search", "template"],
    &["foreign", "data", "wrapper"],
    &["access", "method"],
    &["event", "trigger"],
    &["foreign", "table"],
    &["materialized", "view"],
    &["operator", "class"],
    &["operator", "family"],
    &["procedural", "language"],
    &["user", "mapping"],
];

/// Kinds whose names are followed by an argument list in parentheses.
const ROUTINE_KINDS: &[&str] = &["FUNCTION", "PROCEDURE", "ROUTINE", "AGGREGATE"];

/// Kinds that are not dropped by a list of plain names.
const UNNAMED_KINDS: &[&str] = &[
    "CAST",
    "OPERATOR",
    "OPERATOR CLASS",
    "OPERATOR FAMILY",
    "USER MAPPING",
    "TRANSFORM",
];

fn drop_effect(t: &[Token<'_>]) -> Effect {
    let cascade = has_top_level_kw(t, "cascade");
    let mut k = 1;
    if t.get(k).is_some_and(|x| x.is_kw("owned")) {
        // DROP OWNED BY role [, ...]
        k += 1;
        if t.get(k).is_some_and(|x| x.is_kw("by")) {
            k += 1;
        }
        let roles = name_list(t, &mut k).into_iter().map(|q| q.name).collect();
        return Effect::Destructive(Destructive::DropOwned { roles, cascade });
    }
    let kind_words = MULTI_WORD_KINDS
        .iter()
        .find(|words| {
            words
                .iter()
                .enumerate()
                .all(|(j, w)| t.get(k + j).is_some_and(|x| x.is_kw(w)))
        })
        .map_or(1, |words| words.len());
    let object_kind = t
        .get(k..k + kind_words)
        .unwrap_or_default()
        .iter()
        .filter_map(|x| {
            if let Token::Word(w) = x {
                Some(w.to_ascii_uppercase())
            } else {
                None
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    k += kind_words;
    if t.get(k).is_some_and(|x| x.is_kw("concurrently")) {
        k += 1;
    }
    let mut if_exists = false;
    if t.get(k).is_some_and(|x| x.is_kw("if")) && t.get(k + 1).is_some_and(|x| x.is_kw("exists")) {
        if_exists = true;
        k += 2;
    }
    let names = if UNNAMED_KINDS.contains(&object_kind.as_str()) {
        Vec::new()
    } else if ROUTINE_KINDS.contains(&object_kind.as_str()) {
        routine_list(t, &mut k)
    } else if matches!(object_kind.as_str(), "TRIGGER" | "POLICY" | "RULE") {
        qualified_name(t, &mut k).into_iter().collect()
    } else {
        name_list(t, &mut k)
    };
    Effect::Destructive(Destructive::Drop {
        object_kind,
        names,
        cascade,
        if_exists,
    })
}

/// `name [, name ...]`
fn name_list(t: &[Token<'_>], k: &mut usize) -> Vec<QualifiedName> {
    let mut names = Vec::new();
    while let Some(name) = qualified_name(t, k) {
        names.push(name);
        if !t.get(*k).is_some_and(|x| x.is_punct(',')) {
            break;
        }
        *k += 1;
    }
    names
}

/// `name [(args)] [, ...]`
fn routine_list(t: &[Token<'_>], k: &mut usize) -> Vec<QualifiedName> {
    let mut names = Vec::new();
    while let Some(name) = qualified_name(t, k) {
        names.push(name);
        if t.get(*k).is_some_and(|x| x.is_punct('(')) {
            skip_parens(t, k);
        }
        if !t.get(*k).is_some_and(|x| x.is_punct(',')) {
            break;
        }
        *k += 1;
    }
    names
}

fn skip_parens(t: &[Token<'_>], k: &mut usize) {
    let mut depth = 0u32;
    while let Some(tok) = t.get(*k) {
        *k += 1;
        if tok.is_punct('(') {
            depth += 1;
        } else if tok.is_punct(')') {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return;
            }
        }
    }
}

fn truncate_effect(t: &[Token<'_>]) -> Effect {
    let mut k = 1;
    if t.get(k).is_some_and(|x| x.is_kw("table")) {
        k += 1;
    }
    let mut tables = Vec::new();
    loop {
        if t.get(k).is_some_and(|x| x.is_kw("only")) {
            k += 1;
        }
        let Some(name) = qualified_name(t, &mut k) else {
            break;
        };
        tables.push(name);
        if matches!(t.get(k), Some(Token::Operator("*"))) {
            k += 1;
        }
        if !t.get(k).is_some_and(|x| x.is_punct(',')) {
            break;
        }
        k += 1;
    }
    let cascade = has_top_level_kw(t, "cascade");
    Effect::Destructive(Destructive::Truncate { tables, cascade })
}

/// The table after `DELETE FROM` / `UPDATE` (with `ONLY`).
fn target_table(t: &[Token<'_>], mut k: usize) -> Option<QualifiedName> {
    if t.get(k).is_some_and(|x| x.is_kw("only")) {
        k += 1;
    }
    qualified_name(t, &mut k)
}

fn delete_effect(t: &[Token<'_>]) -> Effect {
    if !t.get(1).is_some_and(|x| x.is_kw("from")) || has_top_level_kw(t, "where") {
        return Effect::Write;
    }
    match target_table(t, 2) {
        Some(table) => Effect::Destructive(Destructive::DeleteAll { table }),
        None => Effect::Write,
    }
}

fn update_effect(t: &[Token<'_>]) -> Effect {
    if has_top_level_kw(t, "where") || !has_top_level_kw(t, "set") {
        return Effect::Write;
    }
    match target_table(t, 1) {
        Some(table) => Effect::Destructive(Destructive::UpdateAll { table }),
        None => Effect::Write,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn effect(sql: &str) -> Effect {
        classify(sql).effect
    }

    fn qn(schema: Option<&str>, name: &str) -> QualifiedName {
        QualifiedName::new(schema, name)
    }

    #[test]
    fn read_only_statements() {
        for sql in [
            "SELECT 1",
            "select * from t where a = 'DELETE FROM x'",
            "(SELECT 1) UNION (SELECT 2)",
            "SHOW search_path",
            "EXPLAIN SELECT * FROM t",
            "EXPLAIN (FORMAT json, ANALYZE off) DELETE FROM t",
            "VALUES (1), (2)",
            "TABLE t",
            "COPY t TO STDOUT",
            "COPY (SELECT * FROM t ORDER BY id) TO stdout WITH (FORMAT csv)",
            "WITH x AS (SELECT 1) SELECT * FROM x",
            "SELECT pg_catalog.set_config('search_path', '', false);",
            "/* DROP TABLE t; */ SELECT 1",
        ] {
            assert_eq!(effect(sql), Effect::ReadOnly, "{sql}");
        }
    }

    #[test]
    fn selects_that_write() {
        assert_eq!(effect("SELECT * INTO new_t FROM t"), Effect::Write);
        assert_eq!(effect("SELECT * FROM t FOR UPDATE"), Effect::Write);
        assert_eq!(
            effect("SELECT (SELECT 1 FROM t FOR UPDATE)"),
            Effect::ReadOnly
        );
        assert_eq!(
            effect("WITH d AS (DELETE FROM t WHERE a RETURNING *) SELECT * FROM d"),
            Effect::Write
        );
    }

    #[test]
    fn explain_analyze_takes_the_inner_statement() {
        assert_eq!(effect("EXPLAIN ANALYZE SELECT 1"), Effect::ReadOnly);
        assert_eq!(
            effect("EXPLAIN ANALYZE INSERT INTO t VALUES (1)"),
            Effect::Write
        );
        assert_eq!(
            effect("EXPLAIN (ANALYZE, BUFFERS) DELETE FROM t"),
            Effect::Destructive(Destructive::DeleteAll {
                table: qn(None, "t")
            })
        );
    }

    #[test]
    fn transaction_control() {
        for sql in [
            "BEGIN",
            "begin read write",
            "START TRANSACTION READ WRITE",
            "COMMIT",
            "END",
            "ROLLBACK",
            "ROLLBACK TO SAVEPOINT a",
            "ABORT",
            "SAVEPOINT a",
            "RELEASE SAVEPOINT a",
            "PREPARE TRANSACTION 'x'",
            "COMMIT PREPARED 'x'",
            "ROLLBACK PREPARED 'x'",
        ] {
            assert_eq!(effect(sql), Effect::TransactionControl, "{sql}");
        }
        assert_eq!(effect("PREPARE q AS SELECT 1"), Effect::Write);
    }

    #[test]
    fn read_only_escapes() {
        for sql in [
            "SET transaction_read_only = off",
            "SET SESSION default_transaction_read_only TO false",
            "set local \"transaction_read_only\" = 'off'",
            "RESET default_transaction_read_only",
            "RESET transaction_read_only",
            "SET TRANSACTION READ WRITE",
            "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ WRITE",
            "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
            "RESET ALL",
            "SET ROLE admin",
            "SET SESSION AUTHORIZATION postgres",
            "RESET ROLE",
            "DISCARD ALL",
            "SELECT set_config('default_transaction_read_only', 'off', false)",
        ] {
            assert_eq!(effect(sql), Effect::ReadOnlyEscape, "{sql}");
        }
        assert_eq!(effect("SET TRANSACTION READ ONLY"), Effect::Write);
        assert_eq!(effect("SET search_path = public"), Effect::Write);
        assert_eq!(effect("DISCARD PLANS"), Effect::Write);
    }

    #[test]
    fn drop_statements_name_what_they_drop() {
        assert_eq!(
            classify("DROP SCHEMA public CASCADE;"),
            Classification {
                keywords: "DROP SCHEMA".into(),
                effect: Effect::Destructive(Destructive::Drop {
                    object_kind: "SCHEMA".into(),
                    names: vec![qn(None, "public")],
                    cascade: true,
                    if_exists: false,
                }),
            }
        );
        assert_eq!(
            effect("drop table if exists Public.\"Users\", opendolphin.d_users restrict"),
            Effect::Destructive(Destructive::Drop {
                object_kind: "TABLE".into(),
                names: vec![
                    qn(Some("public"), "Users"),
                    qn(Some("opendolphin"), "d_users")
                ],
                cascade: false,
                if_exists: true,
            })
        );
        assert_eq!(
            effect("DROP MATERIALIZED VIEW IF EXISTS mv CASCADE"),
            Effect::Destructive(Destructive::Drop {
                object_kind: "MATERIALIZED VIEW".into(),
                names: vec![qn(None, "mv")],
                cascade: true,
                if_exists: true,
            })
        );
        assert_eq!(
            effect("DROP FUNCTION f(int, text), s.g()"),
            Effect::Destructive(Destructive::Drop {
                object_kind: "FUNCTION".into(),
                names: vec![qn(None, "f"), qn(Some("s"), "g")],
                cascade: false,
                if_exists: false,
            })
        );
        assert_eq!(
            effect("DROP INDEX CONCURRENTLY IF EXISTS idx"),
            Effect::Destructive(Destructive::Drop {
                object_kind: "INDEX".into(),
                names: vec![qn(None, "idx")],
                cascade: false,
                if_exists: true,
            })
        );
        assert_eq!(
            effect("DROP DATABASE opendolphin WITH (FORCE)"),
            Effect::Destructive(Destructive::Drop {
                object_kind: "DATABASE".into(),
                names: vec![qn(None, "opendolphin")],
                cascade: false,
                if_exists: false,
            })
        );
        assert_eq!(
            effect("DROP TRIGGER trg ON t CASCADE"),
            Effect::Destructive(Destructive::Drop {
                object_kind: "TRIGGER".into(),
                names: vec![qn(None, "trg")],
                cascade: true,
                if_exists: false,
            })
        );
        assert_eq!(
            effect("DROP CAST (text AS int)"),
            Effect::Destructive(Destructive::Drop {
                object_kind: "CAST".into(),
                names: vec![],
                cascade: false,
                if_exists: false,
            })
        );
    }

    #[test]
    fn drop_owned() {
        assert_eq!(
            classify("DROP OWNED BY opendolphin, \"Admin\" CASCADE"),
            Classification {
                keywords: "DROP OWNED".into(),
                effect: Effect::Destructive(Destructive::DropOwned {
                    roles: vec!["opendolphin".into(), "Admin".into()],
                    cascade: true
                }),
            }
        );
    }

    #[test]
    fn truncate() {
        assert_eq!(
            effect("TRUNCATE TABLE ONLY a, b.c * RESTART IDENTITY CASCADE"),
            Effect::Destructive(Destructive::Truncate {
                tables: vec![qn(None, "a"), qn(Some("b"), "c")],
                cascade: true
            })
        );
        assert_eq!(
            effect("truncate t"),
            Effect::Destructive(Destructive::Truncate {
                tables: vec![qn(None, "t")],
                cascade: false
            })
        );
    }

    #[test]
    fn delete_and_update_without_where() {
        assert_eq!(
            effect("DELETE FROM d_factor2_backupkey;"),
            Effect::Destructive(Destructive::DeleteAll {
                table: qn(None, "d_factor2_backupkey")
            })
        );
        assert_eq!(
            effect("DELETE FROM ONLY s.t AS x USING u"),
            Effect::Destructive(Destructive::DeleteAll {
                table: qn(Some("s"), "t")
            })
        );
        assert_eq!(effect("DELETE FROM t WHERE id = 1"), Effect::Write);
        assert_eq!(effect("DELETE FROM t WHERE CURRENT OF c"), Effect::Write);
        assert_eq!(
            effect("UPDATE t SET a = (SELECT 1 FROM u WHERE u.x = 1)"),
            Effect::Destructive(Destructive::UpdateAll {
                table: qn(None, "t")
            })
        );
        assert_eq!(effect("UPDATE t SET a = 1 WHERE id = 2"), Effect::Write);
        assert_eq!(
            effect("WITH x AS (SELECT 1) DELETE FROM t"),
            Effect::Destructive(Destructive::DeleteAll {
                table: qn(None, "t")
            })
        );
    }

    #[test]
    fn everything_else_writes() {
        for sql in [
            "INSERT INTO t VALUES (1)",
            "CREATE TABLE t (a int)",
            "ALTER TABLE t ADD b int",
            "COPY t FROM stdin",
            "COPY t TO '/tmp/server-side-file'",
            "COPY (DELETE FROM t WHERE a RETURNING *) TO STDOUT",
            "VACUUM",
        ] {
            assert_eq!(effect(sql), Effect::Write, "{sql}");
        }
    }

    #[test]
    fn leading_keywords() {
        assert_eq!(
            classify("create or replace function f() returns int").keywords,
            "CREATE OR REPLACE FUNCTION"
        );
        assert_eq!(
            classify("CREATE UNIQUE INDEX i ON t (a)").keywords,
            "CREATE UNIQUE INDEX"
        );
        assert_eq!(classify("INSERT INTO t VALUES (1)").keywords, "INSERT");
        assert_eq!(classify("SELECT 1").keywords, "SELECT");
        assert_eq!(classify("-- only a comment").keywords, "");
    }

    #[test]
    fn the_most_serious_of_several_commands_wins() {
        assert_eq!(
            effect("SELECT 1; COMMIT; SELECT 2"),
            Effect::TransactionControl
        );
        assert!(matches!(
            effect("SELECT 1; DROP TABLE t"),
            Effect::Destructive(_)
        ));
    }
}
