//! The scheduler in a simulated cluster: pods created through the api-server get bound (or get
//! upstream's FailedScheduling message), across taints, selectors, affinity, spreading, scoring
//! strategies and preemption; and a property test over random clusters.

use std::sync::Arc;

use serde_json::{Value, json};

use super::config::Config;
use super::explain::Decision;
use super::{Scheduler, Stats};
use crate::api::{Kind, Object};
use crate::apiserver::{DeleteOptions, Identity, ListOptions, WriteOptions};
use crate::cluster::{Cluster, NodeSpec, Topology};
use crate::sim::{Duration, Rng};

fn create(c: &mut Cluster, kind: Kind, v: Value) {
    let obj = Object::from_value(kind, v).unwrap();
    c.api_mut().create(&Identity::admin(), obj, &WriteOptions::default()).unwrap();
    c.settle();
}

fn pod(name: &str, cpu: &str, extra: Value) -> Value {
    let mut p = json!({"metadata": {"name": name, "namespace": "default", "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "c", "image": "nginx:1.27", "resources": {"requests": {"cpu": cpu, "memory": "128Mi"}}}]}});
    if let (Some(spec), Some(extra)) = (p["spec"].as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            spec.insert(k.clone(), v.clone());
        }
    }
    p
}

fn pod_json(c: &Cluster, name: &str) -> Value {
    c.api().peek(Kind::Pod, Some("default"), name).unwrap().to_value()
}

fn node_of(c: &Cluster, name: &str) -> Option<String> {
    pod_json(c, name)["spec"]["nodeName"].as_str().map(str::to_string)
}

fn condition_message(c: &Cluster, name: &str) -> String {
    let p = pod_json(c, name);
    let conds = p["status"]["conditions"].as_array().cloned().unwrap_or_default();
    let cond = conds.iter().find(|c| c["type"] == "PodScheduled").cloned().unwrap_or(Value::Null);
    assert_eq!(cond["reason"], "Unschedulable", "{p}");
    cond["message"].as_str().unwrap_or("").to_string()
}

fn events(c: &mut Cluster, reason: &str) -> Vec<String> {
    let list = c.api_mut().list(&Identity::admin(), Kind::Event, None, &ListOptions::default()).unwrap();
    list.items
        .iter()
        .filter_map(|o| match o {
            Object::Event(e) if e.reason.as_deref() == Some(reason) => e.message.clone(),
            _ => None,
        })
        .collect()
}

fn with_scheduler(mut c: Cluster, config: Option<Config>) -> (Cluster, usize) {
    let seed = c.seed();
    let id = c.spawn(Box::new(Scheduler::new(seed, config)));
    c.run_for(Duration::from_millis(100));
    (c, id)
}

fn scheduler(c: &Cluster, id: usize) -> &Scheduler {
    c.process(id).and_then(|p| p.as_any()).and_then(|a| a.downcast_ref::<Scheduler>()).unwrap()
}

fn run(c: &mut Cluster) {
    c.settle();
    c.run_for(Duration::from_secs(2));
}

#[test]
fn binds_pods_and_records_scheduled_events() {
    let (mut c, id) = with_scheduler(Cluster::new(1), None);
    create(&mut c, Kind::Pod, pod("web", "500m", json!({})));
    run(&mut c);
    let node = node_of(&c, "web").unwrap();
    assert!(node.starts_with("node-0"), "{node}");
    assert_eq!(events(&mut c, "Scheduled"), [format!("Successfully assigned default/web to {node}")]);
    let a = scheduler(&c, id).last_attempt("default", "web").unwrap();
    assert_eq!(a.decision, Decision::Bound(node));
    assert_eq!(a.rejected.iter().filter(|v| v.plugin == "TaintToleration").count(), 1);
    assert_eq!(a.feasible.len(), 3);
    let table = a.scores.as_ref().unwrap();
    let names: Vec<&str> = table.plugins.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["TaintToleration", "NodeResourcesFit", "NodeResourcesBalancedAllocation", "ImageLocality"]);
    assert!(a.render().contains("TaintToleration (x3)"));
    let decisions: Vec<&str> = c
        .api()
        .trace()
        .entries()
        .filter(|e| e.kind == crate::sim::trace::EntryKind::Decision)
        .map(|e| e.verb)
        .collect();
    assert!(decisions.starts_with(&["filter", "score", "bind"]), "{decisions:?}");
}

#[test]
fn a_pod_that_fits_nowhere_gets_upstreams_message() {
    let (mut c, id) = with_scheduler(Cluster::new(1), None);
    create(&mut c, Kind::Pod, pod("huge", "5", json!({})));
    run(&mut c);
    assert_eq!(node_of(&c, "huge"), None);
    let want = "0/4 nodes are available: 1 node(s) had untolerated taint(s), 3 Insufficient cpu. \
                preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, \
                3 No preemption victims found for incoming pod.";
    assert_eq!(condition_message(&c, "huge"), want);
    assert!(events(&mut c, "FailedScheduling").iter().all(|m| m == want));
    assert!(scheduler(&c, id).stats.unschedulable >= 1);
    // A node big enough arrives: the pod is retried and bound.
    let mut n = c.api().peek(Kind::Node, None, "node-03").unwrap().to_value();
    n["metadata"] = json!({"name": "node-04", "labels": {"kubernetes.io/hostname": "node-04"}});
    n["status"]["allocatable"]["cpu"] = json!("8");
    n["status"]["capacity"]["cpu"] = json!("8");
    create(&mut c, Kind::Node, n);
    run(&mut c);
    run(&mut c);
    assert_eq!(node_of(&c, "huge").as_deref(), Some("node-04"));
}

#[test]
fn taints_tolerations_and_node_selector() {
    let (mut c, _) = with_scheduler(Cluster::new(1), None);
    let cp = json!({"nodeSelector": {"kubernetes.io/hostname": "control-plane"}});
    create(&mut c, Kind::Pod, pod("blocked", "100m", cp.clone()));
    let mut tolerating = cp;
    tolerating["tolerations"] =
        json!([{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}]);
    create(&mut c, Kind::Pod, pod("tolerant", "100m", tolerating));
    create(&mut c, Kind::Pod, pod("picky", "100m", json!({"nodeSelector": {"kubernetes.io/hostname": "node-02"}})));
    run(&mut c);
    assert_eq!(node_of(&c, "tolerant").as_deref(), Some("control-plane"));
    assert_eq!(node_of(&c, "picky").as_deref(), Some("node-02"));
    assert_eq!(node_of(&c, "blocked"), None);
    assert_eq!(
        condition_message(&c, "blocked"),
        "0/4 nodes are available: 1 node(s) had untolerated taint(s), 3 node(s) didn't match Pod's node affinity/selector. \
         preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling."
    );
}

#[test]
fn node_affinity_required_and_preferred() {
    let (mut c, _) = with_scheduler(Cluster::new(1), None);
    let affinity = json!({"affinity": {"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": ["node-01", "node-03"]}]}]},
        "preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 50, "preference": {"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": ["node-03"]}]}}]}}});
    create(&mut c, Kind::Pod, pod("aff", "100m", affinity));
    run(&mut c);
    assert_eq!(node_of(&c, "aff").as_deref(), Some("node-03"));
}

