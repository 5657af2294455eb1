//! The ReplicaSet controller: keeps `spec.replicas` active pods for each ReplicaSet. It creates pods
//! from the template in slow-start batches, deletes the least valuable pods first (see `ranking`),
//! adopts orphan pods its selector matches and releases pods it no longer matches, records
//! `SuccessfulCreate`/`SuccessfulDelete` events, and reports replicas, fullyLabeledReplicas,
//! readyReplicas, availableReplicas and observedGeneration in the status. Expectations keep it from
//! acting twice while its own creates and deletes are still on their way back through the watch.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::apps::v1::{ReplicaSet, ReplicaSetCondition, ReplicaSetStatus};
use k8s_openapi::api::core::v1::Pod;

use super::controller_utils::{
    available_at_ms, controller_ref, is_pod_active, is_pod_available, is_pod_ready, labels_of, new_controller_ref,
    pod_from_template, virtual_time,
};
use super::expectations::Expectations;
use super::pod_calls::{Calls, Finished, PendingSyncs, PodControl, again_if_dirty, pod_key};
use super::queue::{KeyQueue, Requeue};
use super::ranking::{Ranked, sort_for_deletion};
use super::{SyncError, controller_identity, record_decision};
use crate::api::labels::Selector;
use crate::api::{Kind, Object};
use crate::apiserver::strategy::timestamp;
use crate::apiserver::{ApiServer, Identity, ListOptions, Reason, WatchEvent, WriteOptions};
use crate::client::{Ctx, Delta, Informer, Process, Recorder, object_key};
use crate::sim::trace::Component;

/// Upstream's BurstReplicas: the most pods one sync creates or deletes.
pub const BURST_REPLICAS: usize = 500;

const NAME: &str = "replicaset";

/// The replicaset controller process.
pub struct ReplicaSetController {
    who: Identity,
    recorder: Recorder,
    replicasets: Informer,
    pods: Informer,
    queue: KeyQueue,
    expectations: Expectations,
    /// ReplicaSet uid → key, to find a pod's controller from its controller reference.
    rs_by_uid: BTreeMap<String, String>,
    /// Keys of pods without a controller reference: the only candidates for adoption.
    orphans: BTreeSet<String>,
    /// Syncs under way, with the pods each saw (its status is computed from them, as upstream's
    /// end of `syncReplicaSet` does).
    pending: PendingSyncs<Vec<Arc<Pod>>>,
}

impl Default for ReplicaSetController {
    fn default() -> Self {
        Self::new()
    }
}

impl ReplicaSetController {
    pub fn new() -> Self {
        let who = controller_identity(NAME);
        ReplicaSetController {
            recorder: Recorder::new("replicaset-controller", None, who.clone()),
            who,
            replicasets: Informer::new(Kind::ReplicaSet, None, ListOptions::default()),
            pods: Informer::new(Kind::Pod, None, ListOptions::default()),
            queue: KeyQueue::default(),
            expectations: Expectations::default(),
            rs_by_uid: BTreeMap::new(),
            orphans: BTreeSet::new(),
            pending: PendingSyncs::default(),
        }
    }

    fn on_rs(&mut self, delta: &Delta) {
        let obj = delta.object();
        let key = object_key(obj);
        match delta {
            Delta::Deleted(_) => {
                self.rs_by_uid.remove(obj.uid());
                self.expectations.delete(&key);
            }
            _ => {
                self.rs_by_uid.insert(obj.uid().to_string(), key.clone());
                self.queue.add(key);
            }
        }
    }

    /// The ReplicaSet a pod's controller reference names, if it is one we know.
    fn owner_key(&self, pod: &Pod) -> Option<String> {
        let r = controller_ref(&pod.metadata)?;
        (r.kind == "ReplicaSet").then(|| self.rs_by_uid.get(&r.uid).cloned()).flatten()
    }

    /// Queues every ReplicaSet of the pod's namespace whose selector matches it (an orphan's candidates).
    fn queue_matching(&mut self, pod: &Pod) {
        let ns = pod.metadata.namespace.as_deref().unwrap_or("");
        let labels = labels_of(&pod.metadata);
        let keys: Vec<String> = self
            .replicasets
            .cache()
            .in_namespace(ns)
            .filter(|rs| selector_of(rs).ok().flatten().is_some_and(|s| s.matches(labels)))
            .map(object_key)
            .collect();
        for k in keys {
            self.queue.add(k);
        }
    }

