//! The IPVS table of a node in ipvs mode, as kube-proxy's ipvs proxier (pkg/proxy/ipvs/proxier.go)
//! programs it from the same service-port rules the iptables mode renders: a virtual server for each
//! port's cluster IP, external IPs and load-balancer IPs, and for a node port one on every address
//! of the node (`nodePortAddresses` unset means all local addresses but kube-ipvs0's); real servers
//! are the usable endpoints, masqueraded (NAT), weight 1; ClientIP affinity is persistence with the
//! affinity timeout. A virtual server exists even without endpoints.
//!
//! The kernel side is kept here too: the scheduler walks the real servers in the order ipvsadm lists
//! them, round robin from the first, starting over from the first when the last one chosen is gone
//! (the kernel's list follows kube-proxy's insertion order, which is map order upstream); every
//! scheduler name is kept as configured but scheduled as `rr`.
//! Persistence pins a client address to a real server for the timeout after its last connection;
//! a finished connection counts as inactive (TIME_WAIT) for two minutes.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::proxy_config::ProxyMode;
use super::rules::{Rules, ServicePortRule};

/// kube-proxy's default scheduler.
pub const DEFAULT_SCHEDULER: &str = "rr";
/// IPVS's TCP TIME_WAIT timeout: how long a closed connection stays in InActConn.
const TIME_WAIT_MS: i64 = 120_000;

/// `(protocol, address, port)` of a virtual server.
pub type VsKey = (String, String, i32);

/// One real server of a virtual server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealServer {
    pub ip: String,
    pub port: i32,
    pub weight: u32,
    pub active: usize,
    pub inactive: usize,
}

impl RealServer {
    pub fn addr(&self) -> String {
        format!("{}:{}", self.ip, self.port)
    }
}

/// One virtual server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VirtualServer {
    /// `TCP`, `UDP` or `SCTP`.
    pub protocol: String,
    pub ip: String,
    pub port: i32,
    pub scheduler: String,
    /// The persistence timeout in seconds (ClientIP affinity).
    pub persistent: Option<i32>,
    pub real_servers: Vec<RealServer>,
    /// The service port it serves, `ns/svc:port`.
    pub service: String,
}

impl VirtualServer {
    pub fn key(&self) -> VsKey {
        (self.protocol.clone(), self.ip.clone(), self.port)
    }

    pub fn addr(&self) -> String {
        format!("{}:{}", self.ip, self.port)
    }
}

/// The kernel state behind a node's IPVS table.
#[derive(Debug, Clone, Default)]
pub struct IpvsKernel {
    /// The real server each virtual server scheduled last, `ip:port`.
    last: BTreeMap<VsKey, String>,
    /// Persistence templates: (virtual server, client IP) → (real server, last use in unix ms).
    templates: BTreeMap<(VsKey, String), (String, i64)>,
    /// When each real server's connections closed, per virtual server.
    closed: BTreeMap<(VsKey, String), Vec<i64>>,
}

fn ipv4(ip: &str) -> u32 {
    ip.split('.').fold(0u32, |acc, octet| (acc << 8) | octet.parse::<u32>().unwrap_or(0))
}

/// The order ipvsadm sorts addresses in: libipvs compares `ntohl(a) - ntohl(b)` as a signed int, so
/// addresses more than 2^31 apart compare the wrong way round (172.18.0.2 sorts before 10.96.0.1).
/// That is a total order only for addresses within half the address space of each other; to keep
/// one in every case, the sort starts after the widest gap between the addresses present, which
/// gives the same order whenever libipvs's comparison is consistent.
fn circular_keys(ips: &[&str]) -> BTreeMap<String, u32> {
    let mut values: Vec<u32> = ips.iter().map(|ip| ipv4(ip)).collect();
    values.sort_unstable();
    values.dedup();
    let start = values
        .iter()
        .zip(values.iter().cycle().skip(1))
        .max_by_key(|(a, b)| b.wrapping_sub(**a))
        .map(|(_, b)| *b)
        .unwrap_or(0);
    ips.iter().map(|ip| (ip.to_string(), ipv4(ip).wrapping_sub(start))).collect()
}

/// IPPROTO numbers, ipvsadm's first sort key.
fn protocol_number(protocol: &str) -> u8 {
    match protocol {
        "TCP" => 6,
        "UDP" => 17,
        _ => 132,
    }
}

