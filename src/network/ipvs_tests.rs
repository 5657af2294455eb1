//! ipvs mode on the booted default cluster, driven as a user would: the mode comes from the
//! `kube-proxy` ConfigMap when kube-proxy pods (re)start, kube-proxy's sync decisions say what it
//! programmed, the request path schedules over real servers, ClientIP affinity persists, node ports
//! answer on every node, and ipvsadm needs the node's network namespace and CAP_NET_ADMIN.

use crate::cluster::Cluster;
use crate::sim::trace::EntryKind;
use crate::terminal::Shell;

const IPVS_CONFIG: &str = "cat <<EOF | kubectl apply -f -
apiVersion: v1
kind: ConfigMap
metadata:
  name: kube-proxy
  namespace: kube-system
data:
  config.conf: |-
    kind: KubeProxyConfiguration
    apiVersion: kubeproxy.config.k8s.io/v1alpha1
    clusterCIDR: 10.244.0.0/16
    mode: ipvs
EOF
";

fn netshoot(name: &str, host_network: bool, privileged: bool) -> String {
    format!(
        "cat <<EOF | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  nodeName: node-01
  hostNetwork: {host_network}
  containers:
  - name: netshoot
    image: nicolaka/netshoot
    command: [sleep, infinity]
    securityContext:
      privileged: {privileged}
EOF
"
    )
}

/// The default cluster with `who` (three whoami pods), a busybox client on node-01 and a privileged
/// host-network netshoot there.
fn cluster() -> Shell {
    let mut sh = Shell::new(Cluster::boot_default(1));
    sh.run_script("kubectl create deployment who --image=traefik/whoami --replicas=3\nkubectl expose deployment who --port=80\nkubectl run client --image=busybox --overrides='{\"spec\":{\"nodeName\":\"node-01\"}}' -- sleep 3600\n");
    sh.run_script(&netshoot("netshoot", true, true));
    sh.run_script("sleep 30\n");
    sh
}

/// Output lines of `line` (without the `$ ` echo).
fn run(sh: &mut Shell, line: &str) -> Vec<String> {
    sh.run_script(&format!("{line}\n")).lines().skip(1).map(String::from).collect()
}

fn decisions(sh: &Shell, verb: &str) -> Vec<String> {
    let trace = sh.cluster().api().trace();
    trace.entries().filter(|e| e.kind == EntryKind::Decision && e.verb == verb).map(|e| e.note.to_string()).collect()
}

#[test]
fn deleting_the_pods_restarts_kube_proxy_in_the_configured_mode() {
    let mut sh = cluster();
    assert_eq!(run(&mut sh, "kubectl exec netshoot -- ipvsadm -Ln").len(), 3, "iptables mode: an empty table");
    sh.run_script(IPVS_CONFIG);
    // Nothing changes until kube-proxy restarts.
    assert_eq!(run(&mut sh, "kubectl exec netshoot -- ipvsadm -Ln").len(), 3);
    sh.run_script("kubectl -n kube-system delete pod -l k8s-app=kube-proxy\nsleep 40\n");
    let table = run(&mut sh, "kubectl exec netshoot -- ipvsadm -Ln").join("\n");
    assert!(table.contains("\nTCP  10.96.0.1:443 rr\n  -> 172.18.0.2:6443 "), "{table}");
    let config = decisions(&sh, "config");
    assert!(config.iter().filter(|n| *n == "mode ipvs (scheduler rr)").count() >= 4, "{config:?}");
    let syncs = decisions(&sh, "sync");
    assert!(syncs.contains(&"ipvs virtual servers for 1 port(s), 3 endpoint(s)".to_string()), "{syncs:?}");
    let nat = run(&mut sh, "kubectl -n kube-system exec ds/kube-proxy -- iptables-save -t nat").join("\n");
    assert!(
        nat.contains("-m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT") && !nat.contains("KUBE-SVC-"),
        "{nat}"
    );
    // And back: iptables mode empties the IPVS table and writes KUBE-SVC chains again.
    sh.run_script("kubectl -n kube-system patch cm kube-proxy -p '{\"data\":{\"config.conf\":\"mode: iptables\"}}'\nkubectl -n kube-system rollout restart ds kube-proxy\nkubectl -n kube-system rollout status ds kube-proxy\n");
    assert_eq!(run(&mut sh, "kubectl exec netshoot -- ipvsadm -Ln").len(), 3);
    let nat = run(&mut sh, "kubectl -n kube-system exec ds/kube-proxy -- iptables-save -t nat").join("\n");
    assert!(nat.contains("-j KUBE-SVC-"), "{nat}");
}

