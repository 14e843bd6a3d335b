//! The passes in order; see the module overview in `load`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use sha2::{Digest, Sha256};

use crate::errors::{SpecError, SpecErrors};
use crate::load::diagnostics::Diagnostics;
use crate::load::interpolate::{CodeNodes, Ctx, Interpolator};
use crate::load::messages::{Owner, describe};
use crate::load::outputs::{check_output_refs_in, runtime_expanded_nodes};
use crate::load::raw::RunbookFile;
use crate::load::secrets::{normalize, step_env_secrets};
use crate::load::steps::{
    StepsInput, engine_expanded_nodes, load_steps, shell_script_nodes, sql_nodes, undo_lists,
    var_reference_whens,
};
use crate::load::targets::{load_targets, target_outline};
use crate::load::vars::resolve_vars;
use crate::names::is_slug;
use crate::options::ParseOptions;
use crate::position::Position;
use crate::runbook::{Evidence, Runbook};
use crate::yaml::de::from_node_all_errors;
use crate::yaml::line_index::LineIndex;
use crate::yaml::tree::{NodeId, Tree, TreeErrorKind, Value};

fn single(file: &Path, pos: Position, message: String) -> SpecErrors {
    SpecErrors {
        errors: vec![SpecError {
            file: file.to_owned(),
            line: pos.line,
            column: pos.column,
            message,
        }],
    }
}

/// serde_yaml's verdict on the syntax, with its location taken out of the message (the error's
/// own position replaces it). `None` when serde_yaml accepts the text, or for the problems the
/// tree pass words better (duplicate keys, several documents) or has already bounded (aliases).
///
/// Runs after the tree pass, which bounds nesting and alias expansion: libyaml (under
/// serde_yaml) spends time quadratic in the nesting depth (it walks its stack of possible simple
/// keys for every token; 200 KB of `[` took 27 s) and serde_yaml expands aliases while building
/// its value, so it must only see text the tree pass accepted. When that pass stopped early (a
/// syntax error, a second document), serde_yaml gets the text up to the end of that line only
/// (`end`), since what follows was never checked.
fn syntax_error(text: &str, end: usize, index: &LineIndex<'_>) -> Option<(Position, String)> {
    let error = serde_yaml::from_str::<serde_yaml::Value>(&text[..end]).err()?;
    let message = error.to_string();
    // Nested duplicates come prefixed with their path ("steps[0]: duplicate entry ...").
    if message.contains("duplicate entry with key")
        || message.contains("more than one document")
        || message.starts_with("repetition limit exceeded")
    {
        return None;
    }
    let (pos, message) = match error.location() {
        Some(loc) => {
            // From the byte index: libyaml's own line count also breaks lines at NEL, LS and PS.
            let pos = index.position(loc.index());
            let marker = format!(" at line {} column {}", loc.line(), loc.column());
            (pos, message.replacen(&marker, "", 1))
        }
        None => (Position::new(1, 1), message),
    };
    Some((pos, format!("invalid YAML: {message}")))
}

