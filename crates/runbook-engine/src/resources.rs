//! The live systems a run talks to, opened on first use and closed at the end.
//!
//! Targets are resolved lazily because a runbook usually starts its own database: the
//! container does not exist when the run begins, and the ephemeral cluster is only worth
//! creating if a step needs it. The run lock is not lazy: before each step of a run,
//! `lock_targets` takes the lock (see `lock.rs`) on every Postgres target it does not hold yet,
//! so a refused run has run nothing, and a target that only becomes reachable through a step
//! (its container started) is locked before the next step. A session on a target that is still
//! unlocked takes the lock first, and a lock whose session ended (the container restarted) is
//! taken again. In check mode the lock is only looked at, and every session is handed out
//! inside a fresh `BEGIN READ ONLY` transaction whose first query has run, and rolled back
//! after the step.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use runbook_docker::{DockerClient, DockerError};
use runbook_evidence::{Mode, ServerIdentity};
use runbook_postgres::ephemeral::{EphemeralCluster, EphemeralOptions};
use runbook_postgres::{CancelHandle, ConnectionSpec, Session};
use runbook_spec::{Connection, Runbook, Target};

use crate::errors::StepError;
use crate::lock::{self, Attempt, Holder, LockError, Role, RunLock};
use crate::options::RunEnv;
use crate::output::StepOutput;
use crate::target_identity;

/// Cancel handles of every open session, reachable from the Ctrl-C and timeout paths while the
/// step that uses the sessions is borrowed elsewhere.
#[derive(Clone, Default)]
pub(crate) struct CancelRegistry {
    handles: Arc<Mutex<Vec<CancelHandle>>>,
}

impl CancelRegistry {
    fn register(&self, handle: CancelHandle) {
        self.handles
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(handle);
    }

    /// Asks the servers to cancel whatever each session is running, all at once. A cancel
    /// request is a connection of its own, and a wedged or unreachable server (often why the
    /// operator pressed Ctrl-C) may never answer it: the requests are not awaited beyond the
    /// caller's bound, so the run still ends and seals its evidence.
    pub(crate) async fn cancel_all(&self) {
        let handles = self
            .handles
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let mut requests = tokio::task::JoinSet::new();
        for handle in handles {
            requests.spawn(async move {
                let _ = handle.cancel().await;
            });
        }
        while requests.join_next().await.is_some() {}
    }

    /// Clears the cancelled flag after a step, so the next step's work is not refused.
    pub(crate) fn reset(&self) {
        for handle in self
            .handles
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
        {
            handle.reset();
        }
    }
}

/// How long `lock_targets` waits for one target before it counts as not reachable yet.
const LOCK_ATTEMPT_LIMIT: Duration = Duration::from_secs(5);

#[derive(Default)]
struct PgTarget {
    spec: Option<ConnectionSpec>,
    ephemeral: Option<EphemeralCluster>,
    session: Option<Session>,
    /// Shared by the targets of this run that reach the same database.
    lock: Option<Arc<RunLock>>,
    in_read_only_txn: bool,
    /// The step log already says that this target could not be locked yet.
    deferral_noted: bool,
}

/// Why a target's lock was not taken: not reachable yet (tried again later), or refused.
enum LockFailure {
    Unreachable(StepError),
    Refused(StepError),
}

impl LockFailure {
    fn into_step_error(self) -> StepError {
        match self {
            LockFailure::Unreachable(error) | LockFailure::Refused(error) => error,
        }
    }
}

/// A note a check step leaves for later steps: "this target is brought up by step X".
#[derive(Debug, Clone)]
pub(crate) struct Provisional {
    pub step: String,
}

