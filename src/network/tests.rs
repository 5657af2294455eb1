//! The network on a booted cluster with kubelets, the endpoint controllers, kube-proxy on every node,
//! CoreDNS and ingress-nginx: requests from a busybox pod, DNS, node ports, Ingress routing, the
//! rendered iptables rules and readiness.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::{CoreDns, IngressNginx, KubeProxy, Network, RuleTable, shell};
use crate::api::{Kind, Object};
use crate::apiserver::{Identity, ListOptions, WriteOptions};
use crate::cluster::Cluster;
use crate::controllers::{EndpointSliceController, EndpointsController};
use crate::kubelet::Kubelet;
use crate::sim::{Duration, Rng};

const NODES: [&str; 4] = ["control-plane", "node-01", "node-02", "node-03"];

struct Sim {
    c: Cluster,
    net: Network,
    rng: Rng,
}

fn sim() -> Sim {
    let mut c = Cluster::new(11);
    let mut net = Network::default();
    for n in NODES {
        c.spawn(Box::new(Kubelet::new(n, 11)));
        let table = RuleTable::default();
        net.proxies.insert(n.to_string(), table.clone());
        c.spawn(Box::new(KubeProxy::new(n, table)));
    }
    c.spawn(Box::new(EndpointSliceController::new()));
    c.spawn(Box::new(EndpointsController::new()));
    let dns = CoreDns::new();
    net.dns = dns.table();
    c.spawn(Box::new(dns));
    let ingress = IngressNginx::new("node-01");
    net.ingress = Some(ingress.table());
    c.spawn(Box::new(ingress));
    c.run_for(Duration::from_millis(1));
    Sim { c, net, rng: Rng::new(5) }
}

impl Sim {
    fn create(&mut self, kind: Kind, v: Value) -> Object {
        let obj = Object::from_value(kind, v).unwrap();
        let out = self.c.api_mut().create(&Identity::admin(), obj, &WriteOptions::default()).unwrap();
        self.c.settle();
        out
    }

    fn pod(&mut self, name: &str, node: &str, labels: Value, container: Value) {
        self.create(
            Kind::Pod,
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default", "labels": labels},
                "spec": {"nodeName": node, "containers": [container]}}),
        );
    }

    fn service(&mut self, name: &str, selector: Value, spec: Value) -> Value {
        let mut s = json!({"selector": selector, "ports": [{"port": 80}]});
        if let (Some(m), Some(extra)) = (s.as_object_mut(), spec.as_object()) {
            m.extend(extra.clone());
        }
        self.create(Kind::Service, json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"}, "spec": s}))
            .to_value()
    }

    fn exec(&mut self, ns: &str, pod: &str, line: &str) -> (String, i32) {
        let argv = vec!["sh".to_string(), "-c".to_string(), line.to_string()];
        shell::exec(self.c.api_mut(), &self.net, ns, pod, None, &argv, &mut self.rng)
    }

    fn run(&mut self, secs: u64) {
        self.c.run_for(Duration::from_secs(secs));
    }

    fn node_ip(&self, node: &str) -> String {
        self.net.proxies[node].lock().node_ip.clone()
    }

    /// Three whoami pods, one per worker, and a busybox client on node-01.
    fn whoami(&mut self) {
        for (i, n) in ["node-01", "node-02", "node-03"].iter().enumerate() {
            self.pod(
                &format!("whoami-{i}"),
                n,
                json!({"app": "whoami"}),
                json!({"name": "whoami", "image": "traefik/whoami"}),
            );
        }
        self.pod(
            "client",
            "node-01",
            json!({"run": "client"}),
            json!({"name": "client", "image": "busybox", "command": ["sleep", "3600"]}),
        );
    }
}

