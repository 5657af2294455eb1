//! Kubelet scenarios on a booted cluster: kubelets spawned for every node, pods created already bound,
//! virtual time run, and statuses, events, logs and timings checked as kubectl would show them.

use serde_json::{Value, json};

use super::{Kubelet, LogStore};
use crate::api::{Kind, Object};
use crate::apiserver::{DeleteOptions, Identity, ListOptions, WriteOptions};
use crate::cluster::Cluster;
use crate::kubectl::columns::pod_status;
use crate::sim::{Duration, Time};

struct Sim {
    c: Cluster,
    logs: Vec<(String, LogStore)>,
}

fn sim() -> Sim {
    let mut c = Cluster::new(7);
    let mut logs = Vec::new();
    for n in ["control-plane", "node-01", "node-02", "node-03"] {
        let k = Kubelet::new(n, 7);
        logs.push((n.to_string(), k.log_store()));
        c.spawn(Box::new(k));
    }
    c.run_for(Duration::from_millis(1));
    Sim { c, logs }
}

impl Sim {
    fn create(&mut self, pod: Value) {
        let obj = Object::from_value(Kind::Pod, pod).unwrap();
        self.c.api_mut().create(&Identity::admin(), obj, &WriteOptions::default()).unwrap();
        self.c.settle();
    }

    fn pod(&self, name: &str) -> Option<Value> {
        self.c.api().peek(Kind::Pod, Some("default"), name).map(|p| p.to_value())
    }

    fn status(&self, name: &str) -> String {
        match self.c.api().peek(Kind::Pod, Some("default"), name) {
            Some(Object::Pod(p)) => pod_status(&p),
            _ => "<gone>".into(),
        }
    }

    fn run(&mut self, ms: u64) {
        self.c.run_for(Duration::from_millis(ms));
    }

    /// Runs in 100 ms steps until the pod's STATUS is `want`; returns the instant.
    fn until_status(&mut self, name: &str, want: &str, limit_s: u64) -> Time {
        for _ in 0..limit_s * 10 {
            if self.status(name) == want {
                return self.c.now();
            }
            self.run(100);
        }
        panic!("{name} never reached {want}: {}", self.status(name));
    }

