//! The rules one node's kube-proxy programs, as a model rather than text: per service port its
//! cluster IP, external and load-balancer IPs, node port, session affinity and endpoints (from the
//! EndpointSlices), indexed by address and by node port so that a packet finds its rule without a
//! scan, and the proxy mode kube-proxy runs in. In iptables mode the model renders
//! `iptables-save -t nat` (see `iptables`); in ipvs mode it is the IPVS table (see `ipvs`), which
//! `ipvsadm` lists. The request path walks it either way. It lives behind a shared handle:
//! kube-proxy writes it, the network reads it, and the kernel-side state it owns (the `recent`
//! lists behind ClientIP affinity in iptables mode, the IPVS scheduler's position and persistence
//! templates in ipvs mode) is updated as packets pass.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use k8s_openapi::api::core::v1::{Node, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;

use super::ipvs::IpvsKernel;
use super::proxy_config::ProxyMode;
use crate::sim::Rng;

/// One endpoint of a service port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointInfo {
    pub ip: String,
    pub port: i32,
    pub node: Option<String>,
    pub ready: bool,
    pub serving: bool,
    pub terminating: bool,
    /// The pod behind it, `(namespace, name)`.
    pub pod: Option<(String, String)>,
}

impl EndpointInfo {
    /// `ip:port`, as rules and comments print it.
    pub fn addr(&self) -> String {
        format!("{}:{}", self.ip, self.port)
    }
}

/// One port of one Service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePortRule {
    pub namespace: String,
    pub service: String,
    pub port_name: String,
    /// `TCP`, `UDP` or `SCTP`.
    pub protocol: String,
    pub cluster_ip: Option<String>,
    /// `spec.externalIPs`.
    pub external_ips: Vec<String>,
    /// `status.loadBalancer.ingress[].ip`.
    pub load_balancer_ips: Vec<String>,
    pub port: i32,
    pub node_port: Option<i32>,
    /// ClientIP affinity's timeout in seconds.
    pub affinity_seconds: Option<i32>,
    pub endpoints: Vec<EndpointInfo>,
}

impl ServicePortRule {
    /// `ServicePortName.String()`: `ns/svc` or `ns/svc:port`.
    pub fn name(&self) -> String {
        if self.port_name.is_empty() {
            format!("{}/{}", self.namespace, self.service)
        } else {
            format!("{}/{}:{}", self.namespace, self.service, self.port_name)
        }
    }

    /// The endpoints traffic goes to: the ready ones, else (upstream's terminating fallback) those
    /// still serving while they terminate.
    pub fn usable(&self) -> Vec<&EndpointInfo> {
        let ready: Vec<&EndpointInfo> = self.endpoints.iter().filter(|e| e.ready).collect();
        if !ready.is_empty() {
            return ready;
        }
        self.endpoints.iter().filter(|e| e.serving && e.terminating).collect()
    }
}

/// The rules of a node.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    pub node: String,
    pub node_ip: String,
    pub cluster_cidr: String,
    /// The node's `spec.podCIDR`, to route pod addresses to it.
    pub pod_cidr: String,
    /// The mode the last kube-proxy to start on the node programmed.
    pub mode: ProxyMode,
    /// `ipvs.scheduler` as configured; empty means rr.
    pub scheduler: String,
    /// Keyed by `(servicePortName, protocol)`.
    pub ports: BTreeMap<(String, String), ServicePortRule>,
    by_cluster_ip: BTreeMap<(String, i32, String), (String, String)>,
    /// External and load-balancer IPs, `(ip, port, protocol)`.
    by_external_ip: BTreeMap<(String, i32, String), (String, String)>,
    by_node_port: BTreeMap<(i32, String), (String, String)>,
    /// The `recent` lists of ClientIP affinity: (service port key, client IP) → (endpoint, last seen ms).
    affinity: BTreeMap<((String, String), String), (String, i64)>,
    /// The IPVS scheduler's state, connections and persistence templates.
    pub ipvs: IpvsKernel,
}

