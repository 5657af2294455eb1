//! ImageLocality (Score): favours nodes that already hold the pod's images, weighting each image
//! by how many nodes have it (so a image everywhere does not pull every pod to one node), between
//! 23 MiB and 1000 MiB per container.

use crate::scheduler::cache::{NodeInfo, PodInfo};
use crate::scheduler::framework::{CycleState, MAX_NODE_SCORE, Plugin, Snapshot, points};

pub const NAME: &str = "ImageLocality";
const MB: i64 = 1024 * 1024;
const MIN_THRESHOLD: i64 = 23 * MB;
const MAX_CONTAINER_THRESHOLD: i64 = 1000 * MB;

pub struct ImageLocality;

/// The score from the sum of scaled image sizes.
pub fn calculate_priority(sum: i64, num_containers: usize) -> i64 {
    let max = MAX_CONTAINER_THRESHOLD * num_containers as i64;
    let sum = sum.clamp(MIN_THRESHOLD, max.max(MIN_THRESHOLD));
    if max <= MIN_THRESHOLD {
        return 0;
    }
    MAX_NODE_SCORE * (sum - MIN_THRESHOLD) / (max - MIN_THRESHOLD)
}

impl Plugin for ImageLocality {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u32 {
        points::SCORE
    }
    fn score(&self, _: &CycleState, pod: &PodInfo, node: &NodeInfo, snap: &Snapshot<'_>) -> i64 {
        if node.images.is_empty() {
            // A sum of nothing is under the 23 MiB floor, which scores 0 (skips a division per node).
            return 0;
        }
        let total = snap.num_nodes.max(1) as f64;
        let sum: i64 = pod
            .images
            .iter()
            .filter_map(|img| {
                let size = *node.images.get(img)?;
                let spread = snap.cache.image_node_count(img) as f64 / total;
                Some((size as f64 * spread) as i64)
            })
            .sum();
        calculate_priority(sum, pod.images.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::cache::Cache;
    use crate::scheduler::testing::{node_object, pod_with_images};

    #[test]
    fn upstream_vectors() {
        let mut cache = Cache::default();
        let m1 = [("gcr.io/40", 40 * MB), ("gcr.io/300", 300 * MB), ("gcr.io/2000", 2000 * MB)];
        let m2 = [("gcr.io/250", 250 * MB), ("gcr.io/10", 10 * MB)];
        cache.upsert_node(node_object("machine1", &m1));
        cache.upsert_node(node_object("machine2", &m2));
        let listers = Default::default();
        let snap = Snapshot { cache: &cache, listers: &listers, num_nodes: 2 };
        let st = CycleState::default();
        let score = |p: &PodInfo, n: &str| ImageLocality.score(&st, p, cache.node_by_name(n).unwrap(), &snap);
        let p = pod_with_images(&["gcr.io/40", "gcr.io/250"]);
        assert_eq!((score(&p, "machine1"), score(&p, "machine2")), (0, 5));
        let q = pod_with_images(&["gcr.io/40", "gcr.io/300"]);
        assert_eq!((score(&q, "machine1"), score(&q, "machine2")), (7, 0));
    }
}
