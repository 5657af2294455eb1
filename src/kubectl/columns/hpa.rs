//! HorizontalPodAutoscaler rows: REFERENCE, TARGETS (`cpu: 12%/50%`, a metric's current value over
//! its target, `<unknown>` before the first measurement), MINPODS, MAXPODS, REPLICAS, as kubectl's
//! printHorizontalPodAutoscaler formats them.

use k8s_openapi::api::autoscaling::v2::{HorizontalPodAutoscaler, MetricSpec, MetricStatus};

use super::{Cells, RowCtx, age};

/// How many metrics TARGETS lists before `+ N more...`.
const SHOWN_METRICS: usize = 2;

pub fn cells(hpa: &HorizontalPodAutoscaler, ctx: &RowCtx) -> Cells {
    let spec = Some(&hpa.spec);
    let reference =
        spec.map(|s| format!("{}/{}", s.scale_target_ref.kind, s.scale_target_ref.name)).unwrap_or_default();
    let current = hpa.status.as_ref().and_then(|s| s.current_metrics.as_deref()).unwrap_or_default();
    let targets = targets(spec.and_then(|s| s.metrics.as_deref()).unwrap_or_default(), current);
    let min = spec.and_then(|s| s.min_replicas).map_or_else(|| "<unset>".to_string(), |m| m.to_string());
    let max = spec.map_or(0, |s| s.max_replicas).to_string();
    let replicas = hpa.status.as_ref().and_then(|s| s.current_replicas).unwrap_or(0).to_string();
    vec![hpa.metadata.name.clone().unwrap_or_default(), reference, targets, min, max, replicas, age(&hpa.metadata, ctx)]
}

fn targets(specs: &[MetricSpec], current: &[MetricStatus]) -> String {
    if specs.is_empty() {
        return "<none>".into();
    }
    let shown: Vec<String> = specs.iter().take(SHOWN_METRICS).map(|m| one(m, current)).collect();
    let mut text = shown.join(", ");
    if specs.len() > SHOWN_METRICS {
        text.push_str(&format!(" + {} more...", specs.len() - SHOWN_METRICS));
    }
    text
}

/// One Resource metric (the kinds the simulation serves); other types print `<unknown>/<unknown>`.
fn one(spec: &MetricSpec, current: &[MetricStatus]) -> String {
    let Some(res) = spec.resource.as_ref() else { return "<unknown>/<unknown>".into() };
    let status = current.iter().filter_map(|c| c.resource.as_ref()).find(|c| c.name == res.name).map(|c| &c.current);
    let target = &res.target;
    if let Some(value) = &target.average_value {
        let now =
            status.and_then(|s| s.average_value.as_ref()).map_or_else(|| "<unknown>".to_string(), |q| q.0.clone());
        return format!("{}: {now}/{}", res.name, value.0);
    }
    let goal = target.average_utilization.unwrap_or(0);
    let now = status.and_then(|s| s.average_utilization).map_or_else(|| "<unknown>".to_string(), |u| format!("{u}%"));
    format!("{}: {now}/{goal}%", res.name)
}
