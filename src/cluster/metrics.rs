//! The simulated metrics-server: the HPA controller's view of pods' resource use, read from the
//! kubelets' resource metrics (summed per pod), plus the load a scenario or the UI puts on workloads.
//! It asks only the kubelet of the pod's node, so a 5,000-node cluster costs no more per pod.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::controllers::hpa::metrics::{MetricsSource, PodUsage};
use crate::kubelet::metrics::Metrics;

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
