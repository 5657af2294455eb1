//! The node lifecycle controller (`node-lifecycle-controller`): every nodeMonitorPeriod (5 s) it
//! checks each node's heartbeat (the Ready condition's lastHeartbeatTime and the renewTime of its
//! Lease in `kube-node-lease`); a node silent for nodeMonitorGracePeriod (50 s) gets its Ready and
//! pressure conditions set Unknown (`NodeStatusUnknown`, "Kubelet stopped posting node status."),
//! a `NodeNotReady` event, and its pods marked not Ready. It keeps the NoSchedule taints that mirror
//! node conditions (TaintNodesByCondition) and, for taint-based eviction, the NoExecute taints
//! `node.kubernetes.io/not-ready` (Ready=False) and `node.kubernetes.io/unreachable` (Ready=Unknown),
//! added at a per-zone rate (0.1 node/s; none while a small zone is partially disrupted, and all
//! removed while every zone is fully disrupted) and removed as soon as the node is Ready again.
//! Evicting the pods is the taint eviction controller's job.

pub mod health;
mod monitor;
pub mod taints;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::Node;

use self::health::{ZoneState, zone_key};
use self::monitor::Tracked;
use self::taints::{
    NO_EXECUTE, NOT_READY, UNREACHABLE, diff, has_taint, managed_no_schedule, ready_condition, swap, taint,
    wanted_no_schedule,
};
use super::periodic::{Ticker, start_informer};
use super::queue::{KeyQueue, Requeue};
use super::{SyncError, controller_identity, record_decision};
use crate::api::{Kind, Object};
use crate::apiserver::strategy::timestamp;
use crate::apiserver::{ApiServer, Identity, ListOptions, Reason, WatchEvent, WriteOptions};
use crate::client::{Ctx, Delta, EventKind, Informer, Process, Recorder};
use crate::sim::trace::Component;
use crate::sim::{Duration, Time};

const NAME: &str = "node-lifecycle";
/// nodeMonitorPeriod.
pub const MONITOR_PERIOD: Duration = Duration::from_secs(5);
const TOKEN_MONITOR: u64 = 2;
/// evictionLimiterQPS 0.1 → one node tainted per 10 s per zone; secondaryEvictionLimiterQPS 0.01.
const NORMAL_TAINT_INTERVAL: Duration = Duration::from_secs(10);
const SECONDARY_TAINT_INTERVAL: Duration = Duration::from_secs(100);
/// largeClusterSizeThreshold: smaller zones stop tainting altogether when partially disrupted.
const LARGE_CLUSTER_THRESHOLD: usize = 50;

/// The node lifecycle controller process.
pub struct NodeLifecycleController {
    who: Identity,
    recorder: Recorder,
    nodes: Informer,
    leases: Informer,
    pods: Informer,
    /// Nodes whose NoSchedule taints need a look (`nodeUpdateQueue`).
    no_schedule: KeyQueue,
    monitor: Ticker,
    health: BTreeMap<String, Tracked>,
    /// Nodes registered with the controller (`knownNodeSet`).
    known: BTreeSet<String>,
    /// Nodes waiting for a NoExecute taint (`zoneNoExecuteTainter`).
    to_taint: BTreeSet<String>,
    /// Per zone: when the next node may be tainted.
    zone_next: BTreeMap<String, Time>,
    zone_states: BTreeMap<String, ZoneState>,
}

impl Default for NodeLifecycleController {
    fn default() -> Self {
        Self::new()
    }
}

fn node_of(obj: &Object) -> Option<&Node> {
    obj.as_node()
}

impl NodeLifecycleController {
    pub fn new() -> Self {
        let who = controller_identity(NAME);
        NodeLifecycleController {
            recorder: Recorder::new("node-controller", None, who.clone()),
            who,
            nodes: Informer::new(Kind::Node, None, ListOptions::default()),
            leases: Informer::new(Kind::Lease, Some("kube-node-lease"), ListOptions::default()),
            pods: Informer::new(Kind::Pod, None, ListOptions::default()).index_by_node(),
            no_schedule: KeyQueue::default(),
            monitor: Ticker::new(TOKEN_MONITOR, MONITOR_PERIOD),
            health: BTreeMap::new(),
            known: BTreeSet::new(),
            to_taint: BTreeSet::new(),
            zone_next: BTreeMap::new(),
            zone_states: BTreeMap::new(),
        }
    }

    fn on_node(&mut self, delta: &Delta) {
        if !matches!(delta, Delta::Deleted(_)) {
            self.no_schedule.add(delta.object().name().to_string());
        }
    }

    fn now_meta(api: &ApiServer) -> k8s_openapi::apimachinery::pkg::apis::meta::v1::Time {
        timestamp(api.clock().unix_millis(api.now()))
    }

