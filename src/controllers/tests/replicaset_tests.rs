//! The ReplicaSet controller on a cluster.

use serde_json::json;

use super::fake::{self, create, pods};
use crate::api::{Kind, Object};
use crate::cluster::Cluster;
use crate::controllers::ReplicaSetController;
use crate::sim::Duration;

fn rs_json(name: &str, replicas: i64, min_ready: i64) -> serde_json::Value {
    json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"replicas": replicas, "minReadySeconds": min_ready, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
}

fn cluster() -> Cluster {
    let mut c = Cluster::new(7);
    c.spawn(Box::new(ReplicaSetController::new()));
    c
}

fn rs_status(c: &Cluster, name: &str) -> serde_json::Value {
    c.api().peek(Kind::ReplicaSet, Some("default"), name).unwrap().to_value()["status"].clone()
}

fn scale(c: &mut Cluster, kind: Kind, name: &str, replicas: i64) {
    let mut v = c.api().peek(kind, Some("default"), name).unwrap().to_value();
    v["spec"]["replicas"] = json!(replicas);
    c.api_mut().update(&fake::admin(), Object::from_value(kind, v).unwrap(), &Default::default()).unwrap();
    c.settle();
}

#[test]
fn creates_owned_pods_with_events_and_reports_status() {
    let mut c = cluster();
    let rs = create(&mut c, Kind::ReplicaSet, rs_json("web", 3, 10));
    c.run_for(Duration::from_secs(1));
    let ps = pods(&mut c, "default", "web-");
    assert_eq!(ps.len(), 3);
    for p in &ps {
        let name = p.metadata.name.as_deref().unwrap();
        assert_eq!(name.len(), "web-".len() + 5, "{name}");
        assert_eq!(p.metadata.generate_name.as_deref(), Some("web-"));
        let r = &p.metadata.owner_references.as_ref().unwrap()[0];
        assert_eq!((r.kind.as_str(), r.name.as_str(), r.uid.as_str()), ("ReplicaSet", "web", rs.uid()));
        assert_eq!((r.controller, r.block_owner_deletion), (Some(true), Some(true)));
    }
    let events = fake::events(&mut c, "default", "web");
    assert_eq!(events.len(), 3);
    for (e, p) in events.iter().zip(&ps) {
        assert_eq!(e.0, "SuccessfulCreate");
        assert!(e.1.starts_with("Created pod: web-"), "{e:?}");
        let _ = p;
    }
    let s = rs_status(&c, "web");
    assert_eq!(
        (s["replicas"].as_i64(), s["readyReplicas"].as_i64(), s["availableReplicas"].as_i64()),
        (Some(3), Some(0), Some(0))
    );
    assert_eq!(s["observedGeneration"], 1);
    assert_eq!(s["fullyLabeledReplicas"], 3);
    fake::bind_all(&mut c, "default", None);
    fake::run_all(&mut c, "default");
    c.run_for(Duration::from_secs(1));
    let s = rs_status(&c, "web");
    assert_eq!((s["readyReplicas"].as_i64(), s["availableReplicas"].as_i64()), (Some(3), Some(0)));
    // minReadySeconds later, without any other event, the pods count as available.
    c.run_for(Duration::from_secs(10));
    assert_eq!(rs_status(&c, "web")["availableReplicas"], 3);
}

#[test]
fn bursts_in_slow_start_batches_without_double_creating() {
    let mut c = cluster();
    create(&mut c, Kind::ReplicaSet, rs_json("big", 700, 0));
    // The first sync creates the burst (500) in batches 1, 2, 4, ... 256, 237.
    c.run_for(Duration::from_millis(6));
    assert_eq!(pods(&mut c, "default", "big-").len(), 500);
    c.run_for(Duration::from_secs(1));
    assert_eq!(pods(&mut c, "default", "big-").len(), 700);
    c.run_for(Duration::from_secs(5));
    assert_eq!(pods(&mut c, "default", "big-").len(), 700);
    assert_eq!(rs_status(&c, "big")["replicas"], 700);
    scale(&mut c, Kind::ReplicaSet, "big", 0);
    c.run_for(Duration::from_secs(1));
    assert!(pods(&mut c, "default", "big-").is_empty());
    assert_eq!(rs_status(&c, "big")["replicas"], 0);
}

