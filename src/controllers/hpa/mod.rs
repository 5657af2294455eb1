//! The HorizontalPodAutoscaler controller (autoscaling/v2, `horizontal-pod-autoscaler`): every 15 s
//! (and when an HPA changes) it reads the target's scale, the use of its pods from the metrics
//! source, computes desired = ceil(current × usage / target) with the 10 % tolerance, applies the
//! 300 s scale-down stabilization, the scale-up rate and min/max, scales the target (its
//! `spec.replicas`, as the scale subresource would) with a `SuccessfulRescale` event, and reports
//! currentMetrics, desiredReplicas, lastScaleTime and the AbleToScale, ScalingActive and
//! ScalingLimited conditions. Only Resource metrics with Utilization targets are computed.

pub mod metrics;
pub mod replicas;

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::autoscaling::v2::{
    HorizontalPodAutoscaler, HorizontalPodAutoscalerCondition, HorizontalPodAutoscalerStatus, MetricStatus,
    MetricValueStatus, ResourceMetricStatus,
};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as ApiQuantity;

use self::metrics::MetricsSource;
use self::replicas::{History, PodSample, SCALE_DOWN_WINDOW, resource_replicas};
use super::controller_utils::{is_pod_ready, labels_of};
use super::periodic::{Ticker, start_informer};
use super::{controller_identity, record_decision};
use crate::api::labels::Selector;
use crate::api::quantity::Quantity;
use crate::api::{Kind, Object};
use crate::apiserver::strategy::timestamp;
use crate::apiserver::{ApiServer, Identity, ListOptions, WatchEvent, WriteOptions};
use crate::client::{Ctx, Delta, EventKind, Informer, Process, Recorder, object_key};
use crate::sim::Duration;
use crate::sim::trace::Component;

const NAME: &str = "horizontal-pod-autoscaler";
/// `--horizontal-pod-autoscaler-sync-period`.
pub const SYNC_PERIOD: Duration = Duration::from_secs(15);
const TOKEN_SYNC: u64 = 2;

/// The HPA controller process.
pub struct HorizontalPodAutoscalerController {
    who: Identity,
    recorder: Recorder,
    hpas: Informer,
    pods: Informer,
    metrics: Box<dyn MetricsSource>,
    ticker: Ticker,
    history: BTreeMap<String, History>,
}

/// What the metrics propose: replicas, the metric that decided, the metrics' status, and the
/// ScalingActive message.
type Computed = (i32, String, Vec<MetricStatus>, String);

/// One sync's findings, for the status.
struct Outcome {
    current: i32,
    desired: i32,
    metrics: Vec<MetricStatus>,
    /// (type, status, reason, message).
    conditions: Vec<(&'static str, bool, &'static str, String)>,
    scaled: bool,
}

fn scale_of(obj: &Object) -> Option<(i32, Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector>)> {
    match obj {
        Object::Deployment(d) => d.spec.as_ref().map(|s| (s.replicas.unwrap_or(1), Some(&s.selector))),
        Object::ReplicaSet(r) => r.spec.as_ref().map(|s| (s.replicas.unwrap_or(1), Some(&s.selector))),
        Object::StatefulSet(s) => s.spec.as_ref().map(|s| (s.replicas.unwrap_or(1), Some(&s.selector))),
        _ => None,
    }
}

fn with_replicas(obj: &Object, replicas: i32) -> Option<Object> {
    let mut v = obj.to_value();
    v["spec"]["replicas"] = serde_json::json!(replicas);
    Object::from_value(obj.kind(), v).ok()
}

/// The pod's request of `resource` (millicores or bytes), None when a container has none.
fn request(pod: &Pod, resource: &str) -> Option<i64> {
    let mut total = 0i64;
    for c in pod.spec.as_ref().map(|s| s.containers.as_slice()).unwrap_or(&[]) {
        let q = c.resources.as_ref()?.requests.as_ref()?.get(resource)?;
        let q = Quantity::from_api(q).ok()?;
        total += if resource == "cpu" { q.milli_value() } else { q.value() };
    }
    Some(total)
}

