//! Resource use of the node's containers, as the kubelet's resource metrics endpoint reports it for
//! metrics-server and `kubectl top`: each running container's CPU (millicores) and working-set memory
//! (bytes), from the image catalog's typical use at rest with a small per-container variation, plus
//! the node's own system use. Shared behind a handle, like the logs.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// What the node itself uses besides pods (kubelet, containerd, the OS).
pub const SYSTEM_CPU_MILLIS: u64 = 60;
pub const SYSTEM_MEMORY_BYTES: u64 = 600 * 1024 * 1024;

/// Use of one container.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    pub cpu_millis: u64,
    pub memory_bytes: u64,
}

#[derive(Debug, Default)]
struct Store {
    /// (namespace, pod) → container → use.
    pods: BTreeMap<(String, String), BTreeMap<String, Usage>>,
}

/// A shared handle on a node's resource use.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    inner: Arc<Mutex<Store>>,
}

impl Metrics {
    fn lock(&self) -> MutexGuard<'_, Store> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A container started (or its use changed).
    pub fn set(&self, ns: &str, pod: &str, container: &str, usage: Usage) {
        self.lock().pods.entry((ns.to_string(), pod.to_string())).or_default().insert(container.to_string(), usage);
    }

    /// A container stopped.
    pub fn clear(&self, ns: &str, pod: &str, container: &str) {
        let mut s = self.lock();
        let key = (ns.to_string(), pod.to_string());
        if let Some(p) = s.pods.get_mut(&key) {
            p.remove(container);
            if p.is_empty() {
                s.pods.remove(&key);
            }
        }
    }

    pub fn remove_pod(&self, ns: &str, pod: &str) {
        self.lock().pods.remove(&(ns.to_string(), pod.to_string()));
    }

    /// `kubectl top pod --containers`: each running container's use, in name order.
    pub fn pod(&self, ns: &str, pod: &str) -> Option<Vec<(String, Usage)>> {
        self.lock()
            .pods
            .get(&(ns.to_string(), pod.to_string()))
            .map(|p| p.iter().map(|(c, u)| (c.clone(), *u)).collect())
    }

    /// `kubectl top node`: the pods' use plus the system's.
    pub fn node(&self) -> Usage {
        self.node_with(|_, _| 0)
    }

    /// The node's use with `extra(namespace, pod)` millicores more on each running pod (the load a
    /// scenario puts on a workload).
    pub fn node_with(&self, extra: impl Fn(&str, &str) -> u64) -> Usage {
        let s = self.lock();
        let mut total = Usage { cpu_millis: SYSTEM_CPU_MILLIS, memory_bytes: SYSTEM_MEMORY_BYTES };
        for ((ns, pod), containers) in &s.pods {
            total.cpu_millis += extra(ns, pod);
            for u in containers.values() {
                total.cpu_millis += u.cpu_millis;
                total.memory_bytes += u.memory_bytes;
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_pods_and_system() {
        let m = Metrics::default();
        m.set("default", "web", "nginx", Usage { cpu_millis: 1, memory_bytes: 3_000_000 });
        assert_eq!(m.node().cpu_millis, SYSTEM_CPU_MILLIS + 1);
        assert_eq!(m.pod("default", "web").unwrap().len(), 1);
        m.clear("default", "web", "nginx");
        assert!(m.pod("default", "web").is_none());
    }
}
