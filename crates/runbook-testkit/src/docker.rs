//! Docker helpers for tests: the local Postgres image, per-test labels and cleanup.
//!
//! Tests create real containers and volumes on the engine `DOCKER_HOST` names (or the local
//! socket). Everything a test creates carries [`TEST_LABEL`]`=<value unique to the test>`, and
//! the [`DockerTest`] guard removes what carries its value when the test ends, passing or not;
//! [`DockerTest::finish`] also asserts that nothing was left behind.
//!
//! The image comes from `scripts/build-postgres-image` (no registry is needed), built once per
//! machine under a file lock in `<workspace>/target/` so parallel test processes do not race;
//! `RUNBOOK_TEST_POSTGRES_IMAGE` names another image instead (the official `postgres:15` where
//! it can be pulled).

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use runbook_docker::{ContainerSpec, DockerClient, Endpoint, MountKind, RemoveOptions};

/// The label key every test container and volume carries.
pub const TEST_LABEL: &str = "io.runbook.test";

/// Set it to use that image instead of building `runbook/postgres:15`.
pub const IMAGE_VAR: &str = "RUNBOOK_TEST_POSTGRES_IMAGE";

/// The image `scripts/build-postgres-image` builds.
pub const DEFAULT_IMAGE: &str = "runbook/postgres:15";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The Postgres image for tests: `RUNBOOK_TEST_POSTGRES_IMAGE`, or `runbook/postgres:15`
/// built by the script on first use. Panics with the script's output when it cannot be built.
pub fn ensure_postgres_image() -> String {
    static IMAGE: OnceLock<String> = OnceLock::new();
    IMAGE
        .get_or_init(|| {
            if let Ok(image) = std::env::var(IMAGE_VAR)
                && !image.is_empty()
            {
                return image;
            }
            build_image().unwrap_or_else(|e| panic!("cannot build {DEFAULT_IMAGE}: {e}"));
            DEFAULT_IMAGE.to_owned()
        })
        .clone()
}

fn build_image() -> Result<(), String> {
    let target = workspace().join("target");
    fs::create_dir_all(&target).map_err(|e| format!("cannot create {}: {e}", target.display()))?;
    let lock_path = target.join("runbook-postgres-image.lock");
    let lock = File::create(&lock_path)
        .map_err(|e| format!("cannot create {}: {e}", lock_path.display()))?;
    lock.lock()
        .map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?;
    let script = workspace().join("scripts/build-postgres-image");
    let output = Command::new(&script)
        .arg(DEFAULT_IMAGE)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()));
    let _ = lock.unlock();
    let output = output?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{} failed ({}):\n{}{}",
            script.display(),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Whether a Docker Engine is expected here: `DOCKER_HOST` is set or the local socket exists.
/// When it is expected, tests must reach it (a broken engine fails them, loudly); when it is not,
/// they may skip. On CI (`CI` set) an engine is always expected.
pub fn docker_available() -> bool {
    if std::env::var_os("CI").is_some() {
        return true;
    }
    match Endpoint::from_env(&|k| std::env::var(k).ok()) {
        Ok(Endpoint::Unix(path)) => path.exists(),
        Ok(_) | Err(_) => true,
    }
}

/// One test's Docker session: a client, a label value unique to the test, and cleanup of
/// everything carrying it when dropped.
#[derive(Debug)]
pub struct DockerTest {
    client: DockerClient,
    value: String,
    finished: bool,
}

