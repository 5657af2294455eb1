//! Services (with the endpoints of their EndpointSlices), Endpoints, EndpointSlices and Ingresses as
//! `kubectl describe` prints them.

use std::collections::BTreeSet;

use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::IngressBackend;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::Env;
use super::writer::{Writer, format_map};
use crate::api::labels::Selector;
use crate::api::{Kind, Object};

/// The EndpointSlices of a service (`kubernetes.io/service-name=<name>`).
fn slices(env: &mut Env<'_>, ns: &str, service: &str) -> Vec<EndpointSlice> {
    let sel = Selector::parse(&format!("kubernetes.io/service-name={service}")).ok();
    env.list(Kind::EndpointSlice, Some(ns), sel)
        .into_iter()
        .filter_map(|o| match o {
            Object::EndpointSlice(s) => Some((*s).clone()),
            _ => None,
        })
        .collect()
}

/// `formatEndpointSlices`: the first three ready `ip:port` of the named port, then `+ N more...`.
fn format_slices(slices: &[EndpointSlice], port_name: &str) -> String {
    if slices.is_empty() {
        return "<none>".into();
    }
    const MAX: usize = 3;
    let mut list: Vec<String> = Vec::new();
    let (mut more, mut count) = (false, 0usize);
    for s in slices {
        let ports = s.ports.as_deref().unwrap_or_default();
        let targets: Vec<Option<i32>> = if ports.is_empty() {
            vec![None]
        } else {
            ports.iter().filter(|p| p.name.as_deref().unwrap_or("") == port_name).map(|p| p.port).collect()
        };
        for port in targets {
            for e in s.endpoints.iter().flatten() {
                if list.len() == MAX {
                    more = true;
                }
                if e.conditions.as_ref().and_then(|c| c.ready) == Some(false) {
                    continue;
                }
                if !more {
                    let addr = e.addresses.first().cloned().unwrap_or_default();
                    list.push(match (port, ports.is_empty()) {
                        (Some(p), false) if addr.contains(':') => format!("[{addr}]:{p}"),
                        (Some(p), false) => format!("{addr}:{p}"),
                        _ => addr,
                    });
                }
                count += 1;
            }
        }
    }
    let joined = list.join(",");
    if more { format!("{joined} + {} more...", count - MAX) } else { joined }
}

fn head(w: &mut Writer, obj: &Object) {
    w.write(0, &format!("Name:\t{}\n", obj.name()));
    w.write(0, &format!("Namespace:\t{}\n", obj.namespace().unwrap_or("")));
    w.labels("Labels", obj.meta().labels.as_ref());
    w.annotations("Annotations", obj.meta().annotations.as_ref());
}

fn unset(s: Option<&str>) -> String {
    s.filter(|s| !s.is_empty()).unwrap_or("<unset>").to_string()
}

