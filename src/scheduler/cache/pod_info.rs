//! What the scheduler knows about one pod, computed once when the pod is seen (upstream's
//! `framework.PodInfo` plus the pieces every cycle would otherwise recompute): resource requests
//! real and non-zero, host ports, parsed affinity terms, tolerations, images. Plugins read this,
//! never the raw object, so a cycle over 5,000 nodes parses nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Container, Pod, PodAffinityTerm, Toleration};

use super::resource::Resource;
use crate::api::labels::Selector;
use crate::api::quantity::Quantity;

/// A container with no cpu request counts as this much when scoring (`DefaultMilliCPURequest`).
pub const DEFAULT_MILLI_CPU_REQUEST: i64 = 100;
/// A container with no memory request counts as this much when scoring: 200 MiB
/// (`DefaultMemoryRequest`, "200 MB" in upstream's comment).
pub const DEFAULT_MEMORY_REQUEST: i64 = 200 * 1024 * 1024;

/// One (anti-)affinity term, with its namespaces resolved against the pod that carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AffinityTerm {
    /// `None` matches pods in every namespace (an empty `namespaceSelector`).
    pub namespaces: Option<BTreeSet<String>>,
    pub selector: Selector,
    pub topology_key: String,
    /// The weight of a preferred term (1..100); 0 for a required term.
    pub weight: i64,
}

impl AffinityTerm {
    fn from_api(owner_ns: &str, term: &PodAffinityTerm, weight: i64) -> Option<Self> {
        // A term with no labelSelector matches no pods (upstream keeps it; it can never be
        // satisfied, so a required one makes the pod unschedulable).
        let selector = match &term.label_selector {
            Some(s) => Selector::from_label_selector(s).ok()?,
            None => Selector::parse("!kubarium.io/never-set").ok()?,
        };
        let explicit: BTreeSet<String> = term.namespaces.iter().flatten().cloned().collect();
        let namespaces = match (&term.namespace_selector, explicit.is_empty()) {
            // An empty namespaceSelector `{}` selects every namespace.
            (Some(ns), _)
                if ns.match_labels.as_ref().is_none_or(|m| m.is_empty())
                    && ns.match_expressions.as_ref().is_none_or(|m| m.is_empty()) =>
            {
                None
            }
            (_, true) => Some([owner_ns.to_string()].into()),
            (_, false) => Some(explicit),
        };
        Some(AffinityTerm { namespaces, selector, topology_key: term.topology_key.clone(), weight })
    }

    /// Whether this term selects a pod in `namespace` with `labels`.
    pub fn matches(&self, namespace: &str, labels: &BTreeMap<String, String>) -> bool {
        self.namespaces.as_ref().is_none_or(|n| n.contains(namespace)) && self.selector.matches(labels)
    }

    /// A stable identity of the term, to group equal terms of many pods.
    pub fn identity(&self) -> String {
        format!("{:?}|{:?}|{}|{}", self.namespaces, self.selector, self.topology_key, self.weight)
    }
}

/// A host port a pod asks for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct HostPort {
    pub ip: String,
    pub protocol: String,
    pub port: i32,
}

/// The precomputed view of a pod.
#[derive(Debug, Clone)]
pub struct PodInfo {
    pub pod: Arc<Pod>,
    /// `namespace/name`.
    pub key: String,
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub labels: BTreeMap<String, String>,
    pub priority: i32,
    pub node_name: Option<String>,
    pub scheduler_name: String,
    pub terminating: bool,
    /// Real requests (Filter, BalancedAllocation).
    pub requests: Resource,
    /// Requests with non-zero defaults for cpu and memory (Least/MostAllocated).
    pub non_zero_cpu: i64,
    pub non_zero_mem: i64,
    pub host_ports: Vec<HostPort>,
    pub tolerations: Vec<Toleration>,
    pub required_affinity: Vec<AffinityTerm>,
    pub required_anti_affinity: Vec<AffinityTerm>,
    pub preferred_affinity: Vec<AffinityTerm>,
    pub preferred_anti_affinity: Vec<AffinityTerm>,
    /// Normalised image names of the containers and init containers, one per container.
    pub images: Vec<String>,
    pub pvcs: Vec<String>,
    pub scheduling_gates: Vec<String>,
    pub nominated_node: Option<String>,
    pub preempt_never: bool,
    /// `status.startTime` (or creation), as RFC 3339 text: it orders victims in preemption.
    pub start_time: String,
}

