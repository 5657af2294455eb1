//! TaintToleration: Filter rejects nodes with a NoSchedule or NoExecute taint the pod does not
//! tolerate; Score counts the PreferNoSchedule taints it does not tolerate, fewer is better.

use super::helper::{default_normalize_score, tolerated, tolerates};
use crate::scheduler::cache::{NodeInfo, PodInfo};
use crate::scheduler::framework::{CycleState, Plugin, Snapshot, Status, points};

pub const NAME: &str = "TaintToleration";
/// The v1.35+ wording (no taint in the message).
pub const ERR_REASON: &str = "node(s) had untolerated taint(s)";

pub struct TaintToleration;

impl Plugin for TaintToleration {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u32 {
        points::FILTER | points::PRE_SCORE | points::SCORE
    }
    fn filter(&self, _: &CycleState, pod: &PodInfo, node: &NodeInfo, _: &Snapshot<'_>) -> Status {
        let blocked = node
            .taints
            .iter()
            .any(|t| (t.effect == "NoSchedule" || t.effect == "NoExecute") && !tolerated(&pod.tolerations, t));
        if blocked { Status::unresolvable(ERR_REASON) } else { Status::success() }
    }
    fn score(&self, _: &CycleState, pod: &PodInfo, node: &NodeInfo, _: &Snapshot<'_>) -> i64 {
        // Only tolerations that can apply to PreferNoSchedule count; borrowed, as Score runs per node.
        let applicable = pod
            .tolerations
            .iter()
            .filter(|t| matches!(t.effect.as_deref(), None | Some("") | Some("PreferNoSchedule")));
        node.taints
            .iter()
            .filter(|t| t.effect == "PreferNoSchedule" && !applicable.clone().any(|tol| tolerates(tol, t)))
            .count() as i64
    }
    fn normalize(&self, _: &CycleState, scores: &mut [i64]) {
        default_normalize_score(true, scores);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::testing::{node, pod, score_nodes, taint, toleration};

    fn run(tols: &[(&str, &str, &str)], nodes: &[&[(&str, &str, &str)]]) -> Vec<i64> {
        let mut p = pod("p", &[]);
        p.tolerations = tols.iter().map(|(k, v, e)| toleration(k, v, e)).collect();
        let ns: Vec<_> = nodes
            .iter()
            .enumerate()
            .map(|(i, ts)| {
                let mut n = node(&format!("n{i}"), 4000, 8 << 30, 110);
                n.taints = ts.iter().map(|(k, v, e)| taint(k, v, e)).collect();
                n
            })
            .collect();
        score_nodes(&TaintToleration, &p, &ns)
    }

    #[test]
    fn upstream_vectors() {
        let pns = "PreferNoSchedule";
        assert_eq!(run(&[("foo", "bar", pns)], &[&[("foo", "bar", pns)], &[("foo", "blah", pns)]]), [100, 0]);
        assert_eq!(
            run(
                &[("cpu-type", "arm64", pns), ("disk-type", "ssd", pns)],
                &[&[], &[("cpu-type", "arm64", pns)], &[("cpu-type", "arm64", pns), ("disk-type", "ssd", pns)]]
            ),
            [100, 100, 100]
        );
        assert_eq!(
            run(
                &[("foo", "bar", pns)],
                &[&[], &[("cpu-type", "arm64", pns)], &[("cpu-type", "arm64", pns), ("disk-type", "ssd", pns)]]
            ),
            [100, 50, 0]
        );
        assert_eq!(
            run(
                &[("cpu-type", "arm64", "NoSchedule"), ("disk-type", "ssd", "NoSchedule")],
                &[
                    &[],
                    &[("cpu-type", "arm64", "NoSchedule")],
                    &[("cpu-type", "arm64", pns), ("disk-type", "ssd", pns)]
                ]
            ),
            [100, 100, 0]
        );
        assert_eq!(run(&[], &[&[], &[("cpu-type", "arm64", pns)]]), [100, 0]);
    }

    #[test]
    fn filter_rejects_untolerated_noschedule() {
        let p = pod("p", &[]);
        let mut n = node("n", 4000, 8 << 30, 110);
        n.taints = vec![taint("node-role.kubernetes.io/control-plane", "", "NoSchedule")];
        let cache = Default::default();
        let listers = Default::default();
        let snap = Snapshot { cache: &cache, listers: &listers, num_nodes: 1 };
        let s = TaintToleration.filter(&CycleState::default(), &p, &n, &snap);
        assert_eq!(s.reasons, [ERR_REASON]);
        let mut tolerant = p.clone();
        tolerant.tolerations = vec![toleration("node-role.kubernetes.io/control-plane", "", "NoSchedule")];
        tolerant.tolerations[0].operator = Some("Exists".into());
        assert!(TaintToleration.filter(&CycleState::default(), &tolerant, &n, &snap).is_success());
    }
}
