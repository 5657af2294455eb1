//! The pod garbage collector (`pod-garbage-collector-controller`, upstream's `podgc`): every
//! gcCheckPeriod (20 s) it force-deletes (grace period 0) the pods that nobody else would ever
//! finish: terminated pods beyond `--terminated-pod-gc-threshold` (12,500; evicted ones first,
//! then the oldest), terminating pods on a node that is not Ready and carries the
//! `node.kubernetes.io/out-of-service` taint (non-graceful node shutdown), pods bound to a node that
//! no longer exists (after a 40 s quarantine and a GET that confirms the node is gone), and
//! terminating pods that were never scheduled. A pod not yet Succeeded or Failed is first patched
//! to Failed through `/status`, since no kubelet will report it finished; an orphan also gets the
//! `DisruptionTarget` condition (`DeletionByPodGC`). Upstream records no events for any of this:
//! each deletion is a decision in the trace.

mod index;
mod quarantine;

use k8s_openapi::api::core::v1::{Node, Pod, PodCondition, PodStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time as MetaTime;
use serde_json::json;

use self::index::{PodIndex, Rank, phase};
use self::quarantine::Quarantine;
use super::controller_utils::pod_node_name;
use super::node_lifecycle::taints::{ready_condition, taints_of};
use super::periodic::{Ticker, start_informer};
use super::{controller_identity, record_decision};
use crate::api::{Kind, Object};
use crate::apiserver::patch::Patch;
use crate::apiserver::strategy::timestamp;
use crate::apiserver::{ApiServer, DeleteOptions, Identity, ListOptions, PatchOptions, Reason, WatchEvent};
use crate::client::{Cache, Ctx, Informer, Process, object_key};
use crate::sim::Duration;
use crate::sim::trace::Component;

const NAME: &str = "pod-garbage-collector";
/// gcCheckPeriod: how often a pass runs.
pub const GC_CHECK_PERIOD: Duration = Duration::from_secs(20);
/// quarantineTime: how long a node missing from the informer waits before the api-server is asked.
pub const QUARANTINE_TIME: Duration = Duration::from_secs(40);
/// `--terminated-pod-gc-threshold`'s default.
pub const TERMINATED_POD_GC_THRESHOLD: usize = 12_500;
/// `v1.TaintNodeOutOfService`, which an operator puts on a node known to be shut down.
pub const OUT_OF_SERVICE: &str = "node.kubernetes.io/out-of-service";
const TOKEN_GC: u64 = 2;

/// The pod GC controller process.
pub struct PodGcController {
    who: Identity,
    pods: Informer,
    nodes: Informer,
    /// Mirrors the pod informer's cache, which outlives a stop as the index does.
    index: PodIndex,
    /// `nodeQueue`.
    quarantine: Quarantine,
    ticker: Ticker,
    /// 0 turns `gcTerminated` off, as upstream.
    terminated_pod_threshold: usize,
}

impl Default for PodGcController {
    fn default() -> Self {
        Self::new()
    }
}

/// `IsNodeReady`: its Ready condition is True.
fn is_node_ready(node: &Node) -> bool {
    ready_condition(node).is_some_and(|c| c.status == "True")
}

/// Whether `gcTerminating` may force-delete the terminating pods of `node`: it is not Ready and an
/// operator declared it out of service (the taint's key alone counts, whatever its effect).
fn is_out_of_service(node: &Node) -> bool {
    !is_node_ready(node) && taints_of(node).iter().any(|t| t.key == OUT_OF_SERVICE)
}

/// The condition `gcOrphaned` sets before the delete.
fn deletion_by_pod_gc() -> PodCondition {
    PodCondition {
        type_: "DisruptionTarget".into(),
        status: "True".into(),
        reason: Some("DeletionByPodGC".into()),
        message: Some("PodGC: node no longer exists".into()),
        ..Default::default()
    }
}

/// `UpdatePodCondition`: `wanted` as it is to be written at `now` (a transition keeps its old time
/// while the status stays), or None when the pod already has exactly that condition.
fn updated_condition(pod: &Pod, wanted: &PodCondition, now: MetaTime) -> Option<PodCondition> {
    let mut next = PodCondition { last_transition_time: Some(now), ..wanted.clone() };
    let old = pod.status.as_ref()?.conditions.iter().flatten().find(|c| c.type_ == wanted.type_);
    let Some(old) = old else { return Some(next) };
    if old.status == next.status {
        next.last_transition_time = old.last_transition_time.clone();
    }
    (*old != next).then_some(next)
}

/// The cached objects at `keys`.
fn cached<'a>(cache: &Cache, keys: impl Iterator<Item = &'a str>) -> Vec<Object> {
    keys.filter_map(|k| cache.get(k)).cloned().collect()
}

