//! Bounded input: YAML aliases, nesting, floods and `${...}` substitution are refused with a
//! message at their place before they cost memory or time. Each of these shapes hurt the old
//! loader (gigabytes of memory, or tens of seconds of quadratic work); the time bounds are
//! generous assertions of "bounded" for a debug build on a busy machine, not benchmarks.

use std::time::{Duration, Instant};

use crate::support::{fixture_env, parse_err, parse_with, with_steps};

/// A gate whose `expect.equals` is `value` (YAML lines indented under `equals:`), starting at
/// line 15 of [`with_steps`]; `equals:` is on line 22.
fn gate_equals(value: &str) -> String {
    with_steps(&format!(
        "  - id: g\n    kind: gate\n    target: pg\n    checks:\n      - name: c\n        query: SELECT 1\n        expect:\n          equals:\n{value}"
    ))
}

/// A billion laughs: `levels` lists of `width` aliases to the one before, under `equals:`.
fn laughs(levels: usize, width: usize) -> String {
    let mut lines = vec![format!(
        "            - &l0 [{}]",
        vec!["lol"; width].join(", ")
    )];
    for i in 1..levels {
        lines.push(format!(
            "            - &l{i} [{}]",
            vec![format!("*l{}", i - 1); width].join(", ")
        ));
    }
    gate_equals(&(lines.join("\n") + "\n"))
}

#[track_caller]
fn within(limit: Duration, started: Instant) {
    let took = started.elapsed();
    assert!(took < limit, "took {took:?}, expected under {limit:?}");
}

#[test]
fn a_billion_laughs_in_a_gate_value_is_refused_at_the_alias_that_crosses_the_budget() {
    // 9 levels of 10: 10^9 nodes expanded. The old loader either let serde_yaml build them or
    // said "invalid YAML: repetition limit exceeded" at 1:1, nowhere near the aliases.
    let started = Instant::now();
    let errors = parse_err(&laughs(9, 10));
    within(Duration::from_secs(5), started);
    // Levels 1-3 add 12,330 nodes; level 4 (line 27) holds 10 aliases of 11,111 nodes each:
    // the 8th crosses 100,000.
    let col = "            - &l4 [".len() + "*l3, ".len() * 7 + 1;
    assert_eq!(
        errors,
        vec![format!(
            "27:{col}: alias expansion exceeds 100000 nodes: the aliases up to here repeat their anchors' content more than a runbook ever needs (a YAML \"billion laughs\"?)"
        )]
    );
}

#[test]
fn a_wide_bomb_that_passes_serde_yamls_repetition_limit_is_refused_too() {
    // Few aliases over a wide list: serde_yaml's own limit (100 alias jumps per event) lets
    // this through, and its value would hold 10^8 nodes (gigabytes).
    let mut text = format!("            - &w [{}]\n", vec!["lol"; 10_000].join(", "));
    text += &format!("            - &v [{}]\n", vec!["*w"; 100].join(", "));
    text += &format!("            - [{}]\n", vec!["*v"; 100].join(", "));
    let started = Instant::now();
    let errors = parse_err(&gate_equals(&text));
    within(Duration::from_secs(5), started);
    let col = "            - &v [".len() + "*w, ".len() * 9 + 1;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with(&format!("24:{col}: alias expansion exceeds 100000 nodes")),
        "{errors:?}"
    );
}

#[test]
fn aliases_of_long_text_are_bounded_by_bytes() {
    // 20 aliases of a 1 MiB scalar: few nodes, 20 MiB of copies.
    let big = "x".repeat(1 << 20);
    let text = format!(
        "            - &t \"{big}\"\n            - [{}]\n",
        vec!["*t"; 20].join(", ")
    );
    let errors = parse_err(&gate_equals(&text));
    let col = "            - [".len() + "*t, ".len() * 16 + 1;
    assert_eq!(
        errors,
        vec![format!(
            "24:{col}: alias expansion exceeds 16 MiB of text: the aliases up to here repeat their anchors' text more than a runbook ever needs"
        )]
    );
}

