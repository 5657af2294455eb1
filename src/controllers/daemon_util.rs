//! What the DaemonSet controller decides per node (upstream's `daemon/util` and the predicates it
//! borrows from the scheduler): which nodes should run a daemon pod (node selector, required node
//! affinity, taints the pod does not tolerate), the tolerations every daemon pod gets so it stays
//! on sick nodes, and the node affinity that pins a daemon pod to its node.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Affinity, Node, NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, PodSpec, Taint, Toleration,
};

use crate::api::labels::{Operator, Requirement};

/// Tolerations added to every daemon pod (`AddOrUpdateDaemonPodTolerations`): NoExecute for
/// not-ready and unreachable nodes (forever), NoSchedule for pressure and unschedulable nodes, and
/// network-unavailable for host-network pods.
pub fn add_daemon_tolerations(spec: &mut PodSpec) {
    let mut wanted = vec![
        ("node.kubernetes.io/not-ready", "NoExecute"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"),
        ("node.kubernetes.io/unschedulable", "NoSchedule"),
    ];
    if spec.host_network == Some(true) {
        wanted.push(("node.kubernetes.io/network-unavailable", "NoSchedule"));
    }
    let list = spec.tolerations.get_or_insert_with(Vec::new);
    for (key, effect) in wanted {
        let present = list.iter().any(|t| t.key.as_deref() == Some(key) && t.effect.as_deref() == Some(effect));
        if !present {
            list.push(Toleration {
                key: Some(key.into()),
                operator: Some("Exists".into()),
                effect: Some(effect.into()),
                ..Default::default()
            });
        }
    }
}

/// `ReplaceDaemonSetPodNodeNameNodeAffinity`: the required node affinity becomes exactly
/// `metadata.name In [node]`, so the default scheduler places the pod on that node.
pub fn pin_to_node(spec: &mut PodSpec, node: &str) {
    let term = NodeSelectorTerm {
        match_fields: Some(vec![NodeSelectorRequirement {
            key: "metadata.name".into(),
            operator: "In".into(),
            values: Some(vec![node.to_string()]),
        }]),
        match_expressions: None,
    };
    let affinity = spec.affinity.get_or_insert_with(Affinity::default);
    let na = affinity.node_affinity.get_or_insert_with(NodeAffinity::default);
    na.required_during_scheduling_ignored_during_execution = Some(NodeSelector { node_selector_terms: vec![term] });
}

/// The node a daemon pod is for: its nodeName, or the node its affinity pins it to.
pub fn target_node(spec: Option<&PodSpec>) -> Option<&str> {
    let spec = spec?;
    if let Some(n) = spec.node_name.as_deref().filter(|n| !n.is_empty()) {
        return Some(n);
    }
    let terms = &spec
        .affinity
        .as_ref()?
        .node_affinity
        .as_ref()?
        .required_during_scheduling_ignored_during_execution
        .as_ref()?
        .node_selector_terms;
    terms.iter().flat_map(|t| t.match_fields.iter().flatten()).find_map(|r| {
        (r.key == "metadata.name" && r.operator == "In")
            .then(|| r.values.as_ref().and_then(|v| v.first()))
            .flatten()
            .map(String::as_str)
    })
}

/// `ToleratesTaint` over a list: whether any of `tolerations` tolerates `taint`.
pub fn tolerates(tolerations: &[Toleration], taint: &Taint) -> bool {
    tolerations.iter().any(|t| {
        let effect_ok = t.effect.as_deref().is_none_or(|e| e.is_empty() || e == taint.effect);
        let key_ok = t.key.as_deref().is_none_or(|k| k.is_empty()) || t.key.as_deref() == Some(taint.key.as_str());
        let value_ok = match t.operator.as_deref().unwrap_or("Equal") {
            "Exists" => true,
            _ => t.value.as_deref().unwrap_or("") == taint.value.as_deref().unwrap_or(""),
        };
        effect_ok && key_ok && value_ok
    })
}

fn requirement_matches(r: &NodeSelectorRequirement, labels: &BTreeMap<String, String>) -> bool {
    let op = match r.operator.as_str() {
        "In" => Operator::In,
        "NotIn" => Operator::NotIn,
        "Exists" => Operator::Exists,
        "DoesNotExist" => Operator::DoesNotExist,
        "Gt" => Operator::GreaterThan,
        "Lt" => Operator::LessThan,
        _ => return false,
    };
    Requirement::new(&r.key, op, r.values.clone().filter(|v| !v.is_empty())).is_ok_and(|req| req.matches(labels))
}

/// `NodeShouldRunDaemonPod` (the "should run" half): node selector, required node affinity terms
/// on labels, and every NoSchedule/NoExecute taint tolerated by the pod (with the daemon
/// tolerations added).
pub fn should_run(node: &Node, pod_spec: &PodSpec) -> bool {
    let empty = BTreeMap::new();
    let labels = node.metadata.labels.as_ref().unwrap_or(&empty);
    if pod_spec.node_selector.iter().flatten().any(|(k, v)| labels.get(k) != Some(v)) {
        return false;
    }
    let node_name = node.metadata.name.as_deref().unwrap_or("");
    if let Some(required) = pod_spec
        .affinity
        .as_ref()
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|n| n.required_during_scheduling_ignored_during_execution.as_ref())
    {
        let any_term = required.node_selector_terms.iter().any(|t| {
            let exprs = t.match_expressions.iter().flatten().all(|r| requirement_matches(r, labels));
            let fields = t.match_fields.iter().flatten().all(|r| {
                let mut f = BTreeMap::new();
                f.insert("metadata.name".to_string(), node_name.to_string());
                requirement_matches(r, &f)
            });
            exprs && fields
        });
        if !any_term {
            return false;
        }
    }
    let mut spec = pod_spec.clone();
    add_daemon_tolerations(&mut spec);
    let tolerations = spec.tolerations.unwrap_or_default();
    node.spec
        .as_ref()
        .and_then(|s| s.taints.as_ref())
        .into_iter()
        .flatten()
        .filter(|t| t.effect == "NoSchedule" || t.effect == "NoExecute")
        .all(|t| tolerates(&tolerations, t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::NodeSpec;

    fn node(name: &str, taints: Vec<Taint>) -> Node {
        let mut n = Node::default();
        n.metadata.name = Some(name.into());
        n.metadata.labels = Some([("zone".to_string(), "a".to_string())].into());
        n.spec = Some(NodeSpec { taints: Some(taints), ..Default::default() });
        n
    }

    fn taint(key: &str, effect: &str) -> Taint {
        Taint { key: key.into(), effect: effect.into(), ..Default::default() }
    }

    #[test]
    fn eligibility_follows_selectors_and_taints() {
        let spec = PodSpec::default();
        assert!(should_run(&node("a", vec![]), &spec));
        assert!(should_run(&node("a", vec![taint("node.kubernetes.io/not-ready", "NoExecute")]), &spec));
        assert!(should_run(&node("a", vec![taint("node.kubernetes.io/unschedulable", "NoSchedule")]), &spec));
        let cp = node("cp", vec![taint("node-role.kubernetes.io/control-plane", "NoSchedule")]);
        assert!(!should_run(&cp, &spec));
        assert!(should_run(&node("a", vec![taint("x", "PreferNoSchedule")]), &spec));
        let mut tolerant = spec.clone();
        tolerant.tolerations = Some(vec![Toleration { operator: Some("Exists".into()), ..Default::default() }]);
        assert!(should_run(&cp, &tolerant));
        let mut picky = spec.clone();
        picky.node_selector = Some([("zone".to_string(), "b".to_string())].into());
        assert!(!should_run(&node("a", vec![]), &picky));
    }

    #[test]
    fn pinning_replaces_required_terms_and_is_read_back() {
        let mut spec = PodSpec::default();
        pin_to_node(&mut spec, "node-02");
        assert_eq!(target_node(Some(&spec)), Some("node-02"));
        spec.node_name = Some("node-03".into());
        assert_eq!(target_node(Some(&spec)), Some("node-03"));
        add_daemon_tolerations(&mut spec);
        add_daemon_tolerations(&mut spec);
        assert_eq!(spec.tolerations.as_ref().map(Vec::len), Some(6));
    }
}
