//! The api machinery at scale: 150,000 pod creates with 5,000 watchers (one per node, each selecting
//! its node's pods, as kubelets do), then lists by label and by node. Prints creates/s (the pods are
//! built before the clock starts, as a client would hold them), list times, watch deliveries and
//! memory per stored pod. Runs natively (`cargo bench --bench apiserver`) and in
//! wasm under Node (`make bench-wasm`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use k8s_openapi::api::core::v1::{Container, Pod, PodSpec, ResourceRequirements};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use kubarium::api::fields::FieldSelector;
use kubarium::api::labels::Selector;
use kubarium::api::{Kind, Object};
use kubarium::apiserver::{ApiServer, Identity, ListOptions, WriteOptions};
use kubarium::sim::Clock;

/// Counts live heap bytes, to report memory per stored pod.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const NODES: usize = 5_000;
const PODS: usize = 150_000;

/// Wall-clock seconds since `start`; benchmarks measure real time, the simulation never does.
#[allow(clippy::disallowed_methods)]
fn elapsed(start: &std::time::Instant) -> f64 {
    start.elapsed().as_secs_f64()
}

#[allow(clippy::disallowed_methods)]
fn now() -> std::time::Instant {
    std::time::Instant::now()
}

fn pod(i: usize) -> Object {
    let mut p = Pod::default();
    p.metadata.name = Some(format!("web-{i}"));
    p.metadata.namespace = Some("default".into());
    p.metadata.labels = Some([("app".to_string(), format!("app-{}", i % 100))].into());
    let requests =
        [("cpu".to_string(), Quantity("100m".into())), ("memory".to_string(), Quantity("128Mi".into()))].into();
    p.spec = Some(PodSpec {
        node_name: Some(format!("node-{}", i % NODES)),
        containers: vec![Container {
            name: "web".into(),
            image: Some("nginx:1.25".into()),
            resources: Some(ResourceRequirements { requests: Some(requests), ..Default::default() }),
            ..Default::default()
        }],
        ..Default::default()
    });
    Object::Pod(Arc::new(p))
}

fn main() {
    let admin = Identity::admin();
    let mut api = ApiServer::new(1, Clock::default());
    let ns = serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}});
    let ns = Object::from_value(Kind::Namespace, ns).expect("a namespace");
    api.create(&admin, ns, &WriteOptions::default()).expect("created");
    for n in 0..NODES {
        let opts = ListOptions {
            field_selector: Some(FieldSelector::parse(&format!("spec.nodeName=node-{n}")).expect("selector")),
            ..Default::default()
        };
        api.watch(&admin, Kind::Pod, None, &opts, None).expect("watch");
    }
    let before = LIVE.load(Ordering::Relaxed);
    // The client's objects exist before the clock starts: this measures the api-server, not the
    // building of 150,000 pod structs.
    let pods: Vec<Object> = (0..PODS).map(pod).collect();
    let start = now();
    let mut delivered = 0usize;
    for pod in pods {
        api.create(&admin, pod, &WriteOptions::default()).expect("create");
        if api.revision() % 1024 == 0 {
            delivered += api.take_events().len();
        }
    }
    delivered += api.take_events().len();
    let secs = elapsed(&start);
    let after = LIVE.load(Ordering::Relaxed);
    println!("create {PODS} pods with {NODES} node watchers: {secs:.3} s, {:.0} creates/s", PODS as f64 / secs);
    println!("watch notifications delivered: {delivered} (one per pod: only the pod's own node watcher)");
    println!(
        "heap per stored pod (object, store entry, indexes, history): {} bytes",
        after.saturating_sub(before) / PODS
    );

    let by_label =
        ListOptions { label_selector: Some(Selector::parse("app=app-7").expect("selector")), ..Default::default() };
    let start = now();
    let n = api.list(&admin, Kind::Pod, Some("default"), &by_label).expect("list").items.len();
    println!("list by label app=app-7: {n} pods in {:.2} ms", elapsed(&start) * 1e3);
    let by_node = ListOptions {
        field_selector: Some(FieldSelector::parse("spec.nodeName=node-42").expect("selector")),
        ..Default::default()
    };
    let start = now();
    let n = api.list(&admin, Kind::Pod, None, &by_node).expect("list").items.len();
    println!("list by node spec.nodeName=node-42: {n} pods in {:.2} ms", elapsed(&start) * 1e3);
}
