//! Flyway plans: each state and each validation problem, baseline rules, repeatables, repair.

mod common;

use common::{Set, applied, row};
use runbook_migrate::{
    BuiltIns, Checksum, Format, HistoryChange, ProblemKind, State, flyway, lock_key, open_script,
    plan, repair, resolve_with,
};
use std::io::Read;

const V1: &str = "create table a (id int);\n";
const V2: &str = "create table b (id int);\n";
const V3: &str = "create table c (id int);\n";

fn three() -> Set {
    Set::new(
        Format::Flyway,
        &[
            ("V1__create_a.sql", V1),
            ("V2__create_b.sql", V2),
            ("sub/V3__create_c.sql", V3),
            ("README.md", "not a migration"),
            ("V3__create_c.sql.conf", "executeInTransaction=false"),
        ],
    )
}

fn states(p: &runbook_migrate::Plan) -> Vec<(String, State)> {
    p.entries
        .iter()
        .map(|e| (e.script.clone(), e.state))
        .collect()
}

fn kinds(p: &runbook_migrate::Plan) -> Vec<ProblemKind> {
    p.problems.iter().map(|p| p.kind).collect()
}

#[test]
fn fresh_empty_schema_applies_everything_in_order() {
    let s = three();
    let r = s.resolve();
    assert!(r.problems.is_empty(), "{:#?}", r.problems);
    assert_eq!(r.migrations[2].script, "sub/V3__create_c.sql");
    let p = plan(&s.config, &r, None, true);
    assert!(p.problems.is_empty());
    assert!(p.baseline.is_none());
    assert_eq!(p.pending, vec![0, 1, 2]);
    let crc = flyway::checksum(V1.as_bytes()).expect("crc");
    assert_eq!(r.migrations[0].checksum, Checksum::Crc32(crc));
}

#[test]
fn non_empty_schema_without_history_needs_a_baseline() {
    let s = three();
    let r = s.resolve();
    let p = plan(&s.config, &r, None, false);
    assert_eq!(kinds(&p), vec![ProblemKind::NonEmptySchema]);
    assert!(p.problems[0].message.contains("baseline_on_migrate"));

    let mut c = s.config.clone();
    c.baseline_on_migrate = true;
    c.baseline_version = "1".into();
    let p = plan(&c, &r, None, false);
    assert!(p.problems.is_empty(), "{:#?}", p.problems);
    let b = p.baseline.as_ref().expect("baseline");
    assert_eq!((b.rank, b.version.as_deref()), (1, Some("1")));
    assert_eq!(b.script, "<< Flyway Baseline >>");
    assert_eq!(
        states(&p)[0],
        ("V1__create_a.sql".into(), State::BaselineIgnored)
    );
    assert_eq!(p.pending, vec![1, 2]);

    // An empty schema is not baselined on migrate (Flyway: "all configured schemas are empty").
    let p = plan(&c, &r, None, true);
    assert!(p.baseline.is_none());
    assert_eq!(p.pending, vec![0, 1, 2]);

    // Below the baseline is never applied.
    c.baseline_version = "2".into();
    let p = plan(&c, &r, None, false);
    let st = states(&p);
    assert_eq!(st[0].1, State::BelowBaseline);
    assert_eq!(st[1].1, State::BaselineIgnored);
    assert_eq!(p.pending, vec![2]);
}

/// (case, rows, baseline version, Ok = a note | Err = words the refusal must hold)
type BaselineCase<'a> = (
    &'a str,
    Vec<runbook_migrate::HistoryRow>,
    &'a str,
    Result<(), &'a [&'a str]>,
);

