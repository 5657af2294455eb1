//! The namespace controller, and the api-server's completion of a finalized namespace.

use std::sync::Arc;

use serde_json::json;

use super::fake::{self, create};
use crate::api::{Kind, Object};
use crate::apiserver::DeleteOptions;
use crate::cluster::Cluster;
use crate::controllers::NamespaceController;
use crate::sim::Duration;

fn ns_conditions(c: &Cluster, ns: &str) -> Vec<(String, String, String)> {
    let v = c.api().peek(Kind::Namespace, None, ns).unwrap().to_value();
    v["status"]["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or("").to_string();
            (s("type"), s("status"), s("message"))
        })
        .collect()
}

#[test]
fn a_deleted_namespace_is_emptied_then_removed() {
    let mut c = Cluster::new(3);
    c.spawn(Box::new(NamespaceController::new()));
    create(&mut c, Kind::Namespace, json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "demo"}}));
    create(
        &mut c,
        Kind::ConfigMap,
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "demo"}}),
    );
    create(
        &mut c,
        Kind::Pod,
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app", "namespace": "demo"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}),
    );
    fake::bind_all(&mut c, "demo", None);
    c.api_mut().delete(&fake::admin(), Kind::Namespace, None, "demo", &DeleteOptions::default()).unwrap();
    c.settle();
    c.run_for(Duration::from_secs(1));
    let ns = c.api().peek(Kind::Namespace, None, "demo").expect("still terminating");
    assert_eq!(ns.to_value()["status"]["phase"], "Terminating");
    assert!(c.api().peek(Kind::ConfigMap, Some("demo"), "cfg").is_none());
    let conds = ns_conditions(&c, "demo");
    assert_eq!(conds.len(), 5);
    assert!(conds.contains(&(
        "NamespaceContentRemaining".into(),
        "True".into(),
        "Some resources are remaining: pods. has 1 resource instances".into()
    )));
    // The kubelet finishes the pod; the controller looks again once its grace period is over.
    fake::reap(&mut c, "demo");
    c.run_for(Duration::from_secs(31));
    assert!(c.api().peek(Kind::Namespace, None, "demo").is_none());
}

#[test]
fn only_emptying_spec_finalizers_completes_a_terminating_namespace() {
    let mut c = Cluster::new(3);
    create(&mut c, Kind::Namespace, json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "demo"}}));
    c.api_mut().delete(&fake::admin(), Kind::Namespace, None, "demo", &DeleteOptions::default()).unwrap();
    let Some(Object::Namespace(ns)) = c.api().peek(Kind::Namespace, None, "demo") else { panic!("namespace") };
    // A status update leaves it terminating.
    let mut next = (*ns).clone();
    next.status.as_mut().unwrap().conditions = Some(vec![]);
    c.api_mut().update_status(&fake::admin(), Object::Namespace(Arc::new(next))).unwrap();
    assert!(c.api().peek(Kind::Namespace, None, "demo").is_some());
    let Some(Object::Namespace(ns)) = c.api().peek(Kind::Namespace, None, "demo") else { panic!("namespace") };
    let mut next = (*ns).clone();
    next.spec.as_mut().unwrap().finalizers = Some(vec![]);
    c.api_mut().update(&fake::admin(), Object::Namespace(Arc::new(next)), &Default::default()).unwrap();
    assert!(c.api().peek(Kind::Namespace, None, "demo").is_none());
}
