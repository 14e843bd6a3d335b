//! `${...}` substitution in string values, at parse time.
//!
//! Env and vars references are replaced; target references are checked and kept for the engine
//! (see [`crate::template`]). Every problem is reported at the reference itself, found by
//! searching the source from the start of the value. SQL text gets one more rule: a substituted
//! value may contain only `[A-Za-z0-9_.:-]`, because anything else could change the statement.
//!
//! Substitution is bounded: a var may reference earlier vars, so 40 vars each referencing the
//! previous one twice would make a value of 2^40 times the first. A value gets at most
//! [`MAX_SUBSTITUTED_PER_VALUE`] of substituted text, and the runbook at most
//! [`MAX_SUBSTITUTED_TOTAL`] in all, counting a value repeated by YAML aliases each time.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;

use crate::load::diagnostics::Diagnostics;
use crate::load::secrets::looks_secret;
use crate::load::suggest::{closest, name_list};
use crate::options::Env;
use crate::position::Position;
use crate::template::{
    Piece, REFERENCE_FORMS, RUN_FIELDS, RefProblem, Reference, escape_runtime_markers, scan,
    unescape_runtime_markers,
};
use crate::text_origin::SqlReference;
use crate::yaml::line_index::LineIndex;
use crate::yaml::tree::{NodeId, Tree, Value};

/// Where a string value is, which decides what it may reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ctx<'a> {
    /// The value of var `name`: only earlier vars, no targets.
    Var(&'a str),
    /// Inside `targets`: no target references.
    Targets,
    General,
    /// `sql.text` or a gate `query`.
    Sql,
    /// The `command` string of a `shell: true` step, or the argument after `sh -c` in an
    /// argument list: what a shell reads as code.
    Shell,
}

/// The values that are code, found before interpolation: what a reference in them may give is
/// limited to plain tokens.
pub(crate) struct CodeNodes {
    /// `sql.text` and gate queries.
    pub sql: HashSet<NodeId>,
    /// `command` strings of `shell: true` steps.
    pub shell: HashSet<NodeId>,
    /// Values the engine expands `${targets...}` in ([`super::steps::engine_expanded_nodes`]).
    pub engine: HashSet<NodeId>,
}

pub(crate) struct Interpolator<'a> {
    pub source: &'a str,
    pub index: &'a LineIndex<'a>,
    /// Byte offsets where the tree's nodes start, sorted: a value's text ends before the next
    /// one, which bounds the search for its references.
    pub node_starts: Vec<usize>,
    pub env: &'a dyn Env,
    /// Valid var names in declaration order.
    pub declared_vars: Vec<String>,
    pub vars: IndexMap<String, String>,
    /// Declared vars whose value had an error: references to them are not reported again.
    pub failed_vars: HashSet<String>,
    /// Target names with whether they have `postgres`.
    pub targets: Vec<(String, bool)>,
    pub secrets: Vec<String>,
    pub sql_refs: HashMap<NodeId, Vec<SqlReference>>,
    /// See [`crate::ParseOptions::unset_env_is_warning`].
    pub unset_env_is_warning: bool,
    /// How many times each tree node occurs with aliases expanded ([`Tree::occurrences`]).
    pub occurrences: Vec<u64>,
    /// Substituted bytes so far, weighted by occurrences.
    pub substituted_total: u64,
    /// Whether the value being expanded is one the engine expands at run time (`code.engine`):
    /// only there may `${run...}` and `${steps...}` be written.
    pub engine_node: bool,
    /// Every `${steps.ID.outputs.NAME}` accepted so far, checked against the steps once they
    /// are loaded ([`super::outputs::check_output_refs_in`]).
    pub output_refs: Vec<super::outputs::OutputRef>,
    /// The value being expanded by [`Interpolator::expand_tree`].
    pub current_node: Option<NodeId>,
}

/// Substituted text in one value (1 MiB): far more than any path, name or URL.
pub const MAX_SUBSTITUTED_PER_VALUE: usize = 1 << 20;

/// Substituted text in the whole runbook (16 MiB).
pub const MAX_SUBSTITUTED_TOTAL: u64 = 16 << 20;

