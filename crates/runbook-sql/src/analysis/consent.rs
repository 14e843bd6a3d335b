//! Which statements of a script need the operator's consent on a protected target.
//!
//! The rule is fail-closed: a statement runs without consent only when its parse tree proves it
//! leaves existing data alone. Reads, creation of new objects, `INSERT` without `ON CONFLICT DO
//! UPDATE`, `COPY ... FROM STDIN`, grants, comments, settings and the `ALTER TABLE` forms a
//! pg_dump emits are harmless; `DO` blocks, `CALL`, `EXECUTE` of what cannot be seen, calls of
//! functions that are not built in or are volatile, `DELETE`/`UPDATE`/`MERGE` (whatever their
//! `WHERE`), `TRUNCATE`, `DROP`, `ALTER ... DROP/TYPE/RENAME`, rules, `OR REPLACE` over an object
//! the script did not create, and every statement kind not known to be harmless need consent.
//!
//! The analysis follows the script as a whole, because a pg_dump load is only quiet in context:
//! its `setval` calls touch sequences the script itself created, and its `CREATE OR REPLACE
//! VIEW` replaces a view it created a few statements earlier. The same context makes later
//! writes suspicious: after a trigger, rule or policy is attached to a table, or a column
//! default calls a function that is not harmless, writes into that table run code the analysis
//! cannot see, so they need consent too.
//!
//! What it cannot see: the bodies of functions and views as they are on the server (a built-in
//! name overloaded by a user function for other argument types, a view calling a volatile
//! function), triggers that already exist on a table before the script runs, and the effects of
//! extensions' install scripts. Those are documented limits of consent.

use std::collections::{HashMap, HashSet};

use pg_query::NodeEnum;
use serde_json::Value;

use super::builtins::{builtin_name, is_builtin_operator, is_harmless_function};
use super::tree::{self, def_names, flag, int, name_list, range_var, string_constant, text};

/// The verdict on one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Risk {
    /// Provably leaves existing data alone.
    Harmless,
    /// Needs consent; says why, e.g. "DO block: its code cannot be analysed".
    NeedsConsent(String),
}

/// Settings that change how later statements of the script are read or what a read-only session
/// may do; changing them where the script reader cannot follow needs consent.
const SPLIT_SETTINGS: &[&str] = &["standard_conforming_strings", "backslash_quote"];

/// Follows a script statement by statement, remembering what it created.
#[derive(Debug, Default)]
pub struct ConsentAnalyzer {
    /// Relations, sequences, views, functions and types the script created (`schema.name` or
    /// `name` as written).
    created: HashSet<String>,
    /// Tables whose writes now run code the analysis cannot see, with the reason.
    armed: HashMap<String, String>,
    /// Prepared statements by name and their verdict.
    prepared: HashMap<String, Risk>,
    /// Large objects the script created (pg_dump's blobs are written after `lo_create`).
    large_objects: bool,
}

impl ConsentAnalyzer {
    pub fn new() -> Self {
        Self::default()
    }

    /// The verdict on one statement as the reader split it (several commands joined with `\;`
    /// give the first that needs consent). `standard_conforming_strings` is the setting the
    /// reader split it under: the server parses it the same way.
    pub fn statement(&mut self, sql: &str, standard_conforming_strings: bool) -> Risk {
        let statements = match tree::parse_nodes(sql, standard_conforming_strings) {
            Ok(s) => s,
            Err(message) => {
                return Risk::NeedsConsent(format!(
                    "the statement cannot be parsed ({message}), so it cannot be proven harmless"
                ));
            }
        };
        for statement in &statements {
            if self.plain_insert(statement.as_ref()) {
                continue;
            }
            let risk = match tree::to_json(statement.as_ref()) {
                Ok(json) => self.top(&json),
                Err(message) => Risk::NeedsConsent(message),
            };
            if let Risk::NeedsConsent(reason) = risk {
                return Risk::NeedsConsent(reason);
            }
        }
        Risk::Harmless
    }

