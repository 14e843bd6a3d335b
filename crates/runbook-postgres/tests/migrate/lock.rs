//! The history lock excludes Flyway (both its lock styles), Prisma and another Runbook.

use std::time::{Duration, Instant};

use runbook_migrate::{Config, Format};
use runbook_postgres::MigrateDbError;
use runbook_postgres::migrate::{LockOptions, lock};
use runbook_testkit::postgres::create_database;

use super::value;

fn quick(retries: Option<u32>) -> LockOptions {
    LockOptions {
        retries,
        interval: Duration::from_millis(20),
    }
}

#[tokio::test]
async fn flyway_s_key_is_held_against_both_of_flyway_s_lock_styles() {
    let db = create_database("migrate_lock_flyway");
    let session = db.connect().await;
    let mut config = Config::new(Format::Flyway);
    config.schema = Some("opendolphin".to_owned());
    let held = lock(
        &session,
        &config,
        &LockOptions::default(),
        &session.cancel_handle(),
    )
    .await
    .unwrap();
    // The key Flyway computes for "opendolphin"."flyway_schema_history" (research notes F2,
    // checked with Java's String.hashCode).
    assert_eq!(held.key(), 77432888690150);
    assert_eq!(held.attempts(), 1);

    let flyway = db.connect().await;
    // Flyway before 9.1.2 (and transactional.lock=false): a session lock.
    assert_eq!(
        value(&flyway, "SELECT pg_try_advisory_lock(77432888690150)").await,
        Some("f".to_owned())
    );
    // Flyway 9.1.2 and later: a transaction lock per migration.
    flyway.execute("BEGIN").await.unwrap();
    assert_eq!(
        value(&flyway, "SELECT pg_try_advisory_xact_lock(77432888690150)").await,
        Some("f".to_owned())
    );
    flyway.execute("ROLLBACK").await.unwrap();
    // The session running migrations is not the one holding the lock: a DISCARD ALL in a
    // migration does not release it.
    session.execute("DISCARD ALL").await.unwrap();
    assert_eq!(
        value(&flyway, "SELECT pg_try_advisory_lock(77432888690150)").await,
        Some("f".to_owned())
    );

    held.check().unwrap();
    held.release().await.unwrap();
    assert_eq!(
        value(&flyway, "SELECT pg_try_advisory_lock(77432888690150)").await,
        Some("t".to_owned())
    );
}

#[tokio::test]
async fn a_second_migrator_times_out_naming_the_holder() {
    let db = create_database("migrate_lock_timeout");
    let session = db.connect().await;
    let config = Config::new(Format::Prisma);
    let held = lock(&session, &config, &quick(Some(0)), &session.cancel_handle())
        .await
        .unwrap();
    assert_eq!(held.key(), 72707369);
    let other = db.connect().await;
    // Prisma's own `pg_advisory_lock(72707369)` would wait: the try form says so at once.
    assert_eq!(
        value(&other, "SELECT pg_try_advisory_lock(72707369)").await,
        Some("f".to_owned())
    );
    let error = lock(&other, &config, &quick(Some(2)), &other.cancel_handle())
        .await
        .unwrap_err();
    let MigrateDbError::LockTimeout { attempts, .. } = &error else {
        panic!("{error}")
    };
    assert_eq!(*attempts, 3);
    let text = error.to_string();
    assert!(text.contains("advisory lock 72707369"), "{text}");
    assert!(text.contains("held by pid"), "{text}");
    assert!(text.contains("migrate lock"), "{text}");
    drop(held);
    // Dropping the lock closes its session, which releases it.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match lock(&other, &config, &quick(Some(0)), &other.cancel_handle()).await {
            Ok(again) => {
                again.release().await.unwrap();
                break;
            }
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("{e}"),
        }
    }
}

#[tokio::test]
async fn a_cancel_stops_the_wait() {
    let db = create_database("migrate_lock_cancel");
    let session = db.connect().await;
    let config = Config::new(Format::Plain);
    let _held = lock(&session, &config, &quick(None), &session.cancel_handle())
        .await
        .unwrap();
    let other = db.connect().await;
    let cancel = other.cancel_handle();
    let waiting = {
        let cancel = cancel.clone();
        async move { lock(&other, &config, &quick(None), &cancel).await }
    };
    let canceller = async {
        tokio::time::sleep(Duration::from_millis(150)).await;
        cancel.cancel().await.unwrap();
    };
    let started = Instant::now();
    let (result, ()) = tokio::join!(waiting, canceller);
    let error = result.unwrap_err();
    assert!(error.is_cancelled(), "{error}");
    assert!(started.elapsed() < Duration::from_secs(5));
}
