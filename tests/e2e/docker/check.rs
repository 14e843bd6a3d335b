//! `runbook check` of the OpenDolphin runbook on a machine where nothing exists yet: it must
//! change nothing, say that the container would be created, and report the steps that need the
//! database as depending on the step that starts it, not as failures.

use super::harness::{Scene, clinic_sample, opendolphin_runbook, summary};
use crate::support::*;

#[test]
fn check_before_anything_exists_creates_nothing_and_defers_to_the_start_step() {
    let Some(mut scene) = Scene::start("opendolphin-check") else {
        return;
    };
    let (container, volume) = (scene.name("db"), scene.name("data"));
    scene.clean_up_container(&container);
    scene.clean_up_volume(&volume);
    // Any dump will do: check mode reads the file but loads nothing.
    let secrets = scene.secrets_with(&clinic_sample());
    let check = scene.runbook(&[
        "check",
        &opendolphin_runbook(),
        "--var",
        &format!("secrets={}", secrets.display()),
        "--var",
        &format!("container={container}"),
        "--var",
        &format!("volume={volume}"),
    ]);
    assert_eq!(
        check.code,
        0,
        "check is ready (exit 0):\n{}",
        check.all_output()
    );
    assert!(
        scene.container(&container).is_none(),
        "check created container {container}"
    );
    assert!(
        !scene.volume_exists(&volume),
        "check created volume {volume}"
    );

    let dir = check.evidence_dir(scene.scratch.path());
    assert_eq!(run_record(&dir)["status"], "ready");
    let start = step_result(&dir, "02-start-db");
    assert_eq!(start["status"], "passed");
    assert!(
        summary(&start).starts_with(&format!(
            "would create container {container} from image {} (sha256:",
            scene.image
        )),
        "{start:#}"
    );
    let log = step_log(&dir, "02-start-db");
    assert!(
        log.contains(&format!(
            "volume {volume} does not exist: it would be created"
        )),
        "{log}"
    );
    assert!(
        log.contains("port 5432/tcp: the engine would pick a free host port"),
        "{log}"
    );

    let deferred = format!(
        "target 'legacy' is not reachable now; step 'start-db' starts container {container} when the runbook runs"
    );
    for step in [
        "05-facility-sequence-present",
        "06-facility-sequence",
        "08-gate-restored",
    ] {
        let result = step_result(&dir, step);
        assert_eq!(result["status"], "skipped", "{step}: {result:#}");
        assert_eq!(summary(&result), deferred, "{step}");
    }
    let load = step_result(&dir, "04-load-schema");
    assert_eq!(load["status"], "passed", "{load:#}");
    assert!(step_log(&dir, "04-load-schema").contains(&format!(
        "container {container} is started by an earlier step"
    )));
    assert_eq!(
        summary(&step_result(&dir, "07-list-tables")),
        format!(
            "would run in container {container}: psql -X -U opendolphin -d opendolphin -c '\\dt'"
        )
    );
    assert_eq!(
        summary(&step_result(&dir, "finally-02-remove-db")),
        format!(
            "would remove container {container} (started by step 'start-db') with its anonymous volumes"
        )
    );
    assert_eq!(
        summary(&step_result(&dir, "finally-03-remove-data")),
        format!("would remove volume {volume} and its data (created by step 'start-db')")
    );
    let (ok, text) = sha256sum_check(&dir);
    assert!(ok, "{text}");
    scene.finish();
}
