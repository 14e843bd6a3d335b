//! The reader over real files from `../shared/fixtures` (pg_dump output, a CRLF dump with
//! `\restrict`, Flyway migrations, ops scripts). The counts were checked against psql 15.18:
//! statements as logged by the server with `log_statement = all`, COPY rows as reported by
//! psql's `COPY n` tags. Skipped, with a note, when the fixtures are not there.

use std::path::PathBuf;

use runbook_sql::{Item, ScriptReader};

fn fixtures() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures");
    dir.is_dir().then_some(dir)
}

#[expect(clippy::print_stderr, reason = "a skipped corpus test must say so")]
fn skip_note(test: &str) {
    eprintln!("{test}: skipped, ../shared/fixtures is not there");
}

/// What reading a whole file gives.
#[derive(Debug, Default)]
struct Summary {
    statements: usize,
    copy_blocks: usize,
    copy_rows: usize,
    metas: Vec<String>,
    errors: Vec<String>,
    largest_chunk: usize,
}

fn summarize(path: &std::path::Path) -> Summary {
    let file =
        std::fs::File::open(path).unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    let mut reader = ScriptReader::new(file);
    let mut s = Summary::default();
    loop {
        match reader.next_item() {
            Ok(None) => break,
            Ok(Some(Item::Statement(_))) => s.statements += 1,
            Ok(Some(Item::Meta(m))) => {
                s.metas
                    .push(format!("{} \\{}", m.position, m.command.name()))
            }
            Ok(Some(Item::CopyData(d))) => {
                s.copy_rows += memchr_count(&d.bytes);
                s.largest_chunk = s.largest_chunk.max(d.bytes.len());
            }
            Ok(Some(Item::CopyEnd(e))) => {
                assert!(
                    e.terminated,
                    "{}: COPY data not ended by \\. at {}",
                    path.display(),
                    e.position
                );
                s.copy_blocks += 1;
            }
            Err(e) => {
                assert!(!e.is_fatal(), "{}: fatal error {e}", path.display());
                s.errors.push(format!("{}: {}", e.position, e.kind));
            }
        }
    }
    s
}

fn memchr_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

#[test]
fn pagila_schema_and_data() {
    let Some(dir) = fixtures() else {
        return skip_note("pagila_schema_and_data");
    };
    let schema = summarize(&dir.join("pagila/pagila-schema.sql"));
    assert_eq!(
        (schema.statements, schema.copy_blocks, schema.errors.len()),
        (233, 0, 0),
        "{schema:?}"
    );
    let data = summarize(&dir.join("pagila/pagila-data.sql"));
    assert_eq!(data.statements, 44, "{data:?}");
    assert_eq!(data.copy_blocks, 21);
    assert_eq!(data.copy_rows, 49_636);
    assert!(data.errors.is_empty(), "{:?}", data.errors);
    assert!(
        data.largest_chunk <= 64 * 1024,
        "chunk of {} bytes",
        data.largest_chunk
    );
}

#[test]
fn opendolphin_legacy_dump_with_crlf_and_restrict() {
    let Some(dir) = fixtures() else {
        return skip_note("opendolphin_legacy_dump_with_crlf_and_restrict");
    };
    let dump = summarize(&dir.join("opendolphin/legacy_schema_dump.sql"));
    assert_eq!(dump.statements, 360);
    assert_eq!(dump.metas, vec!["5:1 \\restrict", "3834:1 \\unrestrict"]);
    assert!(dump.errors.is_empty(), "{:?}", dump.errors);
}

#[test]
fn opendolphin_flyway_migrations() {
    let Some(dir) = fixtures() else {
        return skip_note("opendolphin_flyway_migrations");
    };
    let expected = [
        ("V0001__baseline_tag.sql", 1),
        ("V0002__performance_indexes.sql", 8),
        ("V0003__security_phase3_stage7.sql", 15),
        ("V0220__phr_async_job.sql", 3),
        ("V0221__doc_module_flag_columns.sql", 2),
        ("V0222__diagnosis_legacy_tables.sql", 5),
        ("V0223__schedule_appo_tables.sql", 7),
        ("V0224__document_module_tables.sql", 9),
        ("V0225__alter_module_add_json.sql", 2),
        ("V0225__letter_lab_stamp_tables.sql", 13),
        ("V0226__audit_event_sequence_owned.sql", 2),
        ("V0227_1__audit_event_trace_id.sql", 3),
        ("V0227__audit_event_payload_text.sql", 1),
        ("V0227__audit_event_trace_id.sql", 3),
        ("V0228__phr_key_and_async_job.sql", 7),
        ("V0229__module_model_json_column.sql", 2),
        ("V0230__chart_event_history.sql", 4),
        ("V0231__audit_event_schema_extend.sql", 5),
    ];
    for (file, statements) in expected {
        let s = summarize(&dir.join("opendolphin/flyway/sql").join(file));
        assert_eq!(s.statements, statements, "{file}");
        assert!(s.errors.is_empty() && s.metas.is_empty(), "{file}: {s:?}");
    }
}

#[test]
fn opendolphin_ops_scripts_give_clear_errors() {
    let Some(dir) = fixtures() else {
        return skip_note("opendolphin_ops_scripts_give_clear_errors");
    };
    let ops = dir.join("opendolphin/ops");
    let seed = summarize(&ops.join("local_synthetic_seed.sql"));
    assert_eq!((seed.statements, seed.errors.len()), (8, 0));

    let repair = summarize(&ops.join("modernized_db_init_repair.sql"));
    assert_eq!(repair.statements, 17);
    assert_eq!(
        repair.errors,
        vec!["2:1: unsupported psql meta-command \\pset"]
    );

    let reset = summarize(&ops.join("reset_d_audit_event_seq.sql"));
    let copy = "unsupported psql meta-command \\copy (it reads or writes a client-side file; use COPY ... FROM STDIN in the script)";
    let tee = "unsupported psql meta-command \\tee (psql does not know it either)";
    assert_eq!(reset.errors[1], format!("14:1: {copy}"));
    assert_eq!(reset.errors[5], format!("29:1: {tee}"));
    assert_eq!(
        reset.errors[8],
        "47:1: unterminated quoted argument of \\echo"
    );
    assert_eq!(reset.errors.len(), 14, "{:?}", reset.errors);
    assert_eq!(reset.statements, 13);

    let batch = summarize(&ops.join("reset_d_audit_event_seq_batch.sql"));
    assert!(
        batch.errors.contains(&format!("22:1: {copy}")),
        "{:?}",
        batch.errors
    );
    assert!(batch.errors.contains(
        &"45:1: unsupported psql meta-command \\o (it writes a client-side file)".to_owned()
    ));
    assert_eq!(batch.errors.len(), 19, "{:?}", batch.errors);
}