fn quantity(q: &k8s_openapi::apimachinery::pkg::api::resource::Quantity) -> Option<Quantity> {
    Quantity::from_api(q).ok()
}

/// A container's requests, and its requests with non-zero defaults.
fn container_requests(c: &Container) -> (Resource, i64, i64) {
    let mut r = Resource::default();
    let mut cpu_set = false;
    let mut mem_set = false;
    for (name, q) in c.resources.as_ref().and_then(|r| r.requests.as_ref()).into_iter().flatten() {
        let Some(q) = quantity(q) else { continue };
        match name.as_str() {
            "cpu" => cpu_set = true,
            "memory" => mem_set = true,
            _ => {}
        }
        r.add_named(name, &q);
    }
    let nz_cpu = if cpu_set { r.milli_cpu } else { DEFAULT_MILLI_CPU_REQUEST };
    let nz_mem = if mem_set { r.memory } else { DEFAULT_MEMORY_REQUEST };
    (r, nz_cpu, nz_mem)
}

/// `normalizedImageName`: an image with no tag after its last `/` gets `:latest`.
pub fn normalized_image_name(name: &str) -> String {
    let last = name.rsplit('/').next().unwrap_or(name);
    if name.contains('@') || last.contains(':') { name.to_string() } else { format!("{name}:latest") }
}

fn terms(ns: &str, terms: Option<&Vec<PodAffinityTerm>>) -> Vec<AffinityTerm> {
    terms.into_iter().flatten().filter_map(|t| AffinityTerm::from_api(ns, t, 0)).collect()
}

fn weighted(ns: &str, terms: Option<&Vec<k8s_openapi::api::core::v1::WeightedPodAffinityTerm>>) -> Vec<AffinityTerm> {
    terms
        .into_iter()
        .flatten()
        .filter_map(|t| AffinityTerm::from_api(ns, &t.pod_affinity_term, i64::from(t.weight)))
        .collect()
}

