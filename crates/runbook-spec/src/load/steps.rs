//! `steps:`: each step's common keys and its kind's keys are read separately from the same
//! mapping, then checked against the targets and vars.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;

use crate::load::diagnostics::Diagnostics;
use crate::load::messages::{Owner, describe};
use crate::load::suggest::{did_you_mean, name_list};
use crate::names::is_slug;
use crate::position::Position;
use crate::step::{
    COMMON_KEYS, MAX_RETRY_ATTEMPTS, MAX_RETRY_DELAY, STEP_KINDS, Step, StepCommon, StepKind,
};
use crate::steps::kind::{KindSpec, KindVisitor, Needs, StepCx};
use crate::target::Target;
use crate::text_origin::SqlReference;
use crate::when::When;
use crate::yaml::de::from_node_all_errors;
use crate::yaml::tree::{NodeId, Tree, Value};

pub(crate) struct StepsInput<'a> {
    pub tree: &'a Tree,
    pub targets: &'a IndexMap<String, Target>,
    /// Names of targets declared in the file, including ones that failed to load (so that a
    /// broken target does not also make every step that names it an error).
    pub declared_targets: &'a [String],
    pub declared_vars: &'a [String],
    /// The same names as sets: every step looks its target and `when` var up in them.
    pub declared_target_set: &'a HashSet<&'a str>,
    pub declared_var_set: &'a HashSet<&'a str>,
    pub sql_refs: &'a HashMap<NodeId, Vec<SqlReference>>,
}

/// The value nodes that hold SQL text (`sql.text`, gate and `wait_until` queries), found before
/// interpolation: each kind says where its SQL is ([`KindSpec::sql_nodes`]).
pub(crate) fn sql_nodes(tree: &Tree, steps_node: Option<NodeId>) -> Vec<NodeId> {
    struct SqlNodes<'t> {
        tree: &'t Tree,
        step: NodeId,
        nodes: Vec<NodeId>,
    }
    impl KindVisitor for SqlNodes<'_> {
        type Output = ();
        fn visit<K: KindSpec>(&mut self) {
            K::sql_nodes(self.tree, self.step, &mut self.nodes);
        }
    }
    let mut found = SqlNodes {
        tree,
        step: NodeId::default(),
        nodes: Vec::new(),
    };
    for &step in steps_node.map(|s| tree.items(s)).unwrap_or_default() {
        if let Some(kind) = tree.get(step, "kind").and_then(|(_, k)| tree.text(k)) {
            found.step = step;
            crate::steps::visit_kind(kind, &mut found);
        }
    }
    found.nodes
}

/// The values a shell reads as code, found before interpolation: the `command` string of a
/// `shell: true` step, and in an argument list (`shell`, `container_exec`) that starts with a
/// shell (`sh`, `bash`, ...), the argument after its `-c`. A reference in them must give a plain
/// token ([`sql_nodes`]'s rule, and `/`): `["sh", "-c", "echo ${vars.x}"]` runs a var of
/// `$(...)` as surely as `shell: true` does.
pub(crate) fn shell_script_nodes(tree: &Tree, steps_node: Option<NodeId>) -> Vec<NodeId> {
    let mut nodes = Vec::new();
    for &step in steps_node.map(|s| tree.items(s)).unwrap_or_default() {
        let kind = tree.get(step, "kind").and_then(|(_, k)| tree.text(k));
        if !matches!(kind, Some("shell" | "container_exec")) {
            continue;
        }
        let Some((_, command)) = tree.get(step, "command") else {
            continue;
        };
        if tree.text(command).is_some() {
            // A string is only ever run by `sh -c` (with shell: true; otherwise it is refused).
            nodes.push(command);
            continue;
        }
        // The shell may come after a wrapper (`env`, `sudo`, `timeout 60`, `docker exec box`):
        // its `-c` argument is code wherever it starts.
        let items = tree.items(command);
        let Some(shell_at) = items
            .iter()
            .position(|&item| tree.text(item).is_some_and(is_shell_program))
        else {
            continue;
        };
        let script = items.iter().skip(shell_at + 1).position(|&item| {
            tree.text(item)
                .is_some_and(|t| t.starts_with('-') && !t.starts_with("--") && t.contains('c'))
        });
        if let Some(at) = script {
            nodes.extend(items.get(shell_at + at + 2).copied());
        }
    }
    nodes
}

