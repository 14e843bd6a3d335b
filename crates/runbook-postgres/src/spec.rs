//! Connection specifications: what a runbook's `url:` says, completed the way libpq would.
//!
//! Text (a `postgres://` URL or `key=value` pairs) is parsed into a [`ConnectionSpec`]; fields
//! the text leaves unset are taken from `PG*` variables through an [`Env`], then from libpq's
//! defaults. The spec is the only place a password lives, and it never prints it: `Display` and
//! `Debug` show `****`, so a spec can go into any error, log line or evidence file as it is.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::env::Env;
use crate::errors::SpecError;
use crate::libpq_files::{self, Passfile};

/// The application name the server sees (in `pg_stat_activity`) unless told otherwise, so a DBA
/// looking at a busy server at 3 a.m. can tell which sessions are the restore.
pub const DEFAULT_APPLICATION_NAME: &str = "runbook";

const DEFAULT_PORT: u16 = 5432;

/// Where the server is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    /// A host name or IP address reached over TCP.
    Tcp(String),
    /// A directory holding the server's Unix-domain socket (`.s.PGSQL.<port>`).
    Unix(PathBuf),
}

impl Host {
    /// A value starting with `/` is a socket directory, as in libpq.
    pub fn parse(value: &str) -> Host {
        if value.starts_with('/') {
            Host::Unix(PathBuf::from(value))
        } else {
            Host::Tcp(value.to_owned())
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Tcp(name) => f.write_str(name),
            Host::Unix(dir) => write!(f, "{}", dir.display()),
        }
    }
}

/// libpq's `sslmode`, with libpq's meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SslMode {
    /// Plain text only.
    Disable,
    /// libpq's `allow` tries plain text first; Runbook treats it like `prefer`, which only
    /// differs when a server accepts both.
    Allow,
    /// TLS when the server offers it; as with `require`, the certificate is checked only
    /// when `sslrootcert` is given (libpq verifies whenever it has a root certificate).
    #[default]
    Prefer,
    /// TLS or nothing; the certificate is not verified unless `sslrootcert` is given.
    Require,
    /// TLS with a certificate chain that leads to a trusted root; the host name is not checked.
    VerifyCa,
    /// TLS with a trusted chain and a certificate that names the host.
    VerifyFull,
}

impl SslMode {
    /// The libpq spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    fn parse(value: &str) -> Option<SslMode> {
        Some(match value {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A password that cannot be printed by accident.
#[derive(Clone, PartialEq, Eq)]
struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"****\"")
    }
}

/// Everything needed to open a session, libpq-compatible.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectionSpec {
    host: Host,
    port: u16,
    user: String,
    password: Option<Password>,
    dbname: String,
    sslmode: SslMode,
    sslrootcert: Option<PathBuf>,
    connect_timeout: Option<Duration>,
    application_name: String,
    options: Option<String>,
    /// The password file, read once when the spec is completed; consulted whenever no
    /// password was given (libpq's order: `password=` or the URL, then `PGPASSWORD`, then the
    /// file), with the host, port, database and user the spec has at that moment.
    passfile: Option<Arc<Passfile>>,
}

/// The fields a connection string may set, before defaults are applied.
#[derive(Default)]
struct Fields {
    host: Option<String>,
    port: Option<String>,
    user: Option<String>,
    password: Option<String>,
    dbname: Option<String>,
    sslmode: Option<String>,
    sslrootcert: Option<String>,
    connect_timeout: Option<String>,
    application_name: Option<String>,
    fallback_application_name: Option<String>,
    options: Option<String>,
    service: Option<String>,
    passfile: Option<String>,
}

/// The parameters Runbook understands, for the "unknown parameter" message.
const KNOWN_KEYS: &str = "host, port, user, password, dbname, sslmode, sslrootcert, \
                          connect_timeout, application_name, fallback_application_name, options, \
                          client_encoding, service, passfile";

impl Fields {
    fn set(&mut self, key: &str, value: String) -> Result<(), SpecError> {
        let slot = match key {
            "host" => &mut self.host,
            "port" => &mut self.port,
            "user" => &mut self.user,
            "password" => &mut self.password,
            "dbname" => &mut self.dbname,
            "sslmode" => &mut self.sslmode,
            "sslrootcert" => &mut self.sslrootcert,
            "connect_timeout" => &mut self.connect_timeout,
            "application_name" => &mut self.application_name,
            "fallback_application_name" => &mut self.fallback_application_name,
            "options" => &mut self.options,
            "service" => &mut self.service,
            "passfile" => &mut self.passfile,
            "client_encoding" => {
                // tokio-postgres only speaks UTF-8; accept the settings that mean that.
                let normalized = value.to_ascii_uppercase().replace(['-', '_'], "");
                return if normalized == "UTF8" || normalized == "UNICODE" {
                    Ok(())
                } else {
                    Err(SpecError::InvalidValue {
                        key: key.to_owned(),
                        value,
                        expected: "UTF8 (the only client encoding Runbook speaks)",
                    })
                };
            }
            _ => {
                return Err(SpecError::UnknownParameter {
                    key: key.to_owned(),
                    known: KNOWN_KEYS,
                });
            }
        };
        *slot = Some(value);
        Ok(())
    }
}

