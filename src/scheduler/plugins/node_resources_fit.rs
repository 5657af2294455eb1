//! NodeResourcesFit: Filter checks the pod's real requests against what the node has left (pods,
//! cpu, memory, ephemeral-storage, extended resources); Score applies the profile's strategy
//! (LeastAllocated by default, MostAllocated, RequestedToCapacityRatio) to the node's non-zero
//! requests plus the pod's.

use crate::scheduler::cache::resource::ResourceName;
use crate::scheduler::cache::{NodeInfo, PodInfo};
use crate::scheduler::config::{FitArgs, ScoringStrategy};
use crate::scheduler::framework::{CycleState, MAX_NODE_SCORE, Plugin, Snapshot, Status, points};

pub const NAME: &str = "NodeResourcesFit";

pub struct NodeResourcesFit {
    args: FitArgs,
    /// `args.resources`, resolved.
    resources: Vec<(ResourceName, i64)>,
    /// RequestedToCapacityRatio's shape with scores scaled to 0..=100.
    rtcr_shape: Option<Vec<(i64, i64)>>,
}

impl NodeResourcesFit {
    pub fn new(args: FitArgs) -> Self {
        let resources = ResourceName::parse_weighted(&args.resources);
        let rtcr_shape = match &args.strategy {
            ScoringStrategy::RequestedToCapacityRatio(s) => Some(s.iter().map(|(u, s)| (*u, s * 10)).collect()),
            _ => None,
        };
        NodeResourcesFit { args, resources, rtcr_shape }
    }
}

/// The reasons a pod does not fit a node's resources, in upstream's order.
pub fn insufficient(pod: &PodInfo, node: &NodeInfo) -> Vec<String> {
    let mut reasons = Vec::new();
    if node.pods.len() as i64 + 1 > node.allocatable.allowed_pods {
        reasons.push("Too many pods".to_string());
    }
    let r = &pod.requests;
    if r.is_zero() {
        return reasons;
    }
    let (a, q) = (&node.allocatable, &node.requested);
    if r.milli_cpu > 0 && r.milli_cpu > a.milli_cpu - q.milli_cpu {
        reasons.push("Insufficient cpu".into());
    }
    if r.memory > 0 && r.memory > a.memory - q.memory {
        reasons.push("Insufficient memory".into());
    }
    if r.ephemeral_storage > 0 && r.ephemeral_storage > a.ephemeral_storage - q.ephemeral_storage {
        reasons.push("Insufficient ephemeral-storage".into());
    }
    for (name, want) in &r.scalar {
        if *want > 0 && *want > a.get(name) - q.get(name) {
            reasons.push(format!("Insufficient {name}"));
        }
    }
    reasons
}

/// (requested including the pod, allocatable) of one resource; `non_zero` uses the scoring
/// defaults for cpu and memory.
pub fn requested_and_allocatable(
    pod: &PodInfo,
    node: &NodeInfo,
    resource: &ResourceName,
    non_zero: bool,
) -> (i64, i64) {
    let alloc = node.allocatable.amount(resource);
    let req = match (resource, non_zero) {
        (ResourceName::Cpu, true) => node.non_zero_cpu + pod.non_zero_cpu,
        (ResourceName::Memory, true) => node.non_zero_mem + pod.non_zero_mem,
        _ => node.requested.amount(resource) + pod.requests.amount(resource),
    };
    (req, alloc)
}

fn least(req: i64, cap: i64) -> i64 {
    if cap == 0 || req > cap { 0 } else { (cap - req) * MAX_NODE_SCORE / cap }
}

fn most(req: i64, cap: i64) -> i64 {
    if cap == 0 { 0 } else { req.min(cap) * MAX_NODE_SCORE / cap }
}

/// The broken-linear function through `shape` (scores already scaled to 0..=100).
fn broken_linear(shape: &[(i64, i64)], x: i64) -> i64 {
    for (i, &(px, py)) in shape.iter().enumerate() {
        if x <= px {
            if i == 0 {
                return py;
            }
            let (qx, qy) = shape[i - 1];
            if px == qx {
                return py;
            }
            return qy + (py - qy) * (x - qx) / (px - qx);
        }
    }
    shape.last().map(|s| s.1).unwrap_or(0)
}

impl NodeResourcesFit {
    /// The node's score under the profile's strategy.
    pub fn strategy_score(&self, pod: &PodInfo, node: &NodeInfo) -> i64 {
        let (mut sum, mut weights) = (0i64, 0i64);
        for (name, weight) in &self.resources {
            if matches!(name, ResourceName::Scalar(_) | ResourceName::Pods) && pod.requests.amount(name) == 0 {
                continue;
            }
            let (req, cap) = requested_and_allocatable(pod, node, name, true);
            let s = match &self.rtcr_shape {
                None if self.args.strategy == ScoringStrategy::MostAllocated => most(req, cap),
                None => least(req, cap),
                Some(shape) => {
                    if cap == 0 {
                        continue;
                    }
                    let util = if req > cap { 100 } else { (req * 100 / cap).clamp(0, 100) };
                    let s = broken_linear(shape, util);
                    if s <= 0 {
                        continue;
                    }
                    s
                }
            };
            sum += s * weight;
            weights += weight;
        }
        if weights == 0 {
            return 0;
        }
        if self.rtcr_shape.is_some() { (sum as f64 / weights as f64).round() as i64 } else { sum / weights }
    }
}

