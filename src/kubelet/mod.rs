//! The kubelet of one node, with its simulated container runtime (containerd). It watches the pods
//! bound to its node (`spec.nodeName=<node>`), runs one pod worker per pod, pulls images through the
//! node's serialized pull queue, runs each container's process from the image catalog or the tiny
//! shell, reports pod status and Events as upstream words them, renews the node Lease and reports the
//! node status. It keeps each container's logs for `kubectl logs`.
//!
//! Everything the runtime does (RunPodSandbox, PullImage, CreateContainer, StartContainer,
//! StopContainer, StopPodSandbox) is a trace entry from `kubelet/<node>` to `containerd/<node>`.

mod adopt;
pub mod backoff;
mod container;
pub mod exec;
mod exec_command;
pub mod image_manager;
pub mod images;
pub mod ipam;
pub mod logs;
pub mod metrics;
mod node_status;
mod pod_worker;
mod probes;
pub mod process_events;
mod respec;
mod shared;
pub mod shell;
mod status;
mod termination;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;
use std::sync::Arc;

use crate::api::fields::FieldSelector;
use crate::api::{Kind, Object};
use crate::apiserver::{ApiServer, Identity, ListOptions, WatchEvent};
use crate::client::{Ctx, Delta, Informer, Process, Recorder, object_key};
use crate::sim::trace::Component;
use crate::sim::{Duration, Rng};

pub use exec_command::{ExecError, ExecOutput};
pub use logs::{ContainerLog, LogStore, LogsError};
pub use process_events::{ContainerProcess, ProcessEvent, ProcessEvents};

use image_manager::{ImageManager, PullDone};
use images::Catalog;
use ipam::Ipam;
use node_status::{Heartbeat, UPDATE_EVERY};
use pod_worker::PodWorker;
use shared::{Shared, TOKEN_HEARTBEAT, TOKEN_POD_BASE, TOKEN_PULL, TOKEN_PULLED};

/// How many pod workers learn of an ended pull in one wake-up. Their pod workers are goroutines
/// upstream, each going on by itself; here one image that a node's 30 pods wait for would start all
/// of them in one item and hold the web page's frame.
const PULLED_PER_WAKE: usize = 4;

/// The sandbox (pause) image every node has.
pub const PAUSE_IMAGE: &str = "registry.k8s.io/pause:3.10.1";

/// The kubelet process of one node.
#[derive(Debug)]
pub struct Kubelet {
    sh: Shared,
    informer: Informer,
    workers: BTreeMap<String, PodWorker>,
    by_id: BTreeMap<u32, String>,
    next_id: u32,
    heartbeat: Heartbeat,
    /// When the current heartbeat chain fires next: a timer left over from before a stop is ignored.
    next_beat: Option<crate::sim::Time>,
    started_once: bool,
    /// Pod workers (by id) still to learn of an ended pull, told `PULLED_PER_WAKE` a wake-up at the
    /// pull's instant.
    pulled: VecDeque<(u32, Rc<PullDone>)>,
    /// When the wake-up that goes on telling them is due: one left over from before a stop is ignored.
    pulled_wake: Option<crate::sim::Time>,
}

impl Kubelet {
    /// The kubelet of `node`; its random stream (container IDs, heartbeat phase) derives from `seed`.
    pub fn new(node: &str, seed: u64) -> Self {
        Self::with_catalog(node, seed, Catalog::default())
    }

    /// A kubelet whose runtime pulls from `catalog` (the built-in images plus a scenario's additions).
    pub fn with_catalog(node: &str, seed: u64, catalog: Catalog) -> Self {
        let node_arc: Arc<str> = Arc::from(node);
        let identity =
            Identity::component(Component::Kubelet(node_arc.clone()), format!("system:node:{node}"), &["system:nodes"]);
        let options = ListOptions {
            field_selector: Some(FieldSelector::one_term_equal("spec.nodeName", node)),
            ..Default::default()
        };
        Kubelet {
            sh: Shared {
                node: node_arc,
                recorder: Recorder::new("kubelet", Some(node), identity.clone()),
                identity,
                images: ImageManager::new(catalog),
                ipam: Ipam::default(),
                rng: Rng::derive(seed, &format!("kubelet/{node}")),
                logs: LogStore::default(),
                processes: ProcessEvents::default(),
                metrics: metrics::Metrics::default(),
                node_ip: String::new(),
                pull_timer: None,
            },
            informer: Informer::new(Kind::Pod, None, options),
            workers: BTreeMap::new(),
            by_id: BTreeMap::new(),
            next_id: 0,
            heartbeat: Heartbeat::default(),
            next_beat: None,
            started_once: false,
            pulled: VecDeque::new(),
            pulled_wake: None,
        }
    }

