//! The PersistentVolume controller and its simulated provisioner: Immediate and WaitForFirstConsumer
//! claims, two-way binding, reclaim policy Delete and the protection finalizers.

use serde_json::{Value, json};

use super::fake::{admin, create, events};
use crate::api::Kind;
use crate::apiserver::DeleteOptions;
use crate::apiserver::patch::Patch;
use crate::cluster::Cluster;
use crate::controllers::PersistentVolumeController;
use crate::sim::Duration;

fn cluster() -> Cluster {
    let mut c = Cluster::new(11);
    c.spawn(Box::new(PersistentVolumeController::new()));
    c
}

fn claim(name: &str, class: Option<&str>) -> Value {
    let mut v = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name, "namespace": "default"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}});
    if let Some(c) = class {
        v["spec"]["storageClassName"] = json!(c);
    }
    v
}

fn get(c: &Cluster, kind: Kind, ns: Option<&str>, name: &str) -> Value {
    c.api().peek(kind, ns, name).map(|o| o.to_value()).unwrap_or(Value::Null)
}

#[test]
fn an_immediate_claim_is_provisioned_and_bound_both_ways() {
    let mut c = cluster();
    create(
        &mut c,
        Kind::StorageClass,
        json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "fast"},
            "provisioner": "rancher.io/local-path", "reclaimPolicy": "Delete", "volumeBindingMode": "Immediate"}),
    );
    let pvc = create(&mut c, Kind::PersistentVolumeClaim, claim("data", Some("fast")));
    c.run_for(Duration::from_secs(1));
    assert_eq!(get(&c, Kind::PersistentVolumeClaim, Some("default"), "data")["status"]["phase"], "Pending");
    c.run_for(Duration::from_secs(3));
    let pv_name = format!("pvc-{}", pvc.uid());
    let claim = get(&c, Kind::PersistentVolumeClaim, Some("default"), "data");
    assert_eq!(claim["status"]["phase"], "Bound");
    assert_eq!(claim["status"]["capacity"]["storage"], "1Gi");
    assert_eq!(claim["spec"]["volumeName"], pv_name);
    let ann = &claim["metadata"]["annotations"];
    assert_eq!(ann["pv.kubernetes.io/bind-completed"], "yes");
    assert_eq!(ann["pv.kubernetes.io/bound-by-controller"], "yes");
    assert_eq!(ann["volume.kubernetes.io/storage-provisioner"], "rancher.io/local-path");
    assert_eq!(claim["metadata"]["finalizers"], json!(["kubernetes.io/pvc-protection"]));
    let pv = get(&c, Kind::PersistentVolume, None, &pv_name);
    assert_eq!(pv["status"]["phase"], "Bound");
    assert_eq!(pv["spec"]["claimRef"]["name"], "data");
    assert_eq!(pv["spec"]["claimRef"]["uid"], pvc.uid());
    assert_eq!(pv["spec"]["persistentVolumeReclaimPolicy"], "Delete");
    assert_eq!(pv["metadata"]["annotations"]["pv.kubernetes.io/provisioned-by"], "rancher.io/local-path");
    assert_eq!(pv["metadata"]["finalizers"], json!(["kubernetes.io/pv-protection"]));
    let reasons: Vec<String> = events(&mut c, "default", "data").into_iter().map(|(r, _)| r).collect();
    assert_eq!(reasons, ["ExternalProvisioning", "Provisioning", "ProvisioningSucceeded"]);
    assert!(
        events(&mut c, "default", "data")
            .contains(&("ProvisioningSucceeded".into(), format!("Successfully provisioned volume {pv_name}")))
    );
    // Reclaim policy Delete: the claim goes, then the volume.
    c.api_mut()
        .delete(&admin(), Kind::PersistentVolumeClaim, Some("default"), "data", &DeleteOptions::default())
        .unwrap();
    c.settle();
    c.run_for(Duration::from_secs(2));
    assert_eq!(get(&c, Kind::PersistentVolumeClaim, Some("default"), "data"), Value::Null);
    assert_eq!(get(&c, Kind::PersistentVolume, None, &pv_name), Value::Null);
}

#[test]
fn a_wait_for_first_consumer_claim_waits_for_the_selected_node() {
    let mut c = cluster();
    // No class named: the default class `standard` (WaitForFirstConsumer).
    let pvc = create(&mut c, Kind::PersistentVolumeClaim, claim("cache", None));
    c.run_for(Duration::from_secs(5));
    let v = get(&c, Kind::PersistentVolumeClaim, Some("default"), "cache");
    assert_eq!(v["spec"]["storageClassName"], "standard");
    assert_eq!(v["status"]["phase"], "Pending");
    assert_eq!(
        events(&mut c, "default", "cache")[0],
        ("WaitForFirstConsumer".to_string(), "waiting for first consumer to be created before binding".to_string())
    );
    // The scheduler picked node-02 for the pod that mounts it.
    let patch = Patch::Merge(json!({"metadata": {"annotations": {"volume.kubernetes.io/selected-node": "node-02"}}}));
    c.api_mut()
        .patch(&admin(), Kind::PersistentVolumeClaim, Some("default"), "cache", &patch, &Default::default())
        .unwrap();
    c.settle();
    c.run_for(Duration::from_secs(3));
    let pv = get(&c, Kind::PersistentVolume, None, &format!("pvc-{}", pvc.uid()));
    let term = &pv["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"][0];
    assert_eq!(term["values"], json!(["node-02"]));
    assert_eq!(get(&c, Kind::PersistentVolumeClaim, Some("default"), "cache")["status"]["phase"], "Bound");
    assert!(
        events(&mut c, "default", "cache").iter().any(|(r, m)| r == "ExternalProvisioning"
            && m == "Waiting for a volume to be created either by the external provisioner 'rancher.io/local-path' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.")
    );
}

#[test]
fn a_claim_in_use_is_kept_until_its_pod_is_gone() {
    let mut c = cluster();
    create(&mut c, Kind::PersistentVolumeClaim, claim("logs", None));
    create(
        &mut c,
        Kind::Pod,
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app", "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "busybox"}],
                "volumes": [{"name": "v", "persistentVolumeClaim": {"claimName": "logs"}}]}}),
    );
    // Once the pod is placed, the claim follows it to its node.
    c.api_mut().bind(&admin(), "default", "app", "node-03").unwrap();
    c.settle();
    c.run_for(Duration::from_secs(4));
    let v = get(&c, Kind::PersistentVolumeClaim, Some("default"), "logs");
    assert_eq!(v["status"]["phase"], "Bound");
    assert_eq!(v["metadata"]["annotations"]["volume.kubernetes.io/selected-node"], "node-03");
    c.api_mut()
        .delete(&admin(), Kind::PersistentVolumeClaim, Some("default"), "logs", &DeleteOptions::default())
        .unwrap();
    c.settle();
    c.run_for(Duration::from_secs(2));
    assert!(get(&c, Kind::PersistentVolumeClaim, Some("default"), "logs")["metadata"]["deletionTimestamp"].is_string());
    let opts = DeleteOptions { grace_period_seconds: Some(0), ..Default::default() };
    c.api_mut().delete(&admin(), Kind::Pod, Some("default"), "app", &opts).unwrap();
    c.settle();
    c.run_for(Duration::from_secs(2));
    assert_eq!(get(&c, Kind::PersistentVolumeClaim, Some("default"), "logs"), Value::Null);
}
