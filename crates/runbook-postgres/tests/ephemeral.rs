//! Ephemeral clusters: start, use, stop, clean up, as root through the postgres account.

use std::os::unix::fs::MetadataExt;
use std::time::Duration;

use runbook_postgres::Session;
use runbook_postgres::ephemeral::{EphemeralCluster, EphemeralOptions, ServerAccount};

#[tokio::test]
async fn start_use_and_stop() {
    let mut cluster =
        EphemeralCluster::start(EphemeralOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let root = cluster.root_dir().to_path_buf();
    assert_eq!(
        cluster.url(),
        format!(
            "postgres://postgres@127.0.0.1:{}/postgres?sslmode=disable",
            cluster.port()
        )
    );
    if let Some(account) = ServerAccount::for_current_process().unwrap() {
        // Running as root: the server's files belong to the postgres account.
        assert_eq!(
            std::fs::metadata(cluster.data_dir()).unwrap().uid(),
            account.uid
        );
    }
    let session = Session::connect(&cluster.spec()).await.unwrap();
    let rows = session
        .simple_query("SELECT current_setting('server_encoding'), current_user")
        .await
        .unwrap();
    assert_eq!(
        rows.rows[0],
        [Some("UTF8".to_owned()), Some("postgres".to_owned())]
    );
    drop(session);
    cluster.stop().unwrap();
    assert!(
        Session::connect(&cluster.spec()).await.is_err(),
        "the server still answers"
    );
    drop(cluster);
    assert!(!root.exists(), "{} was not removed", root.display());
}

#[test]
fn drop_stops_the_server_and_keep_leaves_it_running() {
    let cluster = EphemeralCluster::start(EphemeralOptions::default()).unwrap();
    let port = cluster.port();
    drop(cluster);
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "still listening on {port}"
    );

    let kept = EphemeralCluster::start(EphemeralOptions {
        keep: true,
        ..EphemeralOptions::default()
    })
    .unwrap();
    let dir = kept.root_dir().to_path_buf();
    let port = kept.port();
    drop(kept);
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok(),
        "kept cluster stopped"
    );
    // Attach to it again and stop it for real.
    let options = EphemeralOptions {
        dir: Some(dir.clone()),
        ..EphemeralOptions::default()
    };
    let mut again = EphemeralCluster::attach(&options)
        .unwrap()
        .expect("running");
    assert_eq!(again.port(), port);
    again.stop().unwrap();
    drop(again);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_failing_initdb_shows_its_output() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the data directory should be makes initdb fail.
    std::fs::create_dir_all(dir.path().join("socket")).unwrap();
    std::fs::write(dir.path().join("data"), "not a directory").unwrap();
    let err = EphemeralCluster::start(EphemeralOptions {
        dir: Some(dir.path().to_path_buf()),
        ..EphemeralOptions::default()
    })
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("initdb failed (exit status: 1):\n"),
        "{err}"
    );
    assert!(err.contains("data"), "{err}");
}

#[test]
fn a_start_that_times_out_leaves_no_server_running() {
    let dir = tempfile::tempdir().unwrap();
    // Archive recovery whose restore_command takes its time: the server is still starting
    // (as after a crash with a lot of WAL) when `pg_ctl -w` gives up, and it goes on.
    let err = EphemeralCluster::start(EphemeralOptions {
        dir: Some(dir.path().to_path_buf()),
        files: vec![("recovery.signal".to_owned(), Vec::new())],
        settings: vec![("restore_command".to_owned(), "'sleep 20; false'".to_owned())],
        start_timeout: Duration::from_secs(1),
        ..EphemeralOptions::default()
    })
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("pg_ctl start failed"), "{err}");
    let pid_file = dir.path().join("data").join("postmaster.pid");
    assert!(
        !pid_file.exists(),
        "a server still runs on {}: {}",
        dir.path().display(),
        std::fs::read_to_string(&pid_file).unwrap_or_default()
    );
}

#[tokio::test]
async fn a_password_keeps_other_local_users_out_over_tcp() {
    // A restore into an ephemeral cluster holds real (patient) data: with a password, only the
    // run that made the cluster can connect over TCP; the password is never shown.
    let password = "eph-3f9c2a71";
    let cluster = EphemeralCluster::start(EphemeralOptions {
        password: Some(password.to_owned()),
        ..EphemeralOptions::default()
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let with_password = Session::connect(&cluster.spec()).await.unwrap();
    let rows = with_password
        .simple_query("SELECT current_user")
        .await
        .unwrap();
    assert_eq!(rows.rows[0], [Some("postgres".to_owned())]);

    let mut without = cluster.spec();
    without.set_password("");
    let refused = Session::connect(&without).await.unwrap_err().to_string();
    assert!(refused.contains("password"), "{refused}");

    for shown in [format!("{cluster:?}"), cluster.url(), refused] {
        assert!(!shown.contains(password), "{shown}");
    }
    assert!(
        !cluster.root_dir().join("initdb.pw").exists(),
        "the password file is removed after initdb"
    );
}
