//! The whole cluster at scale, every component running:
//! - idle: 5,000 nodes for one simulated hour (kubelet leases and status, the controllers' and the
//!   scheduler's watches), goal ≤ 10 s natively;
//! - deployment: one Deployment of 150,000 replicas on 5,000 nodes until every pod is Running
//!   (deployment and replicaset controllers, scheduler, kubelets), goal ≤ 30 s in wasm.
//!
//! Sizes can be lowered with KUBARIUM_NODES and KUBARIUM_REPLICAS, and one part chosen with
//! KUBARIUM_BENCH=idle|deployment (natively; wasm runs everything at the default sizes).

use kubarium::api::Kind;
use kubarium::apiserver::{Identity, ListOptions};
use kubarium::cluster::{Cluster, NodeSpec, Topology};
use kubarium::sim::Duration;
use kubarium::terminal::{Shell, split_script};

#[allow(clippy::disallowed_methods)]
fn now() -> std::time::Instant {
    std::time::Instant::now()
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn topology(nodes: usize) -> Topology {
    let mut t = Topology { nodes: vec![NodeSpec::control_plane("control-plane")] };
    t.nodes.extend((1..nodes).map(|i| {
        let mut n = NodeSpec::worker(&format!("node-{i:04}"));
        // Room for 30 small pods each, as scheduler_perf's nodes have.
        n.pods = 110;
        n
    }));
    t
}

fn running_pods(c: &mut Cluster) -> usize {
    let list = c.api_mut().list(&Identity::admin(), Kind::Pod, Some("default"), &ListOptions::default());
    let running = |p: &&kubarium::api::Object| {
        p.as_pod().and_then(|p| p.status.as_ref()).and_then(|s| s.phase.as_deref()) == Some("Running")
    };
    list.map(|l| l.items.iter().filter(running).count()).unwrap_or(0)
}

fn main() {
    let nodes = env("KUBARIUM_NODES", 5_000);
    let replicas = env("KUBARIUM_REPLICAS", 150_000);

    let start = now();
    let mut cluster = Cluster::boot(1, &topology(nodes));
    println!("boot {nodes} nodes with every component: {:.2} s", start.elapsed().as_secs_f64());

    let part = std::env::var("KUBARIUM_BENCH").unwrap_or_default();
    let start = now();
    if part != "deployment" {
        cluster.run_for(Duration::from_secs(3600));
    }
    println!(
        "idle {nodes} nodes for 1 simulated hour: {:.2} s wall, {} trace entries",
        start.elapsed().as_secs_f64(),
        cluster.api().trace().next_seq()
    );

    if part == "idle" {
        // Dropping a 5,000-node cluster takes a while and measures nothing.
        std::mem::forget(cluster);
        return;
    }
    let mut shell = Shell::new(cluster);
    let start = now();
    let line = format!("kubectl create deployment web --image=registry.k8s.io/pause:3.10 --replicas={replicas}");
    let created = shell.run(&split_script(&line)[0]);
    assert_eq!(created.output.exit_code, 0, "{}", created.output.combined());
    let mut waited = 0;
    loop {
        shell.cluster_mut().run_for(Duration::from_secs(10));
        waited += 10;
        let running = running_pods(shell.cluster_mut());
        if running >= replicas || waited >= 3600 {
            println!(
                "deployment of {replicas} replicas on {nodes} nodes: {running} Running after {waited} s virtual, {:.2} s wall",
                start.elapsed().as_secs_f64()
            );
            break;
        }
    }
    std::mem::forget(shell);
}
