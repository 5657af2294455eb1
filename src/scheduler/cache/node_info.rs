//! One node as the scheduler sees it (upstream's `framework.NodeInfo`): the node object, its
//! allocatable resources, what the pods on it request (real and non-zero), their host ports and the
//! images the node holds. Kept current incrementally as pods come and go.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Node, Taint};

use super::pod_info::{HostPort, PodInfo, normalized_image_name};
use super::resource::{Resource, ResourceName, fraction};
use crate::api::quantity::Quantity;

/// The scheduler's view of one node.
#[derive(Debug, Clone)]
pub struct NodeInfo {
    /// Position in the cache's node slab (stable while the node exists).
    pub idx: usize,
    pub name: Arc<str>,
    pub node: Option<Arc<Node>>,
    pub labels: BTreeMap<String, String>,
    pub taints: Vec<Taint>,
    pub unschedulable: bool,
    pub allocatable: Resource,
    pub requested: Resource,
    pub non_zero_cpu: i64,
    pub non_zero_mem: i64,
    pub pods: Vec<Arc<PodInfo>>,
    pub used_ports: BTreeSet<HostPort>,
    /// Normalised image name → size in bytes.
    pub images: BTreeMap<String, i64>,
    /// The requested fractions of cpu and memory, kept with `requested`: BalancedAllocation reads
    /// them on every node it scores, and they change only when a pod comes or goes.
    cpu_memory_fractions: [Option<f64>; 2],
}

impl NodeInfo {
    pub fn new(idx: usize, name: &str) -> Self {
        NodeInfo {
            idx,
            name: Arc::from(name),
            node: None,
            labels: BTreeMap::new(),
            taints: Vec::new(),
            unschedulable: false,
            allocatable: Resource::default(),
            requested: Resource::default(),
            non_zero_cpu: 0,
            non_zero_mem: 0,
            pods: Vec::new(),
            used_ports: BTreeSet::new(),
            images: BTreeMap::new(),
            cpu_memory_fractions: [None; 2],
        }
    }

    /// `requested / allocatable` of `name`, at most 1; `None` when the node has none of it.
    pub fn requested_fraction(&self, name: &ResourceName) -> Option<f64> {
        match name {
            ResourceName::Cpu => self.cpu_memory_fractions[0],
            ResourceName::Memory => self.cpu_memory_fractions[1],
            other => fraction(self.requested.amount(other), self.allocatable.amount(other)),
        }
    }

    fn refresh_fractions(&mut self) {
        self.cpu_memory_fractions = [
            fraction(self.requested.milli_cpu, self.allocatable.milli_cpu),
            fraction(self.requested.memory, self.allocatable.memory),
        ];
    }

    /// Takes the node object's labels, taints, allocatable and images.
    pub fn set_node(&mut self, node: Arc<Node>) {
        self.labels = node.metadata.labels.clone().unwrap_or_default();
        let spec = node.spec.as_ref();
        self.taints = spec.and_then(|s| s.taints.clone()).unwrap_or_default();
        self.unschedulable = spec.and_then(|s| s.unschedulable).unwrap_or(false);
        let status = node.status.as_ref();
        let mut alloc = Resource::default();
        for (k, q) in status.and_then(|s| s.allocatable.as_ref().or(s.capacity.as_ref())).into_iter().flatten() {
            if let Ok(q) = Quantity::from_api(q) {
                alloc.add_named(k, &q);
            }
        }
        self.allocatable = alloc;
        self.refresh_fractions();
        self.images.clear();
        for image in status.and_then(|s| s.images.as_ref()).into_iter().flatten() {
            for name in image.names.iter().flatten() {
                self.images.insert(normalized_image_name(name), image.size_bytes.unwrap_or(0));
            }
        }
        self.node = Some(node);
    }

    pub fn add_pod(&mut self, pod: Arc<PodInfo>) {
        self.requested.add(&pod.requests);
        self.non_zero_cpu = self.non_zero_cpu.saturating_add(pod.non_zero_cpu);
        self.non_zero_mem = self.non_zero_mem.saturating_add(pod.non_zero_mem);
        self.refresh_fractions();
        for p in &pod.host_ports {
            self.used_ports.insert(p.clone());
        }
        self.pods.push(pod);
    }

    /// Removes the pod `key`, returning it.
    pub fn remove_pod(&mut self, key: &str) -> Option<Arc<PodInfo>> {
        let pos = self.pods.iter().position(|p| p.key == key)?;
        let pod = self.pods.swap_remove(pos);
        self.requested.sub(&pod.requests);
        self.non_zero_cpu = self.non_zero_cpu.saturating_sub(pod.non_zero_cpu);
        self.non_zero_mem = self.non_zero_mem.saturating_sub(pod.non_zero_mem);
        self.refresh_fractions();
        for p in &pod.host_ports {
            self.used_ports.remove(p);
        }
        // Another pod may use the same port (only possible with different IPs): re-add theirs.
        for other in &self.pods {
            for p in &other.host_ports {
                self.used_ports.insert(p.clone());
            }
        }
        Some(pod)
    }
}
