//! `updateStatefulSet` (upstream's `stateful_set_control.go`): pick the current and update
//! revisions, recreate failed pods, create missing ordinals (claims first), scale down from the
//! highest ordinal, roll pods to the update revision from the highest ordinal down to the partition,
//! and report the status. OrderedReady does one step at a time and waits for each pod to be Running
//! and Ready; Parallel creates and deletes all at once.

use std::collections::BTreeSet;
use std::sync::Arc;

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet, StatefulSetStatus};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

use super::identity::*;
use super::revision::{apply_revision, new_revision, revision_data, revision_hash};
use super::{NAME, StatefulSetController};
use crate::api::{Kind, Object};
use crate::apiserver::{DeleteOptions, Reason, WriteOptions};
use crate::client::{Ctx, EventKind};
use crate::controllers::controller_utils::{controller_ref, is_pod_available, is_pod_ready};
use crate::controllers::queue::Requeue;
use crate::controllers::{SyncError, record_decision};

fn phase(p: &Pod) -> &str {
    p.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("")
}

fn terminating(p: &Pod) -> bool {
    p.metadata.deletion_timestamp.is_some()
}

fn running_and_ready(p: &Pod) -> bool {
    phase(p) == "Running" && is_pod_ready(p)
}

fn healthy(p: &Pod) -> bool {
    running_and_ready(p) && !terminating(p)
}

fn pod_revision(p: &Pod) -> &str {
    p.metadata.labels.as_ref().and_then(|l| l.get(REVISION_LABEL)).map(String::as_str).unwrap_or("")
}

/// What a sync decided so far.
struct Plan<'a> {
    obj: &'a Object,
    set: &'a StatefulSet,
    current_set: StatefulSet,
    update_set: StatefulSet,
    current: String,
    update: String,
    status: StatefulSetStatus,
}

impl StatefulSetController {
    pub(super) fn sync_stateful_set(&mut self, key: &str, ctx: &mut Ctx<'_>) -> Result<Requeue, SyncError> {
        let Some(obj) = self.sets.cache().get(key).cloned() else { return Ok(Requeue::No) };
        let Object::StatefulSet(set) = &obj else { return Ok(Requeue::No) };
        let uid = obj.uid().to_string();
        let name = obj.name().to_string();
        let pods: Vec<Arc<Pod>> = self
            .pods
            .cache()
            .owned_by(&uid)
            .filter_map(|o| match o {
                Object::Pod(p) if controller_ref(&p.metadata).is_some_and(|r| r.uid == uid) => Some(p.clone()),
                _ => None,
            })
            .filter(|p| ordinal_of(&name, p.metadata.name.as_deref().unwrap_or("")).is_some())
            .collect();
        let mut revisions: Vec<ControllerRevision> = self
            .revisions
            .cache()
            .owned_by(&uid)
            .filter_map(|o| match o {
                Object::ControllerRevision(r) => Some((**r).clone()),
                _ => None,
            })
            .collect();
        revisions.sort_by_key(|r| r.revision);
        let (current_rev, update_rev, collision) = self.revisions_of(&obj, set, &revisions, ctx)?;
        let mut plan = Plan {
            obj: &obj,
            set,
            current_set: apply_revision(set, &current_rev),
            update_set: apply_revision(set, &update_rev),
            current: revision_hash(&current_rev),
            update: revision_hash(&update_rev),
            status: StatefulSetStatus::default(),
        };
        let min_ready = set.spec.as_ref().and_then(|s| s.min_ready_seconds).unwrap_or(0);
        let now_ms = ctx.api.clock().unix_millis(ctx.now());
        let st = &mut plan.status;
        for p in &pods {
            st.replicas += 1;
            if running_and_ready(p) {
                *st.ready_replicas.get_or_insert(0) += 1;
                if is_pod_available(p, min_ready, now_ms) {
                    *st.available_replicas.get_or_insert(0) += 1;
                }
            }
            if !terminating(p) {
                if pod_revision(p) == plan.current {
                    *st.current_replicas.get_or_insert(0) += 1;
                }
                if pod_revision(p) == plan.update {
                    *st.updated_replicas.get_or_insert(0) += 1;
                }
            }
        }
        let result =
            if set.metadata.deletion_timestamp.is_some() { Ok(()) } else { self.update_pods(&mut plan, &pods, ctx) };
        let status = finish_status(plan.status, set, &plan.current, &plan.update, collision);
        self.truncate_history(&obj, set, &pods, &revisions, &status, ctx)?;
        self.write_status(set, status, ctx)?;
        result.map(|()| Requeue::No)
    }