impl HorizontalPodAutoscalerController {
    /// The controller reading pods' use from `metrics`.
    pub fn new(metrics: Box<dyn MetricsSource>) -> Self {
        let who = controller_identity(NAME);
        HorizontalPodAutoscalerController {
            recorder: Recorder::new("horizontal-pod-autoscaler", None, who.clone()),
            who,
            hpas: Informer::new(Kind::HorizontalPodAutoscaler, None, ListOptions::default()),
            pods: Informer::new(Kind::Pod, None, ListOptions::default()),
            metrics,
            ticker: Ticker::new(TOKEN_SYNC, SYNC_PERIOD),
            history: BTreeMap::new(),
        }
    }

    /// The samples of `resource` for the pods `selector` picks in `ns`.
    fn samples(&self, ns: &str, selector: &Selector, resource: &str) -> Result<Vec<PodSample>, String> {
        let mut out = Vec::new();
        for pod in self.pods.cache().in_namespace(ns).filter_map(Object::as_pod) {
            let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
            if !selector.matches(labels_of(&pod.metadata))
                || pod.metadata.deletion_timestamp.is_some()
                || phase == Some("Failed")
            {
                continue;
            }
            let name = pod.metadata.name.as_deref().unwrap_or("");
            let Some(req) = request(pod, resource) else {
                let container =
                    pod.spec.as_ref().and_then(|s| s.containers.first()).map(|c| c.name.clone()).unwrap_or_default();
                return Err(format!("missing request for {resource} in container {container} of Pod {name}"));
            };
            let node = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).unwrap_or("");
            let usage = self.metrics.pod_usage(node, ns, name).map(|u| {
                if resource == "cpu" {
                    i64::try_from(u.cpu_millis).unwrap_or(i64::MAX)
                } else {
                    i64::try_from(u.memory_bytes).unwrap_or(i64::MAX)
                }
            });
            let ready = phase != Some("Pending") && (resource != "cpu" || is_pod_ready(pod));
            out.push(PodSample { request: req, usage, ready });
        }
        Ok(out)
    }

    /// `computeReplicasForMetrics` over the Resource/Utilization metrics.
    fn compute(
        &self,
        hpa: &HorizontalPodAutoscaler,
        current: i32,
        selector: &Selector,
    ) -> Result<Computed, (&'static str, String)> {
        let ns = hpa.metadata.namespace.as_deref().unwrap_or("");
        let mut best: Option<(i32, String)> = None;
        let mut statuses = Vec::new();
        let specs = hpa.spec.metrics.clone().unwrap_or_default();
        for m in specs.iter().filter(|m| m.type_ == "Resource") {
            let Some(r) = &m.resource else { continue };
            let Some(target) = r.target.average_utilization else { continue };
            let samples = self.samples(ns, selector, &r.name).map_err(|e| ("FailedGetResourceMetric", e))?;
            let Some(p) = resource_replicas(current, target, &samples) else {
                return Err((
                    "FailedGetResourceMetric",
                    format!(
                        "failed to get {} utilization: did not receive metrics for targeted pods (pods might be unready)",
                        r.name
                    ),
                ));
            };
            let average = if r.name == "cpu" {
                Quantity::from_milli(p.average)
            } else {
                Quantity::from_int(p.average, crate::api::quantity::Format::BinarySI)
            };
            statuses.push(MetricStatus {
                type_: "Resource".into(),
                resource: Some(ResourceMetricStatus {
                    name: r.name.clone(),
                    current: MetricValueStatus {
                        average_utilization: Some(p.utilization),
                        average_value: Some(ApiQuantity::from(&average)),
                        value: None,
                    },
                }),
                ..Default::default()
            });
            let metric = format!("{} resource utilization (percentage of request)", r.name);
            if best.as_ref().is_none_or(|(b, _)| p.replicas > *b) {
                best = Some((p.replicas, metric));
            }
        }
        let Some((replicas, metric)) = best else {
            return Err(("FailedGetResourceMetric", "no Resource metrics with a Utilization target".into()));
        };
        let valid = format!("the HPA was able to successfully calculate a replica count from {metric}");
        Ok((replicas, metric, statuses, valid))
    }

    fn sync(&mut self, key: &str, api: &mut ApiServer) {
        let Some(Object::HorizontalPodAutoscaler(hpa)) = self.hpas.cache().get(key).cloned() else {
            self.history.remove(key);
            return;
        };
        let obj = Object::HorizontalPodAutoscaler(hpa.clone());
        let ns = obj.namespace().unwrap_or("").to_string();
        let spec = hpa.spec.clone();
        let (min, max) = (spec.min_replicas.unwrap_or(1), spec.max_replicas);
        let target_kind = crate::api::resource::resolve(&spec.scale_target_ref.kind);
        let target = target_kind
            .ok_or_else(|| format!("no kind {:?} is registered", spec.scale_target_ref.kind))
            .and_then(|k| api.get(&self.who, k, Some(&ns), &spec.scale_target_ref.name).map_err(|e| e.message));
        let scale = target.as_ref().ok().and_then(|t| scale_of(t).map(|(r, s)| (t.clone(), r, s.cloned())));
        let Some((target, current, selector)) = scale else {
            let why = target.err().unwrap_or_else(|| "the target has no scale".into());
            self.recorder.event(api, &obj, None, EventKind::Warning, "FailedGetScale", &why);
            let msg = format!("the HPA controller was unable to get the target's current scale: {why}");
            let out = Outcome {
                current: 0,
                desired: 0,
                metrics: Vec::new(),
                conditions: vec![("AbleToScale", false, "FailedGetScale", msg)],
                scaled: false,
            };
            self.write_status(api, &hpa, out);
            return;
        };
        let selector =
            selector.and_then(|s| Selector::from_label_selector(&s).ok()).unwrap_or_else(Selector::everything);
        let now = api.now();
        let mut out = Outcome { current, desired: current, metrics: Vec::new(), conditions: Vec::new(), scaled: false };
        let mut reason = String::new();
        if current == 0 && min != 0 {
            out.desired = 0;
            out.conditions.push((
                "ScalingActive",
                false,
                "ScalingDisabled",
                "scaling is disabled since the replica count of the target is zero".into(),
            ));
        } else if current > max || current < min {
            out.desired = current.clamp(min, max.max(min));
            reason = if current > max {
                "Current number of replicas above Spec.MaxReplicas".into()
            } else {
                "Current number of replicas below Spec.MinReplicas".into()
            };
            out.conditions.push((
                "ScalingActive",
                true,
                "ValidMetricFound",
                "the HPA was able to successfully calculate a replica count".into(),
            ));
        } else {
            match self.compute(&hpa, current, &selector) {
                Err((why, msg)) => {
                    self.recorder.event(api, &obj, None, EventKind::Warning, why, &msg);
                    out.conditions.push((
                        "AbleToScale",
                        true,
                        "SucceededGetScale",
                        "the HPA controller was able to get the target's current scale".into(),
                    ));
                    out.conditions.push((
                        "ScalingActive",
                        false,
                        why,
                        format!("the HPA was unable to compute the replica count: {msg}"),
                    ));
                    self.write_status(api, &hpa, out);
                    return;
                }
                Ok((proposal, metric, statuses, valid)) => {
                    out.metrics = statuses;
                    out.conditions.push(("ScalingActive", true, "ValidMetricFound", valid));
                    let window = spec
                        .behavior
                        .as_ref()
                        .and_then(|b| b.scale_down.as_ref())
                        .and_then(|d| d.stabilization_window_seconds)
                        .map(|s| Duration::from_secs(u64::try_from(s).unwrap_or(0)))
                        .unwrap_or(SCALE_DOWN_WINDOW);
                    let n = self
                        .history
                        .entry(key.to_string())
                        .or_default()
                        .normalize(now, current, proposal, min, max, window);
                    out.desired = n.replicas;
                    out.conditions.insert(0, ("AbleToScale", true, n.able.0, n.able.1.into()));
                    out.conditions.push(("ScalingLimited", n.limited.0, n.limited.1, n.limited.2.into()));
                    reason = if out.desired > current {
                        format!("{metric} above target")
                    } else {
                        "All metrics below target".into()
                    };
                }
            }
        }
        if out.desired != current {
            let Some(next) = with_replicas(&target, out.desired) else { return };
            record_decision(
                api,
                NAME,
                "rescale",
                &obj,
                format!(
                    "scaling {} {} from {current} to {}: {reason}",
                    spec.scale_target_ref.kind, spec.scale_target_ref.name, out.desired
                ),
            );
            let able = match api.update(&self.who, next, &WriteOptions::default()) {
                Ok(_) => {
                    let msg = format!("New size: {}; reason: {reason}", out.desired);
                    self.recorder.event(api, &obj, None, EventKind::Normal, "SuccessfulRescale", &msg);
                    self.history.entry(key.to_string()).or_default().record_scale(now, out.desired - current);
                    out.scaled = true;
                    let msg = format!("the HPA controller was able to update the target scale to {}", out.desired);
                    (true, "SucceededRescale", msg)
                }
                Err(e) => {
                    let msg = format!("failed to rescale {key}: {}", e.message);
                    self.recorder.event(api, &obj, None, EventKind::Warning, "FailedRescale", &msg);
                    (
                        false,
                        "FailedUpdateScale",
                        format!("the HPA controller was unable to update the target scale: {}", e.message),
                    )
                }
            };
            out.conditions.retain(|c| c.0 != "AbleToScale");
            out.conditions.insert(0, ("AbleToScale", able.0, able.1, able.2));
        }
        self.write_status(api, &hpa, out);
    }

    fn write_status(&mut self, api: &mut ApiServer, hpa: &HorizontalPodAutoscaler, out: Outcome) {
        let now = timestamp(api.clock().unix_millis(api.now()));
        let old = hpa.status.clone().unwrap_or_default();
        let conditions = out
            .conditions
            .into_iter()
            .map(|(t, ok, reason, message)| {
                let status = if ok { "True" } else { "False" };
                let since = old
                    .conditions
                    .iter()
                    .flatten()
                    .find(|c| c.type_ == t && c.status == status)
                    .and_then(|c| c.last_transition_time.clone());
                HorizontalPodAutoscalerCondition {
                    type_: t.into(),
                    status: status.into(),
                    reason: Some(reason.into()),
                    message: Some(message),
                    last_transition_time: Some(since.unwrap_or_else(|| now.clone())),
                }
            })
            .collect();
        let next = HorizontalPodAutoscalerStatus {
            current_replicas: Some(out.current),
            desired_replicas: out.desired,
            current_metrics: (!out.metrics.is_empty()).then_some(out.metrics),
            conditions: Some(conditions),
            last_scale_time: if out.scaled { Some(now) } else { old.last_scale_time.clone() },
            observed_generation: hpa.metadata.generation,
        };
        if hpa.status.as_ref() == Some(&next) {
            return;
        }
        let mut updated = hpa.clone();
        updated.status = Some(next);
        let _ = api.update_status(&self.who, Object::HorizontalPodAutoscaler(Arc::new(updated)));
    }

    fn sync_all(&mut self, api: &mut ApiServer) {
        let keys: Vec<String> = self.hpas.cache().iter().map(object_key).collect();
        for k in keys {
            self.sync(&k, api);
        }
    }
}