pub(crate) struct Resources {
    mode: Mode,
    runbook: Arc<Runbook>,
    keep_ephemeral: bool,
    /// The password of this run's ephemeral clusters; the runner put it among the secrets.
    ephemeral_password: String,
    holder: Holder,
    /// `--terminate-stale`: end backends of earlier runs instead of refusing.
    terminate_stale: bool,
    /// The running step's output, for the lock's lines in the evidence.
    pub(crate) output: Option<StepOutput>,
    postgres: BTreeMap<String, PgTarget>,
    docker: Option<DockerClient>,
    pub(crate) cancels: CancelRegistry,
    /// Check mode: containers an earlier step would create or start, by container name.
    pub(crate) provisional_containers: BTreeMap<String, Provisional>,
    /// Check mode: targets an earlier step would change, so gates against them are predictions.
    pub(crate) changed_targets: BTreeSet<String>,
    /// Ephemeral clusters kept for the user (`--keep`), reported at the end.
    pub(crate) kept: Vec<(String, String)>,
    /// Protected targets the operator consented to before the first step: Docker steps check
    /// again, by ID, right before they destroy, in case what a name reaches changed since.
    pub(crate) confirmed: BTreeSet<String>,
    /// The IDs protected targets' containers had before the first step, by target.
    pub(crate) protected_ids: BTreeMap<String, String>,
    /// The environment the run reads (`PG*`, `password_env`, `DOCKER_HOST`, ...).
    env: RunEnv,
    /// Which server each target reached on its first connection of the run; the runner copies
    /// them into `run.json` (see `target_identity.rs`).
    pub(crate) identities: BTreeMap<String, ServerIdentity>,
}

impl Resources {
    pub(crate) fn new(
        mode: Mode,
        runbook: Arc<Runbook>,
        keep_ephemeral: bool,
        ephemeral_password: String,
        holder: Holder,
        terminate_stale: bool,
        env: RunEnv,
    ) -> Resources {
        Resources {
            mode,
            runbook,
            keep_ephemeral,
            ephemeral_password,
            holder,
            terminate_stale,
            output: None,
            postgres: BTreeMap::new(),
            docker: None,
            cancels: CancelRegistry::default(),
            provisional_containers: BTreeMap::new(),
            changed_targets: BTreeSet::new(),
            kept: Vec::new(),
            confirmed: BTreeSet::new(),
            protected_ids: BTreeMap::new(),
            env,
            identities: BTreeMap::new(),
        }
    }

    /// The environment the run reads, for steps (a shell's command, a Compose file, `~/`).
    pub(crate) fn env(&self) -> &RunEnv {
        &self.env
    }

    fn target(&self, name: &str) -> Result<&Target, StepError> {
        self.runbook
            .targets
            .get(name)
            .ok_or_else(|| StepError::failed(format!("unknown target '{name}'")))
    }

    /// The run's id (the run lock's and the `io.runbook.run` label's).
    pub(crate) fn run_id(&self) -> &str {
        &self.holder.run
    }

    /// The Docker Engine, connected on first use. In check mode an engine that does not answer
    /// is a missing precondition (BLOCKED), not a step that would fail: nothing about the
    /// runbook is wrong, the machine is not ready for it.
    pub(crate) async fn docker(&mut self) -> Result<&DockerClient, StepError> {
        if self.docker.is_none() {
            // The endpoint is resolved before the first await: the environment reader is not
            // `Sync`, and this future must be `Send`.
            let endpoint = runbook_docker::Endpoint::from_env(&|key| self.env.var(key))?;
            let client = match DockerClient::connect_to(&endpoint).await {
                Ok(client) => client,
                Err(error @ DockerError::Unreachable { .. }) if self.mode == Mode::Check => {
                    return Err(StepError::Blocked(error.to_string()));
                }
                Err(error) => return Err(error.into()),
            };
            self.docker = Some(client);
        }
        Ok(self.docker.as_ref().expect("connected above"))
    }

