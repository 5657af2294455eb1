//! Which processes make up a running cluster and how front ends address them: the controller manager
//! (one process per controller, stopped and started together as the binary would be), the scheduler,
//! one kubelet per node, and the kube-proxy its kube-proxy container runs (see `host_processes`). `kubarium component stop|start` and `kubarium node stop|start|add|remove`
//! act through these names.

use std::collections::BTreeMap;

use super::metrics::KubeletMetrics;
use super::setup::Setup;
use super::topology::{NodeSpec, Topology};
use super::{Cluster, Due};
use crate::api::Kind;
use crate::api::Object;
use crate::apiserver::{DeleteOptions, Identity};
use crate::client::Process;
use crate::controllers::hpa::metrics::{LoadKnob, Loaded};
use crate::controllers::{
    CloudControllerManager, CronJobController, DaemonSetController, DeploymentController, DisruptionController,
    EndpointSliceController, EndpointsController, GarbageCollector, HorizontalPodAutoscalerController, JobController,
    NamespaceController, NodeLifecycleController, PersistentVolumeController, PodGcController, ReplicaSetController,
    ServiceAccountController, StatefulSetController, TaintEvictionController, TtlAfterFinishedController,
};
use crate::kubelet::{ExecError, ExecOutput, Kubelet, ProcessEvents};
use crate::network::{CoreDns, IngressNginx, Network, PodNetwork, RuleTable};
use crate::scheduler::Scheduler;
use crate::sim::Rng;

/// A control-plane binary that `kubarium component stop|start` can fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ControlPlane {
    ControllerManager,
    Scheduler,
    CloudControllerManager,
}

impl ControlPlane {
    /// Every name a user may type for it, the binary's own name first.
    pub const ALL: [(ControlPlane, &'static [&'static str]); 3] = [
        (ControlPlane::ControllerManager, &["kube-controller-manager", "controller-manager"]),
        (ControlPlane::Scheduler, &["kube-scheduler", "scheduler"]),
        (ControlPlane::CloudControllerManager, &["cloud-controller-manager"]),
    ];

    pub fn parse(name: &str) -> Option<ControlPlane> {
        Self::ALL.iter().find(|(_, names)| names.contains(&name)).map(|(c, _)| *c)
    }

    pub fn name(self) -> &'static str {
        match self {
            ControlPlane::ControllerManager => "kube-controller-manager",
            ControlPlane::Scheduler => "kube-scheduler",
            ControlPlane::CloudControllerManager => "cloud-controller-manager",
        }
    }
}

/// Why a `kubarium node|component` request could not be carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComponentError {
    NodeNotFound(String),
    NodeExists(String),
    UnknownComponent(String),
}

