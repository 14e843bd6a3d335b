//! Real dumps through the whole tool: a runbook loads them via the client loader into a fresh
//! database, its gates pass, and the result is the same database `psql -f` makes of the same
//! files (identical `pg_dump`). Skipped, with a note, when `../shared/fixtures` is absent.

use std::path::Path;

use runbook_testkit::postgres::{create_database, pg_dump_normalized, psql_file};

use crate::contract::case::Case;
use crate::support::*;

/// Asserts two dumps are equal, showing the first line where they differ (not megabytes).
fn assert_same_dump(ours: &str, psql: &str) {
    if ours == psql {
        return;
    }
    let (a, b): (Vec<&str>, Vec<&str>) = (ours.split('\n').collect(), psql.split('\n').collect());
    let at = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    panic!(
        "the runbook's restore differs from psql's at dump line {}:\n  runbook: {:?}\n  psql:    {:?}",
        at + 1,
        a.get(at),
        b.get(at)
    );
}

fn path_of(file: &Path) -> &str {
    file.to_str().expect("utf-8 path")
}

#[test]
fn pagila_loads_like_psql_and_its_gates_pass() {
    let Some(fixtures) = corpus_or_skip("pagila_loads_like_psql_and_its_gates_pass") else {
        return;
    };
    let schema = fixtures.join("pagila/pagila-schema.sql");
    let data = fixtures.join("pagila/pagila-data.sql");
    let case = Case::new("e2e_corpus_pagila");
    let text = crate::contract::case::runbook_text(
        "pagila-restore",
        "",
        &format!(
            "
            - id: inputs
              kind: require_files
              files:
                - path: {schema}
                  min_size: 10000
                - path: {data}
                  min_size: 1000000
            - id: schema
              kind: sql_file
              target: db
              path: {schema}
            - id: data
              kind: sql_file
              target: db
              path: {data}
            - id: gate
              kind: gate
              target: db
              checks:
                - name: core tables
                  tables_exist: [public.film, actor, rental, payment, customer, public.actor_info]
                - name: full-text column and its index
                  columns_exist: [film.fulltext]
                - name: indexes
                  indexes_exist: [film_fulltext_idx, idx_actor_last_name]
                - name: sequences
                  sequences_exist: [actor_actor_id_seq, public.rental_rental_id_seq]
                - name: films
                  query: SELECT count(*) FROM film
                  expect: {{ equals: 1000 }}
                - name: rentals
                  query: SELECT count(*) FROM rental
                  expect: {{ min: 16000, max: 16100 }}
                - name: actor sequence follows the data
                  query: SELECT last_value FROM actor_actor_id_seq
                  expect: {{ equals: 200 }}
            ",
            schema = path_of(&schema),
            data = path_of(&data)
        ),
    );
    case.scratch.write("rb.yaml", text);
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    let gate = step_result(&dir, "04-gate");
    assert_eq!(gate["summary"], "7 of 7 checks passed", "{gate:#}");

    let reference = create_database("e2e_corpus_pagila_psql");
    psql_file(&reference.spec, &schema).expect("psql -f pagila-schema.sql");
    psql_file(&reference.spec, &data).expect("psql -f pagila-data.sql");
    assert_same_dump(
        &pg_dump_normalized(&case.db.spec),
        &pg_dump_normalized(&reference.spec),
    );

    // The data went into the database, not into the evidence.
    let evidence = all_evidence_text(&dir);
    assert!(
        !evidence.contains("MARY.SMITH@sakilacustomer.org"),
        "a customer's e-mail leaked into the evidence"
    );
    let data_step = step_result(&dir, "03-data");
    let size = std::fs::metadata(&data).expect("pagila-data.sql").len();
    assert_eq!(data_step["inputs"][0]["size"], size);
    assert_eq!(
        data_step["inputs"][0]["sha256"],
        sha256_hex(&std::fs::read(&data).expect("read"))
    );
}

#[test]
fn the_opendolphin_legacy_dump_loads_like_psql() {
    let Some(fixtures) = corpus_or_skip("the_opendolphin_legacy_dump_loads_like_psql") else {
        return;
    };
    let dump = fixtures.join("opendolphin/legacy_schema_dump.sql");
    let case = Case::new("e2e_corpus_dolphin");
    let text = crate::contract::case::runbook_text(
        "opendolphin-legacy-baseline",
        "",
        &format!(
            "
            - id: load-schema
              kind: sql_file
              target: db
              path: {dump}
            - id: gate-db-restored
              kind: gate
              target: db
              checks:
                - name: representative tables exist
                  tables_exist: [public.d_users, public.d_facility, public.d_audit_event, opendolphin.d_audit_event]
                - name: at least 50 tables
                  query: SELECT count(*) FROM information_schema.tables WHERE table_schema IN ('public', 'opendolphin')
                  expect: {{ min: 50 }}
                - name: facility sequence
                  sequences_exist: [public.facility_num, opendolphin.facility_num]
            ",
            dump = path_of(&dump)
        ),
    );
    case.scratch.write("rb.yaml", text);
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    assert_eq!(
        step_result(&dir, "02-gate-db-restored")["summary"],
        "3 of 3 checks passed"
    );

    let reference = create_database("e2e_corpus_dolphin_psql");
    psql_file(&reference.spec, &dump).expect("psql -f legacy_schema_dump.sql");
    assert_same_dump(
        &pg_dump_normalized(&case.db.spec),
        &pg_dump_normalized(&reference.spec),
    );
}