    /// Where the target's database is, resolving container ports and starting an ephemeral
    /// cluster (run mode only) as needed.
    pub(crate) async fn connection_spec(
        &mut self,
        name: &str,
    ) -> Result<ConnectionSpec, StepError> {
        if let Some(spec) = self.postgres.get(name).and_then(|t| t.spec.clone()) {
            return Ok(spec);
        }
        let target = self.target(name)?.clone();
        let Some(pg) = &target.postgres else {
            return Err(StepError::failed(format!(
                "target '{name}' has no postgres settings"
            )));
        };
        let spec = match pg.connection() {
            Connection::Ephemeral => {
                if self.mode == Mode::Check {
                    return Err(StepError::Deferred(format!(
                        "target '{name}' is an ephemeral cluster, created when the runbook runs; there is nothing to inspect yet"
                    )));
                }
                let options = EphemeralOptions {
                    keep: self.keep_ephemeral,
                    // Restored data may be patient data: other local users stay out.
                    password: Some(self.ephemeral_password.clone()),
                    ..EphemeralOptions::default()
                };
                let cluster = tokio::task::spawn_blocking(move || EphemeralCluster::start(options))
                    .await
                    .map_err(|e| StepError::failed(format!("ephemeral cluster task failed: {e}")))?
                    .map_err(|source| StepError::Ephemeral {
                        target: name.to_owned(),
                        source,
                    })?;
                let spec = cluster.spec();
                self.postgres.entry(name.to_owned()).or_default().ephemeral = Some(cluster);
                spec
            }
            Connection::Url { url, password_env } => {
                let mut spec = ConnectionSpec::parse(url, &self.env).map_err(|source| {
                    StepError::ConnectionSpec {
                        target: name.to_owned(),
                        source,
                    }
                })?;
                if let Some(variable) = password_env {
                    match self.env.var(variable) {
                        Some(password) => spec.set_password(password),
                        None => {
                            return Err(StepError::Blocked(format!(
                                "target '{name}': password_env {variable} is not set in the environment"
                            )));
                        }
                    }
                }
                if let Some(container) = &target.container
                    && !url_names_port(url)
                {
                    self.use_published_port(name, container, &mut spec).await?;
                }
                spec
            }
        };
        // Every session of the run carries its id, so that a later run can tell this run's
        // backends from anyone else's (see `lock.rs`).
        let mut spec = spec;
        spec.set_application_name(self.application_name());
        self.postgres.entry(name.to_owned()).or_default().spec = Some(spec.clone());
        Ok(spec)
    }

    /// A target whose URL leaves the port open and that names its container is reached through
    /// the host port Docker published for the container's 5432.
    async fn use_published_port(
        &mut self,
        target: &str,
        container: &str,
        spec: &mut ConnectionSpec,
    ) -> Result<(), StepError> {
        let provisional = match self.mode {
            Mode::Check => self.provisional_for(target),
            Mode::Run => None,
        };
        let docker = self.docker().await?;
        let info = docker.inspect_container(container).await?;
        let published = info.as_ref().and_then(|info| info.host_port(5432));
        let Some((ip, port)) = published else {
            // In check mode a container that an earlier step starts is not there yet: the
            // steps that need it depend on that step rather than fail.
            if let Some(note) = provisional {
                return Err(StepError::Deferred(format!(
                    "target '{target}' is not reachable now; step '{}' starts container {container} when the runbook runs",
                    note.step
                )));
            }
            return Err(StepError::failed(match info {
                None => format!(
                    "target '{target}': container {container} does not exist, so its published port is unknown"
                ),
                Some(info) if !info.state.is_running() => format!(
                    "target '{target}': container {container} is {}, so it publishes no port; start it first (container_start)",
                    info.state
                ),
                Some(_) => format!(
                    "target '{target}': container {container} does not publish port 5432 on the host; add a port such as 127.0.0.1:0:5432 to it, or write the port into the target's url"
                ),
            }));
        };
        let host = match ip.as_str() {
            "" | "0.0.0.0" => "127.0.0.1".to_owned(),
            "::" => "::1".to_owned(),
            other => other.to_owned(),
        };
        spec.set_host(&host);
        spec.set_port(port);
        Ok(())
    }

