//! The DaemonSet controller: one pod per eligible node. Each pod is created unscheduled, pinned to
//! its node by required node affinity `metadata.name In [<node>]` (the default scheduler binds it),
//! carries the daemon tolerations and the `controller-revision-hash` and `pod-template-generation`
//! labels. Nodes that no longer qualify lose their pod; a template change replaces pods node by node
//! within maxUnavailable (RollingUpdate; OnDelete waits for the user). Status counts desired,
//! current, misscheduled, ready, available and updated daemon pods.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::apps::v1::{DaemonSet, DaemonSetStatus};
use k8s_openapi::api::core::v1::Pod;

use super::controller_utils::{
    available_at_ms, controller_ref, is_pod_active, is_pod_available, is_pod_ready, pod_from_template, virtual_time,
};
use super::daemon_util::{add_daemon_tolerations, pin_to_node, should_run, target_node};
use super::deployment::compute_hash;
use super::deployment::util::scaled_value;
use super::expectations::Expectations;
use super::pod_calls::{Calls, Finished, PendingSyncs, PodControl, again_if_dirty, pod_key};
use super::queue::{KeyQueue, Requeue};
use super::{SyncError, controller_identity, record_decision};
use crate::api::{Kind, Object};
use crate::apiserver::{ApiServer, Identity, ListOptions, Reason, WatchEvent};
use crate::client::{Ctx, Delta, Informer, Process, Recorder, object_key};
use crate::sim::Time;
use crate::sim::trace::Component;

const NAME: &str = "daemonset";

/// Upstream's BurstReplicas for DaemonSets: the most daemon pods one sync creates or deletes (lower
/// than the ReplicaSet's 500, "b/c values that are too high can cause registry DoS issues").
const BURST_REPLICAS: usize = 250;
pub const REVISION_HASH_LABEL: &str = "controller-revision-hash";
pub const TEMPLATE_GENERATION_LABEL: &str = "pod-template-generation";

/// The daemonset controller process.
pub struct DaemonSetController {
    who: Identity,
    recorder: Recorder,
    daemonsets: Informer,
    nodes: Informer,
    pods: Informer,
    queue: KeyQueue,
    expectations: Expectations,
    ds_by_uid: BTreeMap<String, String>,
    /// Syncs whose creates or deletes are under way, with what each saw.
    pending: PendingSyncs<Snapshot>,
}

/// What a sync saw: the eligible nodes, the daemon pods by node, the template's hash. The status
/// is computed from it once the sync's calls are made.
struct Snapshot {
    eligible: BTreeSet<String>,
    by_node: BTreeMap<String, Vec<Arc<Pod>>>,
    hash: String,
}

impl Default for DaemonSetController {
    fn default() -> Self {
        Self::new()
    }
}

/// `IsPodUpdated`: the pod has the current template's hash, or was made from the current
/// generation of the template (pods that predate the hash label count by generation).
fn is_updated(p: &Pod, hash: &str, generation: Option<i64>) -> bool {
    let labels = p.metadata.labels.as_ref();
    let hash_matches = labels.and_then(|l| l.get(REVISION_HASH_LABEL)).is_some_and(|h| h == hash);
    let generation_matches = generation
        .is_some_and(|g| labels.and_then(|l| l.get(TEMPLATE_GENERATION_LABEL)).is_some_and(|v| *v == g.to_string()));
    hash_matches || generation_matches
}

impl DaemonSetController {
    pub fn new() -> Self {
        let who = controller_identity(NAME);
        DaemonSetController {
            recorder: Recorder::new("daemonset-controller", None, who.clone()),
            who,
            daemonsets: Informer::new(Kind::DaemonSet, None, ListOptions::default()),
            nodes: Informer::new(Kind::Node, None, ListOptions::default()),
            pods: Informer::new(Kind::Pod, None, ListOptions::default()),
            queue: KeyQueue::default(),
            expectations: Expectations::default(),
            ds_by_uid: BTreeMap::new(),
            pending: PendingSyncs::default(),
        }
    }

    fn queue_all(&mut self) {
        let keys: Vec<String> = self.daemonsets.cache().iter().map(object_key).collect();
        for k in keys {
            self.queue.add(k);
        }
    }

