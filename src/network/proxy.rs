//! kube-proxy of one node (iptables mode): it watches Services and EndpointSlices, learns its node's
//! address and the cluster CIDR, and on each change rewrites the rules of the one Service that
//! changed (upstream's change trackers and partial sync), recording a sync decision in the trace.
//! Its rules are readable through a shared handle (`rules()`), which the request path walks and
//! `iptables-save` renders.

use std::sync::Arc;

use k8s_openapi::api::discovery::v1::EndpointSlice;

use super::ServiceWatch;
use super::rules::{RuleTable, service_rules};
use crate::api::{Kind, Object};
use crate::apiserver::{ApiServer, Identity, WatchEvent};
use crate::client::{Ctx, Process};
use crate::sim::trace::{Component, Entry, EntryKind, ObjectRef};

/// kubeadm's `clusterCIDR` (the pod network), which decides what kube-proxy masquerades.
pub const CLUSTER_CIDR: &str = "10.244.0.0/16";

/// The kube-proxy process of one node.
#[derive(Debug)]
pub struct KubeProxy {
    node: Arc<str>,
    who: Identity,
    watch: ServiceWatch,
    table: RuleTable,
}

impl KubeProxy {
    pub fn new(node: &str) -> Self {
        let node: Arc<str> = Arc::from(node);
        let who = Identity::component(Component::KubeProxy(node.clone()), "system:kube-proxy", &[]);
        KubeProxy { node, who, watch: ServiceWatch::default(), table: RuleTable::default() }
    }

    /// The node's rules, shared read-only with the network.
    pub fn rules(&self) -> RuleTable {
        self.table.clone()
    }

    pub fn node(&self) -> &str {
        &self.node
    }

    /// Rewrites the rules of the Service `ns/name` from the caches.
    fn sync_service(&mut self, ns: &str, name: &str, api: &mut ApiServer) {
        let slices: Vec<&EndpointSlice> = self.watch.slices_of(ns, name).collect();
        let rules = self.watch.service(ns, name).map(|svc| service_rules(svc, &slices)).unwrap_or_default();
        let endpoints: usize = rules.iter().map(|r| r.usable().len()).sum();
        let mut table = self.table.lock();
        let before: Vec<_> = table.ports.values().filter(|r| r.namespace == ns && r.service == name).cloned().collect();
        if before == rules {
            return;
        }
        let ports = rules.len();
        table.set_service(ns, name, rules);
        drop(table);
        let me = Component::KubeProxy(self.node.clone());
        let object = ObjectRef::new("Service", ns, name);
        api.record(
            Entry::new(me.clone(), me, EntryKind::Decision, "sync", object)
                .note(format!("iptables rules for {ports} port(s), {endpoints} endpoint(s)")),
        );
    }

    fn learn_node(&mut self, api: &ApiServer) {
        let Some(Object::Node(node)) = api.peek(Kind::Node, None, &self.node) else { return };
        let ip = node
            .status
            .as_ref()
            .and_then(|s| s.addresses.as_ref())
            .and_then(|a| a.iter().find(|a| a.type_ == "InternalIP"))
            .map(|a| a.address.clone())
            .unwrap_or_default();
        let mut table = self.table.lock();
        table.node = self.node.to_string();
        table.node_ip = ip;
        table.cluster_cidr = CLUSTER_CIDR.to_string();
        table.pod_cidr = node.spec.as_ref().and_then(|s| s.pod_cidr.clone()).unwrap_or_default();
    }
}

impl Process for KubeProxy {
    fn component(&self) -> Component {
        Component::KubeProxy(self.node.clone())
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        self.learn_node(ctx.api);
        let mut touched = self.watch.start(&self.who, ctx);
        // Services that vanished while it was stopped.
        touched.extend(self.table.lock().ports.values().map(|r| (r.namespace.clone(), r.service.clone())));
        touched.sort();
        touched.dedup();
        for (ns, name) in touched {
            self.sync_service(&ns, &name, ctx.api);
        }
    }

    fn stop(&mut self, api: &mut ApiServer) {
        // The rules stay in the kernel while kube-proxy is down.
        self.watch.stop(api);
    }

    fn on_events(&mut self, events: &[WatchEvent], ctx: &mut Ctx<'_>) {
        for (ns, name) in self.watch.handle(events) {
            self.sync_service(&ns, &name, ctx.api);
        }
    }

    fn on_timer(&mut self, _token: u64, _ctx: &mut Ctx<'_>) {}
}