    /// The statement pg_dump --inserts writes millions of: `INSERT INTO t [(cols)] VALUES (...)`
    /// of constants, into a table no trigger or default of the script arms. Told from the typed
    /// tree, without the walk (which costs more than the parse itself).
    fn plain_insert(&self, statement: Option<&NodeEnum>) -> bool {
        let Some(NodeEnum::InsertStmt(insert)) = statement else {
            return false;
        };
        if insert.on_conflict_clause.is_some() || insert.with_clause.is_some() {
            return false;
        }
        let Some(relation) = &insert.relation else {
            return false;
        };
        let Some(NodeEnum::SelectStmt(select)) =
            insert.select_stmt.as_ref().and_then(|n| n.node.as_ref())
        else {
            return false;
        };
        let constant = |node: &pg_query::protobuf::Node| match &node.node {
            Some(NodeEnum::AConst(_)) => true,
            Some(NodeEnum::TypeCast(cast)) => matches!(
                cast.arg.as_ref().and_then(|a| a.node.as_ref()),
                Some(NodeEnum::AConst(_))
            ),
            _ => false,
        };
        let values_only = select.target_list.is_empty()
            && select.from_clause.is_empty()
            && select.with_clause.is_none()
            && select.larg.is_none()
            && select.rarg.is_none()
            && !select.values_lists.is_empty()
            && select.values_lists.iter().all(|row| match &row.node {
                Some(NodeEnum::List(list)) => list.items.iter().all(constant),
                _ => false,
            });
        let table = if relation.schemaname.is_empty() {
            relation.relname.clone()
        } else {
            format!("{}.{}", relation.schemaname, relation.relname)
        };
        values_only && self.armed_reason(&table).is_none()
    }

    fn top(&mut self, statement: &Value) -> Risk {
        let Some((kind, body)) = tree::node(statement) else {
            return Risk::Harmless; // an empty statement
        };
        let verdict = self.kind(kind, body);
        if let Risk::NeedsConsent(_) = verdict {
            return verdict;
        }
        self.deep(kind, statement)
    }

