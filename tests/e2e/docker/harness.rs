//! What the Docker tests share: a scratch directory, the test image, names and a label unique
//! to the test, a password for the database containers, and cleanup.
//!
//! Runbooks written by a test label what they create with the test's `io.runbook.test` value
//! (their `labels:`); the shipped OpenDolphin runbook cannot, so its container and volume get
//! names unique to the test and are registered here. [`Scene::finish`] removes both kinds and
//! fails the test if anything labelled is still there; when a test panics first, the same
//! cleanup runs on drop.

use std::path::{Path, PathBuf};

use std::collections::BTreeMap;
use std::process::Command;

use runbook_testkit::docker::{DockerTest, TEST_LABEL, ensure_postgres_image};

use crate::support::{Invocation, Scratch, workspace_root};

pub struct Scene {
    pub scratch: Scratch,
    docker: Option<DockerTest>,
    runtime: tokio::runtime::Runtime,
    pub image: String,
    password: String,
    containers: Vec<String>,
    volumes: Vec<String>,
}

impl Scene {
    /// `None` (after saying so) on a machine without a Docker Engine.
    pub fn start(test: &str) -> Option<Scene> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        let docker = runtime.block_on(DockerTest::start(test))?;
        let image = ensure_postgres_image();
        let password = format!("pw-{}-not-in-evidence", docker.label_value());
        Some(Scene {
            scratch: Scratch::new(),
            docker: Some(docker),
            runtime,
            image,
            password,
            containers: Vec::new(),
            volumes: Vec::new(),
        })
    }

    fn docker(&self) -> &DockerTest {
        self.docker.as_ref().expect("present until finish")
    }

    /// The value of `io.runbook.test` for what this test creates.
    pub fn label(&self) -> &str {
        self.docker().label_value()
    }

    /// `labels: { io.runbook.test: ... }` for a `container_start` step.
    pub fn labels_yaml(&self) -> String {
        format!("{{ {TEST_LABEL}: \"{}\" }}", self.label())
    }

    /// A container or volume name unique to this test.
    pub fn name(&self, suffix: &str) -> String {
        self.docker().name(suffix)
    }

    /// The database password the runbooks take from `POSTGRES_PASSWORD`.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// Removes the container `name` at the end even though it carries no test label.
    pub fn clean_up_container(&mut self, name: &str) {
        self.containers.push(name.to_owned());
    }

    /// Removes the volume `name` at the end even though it carries no test label.
    pub fn clean_up_volume(&mut self, name: &str) {
        self.volumes.push(name.to_owned());
    }

    /// `runbook ARGS...` in the scratch directory (evidence under `ev/`), with the test image as
    /// `POSTGRES_IMAGE` and the test password as `POSTGRES_PASSWORD`.
    pub fn runbook(&self, args: &[&str]) -> Invocation {
        self.runbook_with_env(args, &[])
    }

    pub fn runbook_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Invocation {
        let mut all = vec![
            ("POSTGRES_IMAGE", self.image.as_str()),
            ("POSTGRES_PASSWORD", self.password.as_str()),
        ];
        all.extend_from_slice(env);
        let invocation = self.scratch.runbook_with_env(args, &all);
        crate::support::assert_no_panic(&invocation);
        invocation
    }

    /// Writes a runbook into the scratch directory.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        self.scratch.write(name, text)
    }

    /// A Secrets folder laid out as seed 004 expects, holding `dump` as the legacy baseline DDL
    /// with mode 0600.
    pub fn secrets_with(&self, dump: &Path) -> PathBuf {
        let secrets = self.scratch.path().join("Secrets");
        let file = secrets.join("legacy-server/db-baseline/opendolphin-legacy-schema.sql");
        std::fs::create_dir_all(file.parent().expect("parent")).expect("create the Secrets folder");
        std::fs::copy(dump, &file).unwrap_or_else(|e| panic!("copy {}: {e}", dump.display()));
        set_mode(&file, 0o600);
        secrets
    }

    /// The state of container `name` (`running`, `exited with code 0`, ...) and its labels,
    /// or `None` when there is no such container.
    pub fn container(&self, name: &str) -> Option<(String, BTreeMap<String, String>)> {
        self.runtime
            .block_on(self.docker().client().inspect_container(name))
            .unwrap_or_else(|e| panic!("inspect container {name}: {e}"))
            .map(|info| (info.state.to_string(), info.labels))
    }

    pub fn volume_exists(&self, name: &str) -> bool {
        self.runtime
            .block_on(self.docker().client().volume_exists(name))
            .unwrap_or_else(|e| panic!("inspect volume {name}: {e}"))
    }

    /// Containers and volumes a runbook labelled `io.runbook.runbook=<runbook>` whose names
    /// contain this test's label value: what a run of the shipped runbook left behind.
    pub fn left_by_runbook(&self, runbook: &str) -> Vec<String> {
        let client = self.docker().client();
        let containers = self
            .runtime
            .block_on(client.list_containers_by_label("io.runbook.runbook", runbook))
            .expect("list containers");
        let volumes = self
            .runtime
            .block_on(client.list_volumes_by_label("io.runbook.runbook", runbook))
            .expect("list volumes");
        containers
            .into_iter()
            .map(|c| format!("container {}", c.name))
            .chain(volumes.into_iter().map(|v| format!("volume {v}")))
            .filter(|what| what.contains(self.label()))
            .collect()
    }

    /// Removes everything the test created and fails if anything labelled is left.
    pub fn finish(mut self) {
        self.remove_named();
        let docker = self.docker.take().expect("finish runs once");
        self.runtime.block_on(docker.finish());
    }

    /// The shipped runbook removes its container and volume itself; this is for a test that
    /// failed before it could. The `docker` command does it, as an operator would.
    fn remove_named(&mut self) {
        for name in std::mem::take(&mut self.containers) {
            let _ = Command::new("docker")
                .args(["rm", "--force", "--volumes", &name])
                .output();
        }
        for name in std::mem::take(&mut self.volumes) {
            let _ = Command::new("docker")
                .args(["volume", "rm", &name])
                .output();
        }
    }
}

impl Drop for Scene {
    fn drop(&mut self) {
        self.remove_named();
    }
}

/// The shipped OpenDolphin runbook.
pub fn opendolphin_runbook() -> String {
    workspace_root()
        .join("runbooks/opendolphin-legacy.yaml")
        .display()
        .to_string()
}

/// The repository's sample clinic dump.
pub fn clinic_sample() -> PathBuf {
    workspace_root().join("runbooks/data/clinic-sample.sql")
}

pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// The `[stdout]` lines of a `container_exec` step's log, as the command printed them.
pub fn exec_stdout(log: &str) -> String {
    log.split('\n')
        .filter_map(|line| {
            line.strip_prefix("[stdout] ")
                .or_else(|| (line == "[stdout]").then_some(""))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `summary` of a step's `result.json`.
pub fn summary(result: &serde_json::Value) -> &str {
    result["summary"].as_str().unwrap_or_default()
}

/// The error message of a step's `result.json`.
pub fn error_message(result: &serde_json::Value) -> &str {
    result["error"]["message"].as_str().unwrap_or_default()
}
