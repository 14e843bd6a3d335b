//! Whether check mode may send a query: its parse tree, then the live catalog.
//!
//! A `BEGIN READ ONLY` transaction stops writes to tables, not what escapes it: dblink opens
//! another connection, `lo_export` writes a server file, session advisory locks outlive the
//! rollback, `pg_terminate_backend` ends someone's session. So check mode sends a query only
//! when `runbook-sql` proves it is one plain read (`inspect_read_query`, parsed with the
//! session's real `standard_conforming_strings`) and every function it can reach is vouched
//! for here:
//!
//! - functions called by name, resolved in `pg_proc` over the session's `search_path` (every
//!   overload of the name counts, since the server picks by argument types);
//! - the functions behind operators that are not pg_catalog's;
//! - aggregates' support functions;
//! - functions used by views and row-security policies of the relations read, and the handler
//!   of a foreign table's wrapper (file_fdw's `program` runs a command on every read);
//! - CHECK constraints of domains the query casts to.
//!
//! A function is vouched for when it belongs to pg_catalog or to an installed extension and is
//! IMMUTABLE or STABLE, or is one of the VOLATILE built-ins that change nothing
//! (`now`-like clocks, `random`, size functions, ...). A function defined by a user is never
//! vouched for, whatever its label: a function declared STABLE may still call `dblink_exec`.

use runbook_postgres::Session;
use runbook_sql::analysis::{ReadQuery, inspect_read_query, is_harmless_volatile};

use crate::errors::StepError;

/// Why check mode must not send `sql`, or `None` when it may.
pub(crate) async fn refusal(session: &Session, sql: &str) -> Result<Option<String>, StepError> {
    let query = match inspect_read_query(sql, session.standard_conforming_strings()) {
        Ok(query) => query,
        Err(reason) => return Ok(Some(reason)),
    };
    vouch(session, &query).await
}

/// One row per function the query can reach: where it was found, its name, schema, volatility
/// and whether an extension owns it.
const FUNCTIONS: &str = "
WITH wanted AS (
  SELECT p.oid, $3::text AS via
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE p.proname = $1
    AND CASE WHEN $2 = '' THEN n.nspname = ANY (current_schemas(true)) ELSE n.nspname = $2 END
), reached AS (
  SELECT oid, via FROM wanted
  UNION
  SELECT f.oid, w.via
  FROM wanted w JOIN pg_aggregate a ON a.aggfnoid = w.oid
  JOIN pg_proc f ON f.oid IN (a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn,
                              a.aggdeserialfn, a.aggmtransfn, a.aggminvtransfn, a.aggmfinalfn)
)
SELECT r.via, p.proname::text, n.nspname::text, p.provolatile::text,
       EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
               AND d.objid = p.oid AND d.refclassid = 'pg_extension'::regclass
               AND d.deptype = 'e')::text
FROM reached r JOIN pg_proc p ON p.oid = r.oid JOIN pg_namespace n ON n.oid = p.pronamespace";

/// The functions behind operators of a name visible on the search path (or in a schema).
const OPERATORS: &str = "
SELECT 'operator ' || $1, p.proname::text, n.nspname::text, p.provolatile::text,
       EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
               AND d.objid = p.oid AND d.refclassid = 'pg_extension'::regclass
               AND d.deptype = 'e')::text
FROM pg_operator o JOIN pg_namespace ons ON ons.oid = o.oprnamespace
JOIN pg_proc p ON p.oid = o.oprcode JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE o.oprname = $1 AND ons.nspname <> 'pg_catalog'
  AND CASE WHEN $2 = '' THEN ons.nspname = ANY (current_schemas(true)) ELSE ons.nspname = $2 END";

/// Functions that views (recursively) and row-security policies of a relation depend on.
const RELATION: &str = "
WITH RECURSIVE rel AS (
  SELECT to_regclass($1) AS oid
  UNION
  SELECT d.refobjid FROM rel JOIN pg_rewrite r ON r.ev_class = rel.oid
  JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
   AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> rel.oid
), funcs AS (
  SELECT d.refobjid AS oid FROM rel JOIN pg_rewrite r ON r.ev_class = rel.oid
  JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
   AND d.refclassid = 'pg_proc'::regclass
  UNION
  SELECT d.refobjid FROM rel JOIN pg_policy pol ON pol.polrelid = rel.oid
  JOIN pg_depend d ON d.classid = 'pg_policy'::regclass AND d.objid = pol.oid
   AND d.refclassid = 'pg_proc'::regclass
  UNION
  SELECT w.fdwhandler FROM rel JOIN pg_foreign_table ft ON ft.ftrelid = rel.oid
  JOIN pg_foreign_server fs ON fs.oid = ft.ftserver
  JOIN pg_foreign_data_wrapper w ON w.oid = fs.srvfdw
)
SELECT 'relation ' || $1, p.proname::text, n.nspname::text, p.provolatile::text,
       EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
               AND d.objid = p.oid AND d.refclassid = 'pg_extension'::regclass
               AND d.deptype = 'e')::text
