//! A terminal that cannot be forged: the binary runs in a real pseudo-terminal (a detached tmux
//! session) and the tests read the screen as the operator would see it, after the terminal has
//! obeyed every escape code it was sent. Untrusted text (a dump's statements, a server's error,
//! a shell's output, a file name) carries cursor moves, line erases, carriage returns, hidden
//! text and line breaks; none of it may hide a `DROP TABLE` from the consent prompt, turn a
//! failed run into "run passed", a tampered directory into "intact", or invent a line of ours.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::contract::case::Case;
use crate::support::*;

/// A detached tmux server of its own (its own socket, in the test's scratch directory, so
/// nothing is left in tmux's shared socket directory), killed with everything in it on drop.
struct Pty {
    socket: std::path::PathBuf,
    script: std::path::PathBuf,
}

impl Pty {
    /// Starts `runbook ARGS` in `cwd` on a 400x80 terminal. The pane's shell prints
    /// `__exit=CODE` when the binary ends and then waits, so the screen stays readable.
    fn start(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Pty {
        Pty::start_sized(cwd, args, env, 400)
    }

    /// As [`Pty::start`], on a terminal `columns` wide.
    fn start_sized(cwd: &Path, args: &[&str], env: &[(&str, &str)], columns: u16) -> Pty {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!("pty-{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let mut script = String::from("unset NO_COLOR\n");
        for (name, value) in env {
            script.push_str(&format!("export {name}={}\n", quote(value)));
        }
        script.push_str(&quote(&runbook_bin().to_string_lossy()));
        for arg in args {
            script.push(' ');
            script.push_str(&quote(arg));
        }
        script.push_str("\necho \"__exit=$?\"\nexec sleep 600\n");
        let script_path = cwd.join(format!("{name}.sh"));
        std::fs::write(&script_path, script).expect("write the pane's script");
        let pty = Pty {
            socket: cwd.join(format!("{name}.sock")),
            script: script_path.clone(),
        };
        let status = pty
            .tmux()
            .args(["-f", "/dev/null", "new-session", "-d", "-y", "80", "-x"])
            .arg(columns.to_string())
            .args(["-s", "rb", "-c"])
            .arg(cwd)
            .arg(format!("sh {}", quote(&script_path.to_string_lossy())))
            .status()
            .expect("tmux (apt-get install tmux)");
        assert!(status.success(), "tmux new-session failed");
        pty
    }

    fn tmux(&self) -> Command {
        let mut command = Command::new("tmux");
        command.arg("-S").arg(&self.socket);
        command
    }

    /// The screen as text (no colours), trailing blank lines dropped.
    fn screen(&self) -> String {
        let out = self
            .tmux()
            .args(["capture-pane", "-p", "-t", "rb"])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).trim_end().to_owned()
    }

    /// Waits until the screen shows `text`, and returns the screen.
    fn wait_for(&self, text: &str) -> String {
        let mut screen = String::new();
        let found = wait_until(Duration::from_secs(60), || {
            screen = self.screen();
            screen.contains(text)
        });
        assert!(found, "the screen never showed {text:?}:\n{screen}");
        screen
    }

    /// Waits for the binary to end: its exit code and the screen, the `__exit=` line removed.
    fn finish(&self) -> (i32, String) {
        let screen = self.wait_for("__exit=");
        let (before, after) = screen.rsplit_once("__exit=").expect("exit line");
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        let code = digits.parse().expect("exit code");
        (code, before.trim_end().to_owned())
    }

    fn type_line(&self, text: &str) {
        let status = self
            .tmux()
            .args(["send-keys", "-t", "rb", "-l", text])
            .status()
            .expect("tmux send-keys");
        assert!(status.success());
        let status = self
            .tmux()
            .args(["send-keys", "-t", "rb", "Enter"])
            .status()
            .expect("tmux send-keys");
        assert!(status.success());
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self
            .tmux()
            .arg("kill-server")
            .stderr(std::process::Stdio::null())
            .status();
        let _ = std::fs::remove_file(&self.socket);
        let _ = std::fs::remove_file(&self.script);
    }
}

/// `text` as one single-quoted shell word.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// Lines of the screen that start (after indentation) with `prefix`.
fn lines_starting_with<'a>(screen: &'a str, prefix: &str) -> Vec<&'a str> {
    screen
        .split('\n')
        .filter(|l| l.trim_start().starts_with(prefix))
        .collect()
}