/// An object naming a node that is gone, for the trace.
fn node_ref(name: &str) -> Object {
    let mut node = Object::empty(Kind::Node);
    node.meta_mut().name = Some(name.to_string());
    node
}

impl PodGcController {
    pub fn new() -> Self {
        Self::with_threshold(TERMINATED_POD_GC_THRESHOLD)
    }

    /// The controller with `--terminated-pod-gc-threshold` set to `threshold`.
    pub fn with_threshold(threshold: usize) -> Self {
        PodGcController {
            who: controller_identity(NAME),
            pods: Informer::new(Kind::Pod, None, ListOptions::default()).index_by_node(),
            nodes: Informer::new(Kind::Node, None, ListOptions::default()),
            index: PodIndex::default(),
            quarantine: Quarantine::default(),
            ticker: Ticker::new(TOKEN_GC, GC_CHECK_PERIOD),
            terminated_pod_threshold: threshold,
        }
    }

    /// `gc`: one pass, its steps in upstream's order. The caches do not change during a pass (watch
    /// notifications arrive after it), so every step sees the same pods, as upstream's one list.
    fn gc(&mut self, api: &mut ApiServer) {
        if self.terminated_pod_threshold > 0 {
            self.gc_terminated(api);
        }
        self.gc_terminating(api);
        self.gc_orphaned(api);
        self.gc_unscheduled_terminating(api);
    }

    /// `gcTerminated`: deletes the terminated pods beyond the threshold.
    fn gc_terminated(&mut self, api: &mut ApiServer) {
        let count = self.index.terminated_count();
        let excess = count.saturating_sub(self.terminated_pod_threshold);
        if excess == 0 {
            return;
        }
        let why =
            format!("{count} terminated pods exceed terminated-pod-gc-threshold {}", self.terminated_pod_threshold);
        for pod in cached(self.pods.cache(), self.index.first_terminated(excess)) {
            self.mark_failed_and_delete(api, &pod, None, &why);
        }
    }

    /// `gcTerminating`: deletes the terminating pods of out-of-service nodes, in the order
    /// `gcTerminated` uses. A pod whose node the informer does not hold is left to `gcOrphaned`.
    fn gc_terminating(&mut self, api: &mut ApiServer) {
        let (pods, nodes) = (self.pods.cache(), self.nodes.cache());
        let mut victims: Vec<(Rank, Object, String)> = self
            .index
            .terminating()
            .filter_map(|key| {
                let obj = pods.get(key)?;
                let pod = obj.as_pod()?;
                let node = pod_node_name(pod)?;
                let out = nodes.get(node).and_then(Object::as_node).is_some_and(is_out_of_service);
                out.then(|| (Rank::of(key, pod), obj.clone(), node.to_string()))
            })
            .collect();
        victims.sort_by(|a, b| a.0.cmp(&b.0));
        for (_, pod, node) in victims {
            let why = format!("terminating on node {node}, which is not ready and tainted {OUT_OF_SERVICE}");
            self.mark_failed_and_delete(api, &pod, None, &why);
        }
    }

    /// `gcOrphaned`: quarantines the nodes that pods are bound to but the informer lacks, and
    /// deletes the pods of those the api-server confirms are gone.
    fn gc_orphaned(&mut self, api: &mut ApiServer) {
        let until = api.now().after(QUARANTINE_TIME);
        let nodes = self.nodes.cache();
        let missing: Vec<String> =
            self.pods.cache().bound_nodes().filter(|n| nodes.get(n).is_none()).map(str::to_string).collect();
        for node in missing {
            if self.quarantine.add(&node, until) {
                let note = format!(
                    "pods are bound to node {node}, which the node informer does not hold: checking it again in {}s",
                    QUARANTINE_TIME.as_secs()
                );
                record_decision(api, NAME, "quarantine", &node_ref(&node), note);
            }
        }
        let condition = deletion_by_pod_gc();
        for node in self.discover_deleted_nodes(api) {
            let why = format!("orphaned, node {node} no longer exists");
            let orphans: Vec<Object> = self.pods.cache().on_node(&node).cloned().collect();
            for pod in orphans {
                self.mark_failed_and_delete(api, &pod, Some(&condition), &why);
            }
        }
    }