    fn events(&mut self, name: &str) -> Vec<(String, String, String)> {
        let list =
            self.c.api_mut().list(&Identity::admin(), Kind::Event, Some("default"), &ListOptions::default()).unwrap();
        let mut evs: Vec<(i64, String, String, String)> = list
            .items
            .iter()
            .map(|e| e.to_value())
            .filter(|e| e["involvedObject"]["name"] == name)
            .map(|e| {
                (
                    e["metadata"]["resourceVersion"].as_str().and_then(|r| r.parse().ok()).unwrap_or(0),
                    e["type"].as_str().unwrap_or("").to_string(),
                    e["reason"].as_str().unwrap_or("").to_string(),
                    e["message"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        evs.sort();
        evs.into_iter().map(|(_, a, b, c)| (a, b, c)).collect()
    }

    fn logs(&self, node: &str, pod: &str, previous: bool) -> Result<String, super::LogsError> {
        let store = &self.logs.iter().find(|(n, _)| n == node).unwrap().1;
        store.read("default", pod, None, previous, false)
    }
}

fn pod(name: &str, node: &str, image: &str, args: Option<&[&str]>, restart: &str) -> Value {
    let mut c = json!({"name": name, "image": image});
    if let Some(a) = args {
        c["args"] = json!(a);
    }
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default", "labels": {"run": name}},
        "spec": {"nodeName": node, "restartPolicy": restart, "containers": [c]}})
}

#[test]
fn nginx_pod_goes_through_container_creating_to_running() {
    let mut s = sim();
    s.create(pod("web", "node-01", "nginx", None, "Always"));
    s.run(50);
    assert_eq!(s.status("web"), "ContainerCreating");
    let p = s.pod("web").unwrap();
    assert_eq!(p["status"]["phase"], "Pending");
    assert!(p["status"]["podIP"].as_str().unwrap().starts_with("10.244.1."));
    assert_eq!(p["status"]["hostIP"], "172.18.0.3");
    let types: Vec<&str> =
        p["status"]["conditions"].as_array().unwrap().iter().map(|c| c["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]);
    assert_eq!(p["status"]["conditions"][2]["reason"], "ContainersNotReady");
    assert_eq!(p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"], "ContainerCreating");
    let t = s.until_status("web", "Running", 30);
    assert!(t.as_millis() > 3_000, "nginx pull takes a few seconds: {t:?}");
    let p = s.pod("web").unwrap();
    let cs = &p["status"]["containerStatuses"][0];
    assert_eq!(cs["ready"], true);
    assert_eq!(cs["started"], true);
    assert_eq!(cs["image"], "docker.io/library/nginx:latest");
    assert!(cs["imageID"].as_str().unwrap().starts_with("docker.io/library/nginx@sha256:"));
    let id = cs["containerID"].as_str().unwrap();
    assert!(id.starts_with("containerd://") && id.len() == 13 + 64);
    assert_eq!(p["status"]["conditions"][2]["status"], "True");
    let ev = s.events("web");
    let reasons: Vec<&str> = ev.iter().map(|e| e.1.as_str()).collect();
    assert_eq!(reasons, ["Pulling", "Pulled", "Created", "Started"]);
    assert_eq!(ev[0].2, "Pulling image \"nginx\"");
    assert!(ev[1].2.starts_with("Successfully pulled image \"nginx\" in 3."), "{}", ev[1].2);
    assert!(ev[1].2.ends_with("including waiting). Image size: 72195292 bytes."), "{}", ev[1].2);
    assert_eq!(ev[2].2, "Created container: web");
    assert_eq!(ev[3].2, "Started container web");
    // The node now reports the image.
    s.run(10_000);
    let node = s.c.api().peek(Kind::Node, None, "node-01").unwrap().to_value();
    let names: Vec<String> = node["status"]["images"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["names"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_string()))
        .collect();
    assert!(names.contains(&"docker.io/library/nginx:latest".to_string()), "{names:?}");
    // The CRI calls are in the trace.
    let verbs: Vec<&str> =
        s.c.api()
            .trace()
            .entries()
            .filter(|e| {
                &*e.object.name == "web"
                    && e.from.to_string() == "kubelet/node-01"
                    && e.to.to_string() == "containerd/node-01"
            })
            .map(|e| e.verb)
            .collect();
    assert_eq!(verbs, ["RunPodSandbox", "PullImage", "CreateContainer", "StartContainer"]);
}

#[test]
fn second_pod_with_a_cached_image_starts_faster() {
    let mut s = sim();
    s.create(pod("a", "node-02", "nginx:1.27", None, "Always"));
    let first = s.until_status("a", "Running", 30);
    let t0 = s.c.now();
    s.create(pod("b", "node-02", "nginx:1.27", None, "Always"));
    let second = s.until_status("b", "Running", 30);
    assert!(second.since(t0) < first.since(Time::ZERO), "{:?} vs {:?}", second.since(t0), first);
    assert!(s.events("b").iter().any(|e| e.2 == "Container image \"nginx:1.27\" already present on machine"));
}

#[test]
fn crashing_container_backs_off_10_20_40() {
    let mut s = sim();
    s.create(pod("crash", "node-03", "busybox", Some(&["sh", "-c", "exit 1"]), "Always"));
    s.until_status("crash", "Error", 30);
    let mut starts = Vec::new();
    let mut last_restarts = 0;
    for _ in 0..1200 {
        s.run(100);
        let p = s.pod("crash").unwrap();
        let r = p["status"]["containerStatuses"][0]["restartCount"].as_i64().unwrap();
        if r != last_restarts {
            starts.push(s.c.now().as_millis());
            last_restarts = r;
        }
        if starts.len() == 4 {
            break;
        }
    }
    let gaps: Vec<u64> = starts.windows(2).map(|w| (w[1] - w[0] + 500) / 1000).collect();
    // Each gap is the back-off plus the PLEG second and the create/start time.
    assert_eq!(gaps.len(), 3, "{starts:?}");
    assert!((11..=12).contains(&gaps[0]) && (21..=22).contains(&gaps[1]) && (41..=42).contains(&gaps[2]), "{gaps:?}");
    // In between it shows CrashLoopBackOff with upstream's message.
    s.until_status("crash", "CrashLoopBackOff", 10);
    let p = s.pod("crash").unwrap();
    let w = &p["status"]["containerStatuses"][0]["state"]["waiting"];
    let uid = p["metadata"]["uid"].as_str().unwrap();
    assert_eq!(w["message"], format!("back-off 1m20s restarting failed container=crash pod=crash_default({uid})"));
    assert_eq!(p["status"]["containerStatuses"][0]["lastState"]["terminated"]["exitCode"], 1);
    assert_eq!(p["status"]["phase"], "Running");
    assert!(s.events("crash").iter().any(|e| e.0 == "Warning" && e.1 == "BackOff"));
}

#[test]
fn run_once_echo_completes_with_its_log() {
    let mut s = sim();
    s.create(pod("once", "node-01", "busybox", Some(&["echo", "done"]), "Never"));
    s.until_status("once", "Completed", 30);
    let p = s.pod("once").unwrap();
    assert_eq!(p["status"]["phase"], "Succeeded");
    assert_eq!(p["status"]["containerStatuses"][0]["state"]["terminated"]["reason"], "Completed");
    assert_eq!(p["status"]["conditions"][2]["reason"], "PodCompleted");
    assert_eq!(s.logs("node-01", "once", false).unwrap(), "done\n");
    s.create(pod("fail", "node-01", "busybox", Some(&["sh", "-c", "echo oops; exit 3"]), "Never"));
    s.until_status("fail", "Error", 30);
    assert_eq!(s.pod("fail").unwrap()["status"]["phase"], "Failed");
}

#[test]
fn init_containers_run_in_order() {
    let mut s = sim();
    s.create(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "init", "namespace": "default"},
        "spec": {"nodeName": "node-02", "initContainers": [
            {"name": "one", "image": "busybox:1.37", "command": ["sleep", "3"]},
            {"name": "two", "image": "busybox:1.37", "command": ["sh", "-c", "sleep 2; echo ready"]}],
          "containers": [{"name": "app", "image": "nginx:1.27"}]}}));
    let mut seen = Vec::new();
    for _ in 0..400 {
        let st = s.status("init");
        if seen.last() != Some(&st) {
            seen.push(st.clone());
        }
        if st == "Running" {
            break;
        }
        s.run(100);
    }
    let want = ["Init:0/2", "Init:1/2", "PodInitializing", "Running"];
    let filtered: Vec<&String> = seen.iter().filter(|s| want.contains(&s.as_str())).collect();
    assert_eq!(filtered, want, "{seen:?}");
}

#[test]
fn unknown_image_ends_in_image_pull_back_off() {
    let mut s = sim();
    s.create(pod("tc", "node-03", "tomcat8", None, "Always"));
    s.until_status("tc", "ErrImagePull", 10);
    s.until_status("tc", "ImagePullBackOff", 10);
    let ev = s.events("tc");
    assert!(ev.contains(&(
        "Warning".into(),
        "Failed".into(),
        "Failed to pull image \"tomcat8\": rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/tomcat8:latest\": failed to resolve reference \"docker.io/library/tomcat8:latest\": docker.io/library/tomcat8:latest: not found".into()
    )), "{ev:?}");
    assert!(ev.contains(&("Normal".into(), "BackOff".into(), "Back-off pulling image \"tomcat8\"".into())));
    assert!(ev.contains(&("Warning".into(), "Failed".into(), "Error: ImagePullBackOff".into())));
    // It retries: ErrImagePull again after the back-off.
    s.until_status("tc", "ErrImagePull", 15);
}

#[test]
fn deletion_stops_containers_and_removes_the_pod() {
    let mut s = sim();
    s.create(pod("srv", "node-01", "nginx", None, "Always"));
    s.create(pod("sl", "node-01", "busybox", Some(&["sleep", "3600"]), "Always"));
    s.until_status("srv", "Running", 30);
    s.until_status("sl", "Running", 30);
    let t0 = s.c.now();
    for name in ["srv", "sl"] {
        s.c.api_mut().delete(&Identity::admin(), Kind::Pod, Some("default"), name, &DeleteOptions::default()).unwrap();
    }
    s.c.settle();
    s.run(100);
    assert_eq!(s.status("srv"), "Terminating");
    s.run(2_000);
    assert!(s.pod("srv").is_none(), "nginx stops at once on SIGTERM");
    assert!(s.pod("sl").is_some(), "sleep as PID 1 ignores SIGTERM");
    while s.pod("sl").is_some() && s.c.now().since(t0) < Duration::from_secs(40) {
        s.run(500);
    }
    let gone = s.c.now().since(t0).as_secs();
    assert!((30..=31).contains(&gone), "{gone}");
    assert!(s.events("sl").iter().any(|e| e.1 == "Killing" && e.2 == "Stopping container sl"));
}

#[test]
fn adopts_boot_pods_and_keeps_the_lease_fresh() {
    let mut s = sim();
    let before = s.c.api().peek(Kind::Pod, Some("kube-system"), "etcd-control-plane").unwrap().resource_version();
    s.run(60_000);
    let after = s.c.api().peek(Kind::Pod, Some("kube-system"), "etcd-control-plane").unwrap().resource_version();
    assert_eq!(before, after, "adoption writes nothing");
    let lease = s.c.api().peek(Kind::Lease, Some("kube-node-lease"), "node-01").unwrap().to_value();
    let renew = lease["spec"]["renewTime"].as_str().unwrap().to_string();
    assert!(renew.starts_with("2026-01-01T00:00:5") || renew.starts_with("2026-01-01T00:01:0"), "{renew}");
    // A new pod on node-01 does not reuse coredns' address.
    s.create(pod("p", "node-01", "busybox", Some(&["sleep", "100"]), "Always"));
    s.run(500);
    assert_ne!(s.pod("p").unwrap()["status"]["podIP"], "10.244.1.2");
}

#[test]
fn status_is_not_rewritten_when_nothing_changes() {
    let mut s = sim();
    s.create(pod("quiet", "node-02", "nginx:1.27", None, "Always"));
    s.until_status("quiet", "Running", 30);
    let rv = s.pod("quiet").unwrap()["metadata"]["resourceVersion"].clone();
    s.run(600_000);
    assert_eq!(s.pod("quiet").unwrap()["metadata"]["resourceVersion"], rv);
}

/// The budget of the design: one idle hour of 5,000 nodes (leases and status) in at most 10 s,
/// natively, in release. Run with `cargo test --release --lib kubelet::tests::idle -- --ignored`.
#[test]
#[ignore]
#[allow(clippy::disallowed_methods)]
fn idle_5000_nodes_for_an_hour() {
    use crate::cluster::{NodeSpec, Topology};
    let mut topo = Topology { nodes: vec![NodeSpec::control_plane("control-plane")] };
    let n: usize = std::env::var("KUBARIUM_NODES").ok().and_then(|v| v.parse().ok()).unwrap_or(5000);
    topo.nodes.extend((1..n).map(|i| NodeSpec::worker(&format!("node-{i:04}"))));
    let t_boot = std::time::Instant::now();
    let mut c = Cluster::with_topology(1, &topo);
    for n in &topo.nodes {
        c.spawn(Box::new(Kubelet::new(&n.name, 1)));
    }
    eprintln!("boot + spawn: {:?}", t_boot.elapsed());
    let t = std::time::Instant::now();
    c.run_for(Duration::from_secs(3600));
    let took = t.elapsed();
    eprintln!("one idle hour of 5000 nodes: {took:?}, revision {}", c.api().revision());
    assert!(took.as_secs_f64() <= 10.0 * n as f64 / 5000.0, "{took:?}");
}

#[test]
fn sidecars_stay_up_and_count_as_ready() {
    let mut s = sim();
    s.create(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sc", "namespace": "default"},
        "spec": {"nodeName": "node-01", "initContainers": [
            {"name": "proxy", "image": "busybox:1.37", "restartPolicy": "Always", "command": ["sleep", "infinity"]}],
          "containers": [{"name": "app", "image": "busybox:1.37", "command": ["sleep", "3600"]}]}}));
    s.until_status("sc", "Running", 30);
    let p = s.pod("sc").unwrap();
    assert!(p["status"]["initContainerStatuses"][0]["state"]["running"].is_object());
    assert_eq!(p["status"]["initContainerStatuses"][0]["ready"], true);
    assert_eq!(p["status"]["conditions"][2]["status"], "True");
}

