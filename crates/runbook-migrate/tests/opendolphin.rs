//! The OpenDolphin Flyway set (a copy of ../shared/fixtures/opendolphin/flyway): its
//! flyway.conf, its two pairs of duplicate versions, the order Flyway applies it in and the
//! checksums Flyway records.

use std::path::{Path, PathBuf};

use runbook_migrate::{
    Checksum, Config, Format, HistoryRow, ProblemKind, State, applied_row, baseline_row, flyway,
    plan, resolve,
};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/opendolphin")
}

/// The set as the engine configures it from the OpenDolphin flyway.conf.
fn config() -> Config {
    let text = std::fs::read_to_string(data().join("flyway.conf")).expect("conf");
    let conf = flyway::conf::parse(&text, "flyway.conf", &|_| None).expect("parses");
    let mut c = Config::new(Format::Flyway);
    conf.apply(&mut c, &data()).expect("applies");
    c
}

/// Expected checksums, from an independent implementation of Flyway's algorithm (python3:
/// decode UTF-8, split at \r\n, \r, \n, drop the final empty line and a leading BOM, zlib.crc32
/// of the joined lines, as signed 32-bit), run over the fixture files.
const CHECKSUMS: &[(&str, i32)] = &[
    ("V0001__baseline_tag.sql", -2063380608),
    ("V0002__performance_indexes.sql", 623482410),
    ("V0003__security_phase3_stage7.sql", -334615827),
    ("V0220__phr_async_job.sql", -655266336),
    ("V0221__doc_module_flag_columns.sql", 930132855),
    ("V0222__diagnosis_legacy_tables.sql", -1021878776),
    ("V0223__schedule_appo_tables.sql", -1875902040),
    ("V0224__document_module_tables.sql", -1220184592),
    ("V0225__alter_module_add_json.sql", 638293555),
    // CRLF line endings in the file.
    ("V0225__letter_lab_stamp_tables.sql", -590477004),
    ("V0226__audit_event_sequence_owned.sql", 1516348492),
    // Has lone/CRLF carriage returns; same text as V0227__audit_event_trace_id.sql otherwise.
    ("V0227_1__audit_event_trace_id.sql", -1455488688),
    ("V0227__audit_event_payload_text.sql", -1674794121),
    ("V0227__audit_event_trace_id.sql", -1455488688),
    ("V0228__phr_key_and_async_job.sql", -1340099839),
    ("V0229__module_model_json_column.sql", -29133584),
    ("V0230__chart_event_history.sql", 204131088),
    ("V0231__audit_event_schema_extend.sql", -683644449),
];

#[test]
fn conf_gives_the_location_schema_and_baseline() {
    let c = config();
    assert_eq!(c.locations, vec![data().join("sql")]);
    assert_eq!(c.schema.as_deref(), Some("opendolphin"));
    assert_eq!(c.baseline_version, "0");
    assert!(c.baseline_on_migrate);
}

#[test]
fn duplicates_are_refused_with_both_names() {
    let r = resolve(&config()).expect("resolves");
    let dups: Vec<&str> = r
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::DuplicateVersion)
        .map(|p| p.message.as_str())
        .collect();
    assert_eq!(dups.len(), 2, "{dups:#?}");
    assert!(dups[0].starts_with(
        "V0225__alter_module_add_json.sql and V0225__letter_lab_stamp_tables.sql both have version 0225"
    ));
    assert!(dups[1].starts_with(
        "V0227__audit_event_payload_text.sql and V0227__audit_event_trace_id.sql both have version 0227"
    ));
    assert_eq!(r.problems.len(), 2, "{:#?}", r.problems);
    // A plan over it is blocked before anything runs.
    let p = plan(&config(), &r, None, false);
    assert!(p.is_blocked());
    assert!(p.pending.iter().all(|&i| r.migrations[i].version.is_some()));
}