#[test]
fn ordinary_aliases_still_work() {
    let text = with_steps(
        "  - id: a\n    kind: shell\n    command: [echo, a]\n    env: &env { A: \"1\", B: \"2\" }\n  - id: b\n    kind: shell\n    command: [echo, b]\n    env: *env\n",
    );
    let runbook = parse_with(&text, &fixture_env(), &[]).expect("aliases of a mapping parse");
    assert_eq!(runbook.steps.len(), 2);
}

#[test]
fn an_alias_inside_its_own_anchor_is_refused() {
    // serde_yaml would recurse into it ("recursion limit exceeded").
    let errors = parse_err(&gate_equals("            &a [1, *a]\n"));
    assert_eq!(
        errors,
        vec!["23:20: alias inside its own anchor: the value would contain itself"]
    );
}

#[test]
fn floods_of_brackets_braces_and_dashes_fail_fast_at_the_65th_level() {
    // 200 KB each. `[` and `{` took 27 s in libyaml (quadratic in the depth) before any
    // message; `- ` nesting was reported by serde_yaml as "recursion limit exceeded".
    for (flood, col) in [("[", 266), ("{", 266)] {
        let text = with_steps(&format!(
            "  - id: s\n    kind: sql\n    target: pg\n    text: {}\n",
            flood.repeat(200_000)
        ));
        let started = Instant::now();
        let errors = parse_err(&text);
        within(Duration::from_secs(3), started);
        assert_eq!(
            errors,
            vec![format!(
                "18:{col}: nesting deeper than 64 levels; a runbook never needs that"
            )],
            "{flood}"
        );
    }
    let text = with_steps(&format!("  {}x\n", "- ".repeat(100_000)));
    let started = Instant::now();
    let errors = parse_err(&text);
    within(Duration::from_secs(3), started);
    assert_eq!(
        errors,
        vec!["15:129: nesting deeper than 64 levels; a runbook never needs that"]
    );
}

#[test]
fn deep_block_indentation_fails_at_the_65th_level() {
    let nested: String = (0..300)
        .map(|i| format!("{}k{i}:\n", " ".repeat(4 + i)))
        .collect();
    let text = with_steps(&format!("  - id: s\n{nested}"));
    let errors = parse_err(&text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].ends_with(": nesting deeper than 64 levels; a runbook never needs that"),
        "{errors:?}"
    );
}

#[test]
fn a_long_flow_list_on_one_line_is_linear() {
    // 100,000 items on one line: positions were found by walking the line from its start for
    // every node (quadratic: over 30 s).
    let text = with_steps(&format!(
        "  - id: s\n    kind: sql\n    target: pg\n    text: [{}]\n",
        vec!["1"; 100_000].join(",")
    ));
    let started = Instant::now();
    let errors = parse_err(&text);
    within(Duration::from_secs(8), started);
    assert_eq!(
        errors,
        vec!["18:11: invalid value for 'text' in step 's': expected text, found a list"]
    );
}

#[test]
fn many_keys_are_linear() {
    // 100,000 keys in one mapping: each key was compared with every earlier one (minutes).
    let keys: String = (0..100_000).map(|i| format!("      k{i}: 1\n")).collect();
    let text = with_steps(&format!(
        "  - id: s\n    kind: shell\n    command: [true]\n    env:\n{keys}      k7: 2\n"
    ));
    let started = Instant::now();
    let errors = parse_err(&text);
    within(Duration::from_secs(30), started);
    assert_eq!(
        errors,
        vec![format!(
            "{}:7: duplicate key 'k7' (first defined at line 26 column 7)",
            19 + 100_000
        )]
    );
}

#[test]
fn many_escaped_references_are_linear() {
    // `\x24{...}` is a reference whose text is not in the source: each one searched the rest
    // of the value again.
    let refs = "\\x24{vars.db}".repeat(100_000);
    let text = with_steps(&format!(
        "  - id: s\n    kind: shell\n    command: [echo, \"{refs}\"]\n"
    ));
    let started = Instant::now();
    let runbook = parse_with(&text, &fixture_env(), &[]).expect("parses");
    within(Duration::from_secs(8), started);
    assert_eq!(runbook.steps.len(), 1);
}

