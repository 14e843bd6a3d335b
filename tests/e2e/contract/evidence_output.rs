//! What a `sql`/`sql_file` step leaves in its output.log (issue 8): the rows a SELECT returns,
//! printed as psql prints them (the seeds' operators paste exactly that into their evidence),
//! capped per statement with the total, and each statement's line carrying its text (first 200
//! characters, on one line, redacted).

use crate::contract::case::{Case, runbook_text};
use crate::support::*;

/// The lines of the log that follow the statement starting on `line` of `file`, up to the next
/// statement's line.
fn table_after(log: &str, file: &str, line: usize) -> Vec<String> {
    let start = format!("{file}:{line}:");
    let mut lines = log.split('\n').skip_while(|l| !l.starts_with(&start));
    assert!(lines.next().is_some(), "no statement at {start} in:\n{log}");
    let mut table: Vec<String> = lines
        .take_while(|l| !l.starts_with(&format!("{file}:")))
        .map(str::to_owned)
        .collect();
    // The log ends with a line break.
    while table.last().is_some_and(String::is_empty) {
        table.pop();
    }
    table
}

/// What `psql -X -c SQL` prints on this database, without the blank line that ends it.
fn psql_table(case: &Case, sql: &str) -> Vec<String> {
    let output = runbook_testkit::postgres::psql(&case.db.spec)
        .env("PGCLIENTENCODING", "UTF8")
        .args(["-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .expect("run psql");
    assert!(
        output.status.success(),
        "psql -c {sql:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("psql prints UTF-8");
    let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

/// Result shapes an operator meets, one statement a line so that statement N is on line N.
const SHAPES: &[&str] = &[
    "SELECT id, name, score, note FROM (VALUES (1, 'alpha', 1.5::numeric, NULL::text), (20, NULL, -3.25, 'x'), (300, 'γάμμα', 0, '')) v(id, name, score, note) ORDER BY id;",
    "SELECT E'line one\\nline two\\nthree' AS memo, 7 AS n, E'a\\nb' AS last;",
    "SELECT E'x' AS first, E'y\\nz' AS second;",
    "SELECT 'ヤマダ タロウ' AS kana, '東京都' AS 都道府県, 12 AS 番号, 'é' AS accent, '😀' AS emoji;",
    "SELECT c, 1 AS n FROM (VALUES (E'e\\u0301x'), (E'a\\u200Bb'), (E'\\U0001F468\\u200D\\U0001F469'), (E'soft\\u00ADhy'), (E'\\u2764\\uFE0F'), (E'\\u1100\\u1161\\u11A8'), ('Ａｱ'), (E'ls\\u2028x'), (E'\\u3000x'), (E'\\u00A0y'), (E'\\u202Erl')) v(c);",
    "SELECT 1 AS a, 'b'::text AS b WHERE false;",
    "SELECT generate_series(1, 3) AS n;",
    "SELECT 'only'::text AS c;",
    "SELECT 1::int2 AS i2, 2::int8 AS i8, 1.5::float4 AS f4, 2.5::float8 AS f8, 12::oid AS o, '5'::xid AS x, '5'::xid8 AS x8, '7'::cid AS c, 12.5::money AS m, true AS b, '{1,2}'::int[] AS arr, '2024-01-02'::date AS d;",
    "SELECT E'tab\\there' AS t, E'cr\\rlf' AS c, E'bell\\x07' AS b, E'\\u0085' AS c1;",
    "SELECT 1 AS \"a very long column name\", 'x' AS \"Mixed Case\", NULL AS U&\"multi\\000Aline header\";",
    "SELECT 'ok'::mood AS m, 3 AS n, ROW(1, 'a')::pair AS p, 4::positive AS dom;",
    "SELECT s.a, s.b FROM shaped s WHERE s.a < 1000 ORDER BY s.a;",
];

/// Run inside the script's transaction block, after an insert there.
const IN_BLOCK: &str = "SELECT a, b FROM shaped ORDER BY a;";

#[test]
fn select_results_are_written_as_psql_prints_them() {
    let case = Case::new("e2e_select_psql");
    sql_exec(
        &case.db.spec,
        "CREATE TYPE mood AS ENUM ('ok', 'sad');
         CREATE TYPE pair AS (n int, s text);
         CREATE DOMAIN positive AS int CHECK (VALUE > 0);
         CREATE TABLE shaped (a int, b text);
         INSERT INTO shaped VALUES (1, 'one'), (22, NULL), (333, E'three\\nlines\\nhere');",
    );
    // The statements run inside a transaction block too: describing the rows' types there
    // must leave the script's transaction as it was.
    let mut script = String::new();
    for shape in SHAPES {
        script.push_str(shape);
        script.push('\n');
    }
    script.push_str("BEGIN;\n");
    script.push_str(SHAPES[0]);
    script.push('\n');
    script.push_str("INSERT INTO shaped VALUES (4444, 'in the block');\n");
    script.push_str(IN_BLOCK);
    script.push('\n');
    script.push_str("COMMIT;\n");
    case.scratch.write("shapes.sql", &script);
    case.runbook(
        "shapes",
        "",
        "
        - id: shapes
          kind: sql_file
          target: db
          path: shapes.sql
        ",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    let log = step_log(&dir, "01-shapes");
    for (i, shape) in SHAPES.iter().enumerate() {
        let line = i + 1;
        assert_eq!(
            table_after(&log, "shapes.sql", line),
            psql_table(&case, shape),
            "statement {line}: {shape}\nlog:\n{log}"
        );
    }
    let in_block = SHAPES.len() + 2;
    assert_eq!(
        table_after(&log, "shapes.sql", in_block),
        psql_table(&case, SHAPES[0]),
        "{log}"
    );
    let after_insert = table_after(&log, "shapes.sql", in_block + 2);
    assert_eq!(after_insert, psql_table(&case, IN_BLOCK), "{log}");
    assert!(
        after_insert.iter().any(|l| l.contains("in the block")),
        "{log}"
    );
    assert_eq!(
        case.sql("SELECT count(*) FROM shaped"),
        "4",
        "the block committed"
    );
}

#[test]
fn rows_past_show_rows_are_counted_with_the_total_and_show_rows_0_shows_none() {
    let case = Case::new("e2e_select_cap");
    case.runbook(
        "cap",
        "",
        "
        - id: default
          kind: sql
          target: db
          text: SELECT generate_series(1, 5000) AS n;
        - id: three
          kind: sql
          target: db
          show_rows: 3
          text: |
            SELECT generate_series(1, 5000) AS n;
            SELECT 1 AS one;
        - id: none
          kind: sql
          target: db
          show_rows: 0
          text: |
            SELECT generate_series(1, 5000) AS n;
            SELECT 1 AS one;
        ",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    let default = step_log(&dir, "01-default");
    let shown: Vec<&str> = default.split('\n').collect();
    let at = shown
        .iter()
        .position(|l| l.contains("SELECT  5000 rows"))
        .unwrap_or_else(|| panic!("{default}"));
    assert_eq!(
        shown[at + 1..at + 4],
        ["  n  ", "-----", "   1"],
        "{default}"
    );
    assert_eq!(shown[at + 102], " 100", "{default}");
    assert_eq!(
        shown[at + 103],
        "... 4,900 more rows not shown (5,000 rows)",
        "{default}"
    );

    let three = step_log(&dir, "02-three");
    let lines: Vec<&str> = three.split('\n').collect();
    let at = lines
        .iter()
        .position(|l| l.contains("SELECT  5000 rows"))
        .unwrap_or_else(|| panic!("{three}"));
    assert_eq!(
        lines[at + 1..at + 7],
        [
            " n ",
            "---",
            " 1",
            " 2",
            " 3",
            "... 4,997 more rows not shown (5,000 rows)"
        ],
        "{three}"
    );
    assert_eq!(
        lines[at + 8..at + 11],
        [" one ", "-----", "   1"],
        "{three}"
    );

    let none = step_log(&dir, "03-none");
    let lines: Vec<&str> = none.split('\n').collect();
    let at = lines
        .iter()
        .position(|l| l.contains("SELECT  5000 rows"))
        .unwrap_or_else(|| panic!("{none}"));
    assert!(lines[at + 1].contains("SELECT  1 row"), "{none}");
}

#[test]
fn statement_lines_carry_their_text_on_one_line_cut_at_200_characters_and_redacted() {
    let case = Case::new("e2e_statement_text");
    let token = "tok-5f2a9c1e7b3d";
    let text = runbook_text(
        "text",
        "",
        "
        - id: statements
          kind: sql
          target: db
          text: |
            CREATE TABLE notes (id int, body text);
            INSERT INTO notes
              VALUES (1, :'api_token');
            SELECT body AS secret_body
              FROM notes
             WHERE id = 1;
            SELECT 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' AS long_one, 'the end of the statement' AS tail;
        ",
    )
    .replace("vars:\n", "vars:\n  api_token: none\n");
    case.scratch.write("rb.yaml", text);
    let var = format!("api_token={token}");
    let result = case.run(&["run", "rb.yaml", "--var", &var]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    let log = step_log(&dir, "01-statements");
    assert!(
        !log.contains(token),
        "the secret reached output.log:\n{log}"
    );
    let line = |n: usize| {
        log.split('\n')
            .find(|l| l.starts_with(&format!("rb.yaml:{n}:")))
            .unwrap_or_else(|| panic!("no statement on line {n}:\n{log}"))
            .to_owned()
    };
    assert!(
        line(15).ends_with("CREATE TABLE notes (id int, body text);"),
        "{log}"
    );
    assert!(
        line(16).ends_with("INSERT INTO notes VALUES (1, '****');"),
        "{log}"
    );
    assert!(
        line(18).ends_with("SELECT body AS secret_body FROM notes WHERE id = 1;"),
        "{log}"
    );
    // The value it returns is redacted like every line.
    let rows = table_after(&log, "rb.yaml", 18);
    assert_eq!(rows[2], " ****", "{log}");
    let long = line(21);
    let shown = long
        .split_once("  SELECT 'aaa")
        .map(|(_, rest)| rest)
        .unwrap_or("");
    assert!(
        long.ends_with(" ...") && !long.contains("the end of the statement"),
        "{long}"
    );
    assert_eq!(
        format!("SELECT 'aaa{shown}").chars().count(),
        200 + " ...".len(),
        "{long}"
    );
}

#[test]
fn a_statement_that_cannot_be_described_again_leaves_the_scripts_transaction_usable() {
    let case = Case::new("e2e_select_undescribable");
    sql_exec(&case.db.spec, "CREATE TABLE shaped (a int);");
    // Once it has run, the statement's own set_config makes `shaped` unknown: describing it
    // again fails. Inside the block that must not abort the script's transaction.
    case.runbook(
        "undescribable",
        "",
        "
        - id: block
          kind: sql
          target: db
          text: |
            BEGIN;
            SELECT pg_catalog.set_config('search_path', 'nowhere', true) AS path, count(*) AS n FROM shaped;
            INSERT INTO public.shaped VALUES (7);
            COMMIT;
        ",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    assert_eq!(case.sql("SELECT a FROM shaped"), "7");
    let log = step_log(&result.evidence_dir(case.path()), "01-block");
    // The rows are there; without the types, the count is left-aligned.
    assert_eq!(
        table_after(&log, "rb.yaml", 15),
        ["  path   | n ", "---------+---", " nowhere | 0", "(1 row)"],
        "{log}"
    );
}

#[test]
fn a_secret_cut_in_two_by_the_statement_or_value_caps_is_masked_whole() {
    let case = Case::new("e2e_secret_cut");
    let token = "tok-9d81c4e2a6f3";
    let padding = "a".repeat(183);
    // The token begins 5 characters before the 200th of the statement's line, and 6 bytes
    // before the 4 KiB cap of the value.
    let text = runbook_text(
        "cut",
        "",
        &format!(
            "
            - id: cut
              kind: sql
              target: db
              text: |
                SELECT '{padding}', :'api_token' AS t;
                SELECT repeat('x', 4090) || :'api_token' AS v;
            "
        ),
    )
    .replace("vars:\n", "vars:\n  api_token: none\n");
    case.scratch.write("rb.yaml", text);
    let var = format!("api_token={token}");
    let result = case.run(&["run", "rb.yaml", "--var", &var]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let log = step_log(&result.evidence_dir(case.path()), "01-cut");
    for part in [&token[..5], &token[..6], &token[4..]] {
        assert!(!log.contains(part), "{part:?} of the secret is in:\n{log}");
    }
    assert!(log.contains("****[... 10 more bytes not kept]"), "{log}");
}