#[test]
fn requests_spread_over_endpoints_and_dns_answers() {
    let mut s = sim();
    s.whoami();
    let svc = s.service("whoami", json!({"app": "whoami"}), json!({}));
    s.run(30);
    let ip = svc["spec"]["clusterIP"].as_str().unwrap().to_string();
    assert!(ip.starts_with("10.9") || ip.starts_with("10.1"), "{ip}");
    let mut hosts = BTreeSet::new();
    for _ in 0..12 {
        let (out, code) = s.exec("default", "client", "wget -qO- http://whoami");
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("GET / HTTP/1.1\nHost: whoami\nUser-Agent: Wget\nConnection: close\n"), "{out}");
        hosts.insert(out.lines().next().unwrap().to_string());
    }
    assert!(hosts.len() >= 2, "{hosts:?}");
    assert!(hosts.iter().all(|h| h.starts_with("Hostname: whoami-")));
    let (out, _) = s.exec("default", "client", "nslookup whoami");
    assert!(
        out.starts_with(&format!(
            "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\twhoami.default.svc.cluster.local\nAddress: {ip}\n\n** server can't find whoami.svc.cluster.local: NXDOMAIN\n\n"
        )),
        "{out}"
    );
    let (out, _) = s.exec("default", "client", "cat /etc/resolv.conf");
    assert_eq!(
        out,
        "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
    );
    let (out, code) = s.exec("default", "client", "wget -O- whoami.default.svc.cluster.local");
    assert_eq!(code, 0);
    assert!(
        out.starts_with(&format!(
            "Connecting to whoami.default.svc.cluster.local ({ip}:80)\nwriting to stdout\nHostname: "
        )),
        "{out}"
    );
    assert!(out.ends_with("written to stdout\n"), "{out}");
    // Names that do not exist and Services without endpoints.
    let (out, code) = s.exec("default", "client", "wget -qO- http://nosuch");
    assert_eq!((out.as_str(), code), ("wget: bad address 'nosuch'\n", 1));
    let empty = s.service("empty", json!({"app": "none"}), json!({}));
    s.run(2);
    let (out, _) = s.exec("default", "client", "wget -qO- http://empty");
    assert_eq!(
        out,
        format!(
            "wget: can't connect to remote host ({}): Connection refused\n",
            empty["spec"]["clusterIP"].as_str().unwrap()
        )
    );
    // The client image has no curl.
    let (out, code) = s.exec("default", "client", "curl whoami");
    assert_eq!((out.as_str(), code), ("sh: curl: not found\n", 127));
    // ClientIP affinity pins one client to one endpoint.
    s.service("sticky", json!({"app": "whoami"}), json!({"sessionAffinity": "ClientIP"}));
    s.run(2);
    let firsts: BTreeSet<String> = (0..6)
        .map(|_| s.exec("default", "client", "wget -qO- sticky").0.lines().next().unwrap_or("").to_string())
        .collect();
    assert_eq!(firsts.len(), 1, "{firsts:?}");
}

#[test]
fn node_ports_answer_on_every_node() {
    let mut s = sim();
    s.whoami();
    let svc = s.service("web", json!({"app": "whoami"}), json!({"type": "NodePort"}));
    s.run(30);
    let port = svc["spec"]["ports"][0]["nodePort"].as_i64().unwrap();
    assert!((30000..=32767).contains(&port));
    for n in NODES {
        let ip = s.node_ip(n);
        let (out, code) = s.exec("default", "client", &format!("wget -qO- http://{ip}:{port}/"));
        assert_eq!(code, 0, "{n}: {out}");
        assert!(out.starts_with("Hostname: whoami-"), "{out}");
        // The node masquerades: whoami sees the node's address.
        assert!(out.contains(&format!("RemoteAddr: {ip}:")), "{out}");
    }
}

#[test]
fn an_ingress_routes_two_hosts_to_two_services() {
    let mut s = sim();
    for (name, text) in [("apple", "apple"), ("banana", "banana")] {
        s.pod(
            name,
            "node-02",
            json!({"app": name}),
            json!({"name": name, "image": "hashicorp/http-echo", "args": [format!("-text={text}")]}),
        );
        s.service(name, json!({"app": name}), json!({"ports": [{"port": 5678}]}));
    }
    s.pod("web", "node-03", json!({"app": "web"}), json!({"name": "nginx", "image": "nginx"}));
    s.pod(
        "client",
        "node-01",
        json!({"run": "client"}),
        json!({"name": "client", "image": "busybox", "command": ["sleep", "3600"]}),
    );
    let rule = |host: &str, svc: &str| json!({"host": host, "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": svc, "port": {"number": 5678}}}}]}});
    s.create(
        Kind::Ingress,
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "fruit", "namespace": "default"},
            "spec": {"ingressClassName": "nginx", "rules": [rule("apple.example.com", "apple"), rule("banana.example.com", "banana")]}}),
    );
    s.run(30);
    let ing = s.c.api().peek(Kind::Ingress, Some("default"), "fruit").unwrap().to_value();
    let ip = s.node_ip("node-01");
    assert_eq!(ing["status"]["loadBalancer"]["ingress"][0]["ip"], ip.as_str());
    let (out, code) =
        s.exec("default", "client", &format!("wget -qO- --header 'Host: apple.example.com' http://{ip}/"));
    assert_eq!((out.as_str(), code), ("apple\n", 0));
    let (out, _) = s.exec("default", "web", &format!("curl -s -H 'Host: banana.example.com' http://{ip}/anything"));
    assert_eq!(out, "banana\n");
    let (out, code) = s.exec("default", "web", &format!("curl -s -H 'Host: cherry.example.com' http://{ip}/"));
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "<html>\n<head><title>404 Not Found</title></head>\n<body>\n<center><h1>404 Not Found</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n"
    );
    let (out, code) = s.exec("default", "client", &format!("wget -qO- http://{ip}/"));
    assert_eq!((out.as_str(), code), ("wget: server returned error: HTTP/1.1 404 Not Found\n", 1));
    // nginx answers its welcome page through a pod address.
    let web_ip = s.c.api().peek(Kind::Pod, Some("default"), "web").unwrap().to_value()["status"]["podIP"]
        .as_str()
        .unwrap()
        .to_string();
    let (out, _) = s.exec("default", "client", &format!("wget -qO- {web_ip}"));
    assert!(out.contains("<title>Welcome to nginx!</title>"), "{out}");
    let (out, _) = s.exec("default", "client", &format!("wget -qO- {web_ip}:8080"));
    assert_eq!(out, format!("wget: can't connect to remote host ({web_ip}): Connection refused\n"));
}

