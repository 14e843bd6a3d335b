//! flyway.conf, read as Flyway's `ConfigUtils.loadConfigurationFromString` reads it:
//!
//! 1. `${NAME}` environment references (`\$\{([A-Za-z0-9_]+)}`) are expanded over the whole
//!    text first; an unset variable becomes the empty string (Flyway's `getOrDefault(.., "")`).
//!    Other `${...}` (such as `${flyway:user}`) are left alone.
//! 2. Lines split at `\n` (after `\r\n` → `\n`); each line is trimmed and its backslashes are
//!    doubled, so `\` is literal (Windows paths work; `\t`, `\uXXXX` are not escapes). The one
//!    exception: a line ending in `\` continues on the next line when that line is non-empty and
//!    does not start a new `flyway.` property.
//! 3. The result goes through `java.util.Properties.load`: `#` and `!` comment lines,
//!    `key=value`, `key: value` or `key value`, whitespace around the separator ignored,
//!    backslash escapes in keys and values, continuation lines with their leading whitespace
//!    dropped. The last occurrence of a key wins.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::errors::ConfError;
use crate::version::Version;

/// One parsed flyway.conf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfFile {
    source: String,
    /// key → (value, 1-based line where the key starts). Last occurrence wins.
    entries: BTreeMap<String, (String, usize)>,
}

/// The keys `apply` understands (without the `flyway.` prefix; `placeholders.*` apart).
const APPLIED: &[&str] = &[
    "locations",
    "schemas",
    "defaultSchema",
    "table",
    "baselineVersion",
    "baselineDescription",
    "baselineOnMigrate",
    "outOfOrder",
    "target",
    "sqlMigrationPrefix",
    "sqlMigrationSeparator",
    "sqlMigrationSuffixes",
    "repeatableSqlMigrationPrefix",
    "placeholderPrefix",
    "placeholderSuffix",
    "placeholderReplacement",
    "installedBy",
];

/// Parses the text of a flyway.conf. `source` names it in errors; `env` resolves `${NAME}`.
pub fn parse(
    text: &str,
    source: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ConfFile, ConfError> {
    let expanded = expand_env(text, env);
    let normalized = expanded.replace("\r\n", "\n");
    let raw_lines: Vec<&str> = normalized.split('\n').collect();
    // Step 2: Flyway's pre-processing, keeping each line's original number.
    let mut lines: Vec<(String, usize)> = Vec::with_capacity(raw_lines.len());
    for (i, raw) in raw_lines.iter().enumerate() {
        let trimmed = raw.trim();
        let next = raw_lines.get(i + 1).map(|l| l.trim()).unwrap_or("");
        let continues = trimmed.ends_with('\\')
            && !next.is_empty()
            && !(next.starts_with("flyway.") && next.contains('='));
        let mut line = trimmed.replace('\\', "\\\\");
        if continues {
            line.pop();
        }
        lines.push((line, i + 1));
    }
    let mut entries = BTreeMap::new();
    load_properties(&lines, source, &mut entries)?;
    Ok(ConfFile {
        source: source.to_owned(),
        entries,
    })
}

fn expand_env(text: &str, env: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let name_len = after
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if name_len > 0 && after.as_bytes().get(name_len) == Some(&b'}') {
            out.push_str(&env(&after[..name_len]).unwrap_or_default());
            rest = &after[name_len + 1..];
        } else {
            out.push_str("${");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// `java.util.Properties.load` over logical lines built from `lines`.
fn load_properties(
    lines: &[(String, usize)],
    source: &str,
    entries: &mut BTreeMap<String, (String, usize)>,
) -> Result<(), ConfError> {
    let mut i = 0;
    while i < lines.len() {
        let (first, number) = &lines[i];
        i += 1;
        let start = first.trim_start_matches([' ', '\t', '\x0c']);
        if start.is_empty() || start.starts_with('#') || start.starts_with('!') {
            continue;
        }
        // Join continuation lines: a line ending in an odd number of backslashes.
        let mut logical = start.to_owned();
        while ends_in_odd_backslashes(&logical) {
            logical.pop();
            match lines.get(i) {
                Some((next, _)) => {
                    logical.push_str(next.trim_start_matches([' ', '\t', '\x0c']));
                    i += 1;
                }
                None => break,
            }
        }
        let (key, value) = split_key_value(&logical);
        let key = unescape(key, source, *number)?;
        let value = unescape(value, source, *number)?;
        entries.insert(key, (value, *number));
    }
    Ok(())
}

fn ends_in_odd_backslashes(s: &str) -> bool {
    s.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

/// Splits a logical line at the first unescaped `=`, `:` or whitespace, as Properties does.
fn split_key_value(line: &str) -> (&str, &str) {
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut key_end = bytes.len();
    let mut has_sep = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'=' | b':' => {
                key_end = i;
                has_sep = true;
                break;
            }
            b' ' | b'\t' | b'\x0c' => {
                key_end = i;
                break;
            }
            _ => i += 1,
        }
    }
    let key_end = key_end.min(bytes.len());
    let key = &line[..key_end];
    let mut rest = &line[key_end..];
    if has_sep {
        rest = &rest[1..];
        rest = rest.trim_start_matches([' ', '\t', '\x0c']);
    } else {
        rest = rest.trim_start_matches([' ', '\t', '\x0c']);
        if let Some(r) = rest.strip_prefix(['=', ':']) {
            rest = r.trim_start_matches([' ', '\t', '\x0c']);
        }
    }
    (key, rest)
}

fn unescape(s: &str, source: &str, line: usize) -> Result<String, ConfError> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            None => {}
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\x0c'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let code = u32::from_str_radix(&hex, 16)
                    .ok()
                    .filter(|_| hex.len() == 4);
                match code.and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => {
                        return Err(ConfError {
                            source_name: source.to_owned(),
                            line,
                            message: format!(
                                "malformed \\uxxxx escape '\\u{hex}': expected four hex digits"
                            ),
                        });
                    }
                }
            }
            Some(other) => out.push(other),
        }
    }
    Ok(out)
}

