//! Consent and check-mode analysis from PostgreSQL's own parser: every attack the keyword
//! classifier let through needs consent now, and what pg_dump emits into an emptied schema does
//! not.

use runbook_sql::analysis::{ConsentAnalyzer, Risk, inspect_read_query};
use runbook_sql::{Item, ReaderOptions, ScriptReader};

fn verdicts(script: &str) -> Vec<(String, Risk)> {
    let mut analyzer = ConsentAnalyzer::new();
    ScriptReader::with_options(script.as_bytes(), ReaderOptions::default())
        .filter_map(|item| match item {
            Ok(Item::Statement(s)) => {
                let risk = analyzer.statement(&s.text, s.standard_conforming_strings);
                Some((s.text, risk))
            }
            _ => None,
        })
        .collect()
}

fn needs_consent(script: &str) -> String {
    match verdicts(script)
        .into_iter()
        .find(|(_, r)| matches!(r, Risk::NeedsConsent(_)))
    {
        Some((_, Risk::NeedsConsent(reason))) => reason,
        _ => panic!("no consent needed for:\n{script}"),
    }
}

fn harmless(script: &str) {
    for (statement, risk) in verdicts(script) {
        assert_eq!(risk, Risk::Harmless, "{statement}");
    }
}

#[test]
fn every_keyword_bypass_of_the_issue_needs_consent() {
    let attacks = [
        (
            "DO $$ BEGIN EXECUTE 'DROP TABLE victim'; END $$;",
            "DO block",
        ),
        (
            "DO $x$ DECLARE r record; BEGIN FOR r IN SELECT tablename FROM pg_tables LOOP EXECUTE format('DROP TABLE %I', r.tablename); END LOOP; END $x$;",
            "DO block",
        ),
        ("SELECT wipe_everything();", "wipe_everything"),
        ("SELECT public.wipe_everything();", "public.wipe_everything"),
        ("ALTER TABLE patients DROP COLUMN name;", "DROP COLUMN"),
        (
            "ALTER TABLE patients ALTER COLUMN name TYPE text USING NULL;",
            "ALTER COLUMN TYPE",
        ),
        ("ALTER TABLE patients RENAME TO patients_old;", "RENAME"),
        ("ALTER TABLE patients RENAME COLUMN name TO n;", "RENAME"),
        (
            "WITH gone AS (DELETE FROM patients RETURNING *) SELECT count(*) FROM gone;",
            "DELETE FROM patients",
        ),
        (
            "MERGE INTO patients p USING src s ON p.id = s.id WHEN MATCHED THEN DELETE;",
            "MERGE INTO patients",
        ),
        (
            "PREPARE wipe AS DELETE FROM patients; EXECUTE wipe;",
            "DELETE",
        ),
        ("DELETE FROM patients WHERE true;", "DELETE FROM patients"),
        ("DELETE FROM patients WHERE id = 1;", "DELETE FROM patients"),
        (
            "UPDATE patients SET name = NULL WHERE id > 0;",
            "UPDATE patients",
        ),
        (
            "INSERT INTO patients (id, name) VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET name = NULL;",
            "ON CONFLICT DO UPDATE",
        ),
        (
            "CREATE RULE wipe AS ON INSERT TO patients DO ALSO DELETE FROM patients;",
            "CREATE RULE",
        ),
        ("TRUNCATE patients;", "TRUNCATE"),
        ("DROP TABLE patients;", "DROP"),
        ("CALL cleanup();", "CALL"),
        ("EXECUTE prepared_elsewhere;", "EXECUTE"),
        (
            "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
            "OR REPLACE",
        ),
        ("CREATE OR REPLACE VIEW v AS SELECT 1;", "OR REPLACE"),
        (
            "SELECT \"dblink_exec\"('dbname=x', 'DELETE FROM t');",
            "dblink_exec",
        ),
        ("SELECT lo_unlink(16400);", "lo_unlink"),
        ("SELECT setval('public.patients_id_seq', 1);", "setval"),
        ("SELECT 1 OPERATOR(public.===) 2;", "operator"),
        ("COPY patients TO '/tmp/out';", "server-side file"),
        ("COPY patients FROM PROGRAM 'rm -rf /';", "server-side file"),
        ("ALTER SEQUENCE patients_id_seq RESTART;", "RESTART"),
        ("EXPLAIN ANALYZE DELETE FROM patients;", "DELETE"),
        (
            "CREATE TABLE copy AS WITH d AS (DELETE FROM patients RETURNING *) SELECT * FROM d;",
            "DELETE",
        ),
        (
            "SELECT set_config('standard_conforming_strings', 'off', false);",
            "standard_conforming_strings",
        ),
        (
            "ALTER TABLE patients ADD COLUMN x int DEFAULT wipe();",
            "wipe",
        ),
        ("CREATE INDEX ON patients (wipe(id));", "wipe"),
        ("ALTER SYSTEM SET fsync = off;", "ALTER SYSTEM"),
        ("ALTER ROLE app PASSWORD 'x';", "ALTER ROLE"),
        (
            "CREATE TRIGGER t BEFORE INSERT ON patients FOR EACH ROW EXECUTE FUNCTION f();",
            "did not create",
        ),
        ("SELEKT * FROM patients;", "cannot be parsed"),
        (
            "SELECT query_to_xml('DELETE FROM patients', true, true, '');",
            "query_to_xml",
        ),
        (
            "SELECT pg_catalog.pg_terminate_backend(42);",
            "pg_terminate_backend",
        ),
        ("ALTER TABLE patients DETACH PARTITION p1;", "DETACH"),
        ("ALTER TABLE patients ENABLE RULE r;", "ENABLE RULE"),
        (
            "SET standard_conforming_strings = off;",
            "changes how the statements after it are split",
        ),
        ("SET LOCAL standard_conforming_strings TO 'false';", "split"),
        ("RESET standard_conforming_strings;", "split"),
        ("RESET ALL;", "RESET ALL"),
        ("REFRESH MATERIALIZED VIEW public.mv;", "did not write"),
        (
            "CREATE MATERIALIZED VIEW mv AS SELECT wipe() WITH NO DATA;",
            "wipe",
        ),
    ];
    for (sql, reason) in attacks {
        let got = needs_consent(sql);
        assert!(
            got.contains(reason),
            "{sql}\n  reason {got:?} does not mention {reason:?}"
        );
    }
}