impl Plugin for NodeResourcesFit {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u32 {
        points::PRE_FILTER | points::FILTER | points::PRE_SCORE | points::SCORE
    }
    fn filter(&self, _: &CycleState, pod: &PodInfo, node: &NodeInfo, _: &Snapshot<'_>) -> Status {
        let reasons = insufficient(pod, node);
        if reasons.is_empty() {
            return Status::success();
        }
        let mut s = Status::unschedulable("");
        s.reasons = reasons;
        s
    }
    fn score(&self, _: &CycleState, pod: &PodInfo, node: &NodeInfo, _: &Snapshot<'_>) -> i64 {
        self.strategy_score(pod, node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::testing::{node, pod};

    fn fit(strategy: ScoringStrategy, cpu_w: i64, mem_w: i64) -> NodeResourcesFit {
        NodeResourcesFit::new(FitArgs { strategy, resources: vec![("cpu".into(), cpu_w), ("memory".into(), mem_w)] })
    }

    /// (cpu, memory, existing pods' (cpu, memory)).
    type NodeSpec<'a> = (i64, i64, &'a [(i64, i64)]);

    fn scores(f: &NodeResourcesFit, p: &PodInfo, nodes: &[NodeSpec<'_>]) -> Vec<i64> {
        nodes
            .iter()
            .enumerate()
            .map(|(i, (cpu, mem, existing))| {
                let mut n = node(&format!("n{i}"), *cpu, *mem, 110);
                for (j, (c, m)) in existing.iter().enumerate() {
                    n.add_pod(std::sync::Arc::new(pod(&format!("e{j}"), &[(*c, *m)])));
                }
                f.strategy_score(p, &n)
            })
            .collect()
    }

    #[test]
    fn least_allocated_upstream_vectors() {
        let f = fit(ScoringStrategy::LeastAllocated, 1, 1);
        let p = pod("p", &[(1000, 2000), (2000, 3000)]);
        assert_eq!(scores(&f, &p, &[(4000, 10000, &[]), (6000, 10000, &[])]), [37, 50]);
        let e1: &[(i64, i64)] = &[(3000, 0)];
        let e2: &[(i64, i64)] = &[(3000, 5000)];
        assert_eq!(scores(&f, &p, &[(10000, 20000, e1), (10000, 20000, e2)]), [57, 45]);
        assert_eq!(scores(&f, &p, &[(10000, 20000, e1), (10000, 50000, e2)]), [57, 60]);
        let cpu_only = pod("p", &[(3000, 0)]);
        assert_eq!(scores(&f, &cpu_only, &[(4000, 10000, e1), (4000, 10000, e2)]), [50, 25]);
        let weighted = fit(ScoringStrategy::LeastAllocated, 1, 2);
        assert_eq!(scores(&weighted, &p, &[(4000, 10000, &[]), (6000, 10000, &[])]), [41, 50]);
        assert_eq!(scores(&f, &p, &[(0, 0, &[]), (0, 0, &[])]), [0, 0]);
        let empty = pod("empty", &[]);
        assert_eq!(scores(&f, &empty, &[(4000, 10000, &[])]), [100]);
    }

    #[test]
    fn most_allocated_prefers_the_fuller_node() {
        let f = fit(ScoringStrategy::MostAllocated, 1, 1);
        let p = pod("p", &[(1000, 2000), (2000, 3000)]);
        assert_eq!(scores(&f, &p, &[(4000, 10000, &[]), (6000, 10000, &[])]), [62, 50]);
    }

    #[test]
    fn requested_to_capacity_ratio_rounds() {
        let f = fit(ScoringStrategy::RequestedToCapacityRatio(vec![(0, 10), (100, 0)]), 1, 1);
        let p = pod("p", &[(3000, 5000)]);
        // cpu 75% → 25, memory 50% → 50: round(75 / 2) = 38.
        assert_eq!(scores(&f, &p, &[(4000, 10000, &[])]), [38]);
    }

    #[test]
    fn filter_reasons() {
        let p = pod("p", &[(5000, 1 << 40)]);
        let n = node("n", 4000, 8 << 30, 110);
        assert_eq!(insufficient(&p, &n), ["Insufficient cpu", "Insufficient memory"]);
        let full = node("n", 4000, 8 << 30, 0);
        assert_eq!(insufficient(&pod("q", &[]), &full), ["Too many pods"]);
    }
}
