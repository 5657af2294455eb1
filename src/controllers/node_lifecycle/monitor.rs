//! `monitorNodeHealth`, the 5-second pass over every node. At 5,000 nodes nearly all of them are
//! idle: Ready, untainted, only their Lease renewed. Such a node is *settled*: the pass remembers
//! the node object it read, and while the informer still holds that same object it needs only the
//! Lease's renewTime to reach the verdict `tryUpdateNodeHealth` would (nothing to write). Nodes,
//! Leases and the health records are all kept in name order, so the pass walks them side by side
//! instead of looking each node up twice.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::iter::Peekable;
use std::sync::Arc;

use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::Node;

use super::health::{
    MONITOR_GRACE_PERIOD, NodeHealth, ZoneState, is_ready, join_zone_key, try_update, zone_labels, zone_state,
};
use super::taints::{NO_EXECUTE, NOT_READY, UNREACHABLE, has_taint};
use super::{NAME, NodeLifecycleController};
use crate::api::Object;
use crate::apiserver::ApiServer;
use crate::client::EventKind;
use crate::controllers::controller_utils::{unix_millis, virtual_time};
use crate::controllers::record_decision;
use crate::sim::Time;

const LEASE_NAMESPACE_PREFIX: &str = "kube-node-lease/";

/// What the controller keeps per node: upstream's nodeHealthData, and what the last pass read if
/// it found the node settled.
#[derive(Debug, Clone)]
pub struct Tracked {
    pub health: NodeHealth,
    settled: Option<Settled>,
}

/// A settled node's objects as last read, and what the zone census needs of them.
#[derive(Debug, Clone)]
struct Settled {
    node: Arc<Node>,
    lease: Option<Arc<Lease>>,
    region: String,
    zone: String,
    ready: bool,
}

impl Settled {
    fn new(node: Arc<Node>, lease: Option<Arc<Lease>>) -> Self {
        let (region, zone) = zone_labels(&node);
        let (region, zone, ready) = (region.to_string(), zone.to_string(), is_ready(&node));
        Settled { node, lease, region, zone, ready }
    }
}

/// A node the quick walk could not settle: it goes through `tryUpdateNodeHealth` in full.
struct Unsettled {
    name: String,
    node: Arc<Node>,
    lease: Option<Arc<Lease>>,
}

fn renew_ms(lease: &Lease) -> Option<i64> {
    lease.spec.as_ref().and_then(|s| s.renew_time.as_ref()).map(|t| t.0.as_millisecond())
}

/// Moves a key-ordered walk up to `name` and returns its entry there, if it has one.
fn seek<K, V>(walk: &mut Peekable<impl Iterator<Item = (K, V)>>, name: &str, key: impl Fn(&K) -> &str) -> Option<V> {
    while let Some((k, _)) = walk.peek() {
        match key(k).cmp(name) {
            Ordering::Less => {
                walk.next();
            }
            Ordering::Equal => return walk.next().map(|(_, v)| v),
            Ordering::Greater => return None,
        }
    }
    None
}

/// Ready and not-ready nodes per (region, zone).
type Census<'a> = BTreeMap<(&'a str, &'a str), (usize, usize)>;

fn count<'a>(census: &mut Census<'a>, zone: (&'a str, &'a str), ready: bool) {
    let counts = census.entry(zone).or_default();
    if ready {
        counts.0 += 1;
    } else {
        counts.1 += 1;
    }
}

/// Zone states from the census (`handleDisruption`'s first half), keyed as `GetZoneKey` keys them.
fn zone_states(census: Census<'_>) -> BTreeMap<String, ZoneState> {
    census.into_iter().map(|((region, zone), (up, down))| (join_zone_key(region, zone), zone_state(up, down))).collect()
}

