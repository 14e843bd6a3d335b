//! Hostile YAML against `runbook validate` on the real binary: alias bombs, nesting floods,
//! one-line floods and doubling vars are refused with exit 2 and a message at their
//! `file:line:col`, in bounded time and memory.
//!
//! On the code before the fix, these took gigabytes (a billion laughs inside a gate's
//! `expect.equals`, 40 doubling vars) or tens of seconds (200 KB of `[`, a 100,000-item flow
//! list on one line). The binary runs under an address-space limit of 2 GB (so old behaviour
//! fails the test instead of the machine) and is killed past a deadline; its peak resident set
//! (`VmHWM`) is polled meanwhile. The bounds assert "bounded", not speed.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::support::*;

/// Killed past this: far longer than a bounded validate takes, far shorter than "never".
const DEADLINE: Duration = Duration::from_secs(40);
/// What a refused input may take, in a debug build on a busy machine.
const QUICK: Duration = Duration::from_secs(10);
/// Peak resident set a refused input may take.
const SMALL_KB: u64 = 200 * 1024;

/// `runbook validate FILE` in `dir` under `ulimit -v` 2 GB, killed past [`DEADLINE`].
fn validate_bounded(dir: &Path, file: &str) -> Bounded {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg("ulimit -v 2000000 && exec \"$0\" validate \"$1\"")
        .arg(runbook_bin())
        .arg(file)
        .current_dir(dir);
    run_bounded(command, dir, DEADLINE)
}

/// Writes `text` as `hostile.yaml`, validates it and asserts the refusal: exit 2, exactly the
/// one error `hostile.yaml:LINE:COL: MESSAGE`, quick and small.
#[track_caller]
fn assert_refused(text: &str, expected: &str) {
    let scratch = Scratch::new();
    scratch.write("hostile.yaml", text);
    let run = validate_bounded(scratch.path(), "hostile.yaml");
    let output = run.out.all_output();
    let shown: String = output.chars().take(2000).collect();
    assert!(!run.killed, "killed after {:?}:\n{shown}", run.took);
    assert_no_panic(&run.out);
    assert_eq!(run.out.code, 2, "{shown}");
    let errors: Vec<&str> = output
        .split('\n')
        .filter_map(|l| l.strip_prefix("error: "))
        .collect();
    assert_eq!(errors, vec![format!("hostile.yaml:{expected}")], "{shown}");
    assert!(run.took < QUICK, "took {:?}", run.took);
    assert!(run.peak_kb < SMALL_KB, "peak RSS {} kB", run.peak_kb);
}

const HEAD: &str = "version: 1\nname: hostile\ntargets:\n  db: { postgres: { url: \"postgres://ops@localhost/app\" } }\nsteps:\n";

/// A gate whose `expect.equals` is `value` (lines indented under `equals:`, from line 14).
fn gate_equals(value: &str) -> String {
    format!(
        "{HEAD}  - id: g\n    kind: gate\n    target: db\n    checks:\n      - name: c\n        query: SELECT 1\n        expect:\n          equals:\n{value}"
    )
}

#[test]
fn a_billion_laughs_in_a_gate_value_is_refused_in_bounded_memory() {
    // A wide list and two levels of aliases: 10^8 nodes, within serde_yaml's own repetition
    // limit (100 alias jumps per event), so the old loader built them (gigabytes) until the
    // address-space limit aborted it.
    let mut value = format!("            - &w [{}]\n", vec!["lol"; 10_000].join(", "));
    value += &format!("            - &v [{}]\n", vec!["*w"; 100].join(", "));
    value += &format!("            - [{}]\n", vec!["*v"; 100].join(", "));
    let col = "            - &v [".len() + "*w, ".len() * 9 + 1;
    assert_refused(
        &gate_equals(&value),
        &format!(
            "15:{col}: alias expansion exceeds 100000 nodes: the aliases up to here repeat their anchors' content more than a runbook ever needs (a YAML \"billion laughs\"?)"
        ),
    );
}

#[test]
fn a_deep_billion_laughs_names_the_alias_instead_of_line_one() {
    // 9 levels of 10: serde_yaml refused it as "invalid YAML: repetition limit exceeded" at 1:1.
    let mut lines = vec![format!("            - &l0 [{}]", ["lol"; 10].join(", "))];
    for i in 1..9 {
        lines.push(format!(
            "            - &l{i} [{}]",
            vec![format!("*l{}", i - 1); 10].join(", ")
        ));
    }
    let col = "            - &l4 [".len() + "*l3, ".len() * 7 + 1;
    assert_refused(
        &gate_equals(&(lines.join("\n") + "\n")),
        &format!(
            "18:{col}: alias expansion exceeds 100000 nodes: the aliases up to here repeat their anchors' content more than a runbook ever needs (a YAML \"billion laughs\"?)"
        ),
    );
}

#[test]
fn two_hundred_kilobytes_of_brackets_or_braces_fail_fast() {
    // libyaml's parse is quadratic in flow depth: 27 s before "recursion limit exceeded".
    for flood in ["[", "{"] {
        let text = format!(
            "{HEAD}  - id: s\n    kind: sql\n    target: db\n    text: {}\n",
            flood.repeat(200_000)
        );
        assert_refused(
            &text,
            "9:266: nesting deeper than 64 levels; a runbook never needs that",
        );
    }
}

