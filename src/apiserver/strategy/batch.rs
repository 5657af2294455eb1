//! batch/v1 Job and CronJob: the Job's defaults (SetDefaults_Job), the selector the api-server
//! generates from the Job's uid unless `manualSelector` is true (with the `job-name` and
//! `controller-uid` labels on the template, and on the Job itself when it has none, as a read back
//! from storage shows them), and validation: the generated selector, completion modes, and the
//! CronJob's schedule (parsed as robfig/cron does), time zone and concurrency policy.

use std::collections::BTreeMap;

use k8s_openapi::api::batch::v1::{CronJob, Job, JobSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::api::cron::{parse_standard, zone_offset};
use crate::api::labels;
use crate::apiserver::field::FieldError;

const CONTROLLER_UID: &str = "batch.kubernetes.io/controller-uid";
const LEGACY_CONTROLLER_UID: &str = "controller-uid";
const JOB_NAME: &str = "batch.kubernetes.io/job-name";
const LEGACY_JOB_NAME: &str = "job-name";

/// `SetDefaults_Job` on a Job's spec (also used for a CronJob's job template).
pub fn default_job_spec(spec: &mut JobSpec) {
    if spec.completions.is_none() && spec.parallelism.is_none() {
        spec.completions = Some(1);
        spec.parallelism = Some(1);
    }
    spec.parallelism.get_or_insert(1);
    let backoff = if spec.backoff_limit_per_index.is_some() { i32::MAX } else { 6 };
    spec.backoff_limit.get_or_insert(backoff);
    spec.completion_mode.get_or_insert_with(|| "NonIndexed".into());
    spec.suspend.get_or_insert(false);
    for rule in spec.pod_failure_policy.iter_mut().flat_map(|p| p.rules.iter_mut()) {
        for pattern in rule.on_pod_conditions.iter_mut().flatten() {
            pattern.status.get_or_insert_with(|| "True".into());
        }
    }
    let replacement = if spec.pod_failure_policy.is_some() { "Failed" } else { "TerminatingOrFailed" };
    spec.pod_replacement_policy.get_or_insert_with(|| replacement.into());
}

/// Defaults and, unless the selector is manual, `generateSelector`.
pub fn default_job(job: &mut Job) {
    let uid = job.metadata.uid.clone().unwrap_or_default();
    let name = job.metadata.name.clone().unwrap_or_default();
    let spec = job.spec.get_or_insert_with(Default::default);
    default_job_spec(spec);
    let manual = *spec.manual_selector.get_or_insert(false);
    if !manual && !uid.is_empty() {
        let tl = spec.template.metadata.get_or_insert_with(Default::default).labels.get_or_insert_with(BTreeMap::new);
        for (k, v) in
            [(LEGACY_JOB_NAME, &name), (JOB_NAME, &name), (LEGACY_CONTROLLER_UID, &uid), (CONTROLLER_UID, &uid)]
        {
            tl.entry(k.to_string()).or_insert_with(|| v.clone());
        }
        let selector = spec.selector.get_or_insert_with(LabelSelector::default);
        selector.match_labels.get_or_insert_with(BTreeMap::new).entry(CONTROLLER_UID.into()).or_insert(uid);
    }
    let template_labels = spec.template.metadata.as_ref().and_then(|m| m.labels.clone());
    if job.metadata.labels.as_ref().is_none_or(BTreeMap::is_empty) && template_labels.is_some() {
        job.metadata.labels = template_labels;
    }
}

/// `ValidateHasLabel`.
fn has_label(labels: &BTreeMap<String, String>, key: &str, want: &str, errors: &mut Vec<FieldError>) {
    let path = format!("spec.template.metadata.labels[{key}]");
    match labels.get(key) {
        None => errors.push(FieldError::required(&path, &format!("must be '{want}'"))),
        Some(v) if v != want => errors.push(FieldError::invalid(&path, v, &format!("must be '{want}'"))),
        Some(_) => {}
    }
}

/// Job rules beyond the pod template: the selector (generated or manual), counts and modes.
pub fn validate_job(job: &Job, errors: &mut Vec<FieldError>) {
    let Some(spec) = &job.spec else { return };
    let labels_map = spec.template.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default();
    let name = job.metadata.name.as_deref().unwrap_or("");
    let uid = job.metadata.uid.as_deref().unwrap_or("");
    if spec.manual_selector != Some(true) {
        for (k, v) in [(LEGACY_CONTROLLER_UID, uid), (LEGACY_JOB_NAME, name), (CONTROLLER_UID, uid), (JOB_NAME, name)] {
            has_label(&labels_map, k, v, errors);
        }
    }
    match &spec.selector {
        None => errors.push(FieldError::required("spec.selector", "")),
        Some(sel) => match labels::Selector::from_label_selector(sel) {
            Ok(s) if !s.matches(&labels_map) => errors.push(FieldError::invalid_raw(
                "spec.template.metadata.labels",
                format!("map[string]string{{{}}}", go_map(&labels_map)),
                "`selector` does not match template `labels`",
            )),
            Ok(_) => {}
            Err(e) => errors.push(FieldError::invalid_raw("spec.selector", "{}", &e.to_string())),
        },
    }
    let mode = spec.completion_mode.as_deref().unwrap_or("NonIndexed");
    match mode {
        "NonIndexed" => {}
        "Indexed" if spec.completions.is_none() => {
            errors.push(FieldError::required("spec.completions", "when completion mode is Indexed"));
        }
        "Indexed" => {}
        other => errors.push(FieldError::not_supported("spec.completionMode", other, &["NonIndexed", "Indexed"])),
    }
    if let Some(d) = spec.active_deadline_seconds
        && d <= 0
    {
        errors.push(FieldError::invalid_raw("spec.activeDeadlineSeconds", d, "must be greater than 0"));
    }
    if let Some(t) = spec.ttl_seconds_after_finished
        && t < 0
    {
        errors.push(FieldError::invalid_raw("spec.ttlSecondsAfterFinished", t, "must be greater than or equal to 0"));
    }
}

/// The inside of a Go `%#v` of a `map[string]string`.
pub(super) fn go_map(m: &BTreeMap<String, String>) -> String {
    m.iter().map(|(k, v)| format!("{k:?}:{v:?}")).collect::<Vec<_>>().join(", ")
}

/// `validateScheduleFormat`, `validateTimeZone`, the concurrency policy and the limits.
pub fn validate_cron_job(cj: &CronJob, errors: &mut Vec<FieldError>) {
    let s = &cj.spec;
    if s.schedule.is_empty() {
        errors.push(FieldError::required("spec.schedule", ""));
    } else {
        if let Err(e) = parse_standard(&s.schedule) {
            errors.push(FieldError::invalid("spec.schedule", &s.schedule, &e.to_string()));
        }
        if s.schedule.contains("TZ") {
            let detail = if s.time_zone.is_some() {
                "cannot use both timeZone field and TZ or CRON_TZ in schedule"
            } else {
                "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
            };
            errors.push(FieldError::invalid("spec.schedule", &s.schedule, detail));
        }
    }
    if let Some(tz) = &s.time_zone {
        if tz.is_empty() {
            errors.push(FieldError::invalid("spec.timeZone", tz, "timeZone must be nil or non-empty string"));
        } else if tz.eq_ignore_ascii_case("Local") {
            errors.push(FieldError::invalid(
                "spec.timeZone",
                tz,
                "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
            ));
        } else if let Err(e) = zone_offset(tz) {
            errors.push(FieldError::invalid("spec.timeZone", tz, &e.to_string()));
        }
    }
    let policy = s.concurrency_policy.as_deref().unwrap_or("Allow");
    if !matches!(policy, "Allow" | "Forbid" | "Replace") {
        errors.push(FieldError::not_supported("spec.concurrencyPolicy", policy, &["Allow", "Forbid", "Replace"]));
    }
    if let Some(d) = s.starting_deadline_seconds
        && d < 0
    {
        errors.push(FieldError::invalid_raw("spec.startingDeadlineSeconds", d, "must be greater than or equal to 0"));
    }
    for (field, v) in [
        ("spec.successfulJobsHistoryLimit", s.successful_jobs_history_limit),
        ("spec.failedJobsHistoryLimit", s.failed_jobs_history_limit),
    ] {
        if let Some(v) = v
            && v < 0
        {
            errors.push(FieldError::invalid_raw(field, v, "must be greater than or equal to 0"));
        }
    }
    let name = cj.metadata.name.as_deref().unwrap_or("");
    if name.len() > 52 {
        errors.push(FieldError::invalid("metadata.name", name, "must be no more than 52 characters"));
    }
}

#[cfg(test)]
mod tests {
    use crate::api::{Kind, Object};
    use crate::apiserver::ApiServer;
    use crate::apiserver::identity::Identity;
    use crate::sim::Clock;
    use serde_json::json;

    fn create(kind: Kind, v: serde_json::Value) -> Result<serde_json::Value, String> {
        let mut api = ApiServer::new(1, Clock::default());
        let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}});
        api.create(&Identity::admin(), Object::from_value(Kind::Namespace, ns).unwrap(), &Default::default()).unwrap();
        let obj = Object::from_value(kind, v).unwrap();
        api.create(&Identity::admin(), obj, &Default::default()).map(|o| o.to_value()).map_err(|e| e.message)
    }

    fn job(spec: serde_json::Value) -> serde_json::Value {
        let mut v = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi", "namespace": "default"},
            "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "pi", "image": "perl"}]}}}});
        if let (Some(s), Some(e)) = (v["spec"].as_object_mut(), spec.as_object()) {
            s.extend(e.clone());
        }
        v
    }

    #[test]
    fn jobs_get_upstream_defaults_and_a_generated_selector() {
        let j = create(Kind::Job, job(json!({}))).unwrap();
        let uid = j["metadata"]["uid"].as_str().unwrap();
        let s = &j["spec"];
        assert_eq!(
            (s["completions"].as_i64(), s["parallelism"].as_i64(), s["backoffLimit"].as_i64()),
            (Some(1), Some(1), Some(6))
        );
        assert_eq!((s["completionMode"].as_str(), s["suspend"].as_bool()), (Some("NonIndexed"), Some(false)));
        assert_eq!(
            (s["manualSelector"].as_bool(), s["podReplacementPolicy"].as_str()),
            (Some(false), Some("TerminatingOrFailed"))
        );
        assert_eq!(s["selector"], json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}));
        let want = json!({"batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": "pi",
            "controller-uid": uid, "job-name": "pi"});
        assert_eq!(s["template"]["metadata"]["labels"], want);
        assert_eq!(j["metadata"]["labels"], want);
        let pf = create(
            Kind::Job,
            job(json!({"podFailurePolicy": {"rules": [{"action": "Ignore",
            "onPodConditions": [{"type": "DisruptionTarget"}]}]}})),
        )
        .unwrap();
        assert_eq!(pf["spec"]["podReplacementPolicy"], "Failed");
        assert_eq!(pf["spec"]["podFailurePolicy"]["rules"][0]["onPodConditions"][0]["status"], "True");
    }

    #[test]
    fn job_validation_reads_like_upstream() {
        let err = create(Kind::Job, job(json!({"selector": {"matchLabels": {"a": "b"}}}))).unwrap_err();
        assert!(err.contains("`selector` does not match template `labels`"), "{err}");
        let err = create(Kind::Job, job(json!({"manualSelector": true}))).unwrap_err();
        assert!(err.contains("spec.selector: Required value"), "{err}");
        let err = create(Kind::Job, job(json!({"completionMode": "Indexed", "completions": null, "parallelism": 2})))
            .unwrap_err();
        assert!(err.contains("spec.completions: Required value: when completion mode is Indexed"), "{err}");
        let mut always = job(json!({}));
        always["spec"]["template"]["spec"]["restartPolicy"] = json!("Always");
        let err = create(Kind::Job, always).unwrap_err();
        assert!(err.contains("spec.template.spec.restartPolicy: Unsupported value: \"Always\""), "{err}");
        let manual = job(json!({"manualSelector": true, "selector": {"matchLabels": {"app": "pi"}},
            "template": {"metadata": {"labels": {"app": "pi"}}, "spec": {"restartPolicy": "Never",
                "containers": [{"name": "pi", "image": "perl"}]}}}));
        let j = create(Kind::Job, manual).unwrap();
        assert_eq!(j["spec"]["template"]["metadata"]["labels"], json!({"app": "pi"}));
    }

    #[test]
    fn cronjob_schedules_and_time_zones_are_validated() {
        let cj = |schedule: &str, tz: Option<&str>| {
            json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "default"},
                "spec": {"schedule": schedule, "timeZone": tz, "jobTemplate": {"spec": {"template": {"spec": {
                    "restartPolicy": "OnFailure", "containers": [{"name": "c", "image": "busybox"}]}}}}}})
        };
        assert!(create(Kind::CronJob, cj("*/5 * * * *", Some("Asia/Tokyo"))).is_ok());
        let err = create(Kind::CronJob, cj("61 * * * *", None)).unwrap_err();
        assert!(
            err.contains("spec.schedule: Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61"),
            "{err}"
        );
        let err = create(Kind::CronJob, cj("* * *", None)).unwrap_err();
        assert!(err.contains("expected exactly 5 fields, found 3: [* * *]"), "{err}");
        let err = create(Kind::CronJob, cj("@daily", Some("Mars/Base"))).unwrap_err();
        assert!(err.contains("spec.timeZone: Invalid value: \"Mars/Base\": unknown time zone Mars/Base"), "{err}");
        let err = create(Kind::CronJob, cj("CRON_TZ=UTC 0 * * * *", None)).unwrap_err();
        assert!(err.contains("cannot use TZ or CRON_TZ in schedule, use timeZone field instead"), "{err}");
    }
}