fn mib(bytes: u64) -> u64 {
    bytes >> 20
}

fn sql_safe(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'))
}

/// The plain-token rule of SQL text, for `sh -c`: the same characters and `/` (paths), none of
/// which the shell reads as code. `$(...)`, backquotes, `;`, quotes, spaces, globs, `~` and
/// redirections are all outside it, so a value cannot become a second command.
fn shell_safe(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-' | b'/'))
}

impl Interpolator<'_> {
    fn declared_list(&self) -> String {
        if self.declared_vars.is_empty() {
            "the runbook declares no vars".to_owned()
        } else {
            format!(
                "the runbook declares vars {}",
                name_list(self.declared_vars.iter().map(String::as_str))
            )
        }
    }

    fn target_list(&self) -> String {
        if self.targets.is_empty() {
            "the runbook declares no targets".to_owned()
        } else {
            format!(
                "the runbook declares targets {}",
                name_list(self.targets.iter().map(|(n, _)| n.as_str()))
            )
        }
    }

    /// Expands the references in one string value. Returns `None` when the value has none.
    pub(crate) fn expand(
        &mut self,
        text: &str,
        start: (usize, Position),
        ctx: Ctx<'_>,
        node: Option<NodeId>,
        diags: &mut Diagnostics,
    ) -> Option<String> {
        if !text.contains("${") {
            return None;
        }
        let (start_offset, start_pos) = start;
        // The value's source runs to the next node (its length in the source has little to do
        // with the text's: block scalars lose their indentation, escapes shrink).
        let next = self.node_starts.partition_point(|&o| o <= start_offset);
        let mut window_end = self
            .node_starts
            .get(next)
            .copied()
            .unwrap_or(self.source.len())
            .min(self.source.len());
        // Slicing inside a character would find nothing and put every reference at the start
        // of the value.
        while !self.source.is_char_boundary(window_end) {
            window_end -= 1;
        }
        let mut cursor = start_offset;
        // A reference whose text is not in the source (written with escapes) ends the search:
        // searching the rest of the value again for each of many such references is quadratic.
        let mut searching = true;
        let mut out = String::with_capacity(text.len());
        let mut sql_refs = Vec::new();
        let mut substituted = 0usize;
        for piece in scan(text) {
            let raw = match &piece {
                Piece::Literal(literal) => {
                    out.push_str(literal);
                    continue;
                }
                Piece::Escape { runtime } => {
                    // `${targets.` in parsed strings is always a reference for the engine, so a
                    // literal one stays escaped (var values are plain text, escaped when used).
                    // SQL text never reaches the engine's expansion (it cannot reference a
                    // target), so there the escape is undone now, like `$${vars.`: the server
                    // got `$${targets.` where the runbook meant `${targets.`.
                    let keep = *runtime && !matches!(ctx, Ctx::Var(_) | Ctx::Sql);
                    out.push_str(if keep { "$${" } else { "${" });
                    continue;
                }
                Piece::Ref { raw, .. } | Piece::Bad { raw, .. } => *raw,
            };
            let found = if searching {
                self.source
                    .get(cursor..window_end)
                    .and_then(|w| w.find(raw))
            } else {
                None
            };
            let pos = match found {
                Some(found) => {
                    cursor += found + raw.len();
                    self.index.position(cursor - raw.len())
                }
                None => {
                    searching = false;
                    start_pos
                }
            };
            match piece {
                Piece::Bad { problem, raw, .. } => {
                    let message = match problem {
                        RefProblem::Unterminated => format!(
                            "unterminated reference '{raw}': expected a closing '}}' (write $${{ for a literal ${{)"
                        ),
                        RefProblem::Malformed => {
                            format!("malformed reference {raw}: expected {REFERENCE_FORMS}")
                        }
                        RefProblem::UnknownNamespace(ns) => format!(
                            "unknown namespace '{ns}' in {raw}: expected {REFERENCE_FORMS} (write $${{ for a literal ${{)"
                        ),
                    };
                    diags.error(pos, message);
                    out.push_str(raw);
                }
                Piece::Ref { reference, raw, .. } => {
                    if let Some(value) = self.resolve(&reference, raw, pos, ctx, diags) {
                        substituted = substituted.saturating_add(value.len());
                        if substituted > MAX_SUBSTITUTED_PER_VALUE {
                            let what = match ctx {
                                Ctx::Var(name) => format!("var '{name}'"),
                                _ => "this value".to_owned(),
                            };
                            diags.error(
                                pos,
                                format!(
                                    "substituting {raw} ({} bytes) gives {what} more than {} MiB of substituted text; a value may get at most {} MiB from references",
                                    value.len(),
                                    mib(MAX_SUBSTITUTED_PER_VALUE as u64),
                                    mib(MAX_SUBSTITUTED_PER_VALUE as u64),
                                ),
                            );
                            return None;
                        }
                        if ctx == Ctx::Sql {
                            sql_refs.push(SqlReference {
                                reference: raw.to_owned(),
                                position: pos,
                            });
                            if !sql_safe(&value) {
                                diags.error(pos, unsafe_in_sql(&reference, raw));
                            }
                        }
                        if ctx == Ctx::Shell && !shell_safe(&value) {
                            diags.error(pos, unsafe_in_shell(&reference, raw));
                        }
                        // Var values are plain text: a literal `${targets.` in one is escaped
                        // once, where the value is finally used, not again at every var it
                        // passes through (each hop added a `$`).
                        if matches!(ctx, Ctx::Var(_)) {
                            out.push_str(&value);
                        } else {
                            out.push_str(&escape_runtime_markers(&value));
                        }
                    } else {
                        // Target references stay for the engine; failed ones stay as written so
                        // that later checks do not report an empty value on top of the error.
                        // A `$` just before one (only a substituted value can put it there:
                        // written, `$${` is an escape) would turn it into the escape `$${`
                        // for the engine, a literal instead of the URL.
                        if reference.is_runtime() && out.ends_with('$') {
                            diags.error(
                                pos,
                                format!(
                                    "a '$' from the value before {raw} would make the engine read it as the escape $${{ (a literal instead of the value); put something between them"
                                ),
                            );
                        }
                        out.push_str(raw);
                    }
                }
                Piece::Literal(_) | Piece::Escape { .. } => {}
            }
        }
        let before = self.substituted_total;
        let times = node.map_or(1, |n| self.occurrences.get(n).copied().unwrap_or(1));
        self.substituted_total = before.saturating_add(times.saturating_mul(substituted as u64));
        if self.substituted_total > MAX_SUBSTITUTED_TOTAL {
            // Said once, where the total crossed the limit.
            if before <= MAX_SUBSTITUTED_TOTAL {
                diags.error(
                    start_pos,
                    format!(
                        "references substitute more than {} MiB of text in this runbook by here (a value repeated by YAML aliases counts each time); a runbook may substitute at most {} MiB in all",
                        mib(MAX_SUBSTITUTED_TOTAL),
                        mib(MAX_SUBSTITUTED_TOTAL),
                    ),
                );
            }
            return None;
        }
        if let (Some(node), false) = (node, sql_refs.is_empty()) {
            self.sql_refs.insert(node, sql_refs);
        }
        Some(out)
    }

    /// The value to substitute; `None` for target references (kept as written) and errors.
    fn resolve(
        &mut self,
        reference: &Reference,
        raw: &str,
        pos: Position,
        ctx: Ctx<'_>,
        diags: &mut Diagnostics,
    ) -> Option<String> {
        match reference {
            Reference::Env { name, default } => {
                let value = self.env.var(name);
                let resolved = match (value, default) {
                    (Some(v), Some(d)) if v.is_empty() => d.clone(),
                    (Some(v), _) => v,
                    (None, Some(d)) => d.clone(),
                    (None, None) => {
                        let message = format!(
                            "environment variable {name} is not set and {raw} has no default (write ${{env.{name}:-...}})"
                        );
                        if self.unset_env_is_warning {
                            diags.warning(pos, format!("{message}; check and run will need it"));
                            String::new()
                        } else {
                            diags.error(pos, message);
                            return None;
                        }
                    }
                };
                if looks_secret(name) {
                    self.secrets.push(resolved.clone());
                }
                Some(resolved)
            }
            Reference::Var { name } => {
                if let Some(value) = self.vars.get(name) {
                    return Some(value.clone());
                }
                if self.failed_vars.contains(name) {
                    // A var built from a failed one fails with it, silently: otherwise it would
                    // keep the reference as text and, doubled var after var, grow again.
                    if let Ctx::Var(current) = ctx {
                        self.failed_vars.insert(current.to_owned());
                    }
                    return None;
                }
                let message = match ctx {
                    Ctx::Var(current) if current == name => {
                        format!("{raw} refers to var '{name}' itself")
                    }
                    Ctx::Var(current) if self.declared_vars.contains(name) => format!(
                        "{raw} refers to a var declared after '{current}'; vars are resolved in order, so declare '{name}' first"
                    ),
                    _ => {
                        let suggestion = diags
                            .may_suggest(self.declared_vars.len())
                            .then(|| closest(name, self.declared_vars.iter().map(String::as_str)))
                            .flatten()
                            .map(|c| format!(" (did you mean ${{vars.{c}}}?)"))
                            .unwrap_or_default();
                        format!(
                            "undefined reference {raw}: {}{suggestion}",
                            self.declared_list()
                        )
                    }
                };
                diags.error(pos, message);
                None
            }
            Reference::Target { name, field } => {
                let message = match ctx {
                    Ctx::Var(_) => Some(format!(
                        "{raw} cannot be used in vars: target URLs are known only when the run starts; write it where it is used"
                    )),
                    Ctx::Targets => Some(format!("{raw} cannot be used inside targets")),
                    Ctx::Sql => Some(format!(
                        "{raw} cannot be used in SQL text: the statements already run on the step's target"
                    )),
                    Ctx::General | Ctx::Shell => match self.targets.iter().find(|(n, _)| n == name)
                    {
                        None => {
                            let suggestion = diags
                                .may_suggest(self.targets.len())
                                .then(|| {
                                    closest(name, self.targets.iter().map(|(n, _)| n.as_str()))
                                })
                                .flatten()
                                .map(|c| format!(" (did you mean '{c}'?)"))
                                .unwrap_or_default();
                            Some(format!(
                                "undefined reference {raw}: {}{suggestion}",
                                self.target_list()
                            ))
                        }
                        Some((_, false)) => Some(format!(
                            "{raw} refers to target '{name}', which has no postgres connection"
                        )),
                        Some(_) if field != "url" => Some(format!(
                            "unknown field '{field}' in {raw}: expected ${{targets.{name}.url}}"
                        )),
                        Some(_) => None,
                    },
                };
                if let Some(message) = message {
                    diags.error(pos, message);
                }
                None
            }
            Reference::Run { .. } | Reference::Output { .. } => {
                match self.runtime_problem(reference, raw, ctx) {
                    Some(message) => diags.error(pos, message),
                    None => {
                        if let Reference::Output { step, name } = reference {
                            self.output_refs.push(super::outputs::OutputRef {
                                raw: raw.to_owned(),
                                position: pos,
                                node: self.current_node,
                                step: step.clone(),
                                name: name.clone(),
                            });
                        }
                    }
                }
                None
            }
        }
    }

    /// Why `${run...}` or `${steps...}` cannot be written where it is; `None` when it can.
    fn runtime_problem(&self, reference: &Reference, raw: &str, ctx: Ctx<'_>) -> Option<String> {
        if let Reference::Run { field } = reference
            && !RUN_FIELDS.contains(&field.as_str())
        {
            return Some(format!(
                "unknown field '{field}' in {raw}: expected ${{run.id}}, ${{run.started_utc}} or ${{run.evidence_dir}}"
            ));
        }
        let known_safe = matches!(reference, Reference::Run { field } if field != "evidence_dir");
        match ctx {
            Ctx::Var(_) => Some(format!(
                "{raw} cannot be used in vars: its value is known only when the run gets there; write it where it is used"
            )),
            Ctx::Targets => Some(format!("{raw} cannot be used inside targets")),
            Ctx::Sql => Some(format!(
                "cannot paste {raw} into SQL text: its value is known only when the run gets there, so nothing can check it is a plain token; pass it to a sql_file as a psql variable (variables: {{ NAME: \"{raw}\" }}) and write :'NAME' (a literal) or :\"NAME\" (an identifier) in the script"
            )),
            Ctx::Shell if !known_safe => Some(format!(
                "cannot paste {raw} into a command a shell runs (shell: true, or the argument after sh -c): its value is known only when the run gets there and may hold characters sh -c runs as code; pass it through the step's env (env: {{ VALUE: \"{raw}\" }}) and write \"$VALUE\" in the command"
            )),
            _ if !self.engine_node => Some(format!(
                "{raw} cannot be used here: it is expanded only in a shell or container_exec 'command' or 'env' value, a shell's 'produces' path, a require_files 'path', and a sql_file's 'path' or 'variables' value"
            )),
            _ => None,
        }
    }

    /// Expands every string value under `root` (keys stay as written). Values in `code.sql` are
    /// SQL text, values in `code.shell` `shell: true` commands; `ctx` applies to the rest.
    pub(crate) fn expand_tree(
        &mut self,
        tree: &mut Tree,
        root: NodeId,
        ctx: Ctx<'_>,
        code: &CodeNodes,
        done: &mut HashSet<NodeId>,
        diags: &mut Diagnostics,
    ) {
        let mut stack = vec![root];
        let mut replacements = Vec::new();
        while let Some(id) = stack.pop() {
            if !done.insert(id) {
                continue;
            }
            let node = tree.node(id);
            match &node.value {
                Value::Seq(items) => stack.extend(items.iter().rev()),
                Value::Map(entries) => stack.extend(entries.iter().rev().map(|&(_, v)| v)),
                Value::Scalar { text, .. } => {
                    let node_ctx = if code.sql.contains(&id) {
                        Ctx::Sql
                    } else if code.shell.contains(&id) {
                        Ctx::Shell
                    } else {
                        ctx
                    };
                    self.engine_node = code.engine.contains(&id);
                    self.current_node = Some(id);
                    if let Some(mut new) =
                        self.expand(text, (node.offset, node.pos), node_ctx, Some(id), diags)
                    {
                        // Escaped for an engine that will never look at this value: undone
                        // now, so that it is undone exactly once.
                        if !self.engine_node && new.contains("$${") {
                            new = unescape_runtime_markers(&new);
                        }
                        replacements.push((id, new));
                    }
                }
            }
        }
        for (id, new) in replacements {
            if let Value::Scalar { text, .. } = &mut tree.nodes[id].value {
                *text = new;
            }
        }
    }
}

