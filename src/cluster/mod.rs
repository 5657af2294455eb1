//! The simulated cluster: the api-server, the processes that talk to it, and the event loop that
//! delivers watch notifications and timers in virtual time. Front ends (the shell, the web UI,
//! benchmarks) drive it through `run_for` and `run_until_idle`; nothing else owns the clock.

mod boot;
mod components;
mod host_processes;
mod metrics;
mod setup;
pub mod topology;

use std::collections::{BTreeMap, VecDeque};

use crate::apiserver::{ApiServer, WatchEvent, WatchId};
use crate::client::{Ctx, Process};
use crate::sim::latency::Latency;
use crate::sim::trace::{Component, Entry, EntryKind};
use crate::sim::{Clock, Duration, EventQueue, Time};
pub use components::{ComponentError, ControlPlane};
pub use setup::Setup;
pub use topology::{NodeSpec, Topology};

/// The api-server's `gitVersion`: the simulated control plane runs the same release as kubectl.
/// How many notifications a watcher is handed in one delivery; the rest follow at the same
/// instant. Upstream's informers hand their handlers one event at a time; handing them over in
/// batches is cheaper, but a hundred pods' worth in one item held the web page's frame.
const DELIVERY_BATCH: usize = 32;

pub const SERVER_GIT_VERSION: &str = "v1.36.3";

/// Something due at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Due {
    /// Deliver a process's pending watch notifications.
    Deliver(usize),
    /// A process's timer.
    Timer(usize, u64),
}

struct Slot {
    process: Box<dyn Process>,
    running: bool,
    inbox: VecDeque<WatchEvent>,
    delivery_scheduled: bool,
}

/// A whole simulated cluster.
pub struct Cluster {
    api: ApiServer,
    queue: EventQueue<Due>,
    slots: Vec<Slot>,
    watch_owner: BTreeMap<WatchId, usize>,
    latency: Latency,
    seed: u64,
    components: components::Components,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("seed", &self.seed)
            .field("now", &self.now())
            .field("api", &self.api)
            .finish_non_exhaustive()
    }
}

impl Cluster {
    /// The default cluster's objects as kubeadm leaves them, with no process running: component tests
    /// spawn the processes they test. Front ends use `boot`, which starts every component.
    pub fn new(seed: u64) -> Self {
        Self::with_topology(seed, &Topology::default())
    }

    /// The objects of a cluster of `topology`, settled at time zero, with no process running.
    pub fn with_topology(seed: u64, topology: &Topology) -> Self {
        let api = ApiServer::new(seed, Clock::default());
        let mut cluster = Cluster {
            api,
            queue: EventQueue::new(),
            slots: Vec::new(),
            watch_owner: BTreeMap::new(),
            latency: Latency::default(),
            seed,
            components: components::Components::default(),
        };
        boot::boot(&mut cluster.api, topology);
        cluster.api.trace_mut().clear();
        cluster.api.set_root(0);
        cluster
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn now(&self) -> Time {
        self.api.now()
    }

    pub fn clock(&self) -> &Clock {
        self.api.clock()
    }

    pub fn latency(&self) -> Latency {
        self.latency
    }

    pub fn api(&self) -> &ApiServer {
        &self.api
    }

    /// The api-server, for a client acting now (kubectl). Call `settle` after, so that the watch
    /// notifications its writes produced are delivered.
    pub fn api_mut(&mut self) -> &mut ApiServer {
        &mut self.api
    }

    pub fn server_git_version(&self) -> &'static str {
        SERVER_GIT_VERSION
    }

    /// Adds a process and starts it.
    pub fn spawn(&mut self, process: Box<dyn Process>) -> usize {
        let id = self.slots.len();
        self.slots.push(Slot { process, running: false, inbox: VecDeque::new(), delivery_scheduled: false });
        self.start_process(id);
        id
    }

    /// The process spawned as `id`, to read its own state (downcast through `as_any`).
    pub fn process(&self, id: usize) -> Option<&dyn Process> {
        self.slots.get(id).map(|s| s.process.as_ref())
    }

    /// Whether process `id` runs (not stopped by a fault).
    pub fn is_running(&self, id: usize) -> bool {
        self.slots.get(id).is_some_and(|s| s.running)
    }

    fn start_process(&mut self, id: usize) {
        let Some(slot) = self.slots.get_mut(id) else { return };
        slot.running = true;
        let mut ctx = Ctx::new(&mut self.api);
        slot.process.start(&mut ctx);
        let requests = ctx.into_requests();
        self.register(id, requests);
        self.route_events();
    }

    /// Puts `process` in slot `id` in place of the one there, stopped first: a new process of the
    /// same component (a container started again).
    pub fn replace_process(&mut self, id: usize, process: Box<dyn Process>) {
        self.set_running(id, false);
        let Some(slot) = self.slots.get_mut(id) else { return };
        slot.process = process;
        self.start_process(id);
    }

