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
    SLOW_START_INITIAL_BATCH_SIZE, available_at_ms, controller_ref, create_pod, is_pod_active, is_pod_available,
    is_pod_ready, pod_from_template, slow_start_batch, virtual_time,
};
use super::daemon_util::{add_daemon_tolerations, pin_to_node, should_run, target_node};
use super::deployment::compute_hash;
use super::deployment::util::scaled_value;
use super::expectations::Expectations;
use super::queue::{KeyQueue, Requeue};
use super::{SyncError, controller_identity, record_decision};
use crate::api::{Kind, Object};
use crate::apiserver::{ApiServer, DeleteOptions, Identity, ListOptions, Reason, WatchEvent};
use crate::client::{Ctx, Delta, EventKind, Informer, Process, Recorder, object_key};
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

fn pod_key(p: &Pod) -> String {
    format!("{}/{}", p.metadata.namespace.as_deref().unwrap_or(""), p.metadata.name.as_deref().unwrap_or(""))
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
        if self.expectations.satisfied(key, now) && ds.metadata.deletion_timestamp.is_none() {
            let mut create: Vec<String> = eligible.iter().filter(|n| !by_node.contains_key(*n)).cloned().collect();
            let mut delete: Vec<Arc<Pod>> = Vec::new();
            for (node, pods) in &by_node {
                if !eligible.contains(node) {
                    delete.extend(pods.iter().cloned());
                } else if pods.len() > 1 {
                    delete.extend(pods.iter().skip(1).cloned());
                }
            }
            if delete.is_empty() && create.is_empty() {
                delete = self.rolling_update_victims(ds, &by_node, &eligible, &hash, now_ms);
            }
            create.truncate(BURST_REPLICAS);
            delete.truncate(BURST_REPLICAS);
            self.manage(ctx.api, &obj, ds, &hash, &create, &delete, now)?;
        }
        // Status.
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
            updated_number_scheduled: Some(count(&|p| is_updated(p, &hash, ds.metadata.generation))),
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
                Err(e) => return Err(e.into()),
            }
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
    fn manage(
        &mut self,
        api: &mut ApiServer,
        obj: &Object,
        ds: &DaemonSet,
        hash: &str,
        create: &[String],
        delete: &[Arc<Pod>],
        now: Time,
    ) -> Result<(), SyncError> {
        let key = object_key(obj);
        if !delete.is_empty() {
            record_decision(api, NAME, "sync", obj, format!("deleting {} daemon pods", delete.len()));
            self.expectations.expect_deletions(&key, delete.iter().map(|p| pod_key(p)), now);
            for p in delete {
                let name = p.metadata.name.as_deref().unwrap_or("");
                match api.delete(&self.who, Kind::Pod, p.metadata.namespace.as_deref(), name, &DeleteOptions::default())
                {
                    Ok(_) => self.recorder.event(
                        api,
                        obj,
                        None,
                        EventKind::Normal,
                        "SuccessfulDelete",
                        &format!("Deleted pod: {name}"),
                    ),
                    Err(e) => {
                        self.expectations.deletion_observed(&key, &pod_key(p));
                        if e.reason != Reason::NotFound {
                            return Err(e.into());
                        }
                    }
                }
            }
            return Ok(());
        }
        if create.is_empty() {
            return Ok(());
        }
        let Some(spec) = ds.spec.as_ref() else { return Ok(()) };
        record_decision(api, NAME, "sync", obj, format!("creating daemon pods for {} nodes", create.len()));
        self.expectations.expect_creations(&key, create.len(), now);
        let mut template = spec.template.clone();
        let labels = template.metadata.get_or_insert_with(Default::default).labels.get_or_insert_with(Default::default);
        labels.insert(REVISION_HASH_LABEL.into(), hash.to_string());
        labels.insert(TEMPLATE_GENERATION_LABEL.into(), ds.metadata.generation.unwrap_or(1).to_string());
        let base = pod_from_template(&template, obj);
        let (who, recorder) = (&self.who, &mut self.recorder);
        let mut nodes = create.iter();
        let (created, err) = slow_start_batch(create.len(), SLOW_START_INITIAL_BATCH_SIZE, || {
            let Some(node) = nodes.next() else { return Ok(()) };
            let mut pod = base.clone();
            let spec = pod.spec.get_or_insert_with(Default::default);
            pin_to_node(spec, node);
            add_daemon_tolerations(spec);
            create_pod(api, who, recorder, obj, pod).map(|_| ())
        });
        for _ in created..create.len() {
            self.expectations.creation_observed(&key);
        }
        err.map_or(Ok(()), |e| Err(e.into()))
    }

    fn run(&mut self, ctx: &mut Ctx<'_>) {
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
