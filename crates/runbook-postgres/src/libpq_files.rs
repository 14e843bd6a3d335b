//! libpq's two files of connection settings: the password file (`~/.pgpass`, `PGPASSFILE`)
//! and the connection service file (`~/.pg_service.conf`, `PGSERVICEFILE`,
//! `PGSYSCONFDIR/pg_service.conf`).
//!
//! Ops teams keep their passwords there precisely so they are not on command lines or in
//! runbooks; a restore tool that ignores them fails with "password missing" and pushes people
//! to paste the password into the URL. The rules follow libpq 15 (`fe-connect.c`:
//! `passwordFromFile`, `pwdfMatchesString`, `parseServiceInfo`, `parseServiceFile`):
//!
//! - pgpass lines are `host:port:dbname:user:password`; a field that is exactly `*` matches
//!   anything; `\:` and `\\` stand for `:` and `\`; lines starting with `#` are comments; the
//!   first matching line wins. `localhost` matches a connection over the default Unix socket
//!   directory (or with no host at all). A file that is not a plain file, or that the group or
//!   others may access, is ignored with libpq's warning.
//! - a service file is INI-like: `[name]` starts a service, `key=value` lines set connection
//!   parameters that the connection string itself leaves unset; `#` starts a comment. The
//!   user's file is searched first; the system file only when the user's file lacks the
//!   service.
//!
//! Both files are read with a size cap: a huge or endless file is an error, not an allocation.

use std::collections::HashSet;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use crate::env::Env;
use crate::errors::SpecError;

/// The largest password or service file read (libpq has no limit; real files are a few KiB).
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Where libpq looks for the system-wide service file when `PGSYSCONFDIR` is unset: the
/// `sysconfdir` of Debian's libpq (upstream builds use their installation's `etc`).
pub(crate) const DEFAULT_SYSCONFDIR: &str = "/etc/postgresql-common";

/// One field of a pgpass line.
#[derive(Clone, PartialEq, Eq)]
enum Pattern {
    Any,
    Exact(String),
}

impl Pattern {
    fn matches(&self, value: &str) -> bool {
        match self {
            Pattern::Any => true,
            Pattern::Exact(text) => text == value,
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
struct Entry {
    host: Pattern,
    port: Pattern,
    dbname: Pattern,
    user: Pattern,
    password: String,
}

/// A password file that passed libpq's checks, parsed.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Passfile {
    path: PathBuf,
    entries: Vec<Entry>,
}

impl Passfile {
    /// The password of the first line that matches, as libpq's `passwordFromFile`. `host` is
    /// what libpq compares: `localhost` for the default socket directory.
    pub(crate) fn lookup(&self, host: &str, port: &str, dbname: &str, user: &str) -> Option<&str> {
        if dbname.is_empty() || user.is_empty() {
            return None;
        }
        self.entries
            .iter()
            .find(|e| {
                e.host.matches(host)
                    && e.port.matches(port)
                    && e.dbname.matches(dbname)
                    && e.user.matches(user)
            })
            .map(|e| e.password.as_str())
            .filter(|p| !p.is_empty())
    }

    /// Every password in the file: all of them are secrets, whichever line a connection
    /// ends up using (a `\connect` or a container's published port can change the match).
    pub(crate) fn passwords(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .map(|e| e.password.as_str())
            .filter(|p| !p.is_empty())
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

/// The password file libpq would use: `passfile=` in the connection string, else
/// `PGPASSFILE`, else `~/.pgpass`.
pub(crate) fn passfile_path(given: Option<&str>, env: &dyn Env) -> Option<PathBuf> {
    if let Some(path) = given.filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    if let Some(path) = env.var("PGPASSFILE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    home(env).map(|home| home.join(".pgpass"))
}

fn home(env: &dyn Env) -> Option<PathBuf> {
    env.var("HOME").filter(|h| !h.is_empty()).map(PathBuf::from)
}

/// Reads a password file. `Ok(None)` when there is none (libpq ignores a file it cannot
/// open); `Err(warning)` when libpq would ignore it with a warning.
pub(crate) fn read_passfile(path: &Path) -> Result<Option<Passfile>, String> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(None);
    };
    if !meta.is_file() {
        return Err(format!(
            "password file \"{}\" is not a plain file",
            path.display()
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(format!(
                "password file \"{}\" has group or world access; permissions should be u=rw \
                 (0600) or less",
                path.display()
            ));
        }
    }
    let Ok(text) = read_capped(path) else {
        return Ok(None);
    };
    let Some(text) = text else {
        return Err(format!(
            "password file \"{}\" is larger than {MAX_FILE_BYTES} bytes",
            path.display()
        ));
    };
    let entries = text.split('\n').filter_map(parse_pgpass_line).collect();
    Ok(Some(Passfile {
        path: path.to_path_buf(),
        entries,
    }))
}

/// `Ok(None)`: the file is over the cap.
fn read_capped(path: &Path) -> std::io::Result<Option<String>> {
    let file = File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Ok(None);
    }
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

fn parse_pgpass_line(line: &str) -> Option<Entry> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    // Split at unescaped colons; `*` is a wildcard only as a whole, unescaped field.
    let mut fields: Vec<(String, bool)> = Vec::with_capacity(5);
    let mut current = String::new();
    let mut escaped_any = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next) => {
                    current.push(next);
                    escaped_any = true;
                }
                None => current.push('\\'),
            },
            ':' if fields.len() < 4 => {
                fields.push((std::mem::take(&mut current), escaped_any));
                escaped_any = false;
            }
            // The password ends at the next unescaped colon (libpq ignores what follows).
            ':' => break,
            c => current.push(c),
        }
    }
    fields.push((current, escaped_any));
    if fields.len() < 5 {
        return None;
    }
    let pattern = |(text, escaped): (String, bool)| {
        if text == "*" && !escaped {
            Pattern::Any
        } else {
            Pattern::Exact(text)
        }
    };
    let mut fields = fields.into_iter();
    let mut next = || fields.next().map(pattern);
    let (host, port, dbname, user) = (next()?, next()?, next()?, next()?);
    let password = match next()? {
        Pattern::Any => "*".to_owned(),
        Pattern::Exact(text) => text,
    };
    Some(Entry {
        host,
        port,
        dbname,
        user,
        password,
    })
}