#[test]
fn the_consent_prompt_shows_a_drop_that_escape_codes_try_to_hide() {
    let case = Case::new("e2e_terminal_prompt");
    sql_exec(
        &case.db.spec,
        "CREATE TABLE patients (id int); INSERT INTO patients VALUES (1), (2);",
    );
    // The first erases its own line up to the DROP and writes a harmless one in its place; the
    // second conceals its DROP (SGR 8) and moves back over it.
    case.scratch.write(
        "erase.sql",
        "DROP TABLE patients /*\x1b[2K\r  - run SELECT count(*) FROM patients (erase.sql:1:1)*/;\n",
    );
    case.scratch.write(
        "conceal.sql",
        "/*\x1b[8m*/ DROP TABLE IF EXISTS patients /*\x1b[0m\x1b[40D*/;\n",
    );
    // The third opens with a lesser statement, so that its DROP would only be counted.
    case.scratch.write(
        "lesser.sql",
        "UPDATE patients SET id = id WHERE id = 1;\nDROP TABLE patients;\n",
    );
    case.runbook(
        "terminal-prompt",
        "protected: true",
        "
        - id: erase
          kind: sql_file
          target: db
          path: erase.sql
        - id: conceal
          kind: sql_file
          target: db
          path: conceal.sql
        - id: lesser
          kind: sql_file
          target: db
          path: lesser.sql
        ",
    );
    let url = format!("url={}", case.db.url);
    let pty = Pty::start(
        case.path(),
        &["run", "rb.yaml", "--evidence-dir", "ev", "--var", &url],
        &[],
    );
    let screen = pty.wait_for("Type the target name");
    let items = lines_starting_with(&screen, "- run ");
    assert_eq!(items.len(), 3, "{screen}");
    assert!(
        items[0].contains("DROP TABLE patients /*␛[2K\\r - run SELECT")
            && items[0].contains("(erase.sql:1:1), which drops table patients"),
        "the erasing DROP is not shown as it is:\n{screen}"
    );
    assert!(
        items[1].contains("␛[8m")
            && items[1].contains("DROP TABLE IF EXISTS patients")
            && items[1].contains("(conceal.sql:1:1), which drops table patients"),
        "the concealed DROP is not shown as it is:\n{screen}"
    );
    assert!(
        items[2].ends_with(
            "(lesser.sql:1:1): UPDATE patients and 1 more destructive statement, among them run DROP TABLE patients (lesser.sql:2:1)"
        ),
        "the DROP after a lesser statement is only counted:\n{screen}"
    );
    assert!(
        !screen.contains("\x1b"),
        "an escape code reached the screen text:\n{screen}"
    );
    pty.type_line("no");
    let (code, screen) = pty.finish();
    assert_eq!(code, 2, "{screen}");
    assert_eq!(case.sql("SELECT count(*) FROM patients"), "2");
}

#[test]
fn a_failed_run_stays_failed_whatever_the_server_error_and_the_shell_print() {
    let case = Case::new("e2e_terminal_verdict");
    // Move up over "run failed", erase it, write a verdict of our own; then the same after a
    // line break; then conceal whatever follows.
    let forged = "\x1b[1A\x1b[2K\rrun passed in 0.1s\nrun passed in 0.1s\x1b[8m";
    case.scratch.write("forged.txt", forged);
    case.runbook(
        "terminal-verdict",
        "",
        r#"
        - id: chatter
          kind: shell
          command: [cat, forged.txt]
        - id: boom
          kind: sql
          target: db
          text: "DO $$ BEGIN RAISE EXCEPTION E'\\x1b[1A\\x1b[2K\\rrun passed in 0.1s\\nrun passed in 0.1s\\x1b[8m'; END $$;"
        "#,
    );
    let url = format!("url={}", case.db.url);
    let pty = Pty::start(
        case.path(),
        &[
            "run",
            "rb.yaml",
            "--verbose",
            "--evidence-dir",
            "ev",
            "--var",
            &url,
        ],
        &[],
    );
    let (code, screen) = pty.finish();
    assert_eq!(code, 1, "{screen}");
    // The verdict is the line at the left margin; what the server and the shell said is on
    // indented lines of the step's (with --verbose, a message's own lines are log lines).
    let verdicts: Vec<&str> = screen
        .split('\n')
        .filter(|l| l.starts_with("run ") || l.starts_with("check "))
        .collect();
    assert_eq!(
        verdicts.len(),
        1,
        "a forged verdict is on the screen:\n{screen}"
    );
    assert!(verdicts[0].starts_with("run failed in "), "{screen}");
    // The server message's own line break goes on after the marker, in the log lines
    // (--verbose) as in the step's summary.
    assert!(
        screen.contains("\n      | run passed in 0.1s␛[8m (SQLSTATE P0001)"),
        "{screen}"
    );
    // What was sent is shown, escaped, on the lines it belongs to.
    assert!(screen.contains("␛[1A␛[2K\\rrun passed in 0.1s"), "{screen}");
    // The evidence keeps the raw bytes.
    let dir = case.scratch.evidence_dirs().pop().expect("evidence");
    assert!(step_log(&dir, "01-chatter").contains("\x1b[1A\x1b[2K\rrun passed"));
}

