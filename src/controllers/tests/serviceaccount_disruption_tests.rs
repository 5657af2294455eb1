//! The ServiceAccount controller (the `default` account of each namespace) and the disruption
//! controller's PodDisruptionBudget status.

use serde_json::{Value, json};

use super::fake::{self, admin, create, events};
use crate::api::Kind;
use crate::apiserver::DeleteOptions;
use crate::cluster::Cluster;
use crate::controllers::{DisruptionController, ReplicaSetController, ServiceAccountController};
use crate::sim::Duration;

#[test]
fn every_namespace_gets_a_default_service_account() {
    let mut c = Cluster::new(2);
    c.spawn(Box::new(ServiceAccountController::new()));
    create(&mut c, Kind::Namespace, json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}}));
    c.run_for(Duration::from_secs(1));
    assert!(c.api().peek(Kind::ServiceAccount, Some("team"), "default").is_some());
    c.api_mut().delete(&admin(), Kind::ServiceAccount, Some("team"), "default", &DeleteOptions::default()).unwrap();
    c.settle();
    c.run_for(Duration::from_secs(1));
    assert!(c.api().peek(Kind::ServiceAccount, Some("team"), "default").is_some(), "recreated");
}

fn status(c: &Cluster, name: &str) -> Value {
    c.api().peek(Kind::PodDisruptionBudget, Some("default"), name).unwrap().to_value()["status"].clone()
}

fn web_rs(replicas: i32) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web", "namespace": "default"},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
}

#[test]
fn a_budget_counts_healthy_pods_and_allowed_disruptions() {
    let mut c = Cluster::new(2);
    c.spawn(Box::new(ReplicaSetController::new()));
    c.spawn(Box::new(DisruptionController::new()));
    create(
        &mut c,
        Kind::PodDisruptionBudget,
        json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web-min", "namespace": "default"},
            "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}}}),
    );
    c.run_for(Duration::from_secs(1));
    assert_eq!(events(&mut c, "default", "web-min"), [("NoPods".to_string(), "No matching pods found".to_string())]);
    create(&mut c, Kind::ReplicaSet, web_rs(3));
    c.run_for(Duration::from_secs(1));
    fake::kubelet_second(&mut c, "default");
    c.run_for(Duration::from_secs(1));
    let st = status(&c, "web-min");
    assert_eq!((st["currentHealthy"].clone(), st["desiredHealthy"].clone()), (json!(3), json!(2)));
    assert_eq!((st["expectedPods"].clone(), st["disruptionsAllowed"].clone()), (json!(3), json!(1)));
    assert_eq!(st["conditions"][0]["type"], "DisruptionAllowed");
    assert_eq!(st["conditions"][0]["status"], "True");
    assert_eq!(st["conditions"][0]["reason"], "SufficientPods");
    create(
        &mut c,
        Kind::PodDisruptionBudget,
        json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web-max", "namespace": "default"},
            "spec": {"maxUnavailable": "34%", "selector": {"matchLabels": {"app": "web"}}}}),
    );
    c.run_for(Duration::from_secs(1));
    let st = status(&c, "web-max");
    // 34 % of 3 rounds up to 2 unavailable: 1 must stay healthy.
    assert_eq!((st["expectedPods"].clone(), st["desiredHealthy"].clone()), (json!(3), json!(1)));
    assert_eq!(st["disruptionsAllowed"], 2);
    // A pod goes: the minAvailable budget allows no more disruptions.
    let victim = fake::pods(&mut c, "default", "web-")[0].metadata.name.clone().unwrap();
    c.api_mut().delete(&admin(), Kind::Pod, Some("default"), &victim, &DeleteOptions::default()).unwrap();
    c.settle();
    c.run_for(Duration::from_secs(1));
    let st = status(&c, "web-min");
    assert_eq!((st["currentHealthy"].clone(), st["disruptionsAllowed"].clone()), (json!(2), json!(0)));
    assert_eq!(st["conditions"][0]["reason"], "InsufficientPods");
}