/// `sh`, `bash`, `/bin/sh`, `/usr/bin/env`-less shells: programs whose `-c` argument is code.
fn is_shell_program(program: &str) -> bool {
    let name = program.rsplit('/').next().unwrap_or(program);
    matches!(
        name,
        "sh" | "bash" | "dash" | "zsh" | "ksh" | "ash" | "mksh" | "busybox"
    )
}

/// The values the engine expands `${targets.NAME.url}` in at run time: the command and `env`
/// values of `shell` and `container_exec`. Only there does a literal `${targets.` stay escaped
/// (`$${targets.`) after parsing; everywhere else the escape is undone at once, so that it is
/// undone exactly once wherever the value goes.
pub(crate) fn engine_expanded_nodes(tree: &Tree, steps_node: Option<NodeId>) -> Vec<NodeId> {
    let mut nodes = Vec::new();
    for &step in steps_node.map(|s| tree.items(s)).unwrap_or_default() {
        let kind = tree.get(step, "kind").and_then(|(_, k)| tree.text(k));
        if !matches!(kind, Some("shell" | "container_exec")) {
            continue;
        }
        if let Some((_, command)) = tree.get(step, "command") {
            if tree.text(command).is_some() {
                nodes.push(command);
            } else {
                nodes.extend(tree.items(command).iter().copied());
            }
        }
        if let Some((_, env)) = tree.get(step, "env") {
            nodes.extend(tree.entries(env).iter().map(|&(_, v)| v));
        }
    }
    nodes
}

/// `when:` values written as a single `${vars.NAME}` (or `!${vars.NAME}`) reference. They are
/// left as written, so the condition reads the var itself (set or not) rather than a var named
/// after its value; any other `${...}` in a `when:` is interpolated like every value.
pub(crate) fn var_reference_whens(tree: &Tree, steps_node: Option<NodeId>) -> Vec<NodeId> {
    steps_node
        .map(|s| tree.items(s))
        .unwrap_or_default()
        .iter()
        .filter_map(|&step| tree.get(step, "when").map(|(_, v)| v))
        .filter(|&node| {
            tree.text(node).is_some_and(|text| {
                let text = text.trim();
                let text = text.strip_prefix('!').map_or(text, str::trim_start);
                text.strip_prefix("${vars.")
                    .and_then(|rest| rest.strip_suffix('}'))
                    .is_some_and(crate::names::is_var_name)
            })
        })
        .collect()
}

/// The `undo:` lists of the steps in `steps_node`, each a sequence node: an `undo:` written as
/// one step (a mapping) is wrapped in a sequence of its own first, so that the passes that look
/// at every list of steps before interpolation (SQL, shell code, run-time values) read an undo
/// step exactly as a main one. What is neither is left for [`load_steps`] to report.
pub(crate) fn undo_lists(tree: &mut Tree, steps_node: Option<NodeId>) -> Vec<NodeId> {
    let items: Vec<NodeId> = steps_node
        .map(|s| tree.items(s).to_vec())
        .unwrap_or_default();
    let mut lists = Vec::new();
    for item in items {
        let Some((undo_key, undo)) = tree.get(item, "undo") else {
            continue;
        };
        let list = match tree.node(undo).value {
            Value::Seq(_) => undo,
            Value::Map(_) => {
                let wrapped = crate::yaml::tree::Node {
                    value: Value::Seq(vec![undo]),
                    pos: tree.node(undo).pos,
                    offset: tree.node(undo).offset,
                };
                tree.nodes.push(wrapped);
                let list = tree.nodes.len() - 1;
                if let Value::Map(entries) = &mut tree.nodes[item].value {
                    for (key, value) in entries.iter_mut() {
                        if *key == undo_key {
                            *value = list;
                        }
                    }
                }
                list
            }
            Value::Scalar { .. } => continue,
        };
        lists.push(list);
    }
    lists
}