    fn on_ds(&mut self, delta: &Delta) {
        let obj = delta.object();
        if let Delta::Deleted(_) = delta {
            self.ds_by_uid.remove(obj.uid());
            self.expectations.delete(&object_key(obj));
            return;
        }
        self.ds_by_uid.insert(obj.uid().to_string(), object_key(obj));
        self.queue.add(object_key(obj));
    }

    fn on_pod(&mut self, delta: &Delta) {
        let Some(pod) = delta.object().as_pod() else { return };
        let Some(key) = controller_ref(&pod.metadata)
            .filter(|r| r.kind == "DaemonSet")
            .and_then(|r| self.ds_by_uid.get(&r.uid).cloned())
        else {
            return;
        };
        let pk = pod_key(pod);
        match delta {
            Delta::Added(_) if pod.metadata.deletion_timestamp.is_none() => self.expectations.creation_observed(&key),
            Delta::Added(_) | Delta::Deleted(_) => self.expectations.deletion_observed(&key, &pk),
            Delta::Updated { old, .. } => {
                if pod.metadata.deletion_timestamp.is_some() && old.meta().deletion_timestamp.is_none() {
                    self.expectations.deletion_observed(&key, &pk);
                }
            }
        }
        self.queue.add(key);
    }

    /// `syncDaemonSet`.
    fn sync_daemon_set(&mut self, key: &str, ctx: &mut Ctx<'_>) -> Result<Requeue, SyncError> {
        let Some(obj) = self.daemonsets.cache().get(key).cloned() else {
            self.expectations.delete(key);
            return Ok(Requeue::No);
        };
        if self.pending.defer(key) {
            return Ok(Requeue::No);
        }
        let Object::DaemonSet(ds) = &obj else { return Ok(Requeue::No) };
        let Some(spec) = ds.spec.as_ref() else { return Ok(Requeue::No) };
        let now = ctx.now();
        let now_ms = ctx.api.clock().unix_millis(now);
        let hash = compute_hash(&spec.template, ds.status.as_ref().and_then(|s| s.collision_count));
        let pod_spec = spec.template.spec.clone().unwrap_or_default();
        // Daemon pods by target node.
        let uid = obj.uid().to_string();
        let mut by_node: BTreeMap<String, Vec<Arc<Pod>>> = BTreeMap::new();
        for o in self.pods.cache().owned_by(&uid) {
            if let Object::Pod(p) = o
                && controller_ref(&p.metadata).is_some_and(|r| r.uid == uid)
                && is_pod_active(p)
            {
                by_node.entry(target_node(p.spec.as_ref()).unwrap_or("").to_string()).or_default().push(p.clone());
            }
        }
        let eligible: BTreeSet<String> = self
            .nodes
            .cache()
            .iter()
            .filter_map(|n| n.as_node())
            .filter(|n| should_run(n, &pod_spec))
            .filter_map(|n| n.metadata.name.clone())
            .collect();
        let snapshot = Snapshot { eligible, by_node, hash };
        if self.expectations.satisfied(key, now) && ds.metadata.deletion_timestamp.is_none() {
            let (eligible, by_node) = (&snapshot.eligible, &snapshot.by_node);
            let mut create: Vec<String> = eligible.iter().filter(|n| !by_node.contains_key(*n)).cloned().collect();
            let mut delete: Vec<Arc<Pod>> = Vec::new();
            for (node, pods) in by_node {
                if !eligible.contains(node) {
                    delete.extend(pods.iter().cloned());
                } else if pods.len() > 1 {
                    delete.extend(pods.iter().skip(1).cloned());
                }
            }
            if delete.is_empty() && create.is_empty() {
                delete = self.rolling_update_victims(ds, by_node, eligible, &snapshot.hash, now_ms);
            }
            create.truncate(BURST_REPLICAS);
            delete.truncate(BURST_REPLICAS);
            if let Some(calls) = self.manage(ctx.api, &obj, ds, &snapshot.hash, create, delete, now) {
                let control =
                    PodControl { who: &self.who, recorder: &mut self.recorder, expectations: &mut self.expectations };
                let finished = self.pending.start(key, obj.clone(), snapshot, calls, control, ctx);
                return finished.map_or(Ok(Requeue::No), |f| self.finish_calls(f, ctx));
            }
        }
        self.finish_sync(&obj, &snapshot, None, ctx)
    }