#[test]
fn order_versions_and_checksums_are_flyways() {
    let r = resolve(&config()).expect("resolves");
    let got: Vec<(&str, &str, String)> = r
        .migrations
        .iter()
        .map(|m| {
            (
                m.script.as_str(),
                m.version.as_ref().map_or("", |v| v.as_str()),
                m.description.clone(),
            )
        })
        .collect();
    let scripts: Vec<&str> = got.iter().map(|g| g.0).collect();
    assert_eq!(
        scripts,
        vec![
            "V0001__baseline_tag.sql",
            "V0002__performance_indexes.sql",
            "V0003__security_phase3_stage7.sql",
            "V0220__phr_async_job.sql",
            "V0221__doc_module_flag_columns.sql",
            "V0222__diagnosis_legacy_tables.sql",
            "V0223__schedule_appo_tables.sql",
            "V0224__document_module_tables.sql",
            "V0225__alter_module_add_json.sql",
            "V0225__letter_lab_stamp_tables.sql",
            "V0226__audit_event_sequence_owned.sql",
            "V0227__audit_event_payload_text.sql",
            "V0227__audit_event_trace_id.sql",
            "V0227_1__audit_event_trace_id.sql",
            "V0228__phr_key_and_async_job.sql",
            "V0229__module_model_json_column.sql",
            "V0230__chart_event_history.sql",
            "V0231__audit_event_schema_extend.sql",
        ]
    );
    let v0227_1 = got
        .iter()
        .find(|g| g.0.starts_with("V0227_1"))
        .expect("present");
    assert_eq!(v0227_1.1, "0227.1");
    assert_eq!(v0227_1.2, "audit event trace id");
    for (script, want) in CHECKSUMS {
        let m = r
            .migrations
            .iter()
            .find(|m| m.script == *script)
            .expect(script);
        assert_eq!(m.checksum, Checksum::Crc32(*want), "{script}");
        assert_eq!(m.size, std::fs::metadata(&m.path).expect("file").len());
    }
}

/// The acceptance: exclude one of each duplicate pair, baseline 0, target 0221: the
/// history Flyway would record is baseline 0, then 0001, 0002, 0003, 0220, 0221.
#[test]
fn exclude_baseline_and_target_give_what_flyway_records() {
    let mut c = config();
    c.exclude = vec![
        "V0225__alter_module_add_json.sql".into(),
        "V0227__audit_event_trace_id.sql".into(),
    ];
    c.target_version = Some("0221".into());
    let r = resolve(&c).expect("resolves");
    assert!(r.problems.is_empty(), "{:#?}", r.problems);
    // The legacy dump makes the schema non-empty; no history table yet.
    let p = plan(&c, &r, None, false);
    assert!(!p.is_blocked(), "{:#?}", p.problems);
    let baseline = p.baseline.clone().expect("baseline on migrate");
    assert_eq!(baseline.rank, 1);
    assert_eq!(baseline.version.as_deref(), Some("0"));
    assert_eq!(baseline.kind, "BASELINE");
    let pending: Vec<&str> = p
        .pending
        .iter()
        .map(|&i| r.migrations[i].version.as_ref().map_or("", |v| v.as_str()))
        .collect();
    assert_eq!(pending, vec!["0001", "0002", "0003", "0220", "0221"]);
    let excluded: Vec<&str> = p
        .entries
        .iter()
        .filter(|e| e.state == State::Excluded)
        .map(|e| e.script.as_str())
        .collect();
    assert_eq!(
        excluded,
        vec![
            "V0225__alter_module_add_json.sql",
            "V0227__audit_event_trace_id.sql"
        ]
    );
    assert_eq!(
        p.entries
            .iter()
            .filter(|e| e.state == State::AboveTarget)
            .count(),
        18 - 2 - 5
    );

    // The rows a run writes, then a second plan over them: nothing to do.
    let mut history: Vec<HistoryRow> = vec![baseline_row(&c, 1)];
    history[0].installed_by = Some("opendolphin".into());
    for (k, &i) in p.pending.iter().enumerate() {
        history.push(applied_row(
            &c,
            &r.migrations[i],
            2 + k as i64,
            "opendolphin",
            12,
            true,
        ));
    }
    let versions: Vec<&str> = history
        .iter()
        .map(|h| h.version.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(versions, vec!["0", "0001", "0002", "0003", "0220", "0221"]);
    assert_eq!(history[1].description, "baseline tag");
    assert_eq!(history[1].script, "V0001__baseline_tag.sql");
    assert_eq!(history[1].checksum, Some(Checksum::Crc32(-2063380608)));
    let again = plan(&c, &r, Some(&history), false);
    assert!(!again.is_blocked(), "{:#?}", again.problems);
    assert!(again.pending.is_empty());
    assert!(again.baseline.is_none());

    // Raising the target applies the rest, including 0227.1 after 0227.
    c.target_version = None;
    let rest = plan(&c, &r, Some(&history), false);
    assert!(!rest.is_blocked(), "{:#?}", rest.problems);
    let pending: Vec<&str> = rest
        .pending
        .iter()
        .map(|&i| r.migrations[i].script.as_str())
        .collect();
    assert_eq!(pending.len(), 18 - 2 - 5);
    assert_eq!(pending[0], "V0222__diagnosis_legacy_tables.sql");
    assert_eq!(
        &pending[5..7],
        &[
            "V0227__audit_event_payload_text.sql",
            "V0227_1__audit_event_trace_id.sql"
        ]
    );
}
