//! The parts of a Deployment sync every strategy shares (upstream's `sync.go`): finding or creating
//! the new ReplicaSet (named `<deployment>-<pod-template-hash>`) and syncing revisions, scaling
//! ReplicaSets with `ScalingReplicaSet` events, proportional scaling when the Deployment is resized
//! in the middle of a rollout, and deleting ReplicaSets beyond revisionHistoryLimit.

use std::sync::Arc;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet, ReplicaSetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use super::DeploymentController;
use super::hash::compute_hash;
use super::rollback::{max_revision, set_deployment_revision, set_new_replica_set_annotations};
use super::status::{PROGRESSING, new_condition, set_condition};
use super::util::{
    POD_TEMPLATE_HASH_LABEL, by_creation, by_revision, by_size_newer, by_size_older, desired_replicas_annotation,
    equal_ignore_hash, is_rolling_update, is_saturated, max_surge, new_rs_new_replicas, proportion, replica_count,
    replicas, replicas_annotations_need_update, rs_replicas, set_replicas_annotations,
};
use crate::api::{Kind, Object};
use crate::apiserver::{ApiServer, DeleteOptions, Reason, WriteOptions};
use crate::client::EventKind;
use crate::controllers::controller_utils::new_controller_ref;
use crate::controllers::{SyncError, record_decision};

/// The ReplicaSets of one Deployment during a sync: the one whose template matches (if any) and
/// the others.
#[derive(Debug, Clone, Default)]
pub struct Sets {
    pub new: Option<Arc<ReplicaSet>>,
    pub old: Vec<Arc<ReplicaSet>>,
}

impl Sets {
    pub fn all(&self) -> Vec<Arc<ReplicaSet>> {
        self.old.iter().cloned().chain(self.new.clone()).collect()
    }
}

/// `FilterActiveReplicaSets`: sets with replicas.
pub fn active(sets: &[Arc<ReplicaSet>]) -> Vec<Arc<ReplicaSet>> {
    sets.iter().filter(|rs| rs_replicas(rs) > 0).cloned().collect()
}

fn has_progress_deadline(d: &Deployment) -> bool {
    d.spec.as_ref().and_then(|s| s.progress_deadline_seconds).is_some_and(|s| s != i32::MAX)
}

fn template(d: &Deployment) -> k8s_openapi::api::core::v1::PodTemplateSpec {
    d.spec.as_ref().map(|s| s.template.clone()).unwrap_or_default()
}

impl DeploymentController {
    /// `getAllReplicaSetsAndSyncRevision`.
    pub(super) fn get_all_replica_sets_and_sync_revision(
        &mut self,
        api: &mut ApiServer,
        d: &mut Arc<Deployment>,
        rs_list: &[Arc<ReplicaSet>],
        create_if_not_existed: bool,
    ) -> Result<Sets, SyncError> {
        let mut sorted: Vec<Arc<ReplicaSet>> = rs_list.to_vec();
        sorted.sort_by(|a, b| by_creation(a, b));
        let tmpl = template(d);
        let found = sorted.iter().position(|rs| {
            rs.spec.as_ref().and_then(|s| s.template.as_ref()).is_some_and(|t| equal_ignore_hash(t, &tmpl))
        });
        let existing = found.map(|i| sorted.remove(i));
        let new = self.get_new_replica_set(api, d, existing, &sorted, create_if_not_existed)?;
        Ok(Sets { new, old: sorted })
    }

