//! A simulated ingress-nginx controller. Starting it applies its install manifest (namespace
//! `ingress-nginx`, IngressClass `nginx` with controller `k8s.io/ingress-nginx`, marked default as
//! minikube's addon does, and its RBAC); it runs host-networked on one node, whose address it
//! publishes in every Ingress's status. Its routes follow nginx's server and location choice: the
//! server of the request's host (exact, then `*.` wildcard) else the catch-all of host-less rules;
//! within it an `Exact` path, else the longest `Prefix` by path elements (`ImplementationSpecific`
//! counts as `Prefix`); no match is the default backend (an Ingress's `defaultBackend`) or nginx's own
//! 404 page. Backends are load-balanced round-robin over the Service's ready endpoints; a Service
//! without endpoints is a 503.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use k8s_openapi::api::networking::v1::{Ingress, IngressBackend};
use serde_json::json;

use super::answer::{HttpResponse, nginx_error_page};
use super::rules::EndpointInfo;
use crate::api::{Kind, Object};
use crate::apiserver::{ApiServer, Identity, ListOptions, Reason, WatchEvent, WriteOptions};
use crate::client::{Ctx, Informer, Process};
use crate::sim::trace::{Component, Entry, EntryKind, ObjectRef};

pub const NAMESPACE: &str = "ingress-nginx";
pub const CLASS: &str = "nginx";
pub const CONTROLLER: &str = "k8s.io/ingress-nginx";

/// Where a matching rule sends a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backend {
    pub namespace: String,
    pub service: String,
    pub port_number: Option<i32>,
    pub port_name: Option<String>,
}

impl Backend {
    /// Whether a service port (number and name) is the one this backend names.
    pub fn matches(&self, port: i32, name: &str) -> bool {
        match (&self.port_number, &self.port_name) {
            (Some(n), _) => *n == port,
            (None, Some(p)) => p == name,
            (None, None) => true,
        }
    }

    fn key(&self) -> String {
        format!("{}/{}:{:?}{:?}", self.namespace, self.service, self.port_number, self.port_name)
    }

    fn from(ns: &str, b: &IngressBackend) -> Option<Backend> {
        let svc = b.service.as_ref()?;
        let port = svc.port.as_ref();
        Some(Backend {
            namespace: ns.to_string(),
            service: svc.name.clone(),
            port_number: port.and_then(|p| p.number),
            port_name: port.and_then(|p| p.name.clone()),
        })
    }
}

/// The outcome of routing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Backend(Backend),
    NotFound,
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Route::Backend(b) => write!(f, "{}/{}", b.namespace, b.service),
            Route::NotFound => f.write_str("404 (no rule)"),
        }
    }
}

#[derive(Debug, Clone)]
struct PathRule {
    path: String,
    exact: bool,
    backend: Backend,
}

#[derive(Debug, Default)]
struct State {
    node: String,
    /// Host ("" for host-less rules) → paths.
    servers: BTreeMap<String, Vec<PathRule>>,
    default_backend: Option<Backend>,
    next: BTreeMap<String, usize>,
}

/// The controller's routes, shared with the network.
#[derive(Debug, Clone, Default)]
pub struct IngressTable(Arc<Mutex<State>>);

fn prefix_matches(rule: &str, path: &str) -> bool {
    let rule = rule.trim_end_matches('/');
    rule.is_empty() || path == rule || path.strip_prefix(rule).is_some_and(|rest| rest.starts_with('/'))
}