#[test]
fn loops_write_logs_over_time_and_previous_logs_survive_a_restart() {
    let mut s = sim();
    s.create(pod(
        "loop",
        "node-02",
        "busybox:1.37",
        Some(&["sh", "-c", "while true; do echo tick; sleep 5; done"]),
        "Always",
    ));
    s.until_status("loop", "Running", 30);
    s.run(21_000);
    assert_eq!(s.logs("node-02", "loop", false).unwrap(), "tick\n".repeat(5));
    s.create(pod("dies", "node-02", "busybox:1.37", Some(&["sh", "-c", "echo bye; exit 2"]), "Always"));
    s.until_status("dies", "CrashLoopBackOff", 30);
    assert_eq!(s.logs("node-02", "dies", true).unwrap(), "bye\n");
    let p = s.pod("dies").unwrap();
    assert_eq!(p["status"]["containerStatuses"][0]["lastState"]["terminated"]["exitCode"], 2);
}

#[test]
fn entrypoint_failures_and_missing_binaries_crash_loop() {
    let mut s = sim();
    s.create(pod("db", "node-03", "mysql:8.4", None, "Always"));
    s.until_status("db", "CrashLoopBackOff", 60);
    assert!(s.logs("node-03", "db", true).unwrap().contains("MYSQL_ROOT_PASSWORD"));
    let mut p = pod("nobin", "node-03", "busybox:1.37", None, "Always");
    p["spec"]["containers"][0]["command"] = json!(["/app/server"]);
    s.create(p);
    s.until_status("nobin", "StartError", 30);
    let p = s.pod("nobin").unwrap();
    let t = &p["status"]["containerStatuses"][0]["state"]["terminated"];
    assert_eq!(t["exitCode"], 128);
    assert!(t["message"].as_str().unwrap().contains("exec: \"/app/server\": executable file not found in $PATH"));
    s.until_status("nobin", "CrashLoopBackOff", 30);
}

