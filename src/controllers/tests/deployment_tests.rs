//! The Deployment controller (with the ReplicaSet controller) on a cluster.

use serde_json::{Value, json};

use super::fake::{self, create, pods};
use crate::api::{Kind, Object};
use crate::cluster::Cluster;
use crate::controllers::{DeploymentController, ReplicaSetController};
use crate::sim::Duration;

fn deploy_json(name: &str, replicas: i64, image: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c", "image": image}]}}}})
}

fn cluster() -> Cluster {
    let mut c = Cluster::new(11);
    c.spawn(Box::new(DeploymentController::new()));
    c.spawn(Box::new(ReplicaSetController::new()));
    c
}

fn get(c: &Cluster, kind: Kind, name: &str) -> Value {
    c.api().peek(kind, Some("default"), name).unwrap().to_value()
}

/// ReplicaSets of the Deployment `name`, oldest first: (name, spec.replicas, revision).
fn sets(c: &mut Cluster, name: &str) -> Vec<(String, i64, String)> {
    let list = c.api_mut().list(&fake::admin(), Kind::ReplicaSet, Some("default"), &Default::default()).unwrap();
    let mut out: Vec<(String, String, i64, String)> = list
        .items
        .iter()
        .filter(|o| o.name().starts_with(&format!("{name}-")))
        .map(|o| {
            let v = o.to_value();
            let rev =
                v["metadata"]["annotations"]["deployment.kubernetes.io/revision"].as_str().unwrap_or("").to_string();
            (
                v["metadata"]["creationTimestamp"].as_str().unwrap_or("").to_string(),
                o.name().to_string(),
                v["spec"]["replicas"].as_i64().unwrap(),
                rev,
            )
        })
        .collect();
    out.sort();
    out.into_iter().map(|(_, n, r, rev)| (n, r, rev)).collect()
}

fn edit(c: &mut Cluster, kind: Kind, name: &str, f: impl FnOnce(&mut Value)) {
    let mut v = get(c, kind, name);
    f(&mut v);
    c.api_mut().update(&fake::admin(), Object::from_value(kind, v).unwrap(), &Default::default()).unwrap();
    c.settle();
}

fn conditions(c: &Cluster, name: &str) -> Vec<(String, String, String, String)> {
    let v = get(c, Kind::Deployment, name);
    v["status"]["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or("").to_string();
            (s("type"), s("status"), s("reason"), s("message"))
        })
        .collect()
}

fn settle_rollout(c: &mut Cluster, seconds: u64) {
    for _ in 0..seconds {
        fake::kubelet_second(c, "default");
    }
}

