//! What a script needs a protected target's consent for, known before anything runs.
//!
//! Every statement that would run on a protected target goes through `runbook-sql`'s
//! `ConsentAnalyzer` (PostgreSQL's own parse tree; fail closed). Two things decide *which*
//! target a statement runs on and how it is read, and both are followed here the way the loader
//! will follow them:
//!
//! - `\connect`: a script on an unprotected target that connects to a protected target's
//!   database needs that target's consent, and its later statements are analysed for it.
//! - `standard_conforming_strings`: the server's setting decides where statements end (with it
//!   off, `'a\'; DROP ...'` is not one string). The setting is not known before the run, so a
//!   script with a backslash in it is analysed as split both ways; a statement that changes the
//!   setting where the reader cannot follow needs consent (the analyzer says so).

use std::collections::BTreeMap;
use std::io::Read;

use runbook_evidence::Redactor;
use runbook_postgres::{ConnectionSpec, ProcessEnv};
use runbook_spec::{Connection, Runbook};
use runbook_sql::analysis::{ConsentAnalyzer, Destructive, Effect, Risk, classify};
use runbook_sql::{Item, MetaCommand, ScriptReader};

use crate::errors::StepError;
use crate::script::Origin;
use crate::step::Destruction;
use crate::text::plural;

/// Where a target's database is, as far as the runbook says before the run.
#[derive(Debug, Clone)]
struct Place {
    spec: Option<ConnectionSpec>,
    /// The port is only known at run time (a container's published port).
    port_known: bool,
}

fn place_of(runbook: &Runbook, target: &str) -> Option<Place> {
    let t = runbook.targets.get(target)?;
    let pg = t.postgres.as_ref()?;
    match pg.connection() {
        Connection::Ephemeral => None,
        Connection::Url { url, .. } => Some(Place {
            spec: ConnectionSpec::parse(url, &ProcessEnv).ok(),
            port_known: t.container.is_none() || url_names_port(url),
        }),
    }
}

fn url_names_port(url: &str) -> bool {
    url.contains("port=")
        || url
            .split_once("://")
            .and_then(|(_, rest)| rest.split(['/', '?']).next())
            .is_some_and(|authority| {
                authority
                    .rsplit('@')
                    .next()
                    .is_some_and(|h| h.contains(':'))
            })
}

/// Whether two places can be the same database: same name, and the same server where both
/// servers are known.
fn same_database(a: &ConnectionSpec, b: &Place) -> bool {
    let Some(spec) = &b.spec else {
        return false;
    };
    a.dbname() == spec.dbname()
        && (!b.port_known || (a.host() == spec.host() && a.port() == spec.port()))
}

/// The protected target (if any) whose database `spec` is.
fn protected_at(runbook: &Runbook, spec: &ConnectionSpec) -> Option<String> {
    runbook
        .targets
        .iter()
        .filter(|(_, t)| t.protected)
        .find(|(name, _)| place_of(runbook, name).is_some_and(|p| same_database(spec, &p)))
        .map(|(name, _)| name.clone())
}

/// The protected target a step's own target stands for: itself when protected, or a protected
/// target whose database it names under another target name.
pub(crate) fn protected_identity(runbook: &Runbook, target: &str) -> Option<String> {
    let t = runbook.targets.get(target)?;
    if t.protected {
        return Some(target.to_owned());
    }
    let place = place_of(runbook, target)?;
    let spec = place.spec.as_ref()?;
    if !place.port_known {
        return None;
    }
    protected_at(runbook, spec)
}

/// What the script would need consent for, by protected target. `open(scs)` gives a fresh
/// reader of the script starting with that `standard_conforming_strings`.
pub(crate) fn destructions<R: Read>(
    runbook: &Runbook,
    step_target: &str,
    origin: &Origin,
    redactor: &Redactor,
    open: &mut dyn FnMut(bool) -> Result<ScriptReader<R>, StepError>,
) -> Result<Vec<Destruction>, StepError> {
    let mut found: BTreeMap<String, Finding> = BTreeMap::new();
    let mut backslash = false;
    for initial_scs in [true, false] {
        if !initial_scs && !backslash {
            break; // without a backslash both settings split the script alike
        }
        let reader = open(initial_scs)?;
        backslash |= scan(runbook, step_target, origin, redactor, reader, &mut found);
    }
    Ok(found
        .into_iter()
        .map(|(target, finding)| Destruction {
            target,
            what: finding.describe(),
        })
        .collect())
}

