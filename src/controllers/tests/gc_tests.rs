//! The garbage collector with the workload controllers.

use serde_json::json;

use super::fake::{self, create, pods};
use crate::api::Kind;
use crate::apiserver::{DeleteOptions, Propagation};
use crate::cluster::Cluster;
use crate::controllers::{DeploymentController, GarbageCollector, ReplicaSetController};
use crate::sim::Duration;

fn cluster() -> Cluster {
    let mut c = Cluster::new(5);
    c.spawn(Box::new(DeploymentController::new()));
    c.spawn(Box::new(ReplicaSetController::new()));
    c.spawn(Box::new(GarbageCollector::new()));
    c
}

fn deploy(c: &mut Cluster, name: &str, replicas: i64) {
    create(
        c,
        Kind::Deployment,
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}),
    );
    c.run_for(Duration::from_secs(1));
}

fn count(c: &mut Cluster, kind: Kind) -> usize {
    c.api_mut().list(&fake::admin(), kind, Some("default"), &Default::default()).unwrap().items.len()
}

fn delete(c: &mut Cluster, kind: Kind, name: &str, propagation: Option<Propagation>) {
    let opts = DeleteOptions { propagation, ..Default::default() };
    c.api_mut().delete(&fake::admin(), kind, Some("default"), name, &opts).unwrap();
    c.settle();
}

#[test]
fn background_deletion_collects_replica_sets_and_pods() {
    let mut c = cluster();
    deploy(&mut c, "web", 3);
    assert_eq!((count(&mut c, Kind::ReplicaSet), count(&mut c, Kind::Pod)), (1, 3));
    delete(&mut c, Kind::Deployment, "web", Some(Propagation::Background));
    c.run_for(Duration::from_secs(1));
    assert_eq!((count(&mut c, Kind::ReplicaSet), count(&mut c, Kind::Pod)), (0, 0));
}

#[test]
fn foreground_deletion_waits_for_blocking_dependents() {
    let mut c = cluster();
    deploy(&mut c, "web", 2);
    fake::bind_all(&mut c, "default", None);
    fake::run_all(&mut c, "default");
    let rs = c.api_mut().list(&fake::admin(), Kind::ReplicaSet, Some("default"), &Default::default()).unwrap().items[0]
        .name()
        .to_string();
    delete(&mut c, Kind::Deployment, "web", Some(Propagation::Foreground));
    c.run_for(Duration::from_secs(2));
    // The bound pods are terminating (no kubelet finished them): everything above them waits.
    let d = c.api().peek(Kind::Deployment, Some("default"), "web").expect("deployment still there");
    assert_eq!(d.meta().finalizers.as_deref(), Some(&["foregroundDeletion".to_string()][..]));
    assert!(c.api().peek(Kind::ReplicaSet, Some("default"), &rs).is_some());
    assert!(pods(&mut c, "default", "web-").iter().all(|p| p.metadata.deletion_timestamp.is_some()));
    fake::reap(&mut c, "default");
    c.run_for(Duration::from_secs(2));
    assert!(c.api().peek(Kind::ReplicaSet, Some("default"), &rs).is_none());
    assert!(c.api().peek(Kind::Deployment, Some("default"), "web").is_none());
    assert_eq!(count(&mut c, Kind::Pod), 0);
}

#[test]
fn orphan_deletion_keeps_dependents_without_owner_references() {
    let mut c = cluster();
    deploy(&mut c, "web", 2);
    delete(&mut c, Kind::Deployment, "web", Some(Propagation::Orphan));
    c.run_for(Duration::from_secs(1));
    assert!(c.api().peek(Kind::Deployment, Some("default"), "web").is_none());
    let list = c.api_mut().list(&fake::admin(), Kind::ReplicaSet, Some("default"), &Default::default()).unwrap();
    assert_eq!(list.items.len(), 1);
    assert!(list.items[0].meta().owner_references.as_ref().is_none_or(Vec::is_empty));
    assert_eq!(count(&mut c, Kind::Pod), 2);
}

#[test]
fn dependents_of_a_vanished_owner_are_collected_unless_another_owner_holds_them() {
    let mut c = cluster();
    let cm = create(
        &mut c,
        Kind::ConfigMap,
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "keeper", "namespace": "default"}}),
    );
    let gone = json!({"apiVersion": "v1", "kind": "ConfigMap", "name": "ghost", "uid": "00000000-0000-4000-8000-000000000000"});
    let keeper = json!({"apiVersion": "v1", "kind": "ConfigMap", "name": "keeper", "uid": cm.uid()});
    for (name, refs) in [("lost", json!([gone.clone()])), ("kept", json!([gone, keeper]))] {
        create(
            &mut c,
            Kind::Secret,
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": "default", "ownerReferences": refs}}),
        );
    }
    c.run_for(Duration::from_secs(1));
    assert!(c.api().peek(Kind::Secret, Some("default"), "lost").is_none());
    let kept = c.api().peek(Kind::Secret, Some("default"), "kept").expect("kept");
    let refs = kept.meta().owner_references.clone().unwrap();
    assert_eq!(refs.len(), 1);
    assert_eq!(refs[0].name, "keeper");
}