impl ConnectionSpec {
    /// Parses a libpq URL (`postgres://` or `postgresql://`) or a `key=value` string and fills
    /// the gaps from `PG*` variables in `env`, then libpq's defaults.
    pub fn parse(text: &str, env: &dyn Env) -> Result<ConnectionSpec, SpecError> {
        let trimmed = text.trim();
        let fields = if let Some(rest) = strip_scheme(trimmed) {
            parse_url(rest)?
        } else if trimmed.contains('=') {
            parse_key_values(trimmed)?
        } else if trimmed.is_empty() {
            Fields::default()
        } else {
            return Err(SpecError::NotAConnectionString {
                found: first_word(trimmed),
            });
        };
        Self::complete(fields, env)
    }

    /// Applies a service file's settings, environment variables and defaults to what the text
    /// said, in libpq's order.
    fn complete(mut fields: Fields, env: &dyn Env) -> Result<ConnectionSpec, SpecError> {
        let service = fields
            .service
            .clone()
            .or_else(|| env.var("PGSERVICE").filter(|s| !s.is_empty()));
        if let Some(service) = service {
            fields.apply_service(&service, env)?;
        }
        let from_env = |value: Option<String>, var: &str| -> Option<(String, String)> {
            match value {
                Some(value) => Some((value, String::new())),
                None => env
                    .var(var)
                    .filter(|v| !v.is_empty())
                    .map(|v| (v, var.to_owned())),
            }
        };
        let host = match from_env(fields.host, "PGHOST") {
            Some((value, _)) => Host::parse(&value),
            None => Host::Unix(default_socket_dir()),
        };
        let port = match from_env(fields.port, "PGPORT") {
            Some((value, var)) => parse_port(&value, &var)?,
            None => DEFAULT_PORT,
        };
        let user = match from_env(fields.user, "PGUSER") {
            Some((value, _)) => value,
            None => env
                .var("USER")
                .or_else(|| env.var("LOGNAME"))
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| "postgres".to_owned()),
        };
        let password = from_env(fields.password, "PGPASSWORD").map(|(value, _)| Password(value));
        let dbname = from_env(fields.dbname, "PGDATABASE")
            .map(|(value, _)| value)
            .unwrap_or_else(|| user.clone());
        let sslmode = match from_env(fields.sslmode, "PGSSLMODE") {
            Some((value, var)) => {
                SslMode::parse(&value).ok_or_else(|| SpecError::InvalidValue {
                    key: key_or_var("sslmode", &var),
                    value,
                    expected: "disable, allow, prefer, require, verify-ca or verify-full",
                })?
            }
            None => SslMode::default(),
        };
        let sslrootcert =
            from_env(fields.sslrootcert, "PGSSLROOTCERT").map(|(v, _)| PathBuf::from(v));
        let connect_timeout = match from_env(fields.connect_timeout, "PGCONNECT_TIMEOUT") {
            Some((value, var)) => parse_timeout(&value, &var)?,
            None => None,
        };
        let application_name = from_env(fields.application_name, "PGAPPNAME")
            .map(|(value, _)| value)
            .or(fields.fallback_application_name)
            .unwrap_or_else(|| DEFAULT_APPLICATION_NAME.to_owned());
        let passfile = match libpq_files::passfile_path(fields.passfile.as_deref(), env) {
            Some(path) => match libpq_files::read_passfile(&path) {
                Ok(file) => file.map(Arc::new),
                Err(warning) => {
                    // libpq warns only when it needs the file.
                    if password.is_none() {
                        libpq_files::warn_once(&warning);
                    }
                    None
                }
            },
            None => None,
        };
        Ok(ConnectionSpec {
            host,
            port,
            user,
            password,
            dbname,
            sslmode,
            sslrootcert,
            connect_timeout,
            application_name,
            options: fields.options,
            passfile,
        })
    }

    /// This spec with the fields that `conninfo` (a URL or `key=value` string) sets replaced,
    /// and everything else kept: how `\connect "dbname='x'"` reuses the previous connection.
    pub fn with_conninfo(&self, conninfo: &str) -> Result<ConnectionSpec, SpecError> {
        let trimmed = conninfo.trim();
        let fields = match strip_scheme(trimmed) {
            Some(rest) => parse_url(rest)?,
            None => parse_key_values(trimmed)?,
        };
        let mut spec = self.clone();
        if let Some(host) = fields.host {
            spec.host = Host::parse(&host);
        }
        if let Some(port) = fields.port {
            spec.port = parse_port(&port, "")?;
        }
        if let Some(user) = fields.user {
            spec.user = user;
        }
        if let Some(password) = fields.password {
            spec.password = Some(Password(password));
        }
        if let Some(dbname) = fields.dbname {
            spec.dbname = dbname;
        }
        if let Some(sslmode) = fields.sslmode {
            spec.sslmode = SslMode::parse(&sslmode).ok_or(SpecError::InvalidValue {
                key: "sslmode".to_owned(),
                value: sslmode,
                expected: "disable, allow, prefer, require, verify-ca or verify-full",
            })?;
        }
        if let Some(root) = fields.sslrootcert {
            spec.sslrootcert = Some(PathBuf::from(root));
        }
        if let Some(timeout) = fields.connect_timeout {
            spec.connect_timeout = parse_timeout(&timeout, "")?;
        }
        if let Some(name) = fields.application_name {
            spec.application_name = name;
        }
        if let Some(options) = fields.options {
            spec.options = Some(options);
        }
        if fields.service.is_some() || fields.passfile.is_some() {
            return Err(SpecError::InvalidValue {
                key: "\\connect".to_owned(),
                // Never the text itself: it may hold a password.
                value: if fields.service.is_some() {
                    "service=..."
                } else {
                    "passfile=..."
                }
                .to_owned(),
                expected: "a connection string without service= or passfile= (give them in the target's url)",
            });
        }
        Ok(spec)
    }

    /// Sets the password from somewhere other than the URL (a runbook's `password_env`); it
    /// wins over the URL and `PGPASSWORD`.
    pub fn set_password(&mut self, password: impl Into<String>) {
        self.password = Some(Password(password.into()));
    }

    /// The same server and credentials, another database: what `\connect db` does.
    pub fn with_database(&self, dbname: impl Into<String>) -> ConnectionSpec {
        let mut spec = self.clone();
        spec.dbname = dbname.into();
        spec
    }

    /// Points the spec at another host; a value starting with `/` is a socket directory. The
    /// engine uses this for a container's published port.
    pub fn set_host(&mut self, host: &str) {
        self.host = Host::parse(host);
    }

    /// See [`ConnectionSpec::set_host`].
    pub fn set_port(&mut self, port: u16) {
        self.port = port;
    }

    /// Connects as another role (`\connect db user`).
    pub fn set_user(&mut self, user: impl Into<String>) {
        self.user = user.into();
    }

    /// Overrides the TLS mode (an ephemeral local cluster has no certificate).
    pub fn set_sslmode(&mut self, sslmode: SslMode) {
        self.sslmode = sslmode;
    }

    /// Overrides the name shown in `pg_stat_activity`.
    pub fn set_application_name(&mut self, name: impl Into<String>) {
        self.application_name = name.into();
    }

    pub fn host(&self) -> &Host {
        &self.host
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn user(&self) -> &str {
        &self.user
    }

    pub fn dbname(&self) -> &str {
        &self.dbname
    }

    pub fn sslmode(&self) -> SslMode {
        self.sslmode
    }

    pub fn sslrootcert(&self) -> Option<&Path> {
        self.sslrootcert.as_deref()
    }

    pub fn connect_timeout(&self) -> Option<Duration> {
        self.connect_timeout
    }

    pub fn application_name(&self) -> &str {
        &self.application_name
    }

    /// The `options` parameter (command-line options sent to the server), if any.
    pub fn options(&self) -> Option<&str> {
        self.options.as_deref()
    }

    /// Forgets the password (`\connect` to another server or role must not carry it along).
    pub(crate) fn clear_password(&mut self) {
        self.password = None;
    }

    /// The password, for handing to a child process (`PGPASSWORD`) or the driver. Never log it.
    /// The one given (URL, `password=`, service file, `password_env`, `PGPASSWORD`), else the
    /// password file's line for this host, port, database and user, as libpq picks it.
    pub fn password(&self) -> Option<&str> {
        match &self.password {
            Some(p) if !p.0.is_empty() => Some(p.0.as_str()),
            _ => self.passfile_password(),
        }
    }

    fn passfile_password(&self) -> Option<&str> {
        let passfile = self.passfile.as_deref()?;
        let host = match &self.host {
            // libpq: "localhost" matches no host and the default socket directory.
            Host::Unix(dir) if *dir == default_socket_dir() => "localhost".to_owned(),
            Host::Unix(dir) => dir.display().to_string(),
            Host::Tcp(name) if name.is_empty() => "localhost".to_owned(),
            Host::Tcp(name) => name.clone(),
        };
        passfile.lookup(&host, &self.port.to_string(), &self.dbname, &self.user)
    }

    /// The password file in use (it passed libpq's checks), if any.
    pub fn passfile(&self) -> Option<&Path> {
        self.passfile.as_deref().map(Passfile::path)
    }

    /// The password file when the password sent comes from it (no password was given).
    pub fn password_file_in_use(&self) -> Option<&Path> {
        let given = self.password.as_ref().is_some_and(|p| !p.0.is_empty());
        if given || self.passfile_password().is_none() {
            return None;
        }
        self.passfile()
    }

    /// Every password this spec may send: the one given and all of the password file's (a
    /// `\connect` or a published port can make another line match later). The run's redactor
    /// needs them all before anything is printed.
    pub fn secrets(&self) -> Vec<String> {
        let mut secrets: Vec<String> = self.password.iter().map(|p| p.0.clone()).collect();
        if let Some(passfile) = &self.passfile {
            secrets.extend(passfile.passwords().map(str::to_owned));
        }
        secrets.retain(|s| !s.is_empty());
        secrets.sort();
        secrets.dedup();
        secrets
    }

    /// The URL with the password shown as `****`: safe for messages, logs and evidence.
    pub fn redacted(&self) -> String {
        self.render(self.password.as_ref().map(|_| "****"))
    }

    /// The URL without any password, for child processes that take the password from
    /// `PGPASSWORD` (psql, pg_dump) and for places where even `****` is noise.
    pub fn url(&self) -> String {
        self.render(None)
    }

    fn render(&self, password: Option<&str>) -> String {
        let mut url = String::from("postgres://");
        url.push_str(&percent_encode(&self.user));
        if let Some(password) = password {
            url.push(':');
            url.push_str(password);
        }
        url.push('@');
        let mut query: Vec<(&str, String)> = Vec::new();
        match &self.host {
            Host::Tcp(name) if name.contains(':') => {
                url.push('[');
                url.push_str(name);
                url.push_str(&format!("]:{}", self.port));
            }
            Host::Tcp(name) => url.push_str(&format!("{}:{}", percent_encode(name), self.port)),
            Host::Unix(dir) => {
                query.push(("host", dir.display().to_string()));
                if self.port != DEFAULT_PORT {
                    query.push(("port", self.port.to_string()));
                }
            }
        }
        url.push('/');
        url.push_str(&percent_encode(&self.dbname));
        if self.sslmode != SslMode::Prefer && !matches!(self.host, Host::Unix(_)) {
            query.push(("sslmode", self.sslmode.as_str().to_owned()));
        }
        if let Some(root) = &self.sslrootcert {
            query.push(("sslrootcert", root.display().to_string()));
        }
        for (index, (key, value)) in query.iter().enumerate() {
            url.push(if index == 0 { '?' } else { '&' });
            url.push_str(key);
            url.push('=');
            url.push_str(&percent_encode_query(value));
        }
        url
    }
}

