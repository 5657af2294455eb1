//! Builders for the scheduler's unit tests: nodes, pods, taints and a helper that runs one score
//! plugin the way the framework does.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{
    Container, ContainerImage, Node, NodeSpec, NodeStatus, Pod, PodSpec, ResourceRequirements, Taint, Toleration,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::cache::{Cache, NodeInfo, PodInfo};
use super::framework::{CycleState, Listers, Plugin, Snapshot};

pub fn node_object_sized(name: &str, cpu_milli: i64, mem: i64, pods: i64) -> Arc<Node> {
    let alloc: BTreeMap<String, Quantity> = [
        ("cpu".to_string(), Quantity(format!("{cpu_milli}m"))),
        ("memory".to_string(), Quantity(mem.to_string())),
        ("pods".to_string(), Quantity(pods.to_string())),
    ]
    .into();
    let mut n = Node::default();
    n.metadata.name = Some(name.into());
    n.metadata.labels = Some([("kubernetes.io/hostname".to_string(), name.to_string())].into());
    n.spec = Some(NodeSpec::default());
    n.status = Some(NodeStatus { allocatable: Some(alloc.clone()), capacity: Some(alloc), ..Default::default() });
    Arc::new(n)
}

pub fn node(name: &str, cpu_milli: i64, mem: i64, pods: i64) -> NodeInfo {
    let mut n = NodeInfo::new(0, name);
    n.set_node(node_object_sized(name, cpu_milli, mem, pods));
    n
}

pub fn node_object(name: &str, images: &[(&str, i64)]) -> Arc<Node> {
    let mut n = (*node_object_sized(name, 4000, 8 << 30, 110)).clone();
    if let Some(s) = n.status.as_mut() {
        s.images = Some(
            images
                .iter()
                .map(|(i, size)| ContainerImage { names: Some(vec![i.to_string()]), size_bytes: Some(*size) })
                .collect(),
        );
    }
    Arc::new(n)
}

pub fn pod_object(name: &str, containers: &[(i64, i64)]) -> Pod {
    let mut p = Pod::default();
    p.metadata.name = Some(name.into());
    p.metadata.namespace = Some("default".into());
    p.metadata.uid = Some(format!("uid-{name}"));
    p.spec = Some(PodSpec {
        containers: containers
            .iter()
            .enumerate()
            .map(|(i, (cpu, mem))| Container {
                name: format!("c{i}"),
                image: Some("nginx".into()),
                resources: Some(ResourceRequirements {
                    requests: Some(
                        [
                            ("cpu".to_string(), Quantity(format!("{cpu}m"))),
                            ("memory".to_string(), Quantity(mem.to_string())),
                        ]
                        .into(),
                    ),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    });
    p
}

pub fn pod(name: &str, containers: &[(i64, i64)]) -> PodInfo {
    PodInfo::new(Arc::new(pod_object(name, containers)))
}

pub fn pod_with_images(images: &[&str]) -> PodInfo {
    let mut p = pod_object("img", &[]);
    if let Some(s) = p.spec.as_mut() {
        s.containers = images
            .iter()
            .enumerate()
            .map(|(i, img)| Container { name: format!("c{i}"), image: Some(img.to_string()), ..Default::default() })
            .collect();
    }
    PodInfo::new(Arc::new(p))
}

pub fn taint(key: &str, value: &str, effect: &str) -> Taint {
    Taint {
        key: key.into(),
        value: Some(value.into()).filter(|v: &String| !v.is_empty()),
        effect: effect.into(),
        ..Default::default()
    }
}

pub fn toleration(key: &str, value: &str, effect: &str) -> Toleration {
    Toleration {
        key: Some(key.into()),
        operator: Some("Equal".into()),
        value: Some(value.into()),
        effect: Some(effect.into()),
        ..Default::default()
    }
}

/// Scores `nodes` with one plugin: PreScore, Score, NormalizeScore.
pub fn score_nodes(plugin: &dyn Plugin, pod: &PodInfo, nodes: &[NodeInfo]) -> Vec<i64> {
    let cache = Cache::default();
    let listers = Listers::default();
    let snap = Snapshot { cache: &cache, listers: &listers, num_nodes: nodes.len() };
    let mut state = CycleState::default();
    let refs: Vec<&NodeInfo> = nodes.iter().collect();
    plugin.pre_score(&mut state, pod, &refs, &snap);
    let mut scores: Vec<i64> = nodes.iter().map(|n| plugin.score(&state, pod, n, &snap)).collect();
    plugin.normalize(&state, &mut scores);
    scores
}
