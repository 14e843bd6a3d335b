//! `vars:` resolved in declaration order, with `--var` overrides.

use std::collections::BTreeMap;

use crate::load::diagnostics::Diagnostics;
use crate::load::interpolate::{Ctx, Interpolator};
use crate::load::secrets::looks_secret;
use crate::load::suggest::name_list;
use crate::names::is_var_name;
use crate::position::Position;
use crate::yaml::tree::{NodeId, Tree, Value};

/// Fills `interp.vars`. `vars_key` is the position of the `vars:` key, where problems with
/// `--var` (which has no place in the file) are reported.
pub(crate) fn resolve_vars(
    tree: &Tree,
    vars_node: Option<NodeId>,
    vars_key: Position,
    overrides: &BTreeMap<String, String>,
    interp: &mut Interpolator<'_>,
    diags: &mut Diagnostics,
) {
    let entries: &[(NodeId, NodeId)] = match vars_node {
        None => &[],
        Some(id) => match &tree.node(id).value {
            Value::Map(entries) => entries,
            _ if tree.text(id).is_none() && !matches!(tree.node(id).value, Value::Seq(_)) => &[],
            _ => {
                diags.error(
                    tree.node(id).pos,
                    format!(
                        "invalid 'vars': expected a mapping of names to text, found {}",
                        tree.describe(id)
                    ),
                );
                &[]
            }
        },
    };
    for &(key, _) in entries {
        match tree.key_text(key) {
            Some(name) if is_var_name(name) => interp.declared_vars.push(name.to_owned()),
            Some(name) => diags.error(
                tree.node(key).pos,
                format!("invalid var name '{name}': expected letters, digits and _, not starting with a digit"),
            ),
            None => diags.error(tree.node(key).pos, "invalid var name: expected text".to_owned()),
        }
    }
    for name in overrides.keys() {
        if !interp.declared_vars.contains(name) {
            let declared = if interp.declared_vars.is_empty() {
                "the runbook declares no vars".to_owned()
            } else {
                format!(
                    "the runbook declares {}",
                    name_list(interp.declared_vars.iter().map(String::as_str))
                )
            };
            diags.error(
                vars_key,
                format!("unknown var '{name}' given with --var: {declared}"),
            );
        }
    }
    for &(key, value) in entries {
        let Some(name) = tree.key_text(key).filter(|n| is_var_name(n)) else {
            continue;
        };
        let resolved = if let Some(given) = overrides.get(name) {
            // A value typed on the command line under a secret-looking name is treated like one
            // from a secret environment variable.
            if looks_secret(name) {
                interp.secrets.push(given.clone());
            }
            given.clone()
        } else {
            let node = tree.node(value);
            match &node.value {
                Value::Scalar { text, .. } => {
                    let errors_before = diags.errors.len();
                    let text = if tree.text(value).is_none() {
                        ""
                    } else {
                        text.as_str()
                    };
                    let expanded =
                        interp.expand(text, (node.offset, node.pos), Ctx::Var(name), None, diags);
                    if diags.errors.len() > errors_before || interp.failed_vars.contains(name) {
                        interp.failed_vars.insert(name.to_owned());
                        continue;
                    }
                    expanded.unwrap_or_else(|| text.to_owned())
                }
                _ => {
                    diags.error(
                        node.pos,
                        format!(
                            "invalid value for var '{name}': expected text, found {}",
                            tree.describe(value)
                        ),
                    );
                    interp.failed_vars.insert(name.to_owned());
                    continue;
                }
            }
        };
        interp.vars.insert(name.to_owned(), resolved);
    }
}
