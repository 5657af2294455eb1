//! Cluster DNS as CoreDNS's kubernetes plugin answers it for `cluster.local`: a Service's name
//! `<svc>.<ns>.svc.cluster.local` is its cluster IP, or for a headless Service the addresses of its
//! ready endpoints; `<hostname>.<svc>.<ns>.svc.cluster.local` is one endpoint (StatefulSet pods under
//! their headless Service); an ExternalName Service is a CNAME; anything else in the zone is NXDOMAIN
//! (and so is the outside world: the simulated cluster has no upstream resolver). The CoreDNS
//! process keeps its records from Service and EndpointSlice informers in a shared table. Also here:
//! the pod's `/etc/resolv.conf` and the search-path walk a resolver does with `ndots:5`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use super::ServiceWatch;
use crate::apiserver::{ApiServer, Identity, WatchEvent};
use crate::client::{Ctx, Process};
use crate::sim::trace::Component;

pub const CLUSTER_DOMAIN: &str = "cluster.local";
/// The `kube-dns` Service's address, the nameserver of every ClusterFirst pod.
pub const CLUSTER_DNS: &str = "10.96.0.10";

/// What a name resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A records, in order.
    A(Vec<String>),
    /// An ExternalName Service.
    Cname(String),
    /// The name exists but has no address (a headless Service without ready endpoints).
    NoData,
    NxDomain,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct ServiceRecord {
    cluster_ip: Option<String>,
    external_name: Option<String>,
    /// Ready endpoints of a headless Service: (ip, hostname).
    endpoints: Vec<(String, Option<String>)>,
}

/// The records CoreDNS serves, shared with the network.
#[derive(Debug, Clone, Default)]
pub struct DnsTable(Arc<Mutex<BTreeMap<(String, String), ServiceRecord>>>);

impl DnsTable {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<(String, String), ServiceRecord>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Answers a fully qualified name.
    pub fn lookup(&self, name: &str) -> Answer {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        let Some(rest) = name.strip_suffix(&format!(".svc.{CLUSTER_DOMAIN}")) else { return Answer::NxDomain };
        let labels: Vec<&str> = rest.split('.').collect();
        let records = self.lock();
        match labels.as_slice() {
            [svc, ns] => match records.get(&(ns.to_string(), svc.to_string())) {
                None => Answer::NxDomain,
                Some(r) => {
                    if let Some(cname) = &r.external_name {
                        Answer::Cname(cname.clone())
                    } else if let Some(ip) = &r.cluster_ip {
                        Answer::A(vec![ip.clone()])
                    } else if r.endpoints.is_empty() {
                        Answer::NoData
                    } else {
                        Answer::A(r.endpoints.iter().map(|(ip, _)| ip.clone()).collect())
                    }
                }
            },
            [host, svc, ns] => records
                .get(&(ns.to_string(), svc.to_string()))
                .and_then(|r| r.endpoints.iter().find(|(_, h)| h.as_deref() == Some(host)))
                .map_or(Answer::NxDomain, |(ip, _)| Answer::A(vec![ip.clone()])),
            _ => Answer::NxDomain,
        }
    }
}

/// The search domains of a ClusterFirst pod in `namespace`.
pub fn search_path(namespace: &str) -> [String; 3] {
    [format!("{namespace}.svc.{CLUSTER_DOMAIN}"), format!("svc.{CLUSTER_DOMAIN}"), CLUSTER_DOMAIN.to_string()]
}

/// The `/etc/resolv.conf` the kubelet writes for a ClusterFirst pod.
pub fn resolv_conf(namespace: &str) -> String {
    format!("search {}\nnameserver {CLUSTER_DNS}\noptions ndots:5\n", search_path(namespace).join(" "))
}

/// The names a resolver (musl or glibc getaddrinfo) tries for `name` under `ndots:5`: with fewer than
/// five dots, the search domains first, then the name itself; a trailing dot means exactly the name.
pub fn candidates(name: &str, namespace: &str) -> Vec<String> {
    if let Some(abs) = name.strip_suffix('.') {
        return vec![abs.to_string()];
    }
    let searched = search_path(namespace).into_iter().map(|d| format!("{name}.{d}"));
    if name.matches('.').count() >= 5 {
        std::iter::once(name.to_string()).chain(searched).collect()
    } else {
        searched.chain(std::iter::once(name.to_string())).collect()
    }
}

