//! Workload kinds (Deployment, ReplicaSet, DaemonSet, StatefulSet, Job, CronJob): their defaults
//! (apps/v1 and batch/v1 SetDefaults_*), template validation, the selector-matches-template rule, and
//! immutable selectors.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::apps::v1::{
    DaemonSetUpdateStrategy, DeploymentStrategy, RollingUpdateDaemonSet, RollingUpdateDeployment,
    RollingUpdateStatefulSetStrategy, StatefulSetPersistentVolumeClaimRetentionPolicy, StatefulSetUpdateStrategy,
};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::batch::go_map;
use super::pod::{default_pod_spec, validate_pod_spec};
use crate::api::{Object, labels};
use crate::apiserver::field::FieldError;

fn default_template(t: &mut PodTemplateSpec) {
    default_pod_spec(t.spec.get_or_insert_with(Default::default));
}

pub fn default_on_create(obj: &mut Object) {
    match obj {
        Object::Deployment(d) => {
            let d = Arc::make_mut(d);
            let spec = d.spec.get_or_insert_with(Default::default);
            spec.replicas.get_or_insert(1);
            let strategy = spec.strategy.get_or_insert_with(DeploymentStrategy::default);
            let kind = strategy.type_.get_or_insert_with(|| "RollingUpdate".into());
            if kind == "RollingUpdate" {
                let ru = strategy.rolling_update.get_or_insert_with(RollingUpdateDeployment::default);
                ru.max_unavailable.get_or_insert_with(|| IntOrString::String("25%".into()));
                ru.max_surge.get_or_insert_with(|| IntOrString::String("25%".into()));
            }
            spec.revision_history_limit.get_or_insert(10);
            spec.progress_deadline_seconds.get_or_insert(600);
            default_template(&mut spec.template);
        }
        Object::ReplicaSet(r) => {
            let spec = Arc::make_mut(r).spec.get_or_insert_with(Default::default);
            spec.replicas.get_or_insert(1);
            if let Some(t) = &mut spec.template {
                default_template(t);
            }
        }
        Object::DaemonSet(d) => {
            let spec = Arc::make_mut(d).spec.get_or_insert_with(Default::default);
            let strategy = spec.update_strategy.get_or_insert_with(DaemonSetUpdateStrategy::default);
            let kind = strategy.type_.get_or_insert_with(|| "RollingUpdate".into());
            if kind == "RollingUpdate" {
                let ru = strategy.rolling_update.get_or_insert_with(RollingUpdateDaemonSet::default);
                ru.max_unavailable.get_or_insert(IntOrString::Int(1));
                ru.max_surge.get_or_insert(IntOrString::Int(0));
            }
            spec.revision_history_limit.get_or_insert(10);
            default_template(&mut spec.template);
        }
        Object::StatefulSet(s) => {
            let spec = Arc::make_mut(s).spec.get_or_insert_with(Default::default);
            spec.replicas.get_or_insert(1);
            spec.pod_management_policy.get_or_insert_with(|| "OrderedReady".into());
            let strategy = spec.update_strategy.get_or_insert_with(StatefulSetUpdateStrategy::default);
            let kind = strategy.type_.get_or_insert_with(|| "RollingUpdate".into());
            if kind == "RollingUpdate" {
                strategy
                    .rolling_update
                    .get_or_insert_with(RollingUpdateStatefulSetStrategy::default)
                    .partition
                    .get_or_insert(0);
            }
            spec.revision_history_limit.get_or_insert(10);
            let retention = spec
                .persistent_volume_claim_retention_policy
                .get_or_insert_with(StatefulSetPersistentVolumeClaimRetentionPolicy::default);
            retention.when_deleted.get_or_insert_with(|| "Retain".into());
            retention.when_scaled.get_or_insert_with(|| "Retain".into());
            default_template(&mut spec.template);
        }
        Object::Job(j) => {
            let job = Arc::make_mut(j);
            super::batch::default_job(job);
            if let Some(spec) = job.spec.as_mut() {
                default_template(&mut spec.template);
            }
        }
        Object::CronJob(c) => {
            let spec = &mut Arc::make_mut(c).spec;
            spec.concurrency_policy.get_or_insert_with(|| "Allow".into());
            spec.suspend.get_or_insert(false);
            spec.successful_jobs_history_limit.get_or_insert(3);
            spec.failed_jobs_history_limit.get_or_insert(1);
            if let Some(js) = &mut spec.job_template.spec {
                super::batch::default_job_spec(js);
                default_template(&mut js.template);
            }
        }
        _ => {}
    }
}

/// The selector (required) must select the template's labels.
fn validate_selector(
    selector: Option<&LabelSelector>,
    template: Option<&PodTemplateSpec>,
    errors: &mut Vec<FieldError>,
) {
    let Some(selector) = selector else {
        errors.push(FieldError::required("spec.selector", ""));
        return;
    };
    let empty = selector.match_labels.as_ref().is_none_or(BTreeMap::is_empty)
        && selector.match_expressions.as_ref().is_none_or(Vec::is_empty);
    if empty {
        errors.push(FieldError::invalid_raw("spec.selector", "{}", "empty selector is invalid for deployment"));
        return;
    }
    let labels_map = template.and_then(|t| t.metadata.as_ref()).and_then(|m| m.labels.clone()).unwrap_or_default();
    match labels::Selector::from_label_selector(selector) {
        Ok(sel) if !sel.matches(&labels_map) => {
            errors.push(FieldError::invalid_raw(
                "spec.template.metadata.labels",
                format!("map[string]string{{{}}}", go_map(&labels_map)),
                "`selector` does not match template `labels`",
            ));
        }
        Ok(_) => {}
        Err(e) => errors.push(FieldError::invalid_raw("spec.selector", "{}", &e.to_string())),
    }
}

