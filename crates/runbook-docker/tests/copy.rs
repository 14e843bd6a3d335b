//! Copying files into containers: content, mode, owner, digest, errors.

use std::io::Write;

use runbook_docker::{DockerError, ExecSpec, Owner};
use sha2::{Digest, Sha256};

use crate::support::{docker_test, sleeper};

/// Bytes that are not text and do not repeat within a chunk, so a misplaced chunk shows.
fn content(len: usize) -> Vec<u8> {
    let mut state: u32 = 0x1234_5678;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 24) as u8
        })
        .collect()
}

#[tokio::test]
async fn copy_sets_mode_and_owner_and_reports_the_digest() {
    let dt = docker_test!("copy_sets_mode_and_owner_and_reports_the_digest");
    let client = dt.client();
    let spec = sleeper(&dt, "copy");
    client.ensure_running(&spec).await.unwrap();

    // Several channel chunks plus a tail that is not a multiple of the tar block.
    let data = content(3 * 1024 * 1024 + 777);
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(&data).unwrap();
    let expected = hex_digest(&data);

    let report = client
        .copy_file_into(
            &spec.name,
            file.path(),
            "/tmp/schema.sql",
            0o600,
            Owner::POSTGRES,
        )
        .await
        .unwrap();
    assert_eq!(report.destination, "/tmp/schema.sql");
    assert_eq!(report.bytes, data.len() as u64);
    assert_eq!(report.sha256, expected);

    let stat = client
        .exec_capture(
            &spec.name,
            &ExecSpec::new([
                "sh",
                "-c",
                "stat -c '%a %u:%g %s' /tmp/schema.sql && sha256sum /tmp/schema.sql",
            ]),
        )
        .await
        .unwrap();
    assert_eq!(
        stat.stdout,
        format!("600 999:999 {}\n{expected}  /tmp/schema.sql\n", data.len())
    );

    // The postgres user can read it; others cannot.
    let read = client
        .exec_capture(
            &spec.name,
            &ExecSpec::new(["head", "-c", "1", "/tmp/schema.sql"]).user("postgres"),
        )
        .await
        .unwrap();
    assert_eq!(read.exit_code, 0);
    let denied = client
        .exec_capture(
            &spec.name,
            &ExecSpec::new(["head", "-c", "1", "/tmp/schema.sql"]).user("nobody"),
        )
        .await
        .unwrap();
    assert_ne!(denied.exit_code, 0);

    client
        .remove_path_in(&spec.name, "/tmp/schema.sql")
        .await
        .unwrap();
    let gone = client
        .exec_capture(
            &spec.name,
            &ExecSpec::new(["sh", "-c", "test -e /tmp/schema.sql"]),
        )
        .await
        .unwrap();
    assert_eq!(gone.exit_code, 1, "the copy is still there");
    // Removing what is not there is fine.
    client
        .remove_path_in(&spec.name, "/tmp/schema.sql")
        .await
        .unwrap();
    dt.finish().await;
}

#[tokio::test]
async fn a_directory_destination_keeps_the_file_name_and_stopped_containers_accept_copies() {
    let dt = docker_test!(
        "a_directory_destination_keeps_the_file_name_and_stopped_containers_accept_copies"
    );
    let client = dt.client();
    let spec = sleeper(&dt, "dir");
    client.create_container(&spec).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("V0002__appointment.sql");
    std::fs::write(&path, b"SELECT 1;\r\n").unwrap();
    let report = client
        .copy_file_into(&spec.name, &path, "/tmp/", 0o644, Owner::ROOT)
        .await
        .unwrap();
    assert_eq!(report.destination, "/tmp/V0002__appointment.sql");
    assert_eq!(report.bytes, 11);

    client.ensure_running(&spec).await.unwrap();
    let out = client
        .exec_capture(
            &spec.name,
            &ExecSpec::new(["stat", "-c", "%a %u:%g %s", "/tmp/V0002__appointment.sql"]),
        )
        .await
        .unwrap();
    assert_eq!(out.stdout, "644 0:0 11\n");
    dt.finish().await;
}

#[tokio::test]
async fn copy_errors_name_what_is_missing() {
    let dt = docker_test!("copy_errors_name_what_is_missing");
    let client = dt.client();
    let spec = sleeper(&dt, "err");
    client.ensure_running(&spec).await.unwrap();
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(b"data").unwrap();

    let err = client
        .copy_file_into(
            &spec.name,
            file.path(),
            "/no/such/dir/x.sql",
            0o600,
            Owner::ROOT,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, DockerError::NoSuchPathInContainer { .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "directory /no/such/dir does not exist in container {}",
            spec.name
        )
    );

    let missing_local = std::path::Path::new("/nonexistent/dump.sql");
    let err = client
        .copy_file_into(&spec.name, missing_local, "/tmp/x.sql", 0o600, Owner::ROOT)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "read /nonexistent/dump.sql: No such file or directory (os error 2)"
    );

    let missing_container = dt.name("missing");
    let err = client
        .copy_file_into(
            &missing_container,
            file.path(),
            "/tmp/x.sql",
            0o600,
            Owner::ROOT,
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("container {missing_container} does not exist")
    );

    let err = client
        .copy_file_into(&spec.name, file.path(), "tmp/x.sql", 0o600, Owner::ROOT)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid destination in container 'tmp/x.sql': expected an absolute path"
    );

    let err = client
        .remove_path_in(&spec.name, "relative")
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid path in container 'relative': expected an absolute file path"
    );
    dt.finish().await;
}

fn hex_digest(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
