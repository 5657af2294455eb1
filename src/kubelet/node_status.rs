//! The node heartbeat: the Lease `kube-node-lease/<node>` renewed every 10 s (a quarter of its 40 s
//! duration), and the Node's status written every 10 s only if something changed (images, the Ready
//! condition), otherwise every 5 min (nodeStatusReportFrequency) just to refresh the heartbeat times.
//! Neither the Lease nor the Node is watched: the kubelet keeps what its own writes returned and reads
//! again only when a write fails, so an idle node costs one small write per 10 s.

use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;

use super::shared::Shared;
use crate::api::{Kind, Object};
use crate::apiserver::WriteOptions;
use crate::apiserver::strategy::timestamp;
use crate::client::Ctx;
use crate::sim::{Duration, Time};

/// nodeStatusUpdateFrequency, and the lease renew interval.
pub const UPDATE_EVERY: Duration = Duration::from_secs(10);
/// nodeStatusReportFrequency.
pub const REPORT_EVERY: Duration = Duration::from_secs(300);

/// The heartbeat's memory.
#[derive(Debug, Default)]
pub struct Heartbeat {
    lease: Option<Object>,
    node: Option<Object>,
    last_report: Option<Time>,
}

fn micro_time(unix_ms: i64) -> MicroTime {
    MicroTime(k8s_openapi::jiff::Timestamp::from_millisecond(unix_ms).unwrap_or_default())
}

impl Heartbeat {
    /// Reads the node afresh (at start, or after a failed write).
    pub fn refresh_node(&mut self, sh: &Shared, ctx: &mut Ctx<'_>) -> Option<&Object> {
        self.node = ctx.api.get(&sh.identity, Kind::Node, None, &sh.node).ok();
        self.node.as_ref()
    }

    /// Forgets when the status was reported, so the next beat reports (a restarted kubelet).
    pub fn force_report(&mut self) {
        self.last_report = None;
    }

    /// One heartbeat: renew the lease, report the status if due.
    pub fn beat(&mut self, sh: &mut Shared, ctx: &mut Ctx<'_>) {
        self.renew_lease(sh, ctx);
        let now = ctx.now();
        let due = self.last_report.is_none_or(|t| now.since(t) >= REPORT_EVERY);
        if due || sh.images.dirty || !self.node_ready() {
            self.report(sh, ctx);
        }
    }

    fn node_ready(&self) -> bool {
        let Some(node) = self.node.as_ref().and_then(Object::as_node) else { return false };
        node.status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
    }

    fn renew_lease(&mut self, sh: &Shared, ctx: &mut Ctx<'_>) {
        let now_ms = Shared::unix_ms(ctx, ctx.now());
        if self.lease.is_none() {
            self.lease = ctx.api.get(&sh.identity, Kind::Lease, Some("kube-node-lease"), &sh.node).ok();
        }
        let Some(Object::Lease(lease)) = self.lease.clone() else {
            self.create_lease(sh, ctx, now_ms);
            return;
        };
        let mut next = (*lease).clone();
        next.metadata.resource_version = None;
        let spec = next.spec.get_or_insert_with(Default::default);
        spec.renew_time = Some(micro_time(now_ms));
        spec.holder_identity.get_or_insert_with(|| sh.node.to_string());
        spec.lease_duration_seconds.get_or_insert(40);
        match ctx.api.update(&sh.identity, Object::Lease(Arc::new(next)), &WriteOptions::default()) {
            Ok(o) => self.lease = Some(o),
            Err(_) => self.lease = None,
        }
    }

    fn create_lease(&mut self, sh: &Shared, ctx: &mut Ctx<'_>, now_ms: i64) {
        let node_uid = self.node.as_ref().map(|n| n.uid().to_string()).unwrap_or_default();
        let lease = serde_json::json!({
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": &*sh.node, "namespace": "kube-node-lease",
                "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": &*sh.node, "uid": node_uid}]},
            "spec": {"holderIdentity": &*sh.node, "leaseDurationSeconds": 40},
        });
        if let Ok(Object::Lease(mut l)) = Object::from_value(Kind::Lease, lease) {
            Arc::make_mut(&mut l).spec.get_or_insert_with(Default::default).renew_time = Some(micro_time(now_ms));
            self.lease = ctx.api.create(&sh.identity, Object::Lease(l), &WriteOptions::default()).ok();
        }
    }

    /// Writes the node status: images, Ready, heartbeat times.
    fn report(&mut self, sh: &mut Shared, ctx: &mut Ctx<'_>) {
        if self.node.is_none() && self.refresh_node(sh, ctx).is_none() {
            return;
        }
        for attempt in 0..2 {
            let Some(Object::Node(node)) = self.node.clone() else { return };
            let now_meta = timestamp(Shared::unix_ms(ctx, ctx.now()));
            let mut next = (*node).clone();
            let status = next.status.get_or_insert_with(Default::default);
            for c in status.conditions.iter_mut().flatten() {
                c.last_heartbeat_time = Some(now_meta.clone());
                // What the kubelet's condition setters report on a healthy node (the node
                // lifecycle controller may have left them Unknown while the kubelet was away).
                let healthy = match c.type_.as_str() {
                    "Ready" => ("True", "KubeletReady", "kubelet is posting ready status"),
                    "MemoryPressure" => {
                        ("False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available")
                    }
                    "DiskPressure" => ("False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                    "PIDPressure" => ("False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                    _ => continue,
                };
                if c.status != healthy.0 {
                    c.status = healthy.0.into();
                    c.reason = Some(healthy.1.into());
                    c.message = Some(healthy.2.into());
                    c.last_transition_time = Some(now_meta.clone());
                }
            }
            status.images = Some(sh.images.node_images());
            match ctx.api.update_status(&sh.identity, Object::Node(Arc::new(next))) {
                Ok(o) => {
                    self.node = Some(o);
                    self.last_report = Some(ctx.now());
                    sh.images.dirty = false;
                    return;
                }
                Err(_) if attempt == 0 => {
                    self.refresh_node(sh, ctx);
                }
                Err(_) => return,
            }
        }
    }
}