pub fn describe(env: &mut Env<'_>, obj: &Object) -> String {
    let mut w = Writer::new(env.now_ms);
    let ns = obj.namespace().unwrap_or("").to_string();
    match obj {
        Object::Service(svc) => {
            let spec = svc.spec.clone().unwrap_or_default();
            head(&mut w, obj);
            w.write(0, &format!("Selector:\t{}\n", format_map(spec.selector.as_ref())));
            w.write(0, &format!("Type:\t{}\n", spec.type_.as_deref().unwrap_or("")));
            if let Some(p) = &spec.ip_family_policy {
                w.write(0, &format!("IP Family Policy:\t{p}\n"));
            }
            let families = spec.ip_families.clone().unwrap_or_default();
            let families = if families.is_empty() { "<none>".to_string() } else { families.join(",") };
            w.write(0, &format!("IP Families:\t{families}\n"));
            w.write(0, &format!("IP:\t{}\n", spec.cluster_ip.as_deref().unwrap_or("")));
            let ips = spec.cluster_ips.clone().unwrap_or_default();
            w.write(0, &format!("IPs:\t{}\n", if ips.is_empty() { "<none>".to_string() } else { ips.join(",") }));
            if let Some(e) = spec.external_ips.as_ref().filter(|e| !e.is_empty()) {
                w.write(0, &format!("External IPs:\t{}\n", e.join(",")));
            }
            if let Some(ip) = spec.load_balancer_ip.as_deref().filter(|s| !s.is_empty()) {
                w.write(0, &format!("Desired LoadBalancer IP:\t{ip}\n"));
            }
            if let Some(n) = spec.external_name.as_deref().filter(|s| !s.is_empty()) {
                w.write(0, &format!("External Name:\t{n}\n"));
            }
            let lb: BTreeSet<String> = svc
                .status
                .as_ref()
                .and_then(|s| s.load_balancer.as_ref())
                .and_then(|l| l.ingress.as_ref())
                .into_iter()
                .flatten()
                .filter_map(|i| i.ip.clone().or_else(|| i.hostname.clone()))
                .collect();
            if !lb.is_empty() {
                w.write(0, &format!("LoadBalancer Ingress:\t{}\n", lb.into_iter().collect::<Vec<_>>().join(", ")));
            }
            let eps = slices(env, &ns, obj.name());
            for p in spec.ports.iter().flatten() {
                let proto = p.protocol.as_deref().unwrap_or("TCP");
                let raw_name = p.name.as_deref().unwrap_or("");
                let name = unset(Some(raw_name));
                w.write(0, &format!("Port:\t{name}\t{}/{proto}\n", p.port));
                let target = match &p.target_port {
                    Some(IntOrString::Int(i)) => i.to_string(),
                    Some(IntOrString::String(s)) => s.clone(),
                    None => "0".into(),
                };
                w.write(0, &format!("TargetPort:\t{target}/{proto}\n"));
                if let Some(ap) = &p.app_protocol {
                    w.write(0, &format!("AppProtocol:\t{ap}\n"));
                }
                if let Some(np) = p.node_port.filter(|n| *n != 0) {
                    w.write(0, &format!("NodePort:\t{name}\t{np}/{proto}\n"));
                }
                w.write(0, &format!("Endpoints:\t{}\n", format_slices(&eps, raw_name)));
            }
            w.write(0, &format!("Session Affinity:\t{}\n", spec.session_affinity.as_deref().unwrap_or("")));
            if let Some(p) = spec.external_traffic_policy.as_deref().filter(|s| !s.is_empty()) {
                w.write(0, &format!("External Traffic Policy:\t{p}\n"));
            }
            if let Some(p) = &spec.internal_traffic_policy {
                w.write(0, &format!("Internal Traffic Policy:\t{p}\n"));
            }
            if let Some(h) = spec.health_check_node_port.filter(|h| *h != 0) {
                w.write(0, &format!("HealthCheck NodePort:\t{h}\n"));
            }
            if let Some(r) = spec.load_balancer_source_ranges.as_ref().filter(|r| !r.is_empty()) {
                w.write(0, &format!("LoadBalancer Source Ranges:\t{}\n", r.join(",")));
            }
            if let Some(t) = &spec.traffic_distribution {
                w.write(0, &format!("Traffic Distribution:\t{t}\n"));
            }
        }
        Object::Endpoints(ep) => {
            head(&mut w, obj);
            w.write(0, "Subsets:\n");
            for s in ep.subsets.iter().flatten() {
                let ips = |a: &Option<Vec<k8s_openapi::api::core::v1::EndpointAddress>>| {
                    let v: Vec<String> = a.iter().flatten().map(|a| a.ip.clone()).collect();
                    if v.is_empty() { "<none>".to_string() } else { v.join(",") }
                };
                w.write(1, &format!("Addresses:\t{}\n", ips(&s.addresses)));
                w.write(1, &format!("NotReadyAddresses:\t{}\n", ips(&s.not_ready_addresses)));
                if let Some(ports) = s.ports.as_ref().filter(|p| !p.is_empty()) {
                    w.write(1, "Ports:\n");
                    w.write(2, "Name\tPort\tProtocol\n");
                    w.write(2, "----\t----\t--------\n");
                    for p in ports {
                        let name = unset(p.name.as_deref());
                        w.write(2, &format!("{name}\t{}\t{}\n", p.port, p.protocol.as_deref().unwrap_or("")));
                    }
                }
                w.write(0, "\n");
            }
        }
        Object::EndpointSlice(eps) => {
            head(&mut w, obj);
            w.write(0, &format!("AddressType:\t{}\n", eps.address_type));
            let ports = eps.ports.as_deref().unwrap_or_default();
            if ports.is_empty() {
                w.write(0, "Ports: <unset>\n");
            } else {
                w.write(0, "Ports:\n");
                w.write(1, "Name\tPort\tProtocol\n");
                w.write(1, "----\t----\t--------\n");
                for p in ports {
                    let port = p.port.map_or("<unset>".to_string(), |p| p.to_string());
                    w.write(
                        1,
                        &format!("{}\t{port}\t{}\n", unset(p.name.as_deref()), p.protocol.as_deref().unwrap_or("")),
                    );
                }
            }
            let endpoints = eps.endpoints.as_deref().unwrap_or_default();
            if endpoints.is_empty() {
                w.write(0, "Endpoints: <none>\n");
            } else {
                w.write(0, "Endpoints:\n");
                for e in endpoints {
                    let addrs = if e.addresses.is_empty() { "<none>".to_string() } else { e.addresses.join(", ") };
                    w.write(1, &format!("- Addresses:\t{addrs}\n"));
                    w.write(2, "Conditions:\n");
                    let ready = e.conditions.as_ref().and_then(|c| c.ready).map(|r| r.to_string());
                    w.write(3, &format!("Ready:\t{}\n", unset(ready.as_deref())));
                    w.write(2, &format!("Hostname:\t{}\n", e.hostname.as_deref().unwrap_or("<unset>")));
                    if let Some(t) = &e.target_ref {
                        w.write(
                            2,
                            &format!(
                                "TargetRef:\t{}/{}\n",
                                t.kind.as_deref().unwrap_or(""),
                                t.name.as_deref().unwrap_or("")
                            ),
                        );
                    }
                    w.write(2, &format!("NodeName:\t{}\n", e.node_name.as_deref().unwrap_or("<unset>")));
                    w.write(2, &format!("Zone:\t{}\n", e.zone.as_deref().unwrap_or("<unset>")));
                }
            }
        }
        Object::Ingress(ing) => {
            let spec = ing.spec.clone().unwrap_or_default();
            w.write(0, &format!("Name:\t{}\n", obj.name()));
            w.labels("Labels", obj.meta().labels.as_ref());
            w.write(0, &format!("Namespace:\t{ns}\n"));
            let addrs: BTreeSet<String> = ing
                .status
                .as_ref()
                .and_then(|s| s.load_balancer.as_ref())
                .and_then(|l| l.ingress.as_ref())
                .into_iter()
                .flatten()
                .filter_map(|i| i.ip.clone().or_else(|| i.hostname.clone()))
                .collect();
            w.write(0, &format!("Address:\t{}\n", addrs.into_iter().collect::<Vec<_>>().join(",")));
            w.write(0, &format!("Ingress Class:\t{}\n", spec.ingress_class_name.as_deref().unwrap_or("<none>")));
            let default = match &spec.default_backend {
                Some(b) => backend(env, &ns, b),
                None => "<default>".to_string(),
            };
            w.write(0, &format!("Default backend:\t{default}\n"));
            if let Some(tls) = spec.tls.as_ref().filter(|t| !t.is_empty()) {
                w.write(0, "TLS:\n");
                for t in tls {
                    let hosts = t.hosts.clone().unwrap_or_default().join(",");
                    match t.secret_name.as_deref().filter(|s| !s.is_empty()) {
                        None => w.write(1, &format!("SNI routes {hosts}\n")),
                        Some(s) => w.write(1, &format!("{s} terminates {hosts}\n")),
                    }
                }
            }
            w.write(0, "Rules:\n  Host\tPath\tBackends\n");
            w.write(1, "----\t----\t--------\n");
            let mut count = 0;
            for r in spec.rules.iter().flatten() {
                let Some(http) = &r.http else { continue };
                count += 1;
                let host = r.host.as_deref().filter(|h| !h.is_empty()).unwrap_or("*");
                w.write(1, &format!("{host}\t\n"));
                for p in &http.paths {
                    let b = backend(env, &ns, &p.backend);
                    w.write(2, &format!("\t{} \t{b}\n", p.path.as_deref().unwrap_or("")));
                }
            }
            if count == 0 {
                w.write(1, &format!("*\t*\t{default}\n"));
            }
            w.annotations("Annotations", obj.meta().annotations.as_ref());
        }
        _ => {}
    }
    if let Some(events) = env.events(obj) {
        w.events(&events);
    }
    w.finish()
}