fn unsafe_in_shell(reference: &Reference, raw: &str) -> String {
    let why = "its value has characters other than letters, digits, '_', '.', ':', '-' and '/', which sh -c could run as code";
    let name = match reference {
        Reference::Var { name } => name.to_uppercase().replace(['.', '-'], "_"),
        Reference::Env { name, .. } => name.clone(),
        Reference::Target { .. } | Reference::Run { .. } | Reference::Output { .. } => {
            "VALUE".to_owned()
        }
    };
    format!(
        "cannot paste {raw} into a command a shell runs (shell: true, or the argument after sh -c): {why}; pass it through the step's env (env: {{ {name}: \"{raw}\" }}) and write \"${name}\" in the command"
    )
}

fn unsafe_in_sql(reference: &Reference, raw: &str) -> String {
    let why = "its value has characters other than letters, digits, '_', '.', ':' and '-'";
    match reference {
        Reference::Var { name } => format!(
            "cannot paste {raw} into SQL text: {why}; write :'{name}' (a literal) or :\"{name}\" (an identifier) instead, runbook vars are psql variables"
        ),
        _ => format!(
            "cannot paste {raw} into SQL text: {why}; declare a var with this value and write :'NAME' (a literal) or :\"NAME\" (an identifier)"
        ),
    }
}
