//! What `\connect` asks for, as a new connection spec.

use crate::env::Env;
use crate::spec::ConnectionSpec;

/// psql's forms: `\connect [-reuse-previous=on|off] dbname [user [host [port]]]` with `-` for
/// "as before", or a conninfo string / URL in place of dbname. Everything not named is reused
/// from the current connection (psql's default `-reuse-previous`). Public so that consent can
/// tell, before a script runs, which database each `\connect` of it reaches.
pub fn apply(
    current: &ConnectionSpec,
    env: &dyn Env,
    args: &[String],
) -> Result<ConnectionSpec, String> {
    let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
    if let Some(first) = args.first()
        && let Some(value) = first.strip_prefix("-reuse-previous=")
    {
        if !matches!(value, "on" | "off" | "true" | "false" | "1" | "0") {
            return Err(format!(
                "-reuse-previous expects on or off, found \"{value}\""
            ));
        }
        args.remove(0);
    }
    let Some((&first, rest)) = args.split_first() else {
        // psql reconnects to the same database; so do we.
        return Ok(current.clone());
    };
    let mut spec = if first.contains('=') || first.starts_with("postgres") && first.contains("://")
    {
        current.with_conninfo(first).map_err(|e| e.to_string())?
    } else if first == "-" {
        current.clone()
    } else {
        current.with_database(first)
    };
    let given = |index: usize| rest.get(index).copied().filter(|value| *value != "-");
    if let Some(user) = given(0) {
        spec.set_user(user);
    }
    if let Some(host) = given(1) {
        spec.set_host(host);
    }
    if let Some(port) = given(2) {
        let port = port
            .parse()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| format!("expected a port number, found \"{port}\""))?;
        spec.set_port(port);
    }
    if rest.len() > 3 {
        return Err(format!("unexpected extra argument \"{}\"", rest[3]));
    }
    // psql reuses the password only for the same user on the same server: a `\connect` that
    // moves elsewhere must not hand this server's password to another one. What remains is
    // libpq's own fallback, `PGPASSWORD`.
    let moved = spec.user() != current.user()
        || spec.host() != current.host()
        || spec.port() != current.port();
    if moved && spec.password().is_some() && spec.password() == current.password() {
        spec.clear_password();
        if let Some(password) = env.var("PGPASSWORD") {
            spec.set_password(password);
        }
    }
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::apply;
    use crate::env::EmptyEnv;
    use crate::spec::ConnectionSpec;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn forms_psql_accepts() {
        let current = ConnectionSpec::parse("postgres://app:pw@h:5433/one", &EmptyEnv).unwrap();
        let spec = apply(&current, &EmptyEnv, &args(&["two"])).unwrap();
        assert_eq!(
            (spec.dbname(), spec.user(), spec.port()),
            ("two", "app", 5433)
        );
        let spec = apply(
            &current,
            &EmptyEnv,
            &args(&["-reuse-previous=on", "dbname='my-db'"]),
        )
        .unwrap();
        assert_eq!(spec.dbname(), "my-db");
        assert_eq!(spec.password(), Some("pw"));
        let spec = apply(&current, &EmptyEnv, &args(&["-", "bob", "-", "6000"])).unwrap();
        assert_eq!(
            (spec.dbname(), spec.user(), spec.port()),
            ("one", "bob", 6000)
        );
        assert_eq!(apply(&current, &EmptyEnv, &args(&[])).unwrap(), current);
        assert_eq!(
            apply(&current, &EmptyEnv, &args(&["x", "u", "h", "nope"])).unwrap_err(),
            "expected a port number, found \"nope\""
        );
    }

    #[test]
    fn the_password_stays_with_the_server_and_role_it_belongs_to() {
        let current = ConnectionSpec::parse("postgres://app:pw@h:5433/one", &EmptyEnv).unwrap();
        assert_eq!(
            apply(&current, &EmptyEnv, &args(&["two"]))
                .unwrap()
                .password(),
            Some("pw")
        );
        for moved in [
            &["two", "bob"][..],
            &["two", "-", "other-host"],
            &["two", "-", "-", "6000"],
        ] {
            let spec = apply(&current, &EmptyEnv, &args(moved)).unwrap();
            assert_eq!(spec.password(), None, "{moved:?}");
        }
        let env = [("PGPASSWORD", "from-env")];
        let spec = apply(&current, &env, &args(&["two", "bob"])).unwrap();
        assert_eq!(spec.password(), Some("from-env"), "libpq's fallback");
        let spec = apply(
            &current,
            &EmptyEnv,
            &args(&["host=other password=given dbname=x"]),
        )
        .unwrap();
        assert_eq!(
            spec.password(),
            Some("given"),
            "a password given with the new target is used"
        );
    }
}