    fn on_pod(&mut self, delta: &Delta) {
        let Some(pod) = delta.object().as_pod() else { return };
        let key = object_key(delta.object());
        let owner = self.owner_key(pod);
        let orphan = controller_ref(&pod.metadata).is_none();
        match delta {
            Delta::Added(_) => {
                if let Some(rs) = &owner {
                    if pod.metadata.deletion_timestamp.is_some() {
                        self.expectations.deletion_observed(rs, &key);
                    } else {
                        self.expectations.creation_observed(rs);
                    }
                    self.queue.add(rs.clone());
                }
            }
            Delta::Updated { old, .. } => {
                let old_pod = old.as_pod();
                let old_owner = old_pod.and_then(|p| self.owner_key(p));
                if let Some(rs) = &owner {
                    if pod.metadata.deletion_timestamp.is_some()
                        && old_pod.is_some_and(|p| p.metadata.deletion_timestamp.is_none())
                    {
                        self.expectations.deletion_observed(rs, &key);
                    }
                    self.queue.add(rs.clone());
                }
                if let Some(o) = old_owner.filter(|o| Some(o) != owner.as_ref()) {
                    self.queue.add(o);
                }
                if orphan && old_pod.is_some_and(|p| labels_of(&p.metadata) != labels_of(&pod.metadata)) {
                    self.queue_matching(pod);
                }
            }
            Delta::Deleted(_) => {
                self.orphans.remove(&key);
                if let Some(rs) = owner {
                    self.expectations.deletion_observed(&rs, &key);
                    self.queue.add(rs);
                }
                return;
            }
        }
        if orphan {
            if self.orphans.insert(key) {
                self.queue_matching(pod);
            }
        } else {
            self.orphans.remove(&key);
        }
    }

    /// `syncReplicaSet`.
    fn sync_replica_set(&mut self, key: &str, ctx: &mut Ctx<'_>) -> Result<Requeue, SyncError> {
        let Some(obj) = self.replicasets.cache().get(key).cloned() else {
            self.expectations.delete(key);
            return Ok(Requeue::No);
        };
        if self.pending.defer(key) {
            return Ok(Requeue::No);
        }
        let Object::ReplicaSet(rs) = &obj else { return Ok(Requeue::No) };
        let selector = selector_of(&obj)?;
        let now = ctx.now();
        let needs_sync = self.expectations.satisfied(key, now);
        let mut pods = self.claim_pods(&obj, selector.as_ref(), ctx.api)?;
        pods.retain(|p| is_pod_active(p));
        if needs_sync
            && rs.metadata.deletion_timestamp.is_none()
            && let Some(calls) = self.manage_replicas(&obj, rs, &pods, ctx)
        {
            let control =
                PodControl { who: &self.who, recorder: &mut self.recorder, expectations: &mut self.expectations };
            let finished = self.pending.start(key, obj, pods, calls, control, ctx);
            return finished.map_or(Ok(Requeue::No), |f| self.finish_calls(f, ctx));
        }
        self.finish_sync(&obj, &pods, None, ctx)
    }

    /// The end of `syncReplicaSet`: the status from the pods the sync saw, and when to look again.
    fn finish_sync(
        &mut self,
        obj: &Object,
        pods: &[Arc<Pod>],
        manage_error: Option<SyncError>,
        ctx: &mut Ctx<'_>,
    ) -> Result<Requeue, SyncError> {
        let Object::ReplicaSet(rs) = obj else { return Ok(Requeue::No) };
        let now_ms = ctx.api.clock().unix_millis(ctx.now());
        let status = calculate_status(rs, pods, manage_error.as_ref(), now_ms);
        let updated = self.update_status(obj, rs, status, ctx.api)?;
        if let Some(e) = manage_error {
            return Err(e);
        }
        // A pod Ready but not yet available becomes available after minReadySeconds: look again then.
        let min_ready = spec_min_ready(&updated);
        let next = pods
            .iter()
            .filter_map(|p| available_at_ms(p, min_ready))
            .filter(|&at| at > now_ms)
            .min()
            .map(|at| virtual_time(at, ctx.api.clock().unix_millis(crate::sim::Time::ZERO)));
        Ok(next.map_or(Requeue::No, Requeue::At))
    }

