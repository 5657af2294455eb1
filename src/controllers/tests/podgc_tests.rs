//! The pod garbage collector alone on the default cluster's objects (no kubelet: a graceful delete
//! leaves a bound pod Terminating). Its passes run at 0 s, 20 s, 40 s, ... from its start. A test
//! finalizer keeps a force-deleted pod readable, so that what PodGC wrote before the delete shows.

use std::sync::Arc;

use k8s_openapi::api::core::v1::{Node, NodeCondition, Pod, PodStatus, Taint};
use serde_json::{Value, json};

use super::fake::{admin, create};
use crate::api::{Kind, Object};
use crate::apiserver::DeleteOptions;
use crate::cluster::Cluster;
use crate::controllers::PodGcController;
use crate::controllers::podgc::{OUT_OF_SERVICE, QUARANTINE_TIME};
use crate::sim::trace::EntryKind;
use crate::sim::{Duration, Time};

const HOLD: &str = "kubarium.test/hold";

fn cluster(gc: PodGcController) -> Cluster {
    let mut c = Cluster::new(5);
    c.spawn(Box::new(gc));
    // The first pass, at 0 s, sees the booted objects only.
    c.run_for(Duration::from_millis(1));
    c
}

fn pod_json(name: &str, node: Option<&str>, hold: bool) -> Value {
    let mut spec = json!({"containers": [{"name": "c", "image": "nginx"}]});
    if let Some(n) = node {
        spec["nodeName"] = json!(n);
    }
    let finalizers = if hold { json!([HOLD]) } else { json!([]) };
    json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "finalizers": finalizers}, "spec": spec})
}

fn pod(c: &Cluster, name: &str) -> Option<Arc<Pod>> {
    match c.api().peek(Kind::Pod, Some("default"), name) {
        Some(Object::Pod(p)) => Some(p),
        _ => None,
    }
}

fn phase(c: &Cluster, name: &str) -> String {
    pod(c, name).and_then(|p| p.status.as_ref()?.phase.clone()).unwrap_or_else(|| "<gone>".into())
}

/// Sets a pod's phase (and reason) as its kubelet would report it.
fn report(c: &mut Cluster, name: &str, phase: &str, reason: Option<&str>) {
    let mut next = (*pod(c, name).expect("pod")).clone();
    let status = next.status.get_or_insert_with(PodStatus::default);
    status.phase = Some(phase.into());
    status.reason = reason.map(str::to_string);
    c.api_mut().update_status(&admin(), Object::Pod(Arc::new(next))).expect("status");
    c.settle();
}

fn delete(c: &mut Cluster, kind: Kind, namespace: Option<&str>, name: &str) {
    c.api_mut().delete(&admin(), kind, namespace, name, &DeleteOptions::default()).expect("delete");
    c.settle();
}

/// Runs until virtual second `s`.
fn until(c: &mut Cluster, s: u64) {
    c.run_until(Time::ZERO.after(Duration::from_secs(s)));
}

/// When PodGC decided `verb`, and on what.
fn decisions(c: &Cluster, verb: &str) -> Vec<(u64, String)> {
    c.api()
        .trace()
        .entries()
        .filter(|e| {
            e.kind == EntryKind::Decision
                && e.from.to_string() == "controller-manager/pod-garbage-collector"
                && e.verb == verb
        })
        .map(|e| (e.t.as_millis() / 1000, e.object.name.to_string()))
        .collect()
}

fn edit_node(c: &mut Cluster, name: &str, f: impl FnOnce(&mut Node)) {
    let Some(Object::Node(n)) = c.api().peek(Kind::Node, None, name) else { panic!("node {name}") };
    let mut next = (*n).clone();
    f(&mut next);
    let obj = Object::Node(Arc::new(next));
    c.api_mut().update(&admin(), obj.clone(), &Default::default()).expect("update");
    let Some(Object::Node(n)) = c.api().peek(Kind::Node, None, name) else { panic!("node {name}") };
    let mut next = (*n).clone();
    next.status = obj.as_node().and_then(|o| o.status.clone());
    c.api_mut().update_status(&admin(), Object::Node(Arc::new(next))).expect("status");
    c.settle();
}

fn set_ready(node: &mut Node, status: &str) {
    let conditions = node.status.get_or_insert_with(Default::default).conditions.get_or_insert_with(Vec::new);
    conditions.retain(|c| c.type_ != "Ready");
    conditions.push(NodeCondition { type_: "Ready".into(), status: status.into(), ..Default::default() });
}

fn taint_out_of_service(node: &mut Node) {
    let taint = Taint {
        key: OUT_OF_SERVICE.into(),
        value: Some("nodeshutdown".into()),
        effect: "NoExecute".into(),
        ..Default::default()
    };
    node.spec.get_or_insert_with(Default::default).taints.get_or_insert_with(Vec::new).push(taint);
}

#[test]
fn the_threshold_keeps_that_many_terminated_pods_deleting_evicted_then_oldest_first() {
    let mut c = cluster(PodGcController::with_threshold(3));
    let finished =
        [("p0", "Succeeded", None), ("p1", "Failed", None), ("p2", "Succeeded", None), ("p3", "Succeeded", None)];
    for (name, ph, reason) in finished.into_iter().chain([("evicted", "Failed", Some("Evicted"))]) {
        create(&mut c, Kind::Pod, pod_json(name, Some("node-01"), false));
        report(&mut c, name, ph, reason);
        c.run_for(Duration::from_secs(1));
    }
    create(&mut c, Kind::Pod, pod_json("running", Some("node-01"), false));
    report(&mut c, "running", "Running", None);
    until(&mut c, 19);
    assert_eq!(phase(&c, "p0"), "Succeeded", "nothing before the 20 s pass");
    until(&mut c, 21);
    let left: Vec<String> = ["p0", "p1", "p2", "p3", "evicted", "running"].iter().map(|n| phase(&c, n)).collect();
    assert_eq!(left, ["<gone>", "Failed", "Succeeded", "Succeeded", "<gone>", "Running"]);
    until(&mut c, 61);
    assert_eq!(decisions(&c, "delete"), [(20, "evicted".to_string()), (20, "p0".to_string())], "exactly 3 are kept");
}