/// Builds the rules of one Service from it and its slices.
pub fn service_rules(svc: &Service, slices: &[&EndpointSlice]) -> Vec<ServicePortRule> {
    let Some(spec) = svc.spec.as_ref() else { return Vec::new() };
    if spec.type_.as_deref() == Some("ExternalName") {
        return Vec::new();
    }
    let cluster_ip = spec.cluster_ip.clone().filter(|ip| !ip.is_empty() && ip != "None");
    let external_ips = spec.external_ips.clone().unwrap_or_default();
    let load_balancer_ips: Vec<String> = svc
        .status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
        .and_then(|lb| lb.ingress.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|i| i.ip.clone())
        .collect();
    let affinity = (spec.session_affinity.as_deref() == Some("ClientIP")).then(|| {
        spec.session_affinity_config
            .as_ref()
            .and_then(|c| c.client_ip.as_ref())
            .and_then(|c| c.timeout_seconds)
            .unwrap_or(10_800)
    });
    spec.ports
        .iter()
        .flatten()
        .map(|sp| {
            let name = sp.name.clone().unwrap_or_default();
            let protocol = sp.protocol.clone().unwrap_or_else(|| "TCP".into());
            let mut endpoints = Vec::new();
            for slice in slices.iter().filter(|s| s.address_type == "IPv4") {
                let Some(port) = slice
                    .ports
                    .iter()
                    .flatten()
                    .find(|p| {
                        p.name.clone().unwrap_or_default() == name && p.protocol.as_deref().unwrap_or("TCP") == protocol
                    })
                    .and_then(|p| p.port)
                else {
                    continue;
                };
                for e in slice.endpoints.iter().flatten() {
                    let Some(ip) = e.addresses.first() else { continue };
                    let c = e.conditions.as_ref();
                    let ready = c.and_then(|c| c.ready).unwrap_or(true);
                    endpoints.push(EndpointInfo {
                        ip: ip.clone(),
                        port,
                        node: e.node_name.clone(),
                        ready,
                        serving: c.and_then(|c| c.serving).unwrap_or(ready),
                        terminating: c.and_then(|c| c.terminating).unwrap_or(false),
                        pod: e
                            .target_ref
                            .as_ref()
                            .map(|r| (r.namespace.clone().unwrap_or_default(), r.name.clone().unwrap_or_default())),
                    });
                }
            }
            // kube-proxy orders endpoints by address, which fixes the probabilities' order.
            endpoints.sort_by_key(EndpointInfo::addr);
            endpoints.dedup_by(|a, b| a.addr() == b.addr());
            ServicePortRule {
                namespace: svc.metadata.namespace.clone().unwrap_or_default(),
                service: svc.metadata.name.clone().unwrap_or_default(),
                port_name: name,
                protocol,
                cluster_ip: cluster_ip.clone(),
                external_ips: external_ips.clone(),
                load_balancer_ips: load_balancer_ips.clone(),
                port: sp.port,
                node_port: sp.node_port,
                affinity_seconds: affinity,
                endpoints,
            }
        })
        .collect()
}

impl Rules {
    /// Replaces the rules of the Service `ns/name` with `rules`.
    pub fn set_service(&mut self, ns: &str, name: &str, rules: Vec<ServicePortRule>) {
        let prefix = format!("{ns}/{name}");
        let stale: Vec<(String, String)> =
            self.ports.iter().filter(|(_, r)| r.namespace == ns && r.service == name).map(|(k, _)| k.clone()).collect();
        for k in stale {
            if let Some(old) = self.ports.remove(&k) {
                if let Some(ip) = &old.cluster_ip {
                    self.by_cluster_ip.remove(&(ip.clone(), old.port, old.protocol.clone()));
                }
                for ip in old.external_ips.iter().chain(&old.load_balancer_ips) {
                    self.by_external_ip.remove(&(ip.clone(), old.port, old.protocol.clone()));
                }
                if let Some(np) = old.node_port {
                    self.by_node_port.remove(&(np, old.protocol.clone()));
                }
            }
        }
        self.affinity.retain(|((svc, _), _), _| !(svc == &prefix || svc.starts_with(&format!("{prefix}:"))));
        for r in rules {
            let key = (r.name(), r.protocol.clone());
            if let Some(ip) = &r.cluster_ip {
                self.by_cluster_ip.insert((ip.clone(), r.port, r.protocol.clone()), key.clone());
            }
            for ip in r.external_ips.iter().chain(&r.load_balancer_ips) {
                self.by_external_ip.insert((ip.clone(), r.port, r.protocol.clone()), key.clone());
            }
            if let Some(np) = r.node_port {
                self.by_node_port.insert((np, r.protocol.clone()), key.clone());
            }
            self.ports.insert(key, r);
        }
    }

