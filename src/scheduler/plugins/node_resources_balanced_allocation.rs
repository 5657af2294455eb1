//! NodeResourcesBalancedAllocation (Score): favours nodes whose resource fractions (requested /
//! allocatable, real requests) stay close to each other. v1.36 (PR #135573) scores the *change* in
//! balance the pod brings: `50 + (50 + S_with - S_without) / 2` with `S = (1 - std) * 100`, so no
//! change gives 75, and best-effort pods are skipped at PreScore. The final truncation to an
//! integer follows the earlier formula's `int64(...)`; upstream's exact rounding is unverified.

use crate::scheduler::cache::resource::{ResourceName, fraction};
use crate::scheduler::cache::{NodeInfo, PodInfo};
use crate::scheduler::framework::{CycleState, Plugin, Snapshot, Status, points};

pub const NAME: &str = "NodeResourcesBalancedAllocation";

pub struct BalancedAllocation {
    resources: Vec<(ResourceName, i64)>,
}

/// The standard deviation of the fractions (|f1 - f2| / 2 for two).
fn std_dev(fractions: &[f64]) -> f64 {
    match fractions.len() {
        0 | 1 => 0.0,
        2 => (fractions[0] - fractions[1]).abs() / 2.0,
        n => {
            let mean = fractions.iter().sum::<f64>() / n as f64;
            (fractions.iter().map(|f| (f - mean) * (f - mean)).sum::<f64>() / n as f64).sqrt()
        }
    }
}

impl BalancedAllocation {
    /// The plugin over the profile's `resources` (weights are ignored, as upstream does).
    pub fn new(resources: &[(String, i64)]) -> Self {
        BalancedAllocation { resources: ResourceName::parse_weighted(resources) }
    }

    /// `S = (1 - std) * 100` of the node with (`with_pod`) or without the pod's requests.
    pub fn balance(&self, pod: &PodInfo, node: &NodeInfo, with_pod: bool) -> f64 {
        let (with, without) = self.balances(pod, node);
        if with_pod { with } else { without }
    }

    /// A resource's fractions (with the pod, without it); `None` when the node has none of it.
    /// The node's own fraction is kept by its NodeInfo, so only the pod's share is divided here.
    #[inline]
    fn fractions(name: &ResourceName, pod: &PodInfo, node: &NodeInfo) -> Option<(f64, f64)> {
        let f_without = node.requested_fraction(name)?;
        let want = pod.requests.amount(name);
        if want == 0 {
            return Some((f_without, f_without));
        }
        let f_with = fraction(node.requested.amount(name) + want, node.allocatable.amount(name))?;
        Some((f_with, f_without))
    }

    /// `S` with and without the pod. Score runs on every feasible node of every cycle: the usual
    /// two resources take a straight path (the std of two fractions is half their distance), more
    /// collect their fractions first.
    fn balances(&self, pod: &PodInfo, node: &NodeInfo) -> (f64, f64) {
        let score = |std: f64| (1.0 - std) * 100.0;
        if let [(a, _), (b, _)] = self.resources.as_slice() {
            return match (Self::fractions(a, pod, node), Self::fractions(b, pod, node)) {
                (Some((aw, ao)), Some((bw, bo))) => (score((aw - bw).abs() / 2.0), score((ao - bo).abs() / 2.0)),
                _ => (score(0.0), score(0.0)),
            };
        }
        let (with, without): (Vec<f64>, Vec<f64>) =
            self.resources.iter().filter_map(|(name, _)| Self::fractions(name, pod, node)).unzip();
        (score(std_dev(&with)), score(std_dev(&without)))
    }
}