    /// What the statement kind itself does.
    fn kind(&mut self, kind: &str, body: &Value) -> Risk {
        let consent = |reason: String| Risk::NeedsConsent(reason);
        match kind {
            // Reads, and DML whose writes are checked in `deep`.
            "SelectStmt" => {
                if let Some(into) = body.get("into_clause")
                    && let Some(name) = into.get("rel").and_then(range_var)
                {
                    self.created.insert(name);
                }
                Risk::Harmless
            }
            "InsertStmt" => self.write_into(body.get("relation"), "INSERT into"),
            "CopyStmt" => {
                if !text(body, "filename").is_empty() || flag(body, "is_program") {
                    return consent(
                        "COPY with a server-side file or program reads or writes outside the database"
                            .to_owned(),
                    );
                }
                if flag(body, "is_from") {
                    return self.write_into(body.get("relation"), "COPY into");
                }
                Risk::Harmless
            }
            "DeleteStmt" => consent(format!("DELETE FROM {}", relation(body))),
            "UpdateStmt" => consent(format!("UPDATE {}", relation(body))),
            "MergeStmt" => consent(format!("MERGE INTO {}", relation(body))),
            "TruncateStmt" => consent("TRUNCATE".to_owned()),
            "DropStmt"
            | "DropdbStmt"
            | "DropRoleStmt"
            | "DropOwnedStmt"
            | "DropTableSpaceStmt"
            | "DropSubscriptionStmt"
            | "DropUserMappingStmt" => consent("DROP".to_owned()),
            "DoStmt" => consent("DO block: its code cannot be analysed".to_owned()),
            "CallStmt" => consent("CALL: a procedure's code cannot be analysed".to_owned()),
            "PrepareStmt" => {
                let name = text(body, "name").to_owned();
                let inner = match body.get("query") {
                    Some(q) => self.prepared_query(q),
                    None => Risk::Harmless,
                };
                self.prepared.insert(name, inner);
                Risk::Harmless
            }
            "ExecuteStmt" => match self.prepared.get(text(body, "name")) {
                Some(Risk::Harmless) => Risk::Harmless,
                Some(Risk::NeedsConsent(reason)) => {
                    consent(format!("EXECUTE of a prepared statement: {reason}"))
                }
                None => consent(
                    "EXECUTE of a statement prepared outside this script cannot be analysed"
                        .to_owned(),
                ),
            },
            "DeallocateStmt" => Risk::Harmless,
            "RuleStmt" => {
                consent("CREATE RULE changes what later statements on the table do".to_owned())
            }
            "RenameStmt" => consent("RENAME".to_owned()),
            "AlterTableStmt" => self.alter_table(body),
            "AlterSeqStmt" => {
                if def_names(body.get("options"))
                    .iter()
                    .any(|o| o == "restart")
                {
                    consent("ALTER SEQUENCE ... RESTART changes the values it hands out".to_owned())
                } else {
                    Risk::Harmless
                }
            }
            "AlterEnumStmt" => {
                if text(body, "old_val").is_empty() {
                    Risk::Harmless
                } else {
                    consent("ALTER TYPE ... RENAME VALUE".to_owned())
                }
            }
            "ExplainStmt" => {
                if def_names(body.get("options"))
                    .iter()
                    .any(|o| o == "analyze")
                {
                    // EXPLAIN ANALYZE runs the statement: judge what it runs.
                    match body.get("query") {
                        Some(q) => self.prepared_query(q),
                        None => Risk::Harmless,
                    }
                } else {
                    Risk::Harmless
                }
            }
            "DeclareCursorStmt" | "CreateTableAsStmt" => {
                if kind == "CreateTableAsStmt"
                    && let Some(name) = body
                        .get("into")
                        .and_then(|i| i.get("rel"))
                        .and_then(range_var)
                {
                    self.created.insert(name);
                }
                match body.get("query") {
                    Some(q) => self.prepared_query(q),
                    None => Risk::Harmless,
                }
            }
            "CreateStmt" | "CreateForeignTableStmt" => {
                let base = body.get("base_stmt").unwrap_or(body);
                if let Some(name) = base.get("relation").and_then(range_var) {
                    // Column defaults run on later writes that leave the column out.
                    if let Some(call) = first_unsafe_call(base.get("table_elts"), self) {
                        self.armed.insert(
                            name.clone(),
                            format!("a column default calls {call}, which may write"),
                        );
                    }
                    self.created.insert(name);
                }
                Risk::Harmless
            }
            "CreateSeqStmt" => {
                if let Some(name) = body.get("sequence").and_then(range_var) {
                    self.created.insert(name);
                }
                Risk::Harmless
            }
            "ViewStmt" => {
                let name = body.get("view").and_then(range_var).unwrap_or_default();
                self.replace_or_create(flag(body, "replace"), name, "CREATE OR REPLACE VIEW")
            }
            "CreateFunctionStmt" => {
                let name = name_list(body.get("funcname")).join(".");
                self.replace_or_create(flag(body, "replace"), name, "CREATE OR REPLACE FUNCTION")
            }
            "CreateTrigStmt" => {
                let table = body.get("relation").and_then(range_var).unwrap_or_default();
                let name = format!("trigger {} on {table}", text(body, "trigname"));
                if flag(body, "replace") && !self.created.contains(&name) {
                    return consent(format!("CREATE OR REPLACE TRIGGER over an existing {name}"));
                }
                if !self.was_created(&table) {
                    return consent(format!(
                        "CREATE TRIGGER on {table}, which this script did not create, changes what writes to it do"
                    ));
                }
                let function = name_list(body.get("funcname"));
                let fires_on_insert = int(body, "events") & TRIGGER_TYPE_INSERT != 0;
                let builtin = builtin_name(&function)
                    .is_some_and(|f| HARMLESS_TRIGGER_FUNCTIONS.contains(&f));
                if fires_on_insert && !builtin {
                    // UPDATE and DELETE need consent anyway; inserts are harmless only while
                    // no code of the script's own runs with them.
                    self.armed
                        .insert(table.clone(), format!("{name} runs code on every insert"));
                }
                self.created.insert(name);
                Risk::Harmless
            }
            "CreatePolicyStmt" => {
                let table = body.get("table").and_then(range_var).unwrap_or_default();
                self.armed.insert(
                    table,
                    format!(
                        "policy {} runs expressions on every write",
                        text(body, "policy_name")
                    ),
                );
                Risk::Harmless
            }
            "DefineStmt" | "CreatePLangStmt" | "CreateTransformStmt" => {
                if flag(body, "replace") {
                    consent("CREATE OR REPLACE over an object that may exist".to_owned())
                } else {
                    Risk::Harmless
                }
            }
            "CreateSchemaStmt" => {
                let mut verdict = Risk::Harmless;
                if let Some(Value::Array(elements)) = body.get("schema_elts") {
                    for element in elements {
                        let element = element.get("node").unwrap_or(element);
                        if let Risk::NeedsConsent(r) = self.top(element) {
                            verdict = Risk::NeedsConsent(r);
                            break;
                        }
                    }
                }
                verdict
            }
            "CreateEventTrigStmt" => {
                consent("CREATE EVENT TRIGGER runs code on later DDL".to_owned())
            }
            "CreateSubscriptionStmt" => {
                consent("CREATE SUBSCRIPTION replicates rows into existing tables".to_owned())
            }
            "LoadStmt" => consent("LOAD runs a shared library's code".to_owned()),
            // New objects, privileges, comments, settings, maintenance, transaction control.
            "IndexStmt"
            | "CreateDomainStmt"
            | "CreateEnumStmt"
            | "CompositeTypeStmt"
            | "CreateRangeStmt"
            | "CreateCastStmt"
            | "CreateConversionStmt"
            | "CreateOpClassStmt"
            | "CreateOpFamilyStmt"
            | "CreateFdwStmt"
            | "CreateForeignServerStmt"
            | "CreateUserMappingStmt"
            | "ImportForeignSchemaStmt"
            | "CreateStatsStmt"
            | "CreateTableSpaceStmt"
            | "CreateRoleStmt"
            | "CreatedbStmt"
            | "CreateAmStmt"
            | "CreatePublicationStmt"
            | "CreateExtensionStmt"
            | "GrantStmt"
            | "GrantRoleStmt"
            | "AlterDefaultPrivilegesStmt"
            | "AlterOwnerStmt"
            | "CommentStmt"
            | "SecLabelStmt"
            | "VariableShowStmt"
            | "TransactionStmt"
            | "VacuumStmt"
            | "ClusterStmt"
            | "ReindexStmt"
            | "CheckPointStmt"
            | "LockStmt"
            | "ListenStmt"
            | "UnlistenStmt"
            | "NotifyStmt"
            | "DiscardStmt"
            | "ConstraintsSetStmt"
            | "FetchStmt"
            | "ClosePortalStmt" => Risk::Harmless,
            "VariableSetStmt" => set_split_setting(body),
            // A refresh runs the view's query: harmless when the script created the view (its
            // query was judged then), unknown code otherwise.
            "RefreshMatViewStmt" => {
                let view = body.get("relation").and_then(range_var).unwrap_or_default();
                if self.was_created(&view) {
                    Risk::Harmless
                } else {
                    consent(format!(
                        "REFRESH MATERIALIZED VIEW {view} runs a query this script did not write"
                    ))
                }
            }
            other => consent(format!(
                "{} is not known to leave existing data alone",
                statement_label(other)
            )),
        }
    }