#[test]
fn a_pg_dump_load_into_an_emptied_schema_needs_no_consent() {
    harmless(
        "SET statement_timeout = 0;\n\
         SET standard_conforming_strings = on;\n\
         SELECT pg_catalog.set_config('search_path', '', false);\n\
         CREATE EXTENSION IF NOT EXISTS plpgsql WITH SCHEMA pg_catalog;\n\
         COMMENT ON EXTENSION plpgsql IS 'PL/pgSQL procedural language';\n\
         CREATE FUNCTION public.last_updated() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.last_update = now(); RETURN NEW; END $$;\n\
         ALTER FUNCTION public.last_updated() OWNER TO postgres;\n\
         CREATE TABLE public.actor (actor_id integer NOT NULL, name text, last_update timestamp DEFAULT now() NOT NULL);\n\
         ALTER TABLE public.actor OWNER TO postgres;\n\
         CREATE SEQUENCE public.actor_actor_id_seq AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;\n\
         ALTER SEQUENCE public.actor_actor_id_seq OWNED BY public.actor.actor_id;\n\
         ALTER TABLE ONLY public.actor ALTER COLUMN actor_id SET DEFAULT nextval('public.actor_actor_id_seq'::regclass);\n\
         CREATE VIEW public.v AS SELECT NULL::integer AS actor_id;\n\
         CREATE OR REPLACE VIEW public.v AS SELECT actor_id FROM public.actor;\n\
         COPY public.actor (actor_id, name, last_update) FROM stdin;\n\
         1\tPENELOPE\t2022-02-15 09:34:33\n\
         \\.\n\
         INSERT INTO public.actor VALUES (2, 'NICK', now());\n\
         SELECT pg_catalog.setval('public.actor_actor_id_seq', 200, true);\n\
         ALTER TABLE ONLY public.actor ADD CONSTRAINT actor_pkey PRIMARY KEY (actor_id);\n\
         CREATE INDEX idx_actor_last_name ON public.actor USING btree (name);\n\
         CREATE TRIGGER last_updated BEFORE UPDATE ON public.actor FOR EACH ROW EXECUTE FUNCTION public.last_updated();\n\
         GRANT ALL ON SCHEMA public TO PUBLIC;\n\
         REVOKE ALL ON TABLE public.actor FROM PUBLIC;\n\
         SELECT pg_catalog.lo_create('16385');\n\
         SELECT pg_catalog.lo_open('16385', 131072);\n\
         SELECT pg_catalog.lowrite(0, '\\x0102');\n\
         SELECT pg_catalog.lo_close(0);\n",
    );
}

#[test]
fn writes_into_a_table_after_a_trigger_is_attached_need_consent() {
    let reason = needs_consent(
        "CREATE TABLE public.t (id int);\n\
         CREATE FUNCTION public.f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM public.patients; RETURN NEW; END $$;\n\
         CREATE TRIGGER t BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.f();\n\
         INSERT INTO public.t VALUES (1);\n",
    );
    assert!(reason.contains("INSERT into public.t"), "{reason}");
}

#[test]
fn a_column_default_that_calls_user_code_arms_the_table() {
    let reason = needs_consent(
        "CREATE TABLE t (id int, x int DEFAULT public.wipe());\nINSERT INTO t (id) VALUES (1);\n",
    );
    assert!(
        reason.contains("column default calls public.wipe()"),
        "{reason}"
    );
}