    /// The end of a sync whose calls spanned wake-ups, and one more sync when the key came up
    /// meanwhile.
    fn finish_calls(&mut self, f: Finished<Snapshot>, ctx: &mut Ctx<'_>) -> Result<Requeue, SyncError> {
        let result = self.finish_sync(&f.obj, &f.state, f.error.map(SyncError::from), ctx);
        again_if_dirty(f.dirty, result, ctx.now())
    }

    /// The end of `syncDaemonSet`: the status from what the sync saw (written even when its calls
    /// failed, as upstream's is), the calls' error, and when to look again.
    fn finish_sync(
        &mut self,
        obj: &Object,
        snapshot: &Snapshot,
        manage_error: Option<SyncError>,
        ctx: &mut Ctx<'_>,
    ) -> Result<Requeue, SyncError> {
        let Object::DaemonSet(ds) = obj else { return Ok(Requeue::No) };
        let Some(spec) = ds.spec.as_ref() else { return Ok(Requeue::No) };
        let Snapshot { eligible, by_node, hash } = snapshot;
        let now_ms = ctx.api.clock().unix_millis(ctx.now());
        let min_ready = spec.min_ready_seconds.unwrap_or(0);
        let count = |f: &dyn Fn(&Pod) -> bool| {
            let n = eligible.iter().filter(|n| by_node.get(*n).and_then(|p| p.first()).is_some_and(|p| f(p))).count();
            i32::try_from(n).unwrap_or(i32::MAX)
        };
        let desired = i32::try_from(eligible.len()).unwrap_or(i32::MAX);
        let available = count(&|p| is_pod_available(p, min_ready, now_ms));
        let misscheduled = by_node.keys().filter(|n| !eligible.contains(*n)).count();
        let status = DaemonSetStatus {
            desired_number_scheduled: desired,
            current_number_scheduled: count(&|_| true),
            number_misscheduled: i32::try_from(misscheduled).unwrap_or(i32::MAX),
            number_ready: count(&|p| is_pod_ready(p)),
            number_available: Some(available),
            number_unavailable: Some(desired - available).filter(|n| *n > 0),
            updated_number_scheduled: Some(count(&|p| is_updated(p, hash, ds.metadata.generation))),
            observed_generation: ds.metadata.generation,
            collision_count: ds.status.as_ref().and_then(|s| s.collision_count),
            conditions: ds.status.as_ref().and_then(|s| s.conditions.clone()),
        };
        if ds.status.as_ref() != Some(&status) {
            let mut next = (**ds).clone();
            next.status = Some(status);
            match ctx.api.update_status(&self.who, Object::DaemonSet(Arc::new(next))) {
                Ok(_) => {}
                Err(e) if e.reason == Reason::NotFound => {}
                Err(e) => return Err(manage_error.unwrap_or(e.into())),
            }
        }
        if let Some(e) = manage_error {
            return Err(e);
        }
        let epoch = ctx.api.clock().unix_millis(Time::ZERO);
        let next =
            by_node.values().flatten().filter_map(|p| available_at_ms(p, min_ready)).filter(|&at| at > now_ms).min();
        Ok(next.map_or(Requeue::No, |at| Requeue::At(virtual_time(at, epoch))))
    }

    /// RollingUpdate: old-hash pods to replace now, unavailable ones first, within maxUnavailable.
    fn rolling_update_victims(
        &self,
        ds: &DaemonSet,
        by_node: &BTreeMap<String, Vec<Arc<Pod>>>,
        eligible: &BTreeSet<String>,
        hash: &str,
        now_ms: i64,
    ) -> Vec<Arc<Pod>> {
        let Some(strategy) = ds.spec.as_ref().and_then(|s| s.update_strategy.as_ref()) else { return Vec::new() };
        if strategy.type_.as_deref() == Some("OnDelete") {
            return Vec::new();
        }
        let desired = i32::try_from(eligible.len()).unwrap_or(i32::MAX);
        let max_unavailable =
            scaled_value(strategy.rolling_update.as_ref().and_then(|r| r.max_unavailable.as_ref()), desired, true)
                .max(1);
        let min_ready = ds.spec.as_ref().and_then(|s| s.min_ready_seconds).unwrap_or(0);
        let mut unavailable = 0;
        let mut old_unavailable = Vec::new();
        let mut old_available = Vec::new();
        for node in eligible {
            let Some(p) = by_node.get(node).and_then(|p| p.first()) else {
                unavailable += 1;
                continue;
            };
            let current = is_updated(p, hash, ds.metadata.generation);
            let available = is_pod_available(p, min_ready, now_ms);
            if !available {
                unavailable += 1;
            }
            match (current, available) {
                (false, false) => old_unavailable.push(p.clone()),
                (false, true) => old_available.push(p.clone()),
                _ => {}
            }
        }
        let budget = usize::try_from((max_unavailable - unavailable).max(0)).unwrap_or(0);
        old_unavailable.into_iter().chain(old_available.into_iter().take(budget)).collect()
    }