/// Loads the list under `list` (`steps`, `finally` or a step's `undo`). `seen_ids` is shared
/// by the lists: a step id is unique across the runbook, since it names the step's evidence
/// record.
pub(crate) fn load_steps(
    input: &StepsInput<'_>,
    steps_node: NodeId,
    list: &str,
    seen_ids: &mut HashMap<String, Position>,
    diags: &mut Diagnostics,
) -> Vec<Step> {
    let tree = input.tree;
    let items = match &tree.node(steps_node).value {
        Value::Seq(items) => items,
        _ => {
            let expected = if list == "undo" {
                "a step or a list of steps"
            } else {
                "a list of steps"
            };
            diags.error(
                tree.node(steps_node).pos,
                format!(
                    "invalid '{list}': expected {expected}, found {}",
                    tree.describe(steps_node)
                ),
            );
            return Vec::new();
        }
    };
    if items.is_empty() && list == "steps" {
        diags.error(
            tree.node(steps_node).pos,
            "the runbook has no steps; expected at least one under 'steps'".to_owned(),
        );
    }
    let mut steps = Vec::new();
    for (i, &item) in items.iter().enumerate() {
        if let Some(step) = load_step(input, item, i, list == "undo", seen_ids, diags) {
            steps.push(step);
        }
    }
    steps
}