#[derive(Debug, Default)]
struct Finding {
    first: String,
    /// Whether `first` is a classic destruction (DROP, TRUNCATE, DELETE or UPDATE of every row).
    first_classic: bool,
    /// The first classic destruction after a `first` that is not one: a script that opens with
    /// an `UPDATE ... WHERE` must not hide its `DROP TABLE` behind "and 1 more".
    classic: Option<String>,
    more: u64,
    seen: std::collections::HashSet<(u64, String)>,
}

impl Finding {
    fn add(&mut self, offset: u64, what: String, classic: bool) {
        if !self.seen.insert((offset, what.clone())) {
            return;
        }
        if self.first.is_empty() {
            self.first = what;
            self.first_classic = classic;
        } else {
            self.more += 1;
            if classic && !self.first_classic && self.classic.is_none() {
                self.classic = Some(what);
            }
        }
    }

    fn describe(&self) -> String {
        if self.more > 0 {
            let among = match &self.classic {
                Some(classic) => format!(", among them {classic}"),
                None => String::new(),
            };
            format!(
                "{} and {} more destructive statement{}{among}",
                self.first,
                self.more,
                plural(self.more)
            )
        } else {
            self.first.clone()
        }
    }
}

/// One pass over the script; returns whether any statement held a backslash.
fn scan<R: Read>(
    runbook: &Runbook,
    step_target: &str,
    origin: &Origin,
    redactor: &Redactor,
    reader: ScriptReader<R>,
    found: &mut BTreeMap<String, Finding>,
) -> bool {
    let mut backslash = false;
    let mut current_place = place_of(runbook, step_target).and_then(|p| p.spec);
    let mut current = protected_identity(runbook, step_target);
    let mut analyzer = ConsentAnalyzer::new();
    for item in reader {
        match item {
            Ok(Item::Statement(statement)) => {
                backslash |= statement.text.contains('\\');
                let Some(target) = &current else {
                    continue;
                };
                if let Risk::NeedsConsent(reason) =
                    analyzer.statement(&statement.text, statement.standard_conforming_strings)
                {
                    let text = one_line(&redactor.redact(&statement.text));
                    let at = origin.show(statement.start);
                    // The classic forms speak for themselves when they are shown whole; the
                    // others say why.
                    let effect = classify(&statement.text).effect;
                    let classic = matches!(effect, Effect::Destructive(_));
                    let what = match effect {
                        Effect::Destructive(_) if speaks_for_itself(&text, &statement.text) => {
                            format!("run {text} ({at})")
                        }
                        Effect::Destructive(d) => format!(
                            "run {text} ({at}), which {}",
                            redactor.redact(&destroys(&d))
                        ),
                        _ => format!("run {text} ({at}): {}", redactor.redact(&reason)),
                    };
                    found.entry(target.clone()).or_default().add(
                        statement.start.offset,
                        what,
                        classic,
                    );
                }
            }
            Ok(Item::Meta(meta)) => {
                let MetaCommand::Connect { args } = &meta.command else {
                    continue;
                };
                // From an ephemeral cluster the base is libpq's defaults, as for the loader.
                let base = current_place
                    .clone()
                    .or_else(|| ConnectionSpec::parse("", &ProcessEnv).ok());
                // A \connect the loader will refuse reaches nothing.
                let next = base.and_then(|base| {
                    runbook_postgres::load::connect_target(&base, &ProcessEnv, args).ok()
                });
                let reached = next.as_ref().and_then(|spec| protected_at(runbook, spec));
                if let Some(target) = &reached
                    && current.as_ref() != Some(target)
                {
                    let at = origin.show(meta.position);
                    let db = next.as_ref().map(|s| s.dbname()).unwrap_or_default();
                    found.entry(target.clone()).or_default().add(
                        meta.position.offset,
                        format!(
                            "\\connect to database {db} of protected target '{target}' ({at}) and run what follows there"
                        ),
                        true,
                    );
                }
                // A new session: the analyzer's memory of what was created stays (the objects
                // are on the server), but statements now run on the reached database. A
                // \connect the loader refuses leaves the session where it was (with
                // `on_error: continue` the script goes on there), so nothing changes then.
                if next.is_some() {
                    current = reached;
                    current_place = next;
                }
            }
            Ok(_) => {}
            Err(error) => {
                if error.is_fatal() {
                    break;
                }
            }
        }
    }
    backslash
}