#[test]
fn requests_round_robin_persist_and_reach_node_ports() {
    let mut sh = cluster();
    sh.run_script(IPVS_CONFIG);
    sh.run_script(
        "kubectl -n kube-system rollout restart ds kube-proxy\nkubectl -n kube-system rollout status ds kube-proxy\n",
    );
    let hosts: Vec<String> =
        (0..6).flat_map(|_| run(&mut sh, "kubectl exec client -- wget -qO- http://who | grep Hostname")).collect();
    assert_eq!(hosts[..3], hosts[3..], "{hosts:?}");
    assert_eq!(hosts[..3].iter().collect::<std::collections::BTreeSet<_>>().len(), 3, "{hosts:?}");
    let hops = decisions(&sh, "ipvs");
    assert!(hops.iter().all(|h| h.starts_with("ipvs TCP ") && h.ends_with(" (rr, Masq)")), "{hops:?}");
    // ClientIP affinity: persistence pins the client to one pod.
    sh.run_script("kubectl patch svc who -p '{\"spec\":{\"sessionAffinity\":\"ClientIP\"}}'\nsleep 1\n");
    let table = run(&mut sh, "kubectl exec netshoot -- ipvsadm -Ln").join("\n");
    assert!(table.contains(" rr persistent 10800\n"), "{table}");
    let sticky: Vec<String> =
        (0..4).flat_map(|_| run(&mut sh, "kubectl exec client -- wget -qO- http://who | grep Hostname")).collect();
    assert!(sticky.iter().all(|h| *h == sticky[0]), "{sticky:?}");
    // A node port answers on another node's address, and on its pod bridge's.
    sh.run_script("kubectl expose deployment who --name=np --type=NodePort --port=80 --overrides='{\"spec\":{\"ports\":[{\"port\":80,\"nodePort\":30080}]}}'\nsleep 1\n");
    for url in ["http://172.18.0.4:30080", "http://10.244.2.1:30080"] {
        let out = run(&mut sh, &format!("kubectl exec client -- wget -qO- {url} | grep Hostname"));
        assert_eq!(out.len(), 1, "{url}: {out:?}");
    }
    // A service without endpoints: the virtual server alone, and connections refused.
    sh.run_script("kubectl create service clusterip empty --tcp=80:80\nsleep 1\n");
    let out = run(&mut sh, "kubectl exec client -- wget -qO- http://empty").join("\n");
    assert!(out.contains("Connection refused"), "{out}");
    assert!(decisions(&sh, "reject").iter().any(|n| n.contains("no real servers (default/empty:80-80)")));
}

#[test]
fn ipvsadm_needs_the_node_namespace_and_net_admin() {
    let mut sh = cluster();
    sh.run_script(IPVS_CONFIG);
    sh.run_script(
        "kubectl -n kube-system rollout restart ds kube-proxy\nkubectl -n kube-system rollout status ds kube-proxy\n",
    );
    sh.run_script(&netshoot("own-netns", false, true));
    sh.run_script(&netshoot("unprivileged", true, false));
    sh.run_script("sleep 5\n");
    assert_eq!(run(&mut sh, "kubectl exec own-netns -- ipvsadm -Ln").len(), 3, "a pod's own namespace is empty");
    assert_eq!(
        run(&mut sh, "kubectl exec unprivileged -- ipvsadm -Ln"),
        [
            "Can't initialize ipvs: Permission denied (you must be root)",
            "Are you sure that IP Virtual Server is built in the kernel or as module?",
            "command terminated with exit code 2",
        ]
    );
    let events = run(&mut sh, "kubectl get events --field-selector reason=IPVSDeprecation -o name");
    assert_eq!(events.len(), 4, "one Warning per node: {events:?}");
    let logs = run(&mut sh, "kubectl -n kube-system logs ds/kube-proxy").join("\n");
    assert!(logs.contains(
        "\"The ipvs proxier is now deprecated and may be removed in a future release. Please use 'nftables' instead.\""
    ));
}