    #[allow(clippy::too_many_arguments)]
    /// `manage`: the deletes, or else the creates, this sync makes, with the expectations set for
    /// all of them; `pending` then makes the calls.
    #[allow(clippy::too_many_arguments)]
    fn manage(
        &mut self,
        api: &mut ApiServer,
        obj: &Object,
        ds: &DaemonSet,
        hash: &str,
        create: Vec<String>,
        delete: Vec<Arc<Pod>>,
        now: Time,
    ) -> Option<Calls> {
        let key = object_key(obj);
        if !delete.is_empty() {
            record_decision(api, NAME, "sync", obj, format!("deleting {} daemon pods", delete.len()));
            self.expectations.expect_deletions(&key, delete.iter().map(|p| pod_key(p)), now);
            return Some(Calls::delete(delete));
        }
        if create.is_empty() {
            return None;
        }
        let spec = ds.spec.as_ref()?;
        record_decision(api, NAME, "sync", obj, format!("creating daemon pods for {} nodes", create.len()));
        self.expectations.expect_creations(&key, create.len(), now);
        let mut template = spec.template.clone();
        let labels = template.metadata.get_or_insert_with(Default::default).labels.get_or_insert_with(Default::default);
        labels.insert(REVISION_HASH_LABEL.into(), hash.to_string());
        labels.insert(TEMPLATE_GENERATION_LABEL.into(), ds.metadata.generation.unwrap_or(1).to_string());
        let base = pod_from_template(&template, obj);
        let count = create.len();
        let mut nodes = create.into_iter();
        Some(Calls::create(count, move || {
            let mut pod = base.clone();
            if let Some(node) = nodes.next() {
                let spec = pod.spec.get_or_insert_with(Default::default);
                pin_to_node(spec, &node);
                add_daemon_tolerations(spec);
            }
            pod
        }))
    }

    fn run(&mut self, ctx: &mut Ctx<'_>) {
        let control = PodControl { who: &self.who, recorder: &mut self.recorder, expectations: &mut self.expectations };
        for (key, f) in self.pending.advance_all(control, ctx) {
            let result = self.finish_calls(f, ctx);
            self.queue.done(key, result, ctx);
        }
        let mut queue = std::mem::take(&mut self.queue);
        queue.run(ctx, |key, ctx| self.sync_daemon_set(key, ctx));
        self.queue = queue;
    }
}

impl Process for DaemonSetController {
    fn component(&self) -> Component {
        Component::ControllerManager(NAME)
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        for i in 0..3 {
            let inf = match i {
                0 => &mut self.daemonsets,
                1 => &mut self.nodes,
                _ => &mut self.pods,
            };
            let deltas = inf.start(ctx.api, &self.who).unwrap_or_default();
            if let Some(id) = inf.watch_id() {
                ctx.own_watch(id);
            }
            for d in &deltas {
                match i {
                    0 => self.on_ds(d),
                    1 => {}
                    _ => self.on_pod(d),
                }
            }
        }
        self.run(ctx);
    }

    fn stop(&mut self, api: &mut ApiServer) {
        self.daemonsets.stop(api);
        self.nodes.stop(api);
        self.pods.stop(api);
        self.queue.clear();
        self.expectations.clear();
        self.pending.clear();
    }

    fn on_events(&mut self, events: &[WatchEvent], ctx: &mut Ctx<'_>) {
        for ev in events {
            if let Some(d) = self.daemonsets.handle(ev) {
                self.on_ds(&d);
            } else if let Some(d) = self.nodes.handle(ev) {
                // Only changes that can alter eligibility matter (labels, taints, new or gone nodes).
                let relevant = match &d {
                    Delta::Updated { old, new } => {
                        old.meta().labels != new.meta().labels
                            || old.as_node().map(|n| &n.spec) != new.as_node().map(|n| &n.spec)
                    }
                    _ => true,
                };
                if relevant {
                    self.queue_all();
                }
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