/// `count` vars, each the previous one twice, after a 16-byte first one.
fn doubling_vars(count: usize) -> String {
    let mut text = "version: 1\nname: t\nvars:\n  v0: \"0123456789abcdef\"\n".to_owned();
    for i in 1..count {
        text += &format!("  v{i}: \"${{vars.v{}}}${{vars.v{}}}\"\n", i - 1, i - 1);
    }
    text + "steps:\n  - id: s\n    kind: shell\n    command: [echo, \"${vars.v1}\"]\n"
}

#[test]
fn doubling_vars_stop_at_one_mib_naming_the_var_and_the_reference() {
    // 22 vars: v21 would be 32 MiB (40 of them: 16 TiB; the old loader grew past 4 GB).
    let errors = parse_err(&doubling_vars(22));
    // v17 is on line 21; its second ${vars.v16} (at column 20) crosses 1 MiB.
    assert_eq!(
        errors,
        vec![
            "21:20: substituting ${vars.v16} (1048576 bytes) gives var 'v17' more than 1 MiB of substituted text; a value may get at most 1 MiB from references"
        ]
    );
}

#[test]
fn forty_doubling_vars_are_one_error_in_bounded_time() {
    let started = Instant::now();
    let errors = parse_err(&doubling_vars(40));
    within(Duration::from_secs(5), started);
    assert_eq!(errors.len(), 1, "{errors:?}");
}

#[test]
fn a_value_under_the_limit_is_substituted_whole() {
    let runbook = parse_with(&doubling_vars(17), &fixture_env(), &[]).expect("parses");
    assert_eq!(runbook.vars["v16"].len(), 1 << 20);
}

#[test]
fn substitution_repeated_by_aliases_counts_against_the_runbook_total() {
    // One reference to a 1 MiB var, repeated by aliases 20 times: 20 MiB substituted.
    let big = "y".repeat(1 << 20);
    let mut text = format!("version: 1\nname: t\nvars:\n  big: \"{big}\"\n");
    text += "steps:\n  - id: s\n    kind: shell\n    command: [echo, &e \"${vars.big}\"]\n";
    for i in 0..20 {
        text += &format!("  - id: s{i}\n    kind: shell\n    command: [echo, *e]\n");
    }
    let errors = parse_err(&text);
    assert_eq!(
        errors,
        vec![
            "8:24: references substitute more than 16 MiB of text in this runbook by here (a value repeated by YAML aliases counts each time); a runbook may substitute at most 16 MiB in all"
        ]
    );
}

#[test]
fn a_lone_carriage_return_is_refused_where_it_is() {
    // Found by the fuzz target: YAML breaks lines at a lone `\r`, so serde_yaml reported an
    // error at line 25 of a 17-line file.
    let text = "version: 1\nname: t\ntargets:\n  a: { postgres: { ephemeral: true } }\n  \r\r\ratch:\n    x: 1\nsteps:\n  - \n      SELECT 1;\n";
    assert_eq!(
        parse_err(text),
        vec![
            "5:3: a carriage return (\\r) not followed by a line feed: expected LF or CRLF line endings"
        ]
    );
    // CRLF files are fine.
    let crlf =
        with_steps("  - id: s\n    kind: shell\n    command: [true]\n").replace('\n', "\r\n");
    parse_with(&crlf, &fixture_env(), &[]).expect("CRLF parses");
}

#[test]
fn yaml_syntax_errors_are_placed_by_byte_offset_not_libyamls_line_count() {
    // libyaml also breaks lines at NEL (U+0085), so it put this error (at `steps:`) on line 5;
    // a line here ends at \n only.
    let text = "version: 1\nname: t\ndescription: a\u{85}b\nsteps: [\n";
    let errors = parse_err(text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("4:1: invalid YAML: could not find expected ':'"),
        "{errors:?}"
    );
}

