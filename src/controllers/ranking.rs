//! Which pods a ReplicaSet deletes first when it scales down (upstream's ActivePodsWithRanks with
//! the PodDeletionCost and LogarithmicScaleDown gates on): pods that do least harm when deleted go
//! first — unscheduled before scheduled, pending before running, not-ready before ready, cheap before
//! costly, pods doubled up on a node with their siblings before lone ones, recently ready before long
//! ready, crash-looping before stable, young before old.

use std::cmp::Ordering;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time as MetaTime;

use super::controller_utils::{POD_DELETION_COST, is_pod_ready, pod_ready_time, unix_millis};

/// A pod with its rank: how many active pods of the same owner family share its node.
#[derive(Debug, Clone, Copy)]
pub struct Ranked<'a> {
    pub pod: &'a Pod,
    pub rank: usize,
}

fn node_name(p: &Pod) -> &str {
    p.spec.as_ref().and_then(|s| s.node_name.as_deref()).unwrap_or("")
}

fn phase_rank(p: &Pod) -> u8 {
    match p.status.as_ref().and_then(|s| s.phase.as_deref()) {
        Some("Pending") => 0,
        Some("Unknown") => 1,
        Some("Running") => 2,
        _ => 3,
    }
}

/// The deletion cost annotation; a missing or unparsable value costs 0.
fn deletion_cost(p: &Pod) -> i32 {
    p.metadata.annotations.as_ref().and_then(|a| a.get(POD_DELETION_COST)).and_then(|v| v.parse().ok()).unwrap_or(0)
}

fn max_restarts(p: &Pod) -> i32 {
    p.status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .into_iter()
        .flatten()
        .map(|c| c.restart_count)
        .max()
        .unwrap_or(0)
}

fn uid(p: &Pod) -> &str {
    p.metadata.uid.as_deref().unwrap_or("")
}

/// floor(log2(now − t)) over nanoseconds, or −1 when t is not in the past.
fn log_bucket(t: &MetaTime, now_ms: i64) -> i64 {
    let d_ns = (now_ms.saturating_sub(unix_millis(t)) as i128) * 1_000_000;
    if d_ns <= 0 { -1 } else { i64::from(127 - d_ns.leading_zeros() as i32) }
}

/// Newer first, with upstream's logarithmic buckets: times within the same power-of-two age compare
/// equal and the smaller UID goes first. A missing time is "zero", which sorts first.
fn newer_first(a: (&Pod, Option<&MetaTime>), b: (&Pod, Option<&MetaTime>), now_ms: i64) -> Ordering {
    match (a.1, b.1) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(ta), Some(tb)) if ta == tb => Ordering::Equal,
        (Some(ta), Some(tb)) => match log_bucket(ta, now_ms).cmp(&log_bucket(tb, now_ms)) {
            Ordering::Equal => uid(a.0).cmp(uid(b.0)),
            other => other,
        },
    }
}

/// `ActivePodsWithRanks.Less` as an ordering: `Less` means `a` is deleted before `b`.
pub fn compare(a: &Ranked<'_>, b: &Ranked<'_>, now_ms: i64) -> Ordering {
    let (pa, pb) = (a.pod, b.pod);
    // 1. Unscheduled before scheduled.
    let scheduled = |p: &Pod| !node_name(p).is_empty();
    scheduled(pa)
        .cmp(&scheduled(pb))
        // 2. Pending < Unknown < Running.
        .then_with(|| phase_rank(pa).cmp(&phase_rank(pb)))
        // 3. Not ready before ready.
        .then_with(|| is_pod_ready(pa).cmp(&is_pod_ready(pb)))
        // 4. Lower deletion cost first.
        .then_with(|| deletion_cost(pa).cmp(&deletion_cost(pb)))
        // 5. More siblings on the same node first.
        .then_with(|| b.rank.cmp(&a.rank))
        // 6. Both ready: ready more recently first.
        .then_with(|| {
            if is_pod_ready(pa) && is_pod_ready(pb) {
                newer_first((pa, pod_ready_time(pa)), (pb, pod_ready_time(pb)), now_ms)
            } else {
                Ordering::Equal
            }
        })
        // 7. More restarts first.
        .then_with(|| max_restarts(pb).cmp(&max_restarts(pa)))
        // 8. Created more recently first.
        .then_with(|| {
            newer_first(
                (pa, pa.metadata.creation_timestamp.as_ref()),
                (pb, pb.metadata.creation_timestamp.as_ref()),
                now_ms,
            )
        })
}

