//! The EndpointSlice and Endpoints controllers on a cluster, with pods given addresses and readiness
//! by hand.

use serde_json::{Value, json};

use super::fake::{admin, create};
use crate::api::{Kind, Object};
use crate::apiserver::{DeleteOptions, ListOptions};
use crate::cluster::Cluster;
use crate::controllers::{EndpointSliceController, EndpointsController};
use crate::sim::Duration;

fn cluster() -> Cluster {
    let mut c = Cluster::new(7);
    c.spawn(Box::new(EndpointSliceController::new()));
    c.spawn(Box::new(EndpointsController::new()));
    c
}

/// A pod `name` labelled app=`app` at `ip`, Ready or not, declaring port 8080 as `http`.
fn pod(c: &mut Cluster, name: &str, app: &str, ip: &str, ready: bool) {
    let p = create(
        c,
        Kind::Pod,
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default", "labels": {"app": app}},
            "spec": {"nodeName": "node-01", "containers": [{"name": "c", "image": "nginx", "ports": [{"name": "http", "containerPort": 8080}]}]}}),
    );
    let mut v = p.to_value();
    v["status"] = json!({"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}],
        "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }, "lastTransitionTime": "2026-01-01T00:00:03Z"}]});
    c.api_mut().update_status(&admin(), Object::from_value(Kind::Pod, v).unwrap()).unwrap();
    c.settle();
}

fn service(c: &mut Cluster, name: &str, headless: bool) {
    let mut spec = json!({"selector": {"app": name}, "ports": [{"port": 80, "targetPort": "http"}]});
    if headless {
        spec["clusterIP"] = json!("None");
    }
    create(
        c,
        Kind::Service,
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default", "labels": {"tier": "web"}}, "spec": spec}),
    );
}

fn slices(c: &mut Cluster, svc: &str) -> Vec<Value> {
    let list = c.api_mut().list(&admin(), Kind::EndpointSlice, Some("default"), &ListOptions::default()).unwrap();
    list.items
        .iter()
        .map(|o| o.to_value())
        .filter(|v| v["metadata"]["labels"]["kubernetes.io/service-name"] == svc)
        .collect()
}

#[test]
fn slices_and_endpoints_follow_pods_and_readiness() {
    let mut c = cluster();
    pod(&mut c, "web-a", "web", "10.244.1.5", true);
    pod(&mut c, "web-b", "web", "10.244.1.6", false);
    pod(&mut c, "other", "db", "10.244.1.7", true);
    service(&mut c, "web", false);
    c.run_for(Duration::from_secs(1));
    let s = slices(&mut c, "web");
    assert_eq!(s.len(), 1);
    let slice = &s[0];
    let name = slice["metadata"]["name"].as_str().unwrap();
    assert!(name.starts_with("web-") && name.len() == 9, "{name}");
    assert_eq!(
        slice["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"],
        "endpointslice-controller.k8s.io"
    );
    assert_eq!(slice["metadata"]["labels"]["tier"], "web");
    assert_eq!(slice["metadata"]["ownerReferences"][0]["kind"], "Service");
    assert_eq!(slice["addressType"], "IPv4");
    assert_eq!(slice["ports"], json!([{"name": "", "port": 8080, "protocol": "TCP"}]));
    let eps = slice["endpoints"].as_array().unwrap();
    assert_eq!(eps.len(), 2);
    let b = eps.iter().find(|e| e["targetRef"]["name"] == "web-b").unwrap();
    assert_eq!(b["conditions"], json!({"ready": false, "serving": false, "terminating": false}));
    assert_eq!(b["nodeName"], "node-01");
    let ep = c.api().peek(Kind::Endpoints, Some("default"), "web").unwrap().to_value();
    assert_eq!(ep["subsets"][0]["addresses"][0]["ip"], "10.244.1.5");
    assert_eq!(ep["subsets"][0]["notReadyAddresses"][0]["ip"], "10.244.1.6");
    assert_eq!(ep["subsets"][0]["ports"], json!([{"port": 8080, "protocol": "TCP"}]));
    assert_eq!(ep["metadata"]["labels"]["tier"], "web");
    assert!(ep["metadata"]["annotations"]["endpoints.kubernetes.io/last-change-trigger-time"].is_string());
    // Deleting the Service deletes its Endpoints.
    c.api_mut().delete(&admin(), Kind::Service, Some("default"), "web", &DeleteOptions::default()).unwrap();
    c.settle();
    c.run_for(Duration::from_secs(1));
    assert!(c.api().peek(Kind::Endpoints, Some("default"), "web").is_none());
}

#[test]
fn a_hundred_endpoints_a_slice_and_headless_labels() {
    let mut c = cluster();
    for i in 0..150 {
        pod(&mut c, &format!("db-{i}"), "db", &format!("10.244.{}.{}", 1 + i / 200, 2 + i % 200), true);
    }
    service(&mut c, "db", true);
    c.run_for(Duration::from_secs(1));
    let s = slices(&mut c, "db");
    let mut sizes: Vec<usize> = s.iter().map(|v| v["endpoints"].as_array().map_or(0, Vec::len)).collect();
    sizes.sort();
    assert_eq!(sizes, [50, 100]);
    assert!(s.iter().all(|v| v["metadata"]["labels"]["service.kubernetes.io/headless"] == ""));
    let ep = c.api().peek(Kind::Endpoints, Some("default"), "db").unwrap().to_value();
    assert_eq!(ep["metadata"]["labels"]["service.kubernetes.io/headless"], "");
    assert_eq!(ep["subsets"][0]["addresses"].as_array().unwrap().len(), 150);
    // A Service with no pods keeps one empty placeholder slice.
    service(&mut c, "none", false);
    c.run_for(Duration::from_secs(1));
    let s = slices(&mut c, "none");
    assert_eq!(s.len(), 1);
    assert_eq!(s[0]["endpoints"], json!([]));
}
