//! The `migrate` step (issue 10) and the `migrations_applied` gate check, through the binary
//! against the test cluster: the OpenDolphin Flyway set over the legacy dump (duplicates refused,
//! exclude + target 0221 recorded as Flyway records it, a second run applying nothing, a changed
//! file refused, repair), failures leaving what Flyway leaves, a history Flyway created continued,
//! a Langfuse-shaped Prisma folder (applied, re-applied, CRLF checkout, a failure blocking,
//! resolve), hundreds of migrations, a plain directory in natural version order, check mode
//! writing nothing, consent on a protected target, Flyway's advisory lock honoured both ways.
//!
//! What the history must hold is computed here, not read from the product: Flyway's checksum by
//! a CRC-32 written in this file (checked against the value Flyway's own documentation shows),
//! Prisma's by `sha256sum`, descriptions and versions from the file names as Flyway's rules say.
//! Every test fails on a binary from before issue 10 by construction: `migrate` and
//! `migrations_applied` are unknown there, so the runbooks do not validate (exit 2).

use std::path::{Path, PathBuf};

use crate::contract::case::{Case, dedent, runbook_text};
use crate::support::*;

// ---------------------------------------------------------------------------------------------
// Oracles, independent of the product.

/// CRC-32 (IEEE 802.3, reflected, as java.util.zip.CRC32 and zlib), bit by bit.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Flyway's checksum of a file as its ChecksumCalculator computes it: the text read line by
/// line (terminators `\n`, `\r\n`, `\r` dropped), a BOM stripped from the first line, CRC-32 of
/// the UTF-8 of the lines with nothing between them, as a signed 32-bit integer.
fn flyway_checksum(bytes: &[u8]) -> i32 {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let joined: String = text.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    crc32(joined.as_bytes()) as i32
}