impl Plugin for BalancedAllocation {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u32 {
        points::PRE_SCORE | points::SCORE
    }
    fn pre_score(&self, _: &mut CycleState, pod: &PodInfo, _: &[&NodeInfo], _: &Snapshot<'_>) -> Status {
        if pod.requests.is_zero() { Status::skip() } else { Status::success() }
    }
    fn score(&self, _: &CycleState, pod: &PodInfo, node: &NodeInfo, _: &Snapshot<'_>) -> i64 {
        let (with, without) = self.balances(pod, node);
        (50.0 + (50.0 + with - without) / 2.0) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::testing::{node, node_object_sized, pod};
    use std::sync::Arc;

    fn plugin() -> BalancedAllocation {
        BalancedAllocation::new(&[("cpu".into(), 1), ("memory".into(), 1)])
    }

    fn with_pods(cpu: i64, mem: i64, existing: &[(i64, i64)]) -> NodeInfo {
        let mut n = node("n", cpu, mem, 110);
        for (i, (c, m)) in existing.iter().enumerate() {
            n.add_pod(Arc::new(pod(&format!("e{i}"), &[(*c, *m)])));
        }
        n
    }

    /// The pre-v1.36 score, `int64(S_with)`: upstream's balanced_allocation_test vectors.
    #[test]
    fn balance_reproduces_upstream_vectors() {
        let b = plugin();
        let p = pod("p", &[(1000, 2000), (2000, 3000)]);
        let s = |n: &NodeInfo, p: &PodInfo| b.balance(p, n, true) as i64;
        assert_eq!(s(&with_pods(4000, 10000, &[]), &p), 87);
        assert_eq!(s(&with_pods(6000, 10000, &[]), &p), 100);
        let cpu_only: &[(i64, i64)] = &[(1000, 0), (2000, 0)];
        let cpu_mem: &[(i64, i64)] = &[(1000, 2000), (2000, 3000)];
        assert_eq!(s(&with_pods(10000, 20000, cpu_only), &p), 82);
        assert_eq!(s(&with_pods(10000, 20000, cpu_mem), &p), 95);
        assert_eq!(s(&with_pods(10000, 50000, cpu_mem), &p), 80);
        let incoming_cpu_only = pod("q", &[(1000, 0), (2000, 0)]);
        assert_eq!(s(&with_pods(6000, 10000, cpu_only), &incoming_cpu_only), 50);
        assert_eq!(s(&with_pods(6000, 10000, cpu_mem), &incoming_cpu_only), 75);
    }

    /// The node's own fractions are cached: they must follow pods leaving and the node changing.
    #[test]
    fn cached_fractions_follow_the_node() {
        let b = plugin();
        let p = pod("p", &[(1000, 2000)]);
        let mut n = with_pods(10000, 20000, &[(3000, 0), (1000, 5000)]);
        n.remove_pod("default/e0");
        assert_eq!(b.balance(&p, &n, false), b.balance(&p, &with_pods(10000, 20000, &[(1000, 5000)]), false));
        let mut bigger = node("n", 20000, 20000, 110);
        bigger.add_pod(Arc::new(pod("e1", &[(1000, 5000)])));
        n.set_node(node_object_sized("n", 20000, 20000, 110));
        assert_eq!(b.balance(&p, &n, true), b.balance(&p, &bigger, true));
    }

    #[test]
    fn v1_36_scores_the_change_in_balance() {
        let b = plugin();
        let cache = Default::default();
        let listers = Default::default();
        let snap = Snapshot { cache: &cache, listers: &listers, num_nodes: 1 };
        let st = CycleState::default();
        // A balanced pod on an empty node keeps the balance: 75.
        let p = pod("p", &[(1000, 1000)]);
        assert_eq!(b.score(&st, &p, &with_pods(10000, 10000, &[]), &snap), 75);
        // Perfectly balanced → fully imbalanced (cpu 100%, memory 0%): 50.
        let cpu = pod("c", &[(10000, 0)]);
        assert_eq!(b.score(&st, &cpu, &with_pods(10000, 10000, &[]), &snap), 50);
        // The reverse: a memory pod rebalancing a cpu-full node: 100.
        let mem = pod("m", &[(0, 10000)]);
        assert_eq!(b.score(&st, &mem, &with_pods(10000, 10000, &[(10000, 0)]), &snap), 100);
        let mut state = CycleState::default();
        assert!(b.pre_score(&mut state, &pod("be", &[]), &[], &snap).is_skip());
    }
}