    /// `getNewReplicaSet`: brings the matching ReplicaSet's revision and annotations up to date, or
    /// creates it (when allowed) with the size a rollout may start at.
    fn get_new_replica_set(
        &mut self,
        api: &mut ApiServer,
        d: &mut Arc<Deployment>,
        existing: Option<Arc<ReplicaSet>>,
        old: &[Arc<ReplicaSet>],
        create_if_not_existed: bool,
    ) -> Result<Option<Arc<ReplicaSet>>, SyncError> {
        let new_revision = max_revision(old) + 1;
        if let Some(rs) = existing {
            let mut copy = (*rs).clone();
            let annotations_changed = set_new_replica_set_annotations(d, &mut copy, new_revision, true);
            let min_ready = d.spec.as_ref().and_then(|s| s.min_ready_seconds);
            let spec = copy.spec.get_or_insert_with(Default::default);
            let min_ready_changed = spec.min_ready_seconds != min_ready;
            spec.min_ready_seconds = min_ready;
            let rs = if annotations_changed || min_ready_changed { self.update_rs(api, copy)? } else { rs };
            let revision = rs
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(super::util::REVISION_ANNOTATION))
                .cloned()
                .unwrap_or_default();
            let mut next = (**d).clone();
            let revision_changed = set_deployment_revision(&mut next, &revision);
            let mut status_changed = false;
            if has_progress_deadline(d) && super::status::condition(&next, PROGRESSING).is_none() {
                let msg = format!("Found new replica set {:?}", rs.metadata.name.as_deref().unwrap_or(""));
                let now = self.now_ms(api);
                set_condition(
                    next.status.get_or_insert_with(Default::default),
                    new_condition(PROGRESSING, "True", "FoundNewReplicaSet", &msg, now),
                );
                status_changed = true;
            }
            self.write_deployment(api, d, next, revision_changed, status_changed)?;
            return Ok(Some(rs));
        }
        if !create_if_not_existed {
            return Ok(None);
        }
        let collision_count = d.status.as_ref().and_then(|s| s.collision_count);
        let mut tmpl = template(d);
        let hash = compute_hash(&tmpl, collision_count);
        tmpl.metadata
            .get_or_insert_with(Default::default)
            .labels
            .get_or_insert_with(Default::default)
            .insert(POD_TEMPLATE_HASH_LABEL.into(), hash.clone());
        let mut selector: LabelSelector = d.spec.as_ref().map(|s| s.selector.clone()).unwrap_or_default();
        selector.match_labels.get_or_insert_with(Default::default).insert(POD_TEMPLATE_HASH_LABEL.into(), hash.clone());
        let owner = Object::Deployment(d.clone());
        let name = format!("{}-{hash}", d.metadata.name.as_deref().unwrap_or(""));
        let mut rs = ReplicaSet {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                namespace: d.metadata.namespace.clone(),
                owner_references: Some(vec![new_controller_ref(&owner)]),
                labels: tmpl.metadata.as_ref().and_then(|m| m.labels.clone()),
                ..Default::default()
            },
            spec: Some(ReplicaSetSpec {
                replicas: Some(0),
                min_ready_seconds: d.spec.as_ref().and_then(|s| s.min_ready_seconds),
                selector,
                template: Some(tmpl.clone()),
            }),
            status: None,
        };
        let mut all: Vec<Arc<ReplicaSet>> = old.to_vec();
        all.push(Arc::new(rs.clone()));
        let new_replicas = new_rs_new_replicas(d, &all, &rs);
        rs.spec.get_or_insert_with(Default::default).replicas = Some(new_replicas);
        set_new_replica_set_annotations(d, &mut rs, new_revision, false);
        let created = match api.create(&self.who, Object::ReplicaSet(Arc::new(rs)), &WriteOptions::default()) {
            Ok(Object::ReplicaSet(created)) => created,
            Ok(_) => return Ok(None),
            Err(e) if e.reason == Reason::AlreadyExists => {
                // Our cache may lag our own create; if the set there is ours with this template, it
                // is the new ReplicaSet. Otherwise the hash collided: count it and try another name.
                let current = api.get(&self.who, Kind::ReplicaSet, d.metadata.namespace.as_deref(), &name)?;
                if let Object::ReplicaSet(rs) = &current {
                    let ours = crate::controllers::controller_utils::controller_ref(&rs.metadata)
                        .is_some_and(|r| Some(&r.uid) == d.metadata.uid.as_ref());
                    if ours
                        && rs
                            .spec
                            .as_ref()
                            .and_then(|s| s.template.as_ref())
                            .is_some_and(|t| equal_ignore_hash(t, &tmpl))
                    {
                        return Ok(Some(rs.clone()));
                    }
                }
                let mut next = (**d).clone();
                let status = next.status.get_or_insert_with(Default::default);
                status.collision_count = Some(status.collision_count.unwrap_or(0).saturating_add(1));
                self.write_deployment(api, d, next, false, true)?;
                return Err(e.into());
            }
            Err(e) => {
                let msg = format!("Failed to create new replica set {name:?}: {}", e.message);
                let now = self.now_ms(api);
                if has_progress_deadline(d) {
                    let mut next = (**d).clone();
                    set_condition(
                        next.status.get_or_insert_with(Default::default),
                        new_condition(PROGRESSING, "False", "ReplicaSetCreateError", &msg, now),
                    );
                    let _ = self.write_deployment(api, d, next, false, true);
                }
                self.recorder.event(api, &owner, None, EventKind::Warning, "ReplicaSetCreateError", &msg);
                return Err(e.into());
            }
        };
        if new_replicas > 0 {
            let msg = format!("Scaled up replica set {name} from 0 to {new_replicas}");
            record_decision(api, super::NAME, "scale", &owner, msg.clone());
            self.recorder.event(api, &owner, None, EventKind::Normal, "ScalingReplicaSet", &msg);
        }
        let mut next = (**d).clone();
        let revision_changed = set_deployment_revision(&mut next, &new_revision.to_string());
        let mut status_changed = false;
        if has_progress_deadline(d) {
            let msg = format!("Created new replica set {name:?}");
            let now = self.now_ms(api);
            set_condition(
                next.status.get_or_insert_with(Default::default),
                new_condition(PROGRESSING, "True", "NewReplicaSetCreated", &msg, now),
            );
            status_changed = true;
        }
        self.write_deployment(api, d, next, revision_changed, status_changed)?;
        Ok(Some(created))
    }

    /// `sync`: scaling without a rollout (a paused Deployment, or a resize).
    pub(super) fn sync(
        &mut self,
        api: &mut ApiServer,
        d: &mut Arc<Deployment>,
        rs_list: &[Arc<ReplicaSet>],
    ) -> Result<(), SyncError> {
        let mut sets = self.get_all_replica_sets_and_sync_revision(api, d, rs_list, false)?;
        self.scale(api, d, &mut sets)?;
        if d.spec.as_ref().and_then(|s| s.paused) == Some(true) {
            self.cleanup_deployment(api, d, &sets.old)?;
        }
        self.sync_deployment_status(api, d, &sets)
    }

    /// `isScalingEvent`: an active set was sized for a different replica count than the Deployment's.
    pub(super) fn is_scaling_event(
        &mut self,
        api: &mut ApiServer,
        d: &mut Arc<Deployment>,
        rs_list: &[Arc<ReplicaSet>],
    ) -> Result<bool, SyncError> {
        let sets = self.get_all_replica_sets_and_sync_revision(api, d, rs_list, false)?;
        let r = replicas(d);
        Ok(active(&sets.all()).iter().any(|rs| desired_replicas_annotation(rs).is_some_and(|want| want != r)))
    }

    /// `scale`: resizes the sets when the Deployment's size changed: all of it to the only active set,
    /// old sets to zero once the new one is saturated, otherwise proportionally to their size.
    pub(super) fn scale(&mut self, api: &mut ApiServer, d: &Arc<Deployment>, sets: &mut Sets) -> Result<(), SyncError> {
        let r = replicas(d);
        sets.old.sort_by(|a, b| by_creation(b, a));
        let all = sets.all();
        let active_sets = active(&all);
        let active_or_latest = match active_sets.len() {
            0 => sets.new.clone().or_else(|| sets.old.first().cloned()),
            1 => active_sets.first().cloned(),
            _ => None,
        };
        if let Some(rs) = active_or_latest {
            if rs_replicas(&rs) != r {
                self.scale_and_record(api, d, sets, &rs, r)?;
            }
            return Ok(());
        }
        if is_saturated(d, sets.new.as_deref()) {
            for rs in active(&sets.old) {
                self.scale_and_record(api, d, sets, &rs, 0)?;
            }
            return Ok(());
        }
        if !is_rolling_update(d) {
            return Ok(());
        }
        let mut ordered = active_sets;
        let total = replica_count(&ordered);
        let allowed = if r > 0 { r.saturating_add(max_surge(d)) } else { 0 };
        let to_add = allowed.saturating_sub(total);
        let operation = match to_add {
            n if n > 0 => {
                ordered.sort_by(|a, b| by_size_newer(a, b));
                "up"
            }
            n if n < 0 => {
                ordered.sort_by(|a, b| by_size_older(a, b));
                "down"
            }
            _ => "",
        };
        let status_replicas = d.status.as_ref().and_then(|s| s.replicas).unwrap_or(0);
        let mut added = 0;
        let mut sizes: Vec<i32> = Vec::with_capacity(ordered.len());
        for rs in &ordered {
            let p = proportion(rs, d, status_replicas, to_add, added);
            sizes.push(rs_replicas(rs).saturating_add(p));
            added += p;
        }
        if let Some(first) = sizes.first_mut()
            && to_add != 0
        {
            *first = first.saturating_add(to_add - added).max(0);
        }
        for (rs, size) in ordered.iter().zip(sizes) {
            self.scale_replica_set(api, d, sets, rs, size, operation)?;
        }
        Ok(())
    }

    /// `scaleReplicaSetAndRecordEvent`.
    pub(super) fn scale_and_record(
        &mut self,
        api: &mut ApiServer,
        d: &Arc<Deployment>,
        sets: &mut Sets,
        rs: &Arc<ReplicaSet>,
        size: i32,
    ) -> Result<bool, SyncError> {
        if rs_replicas(rs) == size {
            return Ok(false);
        }
        let operation = if rs_replicas(rs) < size { "up" } else { "down" };
        self.scale_replica_set(api, d, sets, rs, size, operation)
    }

    /// `scaleReplicaSet`: writes the size and the replica annotations; records `ScalingReplicaSet`
    /// when the size changed. The updated set replaces the old one in `sets`.
    pub(super) fn scale_replica_set(
        &mut self,
        api: &mut ApiServer,
        d: &Arc<Deployment>,
        sets: &mut Sets,
        rs: &Arc<ReplicaSet>,
        size: i32,
        operation: &str,
    ) -> Result<bool, SyncError> {
        let r = replicas(d);
        let max = r.saturating_add(max_surge(d));
        let size_changed = rs_replicas(rs) != size;
        if !size_changed && !replicas_annotations_need_update(rs, r, max) {
            return Ok(false);
        }
        let old_size = rs_replicas(rs);
        let mut copy = (**rs).clone();
        copy.spec.get_or_insert_with(Default::default).replicas = Some(size);
        set_replicas_annotations(&mut copy, r, max);
        let updated = self.update_rs(api, copy)?;
        let uid = &rs.metadata.uid;
        if sets.new.as_ref().is_some_and(|n| &n.metadata.uid == uid) {
            sets.new = Some(updated.clone());
        }
        for o in sets.old.iter_mut().filter(|o| &o.metadata.uid == uid) {
            *o = updated.clone();
        }
        if size_changed {
            let owner = Object::Deployment(d.clone());
            let msg = format!(
                "Scaled {operation} replica set {} from {old_size} to {size}",
                rs.metadata.name.as_deref().unwrap_or("")
            );
            record_decision(api, super::NAME, "scale", &owner, msg.clone());
            self.recorder.event(api, &owner, None, EventKind::Normal, "ScalingReplicaSet", &msg);
        }
        Ok(size_changed)
    }

    fn update_rs(&mut self, api: &mut ApiServer, rs: ReplicaSet) -> Result<Arc<ReplicaSet>, SyncError> {
        match api.update(&self.who, Object::ReplicaSet(Arc::new(rs)), &WriteOptions::default())? {
            Object::ReplicaSet(rs) => Ok(rs),
            other => Err(SyncError::Api(crate::apiserver::ApiError::internal(format!(
                "unexpected kind {}",
                other.kind().as_str()
            )))),
        }
    }

    /// `cleanupDeployment`: deletes the oldest scaled-down ReplicaSets beyond revisionHistoryLimit.
    pub(super) fn cleanup_deployment(
        &mut self,
        api: &mut ApiServer,
        d: &Arc<Deployment>,
        old: &[Arc<ReplicaSet>],
    ) -> Result<(), SyncError> {
        let Some(limit) = d.spec.as_ref().and_then(|s| s.revision_history_limit) else { return Ok(()) };
        let mut cleanable: Vec<&Arc<ReplicaSet>> =
            old.iter().filter(|rs| rs.metadata.deletion_timestamp.is_none()).collect();
        let excess = i64::try_from(cleanable.len()).unwrap_or(i64::MAX) - i64::from(limit.max(0));
        if excess <= 0 {
            return Ok(());
        }
        cleanable.sort_by(|a, b| by_revision(a, b));
        for rs in cleanable.into_iter().take(usize::try_from(excess).unwrap_or(0)) {
            let status = rs.status.clone().unwrap_or_default();
            let busy =
                status.replicas != 0 || rs_replicas(rs) != 0 || rs.metadata.generation > status.observed_generation;
            if busy {
                continue;
            }
            let name = rs.metadata.name.as_deref().unwrap_or("");
            match api.delete(
                &self.who,
                Kind::ReplicaSet,
                rs.metadata.namespace.as_deref(),
                name,
                &DeleteOptions::default(),
            ) {
                Ok(_) => record_decision(
                    api,
                    super::NAME,
                    "cleanup",
                    &Object::Deployment(d.clone()),
                    format!("deleted old replica set {name} (revisionHistoryLimit {limit})"),
                ),
                Err(e) if e.reason == Reason::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// Writes a Deployment changed by the sync: its metadata (the revision annotation) through the
    /// main resource, its status through `/status`, keeping `d` the latest stored version.
    pub(super) fn write_deployment(
        &mut self,
        api: &mut ApiServer,
        d: &mut Arc<Deployment>,
        next: Deployment,
        metadata: bool,
        status: bool,
    ) -> Result<(), SyncError> {
        let status_value = next.status.clone();
        let mut current = next;
        if metadata
            && let Object::Deployment(stored) =
                api.update(&self.who, Object::Deployment(Arc::new(current.clone())), &WriteOptions::default())?
        {
            *d = stored;
            current = (**d).clone();
            current.status = status_value;
        }
        if status
            && let Object::Deployment(stored) = api.update_status(&self.who, Object::Deployment(Arc::new(current)))?
        {
            *d = stored;
        }
        Ok(())
    }
}
