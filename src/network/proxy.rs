//! kube-proxy of one node. When it starts it reads its configuration file (the `kube-proxy`
//! ConfigMap, see `proxy_config`), writes its startup lines to its container's log, takes over the
//! node's rules in the configured mode (iptables or ipvs; nftables is accepted but programs the
//! iptables model, as nftables rules are not simulated), then watches Services and EndpointSlices,
//! learns its node's addresses, and on each change rewrites the rules of the one Service that changed
//! (upstream's change trackers and partial sync), recording a sync decision in the trace. The rules
//! outlive the process (they are the kernel's): they sit behind a shared handle which the request
//! path walks, `iptables-save` renders and `ipvsadm` lists. A restarted kube-proxy is a new process
//! over the same rules.

use std::sync::Arc;

use k8s_openapi::api::discovery::v1::EndpointSlice;

use super::ServiceWatch;
use super::proxy_config::{ProxyConfig, ProxyMode};
use super::proxy_log;
use super::rules::{RuleTable, service_rules};
use crate::api::quantity::Quantity;
use crate::api::{Kind, Object};
use crate::apiserver::{ApiServer, Identity, WatchEvent};
use crate::client::{Ctx, EventKind, Process, Recorder};
use crate::kubelet::ContainerLog;
use crate::sim::trace::{Component, Entry, EntryKind, ObjectRef};

/// The container a kube-proxy process runs in: where its stdout goes, and its image's version.
#[derive(Debug, Clone)]
pub struct Container {
    pub log: ContainerLog,
    pub version: String,
}

/// The kube-proxy process of one node.
#[derive(Debug)]
pub struct KubeProxy {
    node: Arc<str>,
    who: Identity,
    watch: ServiceWatch,
    table: RuleTable,
    container: Option<Container>,
    /// The mode read at start; None when the configuration was refused (nothing is programmed).
    mode: Option<ProxyMode>,
    recorder: Recorder,
}

impl KubeProxy {
    /// kube-proxy of `node`, programming `table`.
    pub fn new(node: &str, table: RuleTable) -> Self {
        let node: Arc<str> = Arc::from(node);
        let who = Identity::component(Component::KubeProxy(node.clone()), "system:kube-proxy", &[]);
        let recorder = Recorder::new("kube-proxy", Some(&node), who.clone());
        KubeProxy { node, who, watch: ServiceWatch::default(), table, container: None, mode: None, recorder }
    }

    /// The same, running in `container`, whose log gets its startup lines.
    pub fn in_container(node: &str, table: RuleTable, container: Container) -> Self {
        KubeProxy { container: Some(container), ..Self::new(node, table) }
    }

    fn record(&self, api: &mut ApiServer, verb: &'static str, object: ObjectRef, note: String) {
        let me = Component::KubeProxy(self.node.clone());
        api.record(Entry::new(me.clone(), me, EntryKind::Decision, verb, object).note(note));
    }

    /// Rewrites the rules of the Service `ns/name` from the caches; `always` records the sync even
    /// when the rules are unchanged (a new mode reprograms everything).
    fn sync_service(&mut self, ns: &str, name: &str, always: bool, api: &mut ApiServer) {
        let Some(mode) = self.mode else { return };
        let slices: Vec<&EndpointSlice> = self.watch.slices_of(ns, name).collect();
        let rules = self.watch.service(ns, name).map(|svc| service_rules(svc, &slices)).unwrap_or_default();
        let endpoints: usize = rules.iter().map(|r| r.usable().len()).sum();
        let mut table = self.table.lock();
        let before: Vec<_> = table.ports.values().filter(|r| r.namespace == ns && r.service == name).cloned().collect();
        if before == rules && (!always || rules.is_empty()) {
            return;
        }
        let ports = rules.len();
        table.set_service(ns, name, rules);
        drop(table);
        let what = match mode {
            ProxyMode::Ipvs => "ipvs virtual servers",
            ProxyMode::IpTables => "iptables rules",
            ProxyMode::NfTables => "iptables rules (nftables is not simulated)",
        };
        let note = format!("{what} for {ports} port(s), {endpoints} endpoint(s)");
        self.record(api, "sync", ObjectRef::new("Service", ns, name), note);
    }

