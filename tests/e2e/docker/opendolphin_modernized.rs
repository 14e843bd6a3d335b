//! Seed 004's modernized restore end to end: the shipped `runbooks/opendolphin-modernized.yaml`
//! with Docker on the real OpenDolphin files (the legacy dump as the base, the Flyway set with
//! its duplicate versions): the container started, the DDL loaded, Flyway's baseline and migrate
//! to 0221 recorded as Flyway records them, the gates passed, nothing left behind. Fails on a
//! binary from before issue 10 (the `migrate` kind is unknown there: exit 2).

use super::harness::{exec_stdout, summary};
use super::opendolphin::{assert_clean_pass, db_scene, run_restore};
use crate::support::*;

fn modernized_runbook() -> String {
    workspace_root()
        .join("runbooks/opendolphin-modernized.yaml")
        .display()
        .to_string()
}

#[test]
fn opendolphin_modernized_restores_and_records_flyway_history_to_0221() {
    let Some(fixtures) =
        corpus_or_skip("opendolphin_modernized_restores_and_records_flyway_history_to_0221")
    else {
        return;
    };
    let Some((scene, container, volume)) = db_scene("opendolphin-modernized") else {
        return;
    };
    let fixtures = fixtures.join("opendolphin");

    for via in ["container", "client"] {
        let input = format!("fixtures={}", fixtures.display());
        let run = run_restore(
            &scene,
            &modernized_runbook(),
            &input,
            (&container, &volume),
            via,
            "modern",
        );
        let dir = assert_clean_pass(&scene, &run, &container, &volume);

        // The migrate step: five migrations after the baseline, the duplicates excluded.
        let flyway = step_result(&dir, "06-flyway");
        assert_eq!(flyway["outputs"]["applied"]["value"], "5", "{flyway:#}");
        assert_eq!(flyway["outputs"]["version"]["value"], "0221", "{flyway:#}");
        let log = step_log(&dir, "06-flyway");
        for excluded in [
            "V0225__alter_module_add_json.sql",
            "V0227__audit_event_trace_id.sql",
        ] {
            assert!(
                log.split('\n')
                    .any(|l| l.contains(excluded) && l.contains("excluded")),
                "{excluded} is not logged as excluded:\n{log}"
            );
        }

        // The gates, the history among them, all passed.
        let gate = step_result(&dir, "07-gate-restored");
        let checks = gate["gate"].as_array().expect("gate checks");
        assert_eq!(checks.len(), 4, "{gate:#}");
        assert!(checks.iter().all(|c| c["passed"] == true), "{gate:#}");
        assert_eq!(checks[0]["check"], "migrations_applied");
        assert_eq!(
            checks[0]["actual"],
            "versions 0, 0001, 0002, 0003, 0220, 0221 (6 successful rows)"
        );

        // The exported schema holds Flyway's own history table.
        let schema = exec_stdout(&step_log(&dir, "08-export-schema"));
        assert!(
            schema.contains("CREATE TABLE opendolphin.flyway_schema_history ("),
            "{schema}"
        );
        assert!(schema.contains("flyway_schema_history_s_idx"), "{schema}");

        assert!(
            summary(&step_result(&dir, "finally-02-remove-db"))
                .starts_with(&format!("removed container {container}")),
        );
    }
    scene.finish();
}
