//! The CronJob controller with the Job controller, scheduler, kubelets and garbage collector.

use serde_json::{Value, json};

use super::fake;
use super::live::{Live, live};
use crate::api::{Kind, Object};
use crate::apiserver::ListOptions;
use crate::controllers::{CronJobController, GarbageCollector, JobController};
use crate::sim::Duration;

/// 2026-01-01T00:00:00Z in minutes since the epoch.
const MINUTE0: i64 = 1_767_225_600 / 60;

fn cronjob(name: &str, schedule: &str, extra: Value, command: &[&str]) -> Value {
    let mut v = json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name, "namespace": "default"},
        "spec": {"schedule": schedule, "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "OnFailure",
            "containers": [{"name": name, "image": "busybox", "command": command}]}}}}}});
    if let (Some(s), Some(e)) = (v["spec"].as_object_mut(), extra.as_object()) {
        s.extend(e.clone());
    }
    v
}

fn sim() -> Live {
    live(vec![Box::new(JobController::new()), Box::new(CronJobController::new()), Box::new(GarbageCollector::new())])
}

fn jobs(s: &mut Live) -> Vec<Object> {
    s.c.api_mut().list(&fake::admin(), Kind::Job, Some("default"), &ListOptions::default()).unwrap().items
}

fn job_names(s: &mut Live) -> Vec<String> {
    jobs(s).iter().map(|j| j.name().to_string()).collect()
}

#[test]
fn every_minute_creates_jobs_named_by_minute_and_keeps_three_successful() {
    let mut s = sim();
    s.create(Kind::CronJob, cronjob("hello", "*/1 * * * *", json!({}), &["echo", "hi"]));
    s.c.run_for(Duration::from_secs(59));
    assert!(jobs(&mut s).is_empty(), "nothing before the first minute");
    s.c.run_for(Duration::from_secs(2));
    assert_eq!(job_names(&mut s), [format!("hello-{}", MINUTE0 + 1)]);
    let j = s.get(Kind::Job, &format!("hello-{}", MINUTE0 + 1)).unwrap();
    assert_eq!(j["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"], "2026-01-01T00:01:00Z");
    assert_eq!(j["metadata"]["ownerReferences"][0]["kind"], "CronJob");
    let cj = s.get(Kind::CronJob, "hello").unwrap();
    assert_eq!(cj["status"]["lastScheduleTime"], "2026-01-01T00:01:00Z");
    assert_eq!(cj["status"]["active"][0]["name"], format!("hello-{}", MINUTE0 + 1));
    s.c.run_for(Duration::from_secs(6 * 60));
    // At 00:07:01 the 00:07 Job still runs: three finished ones are kept beside it.
    let want: Vec<String> = (4..=7).map(|m| format!("hello-{}", MINUTE0 + m)).collect();
    assert_eq!(job_names(&mut s), want);
    s.c.run_for(Duration::from_secs(10));
    let want: Vec<String> = (5..=7).map(|m| format!("hello-{}", MINUTE0 + m)).collect();
    assert_eq!(job_names(&mut s), want, "the three newest successful jobs are kept");
    let cj = s.get(Kind::CronJob, "hello").unwrap();
    assert_eq!(cj["status"]["lastScheduleTime"], "2026-01-01T00:07:00Z");
    assert!(cj["status"]["lastSuccessfulTime"].as_str().unwrap().starts_with("2026-01-01T00:07:"));
    assert!(cj["status"].get("active").is_none_or(|a| a.as_array().is_some_and(Vec::is_empty)), "{cj}");
    let events = fake::events(&mut s.c, "default", "hello");
    let has = |reason: &str, msg: String| events.iter().any(|e| e.0 == reason && e.1 == msg);
    assert!(has("SuccessfulCreate", format!("Created job hello-{}", MINUTE0 + 1)), "{events:?}");
    assert!(has("SawCompletedJob", format!("Saw completed job: hello-{}, condition: Complete", MINUTE0 + 1)));
    assert!(has("SuccessfulDelete", format!("Deleted job hello-{}", MINUTE0 + 1)));
    // The deleted Jobs' pods went with them.
    let pods = fake::pods(&mut s.c, "default", &format!("hello-{}", MINUTE0 + 1));
    assert!(pods.is_empty(), "{pods:?}");
}

#[test]
fn forbid_skips_a_run_while_the_previous_job_is_active_and_replace_replaces_it() {
    let mut s = sim();
    s.create(Kind::CronJob, cronjob("slow", "* * * * *", json!({"concurrencyPolicy": "Forbid"}), &["sleep", "90"]));
    s.create(Kind::CronJob, cronjob("swap", "* * * * *", json!({"concurrencyPolicy": "Replace"}), &["sleep", "90"]));
    s.c.run_for(Duration::from_secs(150));
    let slow: Vec<String> = job_names(&mut s).into_iter().filter(|n| n.starts_with("slow-")).collect();
    assert_eq!(slow, [format!("slow-{}", MINUTE0 + 1)]);
    let events = fake::events(&mut s.c, "default", "slow");
    assert!(events.iter().any(|e| e.0 == "JobAlreadyActive"
        && e.1 == "Not starting job because prior execution is running and concurrency policy is Forbid"));
    let swap: Vec<String> = job_names(&mut s).into_iter().filter(|n| n.starts_with("swap-")).collect();
    assert_eq!(swap, [format!("swap-{}", MINUTE0 + 2)]);
    let events = fake::events(&mut s.c, "default", "swap");
    assert!(events.iter().any(|e| e.0 == "SuccessfulDelete" && e.1 == format!("Deleted job swap-{}", MINUTE0 + 1)));
}

#[test]
fn suspend_time_zones_and_bad_schedules() {
    let mut s = sim();
    s.create(Kind::CronJob, cronjob("paused", "* * * * *", json!({"suspend": true}), &["true"]));
    // 09:00 in Tokyo is midnight UTC: the next one is a day away, none in the first hours.
    s.create(Kind::CronJob, cronjob("tokyo", "0 9 * * *", json!({"timeZone": "Asia/Tokyo"}), &["true"]));
    s.c.run_for(Duration::from_secs(3 * 60));
    assert!(jobs(&mut s).is_empty());
    s.c.run_for(Duration::from_secs(24 * 3600 - 3 * 60 + 1));
    let j = s.get(Kind::Job, &format!("tokyo-{}", MINUTE0 + 24 * 60)).expect("the Tokyo morning run");
    assert_eq!(
        j["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"],
        "2026-01-02T09:00:00+09:00"
    );
}

#[test]
fn too_many_missed_start_times_run_only_the_latest_with_a_warning() {
    let mut s = live(vec![Box::new(GarbageCollector::new())]);
    s.create(Kind::CronJob, cronjob("late", "* * * * *", json!({}), &["true"]));
    // The controller starts three hours late: 180 missed minutes.
    s.c.run_for(Duration::from_secs(3 * 3600 + 30));
    s.c.spawn(Box::new(CronJobController::new()));
    s.c.run_for(Duration::from_secs(1));
    assert_eq!(job_names(&mut s), [format!("late-{}", MINUTE0 + 180)]);
    let events = fake::events(&mut s.c, "default", "late");
    assert_eq!(events[0].0, "TooManyMissedTimes");
    assert_eq!(
        events[0].1,
        "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew"
    );
}
