//! Rows of the workload kinds: Deployments, ReplicaSets, DaemonSets, StatefulSets, Jobs and CronJobs,
//! with their wide CONTAINERS, IMAGES and SELECTOR columns.

use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, Time};

use super::{Cells, RowCtx, age};
use crate::api::Object;
use crate::api::duration::human_duration;
use crate::api::labels::Selector;

fn containers_and_images(t: Option<&PodTemplateSpec>) -> (String, String) {
    let containers = t.and_then(|t| t.spec.as_ref()).map(|s| s.containers.as_slice()).unwrap_or_default();
    let names = containers.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(",");
    let images = containers.iter().map(|c| c.image.as_deref().unwrap_or("")).collect::<Vec<_>>().join(",");
    (names, images)
}

/// `metav1.FormatLabelSelector`: `<none>` for an empty selector.
pub fn format_selector(s: Option<&LabelSelector>) -> String {
    match s.map(Selector::from_label_selector) {
        Some(Ok(sel)) if !sel.is_empty() => sel.to_string(),
        Some(Err(_)) => "<error>".into(),
        _ => "<none>".into(),
    }
}

fn ms(t: Option<&Time>) -> Option<i64> {
    t.map(|t| t.0.as_millisecond())
}

pub fn cells(obj: &Object, ctx: &RowCtx) -> Cells {
    let name = obj.name().to_string();
    let age = age(obj.meta(), ctx);
    match obj {
        Object::Deployment(d) => {
            let spec = d.spec.as_ref();
            let st = d.status.as_ref();
            let desired = spec.and_then(|s| s.replicas).unwrap_or(0);
            let (c, i) = containers_and_images(spec.map(|s| &s.template));
            vec![
                name,
                format!("{}/{desired}", st.and_then(|s| s.ready_replicas).unwrap_or(0)),
                st.and_then(|s| s.updated_replicas).unwrap_or(0).to_string(),
                st.and_then(|s| s.available_replicas).unwrap_or(0).to_string(),
                age,
                c,
                i,
                format_selector(spec.map(|s| &s.selector)),
            ]
        }
        Object::ReplicaSet(r) => {
            let spec = r.spec.as_ref();
            let st = r.status.as_ref();
            let (c, i) = containers_and_images(spec.and_then(|s| s.template.as_ref()));
            vec![
                name,
                spec.and_then(|s| s.replicas).unwrap_or(0).to_string(),
                st.map_or(0, |s| s.replicas).to_string(),
                st.and_then(|s| s.ready_replicas).unwrap_or(0).to_string(),
                age,
                c,
                i,
                format_selector(spec.map(|s| &s.selector)),
            ]
        }
        Object::DaemonSet(d) => {
            let spec = d.spec.as_ref();
            let st = d.status.as_ref();
            let (c, i) = containers_and_images(spec.map(|s| &s.template));
            let node_selector = spec
                .and_then(|s| s.template.spec.as_ref())
                .and_then(|s| s.node_selector.as_ref())
                .filter(|m| !m.is_empty())
                .map(|m| m.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","))
                .unwrap_or_else(|| "<none>".into());
            vec![
                name,
                st.map_or(0, |s| s.desired_number_scheduled).to_string(),
                st.map_or(0, |s| s.current_number_scheduled).to_string(),
                st.map_or(0, |s| s.number_ready).to_string(),
                st.and_then(|s| s.updated_number_scheduled).unwrap_or(0).to_string(),
                st.and_then(|s| s.number_available).unwrap_or(0).to_string(),
                node_selector,
                age,
                c,
                i,
                format_selector(spec.map(|s| &s.selector)),
            ]
        }
        Object::StatefulSet(s) => {
            let spec = s.spec.as_ref();
            let st = s.status.as_ref();
            let (c, i) = containers_and_images(spec.map(|s| &s.template));
            vec![
                name,
                format!(
                    "{}/{}",
                    st.and_then(|s| s.ready_replicas).unwrap_or(0),
                    spec.and_then(|s| s.replicas).unwrap_or(0)
                ),
                age,
                c,
                i,
            ]
        }
        Object::Job(j) => {
            let spec = j.spec.as_ref();
            let st = j.status.as_ref();
            let conditions = st.and_then(|s| s.conditions.as_deref()).unwrap_or_default();
            let has = |t: &str| conditions.iter().any(|c| c.type_ == t && c.status == "True");
            let status = if has("Complete") {
                "Complete"
            } else if has("Failed") {
                "Failed"
            } else if j.metadata.deletion_timestamp.is_some() {
                "Terminating"
            } else if has("Suspended") {
                "Suspended"
            } else if has("FailureTarget") {
                "FailureTarget"
            } else {
                "Running"
            };
            let succeeded = st.and_then(|s| s.succeeded).unwrap_or(0);
            let completions = match (spec.and_then(|s| s.completions), spec.and_then(|s| s.parallelism).unwrap_or(1)) {
                (Some(c), _) => format!("{succeeded}/{c}"),
                (None, p) if p > 1 => format!("{succeeded}/1 of {p}"),
                (None, _) => format!("{succeeded}/1"),
            };
            let start = ms(st.and_then(|s| s.start_time.as_ref()));
            let end = ms(st.and_then(|s| s.completion_time.as_ref()));
            let duration = match (start, end) {
                (Some(s), Some(e)) => human_duration(e - s),
                (Some(s), None) => human_duration(ctx.now_ms - s),
                _ => String::new(),
            };
            let (c, i) = containers_and_images(spec.map(|s| &s.template));
            vec![
                name,
                status.into(),
                completions,
                duration,
                age,
                c,
                i,
                format_selector(spec.and_then(|s| s.selector.as_ref())),
            ]
        }
        Object::CronJob(cj) => {
            let spec = &cj.spec;
            let st = cj.status.as_ref();
            let last = match ms(st.and_then(|s| s.last_schedule_time.as_ref())) {
                Some(t) => human_duration(ctx.now_ms - t),
                None => "<none>".into(),
            };
            let template = spec.job_template.spec.as_ref().map(|s| &s.template);
            let (c, i) = containers_and_images(template);
            let selector = spec.job_template.spec.as_ref().and_then(|s| s.selector.as_ref());
            vec![
                name,
                spec.schedule.clone(),
                spec.time_zone.clone().unwrap_or_else(|| "<none>".into()),
                if spec.suspend.unwrap_or(false) { "True".into() } else { "False".into() },
                st.and_then(|s| s.active.as_ref()).map_or(0, Vec::len).to_string(),
                last,
                age,
                c,
                i,
                format_selector(selector),
            ]
        }
        _ => vec![name, age],
    }
}