/// What a node's table is built from besides the rules themselves.
struct Context<'a> {
    node_addresses: Vec<String>,
    scheduler: &'a str,
    kernel: &'a IpvsKernel,
    now_ms: i64,
}

/// The virtual servers one service port gets on the node.
fn port_servers(r: &ServicePortRule, cx: &Context<'_>) -> Vec<VirtualServer> {
    let mut addresses: Vec<(String, i32)> = r.cluster_ip.iter().map(|ip| (ip.clone(), r.port)).collect();
    addresses.extend(r.external_ips.iter().chain(&r.load_balancer_ips).map(|ip| (ip.clone(), r.port)));
    if let Some(np) = r.node_port {
        addresses.extend(cx.node_addresses.iter().map(|ip| (ip.clone(), np)));
    }
    addresses
        .into_iter()
        .map(|(ip, port)| {
            let key = (r.protocol.clone(), ip.clone(), port);
            let real_servers = r
                .usable()
                .into_iter()
                .map(|e| {
                    let closed = cx.kernel.closed.get(&(key.clone(), e.addr()));
                    let inactive =
                        closed.map_or(0, |times| times.iter().filter(|t| cx.now_ms - **t < TIME_WAIT_MS).count());
                    RealServer { ip: e.ip.clone(), port: e.port, weight: 1, active: 0, inactive }
                })
                .collect();
            VirtualServer {
                protocol: r.protocol.clone(),
                ip,
                port,
                scheduler: cx.scheduler.to_string(),
                persistent: r.affinity_seconds,
                real_servers,
                service: r.name(),
            }
        })
        .collect()
}

/// Sorts virtual servers and their real servers as ipvsadm lists them (`--nosort` aside).
fn sort(servers: &mut [VirtualServer]) {
    let ips: Vec<&str> = servers.iter().map(|v| v.ip.as_str()).collect();
    let keys = circular_keys(&ips);
    let vs_key = |v: &VirtualServer| (protocol_number(&v.protocol), keys.get(&v.ip).copied().unwrap_or(0), v.port);
    servers.sort_by_key(vs_key);
    for v in servers.iter_mut() {
        let ips: Vec<&str> = v.real_servers.iter().map(|r| r.ip.as_str()).collect();
        let keys = circular_keys(&ips);
        v.real_servers.sort_by(|a, b| match keys.get(&a.ip).cmp(&keys.get(&b.ip)) {
            Ordering::Equal => a.port.cmp(&b.port),
            other => other,
        });
    }
}

impl IpvsKernel {
    /// Forgets connections closed longer ago than TIME_WAIT.
    fn expire(&mut self, now_ms: i64) {
        for times in self.closed.values_mut() {
            times.retain(|t| now_ms - t < TIME_WAIT_MS);
        }
        self.closed.retain(|_, times| !times.is_empty());
    }

    /// Schedules a connection from `client_ip` to `vs`: the client's persistence template if it is
    /// live and its real server still there, else the real server after the last one chosen. The
    /// connection is taken as done at once (it then lingers as inactive).
    pub fn schedule(&mut self, vs: &VirtualServer, client_ip: &str, now_ms: i64) -> Option<RealServer> {
        self.expire(now_ms);
        let key = vs.key();
        let template = (key.clone(), client_ip.to_string());
        let pinned = vs.persistent.and_then(|timeout| {
            let (addr, seen) = self.templates.get(&template)?;
            (now_ms - seen <= i64::from(timeout) * 1000).then(|| addr.clone())
        });
        let chosen = pinned
            .and_then(|addr| vs.real_servers.iter().find(|r| r.addr() == addr))
            .or_else(|| {
                let after = self.last.get(&key).and_then(|l| vs.real_servers.iter().position(|r| &r.addr() == l));
                let next = after.map_or(0, |i| (i + 1) % vs.real_servers.len().max(1));
                vs.real_servers.get(next)
            })?
            .clone();
        self.last.insert(key.clone(), chosen.addr());
        if vs.persistent.is_some() {
            self.templates.insert(template, (chosen.addr(), now_ms));
        }
        self.closed.entry((key, chosen.addr())).or_default().push(now_ms);
        Some(chosen)
    }
}

