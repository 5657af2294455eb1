//! The cloud-controller-manager's service controller: LoadBalancer Services get an address from the
//! documented pool after the cloud's delay, and lose it again.

use serde_json::{Value, json};

use super::fake::{admin, create, events};
use crate::api::Kind;
use crate::apiserver::DeleteOptions;
use crate::apiserver::patch::Patch;
use crate::cluster::Cluster;
use crate::controllers::CloudControllerManager;
use crate::sim::Duration;

fn lb(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"},
        "spec": {"type": "LoadBalancer", "selector": {"app": name}, "ports": [{"port": 80, "targetPort": 80}]}})
}

fn ingress(c: &Cluster, name: &str) -> Value {
    c.api()
        .peek(Kind::Service, Some("default"), name)
        .map(|s| s.to_value()["status"]["loadBalancer"].clone())
        .unwrap_or(Value::Null)
}

#[test]
fn load_balancers_get_addresses_from_the_pool_and_give_them_back() {
    let mut c = Cluster::new(4);
    c.spawn(Box::new(CloudControllerManager::new()));
    create(&mut c, Kind::Service, lb("web"));
    c.run_for(Duration::from_secs(1));
    assert_eq!(ingress(&c, "web"), json!({}));
    assert_eq!(
        events(&mut c, "default", "web"),
        [("EnsuringLoadBalancer".to_string(), "Ensuring load balancer".to_string())]
    );
    c.run_for(Duration::from_secs(5));
    assert_eq!(ingress(&c, "web")["ingress"][0]["ip"], "172.18.255.200");
    assert_eq!(
        events(&mut c, "default", "web")[1],
        ("EnsuredLoadBalancer".to_string(), "Ensured load balancer".to_string())
    );
    let svc = c.api().peek(Kind::Service, Some("default"), "web").unwrap().to_value();
    assert_eq!(svc["metadata"]["finalizers"], json!(["service.kubernetes.io/load-balancer-cleanup"]));
    create(&mut c, Kind::Service, lb("api"));
    c.run_for(Duration::from_secs(6));
    assert_eq!(ingress(&c, "api")["ingress"][0]["ip"], "172.18.255.201");
    // Back to ClusterIP: the address goes back to the pool.
    let patch = Patch::Merge(json!({"spec": {"type": "ClusterIP"}}));
    c.api_mut().patch(&admin(), Kind::Service, Some("default"), "web", &patch, &Default::default()).unwrap();
    c.settle();
    c.run_for(Duration::from_secs(1));
    assert_eq!(ingress(&c, "web"), json!({}));
    let reasons: Vec<String> = events(&mut c, "default", "web").into_iter().map(|(r, _)| r).collect();
    assert_eq!(reasons[2..], ["DeletingLoadBalancer", "DeletedLoadBalancer"]);
    // Deleting a LoadBalancer Service waits for the clean-up.
    c.api_mut().delete(&admin(), Kind::Service, Some("default"), "api", &DeleteOptions::default()).unwrap();
    c.settle();
    c.run_for(Duration::from_secs(1));
    assert!(c.api().peek(Kind::Service, Some("default"), "api").is_none());
    create(&mut c, Kind::Service, lb("next"));
    c.run_for(Duration::from_secs(6));
    assert_eq!(ingress(&c, "next")["ingress"][0]["ip"], "172.18.255.200");
}