/// Explicit `baseline:` against a table that exists, as modern Flyway's `DbBaseline`: only the
/// same marker passes (a note, no row); everything else is refused and nothing is written.
#[test]
fn explicit_baseline_against_an_existing_table() {
    let s = three();
    let r = s.resolve();
    let mut c = s.config.clone();
    c.baseline = true;
    c.baseline_version = "0".into();
    let mut marker = runbook_migrate::baseline_row(&c, 1);
    marker.installed_by = Some("postgres".into());
    let schema_row = row(
        0,
        None,
        "<< Flyway Schema Creation >>",
        "SCHEMA",
        "\"public\"",
        None,
        true,
    );
    let mut other_description = marker.clone();
    other_description.description = "imported from prod".into();
    let v1 = applied(&r, "V1__create_a.sql", 1);

    // (case, rows, baseline version, Ok = a note | Err = words the refusal must hold)
    let cases: Vec<BaselineCase<'_>> = vec![
        ("same marker", vec![marker.clone()], "0", Ok(())),
        (
            "same marker after the schema row",
            vec![schema_row.clone(), marker.clone()],
            "0",
            Ok(()),
        ),
        (
            "marker with another version",
            vec![marker.clone()],
            "5",
            Err(&[
                "with (5, << Flyway Baseline >>)",
                "already baselined with (0, << Flyway Baseline >>)",
            ]),
        ),
        (
            "marker with another description",
            vec![other_description],
            "0",
            Err(&["already baselined with (0, imported from prod)"]),
        ),
        (
            "only the schema row, version 0",
            vec![schema_row.clone()],
            "0",
            Err(&["version 0 was used for schema creation"]),
        ),
        (
            "applied migrations",
            vec![v1.clone()],
            "5",
            Err(&["already contains migrations", "V1__create_a.sql"]),
        ),
        (
            "schema row then migrations",
            vec![schema_row.clone(), v1],
            "5",
            Err(&["already contains migrations"]),
        ),
        (
            "empty table",
            vec![],
            "0",
            Err(&[
                "exists and is empty",
                "schema-only pg_dump",
                "drop-empty-history",
                "Delete the schema history table",
            ]),
        ),
        (
            "only the schema row, another version",
            vec![schema_row.clone()],
            "5",
            Err(&[
                "SCHEMA at rank 0",
                "drop the history table",
                "Delete the schema history table",
            ]),
        ),
    ];
    for (case, rows, version, expect) in cases {
        c.baseline_version = version.into();
        let p = plan(&c, &r, Some(&rows), false);
        assert!(p.baseline.is_none(), "{case}: no baseline row is written");
        match expect {
            Ok(()) => {
                assert!(p.problems.is_empty(), "{case}: {:#?}", p.problems);
                assert!(
                    p.notes.iter().any(|n| n.contains("already baselined")),
                    "{case}: {:?}",
                    p.notes
                );
            }
            Err(words) => {
                assert_eq!(kinds(&p), vec![ProblemKind::BaselineConflict], "{case}");
                for w in words {
                    assert!(
                        p.problems[0].message.contains(w),
                        "{case}: {w:?} in {}",
                        p.problems[0].message
                    );
                }
                assert!(
                    p.problems[0]
                        .message
                        .contains("public.flyway_schema_history")
                        || p.problems[0].message.contains("flyway_schema_history"),
                    "{case}: names the table"
                );
            }
        }
    }

    // No table: baselined whatever the schema holds.
    c.baseline_version = "5".into();
    let p = plan(&c, &r, None, true);
    assert_eq!(
        p.baseline.as_ref().map(|b| (b.rank, b.version.as_deref())),
        Some((1, Some("5")))
    );

    // baseline_on_migrate is unchanged: it only acts when there is no table, so an existing
    // empty table is neither baselined nor refused; the migrations are pending.
    let mut m = s.config.clone();
    m.baseline_on_migrate = true;
    m.baseline_version = "1".into();
    let p = plan(&m, &r, Some(&[]), false);
    assert!(p.problems.is_empty(), "{:#?}", p.problems);
    assert!(p.baseline.is_none());
    assert_eq!(p.pending, vec![0, 1, 2]);
    let p = plan(&m, &r, Some(std::slice::from_ref(&schema_row)), false);
    assert!(p.problems.is_empty(), "{:#?}", p.problems);
    assert!(p.baseline.is_none());
    assert_eq!(states(&p)[0].1, State::Schema);
}