impl Rules {
    fn context(&self, now_ms: i64) -> Context<'_> {
        Context { node_addresses: self.node_addresses(), scheduler: self.ipvs_scheduler(), kernel: &self.ipvs, now_ms }
    }

    /// The node's IPVS table at `now_ms`, in ipvsadm's order: empty unless kube-proxy runs in ipvs
    /// mode (the ip_vs module is loaded, nothing programs it).
    pub fn ipvs_table(&self, now_ms: i64) -> Vec<VirtualServer> {
        if self.mode != ProxyMode::Ipvs {
            return Vec::new();
        }
        let cx = self.context(now_ms);
        let mut servers: Vec<VirtualServer> = self.ports.values().flat_map(|r| port_servers(r, &cx)).collect();
        sort(&mut servers);
        servers
    }

    /// The scheduler kube-proxy names in its virtual servers.
    pub fn ipvs_scheduler(&self) -> &str {
        if self.scheduler.is_empty() { DEFAULT_SCHEDULER } else { &self.scheduler }
    }

    /// The virtual server at `ip:port`, if the node has one.
    pub fn ipvs_service(&self, ip: &str, port: i32, protocol: &str, now_ms: i64) -> Option<VirtualServer> {
        let cx = self.context(now_ms);
        let on_node = cx.node_addresses.iter().any(|a| a == ip);
        let rule = match self.by_cluster_ip(ip, port, protocol).or_else(|| self.by_external_ip(ip, port, protocol)) {
            Some(rule) => rule,
            None if on_node => self.by_node_port(port, protocol)?,
            None => return None,
        };
        let mut servers = port_servers(rule, &cx);
        servers.retain(|v| v.ip == ip && v.port == port);
        sort(&mut servers);
        servers.pop()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_follows_libipvs_signed_difference() {
        let keys = circular_keys(&["10.96.0.1", "172.18.0.3", "10.96.0.10", "10.244.1.1"]);
        let mut ips = vec!["10.96.0.10", "10.244.1.1", "172.18.0.3", "10.96.0.1"];
        ips.sort_by_key(|ip| keys[*ip]);
        // 172.18.0.3 - 10.96.0.1 overflows into a negative int: it sorts first.
        assert_eq!(ips, ["172.18.0.3", "10.96.0.1", "10.96.0.10", "10.244.1.1"]);
        let keys = circular_keys(&["10.244.2.3", "10.244.1.3", "10.244.3.3"]);
        assert!(keys["10.244.1.3"] < keys["10.244.2.3"] && keys["10.244.2.3"] < keys["10.244.3.3"]);
    }

    fn vs(persistent: Option<i32>) -> VirtualServer {
        let rs = |ip: &str| RealServer { ip: ip.into(), port: 80, weight: 1, active: 0, inactive: 0 };
        VirtualServer {
            protocol: "TCP".into(),
            ip: "10.96.0.50".into(),
            port: 80,
            scheduler: "rr".into(),
            persistent,
            real_servers: vec![rs("10.244.1.3"), rs("10.244.2.3"), rs("10.244.3.3")],
            service: "default/who".into(),
        }
    }

    #[test]
    fn round_robin_then_persistence() {
        let mut k = IpvsKernel::default();
        let picks: Vec<String> = (0..4).map(|_| k.schedule(&vs(None), "10.244.1.9", 0).unwrap().ip).collect();
        assert_eq!(picks, ["10.244.1.3", "10.244.2.3", "10.244.3.3", "10.244.1.3"]);
        let mut k = IpvsKernel::default();
        let sticky = vs(Some(10));
        let first = k.schedule(&sticky, "10.244.1.9", 0).unwrap().ip;
        assert_eq!(k.schedule(&sticky, "10.244.1.9", 9_000).unwrap().ip, first);
        assert_ne!(k.schedule(&sticky, "10.244.2.9", 9_000).unwrap().ip, first);
        // The template lapses ten seconds after its last use.
        assert_ne!(k.schedule(&sticky, "10.244.1.9", 19_001).unwrap().ip, first);
        k.expire(200_000);
        assert!(k.closed.is_empty());
        assert!(k.schedule(&VirtualServer { real_servers: Vec::new(), ..vs(None) }, "10.244.1.9", 0).is_none());
    }
}
