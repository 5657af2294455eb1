//! The Deployment controller: turns a Deployment into ReplicaSets. Each template gets a ReplicaSet
//! named `<deployment>-<pod-template-hash>`; a template change starts a rollout (RollingUpdate or
//! Recreate) from the old sets to the new one, a resize scales them, a pause freezes the rollout,
//! and old sets beyond revisionHistoryLimit are deleted. Status and the Available/Progressing
//! conditions report how it goes. The modules follow upstream's files: `sync` (new ReplicaSet,
//! scaling, clean-up), `rolling`, `recreate`, `rollback` (revisions), `status`, `hash`, `util`.

mod hash;
mod recreate;
mod rollback;
mod rolling;
mod status;
mod sync;
pub mod util;

pub use hash::compute_hash;

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::apps::v1::ReplicaSet;

use super::controller_utils::{controller_ref, labels_of, new_controller_ref, virtual_time};
use super::queue::{KeyQueue, Requeue};
use super::{SyncError, controller_identity, record_decision};
use crate::api::labels::Selector;
use crate::api::{Kind, Object};
use crate::apiserver::{ApiServer, Identity, ListOptions, Reason, WatchEvent, WriteOptions};
use crate::client::{Ctx, Delta, EventKind, Informer, Process, Recorder, object_key};
use crate::sim::Time;
use crate::sim::trace::Component;

const NAME: &str = "deployment";

/// The deployment controller process.
pub struct DeploymentController {
    who: Identity,
    recorder: Recorder,
    deployments: Informer,
    replicasets: Informer,
    /// Pods, only so that Recreate can wait for the old ones to be gone.
    pods: Informer,
    queue: KeyQueue,
    deployment_by_uid: BTreeMap<String, String>,
    rs_by_uid: BTreeMap<String, String>,
    /// The earliest instant the current sync asked to be repeated at.
    requeue: Option<Time>,
}

impl Default for DeploymentController {
    fn default() -> Self {
        Self::new()
    }
}

impl DeploymentController {
    pub fn new() -> Self {
        let who = controller_identity(NAME);
        DeploymentController {
            recorder: Recorder::new("deployment-controller", None, who.clone()),
            who,
            deployments: Informer::new(Kind::Deployment, None, ListOptions::default()),
            replicasets: Informer::new(Kind::ReplicaSet, None, ListOptions::default()),
            pods: Informer::new(Kind::Pod, None, ListOptions::default()),
            queue: KeyQueue::default(),
            deployment_by_uid: BTreeMap::new(),
            rs_by_uid: BTreeMap::new(),
            requeue: None,
        }
    }

    fn on_deployment(&mut self, delta: &Delta) {
        let obj = delta.object();
        match delta {
            Delta::Deleted(_) => {
                self.deployment_by_uid.remove(obj.uid());
            }
            _ => {
                self.deployment_by_uid.insert(obj.uid().to_string(), object_key(obj));
                self.queue.add(object_key(obj));
            }
        }
    }