/// A standalone validate refuses what a migrate would apply (Flyway's default ignore patterns
/// are `*:future` only; migrate alone adds `*:pending`); a migrate's problems are unchanged.
#[test]
fn validate_refuses_pending_but_not_future_excluded_or_above_target() {
    let s = three();
    s.write("R__view.sql", "create or replace view v as select 1;\n");
    let r = s.resolve();
    let view = applied(&r, "R__view.sql", 4);

    // Everything applied: valid.
    let all = vec![
        applied(&r, "V1__create_a.sql", 1),
        applied(&r, "V2__create_b.sql", 2),
        applied(&r, "sub/V3__create_c.sql", 3),
        view.clone(),
    ];
    let p = plan(&s.config, &r, Some(&all), false);
    assert!(p.validate_problems(&s.config, &r).is_empty());

    // An applied row newer than every file (future) stays ignored.
    let mut future = all.clone();
    future.push(row(
        5,
        Some("9"),
        "later",
        "SQL",
        "V9__later.sql",
        Some(9),
        true,
    ));
    let p = plan(&s.config, &r, Some(&future), false);
    assert!(
        p.validate_problems(&s.config, &r).is_empty(),
        "future is ignored"
    );

    // V2, V3 not applied: a migrate has no problem and applies them; validate names both.
    let partial = vec![applied(&r, "V1__create_a.sql", 1), view.clone()];
    let p = plan(&s.config, &r, Some(&partial), false);
    assert!(
        p.problems.is_empty(),
        "migrate is not blocked: {:#?}",
        p.problems
    );
    assert_eq!(p.pending, vec![1, 2]);
    let v = p.validate_problems(&s.config, &r);
    assert_eq!(
        v.iter().map(|p| p.kind).collect::<Vec<_>>(),
        vec![ProblemKind::NotApplied]
    );
    for w in [
        "2 migrations are not applied",
        "version 2 (V2__create_b.sql)",
        "version 3 (sub/V3__create_c.sql)",
        "mode: migrate would apply them",
        "Detected resolved migration not applied to database: 2",
    ] {
        assert!(v[0].message.contains(w), "{w:?} in {}", v[0].message);
    }

    // Excluded and above target_version are not pending, so validate passes.
    let mut c = s.config.clone();
    c.exclude = vec!["V2__create_b.sql".into()];
    c.target_version = Some("2".into());
    let p = plan(&c, &r, Some(&partial), false);
    assert!(p.pending.is_empty());
    assert!(p.validate_problems(&c, &r).is_empty());

    // A changed repeatable: migrate re-applies it, validate refuses it as Flyway does.
    let mut changed = all.clone();
    changed[3].checksum = Some(Checksum::Crc32(12345));
    let p = plan(&s.config, &r, Some(&changed), false);
    assert!(p.problems.is_empty());
    let v = p.validate_problems(&s.config, &r);
    assert_eq!(v.len(), 1);
    assert!(
        v[0].message.contains("changed since it was applied"),
        "{}",
        v[0].message
    );
    assert!(
        v[0].message
            .contains("Detected outdated resolved repeatable migration"),
        "{}",
        v[0].message
    );

    // Other problems come first and are kept.
    let mut failed = partial.clone();
    failed[0].success = false;
    let p = plan(&s.config, &r, Some(&failed), false);
    let kinds: Vec<_> = p
        .validate_problems(&s.config, &r)
        .iter()
        .map(|p| p.kind)
        .collect();
    assert_eq!(kinds, vec![ProblemKind::Failed, ProblemKind::NotApplied]);
}

#[test]
fn applied_unchanged_is_applied_and_nothing_pending() {
    let s = three();
    let r = s.resolve();
    let rows = vec![
        applied(&r, "V1__create_a.sql", 1),
        applied(&r, "V2__create_b.sql", 2),
        applied(&r, "sub/V3__create_c.sql", 3),
    ];
    let p = plan(&s.config, &r, Some(&rows), false);
    assert!(p.problems.is_empty());
    assert!(p.pending.is_empty());
    assert!(states(&p).iter().all(|(_, st)| *st == State::Applied));
    assert!(repair(&s.config, &r, &rows).is_empty());
}