    /// A session on the target. In run mode the run lock on the target's database is taken
    /// first when this run does not hold it (not reachable before, or the lock was lost); in
    /// check mode the session is returned inside a fresh read-only transaction.
    pub(crate) async fn session(&mut self, name: &str) -> Result<&Session, StepError> {
        if self.mode == Mode::Run {
            // Before anything is sent on a new session: a run must not go on unlocked while
            // another run starts on the same database.
            self.ensure_locked(name, None)
                .await
                .map_err(LockFailure::into_step_error)?;
        }
        let spec = self.connection_spec(name).await?;
        let state = self.postgres.entry(name.to_owned()).or_default();
        if state.session.as_ref().is_some_and(|s| s.is_closed()) {
            state.session = None;
            state.in_read_only_txn = false;
        }
        if state.session.is_none() {
            let session = match Session::connect(&spec).await {
                Ok(session) => session,
                Err(source) => {
                    if self.mode == Mode::Check
                        && let Some(note) = self.provisional_for(name)
                    {
                        return Err(StepError::Deferred(format!(
                            "target '{name}' is not reachable now; step '{}' starts it when the runbook runs",
                            note.step
                        )));
                    }
                    return Err(StepError::Connect {
                        target: name.to_owned(),
                        source,
                    });
                }
            };
            self.cancels.register(session.cancel_handle());
            self.note_identity(name, &session, tcp_host(&spec)).await?;
            if self.mode == Mode::Check {
                // The dry run only looks: taking the lock would make a real run that starts
                // meanwhile refuse. It predicts the run: a holder, or another run's statement
                // still active, would make `runbook run` refuse.
                match lock::probe(&session, &self.holder.run).await {
                    Ok(None) => {}
                    Ok(Some(held)) => {
                        return Err(StepError::Blocked(format!(
                            "target '{name}': {held}; `runbook run` would be refused until it ends"
                        )));
                    }
                    // What keeps the dry run from looking keeps the run from locking.
                    Err(error) => {
                        return Err(StepError::Blocked(format!(
                            "target '{name}': {error}; `runbook run` would be refused"
                        )));
                    }
                }
            }
            let state = self.postgres.entry(name.to_owned()).or_default();
            state.session = Some(session);
        }
        let state = self.postgres.get_mut(name).expect("inserted above");
        let session = state.session.as_ref().expect("connected above");
        if self.mode == Mode::Check {
            if state.in_read_only_txn {
                session.execute("ROLLBACK").await?;
            }
            session.execute("BEGIN READ ONLY").await?;
            state.in_read_only_txn = true;
            // The first query fixes the transaction's snapshot and read-only status: nothing
            // sent after it can switch the transaction to read-write.
            session.execute("SELECT 1").await?;
        }
        Ok(session)
    }

