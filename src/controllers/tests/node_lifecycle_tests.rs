//! The node lifecycle and taint eviction controllers with real kubelets: a node whose kubelet stops
//! goes NotReady (Unknown) after the grace period, is tainted unreachable, its pods are evicted 300 s
//! later and stay Terminating; a restarted kubelet brings it back Ready and the taints go.

use serde_json::{Value, json};

use super::fake::{create, events};
use crate::api::{Kind, Object};
use crate::cluster::Cluster;
use crate::controllers::{NodeLifecycleController, TaintEvictionController};
use crate::kubectl::columns::pod_status;
use crate::kubelet::Kubelet;
use crate::sim::{Duration, Time};

struct Sim {
    c: Cluster,
    /// node → kubelet process id.
    kubelets: Vec<(&'static str, usize)>,
}

fn sim() -> Sim {
    let mut c = Cluster::new(5);
    let mut kubelets = Vec::new();
    for n in ["control-plane", "node-01", "node-02", "node-03"] {
        kubelets.push((n, c.spawn(Box::new(Kubelet::new(n, 5)))));
    }
    c.spawn(Box::new(NodeLifecycleController::new()));
    c.spawn(Box::new(TaintEvictionController::new()));
    c.run_for(Duration::from_millis(1));
    Sim { c, kubelets }
}

impl Sim {
    fn kubelet(&mut self, node: &str, running: bool) {
        let id = self.kubelets.iter().find(|(n, _)| *n == node).map(|(_, id)| *id).unwrap();
        self.c.set_running(id, running);
    }

    fn node(&self, name: &str) -> Value {
        self.c.api().peek(Kind::Node, None, name).unwrap().to_value()
    }

    fn ready(&self, name: &str) -> Value {
        let n = self.node(name);
        n["status"]["conditions"].as_array().unwrap().iter().find(|c| c["type"] == "Ready").unwrap().clone()
    }

    fn taints(&self, name: &str) -> Vec<String> {
        let n = self.node(name);
        n["spec"]["taints"]
            .as_array()
            .map(|ts| {
                ts.iter().map(|t| format!("{}:{}", t["key"].as_str().unwrap(), t["effect"].as_str().unwrap())).collect()
            })
            .unwrap_or_default()
    }

    fn status(&self, pod: &str) -> String {
        match self.c.api().peek(Kind::Pod, Some("default"), pod) {
            Some(Object::Pod(p)) => pod_status(&p),
            _ => "<gone>".into(),
        }
    }

    /// Runs in 1 s steps until `f` holds; the instant it first held.
    fn until(&mut self, limit_s: u64, mut f: impl FnMut(&Sim) -> bool) -> Time {
        for _ in 0..limit_s {
            if f(self) {
                return self.c.now();
            }
            self.c.run_for(Duration::from_secs(1));
        }
        panic!("condition not reached within {limit_s}s");
    }
}

fn web_on(node: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
        "spec": {"nodeName": node, "containers": [{"name": "nginx", "image": "nginx:1.25"}]}})
}

#[test]
fn a_lost_node_goes_unknown_then_its_pods_are_evicted_and_it_recovers() {
    let mut s = sim();
    create(&mut s.c, Kind::Pod, web_on("node-02"));
    s.until(60, |s| s.status("web") == "Running");
    // Registered at the first pass.
    assert!(
        events(&mut s.c, "default", "node-02")
            .contains(&("RegisteredNode".into(), "Node node-02 event: Registered Node node-02 in Controller".into()))
    );
    let stopped = s.c.now();
    s.kubelet("node-02", false);
    s.c.run_for(Duration::from_secs(45));
    assert_eq!(s.ready("node-02")["status"], "True", "still within the 50 s grace period");
    let lost = s.until(30, |s| s.ready("node-02")["status"] == "Unknown");
    let silent = lost.since(stopped).as_secs();
    assert!((50..=66).contains(&silent), "NotReady {silent}s after the last heartbeat");
    let ready = s.ready("node-02");
    assert_eq!(ready["reason"], "NodeStatusUnknown");
    assert_eq!(ready["message"], "Kubelet stopped posting node status.");
    let conds = s.node("node-02")["status"]["conditions"].clone();
    assert!(conds.as_array().unwrap().iter().all(|c| c["status"] == "Unknown"), "{conds}");
    assert!(
        events(&mut s.c, "default", "node-02")
            .contains(&("NodeNotReady".into(), "Node node-02 status is now: NodeNotReady".into()))
    );
    assert!(events(&mut s.c, "default", "web").contains(&("NodeNotReady".into(), "Node is not ready".into())));
    let pod = s.c.api().peek(Kind::Pod, Some("default"), "web").unwrap().to_value();
    let pod_ready =
        pod["status"]["conditions"].as_array().unwrap().iter().find(|c| c["type"] == "Ready").unwrap().clone();
    assert_eq!(pod_ready["status"], "False");
    // The unreachable taints follow within a monitor period or two.
    let tainted = s.until(15, |s| s.taints("node-02").len() == 2);
    let mut taints = s.taints("node-02");
    taints.sort();
    assert_eq!(taints, ["node.kubernetes.io/unreachable:NoExecute", "node.kubernetes.io/unreachable:NoSchedule"]);
    assert!(s.taints("node-01").is_empty());
    // 300 s of tolerance (DefaultTolerationSeconds), then eviction; the dead kubelet never finishes it.
    s.c.run_for(Duration::from_secs(290));
    assert_eq!(s.status("web"), "Running");
    let evicted = s.until(20, |s| s.status("web") == "Terminating");
    let tolerated = evicted.since(tainted).as_secs();
    assert!((299..=302).contains(&tolerated), "evicted {tolerated}s after the taint");
    assert!(
        events(&mut s.c, "default", "web")
            .contains(&("TaintManagerEviction".into(), "Marking for deletion Pod default/web".into()))
    );
    let pod = s.c.api().peek(Kind::Pod, Some("default"), "web").unwrap().to_value();
    let target = pod["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "DisruptionTarget")
        .unwrap()
        .clone();
    assert_eq!(target["reason"], "DeletionByTaintManager");
    s.c.run_for(Duration::from_secs(120));
    assert_eq!(s.status("web"), "Terminating");
    // The kubelet comes back: Ready, untainted, and it finishes the deletion.
    s.kubelet("node-02", true);
    s.until(20, |s| s.ready("node-02")["status"] == "True" && s.taints("node-02").is_empty());
    let conds = s.node("node-02")["status"]["conditions"].clone();
    let statuses: Vec<&str> = conds.as_array().unwrap().iter().map(|c| c["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["False", "False", "False", "True"]);
    s.until(60, |s| s.status("web") == "<gone>");
}

#[test]
fn a_node_back_before_the_toleration_ends_cancels_the_eviction() {
    let mut s = sim();
    create(&mut s.c, Kind::Pod, web_on("node-03"));
    s.until(60, |s| s.status("web") == "Running");
    s.kubelet("node-03", false);
    s.until(90, |s| s.taints("node-03").len() == 2);
    s.c.run_for(Duration::from_secs(60));
    s.kubelet("node-03", true);
    s.until(20, |s| s.taints("node-03").is_empty());
    s.c.run_for(Duration::from_secs(1));
    assert!(
        events(&mut s.c, "default", "web")
            .contains(&("TaintManagerEviction".into(), "Cancelling deletion of Pod default/web".into()))
    );
    s.c.run_for(Duration::from_secs(400));
    assert_eq!(s.status("web"), "Running");
}