#[test]
fn changed_checksum_names_both_values_and_the_file_and_repair_realigns() {
    let s = three();
    let before = s.resolve();
    let rows = vec![
        applied(&before, "V1__create_a.sql", 1),
        applied(&before, "V2__create_b.sql", 2),
    ];
    s.write("V2__create_b.sql", "create table b (id bigint);\n");
    let r = s.resolve();
    let p = plan(&s.config, &r, Some(&rows), false);
    assert_eq!(kinds(&p), vec![ProblemKind::ChecksumMismatch]);
    let old = flyway::checksum(V2.as_bytes()).expect("crc");
    let new = flyway::checksum("create table b (id bigint);\n".as_bytes()).expect("crc");
    let msg = &p.problems[0].message;
    assert!(
        msg.contains(&old.to_string()) && msg.contains(&new.to_string()),
        "{msg}"
    );
    assert!(
        msg.contains("V2__create_b.sql") && msg.contains("version 2"),
        "{msg}"
    );
    // Only line endings changed: not a change for Flyway.
    s.write("V2__create_b.sql", &V2.replace('\n', "\r\n"));
    let p = plan(&s.config, &s.resolve(), Some(&rows), false);
    assert!(p.problems.is_empty(), "{:#?}", p.problems);

    s.write("V2__create_b.sql", "create table b (id bigint);\n");
    let changes = repair(&s.config, &r, &rows);
    assert_eq!(
        changes,
        vec![HistoryChange::Realign {
            rank: 2,
            script: "V2__create_b.sql".into(),
            checksum: (Some(Checksum::Crc32(old)), Checksum::Crc32(new)),
            description: None,
        }]
    );
}

#[test]
fn description_mismatch_and_failed_rows() {
    let s = three();
    let r = s.resolve();
    let mut renamed = applied(&r, "V1__create_a.sql", 1);
    renamed.description = "make a".into();
    let mut failed = applied(&r, "V2__create_b.sql", 2);
    failed.success = false;
    let rows = vec![renamed, failed];
    let p = plan(&s.config, &r, Some(&rows), false);
    assert_eq!(
        kinds(&p),
        vec![ProblemKind::DescriptionMismatch, ProblemKind::Failed]
    );
    assert!(
        p.problems[1].message.contains("success = false"),
        "{}",
        p.problems[1]
    );
    assert_eq!(states(&p)[1].1, State::Failed);

    let changes = repair(&s.config, &r, &rows);
    assert_eq!(changes.len(), 2, "{changes:#?}");
    assert_eq!(
        changes[0],
        HistoryChange::DeleteFailed {
            rank: 2,
            script: "V2__create_b.sql".into()
        }
    );
    assert!(matches!(
        &changes[1],
        HistoryChange::Realign { rank: 1, description: Some((old, new)), .. } if old == "make a" && new == "create a"
    ));
}

#[test]
fn missing_future_deleted_and_excluded_rows() {
    let s = three();
    let r = s.resolve();
    let rows = vec![
        applied(&r, "V1__create_a.sql", 1),
        row(
            2,
            Some("1.5"),
            "gone",
            "SQL",
            "V1_5__gone.sql",
            Some(7),
            true,
        ),
        applied(&r, "V2__create_b.sql", 3),
        applied(&r, "sub/V3__create_c.sql", 4),
        row(5, Some("9"), "later", "SQL", "V9__later.sql", Some(9), true),
    ];
    let p = plan(&s.config, &r, Some(&rows), false);
    assert_eq!(kinds(&p), vec![ProblemKind::MissingLocally]);
    assert!(
        p.problems[0]
            .message
            .contains("version 1.5 (V1_5__gone.sql)")
    );
    let st = states(&p);
    assert_eq!(st[1].1, State::MissingLocally);
    assert_eq!(st[4].1, State::Future);

    // Repair marks it deleted with a DELETE row; afterwards it no longer blocks.
    let changes = repair(&s.config, &r, &rows);
    let HistoryChange::MarkDeleted { row: del } = &changes[0] else {
        panic!("{changes:#?}")
    };
    assert_eq!(
        (del.rank, del.kind.as_str(), del.version.as_deref()),
        (6, "DELETE", Some("1.5"))
    );
    assert_eq!(del.checksum, Some(Checksum::Crc32(7)));
    let mut after = rows.clone();
    after.push((**del).clone());
    let p = plan(&s.config, &r, Some(&after), false);
    assert!(p.problems.is_empty(), "{:#?}", p.problems);
    assert_eq!(states(&p)[1].1, State::Deleted);
    assert_eq!(states(&p)[5].1, State::Deleted);

    // An applied migration whose file is excluded is listed as excluded, not missing.
    let mut c = s.config.clone();
    c.exclude = vec!["V2__create_b.sql".into()];
    let rows = vec![
        applied(&r, "V1__create_a.sql", 1),
        applied(&r, "V2__create_b.sql", 2),
    ];
    let p = plan(&c, &r, Some(&rows), false);
    assert!(p.problems.is_empty(), "{:#?}", p.problems);
    assert_eq!(states(&p)[1], ("V2__create_b.sql".into(), State::Excluded));
    assert_eq!(p.pending, vec![2]);
}