impl Process for HorizontalPodAutoscalerController {
    fn component(&self) -> Component {
        Component::ControllerManager(NAME)
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        start_informer(&mut self.pods, &self.who, ctx);
        start_informer(&mut self.hpas, &self.who, ctx);
        self.ticker.start(ctx, Duration::ZERO);
    }

    fn stop(&mut self, api: &mut ApiServer) {
        self.hpas.stop(api);
        self.pods.stop(api);
        self.history.clear();
    }

    fn on_events(&mut self, events: &[WatchEvent], ctx: &mut Ctx<'_>) {
        let mut changed = Vec::new();
        for ev in events {
            if let Some(d) = self.hpas.handle(ev) {
                // A new or edited HPA is looked at now; its own status writes are not.
                let spec_changed = match &d {
                    Delta::Added(_) => true,
                    Delta::Updated { old, new } => old.meta().generation != new.meta().generation,
                    Delta::Deleted(_) => false,
                };
                if spec_changed {
                    changed.push(object_key(d.object()));
                }
            } else {
                self.pods.handle(ev);
            }
        }
        for k in changed {
            self.sync(&k, ctx.api);
        }
    }

    fn on_timer(&mut self, token: u64, ctx: &mut Ctx<'_>) {
        if self.ticker.fire(token, ctx) {
            self.sync_all(ctx.api);
        }
    }
}
