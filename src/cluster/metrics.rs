//! The simulated metrics-server: the HPA controller's view of pods' resource use, read from the
//! kubelets' resource metrics (summed per pod), plus the load a scenario or the UI puts on workloads.
//! It asks only the kubelet of the pod's node, so a 5,000-node cluster costs no more per pod.
//! `kubectl top` reads the same view through `pod_metrics` and `node_metrics`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::controllers::hpa::metrics::{MetricsSource, PodUsage};
use crate::kubelet::metrics::{Metrics, Usage};

/// Every kubelet's metrics handle, shared with the HPA controller so that nodes added later count.
#[derive(Debug, Clone, Default)]
pub struct KubeletMetrics {
    nodes: Arc<Mutex<BTreeMap<String, Metrics>>>,
}

impl KubeletMetrics {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Metrics>> {
        self.nodes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn add(&self, node: &str, metrics: Metrics) {
        self.lock().insert(node.to_string(), metrics);
    }

    pub fn remove(&self, node: &str) {
        self.lock().remove(node);
    }
}

impl MetricsSource for KubeletMetrics {
    fn pod_usage(&self, node: &str, namespace: &str, pod: &str) -> Option<PodUsage> {
        let containers = self.lock().get(node)?.pod(namespace, pod)?;
        Some(containers.iter().fold(PodUsage::default(), |sum, (_, u)| PodUsage {
            cpu_millis: sum.cpu_millis.saturating_add(u.cpu_millis),
            memory_bytes: sum.memory_bytes.saturating_add(u.memory_bytes),
        }))
    }
}

impl super::Cluster {
    /// `kubectl top pod`: the pod's containers' use as the Metrics API reports it, with the load knob's
    /// share on its first container (the one serving the traffic). None while it has no metrics.
    pub fn pod_metrics(&self, node: &str, namespace: &str, pod: &str) -> Option<Vec<(String, Usage)>> {
        let mut containers = self.kubelet(node)?.metrics().pod(namespace, pod)?;
        if let Some((_, first)) = containers.first_mut() {
            first.cpu_millis = first.cpu_millis.saturating_add(self.load().extra_cpu(namespace, pod));
        }
        Some(containers)
    }

    /// `kubectl top node`: the node's use, the load on its pods included.
    pub fn node_metrics(&self, node: &str) -> Option<Usage> {
        let load = self.load();
        Some(self.kubelet(node)?.metrics().node_with(|ns, pod| load.extra_cpu(ns, pod)))
    }
}