    /// Reads the node afresh, changes its taints and writes it (`SwapNodeControllerTaint`).
    fn swap_taints(
        &mut self,
        api: &mut ApiServer,
        name: &str,
        add: impl Fn(&Node) -> Vec<k8s_openapi::api::core::v1::Taint>,
        remove: impl Fn(&Node) -> Vec<k8s_openapi::api::core::v1::Taint>,
    ) -> Result<(), SyncError> {
        let node = match api.get(&self.who, Kind::Node, None, name) {
            Ok(Object::Node(n)) => n,
            Ok(_) => return Ok(()),
            Err(e) if e.reason == Reason::NotFound => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        let (to_add, to_remove) = (add(&node), remove(&node));
        let mut next = (*node).clone();
        if !swap(&mut next, &to_add, &to_remove, &Self::now_meta(api)) {
            return Ok(());
        }
        let obj = Object::Node(Arc::new(next));
        let describe = |ts: &[k8s_openapi::api::core::v1::Taint]| {
            ts.iter().map(|t| format!("{}:{}", t.key, t.effect)).collect::<Vec<_>>().join(", ")
        };
        let note = match (to_add.is_empty(), to_remove.is_empty()) {
            (false, true) => format!("tainting node {name} with {}", describe(&to_add)),
            (true, false) => format!("removing taints {} from node {name}", describe(&to_remove)),
            _ => format!("tainting node {name} with {} instead of {}", describe(&to_add), describe(&to_remove)),
        };
        record_decision(api, NAME, "taint", &obj, note);
        match api.update(&self.who, obj, &WriteOptions::default()) {
            Ok(_) => Ok(()),
            Err(e) if e.reason == Reason::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// `doNoScheduleTaintingPass` for one node.
    fn sync_no_schedule(&mut self, name: &str, api: &mut ApiServer) -> Result<Requeue, SyncError> {
        let Some(node) = self.nodes.cache().get(name).and_then(node_of) else { return Ok(Requeue::No) };
        let (add, remove) = diff(&wanted_no_schedule(node), &managed_no_schedule(node));
        if add.is_empty() && remove.is_empty() {
            return Ok(Requeue::No);
        }
        self.swap_taints(
            api,
            name,
            |n| diff(&wanted_no_schedule(n), &managed_no_schedule(n)).0,
            |n| diff(&wanted_no_schedule(n), &managed_no_schedule(n)).1,
        )?;
        Ok(Requeue::No)
    }

    /// `markNodeAsReachable`: drops both NoExecute taints and any pending tainting.
    fn mark_reachable(&mut self, api: &mut ApiServer, node: &Node) {
        let name = node.metadata.name.clone().unwrap_or_default();
        self.to_taint.remove(&name);
        if has_taint(node, NOT_READY, NO_EXECUTE) || has_taint(node, UNREACHABLE, NO_EXECUTE) {
            let none = |_: &Node| Vec::new();
            let both = |_: &Node| vec![taint(NOT_READY, NO_EXECUTE), taint(UNREACHABLE, NO_EXECUTE)];
            let _ = self.swap_taints(api, &name, none, both);
        }
    }

    /// `processTaintBaseEviction`, driven by the Ready status the node had when the pass began.
    fn process_taint_eviction(&mut self, api: &mut ApiServer, node: &Node, observed: &str) {
        let name = node.metadata.name.clone().unwrap_or_default();
        let (want, other) = match observed {
            "False" => (NOT_READY, UNREACHABLE),
            "Unknown" => (UNREACHABLE, NOT_READY),
            _ => {
                self.mark_reachable(api, node);
                return;
            }
        };
        if has_taint(node, other, NO_EXECUTE) {
            // Already evicting for the other reason: swap straight away.
            let _ = self.swap_taints(api, &name, |_| vec![taint(want, NO_EXECUTE)], |_| vec![taint(other, NO_EXECUTE)]);
        } else if !has_taint(node, want, NO_EXECUTE) {
            self.to_taint.insert(name);
        }
    }

    /// `doNoExecuteTaintingPass`: taints the queued nodes as far as their zones' rates allow.
    fn taint_pass(&mut self, api: &mut ApiServer) {
        let now = api.now();
        let size = self.nodes.cache().len();
        for name in std::mem::take(&mut self.to_taint) {
            let Some(node) = self.nodes.cache().get(&name).and_then(node_of).cloned() else { continue };
            let zone = zone_key(&node);
            let interval = match self.zone_states.get(&zone).copied().unwrap_or(ZoneState::Normal) {
                ZoneState::PartialDisruption if size <= LARGE_CLUSTER_THRESHOLD => None,
                ZoneState::PartialDisruption => Some(SECONDARY_TAINT_INTERVAL),
                _ => Some(NORMAL_TAINT_INTERVAL),
            };
            let ready = ready_condition(&node).map(|c| c.status.as_str()).unwrap_or("Unknown");
            let (want, other) = match ready {
                "False" => (NOT_READY, UNREACHABLE),
                "Unknown" => (UNREACHABLE, NOT_READY),
                _ => continue,
            };
            let allowed = interval.is_some() && self.zone_next.get(&zone).is_none_or(|t| *t <= now);
            if !allowed {
                self.to_taint.insert(name);
                continue;
            }
            if let Some(i) = interval {
                self.zone_next.insert(zone, now.after(i));
            }
            if self
                .swap_taints(api, &name, |_| vec![taint(want, NO_EXECUTE)], |_| vec![taint(other, NO_EXECUTE)])
                .is_err()
            {
                self.to_taint.insert(name);
            }
        }
    }

    /// `MarkPodsNotReady`: the pods of a node that stopped reporting are no longer Ready.
    fn mark_pods_not_ready(&mut self, api: &mut ApiServer, node: &str) {
        let now = Self::now_meta(api);
        let pods: Vec<Object> = self.pods.cache().on_node(node).cloned().collect();
        for obj in pods {
            let Object::Pod(pod) = &obj else { continue };
            let mut next = (**pod).clone();
            let Some(cond) = next
                .status
                .as_mut()
                .and_then(|s| s.conditions.as_mut())
                .and_then(|cs| cs.iter_mut().find(|c| c.type_ == "Ready"))
            else {
                continue;
            };
            if cond.status == "False" {
                continue;
            }
            cond.status = "False".into();
            cond.last_transition_time = Some(now.clone());
            if api.update_status(&self.who, Object::Pod(Arc::new(next))).is_ok() {
                self.recorder.event(api, &obj, None, EventKind::Warning, "NodeNotReady", "Node is not ready");
            }
        }
    }

    /// `classifyNodes`: registers new nodes and forgets deleted ones, with their events.
    fn classify(&mut self, api: &mut ApiServer) {
        // The common pass (no node joined or left) walks the two sorted name lists side by side.
        let cache = self.nodes.cache();
        if cache.len() == self.known.len() && cache.entries().map(|(k, _)| k).eq(self.known.iter().map(String::as_str))
        {
            return;
        }
        let current: BTreeSet<String> = self.nodes.cache().iter().map(|n| n.name().to_string()).collect();
        for name in current.difference(&self.known).cloned().collect::<Vec<_>>() {
            if let Some(obj) = self.nodes.cache().get(&name).cloned() {
                let msg = format!("Node {name} event: Registered Node {name} in Controller");
                self.recorder.event(api, &obj, None, EventKind::Normal, "RegisteredNode", &msg);
            }
            self.known.insert(name);
        }
        for name in self.known.difference(&current).cloned().collect::<Vec<_>>() {
            let mut gone = Object::empty(Kind::Node);
            gone.meta_mut().name = Some(name.clone());
            let msg = format!("Node {name} event: Removing Node {name} from Controller");
            self.recorder.event(api, &gone, None, EventKind::Normal, "RemovingNode", &msg);
            self.known.remove(&name);
            self.health.remove(&name);
            self.to_taint.remove(&name);
        }
    }

    fn run(&mut self, ctx: &mut Ctx<'_>) {
        let mut queue = std::mem::take(&mut self.no_schedule);
        queue.run(ctx, |key, ctx| self.sync_no_schedule(key, ctx.api));
        self.no_schedule = queue;
    }
}

impl Process for NodeLifecycleController {
    fn component(&self) -> Component {
        Component::ControllerManager(NAME)
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        // Leases and pods are only read from their caches.
        start_informer(&mut self.leases, &self.who, ctx);
        start_informer(&mut self.pods, &self.who, ctx);
        for d in start_informer(&mut self.nodes, &self.who, ctx) {
            self.on_node(&d);
        }
        self.monitor.start(ctx, Duration::ZERO);
        self.run(ctx);
    }

    fn stop(&mut self, api: &mut ApiServer) {
        self.nodes.stop(api);
        self.leases.stop(api);
        self.pods.stop(api);
        self.no_schedule.clear();
        // A restarted controller starts its health bookkeeping afresh, as upstream does.
        self.health.clear();
        self.known.clear();
        self.to_taint.clear();
    }

    fn on_events(&mut self, events: &[WatchEvent], ctx: &mut Ctx<'_>) {
        for ev in events {
            if let Some(d) = self.nodes.handle(ev) {
                self.on_node(&d);
            } else if self.leases.handle(ev).is_none() {
                self.pods.handle(ev);
            }
        }
        self.run(ctx);
    }

    fn on_timer(&mut self, token: u64, ctx: &mut Ctx<'_>) {
        if self.monitor.fire(token, ctx) {
            self.monitor_node_health(ctx.api);
        }
        self.run(ctx);
    }
}