    /// The same kubelet, reporting the containers `processes` watches as their processes start and
    /// stop.
    pub fn with_process_events(mut self, processes: ProcessEvents) -> Self {
        self.sh.processes = processes;
        self
    }

    pub fn node(&self) -> &str {
        &self.sh.node
    }

    /// A handle on this node's container logs, which stays valid while the kubelet runs inside the
    /// cluster (kubectl logs reads through it).
    pub fn log_store(&self) -> LogStore {
        self.sh.logs.clone()
    }

    /// A handle on this node's resource use, for `kubectl top`.
    pub fn metrics(&self) -> metrics::Metrics {
        self.sh.metrics.clone()
    }

    /// `kubectl logs [--previous] POD [-c CONTAINER]` for a pod of this node.
    pub fn logs(&self, ns: &str, pod: &str, container: Option<&str>, previous: bool) -> Result<String, LogsError> {
        self.sh.logs.read(ns, pod, container, previous, false)
    }

    fn learn_node(&mut self, ctx: &mut Ctx<'_>) {
        let Some(node) = self.heartbeat.refresh_node(&self.sh, ctx).and_then(Object::as_node) else { return };
        if let Some(ip) = node
            .status
            .as_ref()
            .and_then(|s| s.addresses.as_ref())
            .and_then(|a| a.iter().find(|a| a.type_ == "InternalIP"))
            .map(|a| a.address.clone())
        {
            self.sh.node_ip = ip;
        }
        if !self.started_once {
            let cidr = node.spec.as_ref().and_then(|s| s.pod_cidr.clone()).unwrap_or_default();
            self.sh.ipam = Ipam::new(&cidr);
            self.sh.images.preload(PAUSE_IMAGE);
        }
    }

    fn handle(&mut self, delta: Delta, adopt: bool, ctx: &mut Ctx<'_>) {
        match delta {
            Delta::Added(obj) | Delta::Updated { new: obj, .. } => self.upsert(obj, adopt, ctx),
            Delta::Deleted(obj) => {
                let key = object_key(&obj);
                if let Some(mut w) = self.workers.remove(&key) {
                    self.by_id.remove(&w.id);
                    self.sh.metrics.remove_pod(&w.ns, &w.name);
                    if !w.gone {
                        w.vanish(&mut self.sh, ctx);
                    }
                }
            }
        }
    }

    fn upsert(&mut self, obj: Object, adopt: bool, ctx: &mut Ctx<'_>) {
        let key = object_key(&obj);
        if let Some(w) = self.workers.get_mut(&key) {
            if w.uid == obj.uid() {
                w.pod = obj;
                w.respec(&mut self.sh, ctx);
                w.sync(&mut self.sh, ctx);
                self.reap(&key);
                return;
            }
            // Same name, new pod: the old one is gone.
            if let Some(mut old) = self.workers.remove(&key) {
                self.by_id.remove(&old.id);
                old.vanish(&mut self.sh, ctx);
            }
        }
        let phase = obj.as_pod().and_then(|p| p.status.as_ref()).and_then(|s| s.phase.clone());
        if matches!(phase.as_deref(), Some("Succeeded" | "Failed")) {
            return;
        }
        self.next_id = self.next_id.wrapping_add(1);
        let mut w = PodWorker::new(self.next_id, obj);
        let names: Vec<String> = w.ctrs.iter().map(|c| c.spec.name.clone()).collect();
        let default = w.ctrs.iter().find(|c| !c.init).map(|c| c.spec.name.clone()).unwrap_or_default();
        self.sh.logs.add_pod(&w.ns, &w.name, &names, &default);
        if adopt && w.adoptable() {
            w.adopt(&mut self.sh, ctx);
            w.sync(&mut self.sh, ctx);
        } else {
            // Upstream's HandlePodAdditions hands the pod to its worker goroutine, which syncs it on
            // its own: a node given 30 pods at once does not start them all in one item.
            ctx.wake_at(ctx.now(), w.token());
        }
        self.by_id.insert(w.id, key.clone());
        self.workers.insert(key.clone(), w);
        self.reap(&key);
    }

