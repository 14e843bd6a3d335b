//! Differential tests: the same script loaded by psql and by the loader into two fresh
//! databases must give identical `pg_dump` output.

use std::io::Write;
use std::path::{Path, PathBuf};

use runbook_postgres::Session;
use runbook_testkit::postgres::{
    create_database, normalize_dump, pg_dump, pg_dump_normalized, psql, psql_file, server,
    shared_fixtures,
};

use crate::support::load_file_ok;

/// Loads `files` in order with psql into one database and with the loader into another, and
/// compares the dumps.
async fn assert_same_as_psql(label: &str, files: &[PathBuf]) {
    let by_psql = create_database("diff_psql");
    for file in files {
        if let Err(stderr) = psql_file(&by_psql.spec, file) {
            panic!("psql itself fails on {}: {stderr}", file.display());
        }
    }
    let by_loader = create_database("diff_loader");
    let mut session = by_loader.connect().await;
    for file in files {
        load_file_ok(&mut session, file).await;
    }
    let expected = pg_dump_normalized(&by_psql.spec);
    let actual = pg_dump_normalized(&by_loader.spec);
    assert!(
        expected.len() > 100,
        "{label}: the psql load produced an empty dump"
    );
    if expected != actual {
        panic!(
            "{label}: pg_dump differs between psql and the loader:\n{}",
            first_difference(&expected, &actual)
        );
    }
}

fn first_difference(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) =
        (expected.split('\n').collect(), actual.split('\n').collect());
    let at = e
        .iter()
        .zip(&a)
        .position(|(x, y)| x != y)
        .unwrap_or(e.len().min(a.len()));
    format!(
        "at dump line {}:\n  psql:   {:?}\n  loader: {:?}\n(psql {} lines, loader {} lines)",
        at + 1,
        e.get(at),
        a.get(at),
        e.len(),
        a.len()
    )
}

fn skip(what: &str) {
    let _ = writeln!(
        std::io::stderr(),
        "skipped {what}: ../shared/fixtures is not there"
    );
}

#[tokio::test]
async fn pagila_schema_and_data() {
    let Some(fixtures) = shared_fixtures() else {
        return skip("pagila");
    };
    let dir = fixtures.join("pagila");
    assert_same_as_psql(
        "pagila",
        &[dir.join("pagila-schema.sql"), dir.join("pagila-data.sql")],
    )
    .await;
}

#[tokio::test]
async fn opendolphin_legacy_dump_with_crlf_and_restrict() {
    let Some(fixtures) = shared_fixtures() else {
        return skip("opendolphin");
    };
    assert_same_as_psql(
        "opendolphin",
        &[fixtures.join("opendolphin/legacy_schema_dump.sql")],
    )
    .await;
}

#[tokio::test]
async fn runbook_sql_ok_fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../runbook-sql/tests/data/ok");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    if files.is_empty() {
        let _ = writeln!(
            std::io::stderr(),
            "no runbook-sql ok/ fixtures in {}",
            dir.display()
        );
    }
    for file in files {
        let label = file.file_name().unwrap().to_string_lossy().into_owned();
        assert_same_as_psql(&label, &[file]).await;
    }
}

/// Every construct pg_dump writes that a loader can get wrong.
const CONSTRUCTS: &str = r#"
CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE SEQUENCE standalone_seq START 100;
SELECT nextval('standalone_seq');
CREATE TABLE person (
  id serial PRIMARY KEY,
  name text NOT NULL,
  mood mood,
  age positive_int,
  note text
);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  -- a comment; with a semicolon
  NEW.note := coalesce(NEW.note, $$default 'note'; really$$);
  RETURN NEW;
END
$fn$;
CREATE TRIGGER person_touch BEFORE INSERT ON person FOR EACH ROW EXECUTE FUNCTION touch();
CREATE FUNCTION add_one(x integer) RETURNS integer LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
  SELECT x + 1;
END;
CREATE FUNCTION sign_word(x integer) RETURNS text LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
  SELECT CASE WHEN x > 0 THEN 'pos' WHEN x < 0 THEN 'neg' ELSE 'zero' END;
  SELECT 'unused; really';
