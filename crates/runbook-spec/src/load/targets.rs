//! `targets:`: names checked, each target deserialized and checked on its own.

use indexmap::IndexMap;

use crate::load::diagnostics::Diagnostics;
use crate::load::messages::{Owner, describe};
use crate::names::{is_env_name, is_target_name};
use crate::options::Env;
use crate::target::Target;
use crate::yaml::de::from_node_all_errors;
use crate::yaml::tree::{NodeId, Tree, Value};

/// Names and whether each has `postgres`, read before interpolation so that `${targets...}`
/// references can be checked.
pub(crate) fn target_outline(tree: &Tree, targets_node: Option<NodeId>) -> Vec<(String, bool)> {
    let Some(id) = targets_node else {
        return Vec::new();
    };
    tree.entries(id)
        .iter()
        .filter_map(|&(k, v)| {
            let name = tree.key_text(k)?;
            let postgres = tree
                .get(v, "postgres")
                .is_some_and(|(_, p)| matches!(tree.node(p).value, Value::Map(_)));
            Some((name.to_owned(), postgres))
        })
        .collect()
}

/// Deserializes and checks every target; also records `password_env` values as secrets.
pub(crate) fn load_targets(
    tree: &Tree,
    targets_node: Option<NodeId>,
    env: &dyn Env,
    secrets: &mut Vec<String>,
    diags: &mut Diagnostics,
) -> IndexMap<String, Target> {
    let mut targets = IndexMap::new();
    let Some(id) = targets_node else {
        return targets;
    };
    match &tree.node(id).value {
        Value::Map(_) => {}
        _ if tree.text(id).is_none() && !matches!(tree.node(id).value, Value::Seq(_)) => {
            return targets;
        }
        _ => {
            diags.error(
                tree.node(id).pos,
                format!(
                    "invalid 'targets': expected a mapping of target names to targets, found {}",
                    tree.describe(id)
                ),
            );
            return targets;
        }
    }
    for &(key, value) in tree.entries(id) {
        let Some(name) = tree.key_text(key) else {
            continue;
        };
        if !is_target_name(name) {
            diags.error(
                tree.node(key).pos,
                format!(
                    "invalid target name '{name}': expected lowercase letters, digits, _ and -"
                ),
            );
        }
        let target: Target = match from_node_all_errors(tree, value, None, &[]) {
            Ok(target) => target,
            Err(errors) => {
                for e in errors {
                    let pos = e.pos.unwrap_or(tree.node(value).pos);
                    diags.error(pos, describe(&e, Owner::Target(name), &[]));
                }
                continue;
            }
        };
        let pos = tree.node(value).pos;
        let postgres_pos = tree
            .get(value, "postgres")
            .map_or(pos, |(_, p)| tree.node(p).pos);
        if target.postgres.is_none() && target.container.is_none() {
            diags.error(
                pos,
                format!(
                    "target '{name}' has neither postgres nor container; expected at least one"
                ),
            );
        }
        if let Some(pg) = &target.postgres {
            match (&pg.url, pg.ephemeral) {
                (Some(_), true) => diags.error(
                    postgres_pos,
                    format!("target '{name}' sets both url and ephemeral: true; expected one of them"),
                ),
                (None, false) => diags.error(
                    postgres_pos,
                    format!("target '{name}' has postgres without url; expected url: postgres://... or ephemeral: true"),
                ),
                (Some(url), false) if url.trim().is_empty() => {
                    diags.error(postgres_pos, format!("target '{name}' has an empty url"));
                }
                _ => {}
            }
            if let Some(var) = &pg.password_env {
                let var_pos = tree
                    .get(
                        tree.get(value, "postgres").map_or(value, |(_, p)| p),
                        "password_env",
                    )
                    .map_or(postgres_pos, |(_, v)| tree.node(v).pos);
                if pg.ephemeral {
                    diags.error(
                        var_pos,
                        format!("target '{name}' is ephemeral; password_env applies only to a url"),
                    );
                } else if !is_env_name(var) {
                    diags.error(
                        var_pos,
                        format!("invalid password_env '{var}' in target '{name}': expected an environment variable name"),
                    );
                } else if let Some(password) = env.var(var) {
                    secrets.push(password);
                }
            }
            if let Some(url) = &pg.url
                && let Some(password) = url_password(url)
            {
                secrets.push(password.to_owned());
            }
        }
        if let Some(container) = &target.container
            && container.trim().is_empty()
        {
            diags.error(pos, format!("target '{name}' has an empty container name"));
        }
        targets.insert(name.to_owned(), target);
    }
    targets
}

/// The password of `scheme://user:password@host`, so that it is redacted like any other secret.
fn url_password(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let userinfo = rest.split(['/', '?']).next()?.rsplit_once('@')?.0;
    userinfo
        .split_once(':')
        .map(|(_, p)| p)
        .filter(|p| !p.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_passwords_in_urls() {
        assert_eq!(
            url_password("postgres://u:s3cret@h:5432/db"),
            Some("s3cret")
        );
        assert_eq!(url_password("postgres://u@h/db"), None);
        assert_eq!(url_password("host=x user=y"), None);
    }
}