#[test]
fn on_failure_succeeds_after_a_clean_exit() {
    let mut s = sim();
    s.create(pod("job", "node-01", "busybox:1.37", Some(&["sh", "-c", "sleep 2; echo ok"]), "OnFailure"));
    s.until_status("job", "Completed", 30);
    assert_eq!(s.pod("job").unwrap()["status"]["phase"], "Succeeded");
}

#[test]
fn a_term_trap_ends_a_script_before_the_grace_period() {
    let mut s = sim();
    s.create(pod(
        "trap",
        "node-01",
        "busybox:1.37",
        Some(&["sh", "-c", "trap 'echo bye; exit 0' TERM; while true; do sleep 1; done"]),
        "Always",
    ));
    s.until_status("trap", "Running", 30);
    let t0 = s.c.now();
    s.c.api_mut().delete(&Identity::admin(), Kind::Pod, Some("default"), "trap", &DeleteOptions::default()).unwrap();
    s.c.settle();
    while s.pod("trap").is_some() && s.c.now().since(t0) < Duration::from_secs(40) {
        s.run(200);
    }
    assert!(s.c.now().since(t0) < Duration::from_secs(3), "{:?}", s.c.now().since(t0));
}

#[test]
fn a_stopped_kubelet_stops_renewing_and_catches_up_when_started() {
    let mut c = Cluster::new(3);
    let id = c.spawn(Box::new(Kubelet::new("node-01", 3)));
    c.run_for(Duration::from_secs(20));
    let renew = |c: &Cluster| {
        c.api().peek(Kind::Lease, Some("kube-node-lease"), "node-01").unwrap().to_value()["spec"]["renewTime"].clone()
    };
    let before = renew(&c);
    c.set_running(id, false);
    c.run_for(Duration::from_secs(60));
    assert_eq!(renew(&c), before);
    c.set_running(id, true);
    c.run_for(Duration::from_secs(1));
    assert_ne!(renew(&c), before);
}