FROM funcs f JOIN pg_proc p ON p.oid = f.oid JOIN pg_namespace n ON n.oid = p.pronamespace";

/// Functions that CHECK constraints of a domain (and its base domains) call.
const DOMAIN: &str = "
WITH RECURSIVE dom AS (
  SELECT t.oid, t.typbasetype FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
  WHERE t.typname = $1 AND t.typtype = 'd'
    AND CASE WHEN $2 = '' THEN n.nspname = ANY (current_schemas(true)) ELSE n.nspname = $2 END
  UNION
  SELECT t.oid, t.typbasetype FROM dom JOIN pg_type t ON t.oid = dom.typbasetype
  WHERE t.typtype = 'd'
)
SELECT 'type ' || $1, p.proname::text, n.nspname::text, p.provolatile::text,
       EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass
               AND e.objid = p.oid AND e.refclassid = 'pg_extension'::regclass
               AND e.deptype = 'e')::text
FROM dom JOIN pg_constraint c ON c.contypid = dom.oid
JOIN pg_depend d ON d.classid = 'pg_constraint'::regclass AND d.objid = c.oid
 AND d.refclassid = 'pg_proc'::regclass
JOIN pg_proc p ON p.oid = d.refobjid JOIN pg_namespace n ON n.oid = p.pronamespace";

async fn vouch(session: &Session, query: &ReadQuery) -> Result<Option<String>, StepError> {
    let mut lookups: Vec<(&str, Vec<String>)> = Vec::new();
    for names in &query.functions {
        let (schema, name) = split(names);
        if !schema.is_empty() && schema != "pg_catalog" {
            return Ok(Some(format!(
                "it calls {}(), a function defined outside pg_catalog; whatever its label, its body may write (through dblink, say), so check mode does not send it",
                names.join(".")
            )));
        }
        lookups.push((
            FUNCTIONS,
            vec![name, schema, format!("{}()", names.join("."))],
        ));
    }
    for names in &query.operators {
        let (schema, name) = split(names);
        lookups.push((OPERATORS, vec![name, schema]));
    }
    for relation in &query.relations {
        lookups.push((RELATION, vec![relation.clone()]));
    }
    for names in &query.types {
        let (schema, name) = split(names);
        lookups.push((DOMAIN, vec![name, schema]));
    }
    for (sql, params) in lookups {
        let params: Vec<&str> = params.iter().map(String::as_str).collect();
        let rows = session.query(sql, &params).await.map_err(|e| {
            StepError::failed(format!("could not look up what a check query calls: {e}"))
        })?;
        for row in &rows.rows {
            let cell = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
            let (via, name, schema, volatility, extension) =
                (cell(0), cell(1), cell(2), cell(3), cell(4) == "true");
            let builtin = schema == "pg_catalog";
            let reason = if !builtin && !extension {
                Some(
                    "a function defined outside pg_catalog and extensions; whatever its label, its body may write (through dblink, say)",
                )
            } else if volatility == "v" && !(builtin && is_harmless_volatile(&name)) {
                Some("a VOLATILE function, whose effects may escape the read-only transaction")
            } else {
                None
            };
            if let Some(reason) = reason {
                let shown = format!("{schema}.{name}()");
                let through = if via.ends_with("()") && via.trim_end_matches("()") == name {
                    String::new()
                } else {
                    format!(" (through {via})")
                };
                return Ok(Some(format!(
                    "it calls {shown}{through}, {reason}, so check mode does not send it"
                )));
            }
        }
    }
    Ok(None)
}

/// `["schema", "name"]` → ("schema", "name"); `["name"]` → ("", "name").
fn split(names: &[String]) -> (String, String) {
    match names {
        [.., schema, name] => (schema.clone(), name.clone()),
        [name] => (String::new(), name.clone()),
        [] => (String::new(), String::new()),
    }
}
