//! The shape of a cluster: its nodes with their capacity, zone, labels and taints. The default is the
//! design's kubeadm-like cluster: a tainted control-plane node and three 4-CPU, 8Gi workers.

use std::collections::BTreeMap;

/// One node to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSpec {
    pub name: String,
    pub cpu_millis: i64,
    pub memory_bytes: i64,
    pub pods: i64,
    pub zone: Option<String>,
    pub labels: BTreeMap<String, String>,
    /// `(key, value, effect)`.
    pub taints: Vec<(String, String, String)>,
    pub control_plane: bool,
}

impl NodeSpec {
    /// A worker with the design's defaults: 4 CPU, 8Gi, 110 pods.
    pub fn worker(name: &str) -> Self {
        NodeSpec {
            name: name.to_string(),
            cpu_millis: 4000,
            memory_bytes: 8 * 1024 * 1024 * 1024,
            pods: 110,
            zone: None,
            labels: BTreeMap::new(),
            taints: Vec::new(),
            control_plane: false,
        }
    }

    /// The kubeadm control-plane node, tainted NoSchedule.
    pub fn control_plane(name: &str) -> Self {
        let mut n = NodeSpec::worker(name);
        n.control_plane = true;
        n.taints.push(("node-role.kubernetes.io/control-plane".into(), String::new(), "NoSchedule".into()));
        n
    }
}

/// Why a node description (from `kubarium node add` or a scenario) was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeSpecError {
    InvalidName { name: String, reasons: String },
    InvalidQuantity { what: &'static str, value: String, reason: String },
    InvalidPods(String),
    InvalidLabel(String),
    InvalidTaint(String),
    InvalidTaintEffect(String),
}

impl std::fmt::Display for NodeSpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NodeSpecError::InvalidName { name, reasons } => write!(f, "invalid node name \"{name}\": {reasons}"),
            NodeSpecError::InvalidQuantity { what, value, reason } => write!(f, "invalid {what} \"{value}\": {reason}"),
            NodeSpecError::InvalidPods(v) => write!(f, "invalid pods \"{v}\": want a whole number greater than zero"),
            NodeSpecError::InvalidLabel(v) => write!(f, "invalid label \"{v}\": want key=value"),
            NodeSpecError::InvalidTaint(v) => write!(f, "invalid taint spec: {v}"),
            NodeSpecError::InvalidTaintEffect(e) => write!(
                f,
                "invalid taint effect: {e}, unsupported taint effect; must be one of NoSchedule, PreferNoSchedule, NoExecute"
            ),
        }
    }
}

impl std::error::Error for NodeSpecError {}

/// The most a simulated node may have of anything: room for any real machine, far from overflow.
const MAX_CPU_MILLIS: i64 = 1 << 40;
const MAX_MEMORY_BYTES: i64 = 1 << 55;
const MAX_PODS: i64 = 1 << 20;

impl NodeSpec {
    /// A worker named `name` after checking the name as the api-server would.
    pub fn named(name: &str) -> Result<Self, NodeSpecError> {
        let errors = crate::api::names::is_dns1123_subdomain(name);
        if !errors.is_empty() {
            return Err(NodeSpecError::InvalidName { name: name.to_string(), reasons: errors.join(", ") });
        }
        Ok(NodeSpec::worker(name))
    }

    /// `4`, `3500m`: allocatable CPU.
    pub fn set_cpu(&mut self, value: &str) -> Result<(), NodeSpecError> {
        self.cpu_millis = positive(value, "cpu", MAX_CPU_MILLIS, |q| q.milli_value())?;
        Ok(())
    }

    /// `8Gi`: allocatable memory.
    pub fn set_memory(&mut self, value: &str) -> Result<(), NodeSpecError> {
        self.memory_bytes = positive(value, "memory", MAX_MEMORY_BYTES, |q| q.value())?;
        Ok(())
    }

