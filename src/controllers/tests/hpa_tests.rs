//! The HPA controller over a Deployment: scales up under load (doubling per period up to max) and
//! back down only after the 300 s stabilization window.

use serde_json::{Value, json};

use super::fake::{self, create, events};
use crate::api::Kind;
use crate::cluster::Cluster;
use crate::controllers::hpa::metrics::{LoadKnob, Loaded, MetricsSource, PodUsage};
use crate::controllers::{DeploymentController, HorizontalPodAutoscalerController, ReplicaSetController};

/// Every pod idles at 10m CPU.
struct Idle;

impl MetricsSource for Idle {
    fn pod_usage(&self, _: &str, _: &str, _: &str) -> Option<PodUsage> {
        Some(PodUsage { cpu_millis: 10, memory_bytes: 20 << 20 })
    }
}

fn hpa_status(c: &Cluster) -> Value {
    c.api().peek(Kind::HorizontalPodAutoscaler, Some("default"), "web").unwrap().to_value()["status"].clone()
}

fn replicas(c: &Cluster) -> i64 {
    c.api().peek(Kind::Deployment, Some("default"), "web").unwrap().to_value()["spec"]["replicas"].as_i64().unwrap()
}

fn condition(c: &Cluster, t: &str) -> (String, String) {
    let st = hpa_status(c);
    let cond = st["conditions"].as_array().unwrap().iter().find(|x| x["type"] == t).unwrap().clone();
    (cond["status"].as_str().unwrap().to_string(), cond["reason"].as_str().unwrap().to_string())
}

#[test]
fn scales_up_under_load_and_down_after_the_window() {
    let mut c = Cluster::new(6);
    let load = LoadKnob::default();
    c.spawn(Box::new(DeploymentController::new()));
    c.spawn(Box::new(ReplicaSetController::new()));
    c.spawn(Box::new(HorizontalPodAutoscalerController::new(Box::new(Loaded { source: Idle, load: load.clone() }))));
    create(
        &mut c,
        Kind::Deployment,
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "php", "image": "nginx",
                    "resources": {"requests": {"cpu": "100m"}}}]}}}}),
    );
    for _ in 0..3 {
        fake::kubelet_second(&mut c, "default");
    }
    create(
        &mut c,
        Kind::HorizontalPodAutoscaler,
        json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web", "namespace": "default"},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "minReplicas": 1, "maxReplicas": 5,
                "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}]}}),
    );
    fake::kubelet_second(&mut c, "default");
    let st = hpa_status(&c);
    assert_eq!(st["currentMetrics"][0]["resource"]["current"]["averageUtilization"], 10);
    assert_eq!(st["desiredReplicas"], 1);
    assert_eq!(condition(&c, "ScalingActive"), ("True".into(), "ValidMetricFound".into()));
    assert_eq!(condition(&c, "ScalingLimited"), ("False".into(), "DesiredWithinRange".into()));
    // 100m of 100m requested: twice the 50 % target.
    load.set("default", "web-", 90);
    for _ in 0..16 {
        fake::kubelet_second(&mut c, "default");
    }
    assert_eq!(replicas(&c), 2);
    assert_eq!(
        events(&mut c, "default", "web").iter().find(|(r, _)| r == "SuccessfulRescale").unwrap().1,
        "New size: 2; reason: cpu resource utilization (percentage of request) above target"
    );
    assert_eq!(condition(&c, "AbleToScale"), ("True".into(), "SucceededRescale".into()));
    for _ in 0..40 {
        fake::kubelet_second(&mut c, "default");
    }
    assert_eq!(replicas(&c), 5);
    assert_eq!(condition(&c, "ScalingLimited"), ("True".into(), "TooManyReplicas".into()));
    assert!(hpa_status(&c)["lastScaleTime"].is_string());
    // The load goes: the recommendation drops at once, the scale only after 300 s.
    load.set("default", "web-", 0);
    for _ in 0..240 {
        fake::kubelet_second(&mut c, "default");
    }
    assert_eq!(replicas(&c), 5);
    assert_eq!(condition(&c, "AbleToScale"), ("True".into(), "ScaleDownStabilized".into()));
    for _ in 0..80 {
        fake::kubelet_second(&mut c, "default");
    }
    assert_eq!(replicas(&c), 1);
    assert!(
        events(&mut c, "default", "web")
            .contains(&("SuccessfulRescale".to_string(), "New size: 1; reason: All metrics below target".to_string()))
    );
}
