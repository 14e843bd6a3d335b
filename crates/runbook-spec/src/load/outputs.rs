//! Step outputs: what each kind declares (statically, so `${steps.ID.outputs.NAME}` is checked
//! before anything runs), where run-time references may be written, and the check of every
//! output reference once the steps are loaded: the step must exist, come earlier and declare
//! the output.

use std::collections::HashMap;

use crate::StepKind;
use crate::load::diagnostics::Diagnostics;
use crate::load::suggest::{closest, name_list};
use crate::position::Position;
use crate::step::Step;
use crate::yaml::tree::{NodeId, Tree, Value};

/// A `${steps.ID.outputs.NAME}` the interpolator accepted, to be checked against the steps.
#[derive(Debug, Clone)]
pub(crate) struct OutputRef {
    pub raw: String,
    pub position: Position,
    /// The value it was written in (`None` only outside `expand_tree`, never for steps).
    pub node: Option<NodeId>,
    pub step: String,
    pub name: String,
}

impl StepKind {
    /// The outputs a step of this kind gives later steps (`${steps.ID.outputs.NAME}`), known
    /// from the runbook alone: `container_start` gives `container_id` and `port` (the host port
    /// published for 5432, else for the first mapping), `shell` its `stdout_last_line` and one
    /// per `produces` entry (the file's path), `require_files` `sha256_1`, `sha256_2`, ... (one
    /// per file, in order) and `sha256` when it lists one file, `migrate` `applied` (how many
    /// migrations it applied) and `version` (the newest applied version or migration name).
    pub fn outputs(&self) -> Vec<String> {
        match self {
            StepKind::Migrate(_) => vec!["applied".to_owned(), "version".to_owned()],
            StepKind::ContainerStart(_) => vec!["container_id".to_owned(), "port".to_owned()],
            StepKind::Shell(shell) => std::iter::once("stdout_last_line".to_owned())
                .chain(shell.produces.keys().cloned())
                .collect(),
            StepKind::RequireFiles(require) => {
                let single = (require.files.len() == 1).then(|| "sha256".to_owned());
                single
                    .into_iter()
                    .chain((1..=require.files.len()).map(|i| format!("sha256_{i}")))
                    .collect()
            }
            _ => Vec::new(),
        }
    }
}

/// The values, besides the `command` and `env` of `shell` and `container_exec`
/// ([`super::steps::engine_expanded_nodes`]), that the engine expands at run time: a shell's
/// `produces` paths, `require_files` paths, a `sql_file`'s `path` and `variables` values and a
/// `wait_until`'s `file_exists`. Only in these may `${run...}` and `${steps...}` be written.
pub(crate) fn runtime_expanded_nodes(tree: &Tree, steps_node: Option<NodeId>) -> Vec<NodeId> {
    let mut nodes = Vec::new();
    for &step in steps_node.map(|s| tree.items(s)).unwrap_or_default() {
        let kind = tree.get(step, "kind").and_then(|(_, k)| tree.text(k));
        match kind {
            Some("shell") => {
                if let Some((_, produces)) = tree.get(step, "produces") {
                    nodes.extend(tree.entries(produces).iter().map(|&(_, v)| v));
                }
            }
            Some("require_files") => {
                if let Some((_, files)) = tree.get(step, "files") {
                    nodes.extend(
                        tree.items(files)
                            .iter()
                            .filter_map(|&f| tree.get(f, "path").map(|(_, v)| v)),
                    );
                }
            }
            // The path polled: a file an earlier step produces (or names with the run's id).
            Some("wait_until") => nodes.extend(tree.get(step, "file_exists").map(|(_, v)| v)),
            Some("sql_file") => {
                nodes.extend(tree.get(step, "path").map(|(_, v)| v));
                if let Some((_, variables)) = tree.get(step, "variables") {
                    nodes.extend(tree.entries(variables).iter().map(|&(_, v)| v));
                }
            }
            _ => {}
        }
    }
    nodes
}