    /// Refreshes the node's addresses in the rules; returns its address and cores.
    fn learn_node(&mut self, api: &ApiServer) -> (String, u64) {
        let Some(Object::Node(node)) = api.peek(Kind::Node, None, &self.node) else { return (String::new(), 0) };
        let cpus = node
            .status
            .as_ref()
            .and_then(|s| s.capacity.as_ref())
            .and_then(|c| c.get("cpu"))
            .and_then(|q| Quantity::parse(&q.0).ok())
            .map_or(0, |q| u64::try_from(q.milli_value()).unwrap_or(0).div_ceil(1000));
        let mut table = self.table.lock();
        table.learn_node(&node);
        (table.node_ip.clone(), cpus)
    }

    /// Reads the configuration file and takes over the node's rules in its mode; returns whether
    /// the mode changed (every Service is then reprogrammed).
    fn configure(&mut self, api: &mut ApiServer, node_ip: &str, cpus: u64) -> bool {
        let object = ObjectRef::new("ConfigMap", super::proxy_config::NAMESPACE, super::proxy_config::CONFIGMAP);
        let config = match ProxyConfig::read(api) {
            Ok(c) => c,
            Err(e) => {
                self.mode = None;
                self.record(api, "config", object, format!("refused /var/lib/kube-proxy/config.conf: {e}"));
                return false;
            }
        };
        let programs = if config.mode == ProxyMode::Ipvs { ProxyMode::Ipvs } else { ProxyMode::IpTables };
        let mut table = self.table.lock();
        let changed = table.mode != programs;
        table.set_mode(programs, &config.scheduler);
        table.cluster_cidr = config.cluster_cidr.clone();
        let scheduler = table.ipvs_scheduler().to_string();
        drop(table);
        self.mode = Some(config.mode);
        let detail = if config.mode == ProxyMode::Ipvs { format!(" (scheduler {scheduler})") } else { String::new() };
        self.record(api, "config", object, format!("mode {}{detail}", config.mode.as_str()));
        if config.mode == ProxyMode::Ipvs
            && let Some(node) = api.peek(Kind::Node, None, &self.node)
        {
            self.recorder.event(api, &node, None, EventKind::Warning, "IPVSDeprecation", proxy_log::IPVS_DEPRECATION);
        }
        if let Some(c) = &self.container {
            let start = api.clock().unix_millis(api.now());
            for (at, line) in proxy_log::startup(&config, &c.version, node_ip, cpus, start) {
                c.log.write(at, line);
            }
        }
        changed
    }
}

impl Process for KubeProxy {
    fn component(&self) -> Component {
        Component::KubeProxy(self.node.clone())
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        let (ip, cpus) = self.learn_node(ctx.api);
        let changed = self.configure(ctx.api, &ip, cpus);
        if self.mode.is_none() {
            return;
        }
        let mut touched = self.watch.start(&self.who, ctx);
        // Services that vanished while it was stopped.
        touched.extend(self.table.lock().ports.values().map(|r| (r.namespace.clone(), r.service.clone())));
        touched.sort();
        touched.dedup();
        for (ns, name) in touched {
            self.sync_service(&ns, &name, changed, ctx.api);
        }
    }

    fn stop(&mut self, api: &mut ApiServer) {
        // The rules stay in the kernel while kube-proxy is down.
        self.watch.stop(api);
    }

    fn on_events(&mut self, events: &[WatchEvent], ctx: &mut Ctx<'_>) {
        for (ns, name) in self.watch.handle(events) {
            self.sync_service(&ns, &name, false, ctx.api);
        }
    }

    fn on_timer(&mut self, _token: u64, _ctx: &mut Ctx<'_>) {}
}