fn file_checksum(path: &Path) -> i32 {
    flyway_checksum(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

#[test]
fn the_tests_own_flyway_checksum_matches_flyways_documented_value() {
    // Flyway's documentation ("Tutorial - Dry Runs") records -722651034 for V3__Couple.sql;
    // lines 3 and 4 end in one space. The same text with CRLF gives the same value.
    let couple = "create table COUPLE (\n    ID int not null,\n    PERSON1 int not null references PERSON(ID), \n    PERSON2 int not null references PERSON(ID) \n);\n";
    assert_eq!(flyway_checksum(couple.as_bytes()), -722_651_034);
    assert_eq!(
        flyway_checksum(couple.replace('\n', "\r\n").as_bytes()),
        -722_651_034
    );
    assert_eq!(
        flyway_checksum(couple.replace(" \n", "\n").as_bytes()),
        824_101_511
    );
}

/// The repository's migration fixtures.
fn fixtures() -> PathBuf {
    workspace_root().join("tests/fixtures/migrate")
}

/// Copies a directory tree (files only) so a test can change it.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// Loads a SQL file with psql (ON_ERROR_STOP), as an operator would.
fn psql_file(case: &Case, file: &Path) {
    if let Err(e) = runbook_testkit::postgres::psql_file(&case.db.spec, file) {
        panic!("psql -f {}: {e}", file.display());
    }
}

/// A Flyway-shaped history, one line per row in installed_rank order:
/// `rank|version|description|type|script|checksum|success` (NULL as nothing).
pub(super) fn history(case: &Case, table: &str) -> Vec<String> {
    let text = case.sql(&format!(
        "SELECT installed_rank, version, description, type, script, checksum, success FROM {table} ORDER BY installed_rank"
    ));
    text.split('\n')
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The row Flyway writes for a versioned SQL migration file, built from the name as Flyway's
/// ResourceNameParser reads it: version with `_` as `.`, description with `_` as space.
pub(super) fn flyway_row(rank: i64, dir: &Path, file: &str) -> String {
    let stem = file
        .strip_prefix('V')
        .and_then(|s| s.strip_suffix(".sql"))
        .expect("a V file");
    let (version, description) = stem.split_once("__").expect("V<version>__<description>");
    format!(
        "{rank}|{}|{}|SQL|{file}|{}|t",
        version.replace('_', "."),
        description.replace('_', " "),
        file_checksum(&dir.join(file))
    )
}

pub(super) fn exists(case: &Case, relation: &str) -> bool {
    case.sql(&format!("SELECT to_regclass('{relation}') IS NOT NULL")) == "t"
}

/// Writes `name` in the scratch dir: a runbook with the target `db` and these steps.
fn write_runbook(case: &Case, name: &str, target_extra: &str, steps: &str) {
    case.scratch.write(
        name,
        runbook_text(&name.replace(".yaml", ""), target_extra, steps),
    );
}

pub(super) fn run(case: &Case, args: &[&str]) -> Invocation {
    let result = case.run(args);
    assert_no_panic(&result);
    result
}

/// Runs the CLI and checks its exit code, with the whole output when it is another.
fn run_exit(case: &Case, args: &[&str], code: i32) -> Invocation {
    let result = run(case, args);
    assert_eq!(result.code, code, "{}", result.all_output());
    result
}

fn output_value(result: &serde_json::Value, name: &str) -> serde_json::Value {
    result["outputs"][name]["value"].clone()
}

// ---------------------------------------------------------------------------------------------
// OpenDolphin (../shared): seed 004 section 4 over the legacy dump.

/// What `runbooks/opendolphin-modernized.yaml` runs after loading the dump.
const DROP_EMPTY_HISTORY: &str = "DO $$ BEGIN IF to_regclass('opendolphin.flyway_schema_history') IS NOT NULL AND NOT EXISTS (SELECT FROM opendolphin.flyway_schema_history) THEN DROP TABLE opendolphin.flyway_schema_history; END IF; END $$";

const OPENDOLPHIN_APPLIED: [&str; 5] = [
    "V0001__baseline_tag.sql",
    "V0002__performance_indexes.sql",
    "V0003__security_phase3_stage7.sql",
    "V0220__phr_async_job.sql",
    "V0221__doc_module_flag_columns.sql",
];

fn opendolphin_step(flyway: &Path, exclude: bool, extra: &str) -> String {
    let exclude = if exclude {
        "exclude: [V0225__alter_module_add_json.sql, V0227__audit_event_trace_id.sql]"
    } else {
        ""
    };
    format!(
        "
        - id: flyway
          kind: migrate
          target: db
          format: flyway
          config: {flyway}/flyway.conf
          dir: {flyway}/sql
          schema: opendolphin
          baseline: {{ version: \"0\" }}
          target_version: \"0221\"
          {exclude}
          {extra}
        ",
        flyway = flyway.display()
    )
}

#[test]
fn opendolphin_flyway_set_over_the_legacy_dump_is_recorded_as_flyway_records_it() {
    let Some(shared) = corpus_or_skip(
        "opendolphin_flyway_set_over_the_legacy_dump_is_recorded_as_flyway_records_it",
    ) else {
        return;
    };
    let case = Case::new("e2e_migrate_opendolphin");
    psql_file(&case, &shared.join("opendolphin/legacy_schema_dump.sql"));
    // The dump is schema-only and holds Flyway's history table without rows. Flyway's
    // `baseline` refuses an existing empty history ("Delete the schema history table, and run
    // baseline again": DbBaseline), so the runbook drops it when empty, as done here.
    assert_eq!(
        case.sql("SELECT count(*) FROM opendolphin.flyway_schema_history"),
        "0"
    );
    case.sql(DROP_EMPTY_HISTORY);
    let flyway = case.path().join("flyway");
    copy_tree(&shared.join("opendolphin/flyway"), &flyway);
    let sql = flyway.join("sql");
    let table = "opendolphin.flyway_schema_history";

    // Without exclude: the two files of version 0225 are refused, both named, before anything.
    write_runbook(&case, "dup.yaml", "", &opendolphin_step(&flyway, false, ""));
    let refused = run_exit(&case, &["run", "dup.yaml"], 1);
    // The terminal names the first pair; the step's error lists every problem.
    let all = refused.all_output();
    for name in [
        "V0225__alter_module_add_json.sql",
        "V0225__letter_lab_stamp_tables.sql",
    ] {
        assert!(all.contains(name), "{name} not named:\n{all}");
    }
    let error = step_result(&refused.evidence_dir(case.path()), "01-flyway")["error"].clone();
    let detail = error["detail"].as_str().unwrap_or_default();
    for name in [
        "V0225__alter_module_add_json.sql",
        "V0225__letter_lab_stamp_tables.sql",
        "V0227__audit_event_payload_text.sql",
        "V0227__audit_event_trace_id.sql",
    ] {
        assert!(detail.contains(name), "{name} not named:\n{error:#}");
    }
    assert!(!exists(&case, table), "a refused run created the history");

    // With exclude, baseline 0 and target 0221: what Flyway records.
    write_runbook(
        &case,
        "rb.yaml",
        "",
        &format!(
            "{}\n{}",
            dedent(&opendolphin_step(&flyway, true, "")),
            dedent(&format!(
                "
                - id: history
                  kind: gate
                  target: db
                  checks:
                    - name: what Flyway records
                      migrations_applied:
                        table: {table}
                        versions: [\"0\", \"0001\", \"0002\", \"0003\", \"0220\", \"0221\"]
                    - name: the seed's list, compared as Flyway compares versions
                      migrations_applied: {{ table: {table}, versions: [\"0\", \"2\", \"3\", \"220\", \"221\"], match: subset }}
                "
            ))
        ),
    );
    let first = run_exit(&case, &["run", "rb.yaml"], 0);
    let mut expected =
        vec!["1|0|<< Flyway Baseline >>|BASELINE|<< Flyway Baseline >>||t".to_owned()];
    for (i, file) in OPENDOLPHIN_APPLIED.iter().enumerate() {
        expected.push(flyway_row(i as i64 + 2, &sql, file));
    }
    assert_eq!(history(&case, table), expected);
    let user = case.sql("SELECT current_user");
    assert_eq!(
        case.sql(&format!(
            "SELECT DISTINCT installed_by FROM {table} ORDER BY 1"
        )),
        user,
        "installed_by is the session's current_user, as Flyway records it"
    );
    // The DDL is Flyway's: its primary key and index names.
    assert_eq!(
        case.sql(&format!(
            "SELECT string_agg(indexrelid::regclass::text, ',' ORDER BY 1) FROM pg_index WHERE indrelid = '{table}'::regclass"
        )),
        "opendolphin.flyway_schema_history_pk,opendolphin.flyway_schema_history_s_idx"
    );
    let dir = first.evidence_dir(case.path());
    let step = step_result(&dir, "01-flyway");
    assert_eq!(
        output_value(&step, "applied"),
        serde_json::json!("5"),
        "{step:#}"
    );
    assert_eq!(
        output_value(&step, "version"),
        serde_json::json!("0221"),
        "{step:#}"
    );
    let log = step_log(&dir, "01-flyway");
    for excluded in [
        "V0225__alter_module_add_json.sql",
        "V0227__audit_event_trace_id.sql",
    ] {
        assert!(
            log.contains(excluded) && log.contains("excluded"),
            "{excluded} not listed as excluded:\n{log}"
        );
    }
    let gate = step_result(&dir, "02-history");
    assert!(
        gate["gate"]
            .as_array()
            .is_some_and(|c| c.iter().all(|c| c["passed"] == true)),
        "{gate:#}"
    );

    // A second run applies nothing and changes no row.
    let rows = |case: &Case| {
        case.sql(&format!(
            "SELECT installed_rank, installed_on, checksum FROM {table} ORDER BY 1"
        ))
    };
    let before = rows(&case);
    let second = run_exit(&case, &["run", "rb.yaml"], 0);
    assert_eq!(rows(&case), before);
    let step = step_result(&second.evidence_dir(case.path()), "01-flyway");
    assert_eq!(
        output_value(&step, "applied"),
        serde_json::json!("0"),
        "{step:#}"
    );

    // The seed's exact list fails and says what Flyway recorded beyond it.
    write_runbook(
        &case,
        "seed.yaml",
        "",
        &format!(
            "
        - id: history
          kind: gate
          target: db
          checks:
            - name: the seed's list exactly
              migrations_applied: {{ table: {table}, versions: [\"0\", \"2\", \"3\", \"220\", \"221\"] }}
        "
        ),
    );
    let seed = run_exit(&case, &["run", "seed.yaml"], 4);
    assert!(
        seed.all_output().contains("not listed: 0001"),
        "{}",
        seed.all_output()
    );

    // A file changed after it was applied is refused with both checksums and its name.
    let changed = sql.join("V0002__performance_indexes.sql");
    let recorded = file_checksum(&changed);
    let mut text = std::fs::read(&changed).expect("read");
    text.extend_from_slice(b"\n-- reviewed 2025-11-09\n");
    std::fs::write(&changed, &text).expect("write");
    let now = file_checksum(&changed);
    assert_ne!(recorded, now);
    let third = run_exit(&case, &["run", "rb.yaml"], 1);
    let all = third.all_output();
    for needle in [
        recorded.to_string(),
        now.to_string(),
        "V0002__performance_indexes.sql".to_owned(),
    ] {
        assert!(all.contains(&needle), "{needle} not in:\n{all}");
    }
    assert_eq!(rows(&case), before, "a refused run changed the history");

    // mode: repair realigns the checksum (what `flyway repair` does), and says so.
    write_runbook(
        &case,
        "repair.yaml",
        "",
        &opendolphin_step(&flyway, true, "mode: repair"),
    );
    let repair = run_exit(&case, &["run", "repair.yaml"], 0);
    assert_eq!(
        case.sql(&format!(
            "SELECT checksum FROM {table} WHERE version = '0002'"
        )),
        now.to_string()
    );
    let repair_log = step_log(&repair.evidence_dir(case.path()), "01-flyway");
    assert!(
        repair_log.contains(&recorded.to_string()) && repair_log.contains(&now.to_string()),
        "the repair is not recorded with both checksums:\n{repair_log}"
    );
    run_exit(&case, &["run", "rb.yaml"], 0);
}

// ---------------------------------------------------------------------------------------------
// Failures leave what Flyway leaves.

pub(super) fn flyway_dir_step(dir: &Path, extra: &str) -> String {
    format!(
        "
        - id: migrate
          kind: migrate
          target: db
          format: flyway
          dir: {}
          schema: app
          {extra}
        ",
        dir.display()
    )
}

#[test]
fn a_failing_migration_leaves_what_flyway_leaves() {
    let case = Case::new("e2e_migrate_failures");
    let sql = case.path().join("sql");
    case.scratch.write(
        "sql/V1__create_patient.sql",
        "CREATE TABLE patient (id bigint PRIMARY KEY, name text);\n",
    );
    case.scratch.write(
        "sql/V2__add_visits.sql",
        "CREATE TABLE visit (id bigint PRIMARY KEY, patient_id bigint REFERENCES patient (id));\nINSERT INTO visit_typo VALUES (1, 1);\n",
    );
    case.scratch.write(
        "rb.yaml",
        runbook_text("failures", "", &flyway_dir_step(&sql, "")),
    );
    let table = "app.flyway_schema_history";

    // Transactional: V2 fails on its second statement; its table and its row are gone.
    let failed = run_exit(&case, &["run", "rb.yaml"], 1);
    assert!(
        failed.all_output().contains("V2__add_visits.sql:2"),
        "the failing statement's file:line is not named:\n{}",
        failed.all_output()
    );
    let rows = history(&case, table);
    assert!(
        rows.iter().all(|r| !r.contains("|2|")),
        "a failed transactional migration left a row: {rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.ends_with(&flyway_row(0, &sql, "V1__create_patient.sql")[1..])),
        "V1 is not recorded: {rows:?}"
    );
    assert!(exists(&case, "app.patient"));
    assert!(
        !exists(&case, "app.visit"),
        "the failed migration's table stayed"
    );

    // Fixed, it applies; then a non-transactional one (CONCURRENTLY) that fails leaves
    // success = false, which blocks the next run until repair.
    case.scratch.write(
        "sql/V2__add_visits.sql",
        "CREATE TABLE visit (id bigint PRIMARY KEY, patient_id bigint REFERENCES patient (id));\n",
    );
    case.scratch.write(
        "sql/V3__visit_index.sql",
        "CREATE INDEX CONCURRENTLY visit_patient_idx ON visit_typo (patient_id);\n",
    );
    let failed = run_exit(&case, &["run", "rb.yaml"], 1);
    assert!(exists(&case, "app.visit"));
    let v3 = case.sql(&format!(
        "SELECT version, script, checksum, success FROM {table} WHERE version = '3'"
    ));
    assert_eq!(
        v3,
        format!(
            "3|V3__visit_index.sql|{}|f",
            file_checksum(&sql.join("V3__visit_index.sql"))
        )
    );
    let log = step_log(&failed.evidence_dir(case.path()), "01-migrate");
    assert!(
        log.contains("CONCURRENTLY") || log.contains("non-transactional"),
        "no note says why V3 ran outside a transaction:\n{log}"
    );

    // The gate names the failed row.
    case.scratch.write(
        "gate.yaml",
        runbook_text(
            "gate",
            "",
            &format!(
                "
                - id: history
                  kind: gate
                  target: db
                  checks:
                    - name: at least 1 and 2
                      migrations_applied: {{ table: {table}, versions: [\"1\", \"2\"], match: subset }}
                "
            ),
        ),
    );
    let gate = run_exit(&case, &["run", "gate.yaml"], 4);
    assert!(
        gate.all_output().contains("3 (V3__visit_index.sql"),
        "{}",
        gate.all_output()
    );

    // Fixed file, but the failed row still blocks.
    case.scratch.write(
        "sql/V3__visit_index.sql",
        "CREATE INDEX CONCURRENTLY visit_patient_idx ON visit (patient_id);\n",
    );
    let blocked = run_exit(&case, &["run", "rb.yaml"], 1);
    assert!(
        blocked.all_output().contains("failed"),
        "{}",
        blocked.all_output()
    );
    // repair removes the failed row, then migrate applies V3.
    case.scratch.write(
        "repair.yaml",
        runbook_text("repair", "", &flyway_dir_step(&sql, "mode: repair")),
    );
    run_exit(&case, &["run", "repair.yaml"], 0);
    assert_eq!(
        case.sql(&format!("SELECT count(*) FROM {table} WHERE NOT success")),
        "0"
    );
    run_exit(&case, &["run", "rb.yaml"], 0);
    assert_eq!(
        case.sql(&format!("SELECT success FROM {table} WHERE version = '3'")),
        "t"
    );
    assert_eq!(
        case.sql(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'app.visit_patient_idx'::regclass"
        ),
        "t"
    );
    run_exit(&case, &["run", "gate.yaml"], 0);

    // A transactional migration that fails leaves the database as it was, history included.
    case.scratch.write(
        "sql/V4__visit_notes.sql",
        "CREATE TABLE visit_note (id bigint PRIMARY KEY);\nALTER TABLE visit ADD COLUMN note_id bigint REFERENCES visit_note (id);\nUPDATE visit SET note_id = 1 WHERE nonexistent_column;\n",
    );
    let before = runbook_testkit::postgres::pg_dump_normalized(&case.db.spec);
    let rows = history(&case, table);
    let failed = run_exit(&case, &["run", "rb.yaml"], 1);
    assert!(
        failed.all_output().contains("V4__visit_notes.sql:3"),
        "{}",
        failed.all_output()
    );
    assert_eq!(history(&case, table), rows);
    assert_eq!(
        runbook_testkit::postgres::pg_dump_normalized(&case.db.spec),
        before,
        "the failed migration changed the database"
    );
}

// ---------------------------------------------------------------------------------------------
// A history Flyway created is continued.

#[test]
fn a_history_flyway_created_is_continued_with_the_next_ranks() {
    let case = Case::new("e2e_migrate_continue");
    let fixture = fixtures().join("flyway");
    psql_file(&case, &fixture.join("database.sql"));
    let table = "shop.flyway_schema_history";
    let flyway_made = history(&case, table);
    // The fixture's rows are Flyway's, checked here against this file's own checksum.
    let sql = fixture.join("sql");
    assert_eq!(
        flyway_made[1..],
        [
            flyway_row(2, &sql, "V2__add_orders.sql"),
            flyway_row(3, &sql, "V3__customer_email.sql")
        ]
    );

    case.scratch.write(
        "rb.yaml",
        runbook_text(
            "continue",
            "",
            &format!(
                "
                - id: migrate
                  kind: migrate
                  target: db
                  format: flyway
                  dir: {}
                  schema: shop
                - id: history
                  kind: gate
                  target: db
                  checks:
                    - name: baseline 1, then 2 to 4.1
                      migrations_applied: {{ table: {table}, versions: [\"1\", \"2\", \"3\", \"4\", \"4.1\"] }}
                ",
                fixture.join("sql").display()
            ),
        ),
    );
    // check first: it lists what is applied and what is pending, and writes nothing.
    let check = run_exit(&case, &["check", "rb.yaml"], 0);
    let log = step_log(&check.evidence_dir(case.path()), "01-migrate");
    for file in ["V4__orders_by_customer.sql", "V4_1__orders_comment.sql"] {
        assert!(log.contains(file), "{file} not listed by check:\n{log}");
    }
    assert!(log.contains("pending"), "{log}");
    assert_eq!(
        history(&case, table),
        flyway_made,
        "check wrote to the history"
    );
    assert!(!exists(&case, "shop.orders_customer_idx"));

    let result = run_exit(&case, &["run", "rb.yaml"], 0);
    let mut expected = flyway_made.clone();
    expected.push(flyway_row(4, &sql, "V4__orders_by_customer.sql"));
    expected.push(flyway_row(5, &sql, "V4_1__orders_comment.sql"));
    assert_eq!(history(&case, table), expected);
    // V1 is the baseline's: never run (it would fail: shop.customer exists).
    assert!(exists(&case, "shop.orders_customer_idx"));
    assert_eq!(
        case.sql("SELECT obj_description('shop.orders'::regclass)"),
        "注文 (orders), one row per checkout"
    );
    // The BOM and CRLF files: their recorded checksums are Flyway's, computed here.
    assert_eq!(
        case.sql(&format!(
            "SELECT checksum FROM {table} WHERE version = '4.1'"
        )),
        file_checksum(&sql.join("V4_1__orders_comment.sql")).to_string()
    );

    // Evidence per migration, and the history before and after, attached.
    let step_dir = result.evidence_dir(case.path()).join("steps/01-migrate");
    let read_json = |name: &str| -> serde_json::Value {
        let text =
            std::fs::read_to_string(step_dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let migrations = read_json("migrations.json");
    for (file, version) in [
        ("V4__orders_by_customer.sql", "4"),
        ("V4_1__orders_comment.sql", "4.1"),
    ] {
        let bytes = std::fs::read(sql.join(file)).expect("read");
        let entry = migrations["migrations"]
            .as_array()
            .and_then(|m| m.iter().find(|e| e["script"] == file))
            .unwrap_or_else(|| panic!("{file} not in migrations.json: {migrations:#}"));
        assert_eq!(entry["version"], version, "{entry:#}");
        assert_eq!(entry["state"], "applied", "{entry:#}");
        assert_eq!(entry["checksum"], flyway_checksum(&bytes), "{entry:#}");
        assert_eq!(entry["sha256"], sha256_hex(&bytes).as_str(), "{entry:#}");
        assert_eq!(entry["size"], bytes.len(), "{entry:#}");
        assert_eq!(entry["statements"], 1, "{entry:#}");
        assert_eq!(entry["transactional"], true, "{entry:#}");
        assert!(entry["duration_ms"].is_u64(), "{entry:#}");
    }
    let ranks = |name: &str| -> Vec<serde_json::Value> {
        read_json(name)["rows"]
            .as_array()
            .map(|rows| rows.iter().map(|r| r["installed_rank"].clone()).collect())
            .unwrap_or_default()
    };
    assert_eq!(ranks("history-before.json"), [1, 2, 3]);
    assert_eq!(ranks("history-after.json"), [1, 2, 3, 4, 5]);
    let after_text = std::fs::read_to_string(step_dir.join("history-after.txt")).expect("txt");
    assert!(
        after_text.contains("V4_1__orders_comment.sql"),
        "{after_text}"
    );
}

// ---------------------------------------------------------------------------------------------
// Prisma.

fn prisma_step(dir: &Path, extra: &str) -> String {
    format!(
        "
        - id: prisma
          kind: migrate
          target: db
          format: prisma
          dir: {}
          {extra}
        ",
        dir.display()
    )
}

/// `_prisma_migrations`, one line per row by started_at:
/// `name|checksum|finished|rolled back|applied_steps_count|logs is null`.
fn prisma_rows(case: &Case) -> Vec<String> {
    case.sql(
        "SELECT migration_name, checksum, finished_at IS NOT NULL, rolled_back_at IS NOT NULL, applied_steps_count, logs IS NULL FROM _prisma_migrations ORDER BY started_at, migration_name",
    )
    .split('\n')
    .filter(|l| !l.is_empty())
    .map(str::to_owned)
    .collect()
}

/// The migration directories of a Prisma folder, in Prisma's order (names sorted).
fn prisma_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read migrations")
        .map(|e| e.expect("entry"))
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn applied_row(dir: &Path, name: &str) -> String {
    let bytes = std::fs::read(dir.join(name).join("migration.sql")).expect("migration.sql");
    format!("{name}|{}|t|f|1|t", sha256_hex(&bytes))
}

#[test]
fn a_langfuse_shaped_prisma_folder_is_applied_once_and_survives_a_crlf_checkout() {
    let case = Case::new("e2e_migrate_prisma");
    let dir = case.path().join("migrations");
    copy_tree(&fixtures().join("prisma/migrations"), &dir);
    let names = prisma_names(&dir);
    let listed = names.join(", ");
    case.scratch.write(
        "rb.yaml",
        runbook_text(
            "prisma",
            "",
            &format!(
                "{}\n{}",
                dedent(&prisma_step(&dir, "")),
                dedent(&format!(
                    "
                    - id: history
                      kind: gate
                      target: db
                      checks:
                        - name: every migration finished
                          migrations_applied: {{ table: public._prisma_migrations, names: [{listed}] }}
                    "
                ))
            ),
        ),
    );
    run_exit(&case, &["run", "rb.yaml"], 0);
    let expected: Vec<String> = names.iter().map(|n| applied_row(&dir, n)).collect();
    assert_eq!(prisma_rows(&case), expected);
    // Prisma's ids are UUIDs; the index built CONCURRENTLY is valid; the enum was rewritten in
    // the file's own transaction; the backfill ran.
    assert_eq!(
        case.sql("SELECT count(*) FROM _prisma_migrations WHERE id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'"),
        names.len().to_string()
    );
    assert_eq!(
        case.sql("SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.traces_project_id_timestamp_idx'::regclass"),
        "t"
    );
    assert_eq!(
        case.sql("SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = '\"Role\"'::regtype"),
        "OWNER,ADMIN,VIEWER"
    );

    // Again: nothing happens (the same rows, the same ids and times).
    let snapshot = |case: &Case| {
        case.sql("SELECT id, started_at, finished_at FROM _prisma_migrations ORDER BY 1")
    };
    let before = snapshot(&case);
    run_exit(&case, &["run", "rb.yaml"], 0);
    assert_eq!(snapshot(&case), before);

    // A checkout with CRLF line ends is not a modified migration (Prisma accepts the checksum
    // of the file with CRLF turned to LF).
    for name in &names {
        let file = dir.join(name).join("migration.sql");
        let text = std::fs::read_to_string(&file).expect("read");
        std::fs::write(&file, text.replace('\n', "\r\n")).expect("write");
    }
    let crlf = run_exit(&case, &["run", "rb.yaml"], 0);
    assert_eq!(snapshot(&case), before);
    assert!(
        !crlf.all_output().contains("modified"),
        "{}",
        crlf.all_output()
    );
}

#[test]
fn a_failed_prisma_migration_blocks_until_resolved() {
    let case = Case::new("e2e_migrate_prisma_resolve");
    let dir = case.path().join("migrations");
    copy_tree(&fixtures().join("prisma/migrations"), &dir);
    case.scratch.write(
        "rb.yaml",
        runbook_text("prisma", "", &prisma_step(&dir, "")),
    );
    run_exit(&case, &["run", "rb.yaml"], 0);
    let good = prisma_rows(&case);

    // A migration that fails: its row stays unfinished with the error in logs.
    case.scratch.write(
        "migrations/20240401000000_add_trace_tags/migration.sql",
        "-- AlterTable\nALTER TABLE \"traces\" ADD COLUMN \"tags\" TEXT[] DEFAULT ARRAY[]::TEXT[];\n\n-- CreateIndex\nCREATE INDEX \"traces_tags_idx\" ON \"trace\" USING GIN (\"tags\");\n",
    );
    run_exit(&case, &["run", "rb.yaml"], 1);
    assert_eq!(
        case.sql("SELECT finished_at IS NULL, rolled_back_at IS NULL, applied_steps_count, logs LIKE '%\"trace\"%' FROM _prisma_migrations WHERE migration_name = '20240401000000_add_trace_tags'"),
        "t|t|0|t"
    );
    // Prisma runs a migration as one implicit transaction: the column did not stay.
    assert_eq!(
        case.sql("SELECT count(*) FROM information_schema.columns WHERE table_name = 'traces' AND column_name = 'tags'"),
        "0"
    );

    // The next run refuses to apply anything while it is failed (P3009), even a new one.
    case.scratch.write(
        "migrations/20240402000000_scores_comment/migration.sql",
        "-- AlterTable\nALTER TABLE \"scores\" ADD COLUMN \"comment\" TEXT;\n",
    );
    let blocked = run_exit(&case, &["run", "rb.yaml"], 1);
    let all = blocked.all_output();
    assert!(
        all.contains("P3009") && all.contains("20240401000000_add_trace_tags"),
        "the terminal does not say which migration blocks: {all}"
    );
    let error = step_result(&blocked.evidence_dir(case.path()), "01-prisma")["error"].clone();
    assert!(
        format!("{}{}", error["message"], error["detail"])
            .contains("20240401000000_add_trace_tags"),
        "the failed migration is not named: {error:#}"
    );
    assert_eq!(
        case.sql("SELECT count(*) FROM information_schema.columns WHERE table_name = 'scores' AND column_name = 'comment'"),
        "0"
    );

    // resolve_rolled_back, fix the file, run: both applied, the failed row kept as history.
    case.scratch.write(
        "resolve.yaml",
        runbook_text(
            "resolve",
            "",
            &prisma_step(
                &dir,
                "mode: resolve_rolled_back 20240401000000_add_trace_tags",
            ),
        ),
    );
    run_exit(&case, &["run", "resolve.yaml"], 0);
    assert_eq!(
        case.sql("SELECT rolled_back_at IS NOT NULL FROM _prisma_migrations WHERE migration_name = '20240401000000_add_trace_tags'"),
        "t"
    );
    case.scratch.write(
        "migrations/20240401000000_add_trace_tags/migration.sql",
        "-- AlterTable\nALTER TABLE \"traces\" ADD COLUMN \"tags\" TEXT[] DEFAULT ARRAY[]::TEXT[];\n\n-- CreateIndex\nCREATE INDEX \"traces_tags_idx\" ON \"traces\" USING GIN (\"tags\");\n",
    );
    run_exit(&case, &["run", "rb.yaml"], 0);
    let rows = prisma_rows(&case);
    assert_eq!(&rows[..good.len()], &good[..]);
    assert_eq!(
        rows[good.len()..],
        [
            format!(
                "20240401000000_add_trace_tags|{}|f|t|0|f",
                sha256_hex(b"-- AlterTable\nALTER TABLE \"traces\" ADD COLUMN \"tags\" TEXT[] DEFAULT ARRAY[]::TEXT[];\n\n-- CreateIndex\nCREATE INDEX \"traces_tags_idx\" ON \"trace\" USING GIN (\"tags\");\n")
            ),
            applied_row(&dir, "20240401000000_add_trace_tags"),
            applied_row(&dir, "20240402000000_scores_comment"),
        ]
    );

    // resolve_applied records a migration as applied without running it (a hand-made change).
    case.scratch.write(
        "migrations/20240501000000_manual_partition/migration.sql",
        "CREATE TABLE \"traces_archive\" (LIKE \"traces\");\n",
    );
    case.scratch.write(
        "applied.yaml",
        runbook_text(
            "applied",
            "",
            &prisma_step(
                &dir,
                "mode: resolve_applied 20240501000000_manual_partition",
            ),
        ),
    );
    run_exit(&case, &["run", "applied.yaml"], 0);
    let sha = sha256_hex(b"CREATE TABLE \"traces_archive\" (LIKE \"traces\");\n");
    assert_eq!(
        case.sql("SELECT checksum, finished_at = started_at, applied_steps_count, logs FROM _prisma_migrations WHERE migration_name = '20240501000000_manual_partition'"),
        format!("{sha}|t|0|")
    );
    assert!(
        !exists(&case, "public.traces_archive"),
        "resolve_applied ran the migration"
    );
    run_exit(&case, &["run", "rb.yaml"], 0);
    assert!(!exists(&case, "public.traces_archive"));
}

#[test]
fn hundreds_of_prisma_migrations_apply_in_name_order() {
    let case = Case::new("e2e_migrate_prisma_many");
    let dir = case.path().join("migrations");
    copy_tree(&fixtures().join("prisma/migrations"), &dir);
    // 300 more, in the shapes Langfuse's folder has: a table, an added column, a backfill,
    // an index built concurrently alone in its file.
    for i in 0..300u32 {
        let stamp = format!("2024060{}{:08}", i / 100, i % 100 * 10_000);
        let (name, sql) = match i % 4 {
            0 => (
                format!("{stamp}_add_table_{i}"),
                format!(
                    "-- CreateTable\nCREATE TABLE \"Entity{i}\" (\n    \"id\" TEXT NOT NULL,\n    \"projectId\" TEXT NOT NULL,\n\n    CONSTRAINT \"Entity{i}_pkey\" PRIMARY KEY (\"id\")\n);\n"
                ),
            ),
            1 => (
                format!("{stamp}_entity_{}_add_note", i - 1),
                format!(
                    "-- AlterTable\nALTER TABLE \"Entity{}\" ADD COLUMN     \"note\" TEXT;\n",
                    i - 1
                ),
            ),
            2 => (
                format!("{stamp}_entity_{}_backfill_note", i - 2),
                format!(
                    "UPDATE \"Entity{}\" SET \"note\" = 'n/a' WHERE \"note\" IS NULL;\n",
                    i - 2
                ),
            ),
            _ => (
                format!("{stamp}_entity_{}_project_idx", i - 3),
                format!(
                    "-- CreateIndex\nCREATE INDEX CONCURRENTLY \"Entity{0}_projectId_idx\" ON \"Entity{0}\"(\"projectId\");",
                    i - 3
                ),
            ),
        };
        case.scratch
            .write(&format!("migrations/{name}/migration.sql"), sql);
    }
    let names = prisma_names(&dir);
    assert_eq!(names.len(), 306);
    case.scratch
        .write("rb.yaml", runbook_text("many", "", &prisma_step(&dir, "")));
    let first = run_exit(&case, &["run", "rb.yaml"], 0);
    // Applied in name order: started_at follows the names.
    let order = case.sql("SELECT migration_name FROM _prisma_migrations ORDER BY started_at, id");
    assert_eq!(order.split('\n').collect::<Vec<_>>(), names);
    assert_eq!(
        case.sql("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'Entity%projectId_idx' AND i.indisvalid"),
        "75"
    );
    let step = step_result(&first.evidence_dir(case.path()), "01-prisma");
    assert_eq!(output_value(&step, "applied"), serde_json::json!("306"));
    let again = run_exit(&case, &["run", "rb.yaml"], 0);
    let step = step_result(&again.evidence_dir(case.path()), "01-prisma");
    assert_eq!(output_value(&step, "applied"), serde_json::json!("0"));
    assert_eq!(case.sql("SELECT count(*) FROM _prisma_migrations"), "306");
}

// ---------------------------------------------------------------------------------------------
// check mode and consent.

#[test]
fn check_lists_every_migration_and_writes_nothing() {
    let case = Case::new("e2e_migrate_check");
    let sql = case.path().join("sql");
    case.scratch.write(
        "sql/V1__create_patient.sql",
        "CREATE TABLE patient (id bigint PRIMARY KEY);\n",
    );
    case.scratch.write(
        "sql/V2__add_name.sql",
        "ALTER TABLE patient ADD COLUMN name text;\n",
    );
    case.scratch.write(
        "sql/V3__skip_me.sql",
        "ALTER TABLE patient ADD COLUMN x int;\n",
    );
    case.scratch.write(
        "rb.yaml",
        runbook_text(
            "check",
            "",
            &flyway_dir_step(&sql, "exclude: [V3__skip_me.sql]"),
        ),
    );
    let before = runbook_testkit::postgres::pg_dump_normalized(&case.db.spec);
    let check = run_exit(&case, &["check", "rb.yaml"], 0);
    let log = step_log(&check.evidence_dir(case.path()), "01-migrate");
    for (file, state) in [
        ("V1__create_patient.sql", "pending"),
        ("V2__add_name.sql", "pending"),
        ("V3__skip_me.sql", "excluded"),
    ] {
        assert!(
            log.split('\n')
                .any(|l| l.contains(file) && l.contains(state)),
            "{file} not listed as {state}:\n{log}"
        );
    }
    let checksum = file_checksum(&sql.join("V1__create_patient.sql")).to_string();
    assert!(log.contains(&checksum), "checksums are not listed:\n{log}");
    assert_eq!(
        runbook_testkit::postgres::pg_dump_normalized(&case.db.spec),
        before,
        "check changed the database"
    );
    assert!(!exists(&case, "app.flyway_schema_history"));

    // After a run, check lists V1 and V2 as applied, and still writes nothing.
    run_exit(&case, &["run", "rb.yaml"], 0);
    let rows = history(&case, "app.flyway_schema_history");
    case.scratch.write(
        "sql/V4__add_born.sql",
        "ALTER TABLE patient ADD COLUMN born date;\n",
    );
    let check = run_exit(&case, &["check", "rb.yaml"], 0);
    let log = step_log(&check.evidence_dir(case.path()), "01-migrate");
    for (file, state) in [
        ("V1__create_patient.sql", "applied"),
        ("V2__add_name.sql", "applied"),
        ("V3__skip_me.sql", "excluded"),
        ("V4__add_born.sql", "pending"),
    ] {
        assert!(
            log.split('\n')
                .any(|l| l.contains(file) && l.contains(state)),
            "{file} not listed as {state}:\n{log}"
        );
    }
    assert_eq!(history(&case, "app.flyway_schema_history"), rows);
    assert_eq!(
        case.sql("SELECT count(*) FROM information_schema.columns WHERE table_name = 'patient' AND column_name = 'born'"),
        "0"
    );

    // mode: validate compares the files with the history and changes nothing: a changed
    // applied file fails it with both checksums.
    case.scratch.write(
        "validate.yaml",
        runbook_text(
            "validate",
            "",
            &flyway_dir_step(&sql, "exclude: [V3__skip_me.sql]\n          mode: validate"),
        ),
    );
    let recorded = file_checksum(&sql.join("V2__add_name.sql"));
    case.scratch.write(
        "sql/V2__add_name.sql",
        "ALTER TABLE patient ADD COLUMN name text; -- reviewed\n",
    );
    let changed = file_checksum(&sql.join("V2__add_name.sql"));
    let invalid = run_exit(&case, &["run", "validate.yaml"], 1);
    let all = invalid.all_output();
    assert!(
        all.contains(&recorded.to_string()) && all.contains(&changed.to_string()),
        "{all}"
    );
    assert_eq!(history(&case, "app.flyway_schema_history"), rows);
    assert_eq!(
        case.sql("SELECT count(*) FROM information_schema.columns WHERE table_name = 'patient' AND column_name = 'born'"),
        "0",
        "validate applied a pending migration"
    );
}

#[test]
fn a_pending_drop_table_on_a_protected_target_needs_confirm() {
    let case = Case::new("e2e_migrate_consent");
    let sql = case.path().join("sql");
    case.scratch.write(
        "sql/V1__create.sql",
        "CREATE TABLE patient (id bigint PRIMARY KEY);\nCREATE TABLE patient_old (id bigint);\n",
    );
    case.scratch
        .write("sql/V2__drop_old.sql", "DROP TABLE patient_old;\n");
    case.scratch.write(
        "rb.yaml",
        runbook_text("consent", "protected: true", &flyway_dir_step(&sql, "")),
    );
    let refused = run_exit(&case, &["run", "rb.yaml"], 2);
    assert!(
        refused.stderr.contains("target 'db' is protected")
            && refused.stderr.contains("DROP TABLE patient_old")
            && refused.stderr.contains("V2__drop_old.sql")
            && refused.stderr.contains("--confirm db"),
        "{}",
        refused.stderr
    );
    assert!(
        !exists(&case, "app.flyway_schema_history"),
        "a refused run wrote"
    );
    assert!(!exists(&case, "app.patient"));
    run_exit(&case, &["run", "rb.yaml", "--confirm", "db"], 0);
    assert!(exists(&case, "app.patient") && !exists(&case, "app.patient_old"));
}

// ---------------------------------------------------------------------------------------------
// The gate check on its own (histories made by hand in the tools' formats).

#[test]
fn migrations_applied_passes_and_fails_with_expected_and_actual() {
    let case = Case::new("e2e_migrate_gate");
    psql_file(&case, &fixtures().join("flyway/database.sql"));
    case.sql(
        "CREATE TABLE public._prisma_migrations (
            id VARCHAR(36) PRIMARY KEY NOT NULL, checksum VARCHAR(64) NOT NULL, finished_at TIMESTAMPTZ,
            migration_name VARCHAR(255) NOT NULL, logs TEXT, rolled_back_at TIMESTAMPTZ,
            started_at TIMESTAMPTZ NOT NULL DEFAULT now(), applied_steps_count INTEGER NOT NULL DEFAULT 0);
         INSERT INTO public._prisma_migrations (id, checksum, finished_at, migration_name, rolled_back_at, started_at, applied_steps_count, logs) VALUES
          ('0b6e4a52-8d5e-4f43-9a43-4f0c4d6c7a01', repeat('a', 64), '2024-01-01 00:00:01+00', '20240101000000_init', NULL, '2024-01-01 00:00:00+00', 1, NULL),
          ('0b6e4a52-8d5e-4f43-9a43-4f0c4d6c7a02', repeat('b', 64), NULL, '20240102000000_traces', '2024-01-02 00:00:02+00', '2024-01-02 00:00:00+00', 0, 'ERROR: boom'),
          ('0b6e4a52-8d5e-4f43-9a43-4f0c4d6c7a03', repeat('b', 64), '2024-01-03 00:00:01+00', '20240102000000_traces', NULL, '2024-01-03 00:00:00+00', 1, NULL)",
    );
    let steps = |versions: &str, names: &str| {
        format!(
            "
            - id: history
              kind: gate
              target: db
              checks:
                - name: flyway
                  migrations_applied: {{ table: shop.flyway_schema_history, versions: [{versions}] }}
                - name: prisma
                  migrations_applied: {{ table: _prisma_migrations, names: [{names}] }}
            "
        )
    };
    // Baseline 1, then 0002 written as 2 and 3 as 0003; the rolled-back row is history only.
    case.runbook(
        "gate",
        "",
        &steps(
            "\"1\", \"2\", \"0003\"",
            "20240102000000_traces, 20240101000000_init",
        ),
    );
    for command in ["run", "check"] {
        let pass = run(&case, &[command, "rb.yaml"]);
        assert_eq!(pass.code, 0, "{command}: {}", pass.all_output());
    }

    // A version missing, a migration not listed, a failed Prisma row: each said.
    case.sql(
        "INSERT INTO public._prisma_migrations (id, checksum, migration_name, started_at) VALUES
          ('0b6e4a52-8d5e-4f43-9a43-4f0c4d6c7a04', repeat('c', 64), '20240104000000_scores', '2024-01-04 00:00:00+00')",
    );
    case.runbook(
        "gate",
        "",
        &steps("\"1\", \"2\", \"3\", \"4\"", "20240101000000_init"),
    );
    for command in ["run", "check"] {
        let fail = run(&case, &[command, "rb.yaml"]);
        let code = if command == "run" { 4 } else { 1 };
        assert_eq!(fail.code, code, "{command}: {}", fail.all_output());
        let gate = step_result(&fail.evidence_dir(case.path()), "01-history");
        let checks = gate["gate"].as_array().expect("gate records");
        let flyway = &checks[0];
        assert_eq!(flyway["passed"], false);
        assert_eq!(
            flyway["expected"],
            "shop.flyway_schema_history records exactly versions 1, 2, 3, 4 as applied in this order"
        );
        assert_eq!(flyway["actual"], "versions 1, 2, 3 (3 successful rows)");
        assert_eq!(flyway["missing"], serde_json::json!(["4"]));
        let prisma = &checks[1];
        assert_eq!(prisma["passed"], false);
        let actual = prisma["actual"].as_str().unwrap_or_default();
        assert!(
            actual.starts_with(
                "migrations 20240101000000_init, 20240102000000_traces (2 finished migrations)"
            ) && actual.contains("P3009")
                && actual.contains("20240104000000_scores (started at ")
                && actual.ends_with("; not listed: 20240102000000_traces"),
            "{actual}"
        );
    }

    // A failed Flyway row fails even a subset.
    case.sql(
        "INSERT INTO shop.flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES (4, '4', 'orders by customer', 'SQL', 'V4__orders_by_customer.sql', 1, 'flyway', 3, false)",
    );
    case.runbook(
        "gate",
        "",
        "
        - id: history
          kind: gate
          target: db
          checks:
            - name: flyway
              migrations_applied: { table: shop.flyway_schema_history, versions: [\"2\"], match: subset }
        ",
    );
    let fail = run_exit(&case, &["run", "rb.yaml"], 4);
    assert!(
        fail.all_output()
            .contains("FAILED (success = false, Flyway will not migrate past it until repair): 4 (V4__orders_by_customer.sql, installed_rank 4)"),
        "{}",
        fail.all_output()
    );
}

// ---------------------------------------------------------------------------------------------
// plain: a directory of numbered files, a history in Flyway's shape.

#[test]
fn a_plain_directory_is_applied_in_natural_version_order() {
    let case = Case::new("e2e_migrate_plain");
    let sql = case.path().join("sql");
    case.scratch.write(
        "sql/0001_init.sql",
        "CREATE TABLE patient (id bigint PRIMARY KEY);\n",
    );
    case.scratch.write(
        "sql/2_add_name.sql",
        "ALTER TABLE patient ADD COLUMN name text;\n",
    );
    // Sorted as text, 10 would come before 2 and fail: the column is 2's.
    case.scratch.write(
        "sql/10_name_index.sql",
        "CREATE INDEX patient_name_idx ON patient (name);\n",
    );
    case.scratch.write(
        "sql/seed.sql",
        "INSERT INTO patient VALUES (1, 'not a migration');\n",
    );
    case.scratch.write(
        "rb.yaml",
        runbook_text(
            "plain",
            "",
            &format!(
                "{}\n{}",
                dedent(&format!(
                    "
                    - id: migrate
                      kind: migrate
                      target: db
                      format: plain
                      dir: {}
                      schema: app
                    ",
                    sql.display()
                )),
                dedent(
                    "
                    - id: history
                      kind: gate
                      target: db
                      checks:
                        - name: 1, 2, 10 in this order
                          migrations_applied: { table: app.runbook_schema_history, versions: [\"1\", \"2\", \"10\"] }
                    "
                )
            ),
        ),
    );
    run_exit(&case, &["run", "rb.yaml"], 0);
    let rows: Vec<String> = history(&case, "app.runbook_schema_history")
        .into_iter()
        .filter_map(|r| r.split_once('|').map(|(_, rest)| rest.to_owned()))
        .filter(|r| !r.starts_with('|'))
        .collect();
    let row = |version: &str, description: &str, file: &str| {
        format!(
            "{version}|{description}|SQL|{file}|{}|t",
            file_checksum(&sql.join(file))
        )
    };
    assert_eq!(
        rows,
        [
            row("0001", "init", "0001_init.sql"),
            row("2", "add name", "2_add_name.sql"),
            row("10", "name index", "10_name_index.sql"),
        ]
    );
    assert_eq!(
        case.sql("SELECT count(*) FROM app.patient"),
        "0",
        "seed.sql ran"
    );
    let before = history(&case, "app.runbook_schema_history");
    run_exit(&case, &["run", "rb.yaml"], 0);
    assert_eq!(history(&case, "app.runbook_schema_history"), before);
}

/// Flyway's history DDL for PostgreSQL (PostgreSQLDatabase.getRawCreateScript), as
/// tests/fixtures/migrate/flyway/database.sql has it, for the schema `schema`.
fn flyway_history_ddl(schema: &str) -> String {
    format!(
        "CREATE TABLE \"{schema}\".\"flyway_schema_history\" (
    \"installed_rank\" INT NOT NULL,
    \"version\" VARCHAR(50),
    \"description\" VARCHAR(200) NOT NULL,
    \"type\" VARCHAR(20) NOT NULL,
    \"script\" VARCHAR(1000) NOT NULL,
    \"checksum\" INTEGER,
    \"installed_by\" VARCHAR(100) NOT NULL,
    \"installed_on\" TIMESTAMP NOT NULL DEFAULT now(),
    \"execution_time\" INTEGER NOT NULL,
    \"success\" BOOLEAN NOT NULL
);
ALTER TABLE \"{schema}\".\"flyway_schema_history\" ADD CONSTRAINT \"flyway_schema_history_pk\" PRIMARY KEY (\"installed_rank\");
CREATE INDEX \"flyway_schema_history_s_idx\" ON \"{schema}\".\"flyway_schema_history\" (\"success\");
"
    )
}

#[test]
fn a_history_flyway_made_with_its_schema_and_a_repeatable_is_continued() {
    let case = Case::new("e2e_migrate_repeatable");
    let sql = case.path().join("sql");
    let v1 = "CREATE TABLE patient (id bigint PRIMARY KEY, name text, deleted boolean NOT NULL DEFAULT false);\n";
    let view = "CREATE OR REPLACE VIEW active_patient AS SELECT id, name FROM patient WHERE NOT deleted;\n";
    case.scratch.write("sql/V1__create_patient.sql", v1);
    case.scratch.write("sql/R__active_patient.sql", view);
    // What Flyway leaves when it created the schema itself (DbSchemas: the SCHEMA row at rank 0,
    // script the quoted schema name), applied V1, then the repeatable (version NULL).
    let insert = "INSERT INTO \"clinic\".\"flyway_schema_history\" (\"installed_rank\", \"version\", \"description\", \"type\", \"script\", \"checksum\", \"installed_by\", \"execution_time\", \"success\") VALUES";
    case.sql(&format!(
        "CREATE SCHEMA \"clinic\"; {ddl}
         {insert} (0, NULL, '<< Flyway Schema Creation >>', 'SCHEMA', '\"clinic\"', NULL, 'flyway', 0, true);
         SET search_path TO clinic; {v1} {view}
         {insert} (1, '1', 'create patient', 'SQL', 'V1__create_patient.sql', {c1}, 'flyway', 5, true);
         {insert} (2, NULL, 'active patient', 'SQL', 'R__active_patient.sql', {c2}, 'flyway', 3, true);",
        ddl = flyway_history_ddl("clinic"),
        c1 = flyway_checksum(v1.as_bytes()),
        c2 = flyway_checksum(view.as_bytes()),
    ));
    let table = "clinic.flyway_schema_history";
    let flyway_made = history(&case, table);
    case.scratch.write(
        "sql/V2__patient_born.sql",
        "ALTER TABLE patient ADD COLUMN born date;\n",
    );
    case.scratch.write(
        "rb.yaml",
        runbook_text(
            "repeatable",
            "",
            &format!(
                "
                - id: migrate
                  kind: migrate
                  target: db
                  format: flyway
                  dir: {}
                  schema: clinic
                ",
                sql.display()
            ),
        ),
    );
    // V2 at the next rank; the unchanged repeatable is not run again.
    run_exit(&case, &["run", "rb.yaml"], 0);
    let mut expected = flyway_made.clone();
    expected.push(flyway_row(3, &sql, "V2__patient_born.sql"));
    assert_eq!(history(&case, table), expected);

    // A changed repeatable runs again, after the versioned ones, with a row of its own.
    let changed = "CREATE OR REPLACE VIEW active_patient AS SELECT id, name, born FROM patient WHERE NOT deleted;\n";
    case.scratch.write("sql/R__active_patient.sql", changed);
    case.scratch.write(
        "sql/V3__patient_kana.sql",
        "ALTER TABLE patient ADD COLUMN kana text;\n",
    );
    run_exit(&case, &["run", "rb.yaml"], 0);
    expected.push(flyway_row(4, &sql, "V3__patient_kana.sql"));
    expected.push(format!(
        "5||active patient|SQL|R__active_patient.sql|{}|t",
        flyway_checksum(changed.as_bytes())
    ));
    assert_eq!(history(&case, table), expected);
    assert_eq!(
        case.sql("SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'clinic.active_patient'::regclass AND attnum > 0"),
        "id,name,born"
    );
}

// ---------------------------------------------------------------------------------------------
// The lock Flyway takes: Runbook and Flyway exclude each other on one history.

/// Flyway's advisory lock key for a history table (PostgreSQLAdvisoryLockTemplate): "Flyway" in
/// ASCII as a number, plus Java's String.hashCode of the quoted `"schema"."table"`.
fn flyway_lock_key(schema: &str, table: &str) -> i64 {
    let text = format!("\"{schema}\".\"{table}\"");
    let hash = text.encode_utf16().fold(0i32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(i32::from(unit))
    });
    0x46_6C_79_77_61_79 + i64::from(hash)
}

#[test]
fn the_tests_own_lock_key_is_flyways() {
    // Values computed with Java's String.hashCode by the research notes.
    assert_eq!(
        flyway_lock_key("opendolphin", "flyway_schema_history"),
        77_432_888_690_150
    );
    assert_eq!(
        flyway_lock_key("public", "flyway_schema_history"),
        77_433_833_903_597
    );
}

/// Whether some session holds the advisory lock `key` (a bigint key: classid and objid are its
/// two halves).
fn lock_held(case: &Case, key: i64) -> bool {
    case.sql(&format!(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ((classid::bigint << 32) | objid::bigint) = {key}"
    )) != "0"
}

#[test]
fn runbook_waits_for_flyways_lock_and_holds_it_while_it_migrates() {
    let case = Case::new("e2e_migrate_lock");
    let sql = case.path().join("sql");
    let key = flyway_lock_key("app", "flyway_schema_history");
    case.scratch.write(
        "sql/V1__slow.sql",
        "CREATE TABLE patient (id bigint PRIMARY KEY);\nSELECT pg_sleep(2);\n",
    );
    case.scratch.write(
        "rb.yaml",
        runbook_text("lock", "", &flyway_dir_step(&sql, "")),
    );

    // Another migrator (as Flyway does before each migration) holds the key for 3 seconds.
    let mut holder = runbook_testkit::postgres::psql(&case.db.spec)
        .args([
            "-c",
            &format!("SELECT pg_advisory_lock({key}); SELECT pg_sleep(3);"),
        ])
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start psql");
    assert!(
        wait_until(std::time::Duration::from_secs(10), || lock_held(&case, key)),
        "the holder never took the lock"
    );
    let started = std::time::Instant::now();
    let child = case.spawn(&["run", "rb.yaml"]);
    let _ = holder.wait();
    // While Runbook migrates, it holds the key: Flyway's try-lock (its transactional lock, as
    // since 9.1.2) fails, so a Flyway starting now waits.
    let migrating = || {
        case.sql("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(2)%'")
            != "0"
    };
    assert!(
        wait_until(std::time::Duration::from_secs(15), migrating),
        "the migration never started"
    );
    assert!(
        lock_held(&case, key),
        "Runbook migrates without Flyway's lock"
    );
    assert_eq!(
        case.sql(&format!("SELECT pg_try_advisory_xact_lock({key})")),
        "f",
        "a Flyway could take the lock while Runbook migrates"
    );
    let result = finish(child);
    assert_no_panic(&result);
    assert_eq!(result.code, 0, "{}", result.all_output());
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(3),
        "the run did not wait for the holder (took {:?})",
        started.elapsed()
    );
    let log = step_log(&result.evidence_dir(case.path()), "01-migrate");
    assert!(
        log.contains(&key.to_string()),
        "the log does not name Flyway's lock key {key}:\n{log}"
    );
    assert!(!lock_held(&case, key), "the lock was not released");
}

// ---------------------------------------------------------------------------------------------
// flyway.conf, placeholders, baseline_on_migrate, out_of_order.

#[test]
fn flyway_conf_and_placeholders_are_read_as_flyway_reads_them() {
    let case = Case::new("e2e_migrate_placeholders");
    let sql = case.path().join("sql");
    // ${ENV} in the conf comes from the run's environment; the step's placeholder wins over
    // the conf's; ${flyway:defaultSchema} is Flyway's built-in.
    case.scratch.write(
        "flyway.conf",
        "flyway.url=jdbc:postgresql://${DB_HOST}:5432/app\nflyway.schemas=clinic\nflyway.placeholders.owner=${CLINIC_OWNER}\nflyway.placeholders.note=from the conf\n",
    );
    let versioned = "CREATE TABLE ${flyway:defaultSchema}.note (id bigint PRIMARY KEY, body text);\nCOMMENT ON TABLE note IS 'owner: ${owner}';\n";
    let repeatable =
        "CREATE OR REPLACE VIEW note_view AS SELECT id, body, '${note}'::text AS note FROM note;\n";
    case.scratch.write("sql/V1__note.sql", versioned);
    case.scratch.write("sql/R__note_view.sql", repeatable);
    let runbook = |note: &str| {
        runbook_text(
            "placeholders",
            "",
            &format!(
                "
                - id: migrate
                  kind: migrate
                  target: db
                  format: flyway
                  config: {}
                  dir: {}
                  placeholders: {{ note: {note} }}
                ",
                case.path().join("flyway.conf").display(),
                sql.display()
            ),
        )
    };
    case.scratch.write("rb.yaml", runbook("first note"));
    let env = [("CLINIC_OWNER", "ops team")];
    let result = case.run_with_env(&["run", "rb.yaml"], &env);
    assert_no_panic(&result);
    assert_eq!(result.code, 0, "{}", result.all_output());
    assert_eq!(
        case.sql("SELECT obj_description('clinic.note'::regclass)"),
        "owner: ops team"
    );
    case.sql("INSERT INTO clinic.note VALUES (1, 'checked')");
    assert_eq!(case.sql("SELECT note FROM clinic.note_view"), "first note");
    let table = "clinic.flyway_schema_history";
    // A versioned migration's checksum is the raw file's; a repeatable one's is taken after
    // the placeholders are replaced (Flyway's SqlMigrationResolver).
    let replaced = repeatable.replace("${note}", "first note");
    let versioned_row = case.sql(&format!("SELECT checksum FROM {table} WHERE version = '1'"));
    assert_eq!(
        versioned_row,
        flyway_checksum(versioned.as_bytes()).to_string()
    );
    assert_eq!(
        case.sql(&format!(
            "SELECT checksum FROM {table} WHERE script = 'R__note_view.sql' ORDER BY installed_rank DESC LIMIT 1"
        )),
        flyway_checksum(replaced.as_bytes()).to_string()
    );
    let log = step_log(&result.evidence_dir(case.path()), "01-migrate");
    assert!(
        log.contains("flyway.url"),
        "the conf's flyway.url is not said to be ignored:\n{log}"
    );

    // The same files with another placeholder value: the repeatable runs again, the versioned
    // migration is not "changed".
    case.scratch.write("rb.yaml", runbook("second note"));
    let again = case.run_with_env(&["run", "rb.yaml"], &env);
    assert_eq!(again.code, 0, "{}", again.all_output());
    assert_eq!(
        case.sql(&format!(
            "SELECT count(*) FROM {table} WHERE script = 'R__note_view.sql'"
        )),
        "2"
    );
    assert_eq!(case.sql("SELECT note FROM clinic.note_view"), "second note");
}

#[test]
fn baseline_on_migrate_and_out_of_order_behave_as_flyways() {
    let case = Case::new("e2e_migrate_baseline");
    let sql = case.path().join("sql");
    for (file, text) in [
        (
            "V1__patient.sql",
            "CREATE TABLE patient (id bigint PRIMARY KEY);\n",
        ),
        (
            "V2__patient_name.sql",
            "ALTER TABLE patient ADD COLUMN name text;\n",
        ),
        (
            "V3__visit.sql",
            "CREATE TABLE visit (id bigint PRIMARY KEY);\n",
        ),
    ] {
        case.scratch.write(&format!("sql/{file}"), text);
    }
    // The schema holds what V1 and V2 would create, without a history: baselineOnMigrate at 2
    // records the baseline and applies only V3.
    case.sql("CREATE SCHEMA app; CREATE TABLE app.patient (id bigint PRIMARY KEY, name text)");
    case.scratch.write(
        "rb.yaml",
        runbook_text(
            "baseline",
            "",
            &flyway_dir_step(
                &sql,
                "baseline: { version: \"2\", description: restored from the 2024 dump }\n          baseline_on_migrate: true",
            ),
        ),
    );
    run_exit(&case, &["run", "rb.yaml"], 0);
    let table = "app.flyway_schema_history";
    assert_eq!(
        history(&case, table),
        [
            "1|2|restored from the 2024 dump|BASELINE|restored from the 2024 dump||t".to_owned(),
            flyway_row(2, &sql, "V3__visit.sql"),
        ]
    );

    // A new migration older than the newest applied one is refused without out_of_order...
    case.scratch.write(
        "sql/V2_5__patient_born.sql",
        "ALTER TABLE patient ADD COLUMN born date;\n",
    );
    let refused = run_exit(&case, &["run", "rb.yaml"], 1);
    assert!(
        refused.all_output().contains("V2_5__patient_born.sql"),
        "{}",
        refused.all_output()
    );
    assert_eq!(history(&case, table).len(), 2);
    // ...and applied with it, at the next rank.
    case.scratch.write(
        "rb.yaml",
        runbook_text(
            "baseline",
            "",
            &flyway_dir_step(
                &sql,
                "baseline: { version: \"2\", description: restored from the 2024 dump }\n          baseline_on_migrate: true\n          out_of_order: true",
            ),
        ),
    );
    run_exit(&case, &["run", "rb.yaml"], 0);
    assert_eq!(
        history(&case, table).last(),
        Some(&flyway_row(3, &sql, "V2_5__patient_born.sql"))
    );
}

#[test]
fn prisma_refuses_another_provider_and_a_database_it_did_not_migrate() {
    let case = Case::new("e2e_migrate_prisma_refusals");
    let dir = case.path().join("migrations");
    copy_tree(&fixtures().join("prisma/migrations"), &dir);
    case.scratch.write(
        "rb.yaml",
        runbook_text("prisma", "", &prisma_step(&dir, "")),
    );

    // migration_lock.toml says the folder was made for MySQL (Prisma's P3019).
    case.scratch.write(
        "migrations/migration_lock.toml",
        "# Please do not edit this file manually\nprovider = \"mysql\"\n",
    );
    let refused = run_exit(&case, &["run", "rb.yaml"], 1);
    assert!(
        refused.all_output().contains("mysql"),
        "{}",
        refused.all_output()
    );
    assert!(!exists(&case, "public._prisma_migrations"));

    // A schema that already holds tables but no _prisma_migrations (Prisma's P3005: baseline
    // it with resolve_applied first).
    case.scratch.write(
        "migrations/migration_lock.toml",
        "# Please do not edit this file manually\nprovider = \"postgresql\"\n",
    );
    case.sql("CREATE TABLE legacy_users (id int)");
    let refused = run_exit(&case, &["run", "rb.yaml"], 1);
    assert!(
        refused.all_output().contains("P3005"),
        "{}",
        refused.all_output()
    );
    assert!(!exists(&case, "public._prisma_migrations"));
    assert!(!exists(&case, "public.users"));
}
