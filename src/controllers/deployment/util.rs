//! Deployment arithmetic, as upstream's `deployment/util` has it: maxSurge and maxUnavailable
//! resolved against the replica count (with the rule that both may not be zero), the replica-count
//! annotations on ReplicaSets, the orders ReplicaSets are scaled in, template equality ignoring the
//! pod-template-hash, and the size a new ReplicaSet may grow to.

use std::cmp::Ordering;
use std::sync::Arc;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// The label that ties a ReplicaSet and its pods to one template of a Deployment.
pub const POD_TEMPLATE_HASH_LABEL: &str = "pod-template-hash";
pub const REVISION_ANNOTATION: &str = "deployment.kubernetes.io/revision";
pub const REVISION_HISTORY_ANNOTATION: &str = "deployment.kubernetes.io/revision-history";
pub const DESIRED_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/desired-replicas";
pub const MAX_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/max-replicas";
const LAST_APPLIED_ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";
const ROLLBACK_TO_ANNOTATION: &str = "deprecated.deployment.rollback.to";

pub fn replicas(d: &Deployment) -> i32 {
    d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
}

pub fn rs_replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
}

pub fn rs_available(rs: &ReplicaSet) -> i32 {
    rs.status.as_ref().and_then(|s| s.available_replicas).unwrap_or(0)
}

pub fn is_rolling_update(d: &Deployment) -> bool {
    d.spec.as_ref().and_then(|s| s.strategy.as_ref()).and_then(|s| s.type_.as_deref()).unwrap_or("RollingUpdate")
        == "RollingUpdate"
}

/// `GetScaledValueFromIntOrPercent`: an int as is, or a percentage of `total` rounded up or down. A
/// malformed value counts as 0 (validation rejects it before it is stored).
pub fn scaled_value(v: Option<&IntOrString>, total: i32, round_up: bool) -> i32 {
    match v {
        None => 0,
        Some(IntOrString::Int(i)) => *i,
        Some(IntOrString::String(s)) => {
            let Some(pct) = s.strip_suffix('%').and_then(|p| p.parse::<i64>().ok()) else { return 0 };
            let product = pct.saturating_mul(i64::from(total));
            let value = if round_up {
                product.div_euclid(100) + i64::from(product.rem_euclid(100) != 0)
            } else {
                product.div_euclid(100)
            };
            i32::try_from(value).unwrap_or(if value < 0 { i32::MIN } else { i32::MAX })
        }
    }
}

/// `ResolveFenceposts`: (surge, unavailable) for `desired` replicas; surge rounds up, unavailable
/// down, and if both come to zero unavailable becomes 1 so that a rollout can progress.
pub fn resolve_fenceposts(
    max_surge: Option<&IntOrString>,
    max_unavailable: Option<&IntOrString>,
    desired: i32,
) -> (i32, i32) {
    let surge = scaled_value(max_surge, desired, true);
    let unavailable = scaled_value(max_unavailable, desired, false);
    if surge == 0 && unavailable == 0 { (0, 1) } else { (surge, unavailable) }
}

fn fenceposts(d: &Deployment) -> (i32, i32) {
    let ru = d.spec.as_ref().and_then(|s| s.strategy.as_ref()).and_then(|s| s.rolling_update.as_ref());
    resolve_fenceposts(ru.and_then(|r| r.max_surge.as_ref()), ru.and_then(|r| r.max_unavailable.as_ref()), replicas(d))
}

/// `MaxSurge`: 0 unless the strategy is RollingUpdate.
pub fn max_surge(d: &Deployment) -> i32 {
    if !is_rolling_update(d) {
        return 0;
    }
    fenceposts(d).0
}

/// `MaxUnavailable`: 0 unless RollingUpdate with replicas; never more than the replicas.
pub fn max_unavailable(d: &Deployment) -> i32 {
    let r = replicas(d);
    if !is_rolling_update(d) || r == 0 {
        return 0;
    }
    fenceposts(d).1.min(r)
}

fn annotation<'a>(rs: &'a ReplicaSet, key: &str) -> Option<&'a str> {
    rs.metadata.annotations.as_ref().and_then(|a| a.get(key)).map(String::as_str)
}

/// The desired-replicas annotation (what the Deployment wanted when it last scaled this set).
pub fn desired_replicas_annotation(rs: &ReplicaSet) -> Option<i32> {
    annotation(rs, DESIRED_REPLICAS_ANNOTATION).and_then(|v| v.parse().ok())
}