/// One `key=value` line of a service: `(line, key, value)`.
pub(crate) type Setting = (usize, String, String);

/// A service's settings and where they were found.
pub(crate) struct ServiceSettings {
    pub(crate) path: PathBuf,
    pub(crate) settings: Vec<Setting>,
}

/// The `key=value` settings of `service`, from the first file that defines it; an error when
/// none does, or when the defining file is malformed.
pub(crate) fn service_settings(service: &str, env: &dyn Env) -> Result<ServiceSettings, SpecError> {
    let mut looked = Vec::new();
    let user_file = env
        .var("PGSERVICEFILE")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| home(env).map(|h| h.join(".pg_service.conf")));
    let system_dir = env
        .var("PGSYSCONFDIR")
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| DEFAULT_SYSCONFDIR.to_owned());
    let system_file = Path::new(&system_dir).join("pg_service.conf");
    for path in user_file.into_iter().chain([system_file]) {
        looked.push(path.display().to_string());
        if !path.is_file() {
            continue;
        }
        let text = match read_capped(&path) {
            Ok(Some(text)) => text,
            Ok(None) => {
                return Err(SpecError::ServiceFileUnreadable {
                    path: path.display().to_string(),
                    reason: format!("it is larger than {MAX_FILE_BYTES} bytes"),
                });
            }
            Err(e) => {
                return Err(SpecError::ServiceFileUnreadable {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                });
            }
        };
        if let Some(settings) = parse_service_file(&text, service, &path)? {
            return Ok(ServiceSettings { path, settings });
        }
    }
    Err(SpecError::ServiceNotFound {
        service: service.to_owned(),
        looked: looked.join(", "),
    })
}