/// Resolves `name` as a pod in `namespace` would: the first candidate with addresses, following
/// one CNAME level into the cluster. Returns the name that answered and its addresses.
pub fn resolve(table: &DnsTable, name: &str, namespace: &str) -> Option<(String, Vec<String>)> {
    if super::is_ipv4(name) {
        return Some((name.to_string(), vec![name.to_string()]));
    }
    for candidate in candidates(name, namespace) {
        match table.lookup(&candidate) {
            Answer::A(ips) => return Some((candidate, ips)),
            Answer::Cname(target) => {
                if let Answer::A(ips) = table.lookup(&target) {
                    return Some((candidate, ips));
                }
            }
            Answer::NoData | Answer::NxDomain => {}
        }
    }
    None
}

/// What busybox 1.36's `nslookup NAME` prints: A then AAAA queries, a dotless name under each search
/// domain (busybox applies no ndots), each reply followed by a blank line.
pub fn nslookup(table: &DnsTable, name: &str, namespace: &str) -> String {
    let queries: Vec<String> = if name.contains('.') {
        vec![name.to_string()]
    } else {
        search_path(namespace).iter().map(|d| format!("{name}.{d}")).collect()
    };
    let mut out = format!("Server:\t\t{CLUSTER_DNS}\nAddress:\t{CLUSTER_DNS}:53\n\n");
    for aaaa in [false, true] {
        for q in &queries {
            match table.lookup(q) {
                Answer::NxDomain => out.push_str(&format!("** server can't find {q}: NXDOMAIN\n")),
                Answer::A(ips) if !aaaa => {
                    for ip in ips {
                        out.push_str(&format!("Name:\t{}\nAddress: {ip}\n", q.trim_end_matches('.')));
                    }
                }
                Answer::Cname(target) => out.push_str(&format!("{q}\tcanonical name = {target}\n")),
                Answer::A(_) | Answer::NoData => {}
            }
            out.push('\n');
        }
    }
    out
}

/// The CoreDNS process (both replicas answer alike; one process keeps the records).
#[derive(Debug)]
pub struct CoreDns {
    who: Identity,
    watch: ServiceWatch,
    table: DnsTable,
}

impl Default for CoreDns {
    fn default() -> Self {
        Self::new()
    }
}

impl CoreDns {
    pub fn new() -> Self {
        CoreDns {
            who: Identity::component(Component::CoreDns, "system:serviceaccount:kube-system:coredns", &[]),
            watch: ServiceWatch::default(),
            table: DnsTable::default(),
        }
    }

    /// The records, shared read-only with the network.
    pub fn table(&self) -> DnsTable {
        self.table.clone()
    }

    fn refresh(&self, ns: &str, name: &str) {
        let record = self.watch.service(ns, name).map(|svc| {
            let spec = svc.spec.as_ref();
            let external = (spec.and_then(|s| s.type_.as_deref()) == Some("ExternalName"))
                .then(|| spec.and_then(|s| s.external_name.clone()).unwrap_or_default());
            let cluster_ip = spec.and_then(|s| s.cluster_ip.clone()).filter(|ip| !ip.is_empty() && ip != "None");
            let headless = external.is_none() && cluster_ip.is_none();
            let mut endpoints = Vec::new();
            if headless {
                for e in self.watch.slices_of(ns, name).flat_map(|s| s.endpoints.iter().flatten()) {
                    let ready = e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true);
                    if let (true, Some(ip)) = (ready, e.addresses.first()) {
                        endpoints.push((ip.clone(), e.hostname.clone()));
                    }
                }
                endpoints.sort();
            }
            ServiceRecord { cluster_ip, external_name: external, endpoints }
        });
        let mut records = self.table.lock();
        let k = (ns.to_string(), name.to_string());
        match record {
            Some(r) => records.insert(k, r),
            None => records.remove(&k),
        };
    }
}

impl Process for CoreDns {
    fn component(&self) -> Component {
        Component::CoreDns
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        let mut touched = self.watch.start(&self.who, ctx);
        touched.extend(self.table.lock().keys().cloned());
        touched.sort();
        touched.dedup();
        for (ns, name) in touched {
            self.refresh(&ns, &name);
        }
    }

    fn stop(&mut self, api: &mut ApiServer) {
        self.watch.stop(api);
    }

    fn on_events(&mut self, events: &[WatchEvent], _ctx: &mut Ctx<'_>) {
        for (ns, name) in self.watch.handle(events) {
            self.refresh(&ns, &name);
        }
    }

    fn on_timer(&mut self, _token: u64, _ctx: &mut Ctx<'_>) {}
}