END;
CREATE TABLE measurement (city_id int NOT NULL, logdate date NOT NULL, peak int) PARTITION BY RANGE (logdate);
CREATE TABLE measurement_2024 PARTITION OF measurement FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE measurement_2025 PARTITION OF measurement FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE VIEW happy_people AS SELECT id, name, add_one(id) AS next_id FROM person WHERE mood = 'happy';
CREATE MATERIALIZED VIEW mood_counts AS SELECT mood, count(*) AS n FROM person GROUP BY mood;
INSERT INTO person (name, mood, age, note) VALUES
  (E'tab\there', 'happy', 30, E'back\\slash'),
  ('O''Brien', 'sad', 40, NULL),
  ('日本語の名前', 'ok', 50, 'ünïcödé ✓'),
  (E'new\nline', 'happy', 20, E'cr\r\nlf'),
  ('\N literal', NULL, NULL, '\.'),
  ('semi;colon -- not a comment /* nor this */', 'ok', 1, '$$ not a quote $$');
INSERT INTO measurement VALUES (1, '2024-05-01', 30), (2, '2025-06-01', 35);
REFRESH MATERIALIZED VIEW mood_counts;
COMMENT ON TABLE person IS 'people; with a semicolon';
"#;

/// A database holding [`CONSTRUCTS`], built with psql.
fn construct_database(name: &str) -> runbook_testkit::postgres::TestDb {
    let db = create_database(name);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("constructs.sql");
    std::fs::write(&file, CONSTRUCTS).unwrap();
    psql_file(&db.spec, &file).unwrap_or_else(|e| panic!("building the constructs failed: {e}"));
    db
}

#[tokio::test]
async fn self_contained_pg_dump_round_trip() {
    let source = construct_database("diff_source");
    let dir = tempfile::tempdir().unwrap();
    for (label, args) in [("plain", &[][..]), ("inserts", &["--inserts"][..])] {
        let file = dir.path().join(format!("{label}.sql"));
        std::fs::write(&file, pg_dump(&source.spec, args)).unwrap();
        assert_same_as_psql(label, &[file]).await;
    }
}

/// Drops the database named `name` when it goes, for tests that create databases by script.
struct DropOnExit(String);

impl Drop for DropOnExit {
    fn drop(&mut self) {
        drop_database(&self.0);
    }
}

fn drop_database(name: &str) {
    let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    let status = psql(server()).args(["-c", &sql]).status().unwrap();
    assert!(status.success());
}

#[tokio::test]
async fn self_contained_dump_with_create_and_connect() {
    // A name that needs quoting makes pg_dump write `\encoding SQL_ASCII` and
    // `\connect -reuse-previous=on "dbname='...'"`.
    let source = construct_database("diff_create");
    let name = format!("{}-copy", source.name);
    let _guard = DropOnExit(name.clone());
    let rename = format!("ALTER DATABASE \"{}\" RENAME TO \"{name}\"", source.name);
    assert!(
        psql(server())
            .args(["-c", &rename])
            .status()
            .unwrap()
            .success()
    );
    let spec = server().with_database(&name);
    let dump = pg_dump(&spec, &["-C"]);
    let text = String::from_utf8_lossy(&dump);
    assert!(
        text.contains("\\encoding SQL_ASCII"),
        "pg_dump did not write \\encoding"
    );
    assert!(
        text.contains("\\connect -reuse-previous=on"),
        "pg_dump did not write \\connect"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("create.sql");
    std::fs::write(&file, &dump).unwrap();

    drop_database(&name);
    psql_file(server(), &file).unwrap_or_else(|e| panic!("psql failed on the -C dump: {e}"));
    let expected = normalize_dump(&String::from_utf8_lossy(&pg_dump(&spec, &[])));
    drop_database(&name);

    let mut session = Session::connect(server()).await.unwrap();
    load_file_ok(&mut session, &file).await;
    assert_eq!(
        session.spec().dbname(),
        name,
        "the loader did not follow \\connect"
    );
    drop(session);
    let actual = normalize_dump(&String::from_utf8_lossy(&pg_dump(&spec, &[])));
    assert!(expected.len() > 100);
    if expected != actual {
        panic!("-C dump differs:\n{}", first_difference(&expected, &actual));
    }
}