#[test]
fn creates_a_hashed_replica_set_and_reports_a_finished_rollout() {
    let mut c = cluster();
    create(&mut c, Kind::Deployment, deploy_json("web", 3, "nginx:1.25"));
    c.run_for(Duration::from_secs(1));
    let rs = sets(&mut c, "web");
    assert_eq!(rs.len(), 1);
    let (rs_name, replicas, revision) = rs[0].clone();
    let hash = rs_name.trim_start_matches("web-");
    assert!(hash.len() <= 10 && hash.chars().all(|ch| "456789bcdf".contains(ch)), "{rs_name}");
    assert_eq!((replicas, revision.as_str()), (3, "1"));
    let rsv = get(&c, Kind::ReplicaSet, &rs_name);
    assert_eq!(rsv["metadata"]["labels"]["pod-template-hash"], hash);
    assert_eq!(rsv["spec"]["selector"]["matchLabels"]["pod-template-hash"], hash);
    assert_eq!(rsv["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"], "3");
    assert_eq!(rsv["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"], "4");
    assert_eq!(rsv["metadata"]["ownerReferences"][0]["kind"], "Deployment");
    assert_eq!(get(&c, Kind::Deployment, "web")["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "1");
    assert_eq!(
        fake::events(&mut c, "default", "web"),
        [("ScalingReplicaSet".to_string(), format!("Scaled up replica set {rs_name} from 0 to 3"))]
    );
    let ps = pods(&mut c, "default", &format!("{rs_name}-"));
    assert_eq!(ps.len(), 3);
    assert_eq!(ps[0].metadata.labels.as_ref().unwrap()["pod-template-hash"], hash);
    let conds = conditions(&c, "web");
    assert_eq!(conds[0].0, "Available");
    assert_eq!(conds[0].2, "MinimumReplicasUnavailable");
    settle_rollout(&mut c, 2);
    let d = get(&c, Kind::Deployment, "web");
    let st = &d["status"];
    assert_eq!(
        (
            st["replicas"].as_i64(),
            st["updatedReplicas"].as_i64(),
            st["readyReplicas"].as_i64(),
            st["availableReplicas"].as_i64()
        ),
        (Some(3), Some(3), Some(3), Some(3))
    );
    assert_eq!(st["observedGeneration"], 1);
    assert_eq!(
        conditions(&c, "web"),
        [
            (
                "Available".into(),
                "True".into(),
                "MinimumReplicasAvailable".into(),
                "Deployment has minimum availability.".into()
            ),
            (
                "Progressing".into(),
                "True".into(),
                "NewReplicaSetAvailable".into(),
                format!("ReplicaSet \"{rs_name}\" has successfully progressed.")
            ),
        ]
    );
}

#[test]
fn the_default_clusters_coredns_keeps_its_replica_set() {
    let mut c = cluster();
    c.run_for(Duration::from_secs(2));
    let list = c.api_mut().list(&fake::admin(), Kind::ReplicaSet, Some("kube-system"), &Default::default()).unwrap();
    let names: Vec<&str> = list.items.iter().map(|o| o.name()).collect();
    assert_eq!(names, ["coredns-668d6bf9bc"]);
    assert_eq!(pods(&mut c, "kube-system", "coredns-").len(), 2);
}

/// A rolling update never has more than replicas + maxSurge pods nor fewer than
/// replicas − maxUnavailable available ones, sampled every second.
#[test]
fn rolling_update_respects_surge_and_unavailability_bounds() {
    let mut c = cluster();
    create(&mut c, Kind::Deployment, deploy_json("web", 10, "nginx:1.25"));
    settle_rollout(&mut c, 3);
    let first = sets(&mut c, "web")[0].0.clone();
    edit(&mut c, Kind::Deployment, "web", |v| {
        v["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:1.26")
    });
    // Defaults for 10 replicas: maxSurge 3, maxUnavailable 2.
    for _ in 0..30 {
        let all = pods(&mut c, "default", "web-");
        let active = all.iter().filter(|p| p.metadata.deletion_timestamp.is_none()).count();
        let ready = all
            .iter()
            .filter(|p| p.metadata.deletion_timestamp.is_none())
            .filter(|p| crate::controllers::controller_utils::is_pod_ready(p))
            .count();
        assert!(active <= 13, "{active} pods");
        assert!(ready >= 8, "{ready} available");
        fake::bind_all(&mut c, "default", None);
        fake::run_all(&mut c, "default");
        fake::reap(&mut c, "default");
        c.run_for(Duration::from_millis(300));
    }
    let rs = sets(&mut c, "web");
    assert_eq!(rs.len(), 2);
    assert_eq!((rs[0].0.as_str(), rs[0].1, rs[0].2.as_str()), (first.as_str(), 0, "1"));
    assert_eq!((rs[1].1, rs[1].2.as_str()), (10, "2"));
    let events = fake::events(&mut c, "default", "web");
    assert_eq!(events[1].1, format!("Scaled up replica set {} from 0 to 3", rs[1].0));
    assert_eq!(events[2].1, format!("Scaled down replica set {first} from 10 to 8"));
    assert_eq!(get(&c, Kind::Deployment, "web")["status"]["updatedReplicas"], 10);
    assert_eq!(conditions(&c, "web")[1].2, "NewReplicaSetAvailable");
}

#[test]
fn rollback_reuses_the_old_replica_set_as_a_new_revision() {
    let mut c = cluster();
    create(&mut c, Kind::Deployment, deploy_json("web", 2, "nginx:1.25"));
    settle_rollout(&mut c, 2);
    let v1_template = get(&c, Kind::Deployment, "web")["spec"]["template"].clone();
    edit(&mut c, Kind::Deployment, "web", |v| {
        v["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:1.26")
    });
    settle_rollout(&mut c, 8);
    // kubectl rollout undo: the old template comes back.
    edit(&mut c, Kind::Deployment, "web", |v| v["spec"]["template"] = v1_template);
    settle_rollout(&mut c, 8);
    let rs = sets(&mut c, "web");
    assert_eq!(rs.len(), 2, "{rs:?}");
    assert_eq!((rs[0].1, rs[0].2.as_str()), (2, "3"));
    assert_eq!((rs[1].1, rs[1].2.as_str()), (0, "2"));
    let old = get(&c, Kind::ReplicaSet, &rs[0].0);
    assert_eq!(old["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"], "1");
    assert_eq!(get(&c, Kind::Deployment, "web")["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "3");
}

#[test]
fn recreate_waits_for_old_pods_before_creating_new_ones() {
    let mut c = cluster();
    let mut d = deploy_json("db", 2, "mysql:8");
    d["spec"]["strategy"] = json!({"type": "Recreate"});
    create(&mut c, Kind::Deployment, d);
    settle_rollout(&mut c, 2);
    edit(&mut c, Kind::Deployment, "db", |v| {
        v["spec"]["template"]["spec"]["containers"][0]["image"] = json!("mysql:9")
    });
    c.run_for(Duration::from_secs(1));
    // Old pods are terminating (no kubelet reaped them): no new ReplicaSet yet.
    let rs = sets(&mut c, "db");
    assert_eq!(rs.len(), 1);
    assert_eq!(rs[0].1, 0);
    fake::reap(&mut c, "default");
    c.run_for(Duration::from_secs(1));
    let rs = sets(&mut c, "db");
    assert_eq!(rs.len(), 2);
    assert_eq!(rs[1].1, 2);
}

#[test]
fn paused_deployments_scale_but_do_not_roll_out_until_resumed() {
    let mut c = cluster();
    create(&mut c, Kind::Deployment, deploy_json("web", 2, "nginx:1.25"));
    settle_rollout(&mut c, 2);
    edit(&mut c, Kind::Deployment, "web", |v| {
        v["spec"]["paused"] = json!(true);
        v["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:1.26");
        v["spec"]["replicas"] = json!(4);
    });
    settle_rollout(&mut c, 2);
    let rs = sets(&mut c, "web");
    assert_eq!(rs.len(), 1);
    assert_eq!(rs[0].1, 4);
    let progressing = conditions(&c, "web").into_iter().find(|c| c.0 == "Progressing").unwrap();
    assert_eq!(
        (progressing.1.as_str(), progressing.2.as_str(), progressing.3.as_str()),
        ("Unknown", "DeploymentPaused", "Deployment is paused")
    );
    edit(&mut c, Kind::Deployment, "web", |v| v["spec"]["paused"] = json!(false));
    settle_rollout(&mut c, 10);
    let rs = sets(&mut c, "web");
    assert_eq!(rs.len(), 2);
    assert_eq!((rs[0].1, rs[1].1), (0, 4));
}

#[test]
fn old_replica_sets_beyond_the_history_limit_are_deleted() {
    let mut c = cluster();
    let mut d = deploy_json("web", 1, "nginx:1");
    d["spec"]["revisionHistoryLimit"] = json!(1);
    create(&mut c, Kind::Deployment, d);
    settle_rollout(&mut c, 2);
    for image in ["nginx:2", "nginx:3", "nginx:4"] {
        edit(&mut c, Kind::Deployment, "web", |v| {
            v["spec"]["template"]["spec"]["containers"][0]["image"] = json!(image)
        });
        settle_rollout(&mut c, 4);
    }
    let rs = sets(&mut c, "web");
    let revisions: Vec<&str> = rs.iter().map(|r| r.2.as_str()).collect();
    assert_eq!(revisions, ["3", "4"]);
}

#[test]
fn a_stalled_rollout_exceeds_its_progress_deadline() {
    let mut c = cluster();
    let mut d = deploy_json("web", 2, "nginx:1");
    d["spec"]["progressDeadlineSeconds"] = json!(10);
    create(&mut c, Kind::Deployment, d);
    c.run_for(Duration::from_secs(5));
    // Pods were created (updatedReplicas grew): that counts as progress.
    assert_eq!(conditions(&c, "web").iter().find(|c| c.0 == "Progressing").unwrap().2, "ReplicaSetUpdated");
    // Nobody runs the pods: 10 seconds later the deadline passes with no further event.
    c.run_for(Duration::from_secs(10));
    let rs_name = sets(&mut c, "web")[0].0.clone();
    let progressing = conditions(&c, "web").into_iter().find(|c| c.0 == "Progressing").unwrap();
    assert_eq!(
        progressing,
        (
            "Progressing".into(),
            "False".into(),
            "ProgressDeadlineExceeded".into(),
            format!("ReplicaSet \"{rs_name}\" has timed out progressing.")
        )
    );
}

#[test]
fn the_same_seed_gives_the_same_history() {
    let run = || {
        let mut c = cluster();
        c.spawn(Box::new(crate::controllers::GarbageCollector::new()));
        create(&mut c, Kind::Deployment, deploy_json("web", 5, "nginx:1.25"));
        settle_rollout(&mut c, 2);
        edit(&mut c, Kind::Deployment, "web", |v| {
            v["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:1.26")
        });
        settle_rollout(&mut c, 6);
        let names: Vec<String> =
            pods(&mut c, "default", "web-").iter().map(|p| p.metadata.name.clone().unwrap()).collect();
        (c.api().trace().hash(), names)
    };
    assert_eq!(run(), run());
}

/// Scale: a large Deployment comes up in bursts without scanning every pod per event. Run with
/// `cargo test --release -- --ignored large_deployment` (150,000 replicas takes a while in debug).
#[test]
#[ignore]
fn large_deployment() {
    let mut c = cluster();
    let replicas: usize = std::env::var("KUBARIUM_REPLICAS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    create(&mut c, Kind::Deployment, deploy_json("big", replicas as i64, "nginx"));
    c.run_until_idle(Duration::from_secs(600));
    let rs = sets(&mut c, "big")[0].0.clone();
    let st = get(&c, Kind::ReplicaSet, &rs)["status"].clone();
    assert_eq!(st["replicas"].as_u64(), Some(replicas as u64));
}
