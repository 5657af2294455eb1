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
