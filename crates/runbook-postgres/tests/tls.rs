//! TLS per sslmode against a real server with a certificate made at test time, and password
//! authentication through a pg_hba.conf that asks for one.

use std::path::Path;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use runbook_postgres::ephemeral::{EphemeralCluster, EphemeralOptions};
use runbook_postgres::{ConnectError, ConnectionSpec, EmptyEnv, Session};

/// A CA, and a server certificate it signed for "localhost" only.
struct Certificates {
    ca_pem: String,
    server_pem: String,
    server_key_pem: String,
}

fn certificates() -> Certificates {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "runbook test CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let mut server_params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    server_params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let server = server_params.signed_by(&server_key, &ca).unwrap();
    Certificates {
        ca_pem: ca.pem(),
        server_pem: server.pem(),
        server_key_pem: server_key.serialize_pem(),
    }
}

/// A cluster that only accepts TLS over TCP, and a password for `app` over TLS.
fn tls_cluster(certs: &Certificates) -> EphemeralCluster {
    let hba = "local all all trust\n\
               hostssl all app 127.0.0.1/32 scram-sha-256\n\
               hostssl all all 127.0.0.1/32 trust\n";
    EphemeralCluster::start(EphemeralOptions {
        settings: vec![
            ("ssl".into(), "on".into()),
            ("ssl_cert_file".into(), "'server.crt'".into()),
            ("ssl_key_file".into(), "'server.key'".into()),
        ],
        hba: Some(hba.to_owned()),
        files: vec![
            ("server.crt".into(), certs.server_pem.clone().into_bytes()),
            (
                "server.key".into(),
                certs.server_key_pem.clone().into_bytes(),
            ),
        ],
        ..EphemeralOptions::default()
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

fn spec(host: &str, port: u16, extra: &str) -> ConnectionSpec {
    ConnectionSpec::parse(
        &format!("postgres://postgres@{host}:{port}/postgres?{extra}"),
        &EmptyEnv,
    )
    .unwrap()
}

async fn ssl_in_use(session: &Session) -> String {
    let rows = session
        .simple_query("SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .await
        .unwrap();
    rows.single_value().flatten().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn sslmodes_behave_like_libpq() {
    let certs = certificates();
    let cluster = tls_cluster(&certs);
    let port = cluster.port();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root.crt");
    std::fs::write(&root, &certs.ca_pem).unwrap();
    let wrong_root = dir.path().join("other.crt");
    std::fs::write(&wrong_root, certificates().ca_pem).unwrap();
    let root = root.display().to_string();

    // require: encrypted, certificate not checked.
    let session = Session::connect(&spec("127.0.0.1", port, "sslmode=require"))
        .await
        .unwrap();
    assert_eq!(ssl_in_use(&session).await, "true");
    // prefer (the default) also encrypts when the server offers TLS.
    let session = Session::connect(&spec("127.0.0.1", port, ""))
        .await
        .unwrap();
    assert_eq!(ssl_in_use(&session).await, "true");

    // verify-full with the right root and the name on the certificate.
    let ok = spec(
        "localhost",
        port,
        &format!("sslmode=verify-full&sslrootcert={root}"),
    );
    let session = Session::connect(&ok).await.unwrap();
    assert_eq!(ssl_in_use(&session).await, "true");

    // verify-full with a host name the certificate does not name.
    let wrong_name = spec(
        "127.0.0.1",
        port,
        &format!("sslmode=verify-full&sslrootcert={root}"),
    );
    let err = Session::connect(&wrong_name).await.unwrap_err().to_string();
    assert!(
        err.starts_with(&format!(
            "cannot connect to postgres://postgres@127.0.0.1:{port}/postgres?sslmode=verify-full&sslrootcert={root}: "
        )),
        "{err}"
    );
    assert!(err.contains("TLS handshake failed: invalid peer certificate: certificate not valid for name \"127.0.0.1\""), "{err}");

    // verify-ca checks the chain only, so the same connection passes...
    let session = Session::connect(&spec(
        "127.0.0.1",
        port,
        &format!("sslmode=verify-ca&sslrootcert={root}"),
    ))
    .await
    .unwrap();
    assert_eq!(ssl_in_use(&session).await, "true");
    // ...but not with a root that did not sign the certificate.
    let other = wrong_root.display();
    let err = Session::connect(&spec(
        "localhost",
        port,
        &format!("sslmode=verify-ca&sslrootcert={other}"),
    ))
    .await
    .unwrap_err()
    .to_string();
    assert!(
        err.ends_with(
            "TLS handshake failed: invalid peer certificate: BadSignature \
             (the server's certificate was not issued by a trusted root: check sslrootcert)"
        ),
        "{err}"
    );

    // disable against a hostssl-only server: the server's refusal, clearly.
    let err = Session::connect(&spec("127.0.0.1", port, "sslmode=disable"))
        .await
        .unwrap_err();
    let ConnectError::Failed {
        reason, sqlstate, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(sqlstate.as_deref(), Some("28000"));
    assert_eq!(
        reason,
        "no pg_hba.conf entry for host \"127.0.0.1\", user \"postgres\", database \"postgres\", no encryption (SQLSTATE 28000)"
    );

    // A Unix socket ignores sslmode, as libpq does.
    let socket = format!(
        "host={} port={port} user=postgres dbname=postgres sslmode=require",
        cluster.socket_dir().display()
    );
    let session = Session::connect(&ConnectionSpec::parse(&socket, &EmptyEnv).unwrap())
        .await
        .unwrap();
    assert_eq!(ssl_in_use(&session).await, "false");

    // A cancel request travels over TLS like its session.
    let session = Session::connect(&spec("127.0.0.1", port, "sslmode=require"))
        .await
        .unwrap();
    let handle = session.cancel_handle();
    let canceller = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        handle.cancel().await.unwrap();
    });
    let err = session.execute("SELECT pg_sleep(30)").await.unwrap_err();
    canceller.await.unwrap();
    assert_eq!(err.sqlstate(), Some("57014"));
}

#[tokio::test]
async fn wrong_password_is_reported_without_the_password() {
    let certs = certificates();
    let cluster = tls_cluster(&certs);
    let admin = Session::connect(&cluster.spec()).await;
    // The cluster's own spec uses TCP without TLS, which this hba refuses: go through the socket.
    assert!(admin.is_err());
    let socket = format!(
        "host={} port={} user=postgres dbname=postgres",
        cluster.socket_dir().display(),
        cluster.port()
    );
    let admin = Session::connect(&ConnectionSpec::parse(&socket, &EmptyEnv).unwrap())
        .await
        .unwrap();
    admin
        .execute("CREATE ROLE app LOGIN PASSWORD 'right-password'")
        .await
        .unwrap();

    let port = cluster.port();
    let mut app = ConnectionSpec::parse(
        &format!("postgres://app:wrong-password@127.0.0.1:{port}/postgres?sslmode=require"),
        &EmptyEnv,
    )
    .unwrap();
    let err = Session::connect(&app).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "cannot connect to postgres://app:****@127.0.0.1:{port}/postgres?sslmode=require: \
             password authentication failed for user \"app\" (SQLSTATE 28P01)"
        )
    );
    assert!(!format!("{err:?}").contains("wrong-password"));
    // A password given separately (a runbook's password_env) wins over the URL's.
    app.set_password("right-password");
    let session = Session::connect(&app).await.unwrap();
    assert_eq!(ssl_in_use(&session).await, "true");
    let _ = Path::new("");
}
