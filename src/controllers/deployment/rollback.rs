//! Revisions, and so rollbacks. `kubectl rollout undo [--to-revision=N]` copies an old
//! ReplicaSet's template back into the Deployment; the controller then finds that ReplicaSet as the
//! "new" one (its template matches) and gives it the next revision number, keeping the numbers it
//! had before in `deployment.kubernetes.io/revision-history`. So a rollback is simply a new revision
//! that reuses an old ReplicaSet and its pods' hash.

use std::sync::Arc;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};

use super::util::{
    REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION, copy_deployment_annotations, max_surge, replicas, revision_of,
    set_replicas_annotations,
};

/// Upstream's cap on the revision-history annotation.
const MAX_REVISION_HISTORY_CHARS: usize = 2000;

/// `MaxRevision`: the highest revision among `sets`.
pub fn max_revision(sets: &[Arc<ReplicaSet>]) -> i64 {
    sets.iter().map(|rs| revision_of(rs.metadata.annotations.as_ref())).max().unwrap_or(0)
}

/// `SetNewReplicaSetAnnotations`: copies the Deployment's annotations, raises the revision to
/// `new_revision` (remembering the old one in the history when this set is brought back), and on a
/// set about to be created, the replica annotations. True when anything changed.
pub fn set_new_replica_set_annotations(d: &Deployment, rs: &mut ReplicaSet, new_revision: i64, exists: bool) -> bool {
    let mut changed = copy_deployment_annotations(d, rs);
    let annotations = rs.metadata.annotations.get_or_insert_with(Default::default);
    let old = annotations.get(REVISION_ANNOTATION).cloned();
    let old_number = revision_of(Some(annotations));
    if old_number < new_revision {
        annotations.insert(REVISION_ANNOTATION.into(), new_revision.to_string());
        changed = true;
        if let Some(old) = old.filter(|o| !o.is_empty()) {
            let history = annotations.get(REVISION_HISTORY_ANNOTATION).cloned().unwrap_or_default();
            let mut entries: Vec<&str> = if history.is_empty() { Vec::new() } else { history.split(',').collect() };
            let mut total = if history.is_empty() { old.len() } else { history.len() + old.len() + 1 };
            let mut start = 0;
            while total > MAX_REVISION_HISTORY_CHARS && start < entries.len() {
                total -= entries[start].len() + 1;
                start += 1;
            }
            if total <= MAX_REVISION_HISTORY_CHARS {
                entries.drain(..start);
                entries.push(&old);
                let joined = entries.join(",");
                annotations.insert(REVISION_HISTORY_ANNOTATION.into(), joined);
            }
        }
    }
    if !exists && set_replicas_annotations(rs, replicas(d), replicas(d).saturating_add(max_surge(d))) {
        changed = true;
    }
    changed
}

/// `SetDeploymentRevision`: true when the Deployment's revision annotation changed.
pub fn set_deployment_revision(d: &mut Deployment, revision: &str) -> bool {
    let annotations = d.metadata.annotations.get_or_insert_with(Default::default);
    if annotations.get(REVISION_ANNOTATION).map(String::as_str) == Some(revision) {
        return false;
    }
    annotations.insert(REVISION_ANNOTATION.into(), revision.to_string());
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bringing_a_set_back_records_its_old_revisions() {
        let d = Deployment::default();
        let mut rs = ReplicaSet::default();
        assert!(set_new_replica_set_annotations(&d, &mut rs, 1, false));
        let a = rs.metadata.annotations.clone().unwrap();
        assert_eq!(a.get(REVISION_ANNOTATION).map(String::as_str), Some("1"));
        assert!(!a.contains_key(REVISION_HISTORY_ANNOTATION));
        assert!(set_new_replica_set_annotations(&d, &mut rs, 3, true));
        assert!(set_new_replica_set_annotations(&d, &mut rs, 5, true));
        let a = rs.metadata.annotations.clone().unwrap();
        assert_eq!(a.get(REVISION_ANNOTATION).map(String::as_str), Some("5"));
        assert_eq!(a.get(REVISION_HISTORY_ANNOTATION).map(String::as_str), Some("1,3"));
        assert!(!set_new_replica_set_annotations(&d, &mut rs, 5, true));
    }
}