fn max_replicas_annotation(rs: &ReplicaSet) -> Option<i32> {
    annotation(rs, MAX_REPLICAS_ANNOTATION).and_then(|v| v.parse().ok())
}

/// The revision annotation of an object's metadata as a number (0 when absent or malformed).
pub fn revision_of(annotations: Option<&std::collections::BTreeMap<String, String>>) -> i64 {
    annotations.and_then(|a| a.get(REVISION_ANNOTATION)).and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// `SetReplicasAnnotations`: records desired and max replicas on `rs`; true when that changed it.
pub fn set_replicas_annotations(rs: &mut ReplicaSet, desired: i32, max: i32) -> bool {
    let a = rs.metadata.annotations.get_or_insert_with(Default::default);
    let mut changed = false;
    for (k, v) in [(DESIRED_REPLICAS_ANNOTATION, desired), (MAX_REPLICAS_ANNOTATION, max)] {
        let v = v.to_string();
        if a.get(k) != Some(&v) {
            a.insert(k.to_string(), v);
            changed = true;
        }
    }
    changed
}

/// `ReplicasAnnotationsNeedUpdate`.
pub fn replicas_annotations_need_update(rs: &ReplicaSet, desired: i32, max: i32) -> bool {
    desired_replicas_annotation(rs) != Some(desired) || max_replicas_annotation(rs) != Some(max)
}

/// `copyDeploymentAnnotationsToReplicaSet`: the Deployment's own annotations (not the ones the
/// controller manages, nor kubectl's last-applied) go on its ReplicaSets.
pub fn copy_deployment_annotations(d: &Deployment, rs: &mut ReplicaSet) -> bool {
    let mut changed = false;
    let target = rs.metadata.annotations.get_or_insert_with(Default::default);
    for (k, v) in d.metadata.annotations.iter().flatten() {
        let skip = matches!(
            k.as_str(),
            LAST_APPLIED_ANNOTATION
                | REVISION_ANNOTATION
                | REVISION_HISTORY_ANNOTATION
                | DESIRED_REPLICAS_ANNOTATION
                | MAX_REPLICAS_ANNOTATION
                | ROLLBACK_TO_ANNOTATION
        );
        if !skip && target.get(k) != Some(v) {
            target.insert(k.clone(), v.clone());
            changed = true;
        }
    }
    changed
}

/// A template without the pod-template-hash label, for `EqualIgnoreHash`.
fn without_hash(t: &PodTemplateSpec) -> PodTemplateSpec {
    let mut t = t.clone();
    if let Some(meta) = t.metadata.as_mut()
        && let Some(labels) = meta.labels.as_mut()
    {
        labels.remove(POD_TEMPLATE_HASH_LABEL);
        if labels.is_empty() {
            meta.labels = None;
        }
    }
    t
}

/// `EqualIgnoreHash`: whether two templates differ only in their pod-template-hash label.
pub fn equal_ignore_hash(a: &PodTemplateSpec, b: &PodTemplateSpec) -> bool {
    without_hash(a) == without_hash(b)
}

fn creation_ms(rs: &ReplicaSet) -> i64 {
    rs.metadata.creation_timestamp.as_ref().map_or(0, |t| t.0.as_millisecond())
}

/// `ReplicaSetsByCreationTimestamp`: oldest first, then by name.
pub fn by_creation(a: &ReplicaSet, b: &ReplicaSet) -> Ordering {
    creation_ms(a).cmp(&creation_ms(b)).then_with(|| a.metadata.name.cmp(&b.metadata.name))
}

/// `ReplicaSetsBySizeOlder`: largest first, ties oldest first.
pub fn by_size_older(a: &ReplicaSet, b: &ReplicaSet) -> Ordering {
    rs_replicas(b).cmp(&rs_replicas(a)).then_with(|| by_creation(a, b))
}

/// `ReplicaSetsBySizeNewer`: largest first, ties newest first.
pub fn by_size_newer(a: &ReplicaSet, b: &ReplicaSet) -> Ordering {
    rs_replicas(b).cmp(&rs_replicas(a)).then_with(|| by_creation(b, a))
}

/// `ReplicaSetsByRevision`: lowest revision first, then by creation.
pub fn by_revision(a: &ReplicaSet, b: &ReplicaSet) -> Ordering {
    revision_of(a.metadata.annotations.as_ref())
        .cmp(&revision_of(b.metadata.annotations.as_ref()))
        .then_with(|| by_creation(a, b))
}

/// Sum of spec.replicas.
pub fn replica_count(sets: &[Arc<ReplicaSet>]) -> i32 {
    sets.iter().map(|rs| rs_replicas(rs)).fold(0, i32::saturating_add)
}

/// Sum of status.replicas.
pub fn actual_replica_count(sets: &[Arc<ReplicaSet>]) -> i32 {
    sets.iter().map(|rs| rs.status.as_ref().map_or(0, |s| s.replicas)).fold(0, i32::saturating_add)
}

pub fn ready_replica_count(sets: &[Arc<ReplicaSet>]) -> i32 {
    sets.iter().map(|rs| rs.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0)).fold(0, i32::saturating_add)
}