/// Checks every output reference: the step it names exists, comes before the step that uses
/// it, and declares the output. A step that failed to load is not reported again. `lists` are
/// lists of steps that run one after the other (`steps`, then a list that runs after them, such
/// as `finally`): a step may use the outputs of every step in an earlier list and of the steps
/// before it in its own.
pub(crate) fn check_output_refs_in<'a>(
    tree: &Tree,
    lists: &[Option<NodeId>],
    steps: impl Iterator<Item = &'a Step>,
    refs: &[OutputRef],
    diags: &mut Diagnostics,
) {
    if refs.is_empty() {
        return;
    }
    let items: Vec<NodeId> = lists
        .iter()
        .flat_map(|list| list.map(|l| tree.items(l)).unwrap_or_default())
        .copied()
        .collect();
    let items = items.as_slice();
    // Each step's id as written, by position in the lists (a step without one has none).
    let ids: Vec<Option<&str>> = items
        .iter()
        .map(|&item| tree.get(item, "id").and_then(|(_, v)| tree.text(v)))
        .collect();
    let owner = owners(tree, items);
    let loaded: HashMap<&str, &Step> = steps.map(|s| (s.id.as_str(), s)).collect();
    for r in refs {
        let Some(user) = r.node.and_then(|n| owner.get(&n).copied()) else {
            continue;
        };
        let user_id = ids[user].unwrap_or("?");
        let Some(at) = ids.iter().position(|id| *id == Some(r.step.as_str())) else {
            let earlier: Vec<&str> = ids[..user].iter().flatten().copied().collect();
            let suggestion = closest(&r.step, earlier.iter().copied())
                .map(|c| format!(" (did you mean '{c}'?)"))
                .unwrap_or_default();
            let known = if user == 0 {
                format!("'{user_id}' is the first step")
            } else {
                format!(
                    "the steps before '{user_id}' are {}",
                    name_list(earlier.iter().copied())
                )
            };
            diags.error(
                r.position,
                format!(
                    "undefined reference {}: no step '{}' in this runbook; {known}{suggestion}",
                    r.raw, r.step
                ),
            );
            continue;
        };
        if at >= user {
            let which = if at == user {
                "itself".to_owned()
            } else {
                format!("step '{}', which comes after it", r.step)
            };
            diags.error(
                r.position,
                format!(
                    "{} in step '{user_id}' refers to {which}: a step can use only the outputs of steps that run before it",
                    r.raw
                ),
            );
            continue;
        }
        let Some(step) = loaded.get(r.step.as_str()) else {
            continue;
        };
        let declared = step.kind.outputs();
        if !declared.contains(&r.name) {
            let has = if declared.is_empty() {
                format!("a {} step has no outputs", step.kind.name())
            } else {
                format!(
                    "it declares {}",
                    name_list(declared.iter().map(String::as_str))
                )
            };
            let suggestion = closest(&r.name, declared.iter().map(String::as_str))
                .map(|c| format!(" (did you mean ${{steps.{}.outputs.{c}}}?)", r.step))
                .unwrap_or_default();
            diags.error(
                r.position,
                format!(
                    "undefined reference {}: step '{}' has no output '{}'; {has}{suggestion}",
                    r.raw, r.step, r.name
                ),
            );
        }
    }
}

/// Which step (by position in the list) each node under `steps` belongs to.
fn owners(tree: &Tree, items: &[NodeId]) -> HashMap<NodeId, usize> {
    let mut owner = HashMap::new();
    for (i, &item) in items.iter().enumerate() {
        let mut stack = vec![item];
        while let Some(id) = stack.pop() {
            // An alias shares nodes between steps: the first step keeps them.
            if owner.contains_key(&id) {
                continue;
            }
            owner.insert(id, i);
            match &tree.node(id).value {
                Value::Seq(children) => stack.extend(children.iter().copied()),
                Value::Map(entries) => stack.extend(entries.iter().map(|&(_, v)| v)),
                Value::Scalar { .. } => {}
            }
        }
    }
    owner
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::options::{EmptyEnv, ParseOptions};

    fn errors(text: &str) -> Vec<String> {
        let options = ParseOptions {
            env: &EmptyEnv,
            ..Default::default()
        };
        match crate::parse(text, Path::new("rb.yaml"), &options) {
            Ok(_) => Vec::new(),
            Err(e) => e
                .errors
                .iter()
                .map(|e| format!("{}:{}: {}", e.line, e.column, e.message))
                .collect(),
        }
    }

    #[test]
    fn a_step_shared_by_an_alias_is_checked_where_it_is_first_written() {
        // The command list is one node shared by both steps: it belongs to 'b', the first that
        // holds it, where 'a' is earlier and declares stdout_last_line.
        let text = "version: 1\nname: t\nsteps:\n  - id: a\n    kind: shell\n    command: [echo]\n  - id: b\n    kind: shell\n    command: &c [echo, \"${steps.a.outputs.stdout_last_line}\"]\n  - id: c\n    kind: shell\n    command: *c\n";
        assert_eq!(errors(text), Vec::<String>::new());
        let text = "version: 1\nname: t\nsteps:\n  - id: a\n    kind: shell\n    command: [echo, \"${steps.b.outputs.stdout_last_line}\"]\n  - id: b\n    kind: sql\n    target: x\n    text: SELECT 1\n";
        let found = errors(text);
        assert!(
            found.iter().any(|e| e.starts_with("6:22: ${steps.b.outputs.stdout_last_line} in step 'a' refers to step 'b', which comes after it")),
            "{found:#?}"
        );
    }
}