impl IngressTable {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The node the controller runs on (its address is the Ingresses' address).
    pub fn node(&self) -> String {
        self.lock().node.clone()
    }

    /// nginx's choice of server and location for `host` and `path`.
    pub fn route(&self, host: &str, path: &str) -> Route {
        let st = self.lock();
        let host = host.to_ascii_lowercase();
        let wildcard = host.split_once('.').map(|(_, rest)| format!("*.{rest}"));
        let server = st
            .servers
            .get(&host)
            .or_else(|| wildcard.as_ref().and_then(|w| st.servers.get(w)))
            .or_else(|| st.servers.get(""));
        let chosen = server.and_then(|paths| {
            paths.iter().find(|p| p.exact && p.path == path).or_else(|| {
                paths.iter().filter(|p| !p.exact && prefix_matches(&p.path, path)).max_by_key(|p| p.path.len())
            })
        });
        match (chosen, &st.default_backend) {
            (Some(p), _) => Route::Backend(p.backend.clone()),
            (None, Some(b)) => Route::Backend(b.clone()),
            (None, None) => Route::NotFound,
        }
    }

    /// Round robin over `endpoints` for `backend`.
    pub fn next_endpoint(&self, backend: &Backend, endpoints: &[EndpointInfo]) -> Option<EndpointInfo> {
        if endpoints.is_empty() {
            return None;
        }
        let mut st = self.lock();
        let i = st.next.entry(backend.key()).or_insert(0);
        let ep = endpoints.get(*i % endpoints.len()).cloned();
        *i = i.wrapping_add(1);
        ep
    }

    pub fn not_found(&self) -> HttpResponse {
        HttpResponse::page(404, "Not Found", nginx_error_page(404, "Not Found"), None)
    }

    pub fn unavailable(&self) -> HttpResponse {
        let reason = "Service Temporarily Unavailable";
        HttpResponse::page(503, reason, nginx_error_page(503, reason), None)
    }
}

/// Whether this controller serves `ing`: class `nginx`, or no class (the default class is ours).
fn ours(ing: &Ingress) -> bool {
    let class = ing
        .spec
        .as_ref()
        .and_then(|s| s.ingress_class_name.clone())
        .or_else(|| ing.metadata.annotations.as_ref().and_then(|a| a.get("kubernetes.io/ingress.class").cloned()));
    class.is_none_or(|c| c == CLASS)
}

/// The ingress-nginx controller process.
#[derive(Debug)]
pub struct IngressNginx {
    node: String,
    who: Identity,
    ingresses: Informer,
    table: IngressTable,
}

impl IngressNginx {
    /// The controller, host-networked on `node`.
    pub fn new(node: &str) -> Self {
        let who = Identity::component(
            Component::ControllerManager("ingress-nginx"),
            format!("system:serviceaccount:{NAMESPACE}:ingress-nginx"),
            &[],
        );
        let table = IngressTable::default();
        table.lock().node = node.to_string();
        IngressNginx {
            node: node.to_string(),
            who,
            ingresses: Informer::new(Kind::Ingress, None, ListOptions::default()),
            table,
        }
    }

    pub fn table(&self) -> IngressTable {
        self.table.clone()
    }