impl ConfFile {
    /// A value by its full key (`flyway.schemas`).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries.get(key).map(|(v, _)| v.as_str())
    }

    /// The 1-based line a key was set on.
    pub fn line_of(&self, key: &str) -> Option<usize> {
        self.entries.get(key).map(|(_, l)| *l)
    }

    /// All keys and values, in key order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .iter()
            .map(|(k, (v, _))| (k.as_str(), v.as_str()))
    }

    /// Keys `apply` does not use: `flyway.url`/`user`/`password` (the target's business) and
    /// anything else, so the step can note them rather than drop them silently.
    pub fn ignored_keys(&self) -> Vec<&str> {
        self.entries
            .keys()
            .filter(|k| {
                let Some(name) = k.strip_prefix("flyway.") else {
                    return true;
                };
                !(APPLIED.contains(&name) || name.starts_with("placeholders."))
            })
            .map(String::as_str)
            .collect()
    }

    fn err(&self, key: &str, message: String) -> ConfError {
        ConfError {
            source_name: self.source.clone(),
            line: self.line_of(key).unwrap_or(0),
            message,
        }
    }

    fn boolean(&self, key: &str) -> Result<Option<bool>, ConfError> {
        match self.get(key) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(other) => Err(self.err(
                key,
                format!("invalid value for {key}: '{other}' (expected true or false)"),
            )),
        }
    }

    fn list(&self, key: &str) -> Option<Vec<String>> {
        self.get(key).map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
    }

    /// Applies the keys this crate understands onto `config`. `conf_dir` is the directory a
    /// relative `filesystem:` location is resolved against; Flyway resolves it against the
    /// process working directory (`new File(path)`, not the conf file's directory), so the
    /// engine passes the step's working directory here.
    pub fn apply(&self, config: &mut Config, conf_dir: &Path) -> Result<(), ConfError> {
        if let Some(locations) = self.list("flyway.locations") {
            let mut paths = Vec::new();
            for loc in locations {
                if let Some(path) = loc.strip_prefix("filesystem:") {
                    let path = PathBuf::from(path);
                    paths.push(if path.is_absolute() {
                        path
                    } else {
                        conf_dir.join(path)
                    });
                } else if loc.starts_with("classpath:")
                    || loc.contains(':') && !loc.starts_with('/')
                {
                    return Err(self.err(
                        "flyway.locations",
                        format!(
                            "flyway.locations entry '{loc}' is not a filesystem: location; only filesystem: locations can be read without a JVM (use filesystem:PATH or the step's dir)"
                        ),
                    ));
                } else {
                    // Flyway treats a location without a prefix as classpath:.
                    return Err(self.err(
                        "flyway.locations",
                        format!(
                            "flyway.locations entry '{loc}' has no prefix, which Flyway reads as classpath:{loc}; write filesystem:{loc} for a directory"
                        ),
                    ));
                }
            }
            config.locations = paths;
        }
        if let Some(schemas) = self.list("flyway.schemas") {
            config.schemas = schemas;
        }
        if let Some(schema) = self.get("flyway.defaultSchema").filter(|s| !s.is_empty()) {
            config.schema = Some(schema.to_owned());
        } else if config.schema.is_none() {
            config.schema = config.schemas.first().cloned();
        }
        if let Some(table) = self.get("flyway.table").filter(|s| !s.is_empty()) {
            config.table = table.to_owned();
        }
        if let Some(v) = self.get("flyway.baselineVersion") {
            Version::parse(v).map_err(|e| self.err("flyway.baselineVersion", e.to_string()))?;
            config.baseline_version = v.to_owned();
        }
        if let Some(v) = self.get("flyway.baselineDescription") {
            config.baseline_description = v.to_owned();
        }
        if let Some(b) = self.boolean("flyway.baselineOnMigrate")? {
            config.baseline_on_migrate = b;
        }
        if let Some(b) = self.boolean("flyway.outOfOrder")? {
            config.out_of_order = b;
        }
        if let Some(t) = self.get("flyway.target") {
            let lower = t.to_ascii_lowercase();
            if lower == "latest" || lower.is_empty() {
                config.target_version = None;
            } else {
                if lower != "current" {
                    Version::parse(t).map_err(|e| self.err("flyway.target", e.to_string()))?;
                }
                config.target_version = Some(t.to_owned());
            }
        }
        if let Some(v) = self.get("flyway.sqlMigrationPrefix") {
            config.sql_migration_prefix = v.to_owned();
        }
        if let Some(v) = self.get("flyway.repeatableSqlMigrationPrefix") {
            config.repeatable_sql_migration_prefix = v.to_owned();
        }
        if let Some(v) = self.get("flyway.sqlMigrationSeparator") {
            if v.is_empty() {
                return Err(self.err(
                    "flyway.sqlMigrationSeparator",
                    "flyway.sqlMigrationSeparator is empty; expected a separator such as __"
                        .to_owned(),
                ));
            }
            config.sql_migration_separator = v.to_owned();
        }
        if let Some(v) = self.list("flyway.sqlMigrationSuffixes") {
            config.sql_migration_suffixes = v;
        }
        if let Some(v) = self.get("flyway.placeholderPrefix") {
            config.placeholder_prefix = v.to_owned();
        }
        if let Some(v) = self.get("flyway.placeholderSuffix") {
            config.placeholder_suffix = v.to_owned();
        }
        if let Some(b) = self.boolean("flyway.placeholderReplacement")? {
            config.placeholder_replacement = b;
        }
        if let Some(v) = self.get("flyway.installedBy").filter(|s| !s.is_empty()) {
            config.installed_by = Some(v.to_owned());
        }
        for (key, (value, _)) in &self.entries {
            if let Some(name) = key.strip_prefix("flyway.placeholders.") {
                config.placeholders.insert(name.to_owned(), value.clone());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Format;

    fn env(name: &str) -> Option<String> {
        match name {
            "DB_HOST" => Some("db.local".into()),
            "DB_PORT" => Some("5432".into()),
            _ => None,
        }
    }

    fn p(text: &str) -> ConfFile {
        parse(text, "flyway.conf", &env).expect("parses")
    }

    #[test]
    fn opendolphin_conf() {
        // The OpenDolphin flyway.conf (a copy of ../shared/fixtures/opendolphin/flyway).
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/opendolphin/flyway.conf"),
        )
        .expect("fixture");
        // The real file has CRLF line endings.
        assert_eq!(text.replace("\r\n", "\n"), OPENDOLPHIN);
        let conf = p(&text);
        assert_eq!(
            conf.get("flyway.url"),
            Some("jdbc:postgresql://db.local:5432/")
        );
        assert_eq!(conf.get("flyway.user"), Some(""));
        let mut c = Config::new(Format::Flyway);
        conf.apply(&mut c, Path::new("/work/repo"))
            .expect("applies");
        assert_eq!(c.locations, vec![PathBuf::from("/work/repo/sql")]);
        assert_eq!(c.schemas, vec!["opendolphin".to_owned()]);
        assert_eq!(c.schema.as_deref(), Some("opendolphin"));
        assert!(c.baseline_on_migrate);
        assert_eq!(c.baseline_version, "0");
        assert_eq!(c.sql_migration_suffixes, vec![".sql".to_owned()]);
        assert_eq!(
            conf.ignored_keys(),
            vec!["flyway.password", "flyway.url", "flyway.user"]
        );
    }

    const OPENDOLPHIN: &str = "flyway.url=jdbc:postgresql://${DB_HOST}:${DB_PORT}/${DB_NAME}\nflyway.user=${DB_USER}\nflyway.password=${DB_PASSWORD}\nflyway.schemas=opendolphin\nflyway.defaultSchema=opendolphin\nflyway.locations=filesystem:sql\nflyway.baselineOnMigrate=true\nflyway.baselineVersion=0\nflyway.sqlMigrationPrefix=V\nflyway.sqlMigrationSeparator=__\nflyway.sqlMigrationSuffixes=.sql\n";

    #[test]
    fn properties_syntax() {
        let conf = p(concat!(
            "# comment\n",
            "! also a comment\n",
            "   flyway.table : my_history  \r\n",
            "flyway.schemas a,\\\n",
            "    b\n",
            "flyway.placeholders.path=C:\\temp\\new\n",
            "flyway.placeholders.keep=${flyway:user} and ${a.b}\n",
            "flyway.table=last_wins\n",
            "flyway.installedBy=\n",
        ));
        assert_eq!(conf.get("flyway.table"), Some("last_wins"));
        assert_eq!(conf.line_of("flyway.table"), Some(8));
        assert_eq!(conf.get("flyway.schemas"), Some("a,b"));
        assert_eq!(conf.get("flyway.placeholders.path"), Some("C:\\temp\\new"));
        assert_eq!(
            conf.get("flyway.placeholders.keep"),
            Some("${flyway:user} and ${a.b}")
        );
        assert_eq!(conf.get("flyway.installedBy"), Some(""));
    }

    #[test]
    fn a_backslash_before_a_new_property_is_literal_and_env_fills_values() {
        let conf =
            p("flyway.schemas=a\\\nflyway.table=t\nflyway.placeholders.host=${DB_HOST}:${UNSET}\n");
        assert_eq!(conf.get("flyway.schemas"), Some("a\\"));
        assert_eq!(conf.get("flyway.table"), Some("t"));
        assert_eq!(conf.get("flyway.placeholders.host"), Some("db.local:"));
        let mut c = Config::new(Format::Flyway);
        conf.apply(&mut c, Path::new(".")).expect("applies");
        assert_eq!(
            c.placeholders.get("host").map(String::as_str),
            Some("db.local:")
        );
        assert_eq!(c.table, "t");
        assert!(conf.ignored_keys().is_empty());
    }

    #[test]
    fn errors_name_file_and_line() {
        let conf = p("flyway.schemas=x\nflyway.outOfOrder=yes\n");
        let e = conf
            .apply(&mut Config::new(Format::Flyway), Path::new("."))
            .expect_err("bad boolean");
        assert_eq!(e.line, 2);
        assert!(e.to_string().starts_with("flyway.conf:2: "), "{e}");
        assert!(e.message.contains("yes"), "{e}");

        let conf = p("\nflyway.locations=classpath:db/migration\n");
        let e = conf
            .apply(&mut Config::new(Format::Flyway), Path::new("."))
            .expect_err("classpath");
        assert_eq!(e.line, 2);
        assert!(e.message.contains("classpath:db/migration"), "{e}");

        let conf = p("flyway.baselineVersion=abc\n");
        let e = conf
            .apply(&mut Config::new(Format::Flyway), Path::new("."))
            .expect_err("bad version");
        assert_eq!(e.line, 1);
    }
}
