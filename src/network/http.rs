//! The request path of one HTTP request from a pod: the URL's host resolved through CoreDNS with the
//! pod's search path, the packet matched against the client node's kube-proxy rules (in iptables
//! mode a cluster IP is DNATed to an endpoint chosen by the `statistic` rules from the seeded stream,
//! or by ClientIP affinity; in ipvs mode the virtual server's scheduler picks the next real server,
//! or the client's persistence template), node ports answered on every node's address (masqueraded
//! to that node), the ingress
//! controller's address routed by its rules, then the pod network carrying the packet to the node that
//! owns the destination pod, whose listening container answers. No endpoint means the REJECT rule's
//! connection refused; an address nobody owns, a timeout. Every hop is a trace entry.

use k8s_openapi::api::core::v1::Pod;

use super::answer::{HttpResponse, Received, listener, respond};
use super::ingress::Route;
use super::ipvs::VirtualServer;
use super::proxy_config::ProxyMode;
use super::rules::{EndpointInfo, RuleTable, ServicePortRule};
use super::{Network, dns, is_ipv4};
use crate::api::{Kind, Object};
use crate::apiserver::ApiServer;
use crate::kubelet::images::Http;
use crate::sim::Rng;
use crate::sim::trace::{Component, Entry, EntryKind, ObjectRef};

/// A request as a client tool sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub url: String,
    /// Headers the tool sends after Host (User-Agent, Accept, ...); a `Host` here replaces the URL's.
    pub headers: Vec<(String, String)>,
}

/// Why a request got no HTTP answer; the client tool words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetError {
    BadUrl(String),
    /// The client pod does not exist or has no address.
    NoSource(String),
    /// The name does not resolve.
    BadAddress(String),
    Refused {
        ip: String,
        port: i32,
    },
    TimedOut {
        ip: String,
        port: i32,
    },
    /// Something listens but does not speak HTTP.
    NotHttp {
        ip: String,
        port: i32,
    },
}

impl std::fmt::Display for NetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NetError::BadUrl(u) => write!(f, "bad url {u:?}"),
            NetError::NoSource(p) => write!(f, "pod {p} has no network"),
            NetError::BadAddress(h) => write!(f, "bad address '{h}'"),
            NetError::Refused { ip, port } => write!(f, "connect to {ip}:{port}: connection refused"),
            NetError::TimedOut { ip, port } => write!(f, "connect to {ip}:{port}: connection timed out"),
            NetError::NotHttp { ip, port } => write!(f, "{ip}:{port} does not speak http"),
        }
    }
}

impl std::error::Error for NetError {}

/// A request's outcome with where it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// The host as the URL names it, and the address and port connected to.
    pub host: String,
    pub ip: String,
    pub port: i32,
    pub response: HttpResponse,
}

/// The parts of an `http://host[:port]/path` URL.
pub fn parse_url(url: &str) -> Result<(String, i32, String), NetError> {
    let (rest, default_port) = match url.split_once("://") {
        Some(("http", r)) => (r, 80),
        Some(("https", r)) => (r, 443),
        Some(_) => return Err(NetError::BadUrl(url.to_string())),
        None => (url, 80),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (
            h,
            p.parse::<i32>()
                .ok()
                .filter(|p| (1..=65535).contains(p))
                .ok_or_else(|| NetError::BadUrl(url.to_string()))?,
        ),
        None => (authority, default_port),
    };
    if host.is_empty() {
        return Err(NetError::BadUrl(url.to_string()));
    }
    Ok((host.to_string(), port, path))
}

/// A service a packet meets on a node, by the node's proxy mode.
enum Service {
    IpTables(ServicePortRule),
    Ipvs(VirtualServer),
}

/// One request's walk through the network.
struct Walk<'a> {
    api: &'a mut ApiServer,
    net: &'a Network,
    rng: &'a mut Rng,
    now_ms: i64,
    path: String,
    headers: Vec<(String, String)>,
    /// The client pod, for trace entries, and its address.
    client: ObjectRef,
    client_ip: String,
}

fn pod_ref(ns: &str, name: &str) -> ObjectRef {
    ObjectRef::new("Pod", ns, name)
}

