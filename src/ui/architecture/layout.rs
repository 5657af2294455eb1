//! Where each component sits in the architecture drawing (SVG user units, a 1000×536 view box, wide
//! enough to stay legible in the views' pane at 1280×720): the control plane on top with the
//! api-server as the hub between kubectl, the scheduler and etcd, kube-controller-manager holding a
//! pill for every controller it runs, the worker nodes below with their kubelet, container runtime,
//! kube-proxy and pods. Nodes past `MAX_NODES` share one "more nodes" box.

use std::collections::BTreeMap;

use crate::sim::trace::Component;

pub const WIDTH: f64 = 1000.0;
pub const HEIGHT: f64 = 536.0;
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

/// The controllers kube-controller-manager runs in the cluster, as the trace names them
/// (`controller-manager/<name>`), in the order the binary starts them.
pub const CONTROLLERS: &[&str] = &[
    "deployment",
    "replicaset",
    "daemonset",
    "statefulset",
    "job",
    "cronjob",
    "ttl-after-finished",
    "endpoints",
    "endpointslice",
    "garbage-collector",
    "pod-garbage-collector",
    "namespace",
    "serviceaccount",
    "node-lifecycle",
    "taint-eviction",
    "persistentvolume-binder",
    "disruption",
    "horizontal-pod-autoscaler",
];

pub const KUBECTL: Rect = Rect { x: 10.0, y: 121.0, w: 100.0, h: 48.0 };
pub const CONTROL_PLANE: Rect = Rect { x: 122.0, y: 6.0, w: 870.0, h: 264.0 };
pub const SCHEDULER: Rect = Rect { x: 138.0, y: 40.0, w: 176.0, h: 44.0 };
pub const API_SERVER: Rect = Rect { x: 138.0, y: 118.0, w: 176.0, h: 54.0 };
pub const ETCD: Rect = Rect { x: 138.0, y: 208.0, w: 176.0, h: 44.0 };
pub const CONTROLLER_MANAGER: Rect = Rect { x: 338.0, y: 30.0, w: 640.0, h: 170.0 };
pub const CLOUD_CONTROLLER_MANAGER: Rect = Rect { x: 338.0, y: 212.0, w: 250.0, h: 44.0 };
pub const COREDNS: Rect = Rect { x: 608.0, y: 212.0, w: 150.0, h: 44.0 };

/// The width the layout reckons per character of a pill's label (13 px text, see the style sheet).
const CHAR_W: f64 = 7.0;
const PILL_H: f64 = 27.0;
const PILL_GAP: f64 = 6.0;

/// The pills of `CONTROLLERS` inside kube-controller-manager: flowed into rows like words, each
/// full row stretched to the box's width so that the pills form a grid.
pub fn controllers() -> Vec<Rect> {
    let (left, right) = (CONTROLLER_MANAGER.x + 12.0, CONTROLLER_MANAGER.x + CONTROLLER_MANAGER.w - 12.0);
    let mut rows: Vec<Vec<f64>> = vec![Vec::new()];
    let mut x = left;
    for name in CONTROLLERS {
        let w = name.len() as f64 * CHAR_W + 18.0;
        if x + w > right && rows.last().is_some_and(|r| !r.is_empty()) {
            rows.push(Vec::new());
            x = left;
        }
        if let Some(row) = rows.last_mut() {
            row.push(w);
        }
        x += w + PILL_GAP;
    }
    let last = rows.len().saturating_sub(1);
    let mut rects = Vec::with_capacity(CONTROLLERS.len());
    for (r, row) in rows.iter().enumerate() {
        let used: f64 = row.iter().sum::<f64>() + PILL_GAP * (row.len() as f64 - 1.0);
        let stretch = if r < last {
            (right - left - PILL_GAP * (row.len() as f64 - 1.0)) / (used - PILL_GAP * (row.len() as f64 - 1.0))
        } else {
            1.0
        };
        let y = CONTROLLER_MANAGER.y + 32.0 + r as f64 * (PILL_H + PILL_GAP);
        let mut x = left;
        for w in row {
            let w = w * stretch;
            rects.push(Rect { x, y, w, h: PILL_H });
            x += w + PILL_GAP;
        }
    }
    rects
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

const NODES_TOP: f64 = 282.0;
const NODES_HEIGHT: f64 = 218.0;

/// The boxes of `count` nodes side by side (the last one stands for the rest when there are more).
pub fn node_boxes(count: usize) -> Vec<NodeBox> {
    let shown = count.clamp(1, MAX_NODES + 1);
    let gap = 14.0;
    let w = ((WIDTH - 20.0 - gap * (shown as f64 - 1.0)) / shown as f64).min(300.0);
    (0..count.min(MAX_NODES + 1))
        .map(|i| {
            let x = 10.0 + i as f64 * (w + gap);
            let inner = |dy: f64| Rect { x: x + 10.0, y: NODES_TOP + dy, w: w - 20.0, h: 34.0 };
            NodeBox {
                frame: Rect { x, y: NODES_TOP, w, h: NODES_HEIGHT },
                kubelet: inner(30.0),
                runtime: inner(70.0),
                proxy: inner(110.0),
                pods: Rect { x: x + 10.0, y: NODES_TOP + 150.0, w: w - 20.0, h: 62.0 },
            }
        })
        .collect()
}

/// Every component's position, for a cluster whose drawn nodes are `nodes` (in drawing order).
pub struct Positions<'a> {
    nodes: BTreeMap<&'a str, usize>,
    boxes: &'a [NodeBox],
    controllers: &'a [Rect],
}

impl<'a> Positions<'a> {
    pub fn new(nodes: &'a [String], boxes: &'a [NodeBox], controllers: &'a [Rect]) -> Self {
        let nodes = nodes.iter().enumerate().map(|(i, n)| (n.as_str(), i.min(MAX_NODES))).collect();
        Positions { nodes, boxes, controllers }
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
            Component::ControllerManager(name) => CONTROLLERS
                .iter()
                .position(|c| c == name)
                .and_then(|i| self.controllers.get(i))
                .cloned()
                .unwrap_or(CONTROLLER_MANAGER),
            Component::Kubelet(n) => self.node(n).map_or(API_SERVER, |b| b.kubelet.clone()),
            Component::Runtime(n) => self.node(n).map_or(API_SERVER, |b| b.runtime.clone()),
            Component::KubeProxy(n) => self.node(n).map_or(API_SERVER, |b| b.proxy.clone()),
        }
    }

    pub fn center(&self, c: &Component) -> (f64, f64) {
        self.rect(c).center()
    }
}