pub(crate) fn parse(
    source: &str,
    file: &Path,
    options: &ParseOptions<'_>,
) -> Result<Runbook, SpecErrors> {
    let sha256 = hex::encode(Sha256::digest(source.as_bytes()));
    let text = source.strip_prefix('\u{feff}').unwrap_or(source);
    let index = LineIndex::new(text);
    // YAML breaks lines at a lone `\r`; positions here (and in every editor this tool's users
    // have) do not, so such a file would get its errors at lines that do not exist.
    if let Some((at, _)) = text
        .match_indices('\r')
        .find(|&(at, _)| text.as_bytes().get(at + 1) != Some(&b'\n'))
    {
        return Err(single(
            file,
            index.position(at),
            "a carriage return (\\r) not followed by a line feed: expected LF or CRLF line endings"
                .to_owned(),
        ));
    }
    let (mut tree, tree_errors) = Tree::build(text, &index);
    if let Some(limit) = tree_errors.iter().find(|e| e.kind == TreeErrorKind::Limit) {
        return Err(single(file, limit.pos, limit.message.clone()));
    }
    // Where the tree pass stopped (a syntax error, a second document, an unknown alias).
    let stopped_at = if tree.complete {
        None
    } else {
        tree_errors.last().map(|e| e.pos.line)
    };
    let checked = stopped_at.map_or(text.len(), |line| {
        text.split_inclusive('\n')
            .take(line as usize)
            .map(str::len)
            .sum()
    });
    if let Some((pos, message)) = syntax_error(text, checked, &index)
        // Past the cut, serde_yaml only saw the text end early: the tree pass's message stands.
        && stopped_at.is_none_or(|line| pos.line <= line)
    {
        return Err(single(file, pos, message));
    }
    let mut diags = Diagnostics::default();
    for e in tree_errors {
        diags.error(e.pos, e.message);
    }
    let Some(root) = tree
        .root
        .filter(|&r| tree.text(r).is_some() || !matches!(tree.node(r).value, Value::Scalar { .. }))
    else {
        // A syntax error that stopped the tree pass at its start is the whole story; the file
        // is only "empty" when nothing was wrong with it.
        if diags.errors.is_empty() {
            diags.error(
                Position::new(1, 1),
                "the file is empty; expected a runbook with version, name and steps".to_owned(),
            );
        }
        return Err(SpecErrors {
            errors: Diagnostics::to_spec_errors(&diags.errors, file),
        });
    };
    if !matches!(tree.node(root).value, Value::Map(_)) {
        diags.error(
            tree.node(root).pos,
            format!(
                "expected a mapping with version, name and steps at the top level, found {}",
                tree.describe(root)
            ),
        );
        return Err(SpecErrors {
            errors: Diagnostics::to_spec_errors(&diags.errors, file),
        });
    }

    let vars_entry = tree.get(root, "vars");
    let targets_entry = tree.get(root, "targets");
    let steps_entry = tree.get(root, "steps");
    let finally_entry = tree.get(root, "finally");
    // Every list of steps (main, each step's `undo:`, finally), in the order they run, for the
    // passes that look at every step's keys before interpolation.
    let undo_lists = undo_lists(&mut tree, steps_entry.map(|(_, v)| v));
    let step_lists: Vec<Option<NodeId>> = std::iter::once(steps_entry.map(|(_, v)| v))
        .chain(undo_lists.iter().map(|&l| Some(l)))
        .chain(std::iter::once(finally_entry.map(|(_, v)| v)))
        .collect();
    let vars_key_pos = vars_entry.map_or(Position::new(1, 1), |(k, _)| tree.node(k).pos);

    let mut node_starts: Vec<usize> = tree.nodes.iter().map(|n| n.offset).collect();
    node_starts.sort_unstable();
    node_starts.dedup();
    let mut interp = Interpolator {
        source: text,
        index: &index,
        node_starts,
        env: options.env,
        declared_vars: Vec::new(),
        vars: IndexMap::new(),
        failed_vars: HashSet::new(),
        targets: target_outline(&tree, targets_entry.map(|(_, v)| v)),
        secrets: Vec::new(),
        sql_refs: HashMap::new(),
        unset_env_is_warning: options.unset_env_is_warning,
        occurrences: tree.occurrences(),
        substituted_total: 0,
        engine_node: false,
        output_refs: Vec::new(),
        current_node: None,
    };
    resolve_vars(
        &tree,
        vars_entry.map(|(_, v)| v),
        vars_key_pos,
        &options.vars,
        &mut interp,
        &mut diags,
    );

    // Volume sources and ports written as references, told apart before interpolation
    // hides them.
    let referenced_entries: Vec<_> = step_lists
        .iter()
        .flat_map(|&list| crate::steps::container_start::referenced_entries(&tree, list))
        .collect();
    // Interpolate everything but vars (already resolved) and keys.
    let code = CodeNodes {
        sql: step_lists
            .iter()
            .flat_map(|&list| sql_nodes(&tree, list))
            .collect(),
        shell: step_lists
            .iter()
            .flat_map(|&list| shell_script_nodes(&tree, list))
            .collect(),
        engine: step_lists
            .iter()
            .flat_map(|&list| engine_expanded_nodes(&tree, list))
            .chain(
                step_lists
                    .iter()
                    .flat_map(|&list| runtime_expanded_nodes(&tree, list)),
            )
            .collect(),
    };
    let mut done = HashSet::new();
    if let Some((_, vars)) = vars_entry {
        done.insert(vars);
    }
    for list in step_lists {
        done.extend(var_reference_whens(&tree, list));
    }
    if let Some((_, targets)) = targets_entry {
        interp.expand_tree(
            &mut tree,
            targets,
            Ctx::Targets,
            &code,
            &mut done,
            &mut diags,
        );
    }
    let top: Vec<_> = tree.entries(root).iter().map(|&(_, v)| v).collect();
    for value in top {
        interp.expand_tree(&mut tree, value, Ctx::General, &code, &mut done, &mut diags);
    }

    crate::steps::container_start::check_referenced_entries(&tree, &referenced_entries, &mut diags);

    let mut secrets = std::mem::take(&mut interp.secrets);
    let targets = load_targets(
        &tree,
        targets_entry.map(|(_, v)| v),
        options.env,
        &mut secrets,
        &mut diags,
    );

    let top_level: Option<RunbookFile> = match from_node_all_errors(&tree, root, None, &[]) {
        Ok(top) => Some(top),
        Err(errors) => {
            for e in errors {
                diags.error(
                    e.pos.unwrap_or(tree.node(root).pos),
                    describe(&e, Owner::TopLevel, &[]),
                );
            }
            None
        }
    };
    let value_pos = |key: &str| {
        tree.get(root, key)
            .map_or(tree.node(root).pos, |(_, v)| tree.node(v).pos)
    };
    if let Some(top) = &top_level {
        if top.version != 1 {
            diags.error(
                value_pos("version"),
                format!(
                    "unsupported version {}: this tool reads runbook version 1",
                    top.version
                ),
            );
        }
        if !is_slug(&top.name) {
            diags.error(
                value_pos("name"),
                format!(
                    "invalid name '{}': expected lowercase letters, digits and - (it names the evidence folder)",
                    top.name
                ),
            );
        }
        if top
            .evidence
            .as_ref()
            .and_then(|e| e.dir.as_ref())
            .is_some_and(|d| d.as_os_str().is_empty())
        {
            diags.error(
                value_pos("evidence"),
                "empty evidence dir; leave it out for artifacts/<name>".to_owned(),
            );
        }
    }

    let declared_targets: Vec<String> = interp.targets.iter().map(|(n, _)| n.clone()).collect();
    let input = StepsInput {
        tree: &tree,
        targets: &targets,
        declared_targets: &declared_targets,
        declared_vars: &interp.declared_vars,
        declared_target_set: &declared_targets.iter().map(String::as_str).collect(),
        declared_var_set: &interp.declared_vars.iter().map(String::as_str).collect(),
        sql_refs: &interp.sql_refs,
    };
    let mut seen_ids = HashMap::new();
    let steps = match steps_entry {
        Some((_, steps)) => load_steps(&input, steps, "steps", &mut seen_ids, &mut diags),
        None => Vec::new(),
    };
    let finally = match finally_entry {
        Some((_, list)) => load_steps(&input, list, "finally", &mut seen_ids, &mut diags),
        None => Vec::new(),
    };
    // An undo step may run in a later process (`runbook undo DIR`), which has none of the
    // first run's outputs: it cannot use `${steps...}`.
    let in_undo = nodes_under(&tree, &undo_lists);
    let (undo_refs, refs): (Vec<_>, Vec<_>) = std::mem::take(&mut interp.output_refs)
        .into_iter()
        .partition(|r| r.node.is_some_and(|n| in_undo.contains(&n)));
    for r in undo_refs {
        diags.error(
            r.position,
            format!(
                "'{}' in an undo step: an undo step cannot use step outputs, since `runbook undo` runs it later without the run's outputs",
                r.raw
            ),
        );
    }
    // The finally steps run after the main ones: they may use every main step's outputs.
    let main_and_finally = [steps_entry, finally_entry].map(|entry| entry.map(|(_, v)| v));
    check_output_refs_in(
        &tree,
        &main_and_finally,
        steps.iter().chain(&finally),
        &refs,
        &mut diags,
    );

    if top_level
        .as_ref()
        .is_some_and(|top| top.on_failure == Some(crate::runbook::OnFailure::Undo))
        && !steps.is_empty()
        && steps.iter().all(|s| s.undo.is_empty())
    {
        diags.warning(
            value_pos("on_failure"),
            "on_failure: undo, but no step declares undo: a failed run has nothing to undo"
                .to_owned(),
        );
    }
    secrets.append(&mut interp.secrets);
    secrets.extend(step_env_secrets(&steps));
    secrets.extend(step_env_secrets(&finally));
    for step in &steps {
        secrets.extend(step_env_secrets(&step.undo));
    }
    match top_level {
        Some(top) if !diags.has_errors() => {
            let dir = top
                .evidence
                .and_then(|e| e.dir)
                .unwrap_or_else(|| PathBuf::from("artifacts").join(&top.name));
            Ok(Runbook {
                file: file.to_owned(),
                source: source.to_owned(),
                sha256,
                version: top.version,
                name: top.name,
                description: top.description,
                vars: interp.vars,
                targets,
                evidence: Evidence { dir },
                on_failure: top.on_failure.unwrap_or_default(),
                steps,
                finally,
                warnings: Diagnostics::to_spec_errors(&diags.warnings, file),
                secrets: normalize(secrets),
            })
        }
        _ => Err(SpecErrors {
            errors: Diagnostics::to_spec_errors(&diags.errors, file),
        }),
    }
}

/// Every node under the given ones (themselves included).
fn nodes_under(tree: &Tree, roots: &[NodeId]) -> HashSet<NodeId> {
    let mut seen = HashSet::new();
    let mut stack = roots.to_vec();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        match &tree.node(id).value {
            Value::Seq(children) => stack.extend(children.iter().copied()),
            Value::Map(entries) => stack.extend(entries.iter().map(|&(_, v)| v)),
            Value::Scalar { .. } => {}
        }
    }
    seen
}