#[test]
fn iptables_save_shows_probabilities() {
    let mut s = sim();
    s.whoami();
    let svc = s.service("whoami", json!({"app": "whoami"}), json!({}));
    s.run(30);
    let list = s.c.api_mut().list(&Identity::admin(), Kind::Pod, Some("kube-system"), &ListOptions::default()).unwrap();
    let proxy = list
        .items
        .iter()
        .find(|p| p.name().starts_with("kube-proxy-") && p.to_value()["spec"]["nodeName"] == "node-01")
        .map(|p| p.name().to_string())
        .unwrap();
    let (out, code) = s.exec("kube-system", &proxy, "iptables-save -t nat");
    assert_eq!(code, 0);
    let ip = svc["spec"]["clusterIP"].as_str().unwrap();
    let chain = super::hash::service_chain("default/whoami", "TCP");
    assert!(out.contains(&format!(
        "-A KUBE-SERVICES -d {ip}/32 -p tcp -m comment --comment \"default/whoami cluster IP\" -m tcp --dport 80 -j {chain}\n"
    )), "{out}");
    assert!(out.contains("-m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-"), "{out}");
    assert!(out.contains("-m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-"), "{out}");
    assert_eq!(out.matches(&format!("-A {chain} -m comment")).count(), 3);
    assert!(out.starts_with("# Generated by iptables-nft-save v1.8.11 (nf_tables) on "));
    assert!(out.contains("\n*nat\n:PREROUTING ACCEPT [0:0]\n"));
    assert!(out.ends_with("COMMIT\n") || out.contains("COMMIT\n# Completed on "));
    // A busybox pod has no iptables-save.
    let (_, code) = s.exec("default", "client", "iptables-save -t nat");
    assert_eq!(code, 127);
}

#[test]
fn failing_readiness_keeps_a_pod_out_of_the_endpoints() {
    let mut s = sim();
    s.pod(
        "ready",
        "node-01",
        json!({"app": "web"}),
        json!({"name": "nginx", "image": "nginx", "readinessProbe": {"httpGet": {"path": "/", "port": 80}, "periodSeconds": 2}}),
    );
    s.pod(
        "unready",
        "node-02",
        json!({"app": "web"}),
        json!({"name": "nginx", "image": "nginx", "readinessProbe": {"httpGet": {"path": "/", "port": 81}, "periodSeconds": 2}}),
    );
    s.pod(
        "client",
        "node-03",
        json!({"run": "client"}),
        json!({"name": "client", "image": "busybox", "command": ["sleep", "3600"]}),
    );
    s.service("web", json!({"app": "web"}), json!({}));
    s.run(40);
    let slices =
        s.c.api_mut().list(&Identity::admin(), Kind::EndpointSlice, Some("default"), &ListOptions::default()).unwrap();
    let slice = slices
        .items
        .iter()
        .map(|o| o.to_value())
        .find(|v| v["metadata"]["labels"]["kubernetes.io/service-name"] == "web")
        .unwrap();
    let eps = slice["endpoints"].as_array().unwrap();
    let cond = |name: &str| eps.iter().find(|e| e["targetRef"]["name"] == name).unwrap()["conditions"].clone();
    assert_eq!(cond("ready"), json!({"ready": true, "serving": true, "terminating": false}));
    assert_eq!(cond("unready"), json!({"ready": false, "serving": false, "terminating": false}));
    let ep = s.c.api().peek(Kind::Endpoints, Some("default"), "web").unwrap().to_value();
    let ip_of =
        |s: &Sim, p: &str| s.c.api().peek(Kind::Pod, Some("default"), p).unwrap().to_value()["status"]["podIP"].clone();
    assert_eq!(ep["subsets"][0]["addresses"][0]["ip"], ip_of(&s, "ready"));
    assert_eq!(ep["subsets"][0]["notReadyAddresses"][0]["ip"], ip_of(&s, "unready"));
    // Every request reaches the ready pod.
    for _ in 0..6 {
        let (out, code) = s.exec("default", "client", "wget -qO- web");
        assert_eq!(code, 0);
        assert!(out.contains("Welcome to nginx!"));
    }
}

#[test]
fn the_request_path_is_deterministic_and_traced() {
    let run = || {
        let mut s = sim();
        s.whoami();
        s.service("whoami", json!({"app": "whoami"}), json!({}));
        s.run(30);
        let outs: Vec<String> = (0..5).map(|_| s.exec("default", "client", "wget -qO- whoami").0).collect();
        let hops =
            s.c.api().trace().entries().filter(|e| matches!(e.verb, "dns" | "dnat" | "forward" | "http")).count();
        (outs, hops, s.c.api().trace().hash())
    };
    let (a, hops, ha) = run();
    let (b, _, hb) = run();
    assert_eq!(a, b);
    assert_eq!(ha, hb);
    assert!(hops >= 15, "{hops}");
}
