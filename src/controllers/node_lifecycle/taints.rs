//! The taints the node lifecycle controller owns (upstream's `TaintNodesByCondition` map and the
//! NoExecute templates of taint-based eviction), and the add/remove arithmetic on a node's taint
//! list that `SwapNodeControllerTaint` performs: added taints go to the end with `timeAdded`,
//! removed ones are matched by key and effect.

use k8s_openapi::api::core::v1::{Node, NodeCondition, Taint};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time as MetaTime;

pub const NOT_READY: &str = "node.kubernetes.io/not-ready";
pub const UNREACHABLE: &str = "node.kubernetes.io/unreachable";
pub const UNSCHEDULABLE: &str = "node.kubernetes.io/unschedulable";
pub const NO_SCHEDULE: &str = "NoSchedule";
pub const NO_EXECUTE: &str = "NoExecute";

/// `nodeConditionToTaintKeyStatusMap`: (condition type, status) → NoSchedule taint key.
const CONDITION_TAINTS: &[(&str, &str, &str)] = &[
    ("Ready", "False", NOT_READY),
    ("Ready", "Unknown", UNREACHABLE),
    ("MemoryPressure", "True", "node.kubernetes.io/memory-pressure"),
    ("DiskPressure", "True", "node.kubernetes.io/disk-pressure"),
    ("NetworkUnavailable", "True", "node.kubernetes.io/network-unavailable"),
    ("PIDPressure", "True", "node.kubernetes.io/pid-pressure"),
];

/// A taint as the controller writes it (no value).
pub fn taint(key: &str, effect: &str) -> Taint {
    Taint { key: key.to_string(), effect: effect.to_string(), value: None, time_added: None }
}

pub fn taints_of(node: &Node) -> &[Taint] {
    node.spec.as_ref().and_then(|s| s.taints.as_deref()).unwrap_or(&[])
}

pub fn conditions_of(node: &Node) -> &[NodeCondition] {
    node.status.as_ref().and_then(|s| s.conditions.as_deref()).unwrap_or(&[])
}

/// The node's Ready condition.
pub fn ready_condition(node: &Node) -> Option<&NodeCondition> {
    conditions_of(node).iter().find(|c| c.type_ == "Ready")
}

fn same(a: &Taint, b: &Taint) -> bool {
    a.key == b.key && a.effect == b.effect
}

pub fn has_taint(node: &Node, key: &str, effect: &str) -> bool {
    taints_of(node).iter().any(|t| t.key == key && t.effect == effect)
}

/// `doNoScheduleTaintingPass`'s wanted set: one NoSchedule taint per bad condition, plus
/// `unschedulable` for a cordoned node.
pub fn wanted_no_schedule(node: &Node) -> Vec<Taint> {
    let mut out: Vec<Taint> = conditions_of(node)
        .iter()
        .filter_map(|c| {
            CONDITION_TAINTS
                .iter()
                .find(|(t, s, _)| *t == c.type_ && *s == c.status)
                .map(|(_, _, k)| taint(k, NO_SCHEDULE))
        })
        .collect();
    if node.spec.as_ref().and_then(|s| s.unschedulable) == Some(true) {
        out.push(taint(UNSCHEDULABLE, NO_SCHEDULE));
    }
    out
}

/// The NoSchedule taints of the node this controller manages (the candidates for removal).
pub fn managed_no_schedule(node: &Node) -> Vec<Taint> {
    taints_of(node)
        .iter()
        .filter(|t| {
            t.effect == NO_SCHEDULE && (t.key == UNSCHEDULABLE || CONDITION_TAINTS.iter().any(|(_, _, k)| *k == t.key))
        })
        .cloned()
        .collect()
}

/// `TaintSetDiff`: what to add to `current` to reach `wanted`, and what to remove from it.
pub fn diff(wanted: &[Taint], current: &[Taint]) -> (Vec<Taint>, Vec<Taint>) {
    let add = wanted.iter().filter(|w| !current.iter().any(|c| same(c, w))).cloned().collect();
    let remove = current.iter().filter(|c| !wanted.iter().any(|w| same(c, w))).cloned().collect();
    (add, remove)
}

/// Applies a swap to `node`'s taints; false when nothing changes.
pub fn swap(node: &mut Node, add: &[Taint], remove: &[Taint], now: &MetaTime) -> bool {
    let spec = node.spec.get_or_insert_with(Default::default);
    let list = spec.taints.get_or_insert_with(Vec::new);
    let before = list.len();
    list.retain(|t| !remove.iter().any(|r| same(t, r)));
    let mut changed = list.len() != before;
    for a in add {
        if !list.iter().any(|t| same(t, a)) {
            let mut t = a.clone();
            t.time_added = Some(now.clone());
            list.push(t);
            changed = true;
        }
    }
    if list.is_empty() {
        spec.taints = None;
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(ready: &str, cordoned: bool, taints: Vec<Taint>) -> Node {
        Node {
            spec: Some(k8s_openapi::api::core::v1::NodeSpec {
                unschedulable: cordoned.then_some(true),
                taints: Some(taints),
                ..Default::default()
            }),
            status: Some(k8s_openapi::api::core::v1::NodeStatus {
                conditions: Some(vec![NodeCondition {
                    type_: "Ready".into(),
                    status: ready.into(),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn conditions_map_to_no_schedule_taints() {
        let n = node("Unknown", true, vec![taint("user", NO_SCHEDULE), taint(NOT_READY, NO_SCHEDULE)]);
        let wanted = wanted_no_schedule(&n);
        assert_eq!(wanted, vec![taint(UNREACHABLE, NO_SCHEDULE), taint(UNSCHEDULABLE, NO_SCHEDULE)]);
        let (add, remove) = diff(&wanted, &managed_no_schedule(&n));
        assert_eq!(add.len(), 2);
        assert_eq!(remove, vec![taint(NOT_READY, NO_SCHEDULE)]);
        let mut n = n;
        assert!(swap(&mut n, &add, &remove, &MetaTime(Default::default())));
        let keys: Vec<&str> = taints_of(&n).iter().map(|t| t.key.as_str()).collect();
        assert_eq!(keys, ["user", UNREACHABLE, UNSCHEDULABLE]);
        assert!(!swap(&mut n, &add, &remove, &MetaTime(Default::default())));
    }
}