/// Whether the one-line form `shown` of a destructive statement shows what it destroys: not
/// cut short, no comment in it, no control character (which the terminal shows escaped, but
/// which a dump has no honest use for). A dump that pads its `DROP TABLE` behind 80 characters
/// of comment, or hides it behind escape codes, gets the analysis said in words.
fn speaks_for_itself(shown: &str, raw: &str) -> bool {
    !shown.ends_with("...")
        && !shown.contains("/*")
        && !shown.contains("--")
        && !raw
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | ' '))
}

/// What a destructive statement destroys, from the analysis rather than from its text.
fn destroys(d: &Destructive) -> String {
    let names = |names: &[runbook_sql::analysis::QualifiedName]| {
        names
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match d {
        Destructive::Drop {
            object_kind,
            names: dropped,
            cascade,
            ..
        } => format!(
            "drops {} {}{}",
            object_kind.to_lowercase(),
            names(dropped),
            if *cascade {
                " and everything that depends on it (CASCADE)"
            } else {
                ""
            }
        ),
        Destructive::DropOwned { roles, .. } => {
            format!("drops everything owned by {}", roles.join(", "))
        }
        Destructive::Truncate { tables, .. } => format!("empties {}", names(tables)),
        Destructive::DeleteAll { table } => format!("deletes every row of {table}"),
        Destructive::UpdateAll { table } => format!("updates every row of {table}"),
    }
}

/// A statement shortened to one line for messages. Redact before calling: a secret cut in two
/// would no longer be found.
pub(crate) fn one_line(text: &str) -> String {
    // Line breaks (LF or CRLF) and runs of blanks become one space; a carriage return that
    // ends no line is kept, for the terminal to show as `\r`: it is what returns the cursor
    // over a statement to hide it, and the operator should see it was there.
    let flat: String = text
        .replace("\r\n", "\n")
        .split(|c: char| c.is_whitespace() && c != '\r')
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let flat = flat.trim_end_matches(';').to_owned();
    if flat.chars().count() > 80 {
        format!("{}...", flat.chars().take(77).collect::<String>())
    } else {
        flat
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use runbook_spec::ParseOptions;

    use super::*;

    fn runbook(targets: &str) -> Runbook {
        let source = format!(
            "version: 1\nname: t\ntargets:\n{targets}steps:\n  - {{ id: s, kind: shell, command: [true] }}\n"
        );
        runbook_spec::parse(
            &source,
            std::path::Path::new("rb.yaml"),
            &ParseOptions::default(),
        )
        .unwrap()
    }

    fn found(runbook: &Runbook, target: &str, sql: &str) -> Vec<Destruction> {
        let sql = sql.to_owned();
        destructions(
            runbook,
            target,
            &Origin::File("s.sql".to_owned()),
            &Redactor::new(Vec::<String>::new()),
            &mut |scs| {
                let options = runbook_sql::ReaderOptions {
                    standard_conforming_strings: scs,
                    ..Default::default()
                };
                Ok(ScriptReader::with_options(
                    Cursor::new(sql.clone().into_bytes()),
                    options,
                ))
            },
        )
        .unwrap()
    }

    const TARGETS: &str = "  scratch:\n    postgres: { url: 'postgres://u@127.0.0.1:5433/scratch' }\n  \
        prod:\n    postgres: { url: 'postgres://u@127.0.0.1:5433/prod' }\n    protected: true\n";

    #[test]
    fn a_connect_from_an_unprotected_target_to_a_protected_database_needs_its_consent() {
        let rb = runbook(TARGETS);
        let d = found(&rb, "scratch", "SELECT 1;\n\\connect prod\nSELECT 2;\n");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].target, "prod");
        assert!(
            d[0].what.contains("\\connect to database prod"),
            "{}",
            d[0].what
        );
        // Another database on the same server, or the same name elsewhere, is not prod.
        assert!(found(&rb, "scratch", "\\connect other\nDROP TABLE x;\n").is_empty());
        assert!(found(&rb, "scratch", "\\connect prod u 10.9.9.9\nDROP TABLE x;\n").is_empty());
    }

    #[test]
    fn a_connect_the_loader_refuses_leaves_the_analysis_on_the_protected_target() {
        let rb = runbook(TARGETS);
        let d = found(
            &rb,
            "prod",
            "\\connect -reuse-previous=bogus x\nDROP TABLE patients;\n",
        );
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].what.contains("DROP TABLE patients"), "{}", d[0].what);
    }

    #[test]
    fn a_target_naming_a_protected_database_under_another_name_is_protected() {
        let rb = runbook(&format!(
            "{TARGETS}  alias:\n    postgres: {{ url: 'postgres://other@127.0.0.1:5433/prod' }}\n"
        ));
        let d = found(&rb, "alias", "DELETE FROM patients WHERE id = 1;\n");
        assert_eq!(d[0].target, "prod");
    }

    #[test]
    fn a_long_statement_is_redacted_before_it_is_shortened() {
        let secret = "hunter2-s3cret-that-runs-past-the-cut-0123456789";
        let rb = runbook(TARGETS);
        let sql = format!("UPDATE app_user SET password = '{secret}', rotated = now();\n");
        let d = destructions(
            &rb,
            "prod",
            &Origin::File("rotate.sql".to_owned()),
            &Redactor::new([secret]),
            &mut |_| Ok(ScriptReader::new(Cursor::new(sql.clone().into_bytes()))),
        )
        .unwrap();
        assert_eq!(
            d[0].what,
            "run UPDATE app_user SET password = '****', rotated = now() (rotate.sql:1:1)"
        );
    }

    #[test]
    fn a_script_split_differently_without_standard_conforming_strings_needs_consent() {
        let rb = runbook(TARGETS);
        let d = found(
            &rb,
            "prod",
            "SELECT 'a\\'; SELECT '; COMMIT; DROP TABLE victim2; --';\n",
        );
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].what.contains("DROP"), "{}", d[0].what);
    }

    #[test]
    fn a_drop_shown_cut_short_or_behind_escape_codes_is_named_by_the_analysis() {
        let rb = runbook(TARGETS);
        let padded = format!("/* {} */ DROP TABLE patients;\n", "vacuum notes ".repeat(8));
        let d = found(&rb, "prod", &padded);
        assert!(
            d[0].what
                .ends_with("... (s.sql:1:1), which drops table patients"),
            "{}",
            d[0].what
        );
        let d = found(
            &rb,
            "prod",
            "DROP TABLE patients /*\x1b[2K\x1b[1G*/ CASCADE;\n",
        );
        assert!(
            d[0].what.ends_with(
                "(s.sql:1:1), which drops table patients and everything that depends on it (CASCADE)"
            ),
            "{}",
            d[0].what
        );
        // Shown whole and plain, a DROP speaks for itself.
        let d = found(&rb, "prod", "DROP TABLE patients;\n");
        assert_eq!(d[0].what, "run DROP TABLE patients (s.sql:1:1)");
    }

    #[test]
    fn a_lone_carriage_return_stays_in_the_one_line_form_and_a_crlf_does_not() {
        assert_eq!(
            one_line("DROP TABLE patients /*\x1b[2K\r*/;\r\n"),
            "DROP TABLE patients /*\x1b[2K\r*/"
        );
        assert_eq!(
            one_line("UPDATE t\r\n   SET a = 1\r\n WHERE b;"),
            "UPDATE t SET a = 1 WHERE b"
        );
    }

    #[test]
    fn a_drop_after_a_lesser_statement_is_named_not_only_counted() {
        let rb = runbook(TARGETS);
        let d = found(
            &rb,
            "prod",
            "UPDATE patients SET note = '' WHERE id = 1;\nSELECT 1;\nDROP TABLE patients;\nTRUNCATE x;\n",
        );
        assert!(
            d[0].what.ends_with(
                "and 2 more destructive statements, among them run DROP TABLE patients (s.sql:3:1)"
            ),
            "{}",
            d[0].what
        );
    }
}
