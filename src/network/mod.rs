//! The cluster network: kube-proxy on every node (its configuration from the `kube-proxy` ConfigMap;
//! iptables- or ipvs-mode rules from Services and EndpointSlices; `iptables-save -t nat`,
//! `ipvsadm -Ln`), CoreDNS (Service, headless and StatefulSet records, the pod's resolv.conf,
//! busybox's `nslookup`), the ingress-nginx controller, and the request path that carries
//! `wget`/`curl` from a pod through DNS, the client node's rules and the pod network to the endpoint
//! pod, whose image answers. The container shell reaches all this through
//! `kubelet::shell::NetworkAccess`, implemented here by `PodNetwork`.
//!
//! Processes (`KubeProxy`, `CoreDns`, `IngressNginx`) act only through the api-server; what they
//! program (rules, records, routes) is kept behind shared handles, gathered in `Network`, which the
//! request path reads as packets would meet it.

pub mod answer;
pub mod dns;
pub mod hash;
pub mod http;
pub mod ingress;
pub mod iptables;
pub mod ipvs;
pub mod ipvsadm;
pub mod proxy;
pub mod proxy_config;
pub mod proxy_log;
pub mod rules;
pub mod shell;

#[cfg(test)]
mod ipvs_tests;
#[cfg(test)]
mod ipvsadm_tests;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

pub use answer::HttpResponse;
pub use dns::{CoreDns, DnsTable};
pub use http::{Exchange, HttpRequest, NetError, http_request};
pub use ingress::{IngressNginx, IngressTable};
pub use proxy::{Container, KubeProxy};
pub use rules::RuleTable;
pub use shell::PodNetwork;

use crate::api::{Kind, Object};
use crate::apiserver::{ApiServer, Identity, WatchEvent};
use crate::client::{Ctx, Informer};
use crate::kubelet::images::Catalog;

/// The handles the request path reads: every node's kube-proxy rules, CoreDNS's records and the
/// ingress controller's routes.
#[derive(Debug, Clone, Default)]
pub struct Network {
    /// Rules by node name.
    pub proxies: BTreeMap<String, RuleTable>,
    pub dns: DnsTable,
    pub ingress: Option<IngressTable>,
    /// The registry's images, so that a request knows what a container's image serves.
    pub catalog: Catalog,
}

impl Network {
    /// The node that has the address `ip` (its InternalIP or its pod bridge's).
    pub fn node_with_ip(&self, ip: &str) -> Option<String> {
        self.proxies.iter().find(|(_, t)| t.lock().node_addresses().iter().any(|a| a == ip)).map(|(n, _)| n.clone())
    }
}

/// Whether `s` is a dotted IPv4 address.
pub fn is_ipv4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4 && parts.iter().all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u8>().is_ok())
}

const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

/// The Service an object belongs to: a Service itself, or the one an EndpointSlice is labelled with.
fn service_of(obj: &Object) -> Option<(String, String)> {
    let ns = obj.namespace().unwrap_or("").to_string();
    match obj {
        Object::Service(_) => Some((ns, obj.name().to_string())),
        Object::EndpointSlice(s) => s.metadata.labels.as_ref()?.get(SERVICE_NAME_LABEL).map(|n| (ns, n.clone())),
        _ => None,
    }
}

/// Informers over Services and EndpointSlices, reporting which Services changed; kube-proxy and
/// CoreDNS both run one.
#[derive(Debug)]
pub struct ServiceWatch {
    pub services: Informer,
    pub slices: Informer,
}

impl Default for ServiceWatch {
    fn default() -> Self {
        ServiceWatch {
            services: Informer::new(Kind::Service, None, Default::default()),
            slices: Informer::new(Kind::EndpointSlice, None, Default::default()).index_by_label(),
        }
    }
}

impl ServiceWatch {
    /// Lists and watches; returns the Services seen.
    pub fn start(&mut self, who: &Identity, ctx: &mut Ctx<'_>) -> Vec<(String, String)> {
        let mut touched = Vec::new();
        for inf in [&mut self.services, &mut self.slices] {
            for d in inf.start(ctx.api, who).unwrap_or_default() {
                touched.extend(service_of(d.object()));
            }
            if let Some(id) = inf.watch_id() {
                ctx.own_watch(id);
            }
        }
        touched.sort();
        touched.dedup();
        touched
    }

    pub fn stop(&mut self, api: &mut ApiServer) {
        self.services.stop(api);
        self.slices.stop(api);
    }

    /// Applies notifications; returns the Services they touched, each once.
    pub fn handle(&mut self, events: &[WatchEvent]) -> Vec<(String, String)> {
        let mut touched = Vec::new();
        for ev in events {
            let delta = self.services.handle(ev).or_else(|| self.slices.handle(ev));
            touched.extend(delta.as_ref().and_then(|d| service_of(d.object())));
        }
        touched.sort();
        touched.dedup();
        touched
    }

    /// The EndpointSlices of the Service `ns/name`.
    pub fn slices_of<'a>(
        &'a self,
        ns: &'a str,
        name: &str,
    ) -> impl Iterator<Item = &'a k8s_openapi::api::discovery::v1::EndpointSlice> + 'a {
        self.slices.cache().labelled(SERVICE_NAME_LABEL, name).filter_map(move |o| match o {
            Object::EndpointSlice(s) if s.metadata.namespace.as_deref() == Some(ns) => Some(&**s),
            _ => None,
        })
    }

    /// The Service `ns/name` from the cache.
    pub fn service(&self, ns: &str, name: &str) -> Option<&k8s_openapi::api::core::v1::Service> {
        match self.services.cache().get(&format!("{ns}/{name}")) {
            Some(Object::Service(s)) => Some(s),
            _ => None,
        }
    }
}