    /// Everything inside the statement: writes hidden in CTEs and subqueries, and every
    /// function and operator it calls.
    fn deep(&mut self, kind: &str, body: &Value) -> Risk {
        let mut verdict = Risk::Harmless;
        tree::walk(body, &mut |node, inner| {
            if matches!(verdict, Risk::NeedsConsent(_)) {
                return false;
            }
            // Code that is stored, not run now: function bodies, view queries, column defaults
            // and policies (armed above), rule actions (consent anyway).
            let stored = matches!(
                node,
                "CreateFunctionStmt"
                    | "ViewStmt"
                    | "CreateTrigStmt"
                    | "CreatePolicyStmt"
                    | "PrepareStmt"
            );
            if stored || (kind == "CreateStmt" && node == "ColumnDef") {
                return false;
            }
            match node {
                "DeleteStmt" | "UpdateStmt" | "MergeStmt" => {
                    verdict = self.kind(node, inner);
                    false
                }
                "InsertStmt" => {
                    let action = inner
                        .get("on_conflict_clause")
                        .map(|c| int(c, "action"))
                        .unwrap_or(0);
                    if action == ON_CONFLICT_UPDATE {
                        verdict = Risk::NeedsConsent(format!(
                            "INSERT ... ON CONFLICT DO UPDATE overwrites rows of {}",
                            relation(inner)
                        ));
                        return false;
                    }
                    if let Risk::NeedsConsent(r) =
                        self.write_into(inner.get("relation"), "INSERT into")
                    {
                        verdict = Risk::NeedsConsent(r);
                        return false;
                    }
                    true
                }
                "FuncCall" => {
                    if let Some(reason) = self.call(inner) {
                        verdict = Risk::NeedsConsent(reason);
                        return false;
                    }
                    true
                }
                "AExpr" => {
                    let names = name_list(inner.get("name"));
                    if !names.is_empty() && !is_builtin_operator(&names) {
                        verdict = Risk::NeedsConsent(format!(
                            "operator {} is not built in; its function may write",
                            names.join(".")
                        ));
                        return false;
                    }
                    true
                }
                _ => true,
            }
        });
        verdict
    }

