//! `tryUpdateNodeHealth`: when the controller last saw a node alive (its probe timestamp, moved on
//! by a new heartbeat in the Ready condition or a newer renewTime of its Lease), and, once that is
//! older than the grace period, the node's Ready, MemoryPressure, DiskPressure and PIDPressure
//! conditions turned Unknown. Also the zone states (`ComputeZoneState`) that decide whether
//! NoExecute taints may be added at all.

use k8s_openapi::api::core::v1::{Node, NodeCondition};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time as MetaTime;

use super::taints::{conditions_of, ready_condition};
use crate::sim::{Duration, Time};

/// nodeMonitorGracePeriod (50 s since v1.32, PR #126287).
pub const MONITOR_GRACE_PERIOD: Duration = Duration::from_secs(50);
/// nodeStartupGracePeriod: for a node that never posted a Ready condition.
pub const STARTUP_GRACE_PERIOD: Duration = Duration::from_secs(60);

/// The conditions a silent kubelet leaves Unknown.
const CONDITION_TYPES: [&str; 4] = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

/// What the controller remembers of a node (upstream's nodeHealthData). Only the Ready condition's
/// two timestamps matter, so that the 5-second pass over 5,000 nodes copies no strings.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeHealth {
    /// When the controller last saw the node alive.
    pub probe: Time,
    /// When the controller last saw the Ready condition change.
    pub ready_transition: Time,
    /// The Ready condition's (lastHeartbeatTime, lastTransitionTime) as last seen.
    pub ready: Option<(Option<MetaTime>, Option<MetaTime>)>,
    /// The Lease's renewTime as last seen (Unix ms).
    pub lease_renew_ms: Option<i64>,
}

/// What one health check found.
#[derive(Debug, Clone)]
pub struct Observed {
    pub health: NodeHealth,
    /// The Ready status the node had when the check started (`observedReadyCondition`).
    pub observed_ready: &'static str,
    /// The Ready status after the check (`currentReadyCondition`), None when the node has none.
    pub current_ready: Option<&'static str>,
    /// The node with its conditions set Unknown, when it must be written.
    pub update: Option<Node>,
}

/// A condition status as one of the three the API allows (anything else reads as Unknown).
fn status(c: &NodeCondition) -> &'static str {
    match c.status.as_str() {
        "True" => "True",
        "False" => "False",
        _ => "Unknown",
    }
}

fn seen(c: &NodeCondition) -> (Option<MetaTime>, Option<MetaTime>) {
    (c.last_heartbeat_time.clone(), c.last_transition_time.clone())
}

/// One `tryUpdateNodeHealth`. `created` is the node's creationTimestamp as virtual time; `now_meta`
/// the API timestamp of `now`.
pub fn try_update(
    node: &Node,
    lease_renew_ms: Option<i64>,
    saved: Option<&NodeHealth>,
    created: Time,
    now: Time,
    now_meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::Time,
) -> Observed {
    let current = ready_condition(node);
    let grace = if current.is_some() { MONITOR_GRACE_PERIOD } else { STARTUP_GRACE_PERIOD };
    let observed_ready = current.map_or("Unknown", status);
    let mut health = match (saved, current) {
        (None, None) => NodeHealth { probe: created, ready_transition: created, ready: None, lease_renew_ms: None },
        (Some(h), None) => NodeHealth { ready: None, ..h.clone() },
        (None, Some(c)) => NodeHealth { probe: now, ready_transition: now, ready: Some(seen(c)), lease_renew_ms: None },
        (Some(h), Some(c)) => match &h.ready {
            None => NodeHealth { probe: now, ready_transition: now, ready: Some(seen(c)), ..h.clone() },
            Some((heartbeat, transition)) if heartbeat != &c.last_heartbeat_time => {
                let transition = if transition != &c.last_transition_time { now } else { h.ready_transition };
                NodeHealth { probe: now, ready_transition: transition, ready: Some(seen(c)), ..h.clone() }
            }
            Some(_) => h.clone(),
        },
    };
    // A renewed lease always counts as a sign of life.
    if let Some(renew) = lease_renew_ms
        && health.lease_renew_ms.is_none_or(|seen| seen < renew)
    {
        health.lease_renew_ms = Some(renew);
        health.probe = now;
    }
    let mut out = Observed { health, observed_ready, current_ready: current.map(status), update: None };
    if now <= out.health.probe.after(grace) {
        return out;
    }
    let mut next = node.clone();
    let created_meta = node.metadata.creation_timestamp.clone();
    let conditions = next.status.get_or_insert_with(Default::default).conditions.get_or_insert_with(Vec::new);
    for type_ in CONDITION_TYPES {
        match conditions.iter_mut().find(|c| c.type_ == type_) {
            None => conditions.push(NodeCondition {
                type_: type_.into(),
                status: "Unknown".into(),
                reason: Some("NodeStatusNeverUpdated".into()),
                message: Some("Kubelet never posted node status.".into()),
                last_heartbeat_time: created_meta.clone(),
                last_transition_time: Some(now_meta.clone()),
            }),
            Some(c) if c.status != "Unknown" => {
                c.status = "Unknown".into();
                c.reason = Some("NodeStatusUnknown".into());
                c.message = Some("Kubelet stopped posting node status.".into());
                c.last_transition_time = Some(now_meta.clone());
            }
            Some(_) => {}
        }
    }
    let new_ready = ready_condition(&next).cloned();
    if new_ready.as_ref() != current {
        out.current_ready = new_ready.as_ref().map(status);
        out.health.ready = new_ready.as_ref().map(seen);
        out.health.ready_transition = now;
        out.update = Some(next);
    }
    out
}