#[test]
fn a_flow_list_of_100000_items_on_one_line_is_linear() {
    // Every node's position was found by walking its line from the start: over 30 s.
    let text = format!(
        "{HEAD}  - id: s\n    kind: sql\n    target: db\n    text: [{}]\n",
        vec!["1"; 100_000].join(",")
    );
    assert_refused(
        &text,
        "9:11: invalid value for 'text' in step 's': expected text, found a list",
    );
}

#[test]
fn forty_doubling_vars_stop_at_one_mib_naming_the_var() {
    // The old loader grew past 4 GB (v39 would be 8 TiB).
    let mut text = "version: 1\nname: hostile\nvars:\n  v0: \"0123456789abcdef\"\n".to_owned();
    for i in 1..40 {
        text += &format!("  v{i}: \"${{vars.v{}}}${{vars.v{}}}\"\n", i - 1, i - 1);
    }
    text += "steps:\n  - id: s\n    kind: shell\n    command: [echo, \"${vars.v39}\"]\n";
    assert_refused(
        &text,
        "21:20: substituting ${vars.v16} (1048576 bytes) gives var 'v17' more than 1 MiB of substituted text; a value may get at most 1 MiB from references",
    );
}

#[test]
fn control_ordinary_aliases_and_vars_validate() {
    let text = "version: 1\nname: fine\nvars:\n  a: x\n  b: \"${vars.a}${vars.a}\"\ntargets:\n  db: { postgres: { url: \"postgres://ops@localhost/app\" } }\nsteps:\n  - id: one\n    kind: shell\n    command: [echo, \"${vars.b}\"]\n    env: &env { A: \"1\", B: \"2\" }\n  - id: two\n    kind: shell\n    command: [echo, two]\n    env: *env\n  - id: g\n    kind: gate\n    target: db\n    checks:\n      - name: c\n        query: SELECT 1\n        expect: { equals: 1 }\n";
    let scratch = Scratch::new();
    scratch.write("fine.yaml", text);
    let run = validate_bounded(scratch.path(), "fine.yaml");
    assert_eq!(run.out.code, 0, "{}", run.out.all_output());
    assert!(
        run.out.stdout.contains("valid (3 steps)"),
        "{}",
        run.out.stdout
    );
}

#[test]
fn thousands_of_undefined_references_print_bounded_messages_quickly() {
    // 200 KB: 5,000 vars and 5,000 references to undeclared ones. Every message listed all
    // 5,000 names (500 MB on the terminal) and every "did you mean" compared with all of
    // them: over a minute.
    let mut text = "version: 1\nname: hostile\nvars:\n".to_owned();
    for i in 0..5_000 {
        text += &format!("  variable_{i}: x\n");
    }
    text += "steps:\n  - id: s\n    kind: shell\n    command: [echo, \"";
    for i in 0..5_000 {
        text += &format!("${{vars.undefined_{i}}}");
    }
    text += "\"]\n";
    let scratch = Scratch::new();
    scratch.write("hostile.yaml", text);
    let run = validate_bounded(scratch.path(), "hostile.yaml");
    assert!(!run.killed, "killed after {:?}", run.took);
    assert_no_panic(&run.out);
    assert_eq!(run.out.code, 2);
    let output = run.out.all_output();
    // The first 1,000 and a count of the rest.
    assert_eq!(output.matches("error: hostile.yaml:").count(), 1_001);
    assert!(output.contains(": 4000 more errors not shown (the first 1000 are above)"));
    assert!(
        output.len() < 5_000 * 400,
        "{} bytes of output",
        output.len()
    );
    assert!(
        output.contains(
            "hostile.yaml:5007:22: undefined reference ${vars.undefined_0}: the runbook declares vars variable_0, variable_1,"
        ),
        "{}",
        output.chars().take(1000).collect::<String>()
    );
    assert!(output.contains(", ... (5000 in all)"));
    assert!(run.took < QUICK, "took {:?}", run.took);
    assert!(run.peak_kb < SMALL_KB, "peak RSS {} kB", run.peak_kb);
}

#[test]
fn a_fifteen_megabyte_list_of_values_is_refused_in_bounded_memory() {
    // 2.5 million `- 1` lines, under the 16 MiB read limit: 1.3 GB and 72 s before, one
    // message per line.
    let text = format!(
        "version: 1\nname: hostile\nsteps:\n{}",
        "  - 1\n".repeat(2_500_000)
    );
    let scratch = Scratch::new();
    scratch.write("hostile.yaml", text);
    let run = validate_bounded(scratch.path(), "hostile.yaml");
    assert!(!run.killed, "killed after {:?}", run.took);
    assert_no_panic(&run.out);
    assert_eq!(run.out.code, 2);
    assert_eq!(
        run.out.stderr.trim_end(),
        "error: hostile.yaml:249997:5: more than 250000 YAML values (keys, lists, mappings and scalars); a runbook never needs that many"
    );
    // Reading and indexing 15 MB takes a few seconds in a debug build.
    assert!(run.took < 2 * QUICK, "took {:?}", run.took);
    assert!(run.peak_kb < SMALL_KB, "peak RSS {} kB", run.peak_kb);
}
