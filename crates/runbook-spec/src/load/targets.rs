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
            if let Some(url) = &pg.url {
                secrets.extend(connection_passwords(url));
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

/// The passwords written into a connection string, so that they are redacted like any other
/// secret: the user info of `scheme://user:password@host` and a `password=` query parameter (as
/// written and percent-decoded, since either form can reach a log), or the `password` of a
/// key=value string (`host=db password='s3cret'`), which `url` also accepts.
fn connection_passwords(url: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut add = |raw: &str| {
        if raw.is_empty() {
            return;
        }
        found.push(raw.to_owned());
        if let Some(decoded) = percent_decoded(raw).filter(|d| d != raw) {
            found.push(decoded);
        }
    };
    match url.split_once("://") {
        Some((_, rest)) => {
            // The credentials end at the last '@' before the first '/', as libpq (and
            // runbook-postgres) find them: a password may hold '?' and '#'.
            let credentials_end = rest[..rest.find('/').unwrap_or(rest.len())].rfind('@');
            let after_credentials = match credentials_end {
                Some(at) => {
                    if let Some((_, password)) = rest[..at].split_once(':') {
                        add(password);
                    }
                    &rest[at + 1..]
                }
                None => rest,
            };
            let query = after_credentials.split_once('?').map_or("", |(_, q)| q);
            for pair in query.split('&') {
                if let Some(("password", value)) = pair.split_once('=') {
                    add(value);
                }
            }
        }
        None => {
            for (key, value) in key_values(url) {
                if key == "password" {
                    add(&value);
                }
            }
        }
    }
    found
}

/// `%XX` escapes decoded; `None` when they do not make UTF-8 text.
fn percent_decoded(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// The `key = value` pairs of a libpq key=value string; values may be single-quoted, with `\'`
/// and `\\` escapes. Text that does not follow the syntax ends the list (the engine reports it).
fn key_values(text: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && !c.is_whitespace()) {
            key.push(c);
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if key.is_empty() || chars.next() != Some('=') {
            return pairs;
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'\'').is_some() {
            while let Some(c) = chars.next() {
                match c {
                    '\'' => break,
                    '\\' => value.extend(chars.next()),
                    c => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                match c {
                    '\\' => value.extend(chars.next()),
                    c => value.push(c),
                }
            }
        }
        pairs.push((key, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_passwords_in_urls() {
        assert_eq!(
            connection_passwords("postgres://u:s3cret@h:5432/db"),
            ["s3cret"]
        );
        assert_eq!(
            connection_passwords("postgres://u:p%40ss@h/db?sslmode=require&password=q%26r"),
            ["p%40ss", "p@ss", "q%26r", "q&r"]
        );
        assert_eq!(
            connection_passwords("postgres://app:ab?cd#ef@db.example:6543/db?sslmode=require"),
            ["ab?cd#ef"]
        );
        assert!(connection_passwords("postgres://u@h/db").is_empty());
        assert!(connection_passwords("postgres://u:@h/db").is_empty());
    }

    #[test]
    fn finds_passwords_in_key_value_strings() {
        assert_eq!(
            connection_passwords("host=db user=ops password=s3cret dbname=app"),
            ["s3cret"]
        );
        assert_eq!(
            connection_passwords("host=db password = 'it\\'s a secret' port=5432"),
            ["it's a secret"]
        );
        assert!(connection_passwords("host=x user=y").is_empty());
        assert!(connection_passwords("host=x password=").is_empty());
    }
}