impl fmt::Display for ConnectionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for ConnectionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionSpec")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &self.password)
            .field("dbname", &self.dbname)
            .field("sslmode", &self.sslmode)
            .field("sslrootcert", &self.sslrootcert)
            .field("connect_timeout", &self.connect_timeout)
            .field("application_name", &self.application_name)
            .field("options", &self.options)
            .field("passfile", &self.passfile())
            .finish()
    }
}

/// The passwords a connection to `url` may use, for the run's redactor: `PGPASSWORD` (even
/// when the URL gives another password: a `\connect` elsewhere falls back to it), the
/// password given or found in a service file, and every password of the password file. A URL
/// that does not parse still yields `PGPASSWORD`.
pub fn connection_secrets(url: &str, env: &dyn Env) -> Vec<String> {
    let mut secrets: Vec<String> = env.var("PGPASSWORD").into_iter().collect();
    if let Ok(spec) = ConnectionSpec::parse(url, env) {
        secrets.extend(spec.secrets());
    }
    secrets.retain(|s| !s.is_empty());
    secrets.sort();
    secrets.dedup();
    secrets
}

impl Fields {
    /// Fills what the connection string left unset from the service's definition (libpq's
    /// `parseServiceInfo`: the string's own settings win, then the service, then `PG*`).
    fn apply_service(&mut self, service: &str, env: &dyn Env) -> Result<(), SpecError> {
        let found = libpq_files::service_settings(service, env)?;
        let mut from_service = Fields::default();
        for (line, key, value) in found.settings {
            from_service
                .set(&key, value)
                .map_err(|error| SpecError::ServiceFile {
                    path: found.path.display().to_string(),
                    line,
                    reason: error.to_string(),
                })?;
        }
        let fill = |slot: &mut Option<String>, value: Option<String>| {
            if slot.is_none() {
                *slot = value;
            }
        };
        fill(&mut self.host, from_service.host);
        fill(&mut self.port, from_service.port);
        fill(&mut self.user, from_service.user);
        fill(&mut self.password, from_service.password);
        fill(&mut self.dbname, from_service.dbname);
        fill(&mut self.sslmode, from_service.sslmode);
        fill(&mut self.sslrootcert, from_service.sslrootcert);
        fill(&mut self.connect_timeout, from_service.connect_timeout);
        fill(&mut self.application_name, from_service.application_name);
        fill(
            &mut self.fallback_application_name,
            from_service.fallback_application_name,
        );
        fill(&mut self.options, from_service.options);
        fill(&mut self.passfile, from_service.passfile);
        Ok(())
    }
}

