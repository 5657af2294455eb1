//! The rules one node's kube-proxy programs, as a model rather than text: per service port its
//! cluster IP, node port, session affinity and endpoints (from the EndpointSlices), indexed by cluster
//! IP and by node port so that a packet finds its rule without a scan. The same model renders
//! `iptables-save -t nat` (see `iptables`) and is walked by the request path. It lives behind a
//! shared handle: kube-proxy writes it, the network reads it, and the kernel-side state it owns
//! (the `recent` table behind ClientIP affinity) is updated as packets pass.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::EndpointSlice;

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
    /// Keyed by `(servicePortName, protocol)`.
    pub ports: BTreeMap<(String, String), ServicePortRule>,
    by_cluster_ip: BTreeMap<(String, i32, String), (String, String)>,
    by_node_port: BTreeMap<(i32, String), (String, String)>,
    /// The `recent` lists of ClientIP affinity: (service port key, client IP) → (endpoint, last seen ms).
    affinity: BTreeMap<((String, String), String), (String, i64)>,
}

/// Builds the rules of one Service from it and its slices.
pub fn service_rules(svc: &Service, slices: &[&EndpointSlice]) -> Vec<ServicePortRule> {
    let Some(spec) = svc.spec.as_ref() else { return Vec::new() };
    if spec.type_.as_deref() == Some("ExternalName") {
        return Vec::new();
    }
    let cluster_ip = spec.cluster_ip.clone().filter(|ip| !ip.is_empty() && ip != "None");
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
            if let Some(np) = r.node_port {
                self.by_node_port.insert((np, r.protocol.clone()), key.clone());
            }
            self.ports.insert(key, r);
        }
    }

    pub fn by_cluster_ip(&self, ip: &str, port: i32, protocol: &str) -> Option<&ServicePortRule> {
        let key = self.by_cluster_ip.get(&(ip.to_string(), port, protocol.to_string()))?;
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
