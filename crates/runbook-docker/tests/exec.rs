//! Running commands in containers: exit codes, streams, users, errors.

use std::time::Duration;

use runbook_docker::{DockerError, ExecEnd, ExecSpec, LineSplitter, OutputStream};

use crate::support::{docker_test, sleeper};

#[tokio::test]
async fn exit_codes_and_streams_come_back_separately() {
    let dt = docker_test!("exit_codes_and_streams_come_back_separately");
    let client = dt.client();
    let spec = sleeper(&dt, "exec");
    client.ensure_running(&spec).await.unwrap();

    let out = client
        .exec_capture(
            &spec.name,
            &ExecSpec::new(["sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3"]),
        )
        .await
        .unwrap();
    assert_eq!(out.exit_code, 3);
    assert_eq!(out.stdout, "to-stdout\n");
    assert_eq!(out.stderr, "to-stderr\n");
    assert!(!out.truncated);

    let ok = client
        .exec_capture(&spec.name, &ExecSpec::new(["sh", "-c", "exit 0"]))
        .await
        .unwrap();
    assert_eq!(ok.exit_code, 0);
    dt.finish().await;
}

#[tokio::test]
async fn large_output_streams_in_chunks_in_order() {
    let dt = docker_test!("large_output_streams_in_chunks_in_order");
    let client = dt.client();
    let spec = sleeper(&dt, "big");
    client.ensure_running(&spec).await.unwrap();

    let script =
        "i=0; while [ $i -lt 60000 ]; do echo \"line $i\"; i=$((i+1)); done; echo done >&2";
    let mut chunks = 0usize;
    let mut splitter = LineSplitter::new();
    let mut lines = 0usize;
    let mut in_order = true;
    let mut stderr = Vec::new();
    let code = client
        .exec(
            &spec.name,
            &ExecSpec::new(["sh", "-c", script]),
            &mut |stream, chunk| match stream {
                OutputStream::Stdout => {
                    chunks += 1;
                    splitter.push(chunk, &mut |line| {
                        in_order &= line == format!("line {lines}");
                        lines += 1;
                    });
                }
                OutputStream::Stderr => stderr.extend_from_slice(chunk),
            },
        )
        .await
        .unwrap();
    splitter.finish(&mut |_| lines += 1);
    assert_eq!(code, 0);
    assert_eq!(lines, 60000);
    assert!(in_order, "lines arrived out of order");
    assert!(chunks > 1, "the output came in one piece, not streamed");
    assert_eq!(stderr, b"done\n");
    dt.finish().await;
}

#[tokio::test]
async fn user_environment_and_working_directory_apply() {
    let dt = docker_test!("user_environment_and_working_directory_apply");
    let client = dt.client();
    let spec = sleeper(&dt, "user");
    client.ensure_running(&spec).await.unwrap();

    let exec = ExecSpec::new(["sh", "-c", "echo \"$(id -u):$(id -g) $GREETING $(pwd)\""])
        .user("postgres")
        .env("GREETING", "hello world")
        .workdir("/tmp");
    let out = client.exec_capture(&spec.name, &exec).await.unwrap();
    assert_eq!(
        (out.exit_code, out.stdout.as_str()),
        (0, "999:999 hello world /tmp\n")
    );
    dt.finish().await;
}

#[tokio::test]
async fn a_program_that_cannot_start_is_an_error_with_the_engines_reason() {
    let dt = docker_test!("a_program_that_cannot_start_is_an_error_with_the_engines_reason");
    let client = dt.client();
    let spec = sleeper(&dt, "noprog");
    client.ensure_running(&spec).await.unwrap();
    let mut output = Vec::new();
    let err = client
        .exec(
            &spec.name,
            &ExecSpec::new(["no-such-program", "--version"]),
            &mut |_, chunk| {
                output.extend_from_slice(chunk);
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, DockerError::ExecFailed { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "run no-such-program --version in container {}: unable to start container process: exec: \"no-such-program\": executable file not found in $PATH",
            spec.name
        )
    );
    assert!(
        output.is_empty(),
        "the engine's message was passed on as output"
    );

    // A program that starts and exits 127 is an exit code, with its output.
    let out = client
        .exec_capture(
            &spec.name,
            &ExecSpec::new([
                "sh",
                "-c",
                "echo OCI runtime exec failed: exec failed: x: unknown; exit 127",
            ]),
        )
        .await
        .unwrap();
    assert_eq!(
        (out.exit_code, out.stdout.as_str()),
        (127, "OCI runtime exec failed: exec failed: x: unknown\n")
    );
    dt.finish().await;
}

#[tokio::test]
async fn exec_needs_a_running_container() {
    let dt = docker_test!("exec_needs_a_running_container");
    let client = dt.client();
    let spec = sleeper(&dt, "stopped");
    client.create_container(&spec).await.unwrap();
    let err = client
        .exec_capture(&spec.name, &ExecSpec::new(["sh"]))
        .await
        .unwrap_err();
    assert!(matches!(err, DockerError::NotRunning { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("container {} is not running (created)", spec.name)
    );

    client.ensure_running(&spec).await.unwrap();
    client
        .stop_container(&spec.name, Duration::from_secs(0))
        .await
        .unwrap();
    let err = client
        .exec_capture(&spec.name, &ExecSpec::new(["sh"]))
        .await
        .unwrap_err();
    // The code is the one the container's process died with: 137 when the stop's SIGKILL
    // wins, the entrypoint's own code when it handled the SIGTERM sent just before (a race
    // under load). What matters is that the state and its code are named.
    let message = err.to_string();
    let prefix = format!("container {} is not running (exited with code ", spec.name);
    let code = message
        .strip_prefix(&prefix)
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("unexpected message: {message}"));
    assert!(code.parse::<i64>().is_ok(), "{message}");

    let missing = dt.name("missing");
    let err = client
        .exec_capture(&missing, &ExecSpec::new(["sh"]))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("container {missing} does not exist")
    );

    let err = client
        .exec_capture(&spec.name, &ExecSpec::default())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid command '': expected at least a program name"
    );
    dt.finish().await;
}

