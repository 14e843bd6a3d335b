//! What a gate or check query is, before check mode sends it.
//!
//! Check mode promises not to write. The read-only transaction stops writes to tables, but not
//! what escapes it (another connection through dblink, a session advisory lock, a file written
//! by `lo_export`, a backend terminated). So check mode sends a query only when its tree shows a
//! single plain read, and the engine has resolved every function, operator and type it names in
//! the live catalog. This module is the pure half: it lists what must be resolved.

use super::tree::{self, def_names, name_list, range_var};

/// A single read-only statement and the names the catalog must vouch for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadQuery {
    /// Functions called, as written (`["pg_catalog", "now"]`, `["dblink_exec"]`).
    pub functions: Vec<Vec<String>>,
    /// Operators used that are not built-in symbols, or are schema-qualified.
    pub operators: Vec<Vec<String>>,
    /// Type names cast to (`'x'::my_domain`): a domain's CHECK or a type's input function runs.
    pub types: Vec<Vec<String>>,
    /// Relations read (views and row-security policies may call functions).
    pub relations: Vec<String>,
}

/// Inspects `sql` as the server would parse it with `standard_conforming_strings`. `Err` says
/// why check mode must not send it.
pub fn inspect_read_query(
    sql: &str,
    standard_conforming_strings: bool,
) -> Result<ReadQuery, String> {
    let statements = tree::parse(sql, standard_conforming_strings)
        .map_err(|m| format!("it cannot be parsed ({m})"))?;
    let statement = match statements.as_slice() {
        [one] => one,
        [] => return Err("it is empty".to_owned()),
        many => {
            return Err(format!(
                "it is {} statements; a check query is one statement",
                many.len()
            ));
        }
    };
    let (kind, body) = tree::node(statement).ok_or_else(|| "it is empty".to_owned())?;
    match kind {
        "SelectStmt" => {}
        "VariableShowStmt" => return Ok(ReadQuery::default()),
        "ExplainStmt" => {
            if def_names(body.get("options"))
                .iter()
                .any(|o| o == "analyze")
            {
                return Err("EXPLAIN ANALYZE runs the statement".to_owned());
            }
        }
        "TransactionStmt" | "VariableSetStmt" | "DiscardStmt" | "VariableResetStmt" => {
            return Err(format!(
                "{} could leave the read-only transaction, so check mode does not send it",
                super::classify(sql).keywords
            ));
        }
        _ => {
            return Err(format!(
                "{} is not a plain read, so check mode does not send it",
                super::classify(sql).keywords
            ));
        }
    }
    let mut query = ReadQuery::default();
    let mut problem = None;
    tree::walk(statement, &mut |node, inner| {
        if problem.is_some() {
            return false;
        }
        match node {
            "InsertStmt" | "UpdateStmt" | "DeleteStmt" | "MergeStmt" => {
                problem = Some(format!(
                    "it contains {} (a data-modifying WITH), which writes",
                    node.strip_suffix("Stmt").unwrap_or(node).to_uppercase()
                ));
                false
            }
            "SelectStmt" if !inner.get("into_clause").is_none_or(|i| i.is_null()) => {
                problem = Some("SELECT ... INTO creates a table".to_owned());
                false
            }
            "LockingClause" => {
                problem = Some("FOR UPDATE/SHARE takes row locks".to_owned());
                false
            }
            "FuncCall" => {
                push_unique(&mut query.functions, name_list(inner.get("funcname")));
                true
            }
            "AExpr" => {
                let names = name_list(inner.get("name"));
                // Qualified operators (`OPERATOR(public.===)`) too: the schema may not be
                // pg_catalog's.
                if names.len() > 1 || !super::builtins::is_builtin_operator(&names) {
                    push_unique(&mut query.operators, names);
                }
                true
            }
            "TypeCast" => {
                if let Some(names) = inner.get("type_name").map(|t| name_list(t.get("names")))
                    && !names.is_empty()
                {
                    push_unique(&mut query.types, names);
                }
                true
            }
            "RangeVar" => {
                if let Some(name) = range_var(inner)
                    && !query.relations.contains(&name)
                {
                    query.relations.push(name);
                }
                true
            }
            _ => true,
        }
    });
    if let Some(problem) = problem {
        return Err(problem);
    }
    Ok(query)
}

fn push_unique(list: &mut Vec<Vec<String>>, names: Vec<String>) {
    if !names.is_empty() && !list.contains(&names) {
        list.push(names);
    }
}

/// Built-in functions that are VOLATILE yet cannot change anything: check mode lets them run
/// without asking the catalog whether they are volatile.
pub fn is_harmless_volatile(name: &str) -> bool {
    super::builtins::HARMLESS_VOLATILE.contains(&name)
}