/// The settings of `service` in one file, `None` when the file does not define it.
fn parse_service_file(
    text: &str,
    service: &str,
    path: &Path,
) -> Result<Option<Vec<Setting>>, SpecError> {
    let mut found = false;
    let mut in_group = false;
    let mut settings = Vec::new();
    for (index, line) in text.split('\n').enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let error = |reason: String| SpecError::ServiceFile {
            path: path.display().to_string(),
            line: index + 1,
            reason,
        };
        if let Some(rest) = line.strip_prefix('[') {
            if found {
                // The service ended; libpq stops at the next group too.
                break;
            }
            let name = rest.split(']').next().unwrap_or_default();
            in_group = name == service;
            found = in_group;
            continue;
        }
        if !in_group {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(error("expected key=value (or a [service] line)".to_owned()));
        };
        let key = key.trim();
        if key == "service" {
            return Err(error(
                "nested service specifications are not supported".to_owned(),
            ));
        }
        settings.push((index + 1, key.to_owned(), value.trim().to_owned()));
    }
    Ok(found.then_some(settings))
}

/// Prints libpq's warning about an ignored password file, once per message per process (specs
/// are completed more than once per run), on stderr as libpq prints it. A library printing is
/// the exception here, on purpose: specs are completed where no step output exists (the
/// runner's redactor, `\connect`), and an operator whose login then fails must learn why the
/// file was skipped. The message holds a path, never a password.
#[allow(clippy::print_stderr)]
pub(crate) fn warn_once(message: &str) {
    static SEEN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let seen = SEEN.get_or_init(|| Mutex::new(HashSet::new()));
    let first = seen
        .lock()
        .map(|mut s| s.insert(message.to_owned()))
        .unwrap_or(true);
    if first {
        // The path is the runbook's or the environment's: its control characters are shown,
        // not obeyed by the terminal (the CLI's sanitiser does not see this line).
        let shown: String = message
            .chars()
            .flat_map(|c| {
                let escaped = c.is_control().then(|| c.escape_default());
                escaped
                    .into_iter()
                    .flatten()
                    .chain((!c.is_control()).then_some(c))
            })
            .collect();
        eprintln!("WARNING: {shown}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passfile(text: &str) -> Passfile {
        Passfile {
            path: PathBuf::from("/p"),
            entries: text.split('\n').filter_map(parse_pgpass_line).collect(),
        }
    }

    #[test]
    fn first_matching_line_wins_with_wildcards_and_escapes() {
        let file = passfile(
            "# comment\n\
             db.example:5432:app:ops:first\n\
             *:5432:*:ops:second\n\
             h\\:1:*:*:*:with\\:colon\\\\slash:ignored\n\
             \\*:*:*:*:literal-star\n\
             short:line\n\
             *:*:*:*:fallback\r\n",
        );
        assert_eq!(
            file.lookup("db.example", "5432", "app", "ops"),
            Some("first")
        );
        assert_eq!(file.lookup("other", "5432", "x", "ops"), Some("second"));
        assert_eq!(file.lookup("h:1", "1", "d", "u"), Some("with:colon\\slash"));
        assert_eq!(file.lookup("*", "1", "d", "u"), Some("literal-star"));
        assert_eq!(file.lookup("any", "9", "d", "u"), Some("fallback"));
        assert_eq!(
            file.lookup("any", "9", "", "u"),
            None,
            "libpq needs a dbname"
        );
        let all: Vec<&str> = file.passwords().collect();
        assert_eq!(
            all,
            [
                "first",
                "second",
                "with:colon\\slash",
                "literal-star",
                "fallback"
            ]
        );
    }

    #[test]
    fn service_groups_and_errors_name_the_file_and_line() {
        let text = "# x\n[other]\nhost=a\n[prod]\nhost = db.example\nport=6543\n\n[next]\nhost=b\n";
        let settings = parse_service_file(text, "prod", Path::new("/s")).unwrap();
        assert_eq!(
            settings,
            Some(vec![
                (5, "host".to_owned(), "db.example".to_owned()),
                (6, "port".to_owned(), "6543".to_owned())
            ])
        );
        assert_eq!(
            parse_service_file(text, "none", Path::new("/s")).unwrap(),
            None
        );
        let err = parse_service_file("[prod]\nhost\n", "prod", Path::new("/s")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "service file /s:2: expected key=value (or a [service] line)"
        );
        let err = parse_service_file("[prod]\nservice=x\n", "prod", Path::new("/s")).unwrap_err();
        assert!(err.to_string().contains("nested service"), "{err}");
    }
}