#[test]
fn out_of_order_and_target() {
    let s = three();
    s.write("V1_5__late.sql", "select 1;");
    let r = s.resolve();
    let rows = vec![
        applied(&r, "V1__create_a.sql", 1),
        applied(&r, "V2__create_b.sql", 2),
    ];
    let p = plan(&s.config, &r, Some(&rows), false);
    assert_eq!(kinds(&p), vec![ProblemKind::OutOfOrder]);
    assert!(
        p.problems[0]
            .message
            .contains("V1_5__late.sql (version 1.5)")
    );
    assert!(p.problems[0].message.contains("out_of_order: true"));
    let mut c = s.config.clone();
    c.out_of_order = true;
    let p = plan(&c, &r, Some(&rows), false);
    assert!(p.problems.is_empty());
    let pending: Vec<&str> = p
        .pending
        .iter()
        .map(|&i| r.migrations[i].script.as_str())
        .collect();
    assert_eq!(pending, vec!["V1_5__late.sql", "sub/V3__create_c.sql"]);

    c.target_version = Some("2".into());
    let p = plan(&c, &r, Some(&rows), false);
    assert_eq!(p.pending.len(), 1);
    assert!(states(&p).contains(&("sub/V3__create_c.sql".into(), State::AboveTarget)));
    c.target_version = Some("current".into());
    let p = plan(&c, &r, Some(&rows), false);
    assert_eq!(p.pending.len(), 1, "1.5 is below current (2), 3 above");
    c.target_version = Some("x.y".into());
    let p = plan(&c, &r, Some(&rows), false);
    assert_eq!(kinds(&p), vec![ProblemKind::BadTarget]);
}

#[test]
fn names_that_look_like_migrations_but_do_not_parse() {
    let s = Set::new(
        Format::Flyway,
        &[
            ("V1_init.sql", "x"),
            ("V2__ok.sql", "x"),
            ("R1__bad.sql", "x"),
            ("U1__undo.sql", "x"),
        ],
    );
    let r = s.resolve();
    assert_eq!(r.migrations.len(), 1);
    let bad: Vec<&str> = r.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(bad.len(), 2, "{bad:#?}");
    assert!(bad[0].contains("R1__bad.sql"));
    assert!(
        bad[1].contains("V1_init.sql") && bad[1].contains("'1_init'"),
        "{}",
        bad[1]
    );
}

#[test]
fn unknown_exclude_and_duplicates_of_one_version_written_differently() {
    let mut s = Set::new(Format::Flyway, &[("V1__a.sql", "x"), ("V1.0__b.sql", "y")]);
    s.config.exclude = vec!["V7__nope.sql".into()];
    let r = s.resolve();
    let kinds: Vec<ProblemKind> = r.problems.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        vec![ProblemKind::DuplicateVersion, ProblemKind::UnknownExclude]
    );
    assert!(
        r.problems[0]
            .message
            .starts_with("V1.0__b.sql and V1__a.sql both have version")
    );
}