impl PodInfo {
    pub fn new(pod: Arc<Pod>) -> Self {
        let meta = &pod.metadata;
        let namespace = meta.namespace.clone().unwrap_or_else(|| "default".into());
        let name = meta.name.clone().unwrap_or_default();
        let spec = pod.spec.as_ref();
        let containers: &[Container] = spec.map(|s| s.containers.as_slice()).unwrap_or(&[]);
        let inits: &[Container] = spec.and_then(|s| s.init_containers.as_deref()).unwrap_or(&[]);
        let mut requests = Resource::default();
        let (mut nz_cpu, mut nz_mem) = (0, 0);
        for c in containers {
            let (r, c_cpu, c_mem) = container_requests(c);
            requests.add(&r);
            nz_cpu += c_cpu;
            nz_mem += c_mem;
        }
        // Init containers run one at a time before the others: the pod needs the larger of their
        // biggest request and the containers' sum.
        for c in inits {
            let (r, c_cpu, c_mem) = container_requests(c);
            requests.set_max(&r);
            nz_cpu = nz_cpu.max(c_cpu);
            nz_mem = nz_mem.max(c_mem);
        }
        if let Some(overhead) = spec.and_then(|s| s.overhead.as_ref()) {
            let mut o = Resource::default();
            for (k, q) in overhead {
                if let Some(q) = quantity(q) {
                    o.add_named(k, &q);
                }
            }
            nz_cpu += o.milli_cpu;
            nz_mem += o.memory;
            requests.add(&o);
        }
        let mut host_ports = Vec::new();
        for c in containers.iter().chain(inits) {
            for p in c.ports.iter().flatten().filter(|p| p.host_port.unwrap_or(0) > 0) {
                host_ports.push(HostPort {
                    ip: p.host_ip.clone().filter(|ip| !ip.is_empty()).unwrap_or_else(|| "0.0.0.0".into()),
                    protocol: p.protocol.clone().unwrap_or_else(|| "TCP".into()),
                    port: p.host_port.unwrap_or(0),
                });
            }
        }
        let affinity = spec.and_then(|s| s.affinity.as_ref());
        let pa = affinity.and_then(|a| a.pod_affinity.as_ref());
        let paa = affinity.and_then(|a| a.pod_anti_affinity.as_ref());
        let status = pod.status.as_ref();
        PodInfo {
            key: format!("{namespace}/{name}"),
            uid: meta.uid.clone().unwrap_or_default(),
            labels: meta.labels.clone().unwrap_or_default(),
            priority: spec.and_then(|s| s.priority).unwrap_or(0),
            node_name: spec.and_then(|s| s.node_name.clone()).filter(|n| !n.is_empty()),
            scheduler_name: spec
                .and_then(|s| s.scheduler_name.clone())
                .unwrap_or_else(|| super::super::DEFAULT_SCHEDULER_NAME.into()),
            terminating: meta.deletion_timestamp.is_some(),
            requests,
            non_zero_cpu: nz_cpu,
            non_zero_mem: nz_mem,
            host_ports,
            tolerations: spec.and_then(|s| s.tolerations.clone()).unwrap_or_default(),
            required_affinity: terms(
                &namespace,
                pa.and_then(|a| a.required_during_scheduling_ignored_during_execution.as_ref()),
            ),
            required_anti_affinity: terms(
                &namespace,
                paa.and_then(|a| a.required_during_scheduling_ignored_during_execution.as_ref()),
            ),
            preferred_affinity: weighted(
                &namespace,
                pa.and_then(|a| a.preferred_during_scheduling_ignored_during_execution.as_ref()),
            ),
            preferred_anti_affinity: weighted(
                &namespace,
                paa.and_then(|a| a.preferred_during_scheduling_ignored_during_execution.as_ref()),
            ),
            images: containers
                .iter()
                .chain(inits)
                .map(|c| normalized_image_name(c.image.as_deref().unwrap_or("")))
                .collect(),
            pvcs: spec
                .and_then(|s| s.volumes.as_ref())
                .into_iter()
                .flatten()
                .filter_map(|v| v.persistent_volume_claim.as_ref().map(|c| c.claim_name.clone()))
                .collect(),
            scheduling_gates: spec
                .and_then(|s| s.scheduling_gates.as_ref())
                .into_iter()
                .flatten()
                .map(|g| g.name.clone())
                .collect(),
            nominated_node: status.and_then(|s| s.nominated_node_name.clone()).filter(|n| !n.is_empty()),
            preempt_never: spec.and_then(|s| s.preemption_policy.as_deref()) == Some("Never"),
            start_time: status
                .and_then(|s| s.start_time.as_ref())
                .or(meta.creation_timestamp.as_ref())
                .map(|t| t.0.to_string())
                .unwrap_or_default(),
            namespace,
            name,
            pod,
        }
    }

    /// Whether the pod has any inter-pod (anti-)affinity term.
    pub fn has_affinity(&self) -> bool {
        !(self.required_affinity.is_empty()
            && self.required_anti_affinity.is_empty()
            && self.preferred_affinity.is_empty()
            && self.preferred_anti_affinity.is_empty())
    }

    /// The pod's node selector and affinity, for NodeAffinity and PodTopologySpread.
    pub fn node_selector(&self) -> Option<&BTreeMap<String, String>> {
        self.pod.spec.as_ref().and_then(|s| s.node_selector.as_ref()).filter(|m| !m.is_empty())
    }

    pub fn node_affinity(&self) -> Option<&k8s_openapi::api::core::v1::NodeAffinity> {
        self.pod.spec.as_ref().and_then(|s| s.affinity.as_ref()).and_then(|a| a.node_affinity.as_ref())
    }
}