/// libpq on Debian looks in `/var/run/postgresql`; upstream builds look in `/tmp`.
fn default_socket_dir() -> PathBuf {
    let debian = Path::new("/var/run/postgresql");
    if debian.is_dir() {
        debian.to_path_buf()
    } else {
        PathBuf::from("/tmp")
    }
}

fn key_or_var(key: &str, var: &str) -> String {
    if var.is_empty() {
        key.to_owned()
    } else {
        var.to_owned()
    }
}

fn parse_port(value: &str, var: &str) -> Result<u16, SpecError> {
    match value.trim().parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ => Err(SpecError::InvalidValue {
            key: key_or_var("port", var),
            value: value.to_owned(),
            expected: "a port number from 1 to 65535",
        }),
    }
}

/// libpq: whole seconds; 0 (or negative) waits forever; 1 is raised to 2.
fn parse_timeout(value: &str, var: &str) -> Result<Option<Duration>, SpecError> {
    let seconds: i64 = value.trim().parse().map_err(|_| SpecError::InvalidValue {
        key: key_or_var("connect_timeout", var),
        value: value.to_owned(),
        expected: "a whole number of seconds",
    })?;
    Ok(match seconds {
        ..=0 => None,
        1 => Some(Duration::from_secs(2)),
        n => Some(Duration::from_secs(n.unsigned_abs())),
    })
}