/// Sorts `pods` so that the first is the first to delete.
pub fn sort_for_deletion(pods: &mut [Ranked<'_>], now_ms: i64) {
    pods.sort_by(|a, b| compare(a, b, now_ms));
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{ContainerStatus, PodCondition, PodSpec, PodStatus};
    use k8s_openapi::jiff::Timestamp;

    fn ts(secs: i64) -> MetaTime {
        MetaTime(Timestamp::from_second(secs).unwrap())
    }

    fn pod(name: &str, node: Option<&str>, phase: &str, ready_since: Option<i64>, created: i64) -> Pod {
        let mut p = Pod::default();
        p.metadata.name = Some(name.into());
        p.metadata.uid = Some(format!("uid-{name}"));
        p.metadata.creation_timestamp = Some(ts(created));
        p.spec = Some(PodSpec { node_name: node.map(Into::into), ..Default::default() });
        let conditions = ready_since.map(|t| {
            vec![PodCondition {
                type_: "Ready".into(),
                status: "True".into(),
                last_transition_time: Some(ts(t)),
                ..Default::default()
            }]
        });
        p.status = Some(PodStatus { phase: Some(phase.into()), conditions, ..Default::default() });
        p
    }

    fn order(pods: &[(Pod, usize)], now_s: i64) -> Vec<String> {
        let mut ranked: Vec<Ranked<'_>> = pods.iter().map(|(pod, rank)| Ranked { pod, rank: *rank }).collect();
        sort_for_deletion(&mut ranked, now_s * 1000);
        ranked.iter().map(|r| r.pod.metadata.name.clone().unwrap()).collect()
    }

    #[test]
    fn upstream_victim_order() {
        let now = 10_000;
        let mut costly = pod("costly", Some("n1"), "Running", Some(100), 50);
        costly.metadata.annotations = Some([(POD_DELETION_COST.to_string(), "100".to_string())].into());
        let mut crashy = pod("crashy", Some("n1"), "Running", Some(100), 50);
        crashy.status.as_mut().unwrap().container_statuses =
            Some(vec![ContainerStatus { restart_count: 3, ..Default::default() }]);
        let pods = vec![
            (pod("running-old", Some("n1"), "Running", Some(100), 50), 1),
            (pod("unscheduled", None, "Pending", None, 50), 0),
            (pod("pending", Some("n1"), "Pending", None, 50), 1),
            (pod("not-ready", Some("n1"), "Running", None, 50), 1),
            (costly, 1),
            (pod("doubled", Some("n2"), "Running", Some(100), 50), 3),
            (pod("ready-recently", Some("n1"), "Running", Some(9_990), 50), 1),
            (crashy, 1),
            (pod("unknown", Some("n1"), "Unknown", None, 50), 1),
        ];
        assert_eq!(
            order(&pods, now),
            [
                "unscheduled",
                "pending",
                "unknown",
                "not-ready",
                "doubled",
                "ready-recently",
                "crashy",
                "running-old",
                "costly"
            ]
        );
    }

    #[test]
    fn times_in_one_power_of_two_bucket_tie_break_on_uid() {
        // Created 1000s and 1001s ago: the same log2 bucket, so the smaller uid ("a") goes first.
        let pods =
            vec![(pod("b", Some("n"), "Running", None, 9_000), 0), (pod("a", Some("n"), "Running", None, 8_999), 0)];
        assert_eq!(order(&pods, 10_000), ["a", "b"]);
        // 10s against 1000s ago: the younger goes first.
        let pods =
            vec![(pod("a", Some("n"), "Running", None, 9_000), 0), (pod("b", Some("n"), "Running", None, 9_990), 0)];
        assert_eq!(order(&pods, 10_000), ["b", "a"]);
    }
}
