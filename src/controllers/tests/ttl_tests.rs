//! The TTL-after-finished controller deleting finished Jobs (foreground, pods first).

use serde_json::json;

use super::fake::pods;
use super::live::live;
use crate::api::Kind;
use crate::controllers::{GarbageCollector, JobController, TtlAfterFinishedController};
use crate::sim::Duration;

#[test]
fn a_finished_job_goes_ttl_seconds_after_it_completed_with_its_pods() {
    let mut s = live(vec![
        Box::new(JobController::new()),
        Box::new(TtlAfterFinishedController::new()),
        Box::new(GarbageCollector::new()),
    ]);
    let spec = |name: &str, ttl: i64| {
        json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "namespace": "default"},
            "spec": {"ttlSecondsAfterFinished": ttl, "template": {"spec": {"restartPolicy": "Never",
                "containers": [{"name": "c", "image": "busybox", "command": ["echo", "hi"]}]}}}})
    };
    s.create(Kind::Job, spec("short", 30));
    s.create(Kind::Job, spec("keep", 3600));
    let mut done_at = 0;
    s.until(60, "completion", |s| {
        let j = s.get(Kind::Job, "short").unwrap();
        let done = j["status"]["completionTime"].is_string();
        if done {
            done_at = s.secs(&j["status"]["completionTime"]);
        }
        done
    });
    let wait = u64::try_from(done_at + 29).unwrap() * 1000 - s.c.now().as_millis();
    s.c.run_for(Duration::from_millis(wait));
    assert!(s.get(Kind::Job, "short").is_some(), "not before the TTL");
    s.c.run_for(Duration::from_secs(3));
    assert!(s.get(Kind::Job, "short").is_none(), "deleted after the TTL");
    assert!(pods(&mut s.c, "default", "short-").is_empty(), "its pods went first");
    assert!(s.get(Kind::Job, "keep").is_some());
    let deleted = s.c.api().trace().entries().any(|e| {
        e.from.to_string() == "controller-manager/ttl-after-finished"
            && e.verb == "delete"
            && &*e.object.name == "short"
    });
    assert!(deleted);
}