    fn owner_of(&self, meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> Option<String> {
        controller_ref(meta)
            .filter(|r| r.kind == "Deployment")
            .and_then(|r| self.deployment_by_uid.get(&r.uid).cloned())
    }

    /// Queues the Deployments of the set's namespace whose selector matches an orphan set.
    fn queue_matching(&mut self, rs: &Object) {
        let labels = labels_of(rs.meta());
        let keys: Vec<String> = self
            .deployments
            .cache()
            .in_namespace(rs.namespace().unwrap_or(""))
            .filter(|d| selector_of(d).ok().flatten().is_some_and(|s| s.matches(labels)))
            .map(object_key)
            .collect();
        for k in keys {
            self.queue.add(k);
        }
    }

    fn on_rs(&mut self, delta: &Delta) {
        let obj = delta.object();
        let owner = self.owner_of(obj.meta());
        match delta {
            Delta::Deleted(_) => {
                self.rs_by_uid.remove(obj.uid());
            }
            Delta::Updated { old, .. } => {
                self.rs_by_uid.insert(obj.uid().to_string(), object_key(obj));
                if let Some(o) = self.owner_of(old.meta()).filter(|o| Some(o) != owner.as_ref()) {
                    self.queue.add(o);
                }
            }
            Delta::Added(_) => {
                self.rs_by_uid.insert(obj.uid().to_string(), object_key(obj));
            }
        }
        match owner {
            Some(key) => self.queue.add(key),
            None if controller_ref(obj.meta()).is_none() && !matches!(delta, Delta::Deleted(_)) => {
                self.queue_matching(obj)
            }
            None => {}
        }
    }

    /// A deleted pod may be the last old one a Recreate rollout waits for.
    fn on_pod(&mut self, delta: &Delta) {
        let Delta::Deleted(obj) = delta else { return };
        let Some(rs_ref) = controller_ref(obj.meta()).filter(|r| r.kind == "ReplicaSet") else { return };
        let Some(rs) = self.rs_by_uid.get(&rs_ref.uid).and_then(|k| self.replicasets.cache().get(k)) else { return };
        let Some(key) = self.owner_of(rs.meta()) else { return };
        let recreate =
            matches!(self.deployments.cache().get(&key), Some(Object::Deployment(d)) if !util::is_rolling_update(d));
        if recreate {
            self.queue.add(key);
        }
    }

    pub(super) fn requeue_at_unix_ms(&mut self, api: &ApiServer, at_ms: i64) {
        let at = virtual_time(at_ms, api.clock().unix_millis(Time::ZERO));
        self.requeue = Some(self.requeue.map_or(at, |t| t.min(at)));
    }

    /// `syncDeployment`.
    fn sync_deployment(&mut self, key: &str, ctx: &mut Ctx<'_>) -> Result<Requeue, SyncError> {
        self.requeue = None;
        let Some(obj) = self.deployments.cache().get(key).cloned() else { return Ok(Requeue::No) };
        let Object::Deployment(d) = &obj else { return Ok(Requeue::No) };
        let mut d = d.clone();
        let api = &mut *ctx.api;
        let Some(selector) = selector_of(&obj)? else { return Ok(Requeue::No) };
        if selector.is_empty() {
            let msg = "This deployment is selecting all pods. A non-empty selector is required.";
            self.recorder.event(api, &obj, None, EventKind::Warning, "SelectingAll", msg);
            return Ok(Requeue::No);
        }
        let rs_list = self.get_replica_sets_for_deployment(api, &obj, &selector)?;
        if d.metadata.deletion_timestamp.is_some() {
            let sets = self.get_all_replica_sets_and_sync_revision(api, &mut d, &rs_list, false)?;
            self.sync_deployment_status(api, &mut d, &sets)?;
            return Ok(Requeue::No);
        }
        self.check_paused_conditions(api, &mut d)?;
        let paused = d.spec.as_ref().and_then(|s| s.paused) == Some(true);
        if paused || self.is_scaling_event(api, &mut d, &rs_list)? {
            self.sync(api, &mut d, &rs_list)?;
        } else if util::is_rolling_update(&d) {
            self.rollout_rolling(api, &mut d, &rs_list)?;
        } else {
            self.rollout_recreate(api, &mut d, &rs_list)?;
        }
        Ok(self.requeue.take().map_or(Requeue::No, Requeue::At))
    }

    /// `getReplicaSetsForDeployment`: the sets this Deployment controls after adopting matching
    /// orphans and releasing sets it no longer selects.
    fn get_replica_sets_for_deployment(
        &mut self,
        api: &mut ApiServer,
        obj: &Object,
        selector: &Selector,
    ) -> Result<Vec<Arc<ReplicaSet>>, SyncError> {
        let uid = obj.uid().to_string();
        let deleting = obj.meta().deletion_timestamp.is_some();
        let mut owned = Vec::new();
        let mut release = Vec::new();
        let mut adopt = Vec::new();
        for o in self.replicasets.cache().in_namespace(obj.namespace().unwrap_or("")) {
            let Object::ReplicaSet(rs) = o else { continue };
            let matches = selector.matches(labels_of(&rs.metadata));
            match controller_ref(&rs.metadata) {
                Some(r) if r.uid == uid => {
                    if matches {
                        owned.push(rs.clone())
                    } else if !deleting {
                        release.push(rs.clone())
                    }
                }
                None if matches && !deleting && rs.metadata.deletion_timestamp.is_none() => adopt.push(rs.clone()),
                _ => {}
            }
        }
        for rs in release {
            let mut next = (*rs).clone();
            if let Some(refs) = &mut next.metadata.owner_references {
                refs.retain(|r| r.uid != uid);
            }
            match api.update(&self.who, Object::ReplicaSet(Arc::new(next)), &WriteOptions::default()) {
                Ok(_) | Err(crate::apiserver::ApiError { reason: Reason::NotFound, .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        for rs in adopt {
            let mut next = (*rs).clone();
            next.metadata.owner_references.get_or_insert_with(Vec::new).push(new_controller_ref(obj));
            match api.update(&self.who, Object::ReplicaSet(Arc::new(next)), &WriteOptions::default()) {
                Ok(Object::ReplicaSet(adopted)) => {
                    record_decision(
                        api,
                        NAME,
                        "adopt",
                        obj,
                        format!("adopted replica set {}", adopted.metadata.name.as_deref().unwrap_or("")),
                    );
                    owned.push(adopted);
                }
                Ok(_) | Err(crate::apiserver::ApiError { reason: Reason::NotFound, .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(owned)
    }

    fn run(&mut self, ctx: &mut Ctx<'_>) {
        let mut queue = std::mem::take(&mut self.queue);
        queue.run(ctx, |key, ctx| self.sync_deployment(key, ctx));
        self.queue = queue;
    }
}

/// A Deployment's selector (None when the object has no spec).
fn selector_of(obj: &Object) -> Result<Option<Selector>, SyncError> {
    let Object::Deployment(d) = obj else { return Ok(None) };
    let Some(spec) = &d.spec else { return Ok(None) };
    Selector::from_label_selector(&spec.selector)
        .map(Some)
        .map_err(|e| SyncError::InvalidSelector { object: object_key(obj), reason: e.to_string() })
}

impl Process for DeploymentController {
    fn component(&self) -> Component {
        Component::ControllerManager(NAME)
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        for kind in [Kind::Deployment, Kind::ReplicaSet, Kind::Pod] {
            let inf = match kind {
                Kind::Deployment => &mut self.deployments,
                Kind::ReplicaSet => &mut self.replicasets,
                _ => &mut self.pods,
            };
            let deltas = inf.start(ctx.api, &self.who).unwrap_or_default();
            if let Some(id) = inf.watch_id() {
                ctx.own_watch(id);
            }
            for d in &deltas {
                match kind {
                    Kind::Deployment => self.on_deployment(d),
                    Kind::ReplicaSet => self.on_rs(d),
                    _ => self.on_pod(d),
                }
            }
        }
        self.run(ctx);
    }

    fn stop(&mut self, api: &mut ApiServer) {
        self.deployments.stop(api);
        self.replicasets.stop(api);
        self.pods.stop(api);
        self.queue.clear();
    }

    fn on_events(&mut self, events: &[WatchEvent], ctx: &mut Ctx<'_>) {
        for ev in events {
            if let Some(d) = self.deployments.handle(ev) {
                self.on_deployment(&d);
            } else if let Some(d) = self.replicasets.handle(ev) {
                self.on_rs(&d);
            } else if let Some(d) = self.pods.handle(ev) {
                self.on_pod(&d);
            }
        }
        self.run(ctx);
    }

    fn on_timer(&mut self, _token: u64, ctx: &mut Ctx<'_>) {
        self.run(ctx);
    }
}