#[test]
fn required_anti_affinity_leaves_one_replica_pending() {
    let (mut c, _) = with_scheduler(Cluster::new(1), None);
    let anti = json!({"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "kubernetes.io/hostname"}]}}});
    for i in 0..4 {
        create(&mut c, Kind::Pod, pod(&format!("web-{i}"), "100m", anti.clone()));
    }
    run(&mut c);
    let nodes: Vec<Option<String>> = (0..4).map(|i| node_of(&c, &format!("web-{i}"))).collect();
    let mut bound: Vec<String> = nodes.iter().flatten().cloned().collect();
    bound.sort();
    assert_eq!(bound, ["node-01", "node-02", "node-03"]);
    let pending = (0..4).find(|i| nodes[*i].is_none()).unwrap();
    assert_eq!(
        condition_message(&c, &format!("web-{pending}")),
        "0/4 nodes are available: 1 node(s) had untolerated taint(s), 3 node(s) didn't match pod anti-affinity rules. \
         preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod."
    );
}

fn zoned(zones: &[&str], per_zone: usize) -> Topology {
    let mut nodes = Vec::new();
    for z in zones {
        for i in 0..per_zone {
            let mut n = NodeSpec::worker(&format!("{z}-{i}"));
            n.zone = Some((*z).to_string());
            nodes.push(n);
        }
    }
    Topology { nodes }
}

#[test]
fn topology_spread_across_zones() {
    let (mut c, _) = with_scheduler(Cluster::with_topology(7, &zoned(&["a", "b", "c"], 2)), None);
    let spread = json!({"topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
        "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "web"}}}]});
    for i in 0..6 {
        create(&mut c, Kind::Pod, pod(&format!("s-{i}"), "100m", spread.clone()));
        run(&mut c);
    }
    let mut per_zone = std::collections::BTreeMap::new();
    for i in 0..6 {
        let n = node_of(&c, &format!("s-{i}")).unwrap();
        *per_zone.entry(n[..1].to_string()).or_insert(0) += 1;
    }
    assert_eq!(per_zone.values().copied().collect::<Vec<_>>(), [2, 2, 2]);
}

fn two_sizes() -> Topology {
    let mut small = NodeSpec::worker("small");
    small.cpu_millis = 2000;
    small.memory_bytes = 4 << 30;
    let mut big = NodeSpec::worker("big");
    big.cpu_millis = 8000;
    big.memory_bytes = 16 << 30;
    Topology { nodes: vec![small, big] }
}

#[test]
fn bigger_node_wins_least_allocated_and_loses_most_allocated() {
    let (mut c, _) = with_scheduler(Cluster::with_topology(1, &two_sizes()), None);
    create(&mut c, Kind::Pod, pod("p", "1", json!({})));
    run(&mut c);
    assert_eq!(node_of(&c, "p").as_deref(), Some("big"));
    let most = Config::from_yaml(
        "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- schedulerName: default-scheduler\n  pluginConfig:\n  - name: NodeResourcesFit\n    args:\n      scoringStrategy:\n        type: MostAllocated\n",
    )
    .unwrap();
    let (mut c, _) = with_scheduler(Cluster::with_topology(1, &two_sizes()), Some(most));
    create(&mut c, Kind::Pod, pod("p", "1", json!({})));
    run(&mut c);
    assert_eq!(node_of(&c, "p").as_deref(), Some("small"));
}

#[test]
fn a_second_profile_schedules_its_own_pods() {
    let cfg = Config::from_yaml(
        "profiles:\n- schedulerName: default-scheduler\n- schedulerName: packer\n  plugins:\n    score:\n      disabled:\n      - name: '*'\n      enabled:\n      - name: NodeResourcesFit\n        weight: 5\n  pluginConfig:\n  - name: NodeResourcesFit\n    args:\n      scoringStrategy:\n        type: MostAllocated\n",
    )
    .unwrap();
    let (mut c, id) = with_scheduler(Cluster::with_topology(1, &two_sizes()), Some(cfg));
    create(&mut c, Kind::Pod, pod("packed", "1", json!({"schedulerName": "packer"})));
    create(&mut c, Kind::Pod, pod("other", "1", json!({"schedulerName": "nobody"})));
    run(&mut c);
    assert_eq!(node_of(&c, "packed").as_deref(), Some("small"));
    assert_eq!(node_of(&c, "other"), None);
    let a = scheduler(&c, id).last_attempt("default", "packed").unwrap();
    assert_eq!(a.scores.as_ref().unwrap().plugins, [("NodeResourcesFit", 5)]);
}

#[test]
fn preemption_evicts_a_lower_priority_pod() {
    let (mut c, id) = with_scheduler(Cluster::new(1), None);
    create(&mut c, Kind::PriorityClass, json!({"metadata": {"name": "high"}, "value": 1000}));
    for i in 1..=3 {
        let sel = json!({"nodeSelector": {"kubernetes.io/hostname": format!("node-0{i}")}});
        create(&mut c, Kind::Pod, pod(&format!("low-{i}"), "3", sel));
    }
    run(&mut c);
    assert!((1..=3).all(|i| node_of(&c, &format!("low-{i}")).is_some()));
    create(&mut c, Kind::Pod, pod("vip", "3", json!({"priorityClassName": "high"})));
    run(&mut c);
    let nominated = pod_json(&c, "vip")["status"]["nominatedNodeName"].as_str().unwrap().to_string();
    let victim = format!("low-{}", &nominated[6..]);
    assert!(pod_json(&c, &victim)["metadata"]["deletionTimestamp"].is_string());
    assert_eq!(events(&mut c, "Preempted").len(), 1);
    assert_eq!(scheduler(&c, id).stats.preemptions, 1);
    // The kubelet finishes the victim's deletion.
    let force = DeleteOptions { grace_period_seconds: Some(0), ..Default::default() };
    c.api_mut().delete(&Identity::admin(), Kind::Pod, Some("default"), &victim, &force).unwrap();
    run(&mut c);
    run(&mut c);
    assert_eq!(node_of(&c, "vip"), Some(nominated));
}

#[test]
fn scheduling_gates_hold_a_pod() {
    let (mut c, id) = with_scheduler(Cluster::new(1), None);
    create(&mut c, Kind::Pod, pod("gated", "100m", json!({"schedulingGates": [{"name": "example.com/wait"}]})));
    run(&mut c);
    assert_eq!(node_of(&c, "gated"), None);
    assert_eq!(scheduler(&c, id).queue_sizes().3, 1);
    assert_eq!(scheduler(&c, id).stats, Stats::default());
}

/// Random clusters and pods: no node ends over its allocatable, and every bound pod was placed on
/// a node all Filters passed in its binding cycle.
#[test]
fn property_random_clusters_respect_filters_and_capacity() {
    for seed in 0..6u64 {
        let mut rng = Rng::derive(seed, "property");
        let mut nodes = Vec::new();
        for i in 0..(2 + rng.below(6) as usize) {
            let mut n = NodeSpec::worker(&format!("n{i}"));
            n.cpu_millis = 1000 * (1 + rng.below(4) as i64);
            n.memory_bytes = (1 + rng.below(4) as i64) << 30;
            n.pods = 3 + rng.below(8) as i64;
            n.zone = Some(format!("z{}", rng.below(2)));
            if rng.chance(0.2) {
                n.taints.push(("dedicated".into(), "x".into(), "NoSchedule".into()));
            }
            nodes.push(n);
        }
        let (mut c, id) = with_scheduler(Cluster::with_topology(seed, &Topology { nodes }), None);
        for p in 0..(10 + rng.below(30)) {
            let mut extra = json!({});
            if rng.chance(0.3) {
                extra["affinity"] = json!({"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                    {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "kubernetes.io/hostname"}]}});
            }
            if rng.chance(0.2) {
                extra["tolerations"] = json!([{"key": "dedicated", "operator": "Exists"}]);
            }
            let cpu = format!("{}m", 100 * (1 + rng.below(15)));
            create(&mut c, Kind::Pod, pod(&format!("p{p}"), &cpu, extra));
        }
        run(&mut c);
        let sched = scheduler(&c, id);
        for n in sched.cache().nodes() {
            assert!(n.requested.milli_cpu <= n.allocatable.milli_cpu, "seed {seed}: {} over cpu", n.name);
            assert!(n.requested.memory <= n.allocatable.memory, "seed {seed}: {} over memory", n.name);
            assert!(n.pods.len() as i64 <= n.allocatable.allowed_pods, "seed {seed}: {} over pods", n.name);
            let anti = n.pods.iter().filter(|p| !p.required_anti_affinity.is_empty()).count();
            assert!(anti <= 1, "seed {seed}: anti-affinity broken on {}", n.name);
            if n.taints.iter().any(|t| t.key == "dedicated") {
                assert!(n.pods.iter().all(|p| p.namespace == "kube-system" || !p.tolerations.is_empty()));
            }
        }
        let pods = c.api_mut().list(&Identity::admin(), Kind::Pod, Some("default"), &ListOptions::default()).unwrap();
        for p in &pods.items {
            let Some(node) = p.as_pod().and_then(|p| p.spec.as_ref()).and_then(|s| s.node_name.clone()) else {
                continue;
            };
            let a = scheduler(&c, id).last_attempt("default", p.name()).unwrap();
            assert_eq!(a.decision, Decision::Bound(node.clone()));
            assert!(a.feasible_names().any(|f| f == node), "seed {seed}: {} bound to an infeasible node", p.name());
        }
    }
    let _ = Arc::new(0);
}

/// Most binds any one scheduler wake-up made while `pods` pods were scheduled on `workers` nodes.
fn most_binds_a_wake_up(workers: usize, pods: usize) -> usize {
    let nodes = (0..workers).map(|i| NodeSpec::worker(&format!("n{i}"))).collect();
    let (mut c, _) = with_scheduler(Cluster::with_topology(5, &Topology { nodes }), None);
    for i in 0..pods {
        let obj = Object::from_value(Kind::Pod, pod(&format!("p-{i}"), "10m", json!({}))).unwrap();
        c.api_mut().create(&Identity::admin(), obj, &WriteOptions::default()).unwrap();
    }
    c.settle();
    c.most_per_item(Duration::from_secs(5), |entries| entries.iter().filter(|e| e.verb == "bind").count())
}

/// A wake-up's cycles are sized by the nodes each looks at, so that a web page scheduling on a big
/// cluster is not held by 16 cycles over hundreds of nodes each.
#[test]
fn a_wake_up_schedules_fewer_pods_the_more_nodes_each_examines() {
    assert_eq!(most_binds_a_wake_up(3, 40), 16);
    // 200 nodes: percentageOfNodesToScore's adaptive 49 % is under its 100-node floor.
    assert_eq!(most_binds_a_wake_up(200, 20), 4);
}