    /// Stops a process (its watches close, its timers are ignored) or starts it again.
    pub fn set_running(&mut self, id: usize, running: bool) {
        let Some(slot) = self.slots.get_mut(id) else { return };
        if slot.running == running {
            return;
        }
        if running {
            self.start_process(id);
        } else {
            slot.running = false;
            slot.inbox.clear();
            slot.process.stop(&mut self.api);
            self.watch_owner.retain(|_, owner| *owner != id);
        }
    }

    fn register(&mut self, id: usize, (timers, watches): (Vec<(Time, u64)>, Vec<WatchId>)) {
        for (at, token) in timers {
            self.queue.schedule(at, Due::Timer(id, token));
        }
        for w in watches {
            self.watch_owner.insert(w, id);
        }
    }

    /// Hands the api-server's fresh notifications to their watchers' inboxes and schedules delivery.
    fn route_events(&mut self) {
        let events = self.api.take_events();
        if events.is_empty() {
            return;
        }
        let at = self.now().after(self.latency.watch_delivery);
        for event in events {
            let Some(&owner) = self.watch_owner.get(&event.watch) else { continue };
            let Some(slot) = self.slots.get_mut(owner) else { continue };
            slot.inbox.push_back(event);
            if !slot.delivery_scheduled {
                slot.delivery_scheduled = true;
                self.queue.schedule(at, Due::Deliver(owner));
            }
        }
    }

    /// Delivers notifications that kubectl's writes produced; call after each command.
    pub fn settle(&mut self) {
        self.run_host_processes();
        self.route_events();
    }

    /// Runs the next due item; false when nothing is scheduled.
    pub fn step(&mut self) -> bool {
        let Some((at, due)) = self.queue.pop() else { return false };
        self.api.set_now(at);
        match due {
            Due::Deliver(id) => {
                let Some(slot) = self.slots.get_mut(id) else { return true };
                slot.delivery_scheduled = false;
                if !slot.running {
                    slot.inbox.clear();
                    return true;
                }
                let take = slot.inbox.len().min(DELIVERY_BATCH);
                let events: Vec<WatchEvent> = slot.inbox.drain(..take).collect();
                let more = !slot.inbox.is_empty();
                if more {
                    slot.delivery_scheduled = true;
                    self.queue.schedule(at, Due::Deliver(id));
                }
                record_deliveries(&mut self.api, slot.process.component(), &events);
                let mut ctx = Ctx::new(&mut self.api).with_more_events(more);
                slot.process.on_events(&events, &mut ctx);
                let requests = ctx.into_requests();
                self.register(id, requests);
            }
            Due::Timer(id, token) => {
                let Some(slot) = self.slots.get_mut(id) else { return true };
                if !slot.running {
                    return true;
                }
                let mut ctx = Ctx::new(&mut self.api);
                slot.process.on_timer(token, &mut ctx);
                let requests = ctx.into_requests();
                self.register(id, requests);
            }
        }
        self.run_host_processes();
        self.route_events();
        true
    }

    /// Runs everything due up to `t`, then sets the clock to `t`.
    pub fn run_until(&mut self, t: Time) {
        self.route_events();
        while self.queue.peek_time().is_some_and(|next| next <= t) {
            self.step();
        }
        self.api.set_now(t);
    }

    /// Lets `d` of virtual time pass, running everything that falls due.
    pub fn run_for(&mut self, d: Duration) {
        let until = self.now().after(d);
        self.run_until(until);
    }

    /// Steps through the next `d` of virtual time one item at a time, measuring each item's trace
    /// entries with `measure`, and returns the largest measure: how much work one item did at most.
    #[cfg(test)]
    pub(crate) fn most_per_item(&mut self, d: Duration, mut measure: impl FnMut(&[&Entry]) -> usize) -> usize {
        let end = self.now().after(d);
        let mut most = 0;
        while self.next_due().is_some_and(|due| due <= end) {
            let before = self.api.trace().next_seq();
            self.step();
            let entries: Vec<&Entry> = self.api.trace().since(before).collect();
            most = most.max(measure(&entries));
        }
        most
    }

    /// Runs until nothing is scheduled, or `limit` of virtual time has passed (periodic work such as
    /// node heartbeats never goes idle).
    pub fn run_until_idle(&mut self, limit: Duration) {
        let end = self.now().after(limit);
        self.route_events();
        while self.queue.peek_time().is_some_and(|next| next <= end) {
            self.step();
        }
    }
}

/// One trace entry per notification handed to a watcher: the arrow from the api-server to the
/// component that the UI draws between a write and the reaction to it.
fn record_deliveries(api: &mut ApiServer, to: Component, events: &[WatchEvent]) {
    for e in events {
        let object = e.object_ref.clone();
        let entry = Entry::new(Component::ApiServer, to.clone(), EntryKind::Watch, e.event_type.as_str(), object);
        api.record(entry.rv(e.object.resource_version()));
    }
}