    fn prepared_query(&mut self, query: &Value) -> Risk {
        let inner = query.get("node").unwrap_or(query);
        self.top(inner)
    }

    fn write_into(&self, relation: Option<&Value>, what: &str) -> Risk {
        let table = relation.and_then(range_var).unwrap_or_default();
        match self.armed_reason(&table) {
            Some(reason) => Risk::NeedsConsent(format!(
                "{what} {table}: {reason}, which consent analysis cannot see"
            )),
            None => Risk::Harmless,
        }
    }

    fn armed_reason(&self, table: &str) -> Option<&String> {
        self.armed
            .iter()
            .find(|(name, _)| same_relation(name, table))
            .map(|(_, reason)| reason)
    }

    fn was_created(&self, name: &str) -> bool {
        self.created.iter().any(|c| same_relation(c, name))
    }

    fn replace_or_create(&mut self, replace: bool, name: String, what: &str) -> Risk {
        if replace && !self.was_created(&name) {
            return Risk::NeedsConsent(format!(
                "{what} {name}: replaces an object this script did not create"
            ));
        }
        self.created.insert(name);
        Risk::Harmless
    }

    fn alter_table(&mut self, body: &Value) -> Risk {
        let table = body.get("relation").and_then(range_var).unwrap_or_default();
        let Some(Value::Array(commands)) = body.get("cmds") else {
            return Risk::Harmless;
        };
        for command in commands {
            let command = command.get("node").unwrap_or(command);
            let Some(cmd) = command.get("AlterTableCmd") else {
                continue;
            };
            let subtype = int(cmd, "subtype");
            if !HARMLESS_ALTER.contains(&subtype) {
                return Risk::NeedsConsent(format!("ALTER TABLE {table} {}", alter_label(subtype)));
            }
            if ENABLE_TRIGGERS.contains(&subtype) {
                // Triggers that were off come back on: later writes run their code.
                self.armed.insert(
                    table.clone(),
                    "its triggers were enabled and run code on every write".to_owned(),
                );
            }
        }
        Risk::Harmless
    }

