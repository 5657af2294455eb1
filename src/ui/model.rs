//! What the views draw, read from the api-server's objects without requests (so drawing adds nothing
//! to the trace): node cards with requested versus allocatable resources, pod chips with kubectl's
//! STATUS, and the colour family of each status. Per-node reads go through the api-server's pod-by-node
//! index, never a scan of every pod.

use k8s_openapi::api::core::v1::{Node, Pod};

use crate::api::quantity::Quantity;
use crate::api::{Kind, Object};
use crate::apiserver::ApiServer;
use crate::kubectl::columns::{node_status, pod_status};
use crate::sim::trace::Entry;

/// A pod as a chip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodChip {
    pub namespace: String,
    pub name: String,
    /// kubectl's STATUS column.
    pub status: String,
}

impl PodChip {
    fn of(pod: &Pod) -> PodChip {
        PodChip {
            namespace: pod.metadata.namespace.clone().unwrap_or_default(),
            name: pod.metadata.name.clone().unwrap_or_default(),
            status: pod_status(pod),
        }
    }

    /// The CSS class of the status's colour family.
    pub fn tone(&self) -> &'static str {
        tone(&self.status)
    }
}

/// The colour family of a kubectl STATUS.
pub fn tone(status: &str) -> &'static str {
    match status {
        "Running" => "ok",
        "Completed" | "Succeeded" => "done",
        "Pending" | "ContainerCreating" | "PodInitializing" | "SchedulingGated" => "wait",
        "Terminating" => "leaving",
        s if s.starts_with("Init:") && !s.contains("Err") && !s.contains("BackOff") => "wait",
        _ => "bad",
    }
}

/// Whether a trace entry is background noise for the views: node heartbeats (Lease renewals) and node
/// status updates, which every node makes every few seconds.
pub fn heartbeat(e: &Entry) -> bool {
    matches!(e.object.kind, "Lease" | "Node")
}

/// A node as a card.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeCard {
    pub name: String,
    /// kubectl's STATUS column: `Ready`, `NotReady`, `Ready,SchedulingDisabled`...
    pub status: String,
    pub ready: bool,
    pub cordoned: bool,
    pub taints: Vec<String>,
    pub cpu_requested_m: i64,
    pub cpu_allocatable_m: i64,
    pub memory_requested: i64,
    pub memory_allocatable: i64,
    pub pods: Vec<PodChip>,
}

fn quantity(q: Option<&k8s_openapi::apimachinery::pkg::api::resource::Quantity>, milli: bool) -> i64 {
    q.and_then(|q| Quantity::from_api(q).ok()).map_or(0, |q| if milli { q.milli_value() } else { q.value() })
}

/// A pod's requests as the scheduler counts them: the containers' sum, or the largest init container
/// when that is larger.
fn requests(pod: &Pod, resource: &str, milli: bool) -> i64 {
    let Some(spec) = pod.spec.as_ref() else { return 0 };
    let of = |c: &k8s_openapi::api::core::v1::Container| {
        quantity(c.resources.as_ref().and_then(|r| r.requests.as_ref()).and_then(|r| r.get(resource)), milli)
    };
    let sum: i64 = spec.containers.iter().map(of).sum();
    let init = spec.init_containers.iter().flatten().map(of).max().unwrap_or(0);
    sum.max(init)
}

fn node_card(api: &ApiServer, node: &Node) -> NodeCard {
    let name = node.metadata.name.clone().unwrap_or_default();
    let status = node_status(node);
    let allocatable = node.status.as_ref().and_then(|s| s.allocatable.as_ref());
    let spec = node.spec.as_ref();
    let mut pods: Vec<PodChip> = Vec::new();
    let (mut cpu, mut memory) = (0, 0);
    for pod in api.pods_on_node(&name).filter_map(Object::as_pod) {
        let chip = PodChip::of(pod);
        if chip.status != "Completed" {
            cpu += requests(pod, "cpu", true);
            memory += requests(pod, "memory", false);
        }
        pods.push(chip);
    }
    pods.sort_by(|a, b| (a.namespace == "kube-system", &a.name).cmp(&(b.namespace == "kube-system", &b.name)));
    NodeCard {
        ready: status.starts_with("Ready"),
        cordoned: spec.and_then(|s| s.unschedulable).unwrap_or(false),
        taints: spec
            .and_then(|s| s.taints.as_ref())
            .into_iter()
            .flatten()
            .map(|t| match t.value.as_deref().filter(|v| !v.is_empty()) {
                Some(v) => format!("{}={}:{}", t.key, v, t.effect),
                None => format!("{}:{}", t.key, t.effect),
            })
            .collect(),
        cpu_requested_m: cpu,
        cpu_allocatable_m: quantity(allocatable.and_then(|a| a.get("cpu")), true),
        memory_requested: memory,
        memory_allocatable: quantity(allocatable.and_then(|a| a.get("memory")), false),
        status,
        name,
        pods,
    }
}

/// The cards of the first `limit` nodes, by name.
pub fn node_cards(api: &ApiServer, limit: usize) -> Vec<NodeCard> {
    api.peek_list(Kind::Node, None)
        .into_iter()
        .filter_map(Object::as_node)
        .take(limit)
        .map(|n| node_card(api, n))
        .collect()
}

/// A node in the heat map: its name, pod count and capacity, and whether it is Ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeatCell {
    pub name: String,
    pub pods: usize,
    pub capacity: usize,
    pub ready: bool,
}

/// The heat map's cells: counts from the pod-by-node index, so a 5,000-node cluster is 5,000 lookups.
pub fn heat_cells(api: &ApiServer) -> Vec<HeatCell> {
    api.peek_list(Kind::Node, None)
        .into_iter()
        .filter_map(Object::as_node)
        .map(|n| {
            let name = n.metadata.name.clone().unwrap_or_default();
            let capacity = n.status.as_ref().and_then(|s| s.allocatable.as_ref()).and_then(|a| a.get("pods"));
            HeatCell {
                pods: api.pod_count_on_node(&name),
                capacity: usize::try_from(quantity(capacity, false)).unwrap_or(0).max(1),
                ready: node_status(n).starts_with("Ready"),
                name,
            }
        })
        .collect()
}

/// Pods no node has been chosen for yet.
pub fn unscheduled(api: &ApiServer) -> Vec<PodChip> {
    api.peek_list(Kind::Pod, None)
        .into_iter()
        .filter_map(Object::as_pod)
        .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()).is_none_or(str::is_empty))
        .map(PodChip::of)
        .collect()
}

/// Human units for the resource bars: cores with two decimals, memory in Mi or Gi.
pub fn cores(milli: i64) -> String {
    format!("{:.2}", milli as f64 / 1000.0)
}

pub fn bytes(b: i64) -> String {
    const MI: f64 = 1024.0 * 1024.0;
    let mi = b as f64 / MI;
    if mi >= 1024.0 { format!("{:.1}Gi", mi / 1024.0) } else { format!("{mi:.0}Mi") }
}

/// A share in percent, 0 when the total is unknown.
pub fn percent(part: i64, total: i64) -> f64 {
    if total <= 0 { 0.0 } else { (part as f64 * 100.0 / total as f64).clamp(0.0, 100.0) }
}