fn pod_node(p: &Pod) -> String {
    p.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default()
}

fn proxy(node: &str) -> Component {
    Component::KubeProxy(node.into())
}

impl Walk<'_> {
    fn hop(&mut self, from: Component, to: Component, verb: &'static str, note: String) {
        self.api.record(Entry::new(from, to, EntryKind::Decision, verb, self.client.clone()).note(note));
    }

    fn rules(&self, node: &str) -> Option<&RuleTable> {
        self.net.proxies.get(node)
    }

    /// Delivers a connection to `ip:port` from `src` as it leaves `node`.
    fn deliver(&mut self, ip: &str, port: i32, node: &str, src: &str) -> Result<HttpResponse, NetError> {
        let refused = || NetError::Refused { ip: ip.to_string(), port };
        let timed_out = || NetError::TimedOut { ip: ip.to_string(), port };
        // A cluster IP: the client node's KUBE-SERVICES, or its IPVS table.
        if let Some(table) = self.rules(node).cloned() {
            let found = self.service_at(&table, ip, port, false);
            if let Some(service) = found {
                return self.through(&table, service, node, src, ip, port);
            }
            if table.lock().knows_cluster_ip(ip) {
                return Err(refused());
            }
        }
        // A node's address: its node ports, or the ingress controller it runs.
        if let Some(target) = self.net.node_with_ip(ip) {
            if target != node {
                self.hop(proxy(node), proxy(&target), "forward", format!("{src} → {ip}:{port}"));
            }
            if let Some(ingress) = &self.net.ingress
                && ingress.node() == target
                && (port == 80 || port == 443)
            {
                return self.through_ingress(ingress.clone(), &target, ip);
            }
            let Some(table) = self.rules(&target).cloned() else { return Err(timed_out()) };
            return match self.service_at(&table, ip, port, true) {
                // KUBE-EXT (or KUBE-NODE-PORT) masquerades: the endpoint sees the node's address.
                Some(service) => self.through(&table, service, &target, ip, ip, port),
                None => Err(refused()),
            };
        }
        // A pod address: the pod network carries it to the pod's node.
        self.deliver_to_pod(ip, port, node, src)
    }

    /// What `ip:port` meets on a node: its node port rule when `ip` is the node's own address, else
    /// the rule of the cluster IP; in ipvs mode, the virtual server at that address.
    fn service_at(&self, table: &RuleTable, ip: &str, port: i32, node_address: bool) -> Option<Service> {
        let rules = table.lock();
        if rules.mode == ProxyMode::Ipvs {
            // The node's own addresses are taken as such, by the caller, to masquerade as upstream.
            if !node_address && rules.node_addresses().iter().any(|a| a == ip) {
                return None;
            }
            return rules.ipvs_service(ip, port, "TCP", self.now_ms).map(Service::Ipvs);
        }
        let rule = if node_address { rules.by_node_port(port, "TCP") } else { rules.by_cluster_ip(ip, port, "TCP") };
        rule.cloned().map(Service::IpTables)
    }

    fn through(
        &mut self,
        table: &RuleTable,
        service: Service,
        node: &str,
        src: &str,
        ip: &str,
        port: i32,
    ) -> Result<HttpResponse, NetError> {
        match service {
            Service::IpTables(rule) => self.through_service(table, &rule, node, src, ip, port),
            Service::Ipvs(vs) => self.through_ipvs(table, &vs, node, src),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn through_service(
        &mut self,
        table: &RuleTable,
        rule: &ServicePortRule,
        node: &str,
        src: &str,
        ip: &str,
        port: i32,
    ) -> Result<HttpResponse, NetError> {
        let chosen = table.lock().pick(rule, src, self.now_ms, self.rng);
        let svc_chain = super::hash::service_chain(&rule.name(), &rule.protocol);
        let Some(ep) = chosen else {
            self.hop(
                proxy(node),
                proxy(node),
                "reject",
                format!("{} has no endpoints: {ip}:{port} rejected", rule.name()),
            );
            return Err(NetError::Refused { ip: ip.to_string(), port });
        };
        let sep = super::hash::endpoint_chain(&rule.name(), &rule.protocol, &ep.addr());
        self.hop(proxy(node), proxy(node), "dnat", format!("{ip}:{port} → {} ({svc_chain} → {sep})", ep.addr()));
        self.deliver_to_pod(&ep.ip, ep.port, node, src)
    }

    /// IPVS: the virtual server's scheduler (or the client's persistence template) picks a real
    /// server, masqueraded; none is an ICMP port unreachable, which the client reads as refused.
    fn through_ipvs(
        &mut self,
        table: &RuleTable,
        vs: &VirtualServer,
        node: &str,
        src: &str,
    ) -> Result<HttpResponse, NetError> {
        let chosen = table.lock().ipvs.schedule(vs, src, self.now_ms);
        let Some(rs) = chosen else {
            let note =
                format!("ipvs {} {}: no real servers ({}), port unreachable", vs.protocol, vs.addr(), vs.service);
            self.hop(proxy(node), proxy(node), "reject", note);
            return Err(NetError::Refused { ip: vs.ip.clone(), port: vs.port });
        };
        let how = if vs.persistent.is_some() { format!("{}, persistent", vs.scheduler) } else { vs.scheduler.clone() };
        let note = format!("ipvs {} {} → {} ({how}, Masq)", vs.protocol, vs.addr(), rs.addr());
        self.hop(proxy(node), proxy(node), "ipvs", note);
        self.deliver_to_pod(&rs.ip, rs.port, node, src)
    }

    /// The pod owning `ip`, found on the node whose pod CIDR holds it.
    fn pod_at(&self, ip: &str) -> Option<(String, std::sync::Arc<Pod>)> {
        let prefix = ip.rsplit_once('.').map(|(p, _)| format!("{p}.0/24"))?;
        let node = self.net.proxies.iter().find(|(_, t)| t.lock().pod_cidr == prefix).map(|(n, _)| n.clone())?;
        let pod = self.api.pods_on_node(&node).find_map(|o| match o {
            Object::Pod(p) if p.status.as_ref().and_then(|s| s.pod_ip.as_deref()) == Some(ip) => Some(p.clone()),
            _ => None,
        })?;
        Some((node, pod))
    }

    fn deliver_to_pod(&mut self, ip: &str, port: i32, node: &str, src: &str) -> Result<HttpResponse, NetError> {
        let Some((target, pod)) = self.pod_at(ip) else {
            self.hop(proxy(node), proxy(node), "drop", format!("no route to {ip}:{port}"));
            return Err(NetError::TimedOut { ip: ip.to_string(), port });
        };
        let ns = pod.metadata.namespace.clone().unwrap_or_default();
        let name = pod.metadata.name.clone().unwrap_or_default();
        if target != node {
            self.hop(proxy(node), proxy(&target), "forward", format!("{src} → {ip}:{port} (pod {ns}/{name})"));
        }
        let Some((c, http)) = listener(&pod, port, &self.net.catalog) else {
            self.hop(
                proxy(&target),
                proxy(node),
                "refused",
                format!("nothing listens on {ip}:{port} in pod {ns}/{name}"),
            );
            return Err(NetError::Refused { ip: ip.to_string(), port });
        };
        if http == Http::None {
            return Err(NetError::NotHttp { ip: ip.to_string(), port });
        }
        let eph = 32768 + self.rng.below(28_232);
        let req = Received { path: self.path.clone(), headers: self.headers.clone(), remote: format!("{src}:{eph}") };
        let response = respond(&pod, c, http, &req);
        let kubelet = Component::Kubelet(target.as_str().into());
        self.api.record(
            Entry::new(kubelet, proxy(node), EntryKind::Decision, "http", pod_ref(&ns, &name))
                .note(format!("{} {} from container {}", response.status, response.reason, c.name)),
        );
        Ok(response)
    }

    fn through_ingress(
        &mut self,
        ingress: super::IngressTable,
        node: &str,
        ip: &str,
    ) -> Result<HttpResponse, NetError> {
        let host = self
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("Host"))
            .map(|(_, v)| v.split(':').next().unwrap_or(v).to_string())
            .unwrap_or_default();
        let route = ingress.route(&host, &self.path);
        let me = Component::KubeProxy(node.into());
        self.hop(me.clone(), me, "ingress", format!("ingress-nginx: {host}{} → {route}", self.path));
        let backend = match route {
            Route::NotFound => return Ok(ingress.not_found()),
            Route::Backend(b) => b,
        };
        let Some(table) = self.rules(node).cloned() else { return Ok(ingress.unavailable()) };
        let endpoints: Vec<EndpointInfo> = {
            let t = table.lock();
            t.ports
                .values()
                .find(|r| {
                    r.namespace == backend.namespace
                        && r.service == backend.service
                        && backend.matches(r.port, &r.port_name)
                })
                .map(|r| r.usable().into_iter().cloned().collect())
                .unwrap_or_default()
        };
        let Some(ep) = ingress.next_endpoint(&backend, &endpoints) else { return Ok(ingress.unavailable()) };
        let forwarded = [
            ("X-Forwarded-For", self.client_ip.clone()),
            ("X-Forwarded-Host", host.clone()),
            ("X-Forwarded-Port", "80".to_string()),
            ("X-Forwarded-Proto", "http".to_string()),
            ("X-Forwarded-Scheme", "http".to_string()),
            ("X-Real-Ip", self.client_ip.clone()),
            ("X-Request-Id", format!("{:016x}{:016x}", self.rng.next_u64(), self.rng.next_u64())),
            ("X-Scheme", "http".to_string()),
        ];
        self.headers.extend(forwarded.into_iter().map(|(k, v)| (k.to_string(), v)));
        self.deliver_to_pod(&ep.ip, ep.port, node, ip)
    }
}