#[test]
fn repeatables_run_after_versioned_in_description_order_and_again_when_changed() {
    let mut s = Set::new(
        Format::Flyway,
        &[
            ("V1__t.sql", "create table t (id int);"),
            ("R__b_view.sql", "create or replace view b as select 1;"),
            ("R__a_grants.sql", "grant select on t to ${role};"),
            ("R__B_upper.sql", "select 1;"),
        ],
    );
    s.config.placeholders.insert("ROLE".into(), "app".into());
    let r = s.resolve();
    assert!(r.problems.is_empty(), "{:#?}", r.problems);
    let order: Vec<&str> = r.migrations.iter().map(|m| m.script.as_str()).collect();
    // Java String.compareTo: "B upper" < "a grants" < "b view".
    assert_eq!(
        order,
        vec![
            "V1__t.sql",
            "R__B_upper.sql",
            "R__a_grants.sql",
            "R__b_view.sql"
        ]
    );
    let grants = &r.migrations[2];
    // Its checksum is taken after replacement; the raw one differs.
    assert_eq!(
        grants.checksum,
        Checksum::Crc32(flyway::checksum("grant select on t to app;".as_bytes()).expect("crc"))
    );
    assert_ne!(grants.checksum, grants.raw_checksum);

    let p = plan(&s.config, &r, Some(&[]), true);
    assert_eq!(p.pending, vec![0, 1, 2, 3]);

    let rows = vec![
        applied(&r, "V1__t.sql", 1),
        applied(&r, "R__B_upper.sql", 2),
        applied(&r, "R__a_grants.sql", 3),
        applied(&r, "R__b_view.sql", 4),
    ];
    assert!(plan(&s.config, &r, Some(&rows), false).pending.is_empty());

    // A new placeholder value changes the checksum: re-applied; older rows superseded.
    s.config.placeholders.insert("role".into(), "reader".into());
    let r2 = s.resolve();
    let p = plan(&s.config, &r2, Some(&rows), false);
    assert!(p.problems.is_empty());
    assert_eq!(p.pending, vec![2]);
    let outdated = p
        .entries
        .iter()
        .find(|e| e.state == State::Outdated)
        .expect("outdated");
    assert!(
        outdated
            .note
            .as_deref()
            .unwrap_or("")
            .contains("checksum changed")
    );
    let mut more = rows.clone();
    more.push(applied(&r2, "R__a_grants.sql", 5));
    let p = plan(&s.config, &r2, Some(&more), false);
    assert!(p.pending.is_empty());
    assert_eq!(p.entries[2].state, State::Superseded);

    // A row recorded with the raw checksum (Flyway before 6.3) still matches, and repair
    // realigns it to the replaced one.
    let mut raw = rows.clone();
    raw[2].checksum = Some(r2.migrations[2].raw_checksum.clone());
    let p = plan(&s.config, &r2, Some(&raw), false);
    assert!(p.pending.is_empty());
    let changes = repair(&s.config, &r2, &raw);
    assert!(
        matches!(&changes[..], [HistoryChange::Realign { rank: 3, .. }]),
        "{changes:#?}"
    );
}

#[test]
fn repeatable_with_an_unknown_placeholder_is_a_problem_and_builtins_fill_it() {
    let s = Set::new(
        Format::Flyway,
        &[("R__who.sql", "-- by ${flyway:user}\nselect 1;")],
    );
    let r = s.resolve();
    assert_eq!(r.problems.len(), 1);
    assert!(
        r.problems[0].message.contains("${flyway:user}"),
        "{}",
        r.problems[0]
    );
    assert!(
        r.problems[0].message.contains("R__who.sql:1"),
        "{}",
        r.problems[0]
    );
    let b = BuiltIns {
        user: Some("postgres".into()),
        ..BuiltIns::from_config(&s.config)
    };
    let r = resolve_with(&s.config, &b).expect("resolves");
    assert!(r.problems.is_empty());
    let mut text = String::new();
    open_script(&s.config, &r.migrations[0], &b)
        .expect("opens")
        .read_to_string(&mut text)
        .expect("reads");
    assert_eq!(text, "-- by postgres\nselect 1;");
}

#[test]
fn open_script_refuses_an_unknown_placeholder_before_running() {
    let s = Set::new(
        Format::Flyway,
        &[("V1__x.sql", "select 1;\nselect '${missing}';\n")],
    );
    let r = s.resolve();
    assert!(
        r.problems.is_empty(),
        "versioned checksums are on the raw file"
    );
    let e = open_script(&s.config, &r.migrations[0], &BuiltIns::default())
        .err()
        .expect("refused");
    let text = e.to_string();
    assert!(
        text.contains("V1__x.sql:2") && text.contains("${missing}"),
        "{text}"
    );
    // Placeholder replacement off: the raw file.
    let mut c = s.config.clone();
    c.placeholder_replacement = false;
    let mut out = String::new();
    open_script(&c, &r.migrations[0], &BuiltIns::default())
        .expect("opens")
        .read_to_string(&mut out)
        .expect("reads");
    assert_eq!(out, "select 1;\nselect '${missing}';\n");
}