fn validate_replicas(replicas: Option<i32>, errors: &mut Vec<FieldError>) {
    if let Some(r) = replicas
        && r < 0
    {
        errors.push(FieldError::invalid_raw("spec.replicas", r, "must be greater than or equal to 0"));
    }
}

fn validate_restart_policy(t: &PodTemplateSpec, allowed: &[&str], errors: &mut Vec<FieldError>) {
    let policy = t.spec.as_ref().and_then(|s| s.restart_policy.as_deref()).unwrap_or("Always");
    if !allowed.contains(&policy) {
        errors.push(FieldError::not_supported("spec.template.spec.restartPolicy", policy, allowed));
    }
}

fn validate_template(t: &PodTemplateSpec, errors: &mut Vec<FieldError>) {
    match &t.spec {
        Some(spec) => validate_pod_spec(spec, "spec.template.spec", errors),
        None => errors.push(FieldError::required("spec.template.spec.containers", "")),
    }
}

pub fn validate(obj: &Object) -> Vec<FieldError> {
    let mut errors = Vec::new();
    match obj {
        Object::Deployment(d) => {
            if let Some(s) = &d.spec {
                validate_replicas(s.replicas, &mut errors);
                validate_selector(Some(&s.selector), Some(&s.template), &mut errors);
                validate_template(&s.template, &mut errors);
                validate_restart_policy(&s.template, &["Always"], &mut errors);
            }
        }
        Object::ReplicaSet(r) => {
            if let Some(s) = &r.spec {
                validate_replicas(s.replicas, &mut errors);
                validate_selector(Some(&s.selector), s.template.as_ref(), &mut errors);
                if let Some(t) = &s.template {
                    validate_template(t, &mut errors);
                    validate_restart_policy(t, &["Always"], &mut errors);
                }
            }
        }
        Object::DaemonSet(d) => {
            if let Some(s) = &d.spec {
                validate_selector(Some(&s.selector), Some(&s.template), &mut errors);
                validate_template(&s.template, &mut errors);
                validate_restart_policy(&s.template, &["Always"], &mut errors);
            }
        }
        Object::StatefulSet(st) => {
            if let Some(s) = &st.spec {
                validate_replicas(s.replicas, &mut errors);
                validate_selector(Some(&s.selector), Some(&s.template), &mut errors);
                validate_template(&s.template, &mut errors);
                validate_restart_policy(&s.template, &["Always"], &mut errors);
            }
        }
        Object::Job(j) => {
            super::batch::validate_job(j, &mut errors);
            if let Some(s) = &j.spec {
                validate_template(&s.template, &mut errors);
                validate_restart_policy(&s.template, &["OnFailure", "Never"], &mut errors);
                for (field, v) in [
                    ("spec.parallelism", s.parallelism),
                    ("spec.completions", s.completions),
                    ("spec.backoffLimit", s.backoff_limit),
                ] {
                    if let Some(v) = v
                        && v < 0
                    {
                        errors.push(FieldError::invalid_raw(field, v, "must be greater than or equal to 0"));
                    }
                }
            }
        }
        Object::CronJob(c) => {
            super::batch::validate_cron_job(c, &mut errors);
            if let Some(js) = &c.spec.job_template.spec {
                validate_restart_policy(&js.template, &["OnFailure", "Never"], &mut errors);
            }
        }
        _ => {}
    }
    errors
}

/// Selectors of apps/v1 workloads and Jobs are immutable.
pub fn validate_update(new: &Object, old: &Object) -> Vec<FieldError> {
    let (a, b) = match (new, old) {
        (Object::Deployment(a), Object::Deployment(b)) => {
            (a.spec.as_ref().map(|s| &s.selector), b.spec.as_ref().map(|s| &s.selector))
        }
        (Object::ReplicaSet(a), Object::ReplicaSet(b)) => {
            (a.spec.as_ref().map(|s| &s.selector), b.spec.as_ref().map(|s| &s.selector))
        }
        (Object::DaemonSet(a), Object::DaemonSet(b)) => {
            (a.spec.as_ref().map(|s| &s.selector), b.spec.as_ref().map(|s| &s.selector))
        }
        (Object::StatefulSet(a), Object::StatefulSet(b)) => {
            (a.spec.as_ref().map(|s| &s.selector), b.spec.as_ref().map(|s| &s.selector))
        }
        (Object::Job(a), Object::Job(b)) => {
            (a.spec.as_ref().and_then(|s| s.selector.as_ref()), b.spec.as_ref().and_then(|s| s.selector.as_ref()))
        }
        _ => return Vec::new(),
    };
    if a == b {
        return Vec::new();
    }
    let shown = a.and_then(|s| s.match_labels.as_ref()).map(go_map).unwrap_or_default();
    vec![FieldError::invalid_raw(
        "spec.selector",
        format!(
            "v1.LabelSelector{{MatchLabels:map[string]string{{{shown}}}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}}"
        ),
        "field is immutable",
    )]
}