    /// `discoverDeletedNodes`: the nodes out of quarantine that are still missing and that a GET
    /// confirms are gone. A node whose GET failed otherwise is dropped: while it is missing the next
    /// pass quarantines it again.
    fn discover_deleted_nodes(&mut self, api: &mut ApiServer) -> Vec<String> {
        let due = self.quarantine.take_due(api.now());
        due.into_iter()
            .filter(|node| self.nodes.cache().get(node).is_none())
            .filter(|node| matches!(api.get(&self.who, Kind::Node, None, node), Err(e) if e.reason == Reason::NotFound))
            .collect()
    }

    /// `gcUnscheduledTerminating`: deletes the terminating pods that are bound to no node, which no
    /// kubelet would ever finish.
    fn gc_unscheduled_terminating(&mut self, api: &mut ApiServer) {
        let pods = self.pods.cache();
        let unscheduled = self
            .index
            .terminating()
            .filter(|key| pods.get(key).and_then(Object::as_pod).is_some_and(|p| pod_node_name(p).is_none()));
        for pod in cached(pods, unscheduled) {
            self.mark_failed_and_delete(api, &pod, None, "terminating and not assigned to any node");
        }
    }

    /// `markFailedAndDeletePodWithCondition`: a pod that is not Succeeded or Failed is patched to
    /// Failed (with `condition`, if any) through `/status`, carrying its uid as upstream's
    /// `PatchPodStatus` does, then deleted with grace period 0. A failed call is already in the
    /// trace as the api-server's error response; the next pass tries again while the pod qualifies.
    fn mark_failed_and_delete(&self, api: &mut ApiServer, obj: &Object, condition: Option<&PodCondition>, why: &str) {
        let Some(pod) = obj.as_pod() else { return };
        record_decision(api, NAME, "delete", obj, format!("force deleting pod {}: {why}", object_key(obj)));
        if !matches!(phase(pod), "Succeeded" | "Failed") {
            let now = timestamp(api.clock().unix_millis(api.now()));
            let condition = condition.and_then(|c| updated_condition(pod, c, now));
            let status = PodStatus {
                phase: Some("Failed".into()),
                conditions: condition.map(|c| vec![c]),
                ..Default::default()
            };
            let patch = Patch::Strategic(json!({"metadata": {"uid": obj.uid()}, "status": status}));
            let opts = PatchOptions { status: true, ..Default::default() };
            if api.patch(&self.who, Kind::Pod, obj.namespace(), obj.name(), &patch, &opts).is_err() {
                return;
            }
        }
        let opts = DeleteOptions { grace_period_seconds: Some(0), ..Default::default() };
        let _ = api.delete(&self.who, Kind::Pod, obj.namespace(), obj.name(), &opts);
    }
}

impl Process for PodGcController {
    fn component(&self) -> Component {
        Component::ControllerManager(NAME)
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        start_informer(&mut self.nodes, &self.who, ctx);
        for d in start_informer(&mut self.pods, &self.who, ctx) {
            self.index.apply(&d);
        }
        // `wait.Until` runs the first pass at once.
        self.ticker.start(ctx, Duration::ZERO);
    }

    fn stop(&mut self, api: &mut ApiServer) {
        self.nodes.stop(api);
        self.pods.stop(api);
        self.quarantine.clear();
    }

    fn on_events(&mut self, events: &[WatchEvent], _ctx: &mut Ctx<'_>) {
        for ev in events {
            if self.nodes.handle(ev).is_none()
                && let Some(d) = self.pods.handle(ev)
            {
                self.index.apply(&d);
            }
        }
    }

    fn on_timer(&mut self, token: u64, ctx: &mut Ctx<'_>) {
        if self.ticker.fire(token, ctx) {
            self.gc(ctx.api);
        }
    }
}
