//! PostgreSQL's own parse tree, as JSON, and a walk over every node of it.
//!
//! Decisions that protect data (consent, what check mode may send) are taken from the tree the
//! server's grammar builds (libpg_query, through the `pg_query` crate), never from keywords: a
//! `DELETE` inside a CTE, a call hidden behind a quoted name or a dollar-quoted alias is a node
//! like any other here. The tree is walked through its serde form because that form has every
//! field of every node; `pg_query`'s own iterator skips node kinds it does not care about, and a
//! walk that skips a subtree would let whatever hides there through.

use pg_query::{NodeEnum, ParserOptions};
use serde_json::Value;

/// Parses `sql` (one or more statements) as the server would with the given
/// `standard_conforming_strings`, returning each statement's node as JSON, e.g.
/// `{"SelectStmt": {...}}`.
///
/// Fails with the parser's message; a tree too deep to decode fails too, which callers treat as
/// "cannot be analysed".
pub(crate) fn parse(sql: &str, standard_conforming_strings: bool) -> Result<Vec<Value>, String> {
    parse_nodes(sql, standard_conforming_strings)?
        .iter()
        .map(|node| to_json(node.as_ref()))
        .collect()
}

/// The typed statement nodes, for fast paths that need no walk (`None`: an empty statement).
pub(crate) fn parse_nodes(
    sql: &str,
    standard_conforming_strings: bool,
) -> Result<Vec<Option<NodeEnum>>, String> {
    let options = if standard_conforming_strings {
        ParserOptions::DEFAULT
    } else {
        ParserOptions::DISABLE_STANDARD_CONFORMING_STRINGS
    };
    let result = pg_query::parse(sql, options).map_err(|e| match e {
        pg_query::Error::Parse(message) => message,
        other => other.to_string(),
    })?;
    Ok(result
        .protobuf
        .stmts
        .into_iter()
        .map(|raw| raw.stmt.and_then(|n| n.node))
        .collect())
}

/// A statement node as JSON, e.g. `{"SelectStmt": {...}}`.
pub(crate) fn to_json(node: Option<&NodeEnum>) -> Result<Value, String> {
    serde_json::to_value(node).map_err(|e| format!("parse tree not readable: {e}"))
}

/// The node type and body of a statement node: `("SelectStmt", {...})`.
pub(crate) fn node(value: &Value) -> Option<(&str, &Value)> {
    let object = value.as_object()?;
    if object.len() != 1 {
        return None;
    }
    let (kind, body) = object.iter().next()?;
    is_node_type(kind).then_some((kind.as_str(), body))
}

/// Node type names are CamelCase; fields are snake_case.
fn is_node_type(key: &str) -> bool {
    key.chars().next().is_some_and(|c| c.is_ascii_uppercase())
}

/// Calls `visit(kind, body)` for every node below `value` (and `value` itself when it is one),
/// parents first. `visit` returns whether to walk into that node's children.
pub(crate) fn walk<'a>(value: &'a Value, visit: &mut dyn FnMut(&'a str, &'a Value) -> bool) {
    match value {
        Value::Object(object) => {
            for (key, child) in object {
                if is_node_type(key) {
                    if visit(key, child) {
                        walk(child, visit);
                    }
                } else {
                    walk(child, visit);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(item, visit);
            }
        }
        _ => {}
    }
}

/// The strings of a name list (`funcname`, `names`, `name` of an `A_Expr`): `["pg_catalog", "now"]`.
pub(crate) fn name_list(value: Option<&Value>) -> Vec<String> {
    let Some(Value::Array(items)) = value else {
        return Vec::new();
    };
    items.iter().filter_map(string_node).collect()
}

/// The text of a `String` node (`{"node": {"String": {"sval": "x"}}}` or `{"String": {...}}`).
pub(crate) fn string_node(value: &Value) -> Option<String> {
    let inner = value.get("node").unwrap_or(value);
    inner
        .get("String")
        .and_then(|s| s.get("sval"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The value of a string constant node (`A_Const` with `sval`), as in `setval('public.s', 1)`;
/// a constant cast to a type (`'public.s'::regclass`) counts too.
pub(crate) fn string_constant(value: &Value) -> Option<String> {
    let mut inner = value.get("node").unwrap_or(value);
    if let Some(cast) = inner.get("TypeCast") {
        inner = cast.get("arg")?.get("node")?;
    }
    inner
        .get("AConst")
        .and_then(|c| c.get("val"))
        .and_then(|v| v.get("Sval"))
        .and_then(|s| s.get("sval"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// `schema.relation` (or `relation`) of a `RangeVar` body.
pub(crate) fn range_var(value: &Value) -> Option<String> {
    let body = value.get("RangeVar").unwrap_or(value);
    let relname = body.get("relname")?.as_str()?;
    if relname.is_empty() {
        return None;
    }
    Some(match body.get("schemaname").and_then(Value::as_str) {
        Some(schema) if !schema.is_empty() => format!("{schema}.{relname}"),
        _ => relname.to_owned(),
    })
}

pub(crate) fn flag(body: &Value, field: &str) -> bool {
    body.get(field).and_then(Value::as_bool).unwrap_or(false)
}

pub(crate) fn int(body: &Value, field: &str) -> i64 {
    body.get(field).and_then(Value::as_i64).unwrap_or(0)
}

pub(crate) fn text<'a>(body: &'a Value, field: &str) -> &'a str {
    body.get(field).and_then(Value::as_str).unwrap_or("")
}

/// The `defname`s of a `DefElem` list (`options` of EXPLAIN, ALTER SEQUENCE, ...).
pub(crate) fn def_names(value: Option<&Value>) -> Vec<String> {
    let Some(Value::Array(items)) = value else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let inner = item.get("node").unwrap_or(item);
            inner
                .get("DefElem")
                .and_then(|d| d.get("defname"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect()
}
