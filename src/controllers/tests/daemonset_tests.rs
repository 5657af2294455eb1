//! The DaemonSet controller on a cluster.

use serde_json::json;

use super::fake::{self, create, pods};
use crate::api::Kind;
use crate::cluster::Cluster;
use crate::controllers::DaemonSetController;
use crate::controllers::daemon_util::target_node;
use crate::sim::Duration;

fn cluster() -> Cluster {
    let mut c = Cluster::new(9);
    c.spawn(Box::new(DaemonSetController::new()));
    c
}

fn agent() -> serde_json::Value {
    json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent", "namespace": "default"},
        "spec": {"selector": {"matchLabels": {"app": "agent"}},
            "template": {"metadata": {"labels": {"app": "agent"}}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}})
}

#[test]
fn the_default_clusters_kube_proxy_is_left_alone() {
    let mut c = cluster();
    let before: Vec<String> =
        pods(&mut c, "kube-system", "kube-proxy-").iter().map(|p| p.metadata.name.clone().unwrap()).collect();
    c.run_for(Duration::from_secs(2));
    let after: Vec<String> =
        pods(&mut c, "kube-system", "kube-proxy-").iter().map(|p| p.metadata.name.clone().unwrap()).collect();
    assert_eq!(before, after);
    let st = c.api().peek(Kind::DaemonSet, Some("kube-system"), "kube-proxy").unwrap().to_value()["status"].clone();
    assert_eq!(st["desiredNumberScheduled"], 4);
    assert_eq!(st["updatedNumberScheduled"], 4);
}

#[test]
fn one_pinned_tolerant_pod_per_eligible_node() {
    let mut c = cluster();
    create(&mut c, Kind::DaemonSet, agent());
    c.run_for(Duration::from_secs(1));
    let ps = pods(&mut c, "default", "agent-");
    let mut nodes: Vec<&str> = ps.iter().map(|p| target_node(p.spec.as_ref()).unwrap()).collect();
    nodes.sort();
    // The control plane's NoSchedule taint is not tolerated.
    assert_eq!(nodes, fake::WORKERS);
    let p = &ps[0];
    assert!(p.spec.as_ref().unwrap().node_name.is_none(), "the scheduler binds it");
    assert_eq!(p.spec.as_ref().unwrap().tolerations.as_ref().unwrap().len(), 6);
    let labels = p.metadata.labels.as_ref().unwrap();
    assert_eq!(labels["pod-template-generation"], "1");
    assert!(labels.contains_key("controller-revision-hash"));
    fake::kubelet_second(&mut c, "default");
    c.run_for(Duration::from_secs(1));
    let st = c.api().peek(Kind::DaemonSet, Some("default"), "agent").unwrap().to_value()["status"].clone();
    assert_eq!(
        (st["desiredNumberScheduled"].as_i64(), st["currentNumberScheduled"].as_i64(), st["numberReady"].as_i64()),
        (Some(3), Some(3), Some(3))
    );
}

#[test]
fn a_template_change_replaces_pods_one_node_at_a_time() {
    let mut c = cluster();
    create(&mut c, Kind::DaemonSet, agent());
    for _ in 0..2 {
        fake::kubelet_second(&mut c, "default");
    }
    let mut v = c.api().peek(Kind::DaemonSet, Some("default"), "agent").unwrap().to_value();
    v["spec"]["template"]["spec"]["containers"][0]["image"] = json!("busybox:1.37");
    c.api_mut()
        .update(&fake::admin(), crate::api::Object::from_value(Kind::DaemonSet, v).unwrap(), &Default::default())
        .unwrap();
    c.settle();
    for _ in 0..8 {
        let ready = pods(&mut c, "default", "agent-")
            .iter()
            .filter(|p| {
                p.metadata.deletion_timestamp.is_none() && crate::controllers::controller_utils::is_pod_ready(p)
            })
            .count();
        assert!(ready >= 2, "maxUnavailable 1: {ready} ready");
        fake::kubelet_second(&mut c, "default");
    }
    let ps = pods(&mut c, "default", "agent-");
    assert_eq!(ps.len(), 3);
    assert!(ps.iter().all(|p| p.spec.as_ref().unwrap().containers[0].image.as_deref() == Some("busybox:1.37")));
}

/// Upstream's DaemonSet BurstReplicas: a sync creates at most 250 daemon pods, the rest come in
/// the syncs their creations bring; and the web page is never held by more than a wake-up's share
/// of them (on a 5,000-node cluster a sync's 250 creates held it for a whole frame).
#[test]
fn a_sync_creates_at_most_250_daemon_pods_16_a_wake_up() {
    use crate::cluster::{NodeSpec, Topology};
    use crate::controllers::pod_calls::CALLS_PER_WAKE;
    use crate::sim::trace::{Component, EntryKind};
    let nodes = (0..300).map(|i| NodeSpec::worker(&format!("n{i:03}"))).collect();
    let mut c = Cluster::with_topology(9, &Topology { nodes });
    c.spawn(Box::new(DaemonSetController::new()));
    create(&mut c, Kind::DaemonSet, agent());
    c.settle();
    let daemonset = Component::ControllerManager("daemonset");
    let most = c.most_per_item(Duration::from_secs(5), |entries| {
        entries.iter().filter(|e| e.from == daemonset && e.verb == "create" && e.object.kind == "Pod").count()
    });
    assert_eq!(most, CALLS_PER_WAKE);
    let decisions: Vec<&str> = c
        .api()
        .trace()
        .entries()
        .filter(|e| e.from == daemonset && e.kind == EntryKind::Decision && e.verb == "sync")
        .map(|e| e.note.as_ref())
        .collect();
    assert_eq!(decisions, ["creating daemon pods for 250 nodes", "creating daemon pods for 50 nodes"]);
    assert_eq!(pods(&mut c, "default", "agent-").len(), 300);
}