impl DockerTest {
    /// Connects for the test `name`; `None` (after saying so on stderr) when no engine is
    /// expected on this machine. Panics when an engine is expected but does not answer.
    pub async fn start(name: &str) -> Option<DockerTest> {
        if !docker_available() {
            skip(name);
            return None;
        }
        let client = DockerClient::connect().await.unwrap_or_else(|e| {
            panic!("Docker tests need a Docker Engine: failed to connect: {e}")
        });
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let value = format!(
            "{}-{}-{}",
            name.replace(|c: char| !c.is_ascii_alphanumeric(), "-"),
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        Some(DockerTest {
            client,
            value,
            finished: false,
        })
    }

    pub fn client(&self) -> &DockerClient {
        &self.client
    }

    /// This test's value of [`TEST_LABEL`].
    pub fn label_value(&self) -> &str {
        &self.value
    }

    /// `{TEST_LABEL: value}`, for containers and volumes created by hand.
    pub fn labels(&self) -> BTreeMap<String, String> {
        BTreeMap::from([(TEST_LABEL.to_owned(), self.value.clone())])
    }

    /// A container or volume name unique to this test: `rbt-<value>-<suffix>`.
    pub fn name(&self, suffix: &str) -> String {
        format!("rbt-{}-{suffix}", self.value)
    }

    /// A spec for a container of this test: unique name, labelled, and its named volumes
    /// labelled too.
    pub fn spec(&self, suffix: &str, image: &str) -> ContainerSpec {
        let mut spec = ContainerSpec::new(self.name(suffix), image);
        spec.labels = self.labels();
        spec.volume_labels = self.labels();
        spec
    }

    /// Removes this test's containers (with their anonymous volumes) and volumes, then panics
    /// if anything carrying the label is still there.
    pub async fn finish(mut self) {
        self.finished = true;
        let leftovers = cleanup(&self.client, &self.value).await;
        assert!(
            leftovers.is_empty(),
            "left behind by the test: {leftovers:?}"
        );
    }
}

impl Drop for DockerTest {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        // Drop cannot await and may run inside a runtime: clean up from a thread of its own.
        let value = self.value.clone();
        let joined = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let client = DockerClient::connect().await.map_err(|e| e.to_string())?;
                Ok::<_, String>(cleanup(&client, &value).await)
            })
        })
        .join();
        if let Ok(Ok(leftovers)) = joined
            && !leftovers.is_empty()
            && !std::thread::panicking()
        {
            panic!("left behind by the test: {leftovers:?}");
        }
    }
}

/// Removes what carries `TEST_LABEL=value` (containers with their anonymous volumes, then
/// labelled volumes); returns what is still there afterwards, anonymous volumes included,
/// which carry no label and would otherwise leak unnoticed.
async fn cleanup(client: &DockerClient, value: &str) -> Vec<String> {
    let remove = RemoveOptions {
        force: true,
        volumes: true,
    };
    let mut anonymous = Vec::new();
    if let Ok(containers) = client.list_containers_by_label(TEST_LABEL, value).await {
        for c in containers {
            if let Ok(Some(info)) = client.inspect_container(&c.id).await {
                anonymous.extend(
                    info.mounts
                        .into_iter()
                        .filter(|m| m.kind == MountKind::Volume)
                        .filter_map(|m| m.name)
                        .filter(|n| n.len() == 64 && n.bytes().all(|b| b.is_ascii_hexdigit())),
                );
            }
            let _ = client.remove_container(&c.id, remove).await;
        }
    }
    if let Ok(volumes) = client.list_volumes_by_label(TEST_LABEL, value).await {
        for v in volumes {
            let _ = client.remove_volume(&v).await;
        }
    }
    let mut left = Vec::new();
    match client.list_containers_by_label(TEST_LABEL, value).await {
        Ok(containers) => left.extend(
            containers
                .into_iter()
                .map(|c| format!("container {}", c.name)),
        ),
        Err(e) => left.push(format!("cannot list containers: {e}")),
    }
    match client.list_volumes_by_label(TEST_LABEL, value).await {
        Ok(volumes) => left.extend(volumes.into_iter().map(|v| format!("volume {v}"))),
        Err(e) => left.push(format!("cannot list volumes: {e}")),
    }
    for volume in anonymous {
        if client.volume_exists(&volume).await.unwrap_or(true) {
            left.push(format!("anonymous volume {volume}"));
        }
    }
    left
}

#[expect(
    clippy::print_stderr,
    reason = "a skipped test must say so where the test output goes"
)]
fn skip(name: &str) {
    eprintln!(
        "skipped {name}: no Docker Engine here (no DOCKER_HOST and no {}); set CI=1 to make this a failure",
        runbook_docker::DEFAULT_SOCKET
    );
}