#[test]
fn lock_keys() {
    let mut s = Set::new(Format::Flyway, &[]);
    s.config.schema = Some("opendolphin".into());
    assert_eq!(lock_key(&s.config), 77432888690150);
    s.config.schema = Some("public".into());
    assert_eq!(lock_key(&s.config), 77433833903597);
    s.config.format = Format::Prisma;
    assert_eq!(lock_key(&s.config), 72707369);
}

#[test]
fn a_missing_location_is_an_error_naming_it() {
    let mut s = Set::new(Format::Flyway, &[]);
    s.config.locations = vec![s.dir.path().join("nope")];
    let e = runbook_migrate::resolve(&s.config).expect_err("missing");
    assert!(e.to_string().contains("nope"), "{e}");
}

#[test]
fn a_removed_repeatable_is_missing_once_and_its_older_rows_superseded() {
    let s = Set::new(Format::Flyway, &[("V1__t.sql", "select 1;")]);
    let r = s.resolve();
    let rows = vec![
        applied(&r, "V1__t.sql", 1),
        row(2, None, "my view", "SQL", "R__my_view.sql", Some(1), true),
        row(3, None, "my view", "SQL", "R__my_view.sql", Some(2), true),
    ];
    let p = plan(&s.config, &r, Some(&rows), false);
    assert_eq!(kinds(&p), vec![ProblemKind::MissingLocally]);
    assert!(
        p.problems[0]
            .message
            .contains("repeatable my view (R__my_view.sql)")
    );
    let st: Vec<State> = p.entries.iter().map(|e| e.state).collect();
    assert_eq!(
        st,
        vec![State::Applied, State::Superseded, State::MissingLocally]
    );
}

/// Prisma's and plain's validate: what `prisma migrate status` exits 1 on (pending migrations
/// named by folder), and for plain Flyway's rule.
#[test]
fn validate_refuses_pending_for_prisma_and_plain_too() {
    use common::prisma_row;
    let s = Set::new(
        Format::Prisma,
        &[
            ("migration_lock.toml", "provider = \"postgresql\"\n"),
            (
                "20250101000000_init/migration.sql",
                "CREATE TABLE i (id int);\n",
            ),
            (
                "20250118041838_updated/migration.sql",
                "CREATE TABLE a (id int);\n",
            ),
        ],
    );
    let r = s.resolve();
    assert!(r.problems.is_empty(), "{:#?}", r.problems);
    let sum = |i: usize| r.migrations[i].checksum.to_string();
    let one = vec![prisma_row(
        1,
        "20250101000000_init",
        &sum(0),
        true,
        false,
        None,
    )];
    let p = plan(&s.config, &r, Some(&one), false);
    assert!(
        p.problems.is_empty(),
        "deploy is not blocked: {:#?}",
        p.problems
    );
    assert_eq!(p.pending, vec![1]);
    let v = p.validate_problems(&s.config, &r);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].kind, ProblemKind::NotApplied);
    for w in [
        "1 migration is not applied yet: 20250118041838_updated",
        "Following migrations have not yet been applied",
    ] {
        assert!(v[0].message.contains(w), "{w:?} in {}", v[0].message);
    }
    let both = vec![
        one[0].clone(),
        prisma_row(2, "20250118041838_updated", &sum(1), true, false, None),
    ];
    let p = plan(&s.config, &r, Some(&both), false);
    assert!(p.validate_problems(&s.config, &r).is_empty());

    let s = Set::new(
        Format::Plain,
        &[
            ("0001_init.sql", "select 1;"),
            ("0002_more.sql", "select 2;"),
        ],
    );
    let r = s.resolve();
    let rows = vec![applied(&r, "0001_init.sql", 1)];
    let p = plan(&s.config, &r, Some(&rows), false);
    assert!(p.problems.is_empty(), "{:#?}", p.problems);
    let v = p.validate_problems(&s.config, &r);
    assert_eq!(v.len(), 1);
    assert!(v[0].message.contains("0002_more.sql"), "{}", v[0].message);
    assert!(
        v[0].message.contains("migrate would apply it"),
        "{}",
        v[0].message
    );
}