#[test]
fn an_orphaned_pod_waits_out_the_quarantine_then_is_marked_failed_and_force_deleted() {
    let mut c = cluster(PodGcController::new());
    create(&mut c, Kind::Pod, pod_json("web", Some("node-02"), true));
    report(&mut c, "web", "Running", None);
    create(&mut c, Kind::Pod, pod_json("db", Some("node-01"), false));
    report(&mut c, "db", "Running", None);
    until(&mut c, 5);
    delete(&mut c, Kind::Node, None, "node-02");
    // Seen missing at the 20 s pass, due 40 s later.
    until(&mut c, 59);
    let web = pod(&c, "web").expect("web");
    assert!(web.metadata.deletion_timestamp.is_none(), "untouched during the quarantine");
    assert_eq!(phase(&c, "web"), "Running");
    assert_eq!(decisions(&c, "quarantine"), [(20, "node-02".to_string())]);
    until(&mut c, 61);
    let web = pod(&c, "web").expect("held by its finalizer");
    assert_eq!(web.metadata.deletion_grace_period_seconds, Some(0), "force-deleted");
    let status = web.status.as_ref().expect("status");
    assert_eq!(status.phase.as_deref(), Some("Failed"));
    let target = status.conditions.iter().flatten().find(|c| c.type_ == "DisruptionTarget").expect("condition");
    assert_eq!(
        (target.status.as_str(), target.reason.as_deref(), target.message.as_deref()),
        ("True", Some("DeletionByPodGC"), Some("PodGC: node no longer exists"))
    );
    assert!(target.last_transition_time.is_some());
    assert_eq!(phase(&c, "db"), "Running");
    // The node was confirmed gone by a GET before anything was written.
    let entries: Vec<_> = c.api().trace().entries().filter(|e| e.t.as_millis() >= 60_000).collect();
    let get = entries.iter().position(|e| e.verb == "get" && &*e.object.name == "node-02").expect("a GET of the node");
    let patch = entries.iter().position(|e| e.verb == "patch" && &*e.object.name == "web").expect("a status patch");
    assert!(get < patch);
    let deleted = decisions(&c, "delete");
    assert!(deleted.contains(&(60, "web".to_string())), "{deleted:?}");
    assert_eq!(60 - 20, QUARANTINE_TIME.as_secs());
}

#[test]
fn a_node_back_before_its_quarantine_ends_keeps_its_pods() {
    let mut c = cluster(PodGcController::new());
    create(&mut c, Kind::Pod, pod_json("web", Some("node-02"), false));
    report(&mut c, "web", "Running", None);
    let Some(Object::Node(node)) = c.api().peek(Kind::Node, None, "node-02") else { panic!("node-02") };
    let mut again = (*node).clone();
    again.metadata.resource_version = None;
    again.metadata.uid = None;
    delete(&mut c, Kind::Node, None, "node-02");
    until(&mut c, 30);
    c.api_mut().create(&admin(), Object::Node(Arc::new(again)), &Default::default()).expect("node back");
    c.settle();
    until(&mut c, 101);
    assert_eq!(phase(&c, "web"), "Running");
    assert!(decisions(&c, "delete").is_empty());
}

#[test]
fn an_unscheduled_terminating_pod_is_marked_failed_and_force_deleted() {
    let mut c = cluster(PodGcController::new());
    create(&mut c, Kind::Pod, pod_json("pending", None, true));
    delete(&mut c, Kind::Pod, Some("default"), "pending");
    assert!(pod(&c, "pending").is_some_and(|p| p.metadata.deletion_timestamp.is_some()));
    until(&mut c, 21);
    assert_eq!(phase(&c, "pending"), "Failed");
    let p = pod(&c, "pending").expect("held by its finalizer");
    assert!(
        p.status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_none_or(|cs| cs.iter().all(|c| c.type_ != "DisruptionTarget"))
    );
    assert_eq!(decisions(&c, "delete"), [(20, "pending".to_string())]);
}

#[test]
fn terminating_pods_are_force_deleted_only_on_a_not_ready_out_of_service_node() {
    let mut c = cluster(PodGcController::new());
    for (name, node) in [("shut", "node-03"), ("ready", "node-01"), ("untainted", "node-02")] {
        create(&mut c, Kind::Pod, pod_json(name, Some(node), false));
        report(&mut c, name, "Running", None);
        delete(&mut c, Kind::Pod, Some("default"), name);
    }
    edit_node(&mut c, "node-03", |n| {
        set_ready(n, "False");
        taint_out_of_service(n);
    });
    edit_node(&mut c, "node-01", taint_out_of_service);
    edit_node(&mut c, "node-02", |n| set_ready(n, "Unknown"));
    until(&mut c, 19);
    assert_eq!(phase(&c, "shut"), "Running", "terminating, waiting for the next pass");
    until(&mut c, 21);
    assert_eq!(phase(&c, "shut"), "<gone>");
    assert_eq!(phase(&c, "ready"), "Running");
    assert_eq!(phase(&c, "untainted"), "Running");
    // Marked Failed (a /status patch) before the delete.
    let patched = c.api().trace().entries().any(|e| e.verb == "patch" && &*e.object.name == "shut");
    assert!(patched);
}