fn load_step(
    input: &StepsInput<'_>,
    item: NodeId,
    index: usize,
    in_undo: bool,
    seen_ids: &mut HashMap<String, Position>,
    diags: &mut Diagnostics,
) -> Option<Step> {
    let tree = input.tree;
    let pos = tree.node(item).pos;
    if !matches!(tree.node(item).value, Value::Map(_)) {
        diags.error(
            pos,
            format!(
                "invalid step {}: expected a mapping with id and kind, found {}",
                index + 1,
                tree.describe(item)
            ),
        );
        return None;
    }
    let id_node = tree.get(item, "id").map(|(_, v)| v);
    let id_text = id_node.and_then(|v| tree.text(v));
    let label = match id_text {
        Some(id) if is_slug(id) => format!("step '{id}'"),
        _ => format!("step {}", index + 1),
    };
    let mut ok = true;

    if let (Some(id), Some(node)) = (id_text, id_node) {
        let id_pos = tree.node(node).pos;
        if !is_slug(id) {
            diags.error(
                id_pos,
                format!("invalid step id '{id}': expected lowercase letters, digits and -"),
            );
            ok = false;
        } else if let Some(first) = seen_ids.get(id) {
            diags.error(
                id_pos,
                format!(
                    "duplicate step id '{id}' (first used at line {} column {})",
                    first.line, first.column
                ),
            );
            ok = false;
        } else {
            seen_ids.insert(id.to_owned(), id_pos);
        }
    }

    let common: Option<StepCommon> = match from_node_all_errors(tree, item, Some(COMMON_KEYS), &[])
    {
        Ok(common) => Some(common),
        Err(errors) => {
            for e in errors {
                diags.error(e.pos.unwrap_or(pos), describe(&e, Owner::Step(&label), &[]));
            }
            None
        }
    };

    let kind_node = tree.get(item, "kind").map(|(_, v)| v);
    let kind_name = match kind_node.and_then(|k| tree.text(k)) {
        Some(kind) if STEP_KINDS.contains(&kind) => Some(kind),
        None if kind_node.is_none() => {
            diags.error(
                pos,
                format!(
                    "missing required key 'kind' in {label}; expected one of: {}",
                    STEP_KINDS.join(", ")
                ),
            );
            None
        }
        Some(kind) => {
            diags.error(
                tree.node(kind_node.unwrap_or(item)).pos,
                format!(
                    "unknown step kind '{kind}' in {label}{}; expected one of: {}",
                    did_you_mean(kind, STEP_KINDS.iter().copied()),
                    STEP_KINDS.join(", ")
                ),
            );
            None
        }
        None => None,
    };

    let (target_name, target) = match common.as_ref().and_then(|c| c.target.as_deref()) {
        Some(name) => match input.targets.get_key_value(name) {
            Some((k, t)) => (Some(k.as_str()), Some(t)),
            None => {
                if !input.declared_target_set.contains(name) {
                    let node = tree.get(item, "target").map_or(item, |(_, v)| v);
                    let declared = if input.declared_targets.is_empty() {
                        "the runbook declares no targets".to_owned()
                    } else {
                        format!(
                            "the runbook declares targets {}",
                            name_list(input.declared_targets.iter().map(String::as_str))
                        )
                    };
                    let suggestion = if diags.may_suggest(input.declared_targets.len()) {
                        did_you_mean(name, input.declared_targets.iter().map(String::as_str))
                    } else {
                        String::new()
                    };
                    diags.error(
                        tree.node(node).pos,
                        format!("unknown target '{name}' in {label}{suggestion}: {declared}"),
                    );
                }
                ok = false;
                (Some(name), None)
            }
        },
        None => (None, None),
    };

    if common
        .as_ref()
        .and_then(|c| c.timeout)
        .is_some_and(|t| t.as_std().is_zero())
    {
        let node = tree.get(item, "timeout").map_or(item, |(_, v)| v);
        diags.error(
            tree.node(node).pos,
            format!("invalid timeout 0s in {label}: expected more than 0"),
        );
        ok = false;
    }

    if let Some(var) = common
        .as_ref()
        .and_then(|c| c.when.as_ref())
        .and_then(When::var)
        && !input.declared_var_set.contains(var)
    {
        let node = tree.get(item, "when").map_or(item, |(_, v)| v);
        let declared = if input.declared_vars.is_empty() {
            "the runbook declares no vars".to_owned()
        } else {
            format!(
                "the runbook declares vars {}",
                name_list(input.declared_vars.iter().map(String::as_str))
            )
        };
        diags.error(
            tree.node(node).pos,
            format!("undefined var '{var}' in 'when' of {label}: {declared}"),
        );
        ok = false;
    }

    if let Some(retry) = common.as_ref().and_then(|c| c.retry) {
        let node = tree.get(item, "retry").map_or(item, |(_, v)| v);
        let problem = if !(1..=MAX_RETRY_ATTEMPTS).contains(&retry.attempts) {
            Some(format!(
                "invalid retry attempts {} in {label}: expected 1 to {MAX_RETRY_ATTEMPTS}",
                retry.attempts
            ))
        } else if !(1..=10).contains(&retry.backoff) {
            Some(format!(
                "invalid retry backoff {} in {label}: expected 1 to 10",
                retry.backoff
            ))
        } else if retry.delay > MAX_RETRY_DELAY {
            Some(format!(
                "invalid retry delay {} in {label}: expected at most {MAX_RETRY_DELAY}",
                retry.delay
            ))
        } else {
            None
        };
        if let Some(problem) = problem {
            diags.error(tree.node(node).pos, problem);
            ok = false;
        }
    }

    // The undo steps come after their step's id (ids are unique across every list) and are
    // loaded even when the step itself has a problem, so that all errors show at once.
    let undo = match tree.get(item, "undo") {
        Some((key, _)) if in_undo => {
            diags.error(
                tree.node(key).pos,
                format!(
                    "{label} is an undo step and cannot have an undo of its own; put every step of the rollback in its step's undo list"
                ),
            );
            ok = false;
            Vec::new()
        }
        Some((_, list)) => {
            let errors_before = diags.errors.len();
            let undo = load_steps(input, list, "undo", seen_ids, diags);
            if diags.errors.len() != errors_before {
                ok = false;
            }
            undo
        }
        None => Vec::new(),
    };

    let mut cx = KindCx {
        input,
        item,
        label: &label,
        target: target_name.zip(target),
        // When the common keys failed (a bad `timeout`, say), the step's `target` is still
        // written there: "add target: NAME" on top of the real error would send the reader to
        // the wrong line.
        target_named: target_name.is_some()
            || (common.is_none() && tree.get(item, "target").is_some()),
        diags,
    };
    let kind = crate::steps::visit_kind(kind_name?, &mut cx).flatten()?;
    let common = common?;
    if !ok {
        return None;
    }
    Some(Step {
        id: common.id,
        kind,
        description: common.description,
        target: common.target,
        timeout: common.timeout,
        when: common.when,
        continue_on_error: common.continue_on_error,
        retry: common.retry,
        undo,
        position: pos,
    })
}