    /// Applies the install manifest (as the cluster admin would), ignoring what already exists.
    fn install(&self, api: &mut ApiServer) {
        let admin = Identity::admin();
        let objects = [
            (
                Kind::Namespace,
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE, "labels": {"app.kubernetes.io/name": "ingress-nginx"}}}),
            ),
            (
                Kind::ServiceAccount,
                json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "ingress-nginx", "namespace": NAMESPACE}}),
            ),
            (
                Kind::ClusterRole,
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "ingress-nginx"},
                "rules": [{"apiGroups": [""], "resources": ["services", "endpoints", "pods", "nodes", "configmaps", "secrets"], "verbs": ["get", "list", "watch"]},
                          {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": ["get", "list", "watch"]},
                          {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses", "ingressclasses"], "verbs": ["get", "list", "watch", "update"]},
                          {"apiGroups": [""], "resources": ["events"], "verbs": ["create", "patch"]}]}),
            ),
            (
                Kind::ClusterRoleBinding,
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "ingress-nginx"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "ingress-nginx"},
                "subjects": [{"kind": "ServiceAccount", "name": "ingress-nginx", "namespace": NAMESPACE}]}),
            ),
            (
                Kind::IngressClass,
                json!({"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
                "metadata": {"name": CLASS, "labels": {"app.kubernetes.io/component": "controller"}, "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}},
                "spec": {"controller": CONTROLLER}}),
            ),
        ];
        for (kind, v) in objects {
            if let Ok(obj) = Object::from_value(kind, v) {
                match api.create(&admin, obj, &WriteOptions::default()) {
                    Ok(_) => {}
                    Err(e) if e.reason == Reason::AlreadyExists => {}
                    Err(_) => {}
                }
            }
        }
    }

    fn node_ip(&self, api: &ApiServer) -> String {
        match api.peek(Kind::Node, None, &self.node) {
            Some(Object::Node(n)) => n
                .status
                .as_ref()
                .and_then(|s| s.addresses.as_ref())
                .and_then(|a| a.iter().find(|a| a.type_ == "InternalIP"))
                .map(|a| a.address.clone())
                .unwrap_or_default(),
            _ => String::new(),
        }
    }

    /// Rebuilds the routes and publishes the address in each Ingress's status.
    fn sync(&mut self, api: &mut ApiServer) {
        let mut servers: BTreeMap<String, Vec<PathRule>> = BTreeMap::new();
        let mut default_backend = None;
        let mut stale = Vec::new();
        let ip = self.node_ip(api);
        for o in self.ingresses.cache().iter() {
            let Object::Ingress(ing) = o else { continue };
            if !ours(ing) || ing.metadata.deletion_timestamp.is_some() {
                continue;
            }
            let ns = ing.metadata.namespace.clone().unwrap_or_default();
            let spec = ing.spec.as_ref();
            if let Some(b) = spec.and_then(|s| s.default_backend.as_ref()).and_then(|b| Backend::from(&ns, b)) {
                default_backend.get_or_insert(b);
            }
            for rule in spec.and_then(|s| s.rules.as_ref()).into_iter().flatten() {
                let host = rule.host.clone().unwrap_or_default().to_ascii_lowercase();
                for p in rule.http.iter().flat_map(|h| h.paths.iter()) {
                    let Some(backend) = Backend::from(&ns, &p.backend) else { continue };
                    servers.entry(host.clone()).or_default().push(PathRule {
                        path: p.path.clone().unwrap_or_else(|| "/".into()),
                        exact: p.path_type == "Exact",
                        backend,
                    });
                }
            }
            let published = ing
                .status
                .as_ref()
                .and_then(|s| s.load_balancer.as_ref())
                .and_then(|l| l.ingress.as_ref())
                .and_then(|i| i.first())
                .and_then(|i| i.ip.clone());
            if published.as_deref() != Some(ip.as_str()) && !ip.is_empty() {
                stale.push(o.clone());
            }
        }
        {
            let mut st = self.table.lock();
            st.servers = servers;
            st.default_backend = default_backend;
        }
        for o in stale {
            let mut v = o.to_value();
            v["status"] = json!({"loadBalancer": {"ingress": [{"ip": ip}]}});
            let Ok(next) = Object::from_value(Kind::Ingress, v) else { continue };
            if api.update_status(&self.who, next).is_ok() {
                let me = Component::ControllerManager("ingress-nginx");
                let object = ObjectRef::new("Ingress", o.namespace().unwrap_or(""), o.name());
                api.record(
                    Entry::new(me.clone(), me, EntryKind::Decision, "sync", object).note(format!("address {ip}")),
                );
            }
        }
    }
}

impl Process for IngressNginx {
    fn component(&self) -> Component {
        Component::ControllerManager("ingress-nginx")
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        self.install(ctx.api);
        let _ = self.ingresses.start(ctx.api, &self.who);
        if let Some(id) = self.ingresses.watch_id() {
            ctx.own_watch(id);
        }
        self.sync(ctx.api);
    }

    fn stop(&mut self, api: &mut ApiServer) {
        self.ingresses.stop(api);
    }

    fn on_events(&mut self, events: &[WatchEvent], ctx: &mut Ctx<'_>) {
        let mut changed = false;
        for ev in events {
            changed |= self.ingresses.handle(ev).is_some();
        }
        if changed {
            self.sync(ctx.api);
        }
    }

    fn on_timer(&mut self, _token: u64, _ctx: &mut Ctx<'_>) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_matching_by_elements() {
        assert!(prefix_matches("/", "/anything"));
        assert!(prefix_matches("/foo", "/foo"));
        assert!(prefix_matches("/foo/", "/foo/bar"));
        assert!(!prefix_matches("/foo", "/foobar"));
    }
}