    /// Why a function call needs consent, or `None` when it is harmless.
    fn call(&mut self, call: &Value) -> Option<String> {
        let names = name_list(call.get("funcname"));
        let shown = names.join(".");
        let Some(name) = builtin_name(&names) else {
            return Some(format!(
                "calls {shown}(), which is not built in; its code cannot be analysed"
            ));
        };
        if is_harmless_function(name) {
            return None;
        }
        let args: Vec<&Value> = match call.get("args") {
            Some(Value::Array(items)) => items.iter().collect(),
            _ => Vec::new(),
        };
        let first_text = args.first().and_then(|a| string_constant(a));
        match name {
            "nextval" => None,
            "setval" => match first_text {
                Some(sequence) if self.was_created(&regclass_name(&sequence)) => None,
                Some(sequence) => Some(format!(
                    "setval('{sequence}') changes a sequence this script did not create"
                )),
                None => Some("setval() of a sequence named by an expression".to_owned()),
            },
            "set_config" => match first_text {
                Some(setting) if SPLIT_SETTINGS.contains(&setting.to_lowercase().as_str()) => {
                    Some(format!(
                        "set_config('{setting}') changes how later statements are read, where the script reader cannot follow"
                    ))
                }
                Some(_) => None,
                None => Some("set_config() of a setting named by an expression".to_owned()),
            },
            "lo_create" | "lo_creat" => {
                self.large_objects = true;
                None
            }
            "lo_open" | "lo_close" | "loread" | "lo_lseek" | "lo_lseek64" | "lo_tell"
            | "lo_tell64" | "lo_get" => None,
            "lowrite" | "lo_put" if self.large_objects => None,
            _ => Some(format!(
                "calls {shown}(), which is not known to leave data alone (a function of the database's own, or a volatile built-in)"
            )),
        }
    }
}

/// A `SET` that turns `standard_conforming_strings` off (or back to a default nobody can see
/// before the run) changes how every later statement is split: on a protected target that needs
/// consent. pg_dump's `SET standard_conforming_strings = on;` stays quiet.
fn set_split_setting(body: &Value) -> Risk {
    const RESET_ALL: i64 = 6;
    const SET_VALUE: i64 = 1;
    let name = text(body, "name").to_lowercase();
    let kind = int(body, "kind");
    if kind == RESET_ALL {
        return Risk::NeedsConsent(
            "RESET ALL returns standard_conforming_strings to a default not known before the run, which changes how later statements are split".to_owned(),
        );
    }
    if !SPLIT_SETTINGS.contains(&name.as_str()) {
        return Risk::Harmless;
    }
    let value = match body.get("args") {
        Some(Value::Array(args)) if args.len() == 1 => string_constant(&args[0]),
        _ => None,
    };
    let on = value
        .as_deref()
        .is_some_and(|v| matches!(v.to_lowercase().as_str(), "on" | "true" | "yes" | "1"));
    if kind == SET_VALUE && (on || name == "backslash_quote") {
        Risk::Harmless
    } else {
        Risk::NeedsConsent(format!(
            "SET {name} to {} changes how the statements after it are split",
            value.as_deref().unwrap_or("its default")
        ))
    }
}

/// `OnConflictAction::OnconflictUpdate` in the parse tree.
const ON_CONFLICT_UPDATE: i64 = 3;
/// `TRIGGER_TYPE_INSERT` in a `CreateTrigStmt`'s `events`.
const TRIGGER_TYPE_INSERT: i64 = 1 << 2;