    pub fn set_pods(&mut self, value: &str) -> Result<(), NodeSpecError> {
        self.pods = value
            .parse()
            .ok()
            .filter(|n| (1..=MAX_PODS).contains(n))
            .ok_or_else(|| NodeSpecError::InvalidPods(value.to_string()))?;
        Ok(())
    }

    /// `key=value`.
    pub fn add_label(&mut self, value: &str) -> Result<(), NodeSpecError> {
        let (k, v) = value.split_once('=').ok_or_else(|| NodeSpecError::InvalidLabel(value.to_string()))?;
        self.labels.insert(k.to_string(), v.to_string());
        Ok(())
    }

    /// `key[=value]:Effect`, as `kubectl taint` reads it.
    pub fn add_taint(&mut self, value: &str) -> Result<(), NodeSpecError> {
        let invalid = || NodeSpecError::InvalidTaint(value.to_string());
        let (kv, effect) = value.rsplit_once(':').ok_or_else(invalid)?;
        if !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(&effect) {
            return Err(NodeSpecError::InvalidTaintEffect(effect.to_string()));
        }
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        if k.is_empty() {
            return Err(invalid());
        }
        self.taints.push((k.to_string(), v.to_string(), effect.to_string()));
        Ok(())
    }
}

/// A quantity in `(0, max]` after `scale` (millicores, bytes).
fn positive(
    value: &str,
    what: &'static str,
    max: i64,
    scale: impl Fn(&crate::api::quantity::Quantity) -> i64,
) -> Result<i64, NodeSpecError> {
    let invalid = |reason: String| NodeSpecError::InvalidQuantity { what, value: value.to_string(), reason };
    let q = crate::api::quantity::Quantity::parse(value).map_err(|e| invalid(e.to_string()))?;
    match scale(&q) {
        v if v <= 0 => Err(invalid("must be greater than zero".into())),
        v if v > max => Err(invalid("is larger than any node can be".into())),
        v => Ok(v),
    }
}

/// The nodes of a cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topology {
    pub nodes: Vec<NodeSpec>,
}

impl Default for Topology {
    fn default() -> Self {
        let mut nodes = vec![NodeSpec::control_plane("control-plane")];
        nodes.extend((1..=3).map(|i| NodeSpec::worker(&format!("node-{i:02}"))));
        Topology { nodes }
    }
}

/// The `index`th node's pod range. The design's 10.244.0.0/16 holds 256 nodes' /24s; larger clusters
/// continue in the next /16s (10.245, ... 10.255, then 10.0 upward), as a wider `--cluster-cidr` would.
pub fn pod_cidr(index: usize) -> String {
    let block = index / 256;
    let second = if block < 12 { 244 + block } else { block - 12 };
    format!("10.{second}.{}.0/24", index % 256)
}

/// The `index`th pod address a node's range hands out first (`.1` is the bridge, as with flannel).
pub fn first_pod_ip(index: usize) -> String {
    pod_cidr(index).replace(".0/24", ".2")
}

/// The `index`th node's address on the kind-like docker network 172.18.0.0/16 (`.1` is the gateway).
pub fn node_ip(index: usize) -> String {
    let host = index + 2;
    format!("172.18.{}.{}", host / 256, host % 256)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_stay_unique_past_256_nodes() {
        assert_eq!(pod_cidr(0), "10.244.0.0/24");
        assert_eq!(pod_cidr(255), "10.244.255.0/24");
        assert_eq!(pod_cidr(256), "10.245.0.0/24");
        assert_eq!(pod_cidr(3072), "10.0.0.0/24");
        assert_eq!(first_pod_ip(1), "10.244.1.2");
        assert_eq!(node_ip(0), "172.18.0.2");
        assert_eq!(node_ip(254), "172.18.1.0");
        let cidrs: std::collections::BTreeSet<String> = (0..5000).map(pod_cidr).collect();
        let ips: std::collections::BTreeSet<String> = (0..5000).map(node_ip).collect();
        assert_eq!((cidrs.len(), ips.len()), (5000, 5000));
    }
}