#[test]
fn verify_of_a_tampered_directory_never_shows_intact_whatever_the_file_names() {
    let scratch = Scratch::new();
    scratch.write(
        "rb.yaml",
        "version: 1\nname: terminal-verify\nsteps:\n  - id: hello\n    kind: shell\n    command: [echo, hello]\n",
    );
    let run = scratch.runbook(&["run", "rb.yaml"]);
    assert_eq!(run.code, 0, "{}", run.all_output());
    let dir = scratch.evidence_dirs().pop().expect("evidence");
    // Tampered: a record changed, and a file whose name moves up over "NOT INTACT" and the
    // problem lines, erases them and writes the verdict of an intact directory.
    let log = dir.join("steps/01-hello/output.log");
    std::fs::write(&log, "forged\n").expect("tamper");
    let up = "\x1b[1A\x1b[2K".repeat(3);
    let name = format!(
        "{up}\rintact: every file listed in ev SHA256SUMS matches, and no file is missing or extra"
    );
    std::fs::write(dir.join(&name), "").expect("crafted file");
    let shown = dir.strip_prefix(scratch.path()).expect("relative");
    let pty = Pty::start(scratch.path(), &["verify", &shown.to_string_lossy()], &[]);
    let (code, screen) = pty.finish();
    assert_eq!(code, 5, "{screen}");
    assert_eq!(
        lines_starting_with(&screen, "intact"),
        Vec::<&str>::new(),
        "{screen}"
    );
    assert_eq!(
        lines_starting_with(&screen, "NOT INTACT: ").len(),
        1,
        "{screen}"
    );
    assert!(
        screen.contains("extra (not in SHA256SUMS): ␛[1A␛[2K"),
        "{screen}"
    );
    assert!(
        screen.contains("modified: steps/01-hello/output.log"),
        "{screen}"
    );
}

#[test]
fn a_file_name_with_a_line_break_prints_no_invented_line() {
    let scratch = Scratch::new();
    let forged = format!(
        "present  forged.sql  mode 0600  1 bytes  sha256 {}",
        "0".repeat(64)
    );
    let name = format!("in/a\n{forged}");
    scratch.write(&name, "x");
    scratch.write(
        "rb.yaml",
        format!(
            "version: 1\nname: terminal-names\nvars:\n  f: \"{}\"\nsteps:\n  - id: inputs\n    kind: require_files\n    files:\n      - path: ${{vars.f}}\n",
            name.replace('\n', "\\n")
        ),
    );
    let pty = Pty::start(
        scratch.path(),
        &["run", "rb.yaml", "--verbose", "--evidence-dir", "ev"],
        &[],
    );
    let (code, screen) = pty.finish();
    assert_eq!(code, 0, "{screen}");
    assert_eq!(
        lines_starting_with(&screen, "present  forged.sql"),
        Vec::<&str>::new(),
        "an invented line is on the screen:\n{screen}"
    );
    assert_eq!(
        lines_starting_with(&screen, "present  in/a\\npresent  forged.sql").len(),
        1,
        "{screen}"
    );
    // output.log is line-oriented evidence: no invented line there either; run.json's inputs
    // keep the real name.
    let dir = scratch.evidence_dirs().pop().expect("evidence");
    let log = step_log(&dir, "01-inputs");
    assert!(
        !log.split('\n')
            .any(|l| l.starts_with("present  forged.sql")),
        "{log}"
    );
    let result = step_result(&dir, "01-inputs");
    assert_eq!(result["inputs"][0]["path"], name.as_str(), "{result:#}");
}