    /// Drops a worker whose pod the kubelet deleted.
    fn reap(&mut self, key: &str) {
        if self.workers.get(key).is_some_and(|w| w.gone)
            && let Some(w) = self.workers.remove(key)
        {
            self.by_id.remove(&w.id);
            self.sh.metrics.remove_pod(&w.ns, &w.name);
        }
    }

    fn pull_finished(&mut self, ctx: &mut Ctx<'_>) {
        self.sh.pull_timer = None;
        while let Some(done) = self.sh.images.finish(ctx.now()) {
            let done = Rc::new(done);
            self.pulled.extend(done.waiters.keys().map(|&id| (id, Rc::clone(&done))));
        }
        self.sh.kick_pulls(ctx);
        self.tell_pulled(ctx);
    }

    /// Tells the next few waiting pod workers that their pull ended, and wakes again at the same
    /// instant for the rest.
    fn tell_pulled(&mut self, ctx: &mut Ctx<'_>) {
        for _ in 0..PULLED_PER_WAKE {
            let Some((id, done)) = self.pulled.pop_front() else { return };
            let Some(key) = self.by_id.get(&id).cloned() else { continue };
            if let Some(w) = self.workers.get_mut(&key) {
                w.pull_done(&done, &mut self.sh, ctx);
                w.sync(&mut self.sh, ctx);
            }
            self.reap(&key);
        }
        if !self.pulled.is_empty() {
            self.arm_pulled(ctx);
        }
    }

    fn arm_pulled(&mut self, ctx: &mut Ctx<'_>) {
        if self.pulled_wake != Some(ctx.now()) {
            self.pulled_wake = Some(ctx.now());
            ctx.wake_at(ctx.now(), TOKEN_PULLED);
        }
    }
}

impl Process for Kubelet {
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }

    fn component(&self) -> Component {
        Component::Kubelet(self.sh.node.clone())
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        self.learn_node(ctx);
        let adopt = !self.started_once;
        self.started_once = true;
        let identity = self.sh.identity.clone();
        // Without its watch the kubelet still heartbeats; pods wait for the next start.
        if let Ok(deltas) = self.informer.start(ctx.api, &identity) {
            for d in deltas {
                self.handle(d, adopt, ctx);
            }
        }
        if let Some(id) = self.informer.watch_id() {
            ctx.own_watch(id);
        }
        let keys: Vec<String> = self.workers.keys().cloned().collect();
        for key in keys {
            if let Some(w) = self.workers.get_mut(&key) {
                w.sync(&mut self.sh, ctx);
            }
            self.reap(&key);
        }
        if let Some(t) = self.sh.images.active_until() {
            ctx.wake_at(t, TOKEN_PULL);
        }
        self.pulled_wake = None;
        if !self.pulled.is_empty() {
            self.arm_pulled(ctx);
        }
        self.heartbeat.force_report();
        self.heartbeat.beat(&mut self.sh, ctx);
        // Spread the nodes' heartbeats over the period, as their start times would.
        let phase = Duration::from_millis(self.sh.rng.below(UPDATE_EVERY.as_millis()));
        let at = ctx.now().after(phase);
        self.next_beat = Some(at);
        ctx.wake_at(at, TOKEN_HEARTBEAT);
    }

    fn stop(&mut self, api: &mut ApiServer) {
        self.informer.stop(api);
    }

    fn on_events(&mut self, events: &[WatchEvent], ctx: &mut Ctx<'_>) {
        for e in events {
            if let Some(delta) = self.informer.handle(e) {
                self.handle(delta, false, ctx);
            }
        }
    }

    fn on_timer(&mut self, token: u64, ctx: &mut Ctx<'_>) {
        match token {
            TOKEN_HEARTBEAT if self.next_beat == Some(ctx.now()) => {
                self.heartbeat.beat(&mut self.sh, ctx);
                let at = ctx.now().after(UPDATE_EVERY);
                self.next_beat = Some(at);
                ctx.wake_at(at, TOKEN_HEARTBEAT);
            }
            TOKEN_PULL => self.pull_finished(ctx),
            TOKEN_PULLED if self.pulled_wake == Some(ctx.now()) => {
                self.pulled_wake = None;
                self.tell_pulled(ctx);
            }
            t if t >= TOKEN_POD_BASE => {
                let id = u32::try_from(t - TOKEN_POD_BASE).unwrap_or(u32::MAX);
                let Some(key) = self.by_id.get(&id).cloned() else { return };
                if let Some(w) = self.workers.get_mut(&key) {
                    w.sync(&mut self.sh, ctx);
                }
                self.reap(&key);
            }
            _ => {}
        }
    }
}