pub fn available_replica_count(sets: &[Arc<ReplicaSet>]) -> i32 {
    sets.iter().map(|rs| rs_available(rs)).fold(0, i32::saturating_add)
}

/// `NewRSNewReplicas`: how big the new ReplicaSet may be now. A rolling update grows it only as far
/// as maxSurge allows over all sets; Recreate makes it full size at once.
pub fn new_rs_new_replicas(d: &Deployment, all: &[Arc<ReplicaSet>], new_rs: &ReplicaSet) -> i32 {
    if !is_rolling_update(d) {
        return replicas(d);
    }
    let current = replica_count(all);
    let max_total = replicas(d).saturating_add(max_surge(d));
    let new_replicas = rs_replicas(new_rs);
    if current >= max_total {
        return new_replicas;
    }
    let up = (max_total - current).min(replicas(d).saturating_sub(new_replicas));
    new_replicas.saturating_add(up)
}

/// `IsSaturated`: the new ReplicaSet is full size and fully available.
pub fn is_saturated(d: &Deployment, rs: Option<&ReplicaSet>) -> bool {
    let Some(rs) = rs else { return false };
    let r = replicas(d);
    desired_replicas_annotation(rs) == Some(r) && rs_replicas(rs) == r && rs_available(rs) == r
}

/// `GetProportion`: the share of `to_add` this set gets when a Deployment is resized mid-rollout.
pub fn proportion(rs: &ReplicaSet, d: &Deployment, status_replicas: i32, to_add: i32, added: i32) -> i32 {
    if rs_replicas(rs) == 0 || to_add == 0 || to_add == added {
        return 0;
    }
    let fraction = replica_set_fraction(rs, d, status_replicas);
    let allowed = to_add - added;
    if to_add > 0 { fraction.min(allowed) } else { fraction.max(allowed) }
}

/// `getReplicaSetFraction`: how much this set should change to keep its share of the new size.
fn replica_set_fraction(rs: &ReplicaSet, d: &Deployment, status_replicas: i32) -> i32 {
    let r = replicas(d);
    if r == 0 {
        return -rs_replicas(rs);
    }
    let deployment_replicas = i64::from(r) + i64::from(max_surge(d));
    let annotated = max_replicas_annotation(rs).unwrap_or(status_replicas);
    if annotated <= 0 {
        return 0;
    }
    let size = (i64::from(rs_replicas(rs)) * deployment_replicas) as f64 / f64::from(annotated);
    let rounded = size.round() as i64 - i64::from(rs_replicas(rs));
    i32::try_from(rounded).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pct(s: &str) -> IntOrString {
        IntOrString::String(s.into())
    }

    #[test]
    fn fenceposts_with_default_percentages() {
        let (s, u) = (pct("25%"), pct("25%"));
        let cases = [(1, (1, 0)), (3, (1, 0)), (4, (1, 1)), (5, (2, 1)), (10, (3, 2)), (100, (25, 25))];
        for (replicas, want) in cases {
            assert_eq!(resolve_fenceposts(Some(&s), Some(&u), replicas), want, "replicas {replicas}");
        }
        assert_eq!(resolve_fenceposts(Some(&IntOrString::Int(0)), Some(&IntOrString::Int(0)), 3), (0, 1));
        assert_eq!(resolve_fenceposts(Some(&pct("0%")), Some(&pct("10%")), 3), (0, 1));
        assert_eq!(resolve_fenceposts(Some(&pct("bad")), None, 3), (0, 1));
        assert_eq!(scaled_value(Some(&pct("100%")), i32::MAX, true), i32::MAX);
    }
}