fn strip_scheme(text: &str) -> Option<&str> {
    text.strip_prefix("postgresql://")
        .or_else(|| text.strip_prefix("postgres://"))
}

fn first_word(text: &str) -> String {
    text.split_whitespace()
        .next()
        .unwrap_or_default()
        .chars()
        .take(40)
        .collect()
}

/// `[user[:password]@][host][:port][/dbname][?key=value&...]`
fn parse_url(rest: &str) -> Result<Fields, SpecError> {
    let mut fields = Fields::default();
    // The credentials end at an `@` before the first `/`, as libpq finds them, so a password
    // may hold `?`, `#` or `:` unencoded (generated passwords do). Splitting at `?` first
    // would take the rest of such a password for the query and echo it in an error.
    let credentials_end = rest[..rest.find('/').unwrap_or(rest.len())].rfind('@');
    let (userinfo, rest) = match credentials_end {
        Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
        None => (None, rest),
    };
    let (before_query, query) = match rest.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (rest, None),
    };
    let (host_part, path) = match before_query.split_once('/') {
        Some((authority, path)) => (authority, Some(path)),
        None => (before_query, None),
    };
    if let Some(userinfo) = userinfo {
        let (user, password) = match userinfo.split_once(':') {
            Some((user, password)) => (user, Some(password)),
            None => (userinfo, None),
        };
        if !user.is_empty() {
            fields.user = Some(percent_decode(user, "user name")?);
        }
        if let Some(password) = password {
            fields.password = Some(percent_decode(password, "password")?);
        }
    }
    if host_part.contains(',') {
        return Err(SpecError::MultipleHosts);
    }
    let (host, port) = split_host_port(host_part)?;
    // `user:pa/ss@host`: a `/` in the password ends the authority early (libpq reads it so
    // too), leaving a "port" that is really the start of the password and an `@` in the path.
    // Say so without echoing either.
    let port_is_text = port.is_some_and(|p| !p.is_empty() && p.parse::<u16>().is_err());
    if userinfo.is_none() && port_is_text && path.is_some_and(|p| p.contains('@')) {
        return Err(SpecError::SlashInCredentials);
    }
    if !host.is_empty() {
        fields.host = Some(percent_decode(host, "host")?);
    }
    if let Some(port) = port.filter(|p| !p.is_empty()) {
        fields.port = Some(port.to_owned());
    }
    if let Some(path) = path.filter(|p| !p.is_empty()) {
        fields.dbname = Some(percent_decode(path, "database name")?);
    }
    for pair in query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter(|p| !p.is_empty())
    {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| SpecError::MissingEquals {
                key: pair.to_owned(),
            })?;
        let key = percent_decode(key, "parameter name")?;
        let value = percent_decode(value, "parameter value")?;
        if key == "host" && value.contains(',') {
            return Err(SpecError::MultipleHosts);
        }
        fields.set(&key, value)?;
    }
    Ok(fields)
}

fn split_host_port(host_part: &str) -> Result<(&str, Option<&str>), SpecError> {
    if let Some(rest) = host_part.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or(SpecError::UnclosedBracket)?;
        let port = after.strip_prefix(':');
        return Ok((host, port));
    }
    Ok(match host_part.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (host_part, None),
    })
}

fn percent_decode(text: &str, what: &'static str) -> Result<String, SpecError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            let byte = hex.and_then(|h| u8::from_str_radix(h, 16).ok());
            match byte {
                Some(byte) => out.push(byte),
                None => return Err(SpecError::BadPercentEncoding { what }),
            }
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| SpecError::BadPercentEncoding { what })
}