    /// `claimPods`: the pods this ReplicaSet controls after adopting matching orphans and releasing
    /// owned pods its selector no longer matches (a ReplicaSet being deleted adopts nothing).
    fn claim_pods(
        &mut self,
        obj: &Object,
        selector: Option<&Selector>,
        api: &mut ApiServer,
    ) -> Result<Vec<Arc<Pod>>, SyncError> {
        let uid = obj.uid().to_string();
        let deleting = obj.meta().deletion_timestamp.is_some();
        let matches = |p: &Pod| selector.is_some_and(|s| s.matches(labels_of(&p.metadata)));
        let mut owned = Vec::new();
        let mut release = Vec::new();
        for o in self.pods.cache().owned_by(&uid) {
            let Object::Pod(p) = o else { continue };
            if controller_ref(&p.metadata).is_none_or(|r| r.uid != uid) {
                continue;
            }
            if matches(p) {
                owned.push(p.clone())
            } else if !deleting {
                release.push(p.clone())
            }
        }
        for p in release {
            let mut next = (*p).clone();
            if let Some(refs) = &mut next.metadata.owner_references {
                refs.retain(|r| r.uid != uid);
            }
            match api.update(&self.who, Object::Pod(Arc::new(next)), &WriteOptions::default()) {
                Ok(_) => record_decision(
                    api,
                    NAME,
                    "release",
                    obj,
                    format!("released pod {}", p.metadata.name.as_deref().unwrap_or("")),
                ),
                Err(e) if e.reason == Reason::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        if deleting {
            return Ok(owned);
        }
        let ns = obj.namespace().unwrap_or("");
        let range = format!("{ns}/")..format!("{ns}0");
        let adopt: Vec<Arc<Pod>> = self
            .orphans
            .range(range)
            .filter_map(|k| match self.pods.cache().get(k) {
                Some(Object::Pod(p)) if matches(p) && p.metadata.deletion_timestamp.is_none() => Some(p.clone()),
                _ => None,
            })
            .collect();
        for p in adopt {
            let mut next = (*p).clone();
            next.metadata.owner_references.get_or_insert_with(Vec::new).push(new_controller_ref(obj));
            match api.update(&self.who, Object::Pod(Arc::new(next)), &WriteOptions::default()) {
                Ok(Object::Pod(adopted)) => {
                    record_decision(
                        api,
                        NAME,
                        "adopt",
                        obj,
                        format!("adopted pod {}", adopted.metadata.name.as_deref().unwrap_or("")),
                    );
                    owned.push(adopted);
                }
                Ok(_) => {}
                Err(e) if e.reason == Reason::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(owned)
    }

    /// `manageReplicas`: what to create or delete, at most `BURST_REPLICAS` per sync, with the
    /// expectations set for all of it; `pending` then makes the calls.
    fn manage_replicas(
        &mut self,
        obj: &Object,
        rs: &ReplicaSet,
        pods: &[Arc<Pod>],
        ctx: &mut Ctx<'_>,
    ) -> Option<Calls> {
        let key = object_key(obj);
        let want = usize::try_from(rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)).unwrap_or(0);
        let have = pods.len();
        let now = ctx.now();
        if have < want {
            let diff = (want - have).min(BURST_REPLICAS);
            let template = rs.spec.as_ref().and_then(|s| s.template.as_ref())?;
            record_decision(ctx.api, NAME, "sync", obj, format!("too few replicas: need {want}, creating {diff}"));
            self.expectations.expect_creations(&key, diff, now);
            let pod = pod_from_template(template, obj);
            return Some(Calls::create(diff, move || pod.clone()));
        }
        if have > want {
            let diff = (have - want).min(BURST_REPLICAS);
            let victims = self.pods_to_delete(obj, pods, diff, ctx.api.clock().unix_millis(now));
            record_decision(ctx.api, NAME, "sync", obj, format!("too many replicas: need {want}, deleting {diff}"));
            self.expectations.expect_deletions(&key, victims.iter().map(|p| pod_key(p)), now);
            return Some(Calls::delete(victims));
        }
        None
    }

    /// The end of a sync whose calls spanned wake-ups: its status, and one more sync when the key
    /// came up meanwhile.
    fn finish_calls(&mut self, f: Finished<Vec<Arc<Pod>>>, ctx: &mut Ctx<'_>) -> Result<Requeue, SyncError> {
        let result = self.finish_sync(&f.obj, &f.state, f.error.map(SyncError::from), ctx);
        again_if_dirty(f.dirty, result, ctx.now())
    }

    /// `getPodsToDelete`: the first `diff` pods in deletion order, ranked by how many pods of the
    /// same family (ReplicaSets of the same owner) share their node.
    fn pods_to_delete(&self, obj: &Object, pods: &[Arc<Pod>], diff: usize, now_ms: i64) -> Vec<Arc<Pod>> {
        if diff >= pods.len() {
            return pods.to_vec();
        }
        let mut on_node: BTreeMap<&str, usize> = BTreeMap::new();
        let siblings: Vec<String> = match controller_ref(obj.meta()) {
            Some(r) => self
                .replicasets
                .cache()
                .owned_by(&r.uid)
                .filter(|rs| controller_ref(rs.meta()).is_some_and(|c| c.uid == r.uid))
                .map(|rs| rs.uid().to_string())
                .collect(),
            None => vec![obj.uid().to_string()],
        };
        for uid in &siblings {
            for o in self.pods.cache().owned_by(uid) {
                if let Some(p) = o
                    .as_pod()
                    .filter(|p| is_pod_active(p) && controller_ref(&p.metadata).is_some_and(|r| &r.uid == uid))
                {
                    *on_node.entry(p.spec.as_ref().and_then(|s| s.node_name.as_deref()).unwrap_or("")).or_default() +=
                        1;
                }
            }
        }
        let mut ranked: Vec<Ranked<'_>> = pods
            .iter()
            .map(|p| Ranked {
                pod: p,
                rank: on_node
                    .get(p.spec.as_ref().and_then(|s| s.node_name.as_deref()).unwrap_or(""))
                    .copied()
                    .unwrap_or(0),
            })
            .collect();
        sort_for_deletion(&mut ranked, now_ms);
        let chosen: BTreeSet<&str> =
            ranked.iter().take(diff).map(|r| r.pod.metadata.uid.as_deref().unwrap_or("")).collect();
        pods.iter().filter(|p| chosen.contains(p.metadata.uid.as_deref().unwrap_or(""))).cloned().collect()
    }

    /// Writes `status` unless it is already the stored one; on a conflict, re-reads and retries once.
    fn update_status(
        &self,
        obj: &Object,
        rs: &ReplicaSet,
        status: ReplicaSetStatus,
        api: &mut ApiServer,
    ) -> Result<Object, SyncError> {
        if rs.status.as_ref() == Some(&status) {
            return Ok(obj.clone());
        }
        let mut next = rs.clone();
        next.status = Some(status.clone());
        match api.update_status(&self.who, Object::ReplicaSet(Arc::new(next))) {
            Ok(o) => Ok(o),
            Err(e) if e.reason == Reason::Conflict => {
                let fresh = api.get(&self.who, Kind::ReplicaSet, obj.namespace(), obj.name())?;
                let Object::ReplicaSet(f) = &fresh else { return Ok(fresh) };
                let mut next = (**f).clone();
                next.status = Some(status);
                Ok(api.update_status(&self.who, Object::ReplicaSet(Arc::new(next)))?)
            }
            Err(e) if e.reason == Reason::NotFound => Ok(obj.clone()),
            Err(e) => Err(e.into()),
        }
    }
}

/// A ReplicaSet's selector; `None` when it has no selector (which selects nothing).
fn selector_of(obj: &Object) -> Result<Option<Selector>, SyncError> {
    let Object::ReplicaSet(rs) = obj else { return Ok(None) };
    let Some(sel) = rs.spec.as_ref().map(|s| &s.selector) else { return Ok(None) };
    Selector::from_label_selector(sel)
        .map(Some)
        .map_err(|e| SyncError::InvalidSelector { object: object_key(obj), reason: e.to_string() })
}

fn spec_min_ready(obj: &Object) -> i32 {
    match obj {
        Object::ReplicaSet(rs) => rs.spec.as_ref().and_then(|s| s.min_ready_seconds).unwrap_or(0),
        _ => 0,
    }
}

/// `calculateStatus`.
fn calculate_status(
    rs: &ReplicaSet,
    pods: &[Arc<Pod>],
    manage_error: Option<&SyncError>,
    now_ms: i64,
) -> ReplicaSetStatus {
    let spec = rs.spec.as_ref();
    let min_ready = spec.and_then(|s| s.min_ready_seconds).unwrap_or(0);
    let template_labels = spec
        .and_then(|s| s.template.as_ref())
        .and_then(|t| t.metadata.as_ref())
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    let full = Selector::from_set(&template_labels);
    let count = |f: &dyn Fn(&Pod) -> bool| i32::try_from(pods.iter().filter(|p| f(p)).count()).unwrap_or(i32::MAX);
    let old = rs.status.clone().unwrap_or_default();
    let mut conditions: Vec<ReplicaSetCondition> = old.conditions.clone().unwrap_or_default();
    match manage_error {
        Some(e) => {
            let reason = if pods.len() < usize::try_from(spec.and_then(|s| s.replicas).unwrap_or(1)).unwrap_or(0) {
                "FailedCreate"
            } else {
                "FailedDelete"
            };
            if !conditions.iter().any(|c| c.type_ == "ReplicaFailure") {
                conditions.push(ReplicaSetCondition {
                    type_: "ReplicaFailure".into(),
                    status: "True".into(),
                    reason: Some(reason.into()),
                    message: Some(match e {
                        SyncError::Api(a) => a.message.clone(),
                        other => other.to_string(),
                    }),
                    last_transition_time: Some(timestamp(now_ms)),
                });
            }
        }
        None => conditions.retain(|c| c.type_ != "ReplicaFailure"),
    }
    ReplicaSetStatus {
        replicas: count(&|_| true),
        fully_labeled_replicas: Some(count(&|p| full.matches(labels_of(&p.metadata)))),
        ready_replicas: Some(count(&|p| is_pod_ready(p))),
        available_replicas: Some(count(&|p| is_pod_available(p, min_ready, now_ms))),
        observed_generation: rs.metadata.generation,
        conditions: (!conditions.is_empty()).then_some(conditions),
        terminating_replicas: old.terminating_replicas,
    }
}

impl Process for ReplicaSetController {
    fn component(&self) -> Component {
        Component::ControllerManager(NAME)
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        for kind in [Kind::ReplicaSet, Kind::Pod] {
            let inf = if kind == Kind::Pod { &mut self.pods } else { &mut self.replicasets };
            let deltas = inf.start(ctx.api, &self.who).unwrap_or_default();
            if let Some(id) = inf.watch_id() {
                ctx.own_watch(id);
            }
            for d in &deltas {
                if kind == Kind::Pod { self.on_pod(d) } else { self.on_rs(d) }
            }
        }
        self.run(ctx);
    }

    fn stop(&mut self, api: &mut ApiServer) {
        self.replicasets.stop(api);
        self.pods.stop(api);
        self.queue.clear();
        self.expectations.clear();
        self.pending.clear();
    }

    fn on_events(&mut self, events: &[WatchEvent], ctx: &mut Ctx<'_>) {
        for ev in events {
            if let Some(d) = self.replicasets.handle(ev) {
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

impl ReplicaSetController {
    fn run(&mut self, ctx: &mut Ctx<'_>) {
        let control = PodControl { who: &self.who, recorder: &mut self.recorder, expectations: &mut self.expectations };
        for (key, f) in self.pending.advance_all(control, ctx) {
            let result = self.finish_calls(f, ctx);
            self.queue.done(key, result, ctx);
        }
        let mut queue = std::mem::take(&mut self.queue);
        queue.run(ctx, |key, ctx| self.sync_replica_set(key, ctx));
        self.queue = queue;
    }
}
