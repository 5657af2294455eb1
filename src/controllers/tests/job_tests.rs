//! The Job controller with the scheduler and kubelets running its pods.

use serde_json::{Value, json};

use super::fake::{self, pods};
use super::live::{Live, live};
use crate::api::Kind;
use crate::controllers::JobController;

fn job(name: &str, spec: Value, command: &[&str]) -> Value {
    let mut v = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "namespace": "default"},
        "spec": {"template": {"spec": {"restartPolicy": "Never",
            "containers": [{"name": name, "image": "busybox", "command": command}]}}}});
    if let (Some(s), Some(extra)) = (v["spec"].as_object_mut(), spec.as_object()) {
        s.extend(extra.clone());
    }
    v
}

fn condition_types(s: &Live, name: &str) -> Vec<String> {
    let j = s.get(Kind::Job, name).unwrap();
    j["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["type"].as_str().unwrap().to_string())
        .collect()
}

fn finished(s: &mut Live, name: &str) -> bool {
    condition_types(s, name).iter().any(|t| t == "Complete" || t == "Failed")
}

#[test]
fn echo_hi_completes_with_both_conditions_logs_and_events() {
    let mut s = live(vec![Box::new(JobController::new())]);
    let created = s.create(Kind::Job, job("hello", json!({}), &["echo", "hi"]));
    s.until(60, "completion", |s| finished(s, "hello"));
    let j = s.get(Kind::Job, "hello").unwrap();
    let st = &j["status"];
    assert_eq!(condition_types(&s, "hello"), ["SuccessCriteriaMet", "Complete"]);
    for c in st["conditions"].as_array().unwrap() {
        assert_eq!((c["status"].as_str(), c["reason"].as_str()), (Some("True"), Some("CompletionsReached")));
        assert_eq!(c["message"], "Reached expected number of succeeded pods");
    }
    assert_eq!(
        (st["succeeded"].as_i64(), st["ready"].as_i64(), st["terminating"].as_i64()),
        (Some(1), Some(0), Some(0))
    );
    assert_eq!(st["uncountedTerminatedPods"], json!({}));
    assert!(st.get("active").is_none() && st.get("failed").is_none(), "{st}");
    assert!(s.secs(&st["completionTime"]) >= s.secs(&st["startTime"]));
    let ps = pods(&mut s.c, "default", "hello-");
    assert_eq!(ps.len(), 1);
    let p = &ps[0];
    let name = p.metadata.name.clone().unwrap();
    let labels = p.metadata.labels.clone().unwrap();
    let uid = created.uid().to_string();
    for (k, v) in [
        ("batch.kubernetes.io/job-name", "hello"),
        ("job-name", "hello"),
        ("batch.kubernetes.io/controller-uid", uid.as_str()),
        ("controller-uid", uid.as_str()),
    ] {
        assert_eq!(labels.get(k).map(String::as_str), Some(v), "{k}");
    }
    assert!(p.metadata.finalizers.as_ref().is_none_or(Vec::is_empty), "tracking finalizer removed once counted");
    assert_eq!(s.logs(&name), "hi\n");
    let events = fake::events(&mut s.c, "default", "hello");
    assert_eq!(
        events,
        [
            ("SuccessfulCreate".to_string(), format!("Created pod: {name}")),
            ("Completed".to_string(), "Job completed".to_string())
        ]
    );
}

#[test]
fn failing_job_backs_off_10_then_20_seconds_and_fails_past_the_backoff_limit() {
    let mut s = live(vec![Box::new(JobController::new())]);
    s.create(Kind::Job, job("fail", json!({"backoffLimit": 2}), &["sh", "-c", "exit 1"]));
    s.until(180, "failure", |s| finished(s, "fail"));
    assert_eq!(condition_types(&s, "fail"), ["FailureTarget", "Failed"]);
    let j = s.get(Kind::Job, "fail").unwrap();
    for c in j["status"]["conditions"].as_array().unwrap() {
        assert_eq!(c["reason"], "BackoffLimitExceeded");
        assert_eq!(c["message"], "Job has reached the specified backoff limit");
    }
    assert_eq!(j["status"]["failed"], 3);
    assert!(j["status"].get("completionTime").is_none());
    // Each replacement is created when the back-off after the previous failure runs out: 10 s after
    // the first failure, 20 s after the second.
    let mut runs: Vec<(i64, i64)> = pods(&mut s.c, "default", "fail-")
        .iter()
        .map(|p| {
            let v = crate::api::Object::Pod(p.clone()).to_value();
            let created = s.secs(&v["metadata"]["creationTimestamp"]);
            let done = s.secs(&v["status"]["containerStatuses"][0]["state"]["terminated"]["finishedAt"]);
            (created, done)
        })
        .collect();
    runs.sort();
    assert_eq!(runs.len(), 3, "{runs:?}");
    assert_eq!(runs[1].0 - runs[0].1, 10, "{runs:?}");
    assert_eq!(runs[2].0 - runs[1].1, 20, "{runs:?}");
    let failed_at = s.secs(&j["status"]["conditions"][1]["lastTransitionTime"]);
    assert!((1..=2).contains(&(failed_at - runs[2].1)), "noticed within the 1 s batch period: {failed_at} {runs:?}");
    let events = fake::events(&mut s.c, "default", "fail");
    let reasons: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(reasons, ["SuccessfulCreate", "SuccessfulCreate", "SuccessfulCreate", "BackoffLimitExceeded"]);
    assert_eq!(events[3].1, "Job has reached the specified backoff limit");
}

#[test]
fn indexed_job_runs_every_index_with_its_hostname_annotation_and_label() {
    let mut s = live(vec![Box::new(JobController::new())]);
    let spec = json!({"completions": 3, "parallelism": 2, "completionMode": "Indexed"});
    s.create(Kind::Job, job("ix", spec, &["echo", "done"]));
    s.until(120, "completion", |s| finished(s, "ix"));
    let j = s.get(Kind::Job, "ix").unwrap();
    assert_eq!(j["status"]["completedIndexes"], "0-2");
    assert_eq!(j["status"]["succeeded"], 3);
    let mut seen = Vec::new();
    for p in pods(&mut s.c, "default", "ix-") {
        let ix = p.metadata.annotations.as_ref().unwrap()["batch.kubernetes.io/job-completion-index"].clone();
        assert_eq!(p.metadata.labels.as_ref().unwrap()["batch.kubernetes.io/job-completion-index"], ix);
        assert_eq!(p.metadata.generate_name.as_deref(), Some(format!("ix-{ix}-").as_str()));
        assert_eq!(p.spec.as_ref().unwrap().hostname.as_deref(), Some(format!("ix-{ix}").as_str()));
        let env = p.spec.as_ref().unwrap().containers[0].env.clone().unwrap();
        assert_eq!(env[0].name, "JOB_COMPLETION_INDEX");
        seen.push(ix);
    }
    seen.sort();
    assert_eq!(seen, ["0", "1", "2"]);
}

#[test]
fn parallel_job_keeps_parallelism_pods_until_completions() {
    let mut s = live(vec![Box::new(JobController::new())]);
    s.create(Kind::Job, job("par", json!({"completions": 4, "parallelism": 2}), &["sleep", "3"]));
    let mut max_active = 0;
    s.until(120, "completion", |s| {
        let active = s.get(Kind::Job, "par").unwrap()["status"]["active"].as_i64().unwrap_or(0);
        max_active = max_active.max(active);
        finished(s, "par")
    });
    assert_eq!(max_active, 2);
    assert_eq!(s.get(Kind::Job, "par").unwrap()["status"]["succeeded"], 4);
    assert_eq!(pods(&mut s.c, "default", "par-").len(), 4);
}

#[test]
fn active_deadline_fails_the_job_and_deletes_its_pods() {
    let mut s = live(vec![Box::new(JobController::new())]);
    s.create(Kind::Job, job("slow", json!({"activeDeadlineSeconds": 5}), &["sleep", "100"]));
    s.until(90, "failure", |s| finished(s, "slow"));
    assert_eq!(condition_types(&s, "slow"), ["FailureTarget", "Failed"]);
    let j = s.get(Kind::Job, "slow").unwrap();
    let target = &j["status"]["conditions"][0];
    assert_eq!(target["reason"], "DeadlineExceeded");
    assert_eq!(target["message"], "Job was active longer than specified deadline");
    assert_eq!(s.secs(&target["lastTransitionTime"]) - s.secs(&j["status"]["startTime"]), 5);
    let reasons: Vec<String> = fake::events(&mut s.c, "default", "slow").into_iter().map(|e| e.0).collect();
    assert_eq!(reasons, ["SuccessfulCreate", "SuccessfulDelete", "DeadlineExceeded"]);
    assert_eq!(j["status"]["failed"], 1);
}

#[test]
fn pod_failure_policy_fails_the_job_on_a_listed_exit_code_and_ignores_others() {
    let mut s = live(vec![Box::new(JobController::new())]);
    let rules = |action: &str, code: i64| {
        json!({"podFailurePolicy": {"rules": [{"action": action, "onExitCodes": {"operator": "In", "values": [code]}}]},
            "backoffLimit": 0})
    };
    s.create(Kind::Job, job("fatal", rules("FailJob", 42), &["sh", "-c", "exit 42"]));
    s.until(60, "failure", |s| finished(s, "fatal"));
    let j = s.get(Kind::Job, "fatal").unwrap();
    let c = &j["status"]["conditions"][1];
    assert_eq!((c["type"].as_str(), c["reason"].as_str()), (Some("Failed"), Some("PodFailurePolicy")));
    let pod = pods(&mut s.c, "default", "fatal-")[0].metadata.name.clone().unwrap();
    assert_eq!(
        c["message"],
        format!("Container fatal for pod default/{pod} failed with exit code 42 matching FailJob rule at index 0")
    );
    // An ignored failure does not count against backoffLimit 0: the Job keeps replacing the pod.
    s.create(Kind::Job, job("flaky", rules("Ignore", 3), &["sh", "-c", "exit 3"]));
    s.until(120, "two replacements", |s| pods(&mut s.c, "default", "flaky-").len() >= 3);
    assert!(!finished(&mut s, "flaky"));
    assert!(s.get(Kind::Job, "flaky").unwrap()["status"].get("failed").is_none());
}

/// A wide Job's creates are spread over wake-ups so the web page is never held by a hundred of
/// them at once, and its status counts every pod its spread-out sync created.
#[test]
fn a_wide_job_creates_its_pods_a_wake_up_share_at_a_time() {
    use crate::controllers::pod_calls::CALLS_PER_WAKE;
    use crate::sim::Duration;
    use crate::sim::trace::Component;
    let mut s = live(vec![Box::new(JobController::new())]);
    s.create(Kind::Job, job("wide", json!({"parallelism": 100, "completions": 100}), &["sleep", "600"]));
    let controller = Component::ControllerManager("job");
    let most = s.c.most_per_item(Duration::from_secs(2), |entries| {
        entries.iter().filter(|e| e.from == controller && e.verb == "create" && e.object.kind == "Pod").count()
    });
    assert_eq!(most, CALLS_PER_WAKE);
    assert_eq!(pods(&mut s.c, "default", "wide-").len(), 100);
    s.until(30, "status", |s| s.get(Kind::Job, "wide").unwrap()["status"]["active"] == 100);
}