/// A zone's health (`ComputeZoneState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneState {
    Normal,
    PartialDisruption,
    FullDisruption,
}

/// unhealthyZoneThreshold: the share of not-ready nodes that makes a zone partially disrupted.
const UNHEALTHY_ZONE_THRESHOLD: f64 = 0.55;

/// The state of a zone with `up` Ready nodes and `down` others.
pub fn zone_state(up: usize, down: usize) -> ZoneState {
    if up == 0 && down > 0 {
        ZoneState::FullDisruption
    } else if down > 2 && down as f64 / (up + down) as f64 >= UNHEALTHY_ZONE_THRESHOLD {
        ZoneState::PartialDisruption
    } else {
        ZoneState::Normal
    }
}

/// `GetZoneKey`: region and zone labels joined, as upstream keys its zones.
pub fn zone_key(node: &Node) -> String {
    let (region, zone) = zone_labels(node);
    join_zone_key(region, zone)
}

/// The zone key of a region and zone label (empty when both are unset).
pub fn join_zone_key(region: &str, zone: &str) -> String {
    if region.is_empty() && zone.is_empty() { String::new() } else { format!("{region}:\u{0000}:{zone}") }
}

/// The region and zone labels (empty when unset), borrowed: the zone census of every pass allocates
/// nothing per node.
pub fn zone_labels(node: &Node) -> (&str, &str) {
    let labels = node.metadata.labels.as_ref();
    let get = |k: &str| labels.and_then(|l| l.get(k)).map_or("", String::as_str);
    (get("topology.kubernetes.io/region"), get("topology.kubernetes.io/zone"))
}

/// Whether the node counts as Ready for zone states.
pub fn is_ready(node: &Node) -> bool {
    conditions_of(node).iter().any(|c| c.type_ == "Ready" && c.status == "True")
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time as MetaTime;

    fn node(heartbeat_s: i64) -> Node {
        let ts = MetaTime(k8s_openapi::jiff::Timestamp::from_second(heartbeat_s).unwrap());
        let cond = |t: &str| NodeCondition {
            type_: t.into(),
            status: if t == "Ready" { "True".into() } else { "False".into() },
            last_heartbeat_time: Some(ts.clone()),
            last_transition_time: Some(ts.clone()),
            ..Default::default()
        };
        Node {
            status: Some(k8s_openapi::api::core::v1::NodeStatus {
                conditions: Some(vec![cond("MemoryPressure"), cond("Ready")]),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn a_silent_node_goes_unknown_after_the_grace_period() {
        let meta = MetaTime(Default::default());
        let n = node(0);
        let first = try_update(&n, Some(1000), None, Time(0), Time(0), &meta);
        assert!(first.update.is_none());
        // The lease renews at 10 s, then stops.
        let o = try_update(&n, Some(10_000), Some(&first.health), Time(0), Time(10_000), &meta);
        assert_eq!(o.health.probe, Time(10_000));
        let o = try_update(&n, Some(10_000), Some(&o.health), Time(0), Time(60_000), &meta);
        assert!(o.update.is_none(), "exactly the grace period is still fine");
        let o = try_update(&n, Some(10_000), Some(&o.health), Time(0), Time(60_001), &meta);
        let updated = o.update.expect("unknown");
        assert_eq!(o.observed_ready, "True");
        assert_eq!(o.current_ready, Some("Unknown"));
        let conds = conditions_of(&updated);
        assert_eq!(conds.len(), 4);
        assert!(conds.iter().all(|c| c.status == "Unknown"));
        let ready = ready_condition(&updated).unwrap();
        assert_eq!(ready.reason.as_deref(), Some("NodeStatusUnknown"));
        assert_eq!(ready.message.as_deref(), Some("Kubelet stopped posting node status."));
        let never = conds.iter().find(|c| c.type_ == "DiskPressure").unwrap();
        assert_eq!(never.reason.as_deref(), Some("NodeStatusNeverUpdated"));
    }

    #[test]
    fn zone_states() {
        assert_eq!(zone_state(1, 1), ZoneState::Normal);
        assert_eq!(zone_state(0, 2), ZoneState::FullDisruption);
        assert_eq!(zone_state(1, 3), ZoneState::PartialDisruption);
        assert_eq!(zone_state(0, 0), ZoneState::Normal);
    }
}