#[test]
fn same_seed_same_trace() {
    let run = || {
        let mut s = sim();
        s.create(pod("a", "node-01", "nginx", None, "Always"));
        s.create(pod("b", "node-01", "busybox", Some(&["sh", "-c", "exit 1"]), "Always"));
        s.create(pod("c", "node-02", "tomcat8", None, "Always"));
        s.run(120_000);
        s.c.api().trace().hash()
    };
    assert_eq!(run(), run());
}

#[test]
fn readiness_and_liveness_probes() {
    let mut s = sim();
    let mut good = pod("good", "node-01", "nginx:1.27", None, "Always");
    good["spec"]["containers"][0]["readinessProbe"] = json!({"httpGet": {"path": "/", "port": 80}, "periodSeconds": 5});
    s.create(good);
    let mut bad = pod("bad", "node-01", "nginx:1.27", None, "Always");
    bad["spec"]["containers"][0]["readinessProbe"] = json!({"tcpSocket": {"port": 8080}, "periodSeconds": 5});
    s.create(bad);
    s.until_status("good", "Running", 30);
    s.run(6_000);
    assert_eq!(s.pod("good").unwrap()["status"]["containerStatuses"][0]["ready"], true);
    let bad = s.pod("bad").unwrap();
    assert_eq!(bad["status"]["containerStatuses"][0]["ready"], false);
    assert_eq!(bad["status"]["conditions"][2]["status"], "False");
    assert!(
        s.events("bad")
            .iter()
            .any(|e| e.1 == "Unhealthy" && e.2.starts_with("Readiness probe failed: dial tcp 10.244.1."))
    );
    // The liveness tutorial: healthy for 30 s, then restarted after three failed probes.
    let mut live = pod(
        "live",
        "node-02",
        "busybox:1.37",
        Some(&["sh", "-c", "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"]),
        "Always",
    );
    live["spec"]["containers"][0]["livenessProbe"] =
        json!({"exec": {"command": ["cat", "/tmp/healthy"]}, "initialDelaySeconds": 5, "periodSeconds": 5});
    s.create(live);
    s.until_status("live", "Running", 30);
    s.run(30_000);
    assert_eq!(s.pod("live").unwrap()["status"]["containerStatuses"][0]["restartCount"], 0);
    s.run(30_000);
    assert_eq!(s.pod("live").unwrap()["status"]["containerStatuses"][0]["restartCount"], 1);
    let ev = s.events("live");
    assert!(
        ev.iter().any(|e| e.2 == "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory"),
        "{ev:?}"
    );
    assert!(ev.iter().any(|e| e.1 == "Killing" && e.2 == "Container live failed liveness probe, will be restarted"));
}

#[test]
fn running_containers_report_resource_use() {
    let mut c = Cluster::new(5);
    let k = Kubelet::new("node-01", 5);
    let metrics = k.metrics();
    c.spawn(Box::new(k));
    let obj = Object::from_value(Kind::Pod, pod("m", "node-01", "redis:7", None, "Always")).unwrap();
    c.api_mut().create(&Identity::admin(), obj, &WriteOptions::default()).unwrap();
    c.settle();
    c.run_for(Duration::from_secs(30));
    let usage = metrics.pod("default", "m").unwrap();
    assert_eq!(usage.len(), 1);
    assert!(usage[0].1.memory_bytes > 3_000_000);
    assert!(metrics.node().cpu_millis >= super::metrics::SYSTEM_CPU_MILLIS);
    c.api_mut().delete(&Identity::admin(), Kind::Pod, Some("default"), "m", &DeleteOptions::default()).unwrap();
    c.settle();
    c.run_for(Duration::from_secs(5));
    assert!(metrics.pod("default", "m").is_none());
}