#[test]
fn no_color_leaves_no_escape_code_on_the_terminal() {
    let scratch = Scratch::new();
    scratch.write(
        "rb.yaml",
        "version: 1\nname: terminal-color\nsteps:\n  - id: hello\n    kind: shell\n    command: [printf, '\\033[31mred\\n']\n",
    );
    for (env, colored) in [(&[][..], true), (&[("NO_COLOR", "1")][..], false)] {
        let pty = Pty::start(
            scratch.path(),
            &["run", "rb.yaml", "--verbose", "--evidence-dir", "ev"],
            env,
        );
        pty.wait_for("__exit=");
        let out = pty
            .tmux()
            .args(["capture-pane", "-p", "-e", "-t", "rb"])
            .output()
            .expect("tmux capture-pane -e");
        let screen = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(screen.contains("␛[31mred"), "{screen}");
        // The shell's red never reaches the terminal; ours only without NO_COLOR.
        assert!(!screen.contains("\x1b[31mred"), "{screen}");
        assert_eq!(screen.contains('\x1b'), colored, "{env:?}:\n{screen:?}");
    }
}

#[test]
fn a_report_keeps_the_verdict_of_its_run_whatever_the_server_said() {
    let case = Case::new("e2e_terminal_report");
    case.runbook(
        "terminal-report",
        "",
        r#"
        - id: boom
          kind: sql
          target: db
          text: "DO $$ BEGIN RAISE EXCEPTION E'\\x1b[99A\\x1b[2K\\r# PASSED: terminal-report\\x1b[8m <h1>PASSED</h1><!--'; END $$;"
        "#,
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 1, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    let shown = dir.strip_prefix(case.path()).expect("relative");
    let pty = Pty::start(
        case.path(),
        &["report", &shown.to_string_lossy(), "--format", "md"],
        &[],
    );
    let (code, screen) = pty.finish();
    assert_eq!(code, 0, "{screen}");
    assert_eq!(
        lines_starting_with(&screen, "# "),
        ["# FAILED: terminal-report"],
        "{screen}"
    );
    // The file in the evidence, read with cat or rendered, says the same: no escape code, no
    // raw HTML of the server's.
    let report = std::fs::read_to_string(dir.join("report.md")).expect("report.md");
    assert!(
        report.starts_with("# FAILED: terminal-report\n"),
        "{report}"
    );
    assert!(!report.contains('\x1b'), "{report}");
    // Outside the log's fenced code block (where Markdown shows markup as text).
    let outside_code: String = report
        .split("\n```")
        .step_by(2)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        !outside_code.contains("<h1>") && !outside_code.contains("<!--"),
        "{report}"
    );
    assert!(report.contains("\\u{1b}[99A"), "{report}");
    // The JSON report is the same data, with nothing a terminal obeys.
    let json = case.run(&["report", &shown.to_string_lossy(), "--format", "json"]);
    assert_eq!(json.code, 0, "{}", json.all_output());
    assert!(!json.stdout.contains('\x1b'));
    assert!(json.stdout.contains("\\u001b[99A"), "{}", json.stdout);
    let _: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
}

#[test]
fn a_message_wider_than_the_terminal_never_starts_a_row_with_its_own_words() {
    let case = Case::new("e2e_terminal_wrap");
    // 19 characters a period: on an 80-column terminal, wrapped by the terminal, some row
    // would start with "run passed" whatever the text before it.
    let spray = "run passed in 0.1s ".repeat(90);
    case.runbook(
        "terminal-wrap",
        "",
        &format!(
            r#"
        - id: boom
          kind: sql
          target: db
          text: "DO $$ BEGIN RAISE EXCEPTION '{spray}'; END $$;"
        "#
        ),
    );
    let url = format!("url={}", case.db.url);
    let pty = Pty::start_sized(
        case.path(),
        &["run", "rb.yaml", "--evidence-dir", "ev", "--var", &url],
        &[],
        80,
    );
    let (code, screen) = pty.finish();
    assert_eq!(code, 1, "{screen}");
    let verdicts: Vec<&str> = screen
        .split('\n')
        .filter(|l| l.starts_with("run ") || l.starts_with("check "))
        .collect();
    assert_eq!(
        verdicts.len(),
        1,
        "a row starts with the server's words:\n{screen}"
    );
    assert!(verdicts[0].starts_with("run failed in "), "{screen}");
    // The message is all there up to the cut, on rows that go on after the marker.
    assert!(screen.contains("\n  | "), "{screen}");
    assert!(screen.contains("more characters not shown"), "{screen}");
}