    /// Run mode, before each step runs: takes the run lock on every Postgres target of the
    /// runbook that this run does not hold yet (ephemeral clusters excepted: they are this
    /// run's own). A target that is not reachable yet (its container is started by a later
    /// step) is noted in the step's log and tried again before the next step, so it is locked
    /// right after the step that makes it reachable, and in any case before any session on it.
    /// Another run holding the lock, or another run's work still active on the database,
    /// refuses the step before it runs. Each attempt here is bounded by `LOCK_ATTEMPT_LIMIT`:
    /// a host that drops packets, for a target only later steps use, must not hold every step
    /// for the system's TCP timeout.
    pub(crate) async fn lock_targets(&mut self) -> Result<(), StepError> {
        let names: Vec<String> = self
            .runbook
            .targets
            .iter()
            .filter(|(_, target)| {
                target
                    .postgres
                    .as_ref()
                    .is_some_and(|pg| !matches!(pg.connection(), Connection::Ephemeral))
            })
            .map(|(name, _)| name.clone())
            .collect();
        for name in names {
            match self.ensure_locked(&name, Some(LOCK_ATTEMPT_LIMIT)).await {
                Ok(()) => {}
                Err(LockFailure::Refused(error)) => return Err(error),
                Err(LockFailure::Unreachable(error)) => {
                    let state = self.postgres.entry(name.clone()).or_default();
                    if !state.deferral_noted {
                        state.deferral_noted = true;
                        self.log(&format!(
                            "run lock: target '{name}' is not reachable yet ({error}); its database is locked before the first step after which it answers"
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Takes the run lock on the target's database unless this run holds it; then looks for
    /// another run's work still active there.
    async fn ensure_locked(
        &mut self,
        name: &str,
        limit: Option<Duration>,
    ) -> Result<(), LockFailure> {
        let target = self.target(name).map_err(LockFailure::Unreachable)?;
        if target
            .postgres
            .as_ref()
            .is_some_and(|pg| matches!(pg.connection(), Connection::Ephemeral))
        {
            return Ok(());
        }
        if let Some(state) = self.postgres.get_mut(name) {
            if state.lock.as_ref().is_some_and(|lock| lock.is_lost()) {
                // The server released the lock with its session, and may have ended this
                // run's other sessions with it: start over on a new one.
                state.lock = None;
                state.session = None;
                state.in_read_only_txn = false;
            }
            if state.lock.is_some() {
                return Ok(());
            }
        }
        let spec = self
            .connection_spec(name)
            .await
            .map_err(LockFailure::Unreachable)?;
        let refused = |error: LockError| {
            LockFailure::Refused(StepError::Blocked(format!("target '{name}': {error}")))
        };
        let acquire = lock::acquire(&spec, &self.holder);
        let acquired = match limit {
            Some(limit) => match tokio::time::timeout(limit, acquire).await {
                Ok(result) => result,
                Err(_) => {
                    return Err(LockFailure::Unreachable(StepError::Blocked(format!(
                        "target '{name}': no answer within {}s",
                        limit.as_secs()
                    ))));
                }
            },
            None => acquire.await,
        };
        let attempt = match acquired {
            Ok(attempt) => attempt,
            Err(LockError::Connect(source)) => {
                return Err(LockFailure::Unreachable(StepError::Connect {
                    target: name.to_owned(),
                    source,
                }));
            }
            Err(other) => return Err(refused(other)),
        };
        let lock = match attempt {
            Attempt::Held {
                error,
                identity,
                holder_backend_pid,
            } => {
                // Two targets of one run on the same database (an admin role and an app role,
                // localhost and 127.0.0.1) share the run's lock: the run must not block itself.
                let ours = self
                    .postgres
                    .values()
                    .filter_map(|state| state.lock.as_ref())
                    .find(|lock| {
                        !lock.is_lost()
                            && lock.identity == identity
                            && Some(lock.backend_pid) == holder_backend_pid
                    })
                    .cloned();
                let Some(lock) = ours else {
                    return Err(refused(*error));
                };
                // The shared lock's session shows the holder to other runs and must send
                // nothing else: this target's identity is read on a session of its own.
                let session = Session::connect(&spec).await.map_err(|source| {
                    LockFailure::Unreachable(StepError::Connect {
                        target: name.to_owned(),
                        source,
                    })
                })?;
                self.note_identity(name, &session, tcp_host(&spec))
                    .await
                    .map_err(LockFailure::Refused)?;
                self.log(&format!(
                    "run lock: target '{name}' is {identity}, already locked by this run"
                ));
                lock
            }
            Attempt::Acquired(lock) => {
                self.end_other_runs(name, &lock).await.map_err(refused)?;
                // Before `show_holder`: its query must stay the lock session's last one, which
                // other runs read to name the holder.
                self.note_identity(name, lock.session(), tcp_host(&spec))
                    .await
                    .map_err(LockFailure::Refused)?;
                lock.show_holder().await.map_err(refused)?;
                self.log(&format!(
                    "run lock: target '{name}': this run holds the lock on {}",
                    lock.identity
                ));
                Arc::from(lock)
            }
        };
        self.postgres.entry(name.to_owned()).or_default().lock = Some(lock);
        Ok(())
    }

    /// Reads which server `session` reached, the first time the run connects to `name`, and
    /// holds it against `targets.NAME.expect`: a server that is not the expected one is
    /// BLOCKED before any step acts on it, naming each field that differed. Without `expect`,
    /// a server that does not say (a role that may not call `pg_control_system()`) is only
    /// noted in the step's log; with it, not knowing blocks too.
    async fn note_identity(
        &mut self,
        name: &str,
        session: &Session,
        connected_host: Option<String>,
    ) -> Result<(), StepError> {
        let expect = self.target(name)?.expect.clone();
        if !self.identities.contains_key(name) {
            match target_identity::read(session).await {
                Ok(Some(identity)) => {
                    self.identities.insert(name.to_owned(), identity);
                }
                Ok(None) => self.log(&format!(
                    "target '{name}': the server did not say which cluster it is; run.json records no identity for it"
                )),
                Err(error) => self.log(&format!(
                    "target '{name}': could not read which server this is ({error}); run.json records no identity for it"
                )),
            }
        }
        let Some(expect) = expect else {
            return Ok(());
        };
        let Some(identity) = self.identities.get(name) else {
            return Err(StepError::Blocked(format!(
                "target '{name}': expect: is set but the server's identity could not be read (see the log)"
            )));
        };
        let differ = target_identity::mismatches(&expect, identity, connected_host.as_deref());
        if differ.is_empty() {
            return Ok(());
        }
        Err(StepError::Blocked(format!(
            "target '{name}' is not the expected server: {}",
            differ.join("; ")
        )))
    }

    /// With the lock held: another run's backends still active on the database refuse the
    /// run, unless `--terminate-stale` asked to end them and all of them belong to runs that
    /// ended (a live run's backends are never ended).
    async fn end_other_runs(&self, name: &str, lock: &RunLock) -> Result<(), LockError> {
        let backends =
            lock::other_runs_backends(lock.session(), &lock.identity, &self.holder.run).await?;
        if backends.is_empty() {
            return Ok(());
        }
        let all_stale = backends.iter().all(|b| b.live_on.is_none());
        if !(self.terminate_stale && all_stale) {
            return Err(LockError::OtherRunActive {
                backends,
                database: lock.identity.name.clone(),
                terminate_requested: self.terminate_stale,
            });
        }
        let ended = lock::end_backends(lock.session(), &backends, &lock.identity.name).await?;
        for done in &ended {
            self.log(&format!(
                "run lock: target '{name}': --terminate-stale: {} {}; it ended after {:.1}s",
                if done.cancelled {
                    "cancelled (pg_cancel_backend)"
                } else {
                    "terminated (pg_terminate_backend)"
                },
                done.backend.describe(),
                done.after.as_secs_f64()
            ));
        }
        // What started meanwhile is refused like the rest, not ended unseen.
        let again =
            lock::other_runs_backends(lock.session(), &lock.identity, &self.holder.run).await?;
        if !again.is_empty() {
            return Err(LockError::OtherRunActive {
                backends: again,
                database: lock.identity.name.clone(),
                terminate_requested: true,
            });
        }
        Ok(())
    }

    /// The `application_name` of this run's sessions, also given to child processes in
    /// `PGAPPNAME`: a later run recognises their backends as this run's, even when a `psql`
    /// a shell step started outlives a killed run.
    pub(crate) fn application_name(&self) -> String {
        self.holder.application_name(match self.mode {
            Mode::Run => Role::Run,
            Mode::Check => Role::Check,
        })
    }

    /// A line in the running step's log (and on the terminal with `--verbose`).
    fn log(&self, line: &str) {
        if let Some(output) = &self.output {
            output.log(line);
        }
    }

    /// A session of its own for one script load, as `psql -f` has: what a script sets
    /// (`search_path` emptied by every pg_dump, `\connect`, session variables) ends with it
    /// and cannot leak into later steps. The run lock is taken first, as for any session.
    pub(crate) async fn script_session(&mut self, name: &str) -> Result<Session, StepError> {
        self.session(name).await?;
        let spec = self.connection_spec(name).await?;
        let session = Session::connect(&spec)
            .await
            .map_err(|source| StepError::Connect {
                target: name.to_owned(),
                source,
            })?;
        self.cancels.register(session.cancel_handle());
        Ok(session)
    }

    /// The URL a `${targets.NAME.url}` reference expands to: no password, ever.
    pub(crate) async fn target_url(&mut self, name: &str) -> Result<String, StepError> {
        let spec = self.connection_spec(name).await?;
        Ok(spec.url())
    }

    /// The password of a target, for child processes that need it in `PGPASSWORD`.
    pub(crate) async fn target_password(
        &mut self,
        name: &str,
    ) -> Result<Option<String>, StepError> {
        let spec = self.connection_spec(name).await?;
        Ok(spec.password().map(str::to_owned))
    }

    fn provisional_for(&self, target: &str) -> Option<Provisional> {
        let container = self.runbook.targets.get(target)?.container.as_ref()?;
        self.provisional_containers.get(container).cloned()
    }

    /// Check mode: a session that failed mid-transaction is rolled back; every read-only
    /// transaction ends after its step.
    pub(crate) async fn end_step(&mut self) {
        self.cancels.reset();
        for state in self.postgres.values_mut() {
            if state.in_read_only_txn {
                if let Some(session) = &state.session {
                    let _ = session.execute("ROLLBACK").await;
                }
                state.in_read_only_txn = false;
            }
        }
    }

    /// Forgets the connection details and the run lock of targets whose container changed
    /// (stopped, removed, re-created), so the next step resolves the published port again and
    /// locks the database anew.
    pub(crate) fn forget_container(&mut self, container: &str) {
        let runbook = Arc::clone(&self.runbook);
        for (name, target) in &runbook.targets {
            if target.container.as_deref() == Some(container)
                && let Some(state) = self.postgres.get_mut(name)
                && state.ephemeral.is_none()
            {
                state.spec = None;
                state.session = None;
                // The container's server went away with its sessions, and the run lock with
                // them: the next session takes it again.
                state.lock = None;
                state.in_read_only_txn = false;
            }
        }
    }

    /// Closes sessions (releasing run locks) and removes ephemeral clusters unless kept.
    pub(crate) async fn shutdown(&mut self) {
        for (name, mut state) in std::mem::take(&mut self.postgres) {
            drop(state.session.take());
            drop(state.lock.take());
            if let Some(mut cluster) = state.ephemeral.take() {
                if self.keep_ephemeral {
                    // Built with `keep`, so dropping it leaves the cluster running.
                    // The TCP password dies with this run; the private socket directory (trust,
                    // reachable only by root and the server account) is the way back in.
                    let socket = format!(
                        "postgres://postgres@/postgres?host={}&port={}",
                        cluster.socket_dir().display(),
                        cluster.port()
                    );
                    self.kept.push((name, socket));
                } else {
                    let _ = tokio::task::spawn_blocking(move || cluster.stop()).await;
                }
            }
        }
    }
}

/// Whether a libpq URL or key=value string names a port (then it is used as written).
pub(crate) fn url_names_port(url: &str) -> bool {
    let url = url.trim();
    if let Some(rest) = url
        .strip_prefix("postgresql://")
        .or_else(|| url.strip_prefix("postgres://"))
    {
        let authority = rest.split(['/', '?']).next().unwrap_or("");
        let hosts = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let port_in_host = hosts.split(',').any(|h| {
            let h = h
                .strip_prefix('[')
                .map_or(h, |v6| v6.split_once(']').map_or("", |(_, r)| r));
            h.contains(':')
        });
        let query = rest.split_once('?').map_or("", |(_, q)| q);
        port_in_host || query.split('&').any(|p| p.starts_with("port="))
    } else {
        url.split_whitespace()
            .any(|kv| kv.trim_start().starts_with("port="))
    }
}

/// The host name a TCP connection was opened to (none for a Unix socket).
fn tcp_host(spec: &ConnectionSpec) -> Option<String> {
    match spec.host() {
        runbook_postgres::Host::Tcp(host) => Some(host.clone()),
        runbook_postgres::Host::Unix(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::url_names_port;

    #[test]
    fn finds_explicit_ports() {
        assert!(url_names_port("postgres://u@127.0.0.1:5432/db"));
        assert!(url_names_port("postgresql://u:p@h:6000/db?sslmode=disable"));
        assert!(url_names_port("postgres://u@h/db?port=5433"));
        assert!(url_names_port("host=h port=5433 dbname=x"));
        assert!(url_names_port("postgres://u@[::1]:5432/db"));
        assert!(!url_names_port("postgres://u@127.0.0.1/db"));
        assert!(!url_names_port("postgres://u:pa:ss@h/db"));
        assert!(!url_names_port("postgres://u@[::1]/db"));
        assert!(!url_names_port("host=h dbname=x"));
    }
}