/// Built-in trigger functions that only fill in columns of the row being written.
const HARMLESS_TRIGGER_FUNCTIONS: &[&str] = &[
    "tsvector_update_trigger",
    "tsvector_update_trigger_column",
    "suppress_redundant_updates_trigger",
];

/// `ENABLE [ALWAYS|REPLICA] TRIGGER`, `ENABLE TRIGGER ALL`, `ENABLE TRIGGER USER`.
const ENABLE_TRIGGERS: &[i64] = &[38, 39, 40, 42, 44];

/// `ALTER TABLE` sub-commands that leave existing data alone (pg_dump emits these): add column,
/// set default, set not null, statistics, options, storage, compression, add index or
/// constraint, validate constraint, owner, cluster on, logged, access method, tablespace,
/// relation options, enable/disable triggers (enabling arms the table), disable rules,
/// inheritance added, OF type, replica identity, row security, attach partition, identity
/// added. The numbers are `AlterTableType` of the `pg_query` version in Cargo.lock; a test pins
/// them by parsing each form.
const HARMLESS_ALTER: &[i64] = &[
    1, 2, 3, 4, 6, 9, 10, 11, 12, 13, 15, 17, 21, 22, 27, 28, 30, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 49, 50, 52, 54, 55, 56, 57, 58, 60, 63,
];

fn alter_label(subtype: i64) -> &'static str {
    match subtype {
        5 => "DROP NOT NULL",
        7 => "SET EXPRESSION",
        8 => "DROP EXPRESSION",
        14 => "DROP COLUMN",
        23 => "DROP CONSTRAINT",
        25 => "ALTER COLUMN TYPE",
        29 => "SET WITHOUT CLUSTER",
        31 => "SET UNLOGGED",
        46..=48 => "ENABLE RULE",
        51 => "NO INHERIT",
        53 => "NOT OF",
        61 | 62 => "DETACH PARTITION",
        64 => "ALTER COLUMN SET GENERATED/RESTART",
        65 => "DROP IDENTITY",
        _ => "(a sub-command not known to leave existing data alone)",
    }
}

/// The first call in `value` (a column list or expression) that is not harmless.
fn first_unsafe_call(value: Option<&Value>, analyzer: &mut ConsentAnalyzer) -> Option<String> {
    let value = value?;
    let mut found = None;
    tree::walk(value, &mut |node, inner| {
        if found.is_some() {
            return false;
        }
        if node == "FuncCall" && analyzer.call(inner).is_some() {
            found = Some(format!("{}()", name_list(inner.get("funcname")).join(".")));
            return false;
        }
        true
    });
    found
}

fn relation(body: &Value) -> String {
    body.get("relation")
        .and_then(range_var)
        .unwrap_or_else(|| "a table".to_owned())
}

/// A `regclass` literal (`'public.s'`, `'"Odd"."Seq"'`) as `schema.name`, folded as the server
/// folds it.
fn regclass_name(text: &str) -> String {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                current.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(std::mem::take(&mut current)),
            c if quoted => current.push(c),
            c => current.extend(c.to_lowercase()),
        }
    }
    parts.push(current);
    parts.join(".")
}

/// Whether two names written as `schema.name` or `name` can be the same relation: the names
/// match, and so do the schemas when both are given.
fn same_relation(a: &str, b: &str) -> bool {
    let split = |s: &str| match s.rsplit_once('.') {
        Some((schema, name)) => (Some(schema.to_owned()), name.to_owned()),
        None => (None, s.to_owned()),
    };
    let (sa, na) = split(a);
    let (sb, nb) = split(b);
    na == nb && (sa.is_none() || sb.is_none() || sa == sb)
}

/// `AlterSystemStmt` → "ALTER SYSTEM".
fn statement_label(kind: &str) -> String {
    let base = kind.strip_suffix("Stmt").unwrap_or(kind);
    let mut out = String::new();
    for (i, c) in base.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}