impl std::fmt::Display for ComponentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ComponentError::NodeNotFound(n) => write!(f, "node \"{n}\" not found"),
            ComponentError::NodeExists(n) => write!(f, "node \"{n}\" already exists"),
            ComponentError::UnknownComponent(c) => write!(
                f,
                "unknown component \"{c}\" (known: {})",
                ControlPlane::ALL.iter().map(|(c, _)| c.name()).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

/// The process ids of the cluster's components.
#[derive(Debug, Default)]
pub struct Components {
    control_plane: BTreeMap<ControlPlane, Vec<usize>>,
    kubelets: BTreeMap<String, usize>,
    /// Nodes registered so far, for the next node's addresses (indexes are never reused).
    next_node_index: usize,
    /// What the cluster booted from, for `kubarium reset`.
    setup: Setup,
    metrics: KubeletMetrics,
    load: LoadKnob,
    /// kube-proxy's rules per node, CoreDNS's records and the ingress controller's routes.
    network: Network,
    /// Each node's kube-proxy process, once its container first started.
    pub(super) proxies: BTreeMap<String, usize>,
    /// The container ID each node's kube-proxy runs in, while it runs.
    pub(super) proxy_containers: BTreeMap<String, String>,
    /// The kubelets' reports of component containers starting and stopping.
    pub(super) processes: ProcessEvents,
    /// The stream `kubectl exec`'s requests draw from (which endpoint kube-proxy picks).
    exec_rng: Option<Rng>,
}

impl Cluster {
    /// The cluster of `topology` with every component running: what the playground and scenarios use.
    pub fn boot(seed: u64, topology: &Topology) -> Self {
        Self::boot_setup(seed, Setup::of(topology))
    }

    /// The cluster of `setup` (topology, scheduler configuration, images) with every component running.
    pub fn boot_setup(seed: u64, setup: Setup) -> Self {
        let topology = &setup.topology;
        let mut cluster = Cluster::with_topology(seed, topology);
        cluster.components.processes = ProcessEvents::watching(super::host_processes::COMPONENT_IMAGES);
        cluster.components.next_node_index = topology.nodes.len();
        cluster.components.network.catalog = setup.catalog.clone();
        let metrics = Loaded { source: cluster.components.metrics.clone(), load: cluster.components.load.clone() };
        // kube-controller-manager's default controllers, as separate processes of one binary.
        let controllers: Vec<Box<dyn Process>> = vec![
            Box::new(DeploymentController::new()),
            Box::new(ReplicaSetController::new()),
            Box::new(DaemonSetController::new()),
            Box::new(StatefulSetController::new()),
            Box::new(JobController::new()),
            Box::new(CronJobController::new()),
            Box::new(TtlAfterFinishedController::new()),
            Box::new(EndpointsController::new()),
            Box::new(EndpointSliceController::new()),
            Box::new(GarbageCollector::new()),
            Box::new(PodGcController::new()),
            Box::new(NamespaceController::new()),
            Box::new(ServiceAccountController::new()),
            Box::new(NodeLifecycleController::new()),
            Box::new(TaintEvictionController::new()),
            Box::new(PersistentVolumeController::new()),
            Box::new(DisruptionController::new()),
            Box::new(HorizontalPodAutoscalerController::new(Box::new(metrics))),
        ];
        let ids = controllers.into_iter().map(|c| cluster.spawn(c)).collect();
        cluster.components.control_plane.insert(ControlPlane::ControllerManager, ids);
        let ccm = cluster.spawn(Box::new(CloudControllerManager::new()));
        cluster.components.control_plane.insert(ControlPlane::CloudControllerManager, vec![ccm]);
        let scheduler = cluster.spawn(Box::new(Scheduler::new(seed, setup.scheduler.clone())));
        cluster.components.control_plane.insert(ControlPlane::Scheduler, vec![scheduler]);
        for node in &topology.nodes {
            cluster.spawn_kubelet(&node.name);
        }
        let dns = CoreDns::new();
        cluster.components.network.dns = dns.table();
        cluster.spawn(Box::new(dns));
        // ingress-nginx listens on the first worker's address, as a kind cluster's does on its node.
        if let Some(node) = topology.nodes.iter().find(|n| !n.control_plane).or(topology.nodes.first()) {
            let ingress = IngressNginx::new(&node.name);
            cluster.components.network.ingress = Some(ingress.table());
            cluster.spawn(Box::new(ingress));
        }
        // The controllers' first lists and the kubelets' adoption of the booted pods are part of the
        // boot, not of the scenario.
        cluster.settle();
        cluster.run_for(crate::sim::Duration::ZERO);
        cluster.api.trace_mut().clear();
        cluster.api.set_root(0);
        cluster.components.setup = setup;
        cluster
    }

    /// What the cluster booted from (nodes added later are not in its topology).
    pub fn setup(&self) -> &Setup {
        &self.components.setup
    }

    /// The topology the cluster booted from (nodes added later are not in it).
    pub fn topology(&self) -> &Topology {
        &self.components.setup.topology
    }

    /// The default cluster with every component running.
    pub fn boot_default(seed: u64) -> Self {
        Self::boot(seed, &Topology::default())
    }

    /// Starts a node's kubelet; its kube-proxy starts with the kube-proxy pod's container. The
    /// node's rules exist from the start, knowing the node's addresses (its kernel has them).
    fn spawn_kubelet(&mut self, node: &str) {
        let table = RuleTable::default();
        if let Some(Object::Node(n)) = self.api.peek(Kind::Node, None, node) {
            table.lock().learn_node(&n);
        }
        self.components.network.proxies.insert(node.to_string(), table);
        let kubelet = Kubelet::with_catalog(node, self.seed, self.components.network.catalog.clone())
            .with_process_events(self.components.processes.clone());
        self.components.metrics.add(node, kubelet.metrics());
        let id = self.spawn(Box::new(kubelet));
        self.components.kubelets.insert(node.to_string(), id);
    }

    /// `kubectl exec`: runs `argv` in a container through its node's kubelet, with the pod's view of
    /// the network (its image's tools: wget, curl, nslookup, iptables-save).
    pub fn exec_in_pod(
        &mut self,
        node: &str,
        namespace: &str,
        pod: &str,
        container: &str,
        argv: &[String],
        now_unix_ms: i64,
    ) -> Result<ExecOutput, ExecError> {
        let id = *self.components.kubelets.get(node).ok_or(ExecError::PodNotFound)?;
        let kubelet = self
            .slots
            .get(id)
            .and_then(|s| s.process.as_any())
            .and_then(|p| p.downcast_ref::<Kubelet>())
            .ok_or(ExecError::PodNotFound)?;
        let seed = self.seed;
        let rng = self.components.exec_rng.get_or_insert_with(|| Rng::derive(seed, "kubectl-exec"));
        let net = PodNetwork::new(&mut self.api, &self.components.network, namespace, pod, Some(container), rng);
        kubelet.exec(namespace, pod, container, argv, now_unix_ms, Some(&net))
    }

    /// The network as the nodes see it, for requests from pods (`kubectl exec ... -- wget`).
    pub fn network(&self) -> &Network {
        &self.components.network
    }

    /// The load knob: extra CPU per pod for the pods of a workload, which metrics (and so `kubectl
    /// top` and the HPA) see.
    pub fn load(&self) -> &LoadKnob {
        &self.components.load
    }

    /// The kubelet of `node`, for its logs and metrics.
    pub fn kubelet(&self, node: &str) -> Option<&Kubelet> {
        let id = *self.components.kubelets.get(node)?;
        self.process(id)?.as_any()?.downcast_ref::<Kubelet>()
    }

    /// The scheduler, for its explanations.
    pub fn scheduler(&self) -> Option<&Scheduler> {
        let id = *self.components.control_plane.get(&ControlPlane::Scheduler)?.first()?;
        self.process(id)?.as_any()?.downcast_ref::<Scheduler>()
    }

    /// Stops or starts a control-plane binary (by any of its names).
    pub fn set_component_running(&mut self, name: &str, running: bool) -> Result<ControlPlane, ComponentError> {
        let which = ControlPlane::parse(name).ok_or_else(|| ComponentError::UnknownComponent(name.to_string()))?;
        for id in self.components.control_plane.get(&which).cloned().unwrap_or_default() {
            self.set_running(id, running);
        }
        Ok(which)
    }

    /// Whether a control-plane binary runs.
    pub fn component_running(&self, which: ControlPlane) -> bool {
        self.components.control_plane.get(&which).and_then(|ids| ids.first()).is_some_and(|&id| self.is_running(id))
    }

    /// Stops or starts the kubelet of `node`: a stopped kubelet posts no heartbeat and no status.
    pub fn set_node_running(&mut self, node: &str, running: bool) -> Result<(), ComponentError> {
        let id = *self.components.kubelets.get(node).ok_or_else(|| ComponentError::NodeNotFound(node.to_string()))?;
        self.set_running(id, running);
        Ok(())
    }

    /// Joins a new node: it registers (Node and Lease) and its kubelet starts.
    pub fn add_node(&mut self, spec: &NodeSpec) -> Result<(), ComponentError> {
        if self.components.kubelets.contains_key(&spec.name) || self.api.peek(Kind::Node, None, &spec.name).is_some() {
            return Err(ComponentError::NodeExists(spec.name.clone()));
        }
        let index = self.components.next_node_index;
        self.components.next_node_index += 1;
        super::boot::node(&mut self.api, spec, index);
        self.spawn_kubelet(&spec.name);
        self.settle();
        Ok(())
    }

    /// Removes a node as `kubectl delete node` after its machine is gone: the kubelet stops and the
    /// Node object is deleted; its pods are left to the pod garbage collector, which force-deletes
    /// them once the node has been missing for its quarantine, as upstream.
    pub fn remove_node(&mut self, node: &str) -> Result<(), ComponentError> {
        let id = self.components.kubelets.remove(node).ok_or_else(|| ComponentError::NodeNotFound(node.to_string()))?;
        self.set_running(id, false);
        self.components.metrics.remove(node);
        if let Some(proxy) = self.components.proxies.remove(node) {
            self.set_running(proxy, false);
        }
        self.components.proxy_containers.remove(node);
        self.components.network.proxies.remove(node);
        let _ = self.api.delete(&Identity::admin(), Kind::Node, None, node, &DeleteOptions::default());
        self.settle();
        Ok(())
    }

    /// Whether the kubelet of `node` runs (false when it was stopped or the node has none), for the
    /// playground's start/stop buttons.
    pub fn node_running(&self, node: &str) -> bool {
        self.components.kubelets.get(node).is_some_and(|&id| self.is_running(id))
    }

    /// When the next queued item falls due, so that a front end can run the cluster one item at a
    /// time within a wall-clock budget without moving the clock past what it owes.
    pub fn next_due(&self) -> Option<crate::sim::Time> {
        self.queue.peek_time()
    }

    /// The component whose item runs next: a front end budgeting by wall clock learns how long
    /// each component's items take (a kubelet starting pods, the scheduler's cycles).
    pub fn next_component(&self) -> Option<crate::sim::trace::Component> {
        let (Due::Deliver(id) | Due::Timer(id, _)) = self.queue.peek()?;
        self.slots.get(*id).map(|s| s.process.component())
    }

    /// The nodes that have a kubelet, running or not.
    pub fn kubelet_nodes(&self) -> impl Iterator<Item = &str> {
        self.components.kubelets.keys().map(String::as_str)
    }
}