impl Default for Cluster {
    fn default() -> Self {
        Cluster::new(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Kind;
    use crate::apiserver::{Identity, ListOptions};

    fn names(c: &mut Cluster, kind: Kind, ns: Option<&str>) -> Vec<String> {
        let list = c.api_mut().list(&Identity::admin(), kind, ns, &ListOptions::default()).expect("list");
        list.items.iter().map(|o| o.name().to_string()).collect()
    }

    #[test]
    fn boots_the_default_kubeadm_cluster() {
        let mut c = Cluster::new(1);
        // The boot is not part of the scenario's history.
        assert!(c.api().trace().is_empty());
        assert_eq!(names(&mut c, Kind::Namespace, None), ["default", "kube-node-lease", "kube-public", "kube-system"]);
        assert_eq!(names(&mut c, Kind::Node, None), ["control-plane", "node-01", "node-02", "node-03"]);
        let pods = names(&mut c, Kind::Pod, Some("kube-system"));
        assert_eq!(pods.len(), 4 + 4 + 2, "{pods:?}");
        assert!(pods.contains(&"etcd-control-plane".to_string()));
        assert_eq!(pods.iter().filter(|p| p.starts_with("kube-proxy-")).count(), 4);
        assert_eq!(pods.iter().filter(|p| p.starts_with("coredns-668d6bf9bc-")).count(), 2);
        let svc = c.api().peek(Kind::Service, Some("kube-system"), "kube-dns").expect("kube-dns");
        assert_eq!(svc.to_value()["spec"]["clusterIP"], "10.96.0.10");
        let node = c.api().peek(Kind::Node, None, "node-01").expect("node-01").to_value();
        assert_eq!(node["status"]["allocatable"]["pods"], "110");
        assert_eq!(node["status"]["conditions"][3]["type"], "Ready");
    }

    #[test]
    fn watch_deliveries_are_traced_from_write_to_reaction() {
        use crate::sim::trace::{Component, EntryKind};
        let mut shell = crate::terminal::Shell::new(Cluster::boot_default(1));
        shell.run_script("kubectl create deployment web --image=nginx\nsleep 1\n");
        let trace = shell.cluster().api().trace();
        let delivered = trace.entries().find(|e| {
            e.kind == EntryKind::Watch
                && e.to == Component::ControllerManager("deployment")
                && e.object.kind == "Deployment"
                && e.verb == "ADDED"
        });
        let delivered = delivered.expect("the deployment controller is told of the new Deployment");
        let stored = trace
            .entries()
            .find(|e| e.kind == EntryKind::Storage && e.object.kind == "Deployment")
            .expect("the Deployment is written to etcd");
        assert!(stored.seq < delivered.seq && delivered.resource_version == stored.resource_version);
    }

    /// The web page runs the cluster one item at a time within an 8 ms slice, so no item may do a
    /// hundred pods' work at once: not the kubelet whose 33 pods waited for one image, nor a watcher
    /// handed a hundred notifications.
    #[test]
    fn a_hundred_pods_start_in_items_of_bounded_size() {
        use crate::sim::trace::EntryKind;
        let mut shell = crate::terminal::Shell::new(Cluster::boot_default(1));
        shell.run_script("kubectl create deployment load --image=nginx --replicas=100\n");
        let c = shell.cluster_mut();
        c.settle();
        let mut most_delivered = 0;
        let largest = c.most_per_item(Duration::from_secs(60), |entries| {
            most_delivered = most_delivered.max(entries.iter().filter(|e| e.kind == EntryKind::Watch).count());
            entries.len()
        });
        let running = c
            .api()
            .pods_on_node("node-01")
            .chain(c.api().pods_on_node("node-02"))
            .chain(c.api().pods_on_node("node-03"))
            .filter(|p| p.name().starts_with("load-"))
            .filter(|p| p.as_pod().and_then(|p| p.status.as_ref()).and_then(|s| s.phase.as_deref()) == Some("Running"))
            .count();
        assert_eq!(running, 100);
        // A burst handed over in several deliveries is synced once, at its last part: the
        // ReplicaSet's status is written 4 times in all (10 times when each part was synced).
        let rs_writes =
            c.api().trace().entries().filter(|e| e.kind == EntryKind::Storage && e.object.kind == "ReplicaSet").count();
        assert!(largest <= 200, "one item wrote {largest} trace entries");
        assert!(rs_writes <= 4, "the ReplicaSet was written {rs_writes} times");
        assert_eq!(most_delivered, DELIVERY_BATCH);
    }

    #[test]
    fn boot_is_deterministic_per_seed() {
        let a = Cluster::new(3);
        let b = Cluster::new(3);
        let pods = |c: &Cluster| {
            c.api().peek(Kind::Pod, Some("kube-system"), "etcd-control-plane").map(|p| p.uid().to_string())
        };
        assert_eq!(pods(&a), pods(&b));
        assert_ne!(pods(&a), pods(&Cluster::new(4)));
    }
}
