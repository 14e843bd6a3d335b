//! `sequence_reset` never moves a sequence back unless asked (issue 8): `max_of` on an empty
//! table used to set facility_num from 200 to 1 without a word, and seed 004 sets it to a floor
//! of 103 on purpose. What happened (kept, raised, lowered) is in the summary the terminal
//! shows and in result.json, and `check` says it without changing anything.

use crate::contract::case::Case;
use crate::support::*;

/// A database like seed 004's legacy one: facility_num ahead of an empty d_facility.
fn facility_case(prefix: &str, next: i64) -> Case {
    let case = Case::new(prefix);
    sql_exec(
        &case.db.spec,
        &format!(
            "CREATE TABLE d_facility (id bigint);
             CREATE SEQUENCE facility_num;
             SELECT setval('facility_num', {next}, false);"
        ),
    );
    case
}

fn reset_step(to: &str) -> String {
    format!(
        "
        - id: facility
          kind: sequence_reset
          target: db
          sequence: public.facility_num
          to: {to}
        "
    )
}

#[test]
fn max_of_an_empty_table_keeps_a_sequence_that_is_ahead_and_says_so() {
    let case = facility_case("e2e_seq_keep", 200);
    case.runbook(
        "keep",
        "",
        &reset_step("{ max_of: { table: public.d_facility, column: id } }"),
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    // The old build set it to 1: the next facility would have taken id 1 again.
    assert_eq!(case.sql("SELECT nextval('facility_num')"), "200");
    let dir = result.evidence_dir(case.path());
    let facility = step_result(&dir, "01-facility");
    let summary = facility["summary"].as_str().unwrap_or_default();
    assert!(
        summary.starts_with("public.facility_num: kept: next value 200 (was 200)")
            && summary.contains("max(id) + 1 of public.d_facility = 1")
            && summary.contains("not lowered without allow_lower: true"),
        "{facility}"
    );
    assert_eq!(facility["details"]["action"], "kept");
    assert_eq!(facility["details"]["before"]["next_value"], 200);
    assert_eq!(facility["details"]["after"]["next_value"], 200);
    assert_eq!(facility["details"]["max_plus_one"], 1);
    // The terminal shows the step's summary.
    assert!(
        result.stdout.contains("kept: next value 200"),
        "{}",
        result.all_output()
    );
}

#[test]
fn a_floor_raises_a_fresh_sequence_over_an_empty_table() {
    let case = facility_case("e2e_seq_floor", 1);
    case.runbook(
        "floor",
        "",
        &reset_step("{ max_of: { table: public.d_facility, column: id }, floor: 103 }"),
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    assert_eq!(case.sql("SELECT nextval('facility_num')"), "103");
    let dir = result.evidence_dir(case.path());
    let facility = step_result(&dir, "01-facility");
    assert_eq!(
        facility["summary"],
        "public.facility_num: raised: next value 103 (was 1); max(id) + 1 of public.d_facility = 1, floor 103",
    );
    assert_eq!(facility["details"]["action"], "raised");
    assert_eq!(facility["details"]["floor"], 103);
    assert_eq!(facility["details"]["after"]["next_value"], 103);

    // With data past the floor, the data wins.
    sql_exec(
        &case.db.spec,
        "INSERT INTO d_facility VALUES (500); SELECT setval('facility_num', 1, false);",
    );
    let again = case.run(&["run", "rb.yaml"]);
    assert_eq!(again.code, 0, "{}", again.all_output());
    assert_eq!(case.sql("SELECT nextval('facility_num')"), "501");
}

#[test]
fn allow_lower_moves_the_sequence_back_and_records_it_as_lowered() {
    let case = facility_case("e2e_seq_lower", 200);
    case.runbook(
        "lower",
        "",
        &reset_step(
            "{ max_of: { table: public.d_facility, column: id }, floor: 103, allow_lower: true }",
        ),
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    assert_eq!(case.sql("SELECT nextval('facility_num')"), "103");
    let dir = result.evidence_dir(case.path());
    let facility = step_result(&dir, "01-facility");
    assert_eq!(facility["details"]["action"], "lowered");
    assert!(
        facility["summary"]
            .as_str()
            .unwrap_or_default()
            .starts_with("public.facility_num: lowered: next value 103 (was 200)"),
        "{facility}"
    );
    let log = step_log(&dir, "01-facility");
    assert!(
        log.contains("warning: public.facility_num was moved back from 200 to 103"),
        "{log}"
    );
}

#[test]
fn an_explicit_next_value_is_applied_and_a_move_back_is_recorded() {
    let case = facility_case("e2e_seq_next", 200);
    case.runbook("next", "", &reset_step("{ next: 104 }"));
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    assert_eq!(case.sql("SELECT nextval('facility_num')"), "104");
    let dir = result.evidence_dir(case.path());
    let facility = step_result(&dir, "01-facility");
    assert_eq!(facility["details"]["action"], "lowered");
    assert_eq!(
        facility["summary"],
        "public.facility_num: lowered: next value 104 (was 200); next: 104 as written"
    );
}

#[test]
fn check_says_what_the_reset_would_do_and_changes_nothing() {
    let case = facility_case("e2e_seq_check", 200);
    case.runbook(
        "check",
        "",
        "
        - id: keep
          kind: sequence_reset
          target: db
          sequence: facility_num
          to: { max_of: { table: d_facility, column: id } }
        - id: floor
          kind: sequence_reset
          target: db
          sequence: facility_num
          to: { max_of: { table: d_facility, column: id }, floor: 300 }
        - id: lower
          kind: sequence_reset
          target: db
          sequence: facility_num
          to: { max_of: { table: d_facility, column: id }, allow_lower: true }
        ",
    );
    let result = case.run(&["check", "rb.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    for expected in [
        "would keep facility_num: next value 200 (now 200)",
        "would raise facility_num: next value 300 (now 200)",
        "would lower facility_num: next value 1 (now 200)",
    ] {
        assert!(
            result.stdout.contains(expected),
            "missing {expected:?}:\n{}",
            result.all_output()
        );
    }
    assert_eq!(case.sql("SELECT nextval('facility_num')"), "200");
}

#[test]
fn a_sequence_that_counts_down_is_refused_by_max_of() {
    let case = Case::new("e2e_seq_down");
    sql_exec(
        &case.db.spec,
        "CREATE TABLE t (id bigint); INSERT INTO t VALUES (5);
         CREATE SEQUENCE down INCREMENT -1;",
    );
    case.runbook(
        "down",
        "",
        "
        - id: down
          kind: sequence_reset
          target: db
          sequence: down
          to: { max_of: { table: t, column: id } }
        ",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 1, "{}", result.all_output());
    assert!(
        result
            .all_output()
            .contains("sequence down counts down (increment -1)"),
        "{}",
        result.all_output()
    );
    assert_eq!(case.sql("SELECT nextval('down')"), "-1");
}