fn percent_encode(text: &str) -> String {
    encode_except(text, |b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

fn percent_encode_query(text: &str) -> String {
    encode_except(text, |b| b.is_ascii_alphanumeric() || b"-._~/".contains(&b))
}

fn encode_except(text: &str, keep: impl Fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if keep(byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `key = value` pairs; values may be single-quoted, with `\'` and `\\` escapes.
fn parse_key_values(text: &str) -> Result<Fields, SpecError> {
    let mut fields = Fields::default();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Ok(fields);
        }
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && !c.is_whitespace()) {
            key.push(c);
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next() != Some('=') {
            return Err(SpecError::MissingEquals { key });
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'\'').is_some() {
            loop {
                match chars.next() {
                    None => return Err(SpecError::UnterminatedQuote { key }),
                    Some('\'') => break,
                    Some('\\') => value.extend(chars.next()),
                    Some(c) => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                if c == '\\' {
                    value.extend(chars.next());
                } else {
                    value.push(c);
                }
            }
        }
        fields.set(&key, value)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, env: &[(&str, &str)]) -> ConnectionSpec {
        ConnectionSpec::parse(text, &env).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn url_fields_are_decoded() {
        let spec = parse(
            "postgres://app:s%40cret@db.example:6543/my%20db?sslmode=require",
            &[],
        );
        assert_eq!(spec.host(), &Host::Tcp("db.example".into()));
        assert_eq!(spec.port(), 6543);
        assert_eq!(spec.user(), "app");
        assert_eq!(spec.password(), Some("s@cret"));
        assert_eq!(spec.dbname(), "my db");
        assert_eq!(spec.sslmode(), SslMode::Require);
        assert_eq!(spec.application_name(), "runbook");
    }

    #[test]
    fn a_password_may_hold_question_marks_and_hashes_as_in_libpq() {
        let spec = parse(
            "postgres://app:ab?cd#ef@db.example:6543/db?sslmode=require",
            &[],
        );
        assert_eq!(spec.password(), Some("ab?cd#ef"));
        assert_eq!(spec.host(), &Host::Tcp("db.example".into()));
        assert_eq!((spec.port(), spec.dbname()), (6543, "db"));
        assert_eq!(spec.sslmode(), SslMode::Require);
        let spec = parse("postgres://app:ab?cd@db.example", &[]);
        assert_eq!(spec.password(), Some("ab?cd"));
        // An `@` after the path belongs to the query.
        let spec = parse("postgres://h/db?application_name=a@b", &[]);
        assert_eq!((spec.user(), spec.application_name()), ("postgres", "a@b"));
    }

    #[test]
    fn a_slash_in_a_password_is_named_without_echoing_the_password() {
        let err = ConnectionSpec::parse("postgres://app:pa/ss@db.example/db", &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the URL's user name or password seems to contain \"/\": write it as %2F \
             (postgres://user:pa%2Fss@host/db)"
        );
        // A port that is not a number, with no `@` after it, is an ordinary port error.
        let err = ConnectionSpec::parse("postgres://db.example:54x/db", &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid port \"54x\": expected a port number from 1 to 65535"
        );
    }

    #[test]
    fn env_fills_only_what_the_url_leaves_unset() {
        let env = [
            ("PGHOST", "envhost"),
            ("PGPORT", "7777"),
            ("PGUSER", "envuser"),
            ("PGPASSWORD", "envpw"),
            ("PGDATABASE", "envdb"),
            ("PGSSLMODE", "verify-full"),
            ("PGCONNECT_TIMEOUT", "7"),
            ("PGAPPNAME", "nightly"),
        ];
        let spec = parse("postgresql://app@/appdb", &env);
        assert_eq!(spec.host(), &Host::Tcp("envhost".into()));
        assert_eq!(spec.port(), 7777);
        assert_eq!(spec.user(), "app");
        assert_eq!(spec.password(), Some("envpw"));
        assert_eq!(spec.dbname(), "appdb");
        assert_eq!(spec.sslmode(), SslMode::VerifyFull);
        assert_eq!(spec.connect_timeout(), Some(Duration::from_secs(7)));
        assert_eq!(spec.application_name(), "nightly");
        let spec = parse("postgres://", &env);
        assert_eq!((spec.user(), spec.dbname()), ("envuser", "envdb"));
    }

    #[test]
    fn defaults_follow_libpq() {
        let spec = parse("host=db.example", &[("USER", "ops")]);
        assert_eq!(spec.port(), 5432);
        assert_eq!(spec.user(), "ops");
        assert_eq!(spec.dbname(), "ops", "dbname defaults to the user name");
        assert_eq!(spec.sslmode(), SslMode::Prefer);
        assert_eq!(spec.password(), None);
    }

    #[test]
    fn unix_socket_hosts() {
        let spec = parse("postgres:///appdb?host=/var/run/postgresql&port=5433", &[]);
        assert_eq!(spec.host(), &Host::Unix("/var/run/postgresql".into()));
        assert_eq!(spec.port(), 5433);
        assert_eq!(
            spec.url(),
            "postgres://postgres@/appdb?host=/var/run/postgresql&port=5433"
        );
        let spec = parse("host=/tmp dbname=x user=u", &[]);
        assert_eq!(spec.host(), &Host::Unix("/tmp".into()));
        let spec = parse("postgres://u@%2Ftmp%2Fpg/x", &[]);
        assert_eq!(spec.host(), &Host::Unix("/tmp/pg".into()));
    }

    #[test]
    fn key_value_quoting() {
        let spec = parse(
            r"host = localhost password='it\'s a \\ secret' user='a b' dbname=x\ y",
            &[],
        );
        assert_eq!(spec.password(), Some(r"it's a \ secret"));
        assert_eq!(spec.user(), "a b");
        assert_eq!(spec.dbname(), "x y");
    }

    #[test]
    fn conninfo_overrides_only_what_it_names() {
        let spec = parse("postgres://app:pw@h:1234/one?sslmode=require", &[]);
        let other = spec.with_conninfo("dbname='two words'").unwrap();
        assert_eq!(other.dbname(), "two words");
        assert_eq!(
            (other.user(), other.port(), other.password()),
            ("app", 1234, Some("pw"))
        );
        assert_eq!(other.sslmode(), SslMode::Require);
        let other = spec.with_conninfo("postgres://bob@/three").unwrap();
        assert_eq!(
            (other.user(), other.dbname(), other.port()),
            ("bob", "three", 1234)
        );
    }

    #[test]
    fn ipv6_hosts_keep_their_brackets_in_urls() {
        let spec = parse("postgres://u@[::1]:5433/d", &[]);
        assert_eq!(spec.host(), &Host::Tcp("::1".into()));
        assert_eq!(spec.url(), "postgres://u@[::1]:5433/d");
    }

    #[test]
    fn password_is_never_printed() {
        let mut spec = parse("postgres://app:hunter2@127.0.0.1:5432/db", &[]);
        assert_eq!(spec.redacted(), "postgres://app:****@127.0.0.1:5432/db");
        assert_eq!(spec.to_string(), "postgres://app:****@127.0.0.1:5432/db");
        assert_eq!(spec.url(), "postgres://app@127.0.0.1:5432/db");
        let debug = format!("{spec:?} {spec:#?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("****"), "{debug}");
        spec.set_password("from-env");
        assert_eq!(spec.password(), Some("from-env"));
        assert!(!format!("{spec:?}{spec}").contains("from-env"));
    }

    #[test]
    fn set_password_overrides_url_and_env() {
        let mut spec = parse("postgres://app:inurl@h/db", &[("PGPASSWORD", "inenv")]);
        spec.set_password("explicit");
        assert_eq!(spec.password(), Some("explicit"));
    }

    #[test]
    fn with_database_keeps_everything_else() {
        let spec = parse("postgres://app:pw@h:1234/one?sslmode=require", &[]);
        let other = spec.with_database("two");
        assert_eq!(other.dbname(), "two");
        assert_eq!(other.password(), Some("pw"));
        assert_eq!(
            other.redacted(),
            "postgres://app:****@h:1234/two?sslmode=require"
        );
    }

    #[test]
    fn bad_input_says_what_was_expected() {
        let err = |text: &str, env: &[(&str, &str)]| {
            ConnectionSpec::parse(text, &env).unwrap_err().to_string()
        };
        assert_eq!(
            err("postgres://h/db?sslmode=sometimes", &[]),
            "invalid sslmode \"sometimes\": expected disable, allow, prefer, require, verify-ca or verify-full"
        );
        assert_eq!(
            err("host=h", &[("PGPORT", "54x")]),
            "invalid PGPORT \"54x\": expected a port number from 1 to 65535"
        );
        assert_eq!(
            err("host=h colour=blue", &[]),
            format!("unknown connection parameter \"colour\" (expected one of {KNOWN_KEYS})")
        );
        assert_eq!(
            err("host=h password", &[]),
            "expected \"=\" after \"password\" in the connection string"
        );
        assert_eq!(
            err("password='abc", &[]),
            "unterminated quoted value for \"password\" in the connection string"
        );
        assert_eq!(
            err("mydb", &[]),
            "expected a postgres:// URL or key=value pairs, found \"mydb\""
        );
        assert_eq!(
            err("postgres://a,b/db", &[]),
            "several hosts in one connection string are not supported: name one host"
        );
    }

    #[test]
    fn errors_never_echo_a_password_value() {
        let text = "postgres://app:hunter2@h:99999/db";
        let message = ConnectionSpec::parse(text, &[]).unwrap_err().to_string();
        assert!(!message.contains("hunter2"), "{message}");
        let text = "password=hunter2 bogus=1";
        let message = ConnectionSpec::parse(text, &[]).unwrap_err().to_string();
        assert!(!message.contains("hunter2"), "{message}");
    }
}

#[cfg(test)]
mod libpq_file_tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn write(dir: &Path, name: &str, text: &str, mode: u32) -> String {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        path.display().to_string()
    }

    #[test]
    fn passfile_is_the_last_resort_after_the_url_and_pgpassword() {
        let dir = tempfile::tempdir().unwrap();
        let pass = write(
            dir.path(),
            "pass",
            "db.example:5432:app:ops:from-file\nlocalhost:*:*:ops:local-pw\n",
            0o600,
        );
        let env = [("PGPASSFILE", pass.as_str())];
        let spec = ConnectionSpec::parse("postgres://ops@db.example/app", &env).unwrap();
        assert_eq!(spec.password(), Some("from-file"));
        assert_eq!(spec.passfile(), Some(Path::new(&pass)));
        // The line is matched against what the spec says at the time: another port, no match.
        let mut moved = spec.clone();
        moved.set_port(6000);
        assert_eq!(moved.password(), None);
        let spec = ConnectionSpec::parse("postgres://ops:in-url@db.example/app", &env).unwrap();
        assert_eq!(spec.password(), Some("in-url"));
        let env2 = [("PGPASSFILE", pass.as_str()), ("PGPASSWORD", "from-env")];
        let spec = ConnectionSpec::parse("postgres://ops@db.example/app", &env2).unwrap();
        assert_eq!(spec.password(), Some("from-env"));
        // `localhost` is the default socket directory (and no host at all).
        let spec = ConnectionSpec::parse("user=ops dbname=x", &env).unwrap();
        assert_eq!(spec.password(), Some("local-pw"));
        let spec = ConnectionSpec::parse("user=ops dbname=x host=/elsewhere", &env).unwrap();
        assert_eq!(spec.password(), None);
        // Every password of the file is a secret; Debug shows none.
        let spec = ConnectionSpec::parse("postgres://ops@db.example/app", &env).unwrap();
        assert_eq!(spec.secrets(), ["from-file", "local-pw"]);
        let debug = format!("{spec:?}");
        assert!(
            !debug.contains("from-file") && !debug.contains("local-pw"),
            "{debug}"
        );
        assert_eq!(
            connection_secrets("postgres://ops:u@db.example/app", &env2),
            ["from-env", "from-file", "local-pw", "u"]
        );
        assert_eq!(connection_secrets("bogus", &env2), ["from-env"]);
    }

    #[test]
    fn a_passfile_others_can_read_is_ignored_and_home_is_the_default() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), ".pgpass", "*:*:*:*:open-secret\n", 0o644);
        let home = dir.path().display().to_string();
        let env = [("HOME", home.as_str())];
        let spec = ConnectionSpec::parse("postgres://ops@h/app", &env).unwrap();
        assert_eq!(spec.password(), None);
        assert_eq!(spec.passfile(), None);
        assert!(spec.secrets().is_empty());
        write(dir.path(), ".pgpass", "*:*:*:*:closed-secret\n", 0o600);
        let spec = ConnectionSpec::parse("postgres://ops@h/app", &env).unwrap();
        assert_eq!(spec.password(), Some("closed-secret"));
    }

    #[test]
    fn a_service_fills_what_the_string_leaves_unset_before_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let user_file = write(
            dir.path(),
            "user.conf",
            "[prod]\nhost=db.example\nport=6543\nuser=svc\npassword=svc-pw\ndbname=appdb\n",
            0o600,
        );
        let sys = dir.path().join("sys");
        std::fs::create_dir(&sys).unwrap();
        write(
            &sys,
            "pg_service.conf",
            "[prod]\nhost=ignored\n[stage]\nhost=stage.example\n",
            0o644,
        );
        let sysdir = sys.display().to_string();
        let env = [
            ("PGSERVICEFILE", user_file.as_str()),
            ("PGSYSCONFDIR", sysdir.as_str()),
            ("PGHOST", "env-host"),
            ("PGPORT", "7000"),
        ];
        let spec = ConnectionSpec::parse("postgres:///other?service=prod", &env).unwrap();
        assert_eq!(spec.host(), &Host::Tcp("db.example".into()));
        assert_eq!(
            (spec.port(), spec.user(), spec.dbname()),
            (6543, "svc", "other")
        );
        assert_eq!(spec.password(), Some("svc-pw"));
        assert!(spec.secrets().contains(&"svc-pw".to_owned()));
        // The system file is read when the user's file lacks the service; PGSERVICE names it.
        let mut with_env = env.to_vec();
        with_env.push(("PGSERVICE", "stage"));
        let spec = ConnectionSpec::parse("user=u dbname=d", &with_env.as_slice()).unwrap();
        assert_eq!(spec.host(), &Host::Tcp("stage.example".into()));
        assert_eq!(
            spec.port(),
            7000,
            "PGPORT fills what the service leaves unset"
        );
        let err = ConnectionSpec::parse("service=nope", &env)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("definition of service \"nope\" not found (looked in "),
            "{err}"
        );
        let bad = write(
            dir.path(),
            "bad.conf",
            "[prod]\nhost=h\ncolour=blue\n",
            0o600,
        );
        let err = ConnectionSpec::parse("service=prod", &[("PGSERVICEFILE", bad.as_str())])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!(
                "service file {bad}:3: unknown connection parameter \"colour\""
            )),
            "{err}"
        );
    }
}