#[test]
fn harmless_statements_stay_quiet() {
    harmless(
        "SELECT count(*) FROM patients WHERE lower(name) = 'x';\n\
         INSERT INTO audit (at) VALUES (now());\n\
         INSERT INTO audit SELECT 1 ON CONFLICT DO NOTHING;\n\
         CREATE TABLE IF NOT EXISTS audit (at timestamptz);\n\
         GRANT SELECT ON patients TO reviewer;\n\
         COMMENT ON TABLE patients IS 'x';\n\
         SET search_path = public;\n\
         BEGIN; COMMIT;\n\
         ANALYZE patients;\n\
         SELECT nextval('patients_id_seq');\n\
         PREPARE q AS SELECT 1; EXECUTE q;\n\
         EXPLAIN SELECT * FROM patients;\n\
         CREATE SCHEMA app CREATE TABLE t (a int);\n\
         CREATE MATERIALIZED VIEW app.mv AS SELECT count(*) FROM app.t WITH NO DATA;\n\
         REFRESH MATERIALIZED VIEW app.mv;\n",
    );
}

#[test]
fn statements_split_without_standard_conforming_strings_are_parsed_the_same_way() {
    let mut analyzer = ConsentAnalyzer::new();
    // With standard_conforming_strings off, \' escapes the quote and the DROP is code; with it
    // on, the second SELECT's string hides the DROP.
    let sql = "SELECT 'a\\'; SELECT '; COMMIT; DROP TABLE victim; --'";
    assert!(matches!(
        analyzer.statement(sql, false),
        Risk::NeedsConsent(r) if r.contains("DROP")
    ));
    assert_eq!(
        ConsentAnalyzer::new().statement(sql, true),
        Risk::Harmless,
        "with the setting on it is one string"
    );
}

#[test]
fn check_queries_must_be_one_plain_read() {
    let refused = [
        ("SELECT 1; SELECT 2", "2 statements"),
        (
            "WITH d AS (DELETE FROM t RETURNING 1) SELECT * FROM d",
            "DELETE",
        ),
        ("SELECT * INTO t2 FROM t", "INTO"),
        ("SELECT * FROM t FOR UPDATE", "FOR UPDATE"),
        ("INSERT INTO t VALUES (1)", "INSERT is not a plain read"),
        ("COMMIT", "COMMIT could leave the read-only transaction"),
        ("SET default_transaction_read_only = off", "SET could leave"),
        ("EXPLAIN ANALYZE SELECT 1", "EXPLAIN ANALYZE"),
        ("COPY t TO '/tmp/x'", "not a plain read"),
        (
            "SELECT 'a\\'; SELECT '; COMMIT; DROP TABLE v; --'",
            "3 statements",
        ),
    ];
    for (sql, why) in refused {
        let scs = !sql.contains('\\'); // as on a server with the setting off
        let got = inspect_read_query(sql, scs).expect_err(sql);
        assert!(got.contains(why), "{sql}: {got}");
    }
    let q = inspect_read_query(
        "SELECT \"dblink_exec\"('x'), n.nspname, $q$pg_advisory_lock$q$ AS \"$x$\" FROM pg_namespace n, v WHERE 1 OPERATOR(public.===) 2 AND 'a'::my_domain IS NOT NULL",
        true,
    )
    .unwrap();
    assert_eq!(q.functions, vec![vec!["dblink_exec".to_owned()]]);
    assert_eq!(
        q.operators,
        vec![vec!["public".to_owned(), "===".to_owned()]]
    );
    assert_eq!(q.types, vec![vec!["my_domain".to_owned()]]);
    assert_eq!(q.relations, vec!["pg_namespace".to_owned(), "v".to_owned()]);
}

/// Real pg_dump output from `../shared/fixtures` (pagila schema and data, the OpenDolphin
/// legacy dump), read in order as one script: a load into an emptied schema needs no consent.
#[test]
fn real_dumps_load_without_consent() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures");
    if !dir.is_dir() {
        #[expect(clippy::print_stderr, reason = "a skipped corpus test must say so")]
        {
            eprintln!("real_dumps_load_without_consent: skipped, ../shared/fixtures is not there");
        }
        return;
    }
    for files in [
        &["pagila/pagila-schema.sql", "pagila/pagila-data.sql"][..],
        &["opendolphin/legacy_schema_dump.sql"][..],
    ] {
        let mut analyzer = ConsentAnalyzer::new();
        for file in files {
            let input = std::fs::File::open(dir.join(file)).unwrap();
            for item in ScriptReader::new(std::io::BufReader::new(input)) {
                if let Ok(Item::Statement(s)) = item {
                    let risk = analyzer.statement(&s.text, s.standard_conforming_strings);
                    assert_eq!(risk, Risk::Harmless, "{file}:{}: {}", s.start.line, s.text);
                }
            }
        }
    }
}
