//! The StatefulSet controller with stand-in kubelets that make pods Ready when the test says so.

use serde_json::{Value, json};

use super::fake::{self, create, pods};
use crate::api::{Kind, Object};
use crate::apiserver::ListOptions;
use crate::cluster::Cluster;
use crate::controllers::{GarbageCollector, StatefulSetController};
use crate::sim::Duration;

fn sts(name: &str, replicas: i64, extra: Value) -> Value {
    let mut v = json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"replicas": replicas, "serviceName": name, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": "postgres:16"}]}}}});
    if let (Some(s), Some(e)) = (v["spec"].as_object_mut(), extra.as_object()) {
        s.extend(e.clone());
    }
    v
}

fn cluster() -> Cluster {
    let mut c = Cluster::new(7);
    c.spawn(Box::new(StatefulSetController::new()));
    c.spawn(Box::new(GarbageCollector::new()));
    c
}

fn names(c: &mut Cluster, prefix: &str) -> Vec<String> {
    pods(c, "default", prefix).iter().map(|p| p.metadata.name.clone().unwrap()).collect()
}

fn status(c: &Cluster, name: &str) -> Value {
    c.api().peek(Kind::StatefulSet, Some("default"), name).unwrap().to_value()["status"].clone()
}

fn set_spec(c: &mut Cluster, name: &str, f: impl FnOnce(&mut Value)) {
    let mut v = c.api().peek(Kind::StatefulSet, Some("default"), name).unwrap().to_value();
    f(&mut v["spec"]);
    c.api_mut().update(&fake::admin(), Object::from_value(Kind::StatefulSet, v).unwrap(), &Default::default()).unwrap();
    c.settle();
}

/// Binds and starts whatever is pending, then lets a second pass.
fn ready_all(c: &mut Cluster) {
    fake::kubelet_second(c, "default");
}