    /// Takes the node's name, InternalIP and pod CIDR from its Node object.
    pub fn learn_node(&mut self, node: &Node) {
        self.node = node.metadata.name.clone().unwrap_or_default();
        self.node_ip = node
            .status
            .as_ref()
            .and_then(|s| s.addresses.as_ref())
            .and_then(|a| a.iter().find(|a| a.type_ == "InternalIP"))
            .map(|a| a.address.clone())
            .unwrap_or_default();
        self.pod_cidr = node.spec.as_ref().and_then(|s| s.pod_cidr.clone()).unwrap_or_default();
    }

    /// Switches the node to `mode`: the other mode's kernel state is dropped (upstream leaves it
    /// behind until `kube-proxy --cleanup` or a reboot; see the README).
    pub fn set_mode(&mut self, mode: ProxyMode, scheduler: &str) {
        if self.mode != mode {
            self.affinity.clear();
            self.ipvs = IpvsKernel::default();
        }
        self.mode = mode;
        self.scheduler = scheduler.to_string();
    }

    /// The addresses of the node itself: its InternalIP and the pod bridge's gateway (`.1` of its
    /// pod CIDR), where node ports answer.
    pub fn node_addresses(&self) -> Vec<String> {
        let bridge = self.pod_cidr.strip_suffix(".0/24").map(|net| format!("{net}.1"));
        std::iter::once(self.node_ip.clone()).filter(|ip| !ip.is_empty()).chain(bridge).collect()
    }

    pub fn by_cluster_ip(&self, ip: &str, port: i32, protocol: &str) -> Option<&ServicePortRule> {
        let key = self.by_cluster_ip.get(&(ip.to_string(), port, protocol.to_string()))?;
        self.ports.get(key)
    }

    /// The rule an external or load-balancer IP belongs to.
    pub fn by_external_ip(&self, ip: &str, port: i32, protocol: &str) -> Option<&ServicePortRule> {
        let key = self.by_external_ip.get(&(ip.to_string(), port, protocol.to_string()))?;
        self.ports.get(key)
    }

    pub fn by_node_port(&self, port: i32, protocol: &str) -> Option<&ServicePortRule> {
        let key = self.by_node_port.get(&(port, protocol.to_string()))?;
        self.ports.get(key)
    }

    /// Whether a cluster IP belongs to any Service (a port it does not serve is still rejected).
    pub fn knows_cluster_ip(&self, ip: &str) -> bool {
        self.by_cluster_ip
            .range((ip.to_string(), i32::MIN, String::new())..)
            .next()
            .is_some_and(|((i, _, _), _)| i == ip)
    }

    /// The KUBE-SVC walk: the affinity lists first, then the `statistic` rules, rule i matching with
    /// probability 1/(n-i) and the last taking what is left. Returns the chosen endpoint.
    pub fn pick(
        &mut self,
        rule: &ServicePortRule,
        client_ip: &str,
        now_ms: i64,
        rng: &mut Rng,
    ) -> Option<EndpointInfo> {
        let usable = rule.usable();
        let key = ((rule.name(), rule.protocol.clone()), client_ip.to_string());
        if let Some(timeout) = rule.affinity_seconds
            && let Some((addr, seen)) = self.affinity.get(&key)
            && now_ms - seen <= i64::from(timeout) * 1000
            && let Some(e) = usable.iter().find(|e| &e.addr() == addr)
        {
            let e = (*e).clone();
            self.affinity.insert(key, (e.addr(), now_ms));
            return Some(e);
        }
        let n = usable.len();
        let mut chosen = usable.last().copied();
        for (i, e) in usable.iter().enumerate().take(n.saturating_sub(1)) {
            if rng.next_f64() < 1.0 / (n - i) as f64 {
                chosen = Some(e);
                break;
            }
        }
        let chosen = chosen.cloned();
        if let (Some(e), Some(_)) = (&chosen, rule.affinity_seconds) {
            self.affinity.insert(key, (e.addr(), now_ms));
        }
        chosen
    }
}

/// A shared handle on a node's rules.
#[derive(Debug, Clone, Default)]
pub struct RuleTable(Arc<Mutex<Rules>>);

impl RuleTable {
    pub fn lock(&self) -> MutexGuard<'_, Rules> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A copy of the rules as they are now.
    pub fn snapshot(&self) -> Rules {
        self.lock().clone()
    }
}