#[test]
fn thousands_of_undefined_references_are_reported_quickly_with_short_lists() {
    // 200 KB: 5,000 vars and 5,000 references to undeclared ones. Each message listed all
    // 5,000 names (hundreds of megabytes in all) and each "did you mean" compared with all of
    // them: over a minute.
    let mut text = "version: 1\nname: t\nvars:\n".to_owned();
    for i in 0..5_000 {
        text += &format!("  variable_{i}: x\n");
    }
    text += "steps:\n  - id: s\n    kind: shell\n    command: [echo, \"";
    for i in 0..5_000 {
        text += &format!("${{vars.undefined_{i}}}");
    }
    text += "\"]\n";
    let started = Instant::now();
    let errors = parse_err(&text);
    within(Duration::from_secs(20), started);
    // The first 1,000 and a count of the rest.
    assert_eq!(errors.len(), 1_001);
    assert!(
        errors[1_000].ends_with(": 4000 more errors not shown (the first 1000 are above)"),
        "{}",
        errors[1_000]
    );
    let total: usize = errors.iter().map(String::len).sum();
    assert!(total < 5_000 * 400, "{total} bytes of messages");
    assert!(
        errors[0].ends_with(
            "undefined reference ${vars.undefined_0}: the runbook declares vars variable_0, variable_1, variable_2, variable_3, variable_4, variable_5, variable_6, variable_7, variable_8, variable_9, variable_10, variable_11, variable_12, variable_13, variable_14, variable_15, variable_16, variable_17, variable_18, variable_19, ... (5000 in all)"
        ),
        "{}",
        errors[0]
    );
}

#[test]
fn thousands_of_steps_naming_unknown_targets_are_linear() {
    // 5,000 targets and 5,000 steps naming undeclared ones: every message listed every target
    // and every step searched the list.
    let mut text = "version: 1\nname: t\ntargets:\n".to_owned();
    for i in 0..5_000 {
        text += &format!("  t{i}: {{ postgres: {{ ephemeral: true }} }}\n");
    }
    text += "steps:\n";
    for i in 0..5_000 {
        text += &format!("  - id: s{i}\n    kind: sql\n    target: x{i}\n    text: SELECT 1\n");
    }
    let started = Instant::now();
    let errors = parse_err(&text);
    within(Duration::from_secs(20), started);
    assert_eq!(errors.len(), 1_001);
    assert!(
        errors[999].ends_with("t17, t18, t19, ... (5000 in all)"),
        "{}",
        errors[999]
    );
}

#[test]
fn a_flood_after_a_second_document_is_never_parsed() {
    // The tree pass stops at `---`; serde_yaml must not then parse the flood after it.
    let text = format!(
        "{}---\nx: {}\n",
        with_steps("  - id: s\n    kind: shell\n    command: [true]\n"),
        "[".repeat(200_000)
    );
    let started = Instant::now();
    let errors = parse_err(&text);
    within(Duration::from_secs(3), started);
    assert_eq!(
        errors,
        vec!["18:1: a second YAML document starts here; a runbook is a single document"]
    );
}

#[test]
fn more_than_250000_values_are_refused_where_the_limit_is_crossed() {
    // 2.5 million `- 1` lines (15 MB): 1.3 GB and 72 s before, one message per line.
    let text = format!("version: 1\nname: t\nsteps:\n{}", "  - 1\n".repeat(300_000));
    let started = Instant::now();
    let errors = parse_err(&text);
    within(Duration::from_secs(15), started);
    // Nodes so far: the root, 2 keys, 2 values, the steps key and list, then one per line.
    assert_eq!(
        errors,
        vec![
            "249997:5: more than 250000 YAML values (keys, lists, mappings and scalars); a runbook never needs that many"
        ]
    );
}

#[test]
fn errors_past_the_first_thousand_are_counted_not_listed() {
    let text = format!("version: 1\nname: t\nsteps:\n{}", "  - 1\n".repeat(5_000));
    let errors = parse_err(&text);
    assert_eq!(errors.len(), 1_001);
    assert_eq!(
        errors[0],
        "4:5: invalid step 1: expected a mapping with id and kind, found 1"
    );
    assert_eq!(
        errors[1_000],
        "5003:5: 4000 more errors not shown (the first 1000 are above)"
    );
}
