//! Where each component sits in the architecture drawing (SVG user units, a 1000×600 view box): the
//! control plane on top with the api-server as the hub, the worker nodes below with their kubelet,
//! container runtime, kube-proxy and pods. Nodes past `MAX_NODES` share one "more nodes" box.

use std::collections::BTreeMap;

use crate::sim::trace::Component;

pub const WIDTH: f64 = 1000.0;
pub const HEIGHT: f64 = 600.0;
/// Nodes drawn one by one; the rest are summarised.
pub const MAX_NODES: usize = 5;

/// A labelled box.
#[derive(Debug, Clone, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn center(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
}

/// The controllers drawn inside kube-controller-manager, as the trace names them.
pub const CONTROLLERS: &[&str] = &["deployment", "replicaset", "daemonset", "garbagecollector", "namespace"];

pub const KUBECTL: Rect = Rect { x: 20.0, y: 112.0, w: 110.0, h: 50.0 };
pub const CONTROL_PLANE: Rect = Rect { x: 150.0, y: 10.0, w: 840.0, h: 270.0 };
pub const API_SERVER: Rect = Rect { x: 470.0, y: 110.0, w: 190.0, h: 56.0 };
pub const ETCD: Rect = Rect { x: 830.0, y: 112.0, w: 130.0, h: 52.0 };
pub const SCHEDULER: Rect = Rect { x: 485.0, y: 36.0, w: 160.0, h: 44.0 };
pub const CONTROLLER_MANAGER: Rect = Rect { x: 170.0, y: 40.0, w: 250.0, h: 150.0 };
pub const CLOUD_CONTROLLER_MANAGER: Rect = Rect { x: 470.0, y: 214.0, w: 220.0, h: 44.0 };
pub const COREDNS: Rect = Rect { x: 830.0, y: 214.0, w: 130.0, h: 44.0 };

/// The pill of a controller inside kube-controller-manager.
pub fn controller(i: usize) -> Rect {
    let (col, row) = (i % 2, i / 2);
    Rect { x: 182.0 + col as f64 * 118.0, y: 74.0 + row as f64 * 36.0, w: 110.0, h: 28.0 }
}

/// One worker node's drawing.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeBox {
    pub frame: Rect,
    pub kubelet: Rect,
    pub runtime: Rect,
    pub proxy: Rect,
    /// Where its pods' dots go.
    pub pods: Rect,
}

const NODES_TOP: f64 = 300.0;
const NODES_HEIGHT: f64 = 268.0;

/// The boxes of `count` nodes side by side (the last one stands for the rest when there are more).
pub fn node_boxes(count: usize) -> Vec<NodeBox> {
    let shown = count.clamp(1, MAX_NODES + 1);
    let gap = 14.0;
    let w = ((WIDTH - 20.0 - gap * (shown as f64 - 1.0)) / shown as f64).min(300.0);
    (0..count.min(MAX_NODES + 1))
        .map(|i| {
            let x = 10.0 + i as f64 * (w + gap);
            let inner = |dy: f64| Rect { x: x + 12.0, y: NODES_TOP + dy, w: w - 24.0, h: 34.0 };
            NodeBox {
                frame: Rect { x, y: NODES_TOP, w, h: NODES_HEIGHT },
                kubelet: inner(36.0),
                runtime: inner(82.0),
                proxy: inner(128.0),
                pods: Rect { x: x + 12.0, y: NODES_TOP + 176.0, w: w - 24.0, h: 84.0 },
            }
        })
        .collect()
}

/// Every component's position, for a cluster whose drawn nodes are `nodes` (in drawing order).
pub struct Positions<'a> {
    nodes: BTreeMap<&'a str, usize>,
    boxes: &'a [NodeBox],
}

impl<'a> Positions<'a> {
    pub fn new(nodes: &'a [String], boxes: &'a [NodeBox]) -> Self {
        Positions { nodes: nodes.iter().enumerate().map(|(i, n)| (n.as_str(), i.min(MAX_NODES))).collect(), boxes }
    }

    fn node(&self, name: &str) -> Option<&NodeBox> {
        let i = self.nodes.get(name).copied().unwrap_or(MAX_NODES);
        self.boxes.get(i).or_else(|| self.boxes.last())
    }

    /// The box a component is drawn as.
    pub fn rect(&self, c: &Component) -> Rect {
        match c {
            Component::Kubectl => KUBECTL,
            Component::ApiServer => API_SERVER,
            Component::Etcd => ETCD,
            Component::Scheduler => SCHEDULER,
            Component::CloudControllerManager => CLOUD_CONTROLLER_MANAGER,
            Component::CoreDns => COREDNS,
            Component::ControllerManager(name) => match CONTROLLERS.iter().position(|c| c == name) {
                Some(i) => controller(i),
                None => CONTROLLER_MANAGER,
            },
            Component::Kubelet(n) => self.node(n).map_or(API_SERVER, |b| b.kubelet.clone()),
            Component::Runtime(n) => self.node(n).map_or(API_SERVER, |b| b.runtime.clone()),
            Component::KubeProxy(n) => self.node(n).map_or(API_SERVER, |b| b.proxy.clone()),
        }
    }

    pub fn center(&self, c: &Component) -> (f64, f64) {
        self.rect(c).center()
    }
}