    /// `getStatefulSetRevisions`: the current revision and the update revision (created when the
    /// template is new), and the collision count.
    fn revisions_of(
        &mut self,
        obj: &Object,
        set: &StatefulSet,
        revisions: &[ControllerRevision],
        ctx: &mut Ctx<'_>,
    ) -> Result<(ControllerRevision, ControllerRevision, i32), SyncError> {
        let collision = set.status.as_ref().and_then(|s| s.collision_count).unwrap_or(0);
        let next = revisions.last().map_or(1, |r| r.revision + 1);
        let data = revision_data(set);
        let equal = revisions.iter().rposition(|r| r.data.as_ref().map(|d| &d.0) == Some(&data));
        let update = match equal {
            Some(i) if i + 1 == revisions.len() => revisions[i].clone(),
            Some(i) => {
                let mut bumped = revisions[i].clone();
                bumped.revision = next;
                match ctx.api.update(
                    &self.who,
                    Object::ControllerRevision(Arc::new(bumped)),
                    &WriteOptions::default(),
                )? {
                    Object::ControllerRevision(r) => (*r).clone(),
                    _ => revisions[i].clone(),
                }
            }
            None => {
                let rev = new_revision(obj, set, next, Some(collision));
                match ctx.api.create(&self.who, Object::ControllerRevision(Arc::new(rev.clone())), &Default::default())
                {
                    Ok(Object::ControllerRevision(r)) => (*r).clone(),
                    Ok(_) => rev,
                    Err(e) if e.reason == Reason::AlreadyExists => {
                        // Another template already has this name: count the collision and retry.
                        let mut next_set = set.clone();
                        next_set.status.get_or_insert_with(Default::default).collision_count = Some(collision + 1);
                        let _ = ctx.api.update_status(&self.who, Object::StatefulSet(Arc::new(next_set)));
                        return Err(e.into());
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        };
        let wanted = set.status.as_ref().and_then(|s| s.current_revision.as_deref());
        let current = revisions
            .iter()
            .find(|r| wanted.is_some_and(|w| r.metadata.name.as_deref() == Some(w) || revision_hash(r) == w))
            .cloned()
            .unwrap_or_else(|| update.clone());
        Ok((current, update, collision))
    }

    /// The pod actions of one sync; returns early where OrderedReady must wait.
    fn update_pods(&mut self, plan: &mut Plan<'_>, pods: &[Arc<Pod>], ctx: &mut Ctx<'_>) -> Result<(), SyncError> {
        let set = plan.set;
        let name = set.metadata.name.as_deref().unwrap_or("");
        let start = start_ordinal(set);
        let n = usize::try_from(replicas(set)).unwrap_or(0);
        let spec = set.spec.as_ref();
        let monotonic = spec.and_then(|s| s.pod_management_policy.as_deref()) != Some("Parallel");
        let mut slots: Vec<Option<Arc<Pod>>> = vec![None; n];
        let mut condemned: Vec<(i32, Arc<Pod>)> = Vec::new();
        for p in pods {
            let Some(ord) = ordinal_of(name, p.metadata.name.as_deref().unwrap_or("")) else { continue };
            match usize::try_from(i64::from(ord) - i64::from(start)).ok().filter(|i| *i < n) {
                Some(i) => slots[i] = Some(p.clone()),
                None => condemned.push((ord, p.clone())),
            }
        }
        condemned.sort_by_key(|(o, _)| *o);
        // Finished pods are deleted and recreated.
        for slot in slots.iter_mut() {
            let Some(p) = slot.clone() else { continue };
            if !terminating(&p) && matches!(phase(&p), "Failed" | "Succeeded") {
                let (reason, what) = if phase(&p) == "Failed" {
                    ("RecreatingFailedPod", "failed")
                } else {
                    ("RecreatingTerminatedPod", "terminated")
                };
                let pod = p.metadata.name.as_deref().unwrap_or("");
                let ns = set.metadata.namespace.as_deref().unwrap_or("");
                let msg = format!("StatefulSet {ns}/{name} is recreating {what} Pod {pod}");
                self.recorder.event(ctx.api, plan.obj, None, EventKind::Warning, reason, &msg);
                if self.delete_pod(plan, &p, ctx)? {
                    *slot = None;
                }
            }
        }
        let first_unhealthy = slots
            .iter()
            .flatten()
            .chain(condemned.iter().map(|(_, p)| p))
            .find(|p| !healthy(p))
            .map(|p| p.metadata.uid.clone());
        for (i, slot) in slots.iter().enumerate() {
            let ordinal = start.saturating_add(i32::try_from(i).unwrap_or(i32::MAX));
            match slot {
                None => {
                    self.create_pod(plan, ordinal, ctx)?;
                    if monotonic {
                        return Ok(());
                    }
                }
                Some(p) if terminating(p) || !running_and_ready(p) => {
                    if monotonic {
                        return Ok(());
                    }
                }
                Some(_) => {}
            }
        }
        for (ordinal, p) in condemned.iter().rev() {
            if terminating(p) {
                if monotonic {
                    return Ok(());
                }
                continue;
            }
            if !running_and_ready(p) && monotonic && Some(p.metadata.uid.clone()) != first_unhealthy {
                return Ok(());
            }
            self.release_claims_on_scale_down(plan, p, *ordinal, ctx)?;
            self.delete_pod(plan, p, ctx)?;
            if monotonic {
                return Ok(());
            }
        }
        let strategy = spec.and_then(|s| s.update_strategy.as_ref());
        if strategy.and_then(|s| s.type_.as_deref()) == Some("OnDelete") {
            return Ok(());
        }
        let partition = strategy.and_then(|s| s.rolling_update.as_ref()).and_then(|r| r.partition).unwrap_or(0);
        let update_min = usize::try_from(partition).unwrap_or(0);
        for p in slots.iter().skip(update_min).rev().flatten() {
            if pod_revision(p) != plan.update && !terminating(p) {
                record_decision(
                    ctx.api,
                    NAME,
                    "update",
                    plan.obj,
                    format!("rolling pod {} to revision {}", p.metadata.name.as_deref().unwrap_or(""), plan.update),
                );
                self.delete_pod(plan, p, ctx)?;
                return Ok(());
            }
            if !healthy(p) {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Creates the claims of `ordinal` (those missing), then its pod at the revision
    /// `newVersionedStatefulSetPod` picks: the current one below the partition, the update one above.
    fn create_pod(&mut self, plan: &mut Plan<'_>, ordinal: i32, ctx: &mut Ctx<'_>) -> Result<(), SyncError> {
        let set = plan.set;
        let partition = set
            .spec
            .as_ref()
            .and_then(|s| s.update_strategy.as_ref())
            .filter(|s| s.type_.as_deref() != Some("OnDelete"))
            .and_then(|s| s.rolling_update.as_ref())
            .and_then(|r| r.partition)
            .unwrap_or(0);
        let below_partition = ordinal < start_ordinal(set).saturating_add(partition);
        let (source, hash) = if below_partition {
            (&plan.current_set, plan.current.clone())
        } else {
            (&plan.update_set, plan.update.clone())
        };
        let pod = new_pod(plan.obj, source, ordinal, &hash);
        let pod_name = pod.metadata.name.clone().unwrap_or_default();
        let set_name = set.metadata.name.as_deref().unwrap_or("");
        let delete_with_set = set
            .spec
            .as_ref()
            .and_then(|s| s.persistent_volume_claim_retention_policy.as_ref())
            .and_then(|r| r.when_deleted.as_deref())
            == Some("Delete");
        for mut claim in claims(set, ordinal) {
            let claim_name = claim.metadata.name.clone().unwrap_or_default();
            let key = format!("{}/{claim_name}", set.metadata.namespace.as_deref().unwrap_or(""));
            if self.claims.cache().get(&key).is_some() {
                continue;
            }
            if delete_with_set {
                claim.metadata.owner_references.get_or_insert_with(Vec::new).push(owner_ref(plan.obj));
            }
            match ctx.api.create(&self.who, Object::PersistentVolumeClaim(Arc::new(claim)), &Default::default()) {
                Ok(_) => {
                    let msg = format!("create Claim {claim_name} Pod {pod_name} in StatefulSet {set_name} success");
                    self.recorder.event(ctx.api, plan.obj, None, EventKind::Normal, "SuccessfulCreate", &msg);
                }
                Err(e) if e.reason == Reason::AlreadyExists => {}
                Err(e) => {
                    let msg = format!(
                        "create Claim {claim_name} for Pod {pod_name} in StatefulSet {set_name} failed error: {}",
                        e.message
                    );
                    self.recorder.event(ctx.api, plan.obj, None, EventKind::Warning, "FailedCreate", &msg);
                    return Err(e.into());
                }
            }
        }
        match ctx.api.create(&self.who, Object::Pod(Arc::new(pod)), &Default::default()) {
            Ok(_) => {
                let msg = format!("create Pod {pod_name} in StatefulSet {set_name} successful");
                self.recorder.event(ctx.api, plan.obj, None, EventKind::Normal, "SuccessfulCreate", &msg);
                let st = &mut plan.status;
                st.replicas += 1;
                if hash == plan.current {
                    *st.current_replicas.get_or_insert(0) += 1;
                }
                if hash == plan.update {
                    *st.updated_replicas.get_or_insert(0) += 1;
                }
                Ok(())
            }
            Err(e) if e.reason == Reason::AlreadyExists => Ok(()),
            Err(e) => {
                let msg = format!("create Pod {pod_name} in StatefulSet {set_name} failed error: {}", e.message);
                self.recorder.event(ctx.api, plan.obj, None, EventKind::Warning, "FailedCreate", &msg);
                Err(e.into())
            }
        }
    }

    /// Deletes a pod with upstream's event; false when it was already gone.
    fn delete_pod(&mut self, plan: &Plan<'_>, p: &Pod, ctx: &mut Ctx<'_>) -> Result<bool, SyncError> {
        let pod = p.metadata.name.as_deref().unwrap_or("");
        let set_name = plan.set.metadata.name.as_deref().unwrap_or("");
        let ns = p.metadata.namespace.as_deref();
        match ctx.api.delete(&self.who, Kind::Pod, ns, pod, &DeleteOptions::default()) {
            Ok(_) => {
                let msg = format!("delete Pod {pod} in StatefulSet {set_name} successful");
                self.recorder.event(ctx.api, plan.obj, None, EventKind::Normal, "SuccessfulDelete", &msg);
                Ok(true)
            }
            Err(e) if e.reason == Reason::NotFound => Ok(false),
            Err(e) => {
                let msg = format!("delete Pod {pod} in StatefulSet {set_name} failed error: {}", e.message);
                self.recorder.event(ctx.api, plan.obj, None, EventKind::Warning, "FailedDelete", &msg);
                Err(e.into())
            }
        }
    }

    /// With `whenScaled: Delete`, a condemned pod becomes the owner of its claims, so that the
    /// garbage collector deletes them after the pod.
    fn release_claims_on_scale_down(
        &mut self,
        plan: &Plan<'_>,
        p: &Arc<Pod>,
        ordinal: i32,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), SyncError> {
        let policy = plan.set.spec.as_ref().and_then(|s| s.persistent_volume_claim_retention_policy.as_ref());
        if policy.and_then(|r| r.when_scaled.as_deref()) != Some("Delete") {
            return Ok(());
        }
        let pod_obj = Object::Pod(p.clone());
        for claim in claims(plan.set, ordinal) {
            let key = format!(
                "{}/{}",
                claim.metadata.namespace.as_deref().unwrap_or(""),
                claim.metadata.name.as_deref().unwrap_or("")
            );
            let Some(Object::PersistentVolumeClaim(existing)) = self.claims.cache().get(&key).cloned() else {
                continue;
            };
            if existing.metadata.owner_references.iter().flatten().any(|r| Some(&r.uid) == p.metadata.uid.as_ref()) {
                continue;
            }
            let mut next = (*existing).clone();
            next.metadata.owner_references.get_or_insert_with(Vec::new).push(owner_ref(&pod_obj));
            match ctx.api.update(&self.who, Object::PersistentVolumeClaim(Arc::new(next)), &WriteOptions::default()) {
                Ok(_) | Err(crate::apiserver::ApiError { reason: Reason::NotFound, .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// `truncateHistory`: revisions no pod uses, beyond revisionHistoryLimit, oldest first.
    fn truncate_history(
        &mut self,
        obj: &Object,
        set: &StatefulSet,
        pods: &[Arc<Pod>],
        revisions: &[ControllerRevision],
        status: &StatefulSetStatus,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), SyncError> {
        let set_name = set.metadata.name.as_deref().unwrap_or("");
        let mut live: BTreeSet<String> = pods.iter().map(|p| format!("{set_name}-{}", pod_revision(p))).collect();
        live.extend(status.current_revision.clone());
        live.extend(status.update_revision.clone());
        let limit =
            usize::try_from(set.spec.as_ref().and_then(|s| s.revision_history_limit).unwrap_or(10)).unwrap_or(0);
        let history: Vec<&ControllerRevision> =
            revisions.iter().filter(|r| !live.contains(r.metadata.name.as_deref().unwrap_or(""))).collect();
        for r in history.iter().take(history.len().saturating_sub(limit)) {
            let name = r.metadata.name.as_deref().unwrap_or("");
            match ctx.api.delete(&self.who, Kind::ControllerRevision, obj.namespace(), name, &DeleteOptions::default())
            {
                Ok(_) => record_decision(ctx.api, NAME, "truncate", obj, format!("deleted old revision {name}")),
                Err(e) if e.reason == Reason::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    fn write_status(
        &mut self,
        set: &StatefulSet,
        status: StatefulSetStatus,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), SyncError> {
        if set.status.as_ref() == Some(&status) {
            return Ok(());
        }
        let mut next = set.clone();
        next.status = Some(status);
        match ctx.api.update_status(&self.who, Object::StatefulSet(Arc::new(next))) {
            Ok(_) => Ok(()),
            Err(e) if e.reason == Reason::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

/// An ownerReference that is not a controller reference (claims keep their own lifecycle).
fn owner_ref(owner: &Object) -> OwnerReference {
    let kind = owner.kind();
    OwnerReference {
        api_version: kind.api_version().to_string(),
        kind: kind.as_str().to_string(),
        name: owner.name().to_string(),
        uid: owner.uid().to_string(),
        controller: None,
        block_owner_deletion: None,
    }
}

/// The revisions, generation and collision count of the status, and `completeRollingUpdate`.
fn finish_status(
    mut st: StatefulSetStatus,
    set: &StatefulSet,
    current: &str,
    update: &str,
    collision: i32,
) -> StatefulSetStatus {
    st.observed_generation = set.metadata.generation;
    st.current_revision = Some(format!("{}-{current}", set.metadata.name.as_deref().unwrap_or("")));
    st.update_revision = Some(format!("{}-{update}", set.metadata.name.as_deref().unwrap_or("")));
    st.collision_count = Some(collision);
    st.available_replicas.get_or_insert(0);
    let rolling =
        set.spec.as_ref().and_then(|s| s.update_strategy.as_ref()).and_then(|s| s.type_.as_deref()) != Some("OnDelete");
    let updated = st.updated_replicas.unwrap_or(0);
    if rolling && updated == st.replicas && st.ready_replicas.unwrap_or(0) == st.replicas {
        st.current_replicas = st.updated_replicas;
        st.current_revision = st.update_revision.clone();
    }
    st
}
