//! What the HPA controller reads from the (simulated) metrics-server: each pod's CPU and memory use.
//! The controllers cannot see the kubelets, so the cluster hands the controller a `MetricsSource`
//! over the kubelets' resource metrics (summing each pod's containers), wrapped in `Loaded` so that a
//! scenario or the UI can turn the `LoadKnob`: extra CPU per pod for the pods of a workload.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// A pod's use, summed over its containers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PodUsage {
    pub cpu_millis: u64,
    pub memory_bytes: u64,
}

/// The metrics API (`metrics.k8s.io` PodMetrics) as the HPA controller reads it.
pub trait MetricsSource {
    /// The use of a pod bound to `node`; None while it has no metrics (not running, not scraped yet).
    /// The node is given so that a source over per-node kubelets asks one kubelet, not all.
    fn pod_usage(&self, node: &str, namespace: &str, pod: &str) -> Option<PodUsage>;
}

/// A shared handle on the load put on workloads: (namespace, pod name prefix) → extra CPU
/// millicores per pod (`web-` loads every pod of Deployment `web`).
#[derive(Debug, Clone, Default)]
pub struct LoadKnob {
    inner: Arc<Mutex<BTreeMap<(String, String), u64>>>,
}

impl LoadKnob {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<(String, String), u64>> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Puts `cpu_millis` of extra use on each pod of `namespace` whose name starts with `prefix`
    /// (0 takes the load away).
    pub fn set(&self, namespace: &str, prefix: &str, cpu_millis: u64) {
        let key = (namespace.to_string(), prefix.to_string());
        if cpu_millis == 0 {
            self.lock().remove(&key);
        } else {
            self.lock().insert(key, cpu_millis);
        }
    }

    /// The extra CPU of one pod.
    pub fn extra_cpu(&self, namespace: &str, pod: &str) -> u64 {
        self.lock()
            .iter()
            .filter(|((ns, prefix), _)| ns == namespace && pod.starts_with(prefix.as_str()))
            .map(|(_, m)| *m)
            .sum()
    }
}

/// A source with the knob's load added to every pod that has metrics.
pub struct Loaded<S> {
    pub source: S,
    pub load: LoadKnob,
}

impl<S: MetricsSource> MetricsSource for Loaded<S> {
    fn pod_usage(&self, node: &str, namespace: &str, pod: &str) -> Option<PodUsage> {
        let mut u = self.source.pod_usage(node, namespace, pod)?;
        u.cpu_millis = u.cpu_millis.saturating_add(self.load.extra_cpu(namespace, pod));
        Some(u)
    }
}