/// `describeBackendV1`: `service:port (endpoints)`, or the resource backend.
fn backend(env: &mut Env<'_>, ns: &str, b: &IngressBackend) -> String {
    if let Some(s) = &b.service {
        let port = s.port.as_ref();
        let number = port.and_then(|p| p.number).unwrap_or(0);
        let pname = port.and_then(|p| p.name.clone()).unwrap_or_default();
        let shown = if number != 0 { number.to_string() } else { pname.clone() };
        let text = format!("{}:{shown}", s.name);
        let who = env.who.clone();
        let svc = match env.api.get(&who, Kind::Service, Some(ns), &s.name) {
            Ok(Object::Service(svc)) => svc,
            Ok(_) => return text,
            Err(e) => return format!("{text} (<error: {}>)", e.message),
        };
        let mut sp_name = String::new();
        for sp in svc.spec.as_ref().and_then(|s| s.ports.as_ref()).into_iter().flatten() {
            let name = sp.name.clone().unwrap_or_default();
            if (number != 0 && number == sp.port) || (!pname.is_empty() && pname == name) {
                sp_name = name;
            }
        }
        let eps = slices(env, ns, &s.name);
        return format!("{text} ({})", format_slices(&eps, &sp_name));
    }
    if let Some(r) = &b.resource {
        return format!("APIGroup: {}, Kind: {}, Name: {}", r.api_group.as_deref().unwrap_or("<none>"), r.kind, r.name);
    }
    String::new()
}