impl NodeLifecycleController {
    /// `monitorNodeHealth`: one pass over every node.
    pub(super) fn monitor_node_health(&mut self, api: &mut ApiServer) {
        self.classify(api);
        let now = api.now();
        let unsettled = self.settle(now);
        let now_meta = Self::now_meta(api);
        let epoch_ms = api.clock().unix_millis(Time::ZERO);
        for Unsettled { name, node, lease } in unsettled {
            let created =
                node.metadata.creation_timestamp.as_ref().map(unix_millis).map(|ms| virtual_time(ms, epoch_ms));
            let saved = self.health.get(&name).map(|t| &t.health);
            let renew = lease.as_deref().and_then(renew_ms);
            let observed = try_update(&node, renew, saved, created.unwrap_or(Time::ZERO), now, &now_meta);
            let unchanged = observed.update.is_none()
                && observed.current_ready == Some("True")
                && observed.observed_ready == "True";
            if unchanged && saved.is_some() {
                let tainted = has_taint(&node, UNREACHABLE, NO_EXECUTE) || has_taint(&node, NOT_READY, NO_EXECUTE);
                let settled = (!tainted).then(|| Settled::new(node.clone(), lease));
                self.health.insert(name, Tracked { health: observed.health, settled });
                if tainted || !self.to_taint.is_empty() {
                    self.mark_reachable(api, &node);
                }
                continue;
            }
            let mut node = node;
            if let Some(next) = observed.update {
                let obj = Object::Node(Arc::new(next));
                record_decision(
                    api,
                    NAME,
                    "update-status",
                    &obj,
                    format!("node {name} stopped posting status for more than 50s: Ready is now Unknown"),
                );
                match api.update_status(&self.who, obj) {
                    Ok(Object::Node(n)) => node = n,
                    // Retried on the next pass, with the health left as it was.
                    _ => continue,
                }
            }
            self.health.insert(name.clone(), Tracked { health: observed.health, settled: None });
            let Some(current) = observed.current_ready else { continue };
            self.process_taint_eviction(api, &node, observed.observed_ready);
            if current != "True" && observed.observed_ready == "True" {
                let obj = Object::Node(node.clone());
                let msg = format!("Node {name} status is now: NodeNotReady");
                self.recorder.event(api, &obj, None, EventKind::Normal, "NodeNotReady", &msg);
                self.mark_pods_not_ready(api, &name);
            }
        }
        self.handle_disruption(api);
        self.taint_pass(api);
    }

    /// Walks nodes, Leases and health records together: settles the nodes it can (their renewed
    /// Leases counted as signs of life, as `tryUpdateNodeHealth` counts them), takes the zone
    /// census from what it reads, and returns the nodes that need the full check.
    fn settle(&mut self, now: Time) -> Vec<Unsettled> {
        let Self { nodes, leases, health, to_taint, zone_states: states, .. } = self;
        let mut lease_walk = leases.cache().entries().peekable();
        let mut health_walk = health.iter_mut().peekable();
        let mut census = Census::new();
        let mut unsettled = Vec::new();
        for (name, obj) in nodes.cache().entries() {
            let Object::Node(node) = obj else { continue };
            let lease = match seek(&mut lease_walk, name, |k| k.strip_prefix(LEASE_NAMESPACE_PREFIX).unwrap_or(k)) {
                Some(Object::Lease(l)) => Some(l),
                _ => None,
            };
            if let Some(tracked) = seek(&mut health_walk, name, |k| k.as_str())
                && let Some(settled) = tracked.settled.as_mut()
                && Arc::ptr_eq(&settled.node, node)
            {
                if let Some(l) = lease
                    && !settled.lease.as_ref().is_some_and(|seen| Arc::ptr_eq(seen, l))
                {
                    let h = &mut tracked.health;
                    if let Some(renew) = renew_ms(l)
                        && h.lease_renew_ms.is_none_or(|seen| seen < renew)
                    {
                        h.lease_renew_ms = Some(renew);
                        h.probe = now;
                    }
                    settled.lease = Some(l.clone());
                }
                if now <= tracked.health.probe.after(MONITOR_GRACE_PERIOD) {
                    // `markNodeAsReachable` of a node without NoExecute taints: only the queue.
                    if !to_taint.is_empty() {
                        to_taint.remove(name);
                    }
                    let settled: &Settled = settled;
                    count(&mut census, (&settled.region, &settled.zone), settled.ready);
                    continue;
                }
            }
            count(&mut census, zone_labels(node), is_ready(node));
            unsettled.push(Unsettled { name: name.to_string(), node: node.clone(), lease: lease.cloned() });
        }
        *states = zone_states(census);
        unsettled
    }

    /// `handleDisruption`'s second half (the zone states were taken by the walk): with every zone
    /// fully disrupted, the control plane is more likely cut off than every node dead, so no node
    /// keeps a NoExecute taint.
    fn handle_disruption(&mut self, api: &mut ApiServer) {
        let all_full =
            !self.zone_states.is_empty() && self.zone_states.values().all(|s| *s == ZoneState::FullDisruption);
        if all_full {
            let nodes: Vec<Node> = self.nodes.cache().iter().filter_map(Object::as_node).cloned().collect();
            for node in &nodes {
                self.mark_reachable(api, node);
            }
        }
    }
}