/// Sends `req` from the pod `ns/pod` and returns what came back.
pub fn http_request(
    api: &mut ApiServer,
    net: &Network,
    ns: &str,
    pod: &str,
    req: &HttpRequest,
    rng: &mut Rng,
) -> Result<Exchange, NetError> {
    let (host, port, path) = parse_url(&req.url)?;
    let source = match api.peek(Kind::Pod, Some(ns), pod) {
        Some(Object::Pod(p)) => p,
        _ => return Err(NetError::NoSource(format!("{ns}/{pod}"))),
    };
    let node = pod_node(&source);
    let src = source.status.as_ref().and_then(|s| s.pod_ip.clone()).unwrap_or_default();
    if node.is_empty() || src.is_empty() {
        return Err(NetError::NoSource(format!("{ns}/{pod}")));
    }
    let client = pod_ref(ns, pod);
    // Loopback stays in the pod's own network namespace: its own containers answer.
    let ip = if host == "localhost" || host.starts_with("127.") {
        src.clone()
    } else if is_ipv4(&host) {
        host.clone()
    } else {
        let answer = dns::resolve(&net.dns, &host, ns);
        let kubelet = Component::Kubelet(node.as_str().into());
        let note = match &answer {
            Some((name, ips)) => format!("{host}: {name} A {}", ips.join(", ")),
            None => format!("{host}: NXDOMAIN"),
        };
        api.record(Entry::new(kubelet, Component::CoreDns, EntryKind::Decision, "dns", client.clone()).note(note));
        match answer.and_then(|(_, ips)| ips.into_iter().next()) {
            Some(ip) => ip,
            None => return Err(NetError::BadAddress(host)),
        }
    };
    let default_port = if req.url.starts_with("https://") { 443 } else { 80 };
    let host_header = if port == default_port { host.clone() } else { format!("{host}:{port}") };
    let mut headers = vec![("Host".to_string(), host_header)];
    for (k, v) in &req.headers {
        match headers.iter_mut().find(|(h, _)| h.eq_ignore_ascii_case(k)) {
            Some(existing) => existing.1 = v.clone(),
            None => headers.push((k.clone(), v.clone())),
        }
    }
    let now_ms = api.clock().unix_millis(api.now());
    let mut walk = Walk { api, net, rng, now_ms, path, headers, client, client_ip: src.clone() };
    let response = walk.deliver(&ip, port, &node, &src)?;
    Ok(Exchange { host, ip, port, response })
}