#[test]
fn a_big_sync_goes_on_across_steps_at_one_instant_and_writes_its_status_last() {
    // The page runs one step at a time between frames: no step may create the whole burst.
    let mut c = cluster();
    create(&mut c, Kind::ReplicaSet, rs_json("big", 100, 0));
    let (mut most, mut first_at, mut last_at) = (0, None, None);
    let mut seen = 0;
    while seen < 100 && c.step() {
        let now = pods(&mut c, "default", "big-").len();
        if now > seen {
            first_at.get_or_insert(c.now());
            last_at = Some(c.now());
            most = most.max(now - seen);
            seen = now;
        }
    }
    assert_eq!(seen, 100);
    assert!(most <= 16, "one step created {most} pods");
    assert_eq!(first_at, last_at, "the sync's pods are all created at one virtual instant");
    // The status comes from the pods the sync saw (none), written after its last create.
    assert_eq!(rs_status(&c, "big")["replicas"], 0);
    c.run_for(Duration::from_secs(1));
    assert_eq!(rs_status(&c, "big")["replicas"], 100);
}

#[test]
fn scales_down_the_least_valuable_pods_first() {
    let mut c = cluster();
    create(&mut c, Kind::ReplicaSet, rs_json("web", 2, 0));
    c.run_for(Duration::from_secs(1));
    // Two running pods on node-01, then two more: one left unscheduled, one bound but not running.
    fake::bind_all(&mut c, "default", Some("node-01"));
    fake::run_all(&mut c, "default");
    scale(&mut c, Kind::ReplicaSet, "web", 4);
    c.run_for(Duration::from_secs(1));
    let fresh: Vec<String> = pods(&mut c, "default", "web-")
        .iter()
        .filter(|p| p.spec.as_ref().unwrap().node_name.is_none())
        .map(|p| p.metadata.name.clone().unwrap())
        .collect();
    assert_eq!(fresh.len(), 2);
    c.api_mut().bind(&fake::admin(), "default", &fresh[0], "node-02").unwrap();
    c.settle();
    c.run_for(Duration::from_secs(1));
    scale(&mut c, Kind::ReplicaSet, "web", 2);
    c.run_for(Duration::from_secs(1));
    let left: Vec<String> = pods(&mut c, "default", "web-").iter().map(|p| p.metadata.name.clone().unwrap()).collect();
    let deleted: Vec<String> = fake::events(&mut c, "default", "web")
        .into_iter()
        .filter(|e| e.0 == "SuccessfulDelete")
        .map(|e| e.1.trim_start_matches("Deleted pod: ").to_string())
        .collect();
    // The unscheduled pod goes at once; the bound one is terminating (its grace period).
    assert_eq!(deleted.len(), 2);
    assert!(deleted.contains(&fresh[0]) && deleted.contains(&fresh[1]), "{deleted:?} {fresh:?}");
    assert!(!left.contains(&fresh[1]));
    fake::reap(&mut c, "default");
    c.run_for(Duration::from_secs(1));
    assert_eq!(pods(&mut c, "default", "web-").len(), 2);
    assert_eq!(rs_status(&c, "web")["readyReplicas"], 2);
}

#[test]
fn adopts_matching_orphans_and_releases_pods_it_no_longer_selects() {
    let mut c = cluster();
    create(
        &mut c,
        Kind::Pod,
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "stray", "namespace": "default", "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}),
    );
    let rs = create(&mut c, Kind::ReplicaSet, rs_json("web", 2, 0));
    c.run_for(Duration::from_secs(1));
    let all = pods(&mut c, "default", "");
    assert_eq!(all.len(), 2, "one adopted, one created");
    let stray = all.iter().find(|p| p.metadata.name.as_deref() == Some("stray")).unwrap();
    assert_eq!(stray.metadata.owner_references.as_ref().unwrap()[0].uid, rs.uid());
    // Relabel the adopted pod: the ReplicaSet releases it and makes a replacement.
    let mut v = Object::Pod(stray.clone()).to_value();
    v["metadata"]["labels"]["app"] = json!("other");
    c.api_mut().update(&fake::admin(), Object::from_value(Kind::Pod, v).unwrap(), &Default::default()).unwrap();
    c.settle();
    c.run_for(Duration::from_secs(1));
    let stray = c.api().peek(Kind::Pod, Some("default"), "stray").unwrap();
    assert!(stray.meta().owner_references.as_ref().is_none_or(Vec::is_empty));
    assert_eq!(pods(&mut c, "default", "web-").len(), 2);
}