/// Whether a process whose arguments include `number` runs in the container.
async fn running(client: &runbook_docker::DockerClient, container: &str, number: &str) -> bool {
    // Arguments are NUL-separated in cmdline (hence -a); the bracket keeps grep from finding
    // its own command line.
    let pattern = format!("[{}]{}", &number[..1], &number[1..]);
    let check = format!("cat /proc/[0-9]*/cmdline 2>/dev/null | grep -aq '{pattern}'");
    client
        .exec_capture(container, &ExecSpec::new(["sh", "-c", &check]))
        .await
        .unwrap()
        .exit_code
        == 0
}

#[tokio::test]
async fn a_cancelled_command_is_stopped_inside_the_container() {
    let dt = docker_test!("a_cancelled_command_is_stopped_inside_the_container");
    let client = dt.client();
    let spec = sleeper(&dt, "cancel");
    client.ensure_running(&spec).await.unwrap();

    // Finishing first: the exit code, and no pid file left.
    let mut output = Vec::new();
    let end = client
        .exec_cancellable(
            &spec.name,
            &ExecSpec::new(["sh", "-c", "echo hi; exit 4"]),
            &mut |_, chunk| output.extend_from_slice(chunk),
            std::future::pending(),
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    assert_eq!(end, ExecEnd::Exited(4));
    assert_eq!(output, b"hi\n");

    // Cancelled: SIGTERM ends it.
    let started = std::time::Instant::now();
    let end = client
        .exec_cancellable(
            &spec.name,
            &ExecSpec::new(["sleep", "301"]),
            &mut |_, _| {},
            tokio::time::sleep(Duration::from_millis(500)),
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    assert_eq!(
        end,
        ExecEnd::Cancelled {
            exit_code: Some(143)
        }
    );
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    assert!(
        !running(client, &spec.name, "301").await,
        "the command still runs"
    );
    // The check sees a process that does run.
    client
        .exec_capture(
            &spec.name,
            &ExecSpec::new(["sh", "-c", "sleep 309 >/dev/null 2>&1 &"]),
        )
        .await
        .unwrap();
    assert!(running(client, &spec.name, "309").await);

    // Ignoring SIGTERM: SIGKILL after the grace period.
    let end = client
        .exec_cancellable(
            &spec.name,
            &ExecSpec::new(["sh", "-c", "trap '' TERM; sleep 302; sleep 302"]),
            &mut |_, _| {},
            tokio::time::sleep(Duration::from_millis(500)),
            Duration::from_secs(1),
        )
        .await
        .unwrap();
    assert_eq!(
        end,
        ExecEnd::Cancelled {
            exit_code: Some(137)
        }
    );
    // Its child went too: the signal went to the whole process group.
    assert!(
        !running(client, &spec.name, "302").await,
        "a child of the command still runs"
    );
    assert!(
        client
            .require_container(&spec.name)
            .await
            .unwrap()
            .state
            .is_running()
    );

    let leftovers = client
        .exec_capture(
            &spec.name,
            &ExecSpec::new(["sh", "-c", "ls /tmp/.runbook-exec-* 2>/dev/null | wc -l"]),
        )
        .await
        .unwrap();
    assert_eq!(leftovers.stdout.trim(), "0", "pid files were left in /tmp");
    dt.finish().await;
}