#[test]
fn ordered_ready_creates_db_1_only_after_db_0_is_ready_with_claims_first() {
    let mut c = cluster();
    let claim = json!({"volumeClaimTemplates": [{"metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]});
    create(&mut c, Kind::StatefulSet, sts("db", 3, claim));
    c.run_for(Duration::from_secs(5));
    assert_eq!(names(&mut c, "db-"), ["db-0"], "db-1 waits for db-0");
    fake::bind_all(&mut c, "default", None);
    c.run_for(Duration::from_secs(5));
    assert_eq!(names(&mut c, "db-"), ["db-0"], "bound but not Ready is not enough");
    fake::run_all(&mut c, "default");
    c.run_for(Duration::from_secs(1));
    assert_eq!(names(&mut c, "db-"), ["db-0", "db-1"]);
    ready_all(&mut c);
    ready_all(&mut c);
    assert_eq!(names(&mut c, "db-"), ["db-0", "db-1", "db-2"]);
    ready_all(&mut c);
    let p = &pods(&mut c, "default", "db-1")[0];
    let labels = p.metadata.labels.clone().unwrap();
    assert_eq!(labels["statefulset.kubernetes.io/pod-name"], "db-1");
    assert_eq!(labels["apps.kubernetes.io/pod-index"], "1");
    let spec = p.spec.clone().unwrap();
    assert_eq!((spec.hostname.as_deref(), spec.subdomain.as_deref()), (Some("db-1"), Some("db")));
    let vol = &spec.volumes.unwrap()[0];
    assert_eq!(vol.persistent_volume_claim.as_ref().unwrap().claim_name, "data-db-1");
    let claims =
        c.api_mut().list(&fake::admin(), Kind::PersistentVolumeClaim, Some("default"), &ListOptions::default());
    let claim_names: Vec<String> = claims.unwrap().items.iter().map(|o| o.name().to_string()).collect();
    assert_eq!(claim_names, ["data-db-0", "data-db-1", "data-db-2"]);
    let events = fake::events(&mut c, "default", "db");
    let msgs: Vec<&str> = events.iter().map(|e| e.1.as_str()).collect();
    assert_eq!(
        msgs,
        [
            "create Claim data-db-0 Pod db-0 in StatefulSet db success",
            "create Pod db-0 in StatefulSet db successful",
            "create Claim data-db-1 Pod db-1 in StatefulSet db success",
            "create Pod db-1 in StatefulSet db successful",
            "create Claim data-db-2 Pod db-2 in StatefulSet db success",
            "create Pod db-2 in StatefulSet db successful",
        ]
    );
    assert!(events.iter().all(|e| e.0 == "SuccessfulCreate"));
    let st = status(&c, "db");
    assert_eq!((st["replicas"].as_i64(), st["readyReplicas"].as_i64()), (Some(3), Some(3)));
    assert_eq!((st["currentReplicas"].as_i64(), st["updatedReplicas"].as_i64()), (Some(3), Some(3)));
    assert_eq!((st["availableReplicas"].as_i64(), st["collisionCount"].as_i64()), (Some(3), Some(0)));
    assert_eq!(st["observedGeneration"], 1);
    let rev = st["currentRevision"].as_str().unwrap().to_string();
    assert_eq!(st["updateRevision"], rev.as_str());
    let hash = labels["controller-revision-hash"].clone();
    assert_eq!(rev, format!("db-{hash}"));
    let cr = c.api().peek(Kind::ControllerRevision, Some("default"), &rev).unwrap().to_value();
    assert_eq!(
        (cr["revision"].as_i64(), cr["metadata"]["labels"]["controller-revision-hash"].as_str()),
        (Some(1), Some(hash.as_str()))
    );
    assert_eq!(cr["metadata"]["ownerReferences"][0]["kind"], "StatefulSet");
}

#[test]
fn scale_down_removes_the_highest_ordinal_first_one_at_a_time() {
    let mut c = cluster();
    create(&mut c, Kind::StatefulSet, sts("db", 3, json!({})));
    for _ in 0..4 {
        ready_all(&mut c);
    }
    assert_eq!(names(&mut c, "db-"), ["db-0", "db-1", "db-2"]);
    set_spec(&mut c, "db", |s| s["replicas"] = json!(1));
    c.run_for(Duration::from_secs(2));
    // db-2 is terminating (its kubelet has not finished it): db-1 waits.
    assert_eq!(names(&mut c, "db-"), ["db-0", "db-1", "db-2"]);
    fake::reap(&mut c, "default");
    c.run_for(Duration::from_secs(1));
    assert_eq!(names(&mut c, "db-"), ["db-0", "db-1"]);
    ready_all(&mut c);
    ready_all(&mut c);
    assert_eq!(names(&mut c, "db-"), ["db-0"]);
    let deletes: Vec<String> =
        fake::events(&mut c, "default", "db").into_iter().filter(|e| e.0 == "SuccessfulDelete").map(|e| e.1).collect();
    assert_eq!(
        deletes,
        ["delete Pod db-2 in StatefulSet db successful", "delete Pod db-1 in StatefulSet db successful"]
    );
    assert_eq!(status(&c, "db")["replicas"], 1);
}

#[test]
fn parallel_creates_every_pod_at_once_from_the_start_ordinal() {
    let mut c = cluster();
    create(
        &mut c,
        Kind::StatefulSet,
        sts("web", 3, json!({"podManagementPolicy": "Parallel", "ordinals": {"start": 5}})),
    );
    c.run_for(Duration::from_secs(1));
    assert_eq!(names(&mut c, "web-"), ["web-5", "web-6", "web-7"]);
}

#[test]
fn rolling_update_goes_from_the_highest_ordinal_down_to_the_partition() {
    let mut c = cluster();
    create(
        &mut c,
        Kind::StatefulSet,
        sts("db", 3, json!({"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 1}}})),
    );
    for _ in 0..4 {
        ready_all(&mut c);
    }
    let old = status(&c, "db")["currentRevision"].as_str().unwrap().to_string();
    set_spec(&mut c, "db", |s| s["template"]["spec"]["containers"][0]["image"] = json!("postgres:17"));
    for _ in 0..8 {
        ready_all(&mut c);
    }
    let st = status(&c, "db");
    let new = st["updateRevision"].as_str().unwrap().to_string();
    assert_ne!(old, new);
    assert_eq!(st["currentRevision"], old.as_str(), "the partition keeps the rollout incomplete");
    assert_eq!((st["updatedReplicas"].as_i64(), st["currentReplicas"].as_i64()), (Some(2), Some(1)));
    let image =
        |c: &mut Cluster, n: &str| pods(c, "default", n)[0].spec.clone().unwrap().containers[0].image.clone().unwrap();
    assert_eq!(image(&mut c, "db-0"), "postgres:16");
    assert_eq!(image(&mut c, "db-1"), "postgres:17");
    assert_eq!(image(&mut c, "db-2"), "postgres:17");
    let deletes: Vec<String> =
        fake::events(&mut c, "default", "db").into_iter().filter(|e| e.0 == "SuccessfulDelete").map(|e| e.1).collect();
    assert_eq!(
        deletes,
        ["delete Pod db-2 in StatefulSet db successful", "delete Pod db-1 in StatefulSet db successful"]
    );
    // Lowering the partition finishes the rollout, and the current revision follows.
    set_spec(&mut c, "db", |s| s["updateStrategy"]["rollingUpdate"]["partition"] = json!(0));
    for _ in 0..4 {
        ready_all(&mut c);
    }
    let st = status(&c, "db");
    assert_eq!(st["currentRevision"], new.as_str());
    assert_eq!(image(&mut c, "db-0"), "postgres:17");
    let revs = c.api_mut().list(&fake::admin(), Kind::ControllerRevision, Some("default"), &ListOptions::default());
    assert_eq!(revs.unwrap().items.len(), 2);
}

#[test]
fn zero_replicas_and_odd_names_never_panic() {
    let mut c = cluster();
    create(&mut c, Kind::StatefulSet, sts("z", 0, json!({})));
    create(
        &mut c,
        Kind::StatefulSet,
        sts("huge", 3, json!({"ordinals": {"start": 2147483646}, "podManagementPolicy": "Parallel"})),
    );
    c.run_for(Duration::from_secs(2));
    assert!(names(&mut c, "z-").is_empty());
    assert_eq!(status(&c, "z")["replicas"], 0);
}