/// Loads the step's kind-specific keys as the kind's type, once the kind is known by name.
impl KindVisitor for KindCx<'_, '_> {
    type Output = Option<StepKind>;

    fn visit<K: KindSpec>(&mut self) -> Option<StepKind> {
        self.load::<K>()
    }
}

struct KindCx<'a, 'i> {
    input: &'a StepsInput<'i>,
    item: NodeId,
    label: &'a str,
    target: Option<(&'a str, &'a Target)>,
    /// A target was named, even if it does not exist (already reported).
    target_named: bool,
    diags: &'a mut Diagnostics,
}

impl KindCx<'_, '_> {
    fn load<K: KindSpec>(&mut self) -> Option<StepKind> {
        let tree = self.input.tree;
        let pos = tree.node(self.item).pos;
        let mut kind: K = match from_node_all_errors(tree, self.item, None, COMMON_KEYS) {
            Ok(kind) => kind,
            Err(errors) => {
                for e in errors {
                    self.diags.error(
                        e.pos.unwrap_or(pos),
                        describe(&e, Owner::Step(self.label), COMMON_KEYS),
                    );
                }
                return None;
            }
        };
        let errors_before = self.diags.errors.len();
        let target_pos = tree
            .get(self.item, "target")
            .map_or(pos, |(_, v)| tree.node(v).pos);
        match K::NEEDS {
            Needs::Nothing => {}
            Needs::Postgres => match self.target {
                Some((_, target)) if target.has_postgres() => {}
                Some((name, _)) => self.diags.error(
                    target_pos,
                    format!(
                        "target '{name}' of {} has no postgres connection, which kind {} needs",
                        self.label,
                        K::KIND
                    ),
                ),
                None if self.target_named => {}
                None => {
                    let candidates: Vec<&str> = self
                        .input
                        .targets
                        .iter()
                        .filter(|(_, t)| t.has_postgres())
                        .map(|(n, _)| n.as_str())
                        .collect();
                    let hint = if candidates.is_empty() {
                        "declare one under targets".to_owned()
                    } else {
                        format!("one of: {}", candidates.join(", "))
                    };
                    self.diags.error(
                        pos,
                        format!(
                            "{} (kind {}) needs a target with a postgres connection; add target: NAME ({hint})",
                            self.label,
                            K::KIND
                        ),
                    );
                }
            },
            Needs::Container => {
                let target_container = self.target.and_then(|(_, t)| t.container.clone());
                let label = self.label;
                let target = self.target;
                if let Some(slot) = kind.container_slot() {
                    if slot.is_none() {
                        *slot = target_container;
                    }
                    if slot.is_none() && !self.target_named {
                        self.diags.error(
                            pos,
                            format!(
                                "{label} (kind {}) does not say which container; add container: NAME or a target with container: NAME",
                                K::KIND
                            ),
                        );
                    } else if slot.is_none()
                        && let Some((name, _)) = target
                    {
                        self.diags.error(
                            target_pos,
                            format!("target '{name}' of {label} names no container, which kind {} needs; add container: NAME to the step or the target", K::KIND),
                        );
                    }
                }
            }
        }
        let mut cx = StepCx {
            tree,
            node: self.item,
            label: self.label.to_owned(),
            target: self.target,
            diagnostics: self.diags,
            sql_references: self.input.sql_refs,
        };
        kind.validate(&mut cx);
        (self.diags.errors.len() == errors_before).then(|| kind.into())
    }
}
