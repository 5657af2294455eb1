//! The scheduler's two halves of work: applying what its informers saw to the cache, the listers
//! and the queue (upstream's event handlers), and running one pod through a scheduling cycle and
//! its binding cycle, with the events, conditions, preemption and trace entries that follow.

use std::sync::Arc;

use serde_json::json;

use super::Scheduler;
use super::cache::PodInfo;
use super::explain::Decision;
use super::framework::CycleState;
use super::preemption::preempt;
use super::schedule_one::{CycleFailure, NO_NODES, schedule_pod};
use crate::api::{Kind, Object};
use crate::apiserver::patch::Patch;
use crate::apiserver::strategy::timestamp;
use crate::apiserver::{DeleteOptions, PatchOptions};
use crate::client::{Ctx, Delta, EventKind, object_key};
use crate::sim::Time;
use crate::sim::trace::{Component, Entry, EntryKind, ObjectRef};

fn pod_ref(info: &PodInfo) -> ObjectRef {
    ObjectRef::new("Pod", &info.namespace, &info.name)
}

/// Whether a node change can make a pending pod schedulable (heartbeats cannot).
fn node_changed(old: &Object, new: &Object) -> bool {
    let (Some(o), Some(n)) = (old.as_node(), new.as_node()) else { return true };
    o.metadata.labels != n.metadata.labels
        || o.spec != n.spec
        || o.status.as_ref().map(|s| (&s.allocatable, &s.images))
            != n.status.as_ref().map(|s| (&s.allocatable, &s.images))
}

impl Scheduler {
    /// Applies one informer delta.
    pub(super) fn apply(&mut self, kind: Kind, delta: Delta, now: Time) {
        match kind {
            Kind::Node => match &delta {
                Delta::Added(Object::Node(n)) => {
                    self.cache.upsert_node(n.clone());
                    self.queue.move_all_to_active_or_backoff(now);
                }
                Delta::Updated { old, new: Object::Node(n) } => {
                    let relevant = node_changed(old, delta.object());
                    self.cache.upsert_node(n.clone());
                    if relevant {
                        self.queue.move_all_to_active_or_backoff(now);
                    }
                }
                Delta::Deleted(o) => self.cache.remove_node(o.name()),
                _ => {}
            },
            Kind::Pod => self.apply_pod(delta, now),
            _ => {
                let lister = match kind {
                    Kind::Service => &mut self.listers.services,
                    Kind::ReplicaSet => &mut self.listers.replica_sets,
                    Kind::StatefulSet => &mut self.listers.stateful_sets,
                    Kind::PersistentVolumeClaim => &mut self.listers.pvcs,
                    Kind::PersistentVolume => &mut self.listers.pvs,
                    Kind::StorageClass => &mut self.listers.storage_classes,
                    _ => return,
                };
                match &delta {
                    Delta::Deleted(o) => {
                        lister.remove(&object_key(o));
                    }
                    Delta::Added(o) | Delta::Updated { new: o, .. } => {
                        lister.upsert(o.clone());
                    }
                }
                if matches!(kind, Kind::PersistentVolumeClaim | Kind::PersistentVolume | Kind::StorageClass) {
                    self.queue.move_all_to_active_or_backoff(now);
                }
            }
        }
    }

    fn apply_pod(&mut self, delta: Delta, now: Time) {
        // The informer's own version, shared: a copy of every pod's spec was a twentieth of a
        // 10,000-pod cluster's memory.
        let Object::Pod(pod) = delta.object() else { return };
        let info = Arc::new(PodInfo::new(Arc::clone(pod)));
        match &delta {
            Delta::Deleted(_) => {
                self.queue.delete(&info.key);
                self.cache.nominate(&info, None);
                if self.cache.remove_pod(&info.key).is_some() {
                    self.queue.move_all_to_active_or_backoff(now);
                }
            }
            Delta::Added(_) | Delta::Updated { .. } => {
                if info.node_name.is_some() {
                    self.queue.done(&info.key);
                    self.cache.nominate(&info, None);
                    let labels_changed = match &delta {
                        Delta::Updated { old, .. } => old.meta().labels != delta.object().meta().labels,
                        _ => false,
                    };
                    self.cache.add_pod(info);
                    if labels_changed {
                        self.queue.move_all_to_active_or_backoff(now);
                    }
                    return;
                }
                let Some(fw) = self.framework_for(&info.scheduler_name) else { return };
                if info.terminating || self.cache.is_assumed(&info.key) {
                    self.queue.delete(&info.key);
                    return;
                }
                self.cache.nominate(&info, info.nominated_node.as_deref());
                let gated = !self.frameworks[fw].run_pre_enqueue(&info).is_success();
                match delta {
                    Delta::Added(_) => self.queue.add(info, gated, now),
                    _ => self.queue.update(info, gated, now),
                }
            }
        }
    }

    fn trace(ctx: &mut Ctx<'_>, verb: &'static str, info: &PodInfo, note: String) {
        ctx.api.record(
            Entry::new(Component::Scheduler, Component::Scheduler, EntryKind::Decision, verb, pod_ref(info)).note(note),
        );
    }

    /// Pops one pod and runs its cycle; false when the active queue is empty.
    pub(super) fn schedule_next(&mut self, ctx: &mut Ctx<'_>) -> bool {
        let now = ctx.now();
        let Some(qp) = self.queue.pop(now) else { return false };
        let info = qp.info.clone();
        let Some(fw_idx) = self.framework_for(&info.scheduler_name) else {
            self.queue.done(&info.key);
            return true;
        };
        self.stats.attempts += 1;
        let pct = self.config.percentage_of_nodes_to_score;
        let fw = &self.frameworks[fw_idx];
        let cycle = schedule_pod(fw, &mut self.cache, &self.listers, &info, &mut self.rng, &mut self.next_start, pct);
        let mut attempt = cycle.attempt;
        attempt.at = now;
        let mut state = cycle.state;
        let feasible = attempt.feasible.len();
        Self::trace(
            ctx,
            "filter",
            &info,
            format!("{feasible}/{} nodes feasible ({} examined)", attempt.nodes_total, attempt.examined()),
        );
        match cycle.result {
            Ok(node) => {
                if let Some(t) = &attempt.scores {
                    let parts: Vec<String> =
                        attempt.feasible_names().zip(&t.totals).take(8).map(|(n, s)| format!("{n}={s}")).collect();
                    Self::trace(ctx, "score", &info, parts.join(", "));
                }
                match self.bind(fw_idx, &info, &node, &mut state, ctx) {
                    Ok(()) => {
                        self.stats.scheduled += 1;
                        self.queue.done(&info.key);
                    }
                    Err(e) => {
                        self.stats.errors += 1;
                        attempt.decision = Decision::Error(e);
                        self.queue.requeue_failed(qp, false, now);
                    }
                }
            }
            Err(failure) => {
                let (message, nominated, victims) = self.handle_failure(fw_idx, &info, &state, failure, ctx);
                self.stats.unschedulable += 1;
                attempt.decision = Decision::Unschedulable { message, nominated, victims };
                self.queue.requeue_failed(qp, true, now);
            }
        }
        self.explanations.record(attempt);
        true
    }

    /// Reserve, Permit, PreBind, then Bind through the api-server.
    fn bind(
        &mut self,
        fw_idx: usize,
        info: &PodInfo,
        node: &str,
        state: &mut CycleState,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), String> {
        self.cache.assume(info, node);
        let s = self.frameworks[fw_idx].run_binding_points(state, info, node);
        if !s.is_success() {
            self.cache.forget(&info.key);
            return Err(s.message());
        }
        Self::trace(ctx, "bind", info, node.to_string());
        match ctx.api.bind(&self.identity, &info.namespace, &info.name, node) {
            Ok(bound) => {
                let msg = format!("Successfully assigned {}/{} to {node}", info.namespace, info.name);
                self.recorder.event(ctx.api, &bound, None, EventKind::Normal, "Scheduled", &msg);
                Ok(())
            }
            Err(e) => {
                self.cache.forget(&info.key);
                Err(e.message)
            }
        }
    }

    /// PostFilter (preemption), then the event and the pod's condition.
    fn handle_failure(
        &mut self,
        fw_idx: usize,
        info: &Arc<PodInfo>,
        state: &CycleState,
        failure: CycleFailure,
        ctx: &mut Ctx<'_>,
    ) -> (String, Option<String>, Vec<String>) {
        let mut nominated = None;
        let mut victims = Vec::new();
        let message = match failure {
            CycleFailure::NoNodes => NO_NODES.to_string(),
            CycleFailure::Error(e) => e,
            CycleFailure::Fit(mut fit) => {
                let fw = &self.frameworks[fw_idx];
                if fw.preemption {
                    let p = preempt(fw, &self.cache, &self.listers, state, info, &fit, &mut self.rng);
                    fit.post_filter_msg = p.message.clone();
                    if let Some(node) = p.node {
                        self.stats.preemptions += 1;
                        for v in &p.victims {
                            let obj = Object::Pod(v.pod.clone());
                            let msg = format!("Preempted by pod {} on node {node}", info.uid);
                            self.recorder.event(ctx.api, &obj, None, EventKind::Normal, "Preempted", &msg);
                            let _ = ctx.api.delete(
                                &self.identity,
                                Kind::Pod,
                                Some(&v.namespace),
                                &v.name,
                                &DeleteOptions::default(),
                            );
                            victims.push(v.key.clone());
                        }
                        self.cache.nominate(info, Some(&node));
                        Self::trace(ctx, "preempt", info, format!("nominated {node}, victims {}", victims.join(", ")));
                        nominated = Some(node);
                    }
                }
                fit.message()
            }
        };
        Self::trace(ctx, "unschedulable", info, message.clone());
        self.recorder.event(
            ctx.api,
            &Object::Pod(info.pod.clone()),
            None,
            EventKind::Warning,
            "FailedScheduling",
            &message,
        );
        self.update_condition(info, &message, nominated.as_deref(), ctx);
        (message, nominated, victims)
    }

    /// Sets PodScheduled=False/Unschedulable (and nominatedNodeName) when they change.
    fn update_condition(&self, info: &PodInfo, message: &str, nominated: Option<&str>, ctx: &mut Ctx<'_>) {
        let status = info.pod.status.as_ref();
        let current =
            status.and_then(|s| s.conditions.as_ref()).and_then(|c| c.iter().find(|c| c.type_ == "PodScheduled"));
        let same = current.is_some_and(|c| {
            c.status == "False" && c.reason.as_deref() == Some("Unschedulable") && c.message.as_deref() == Some(message)
        });
        if same && (nominated.is_none() || info.nominated_node.as_deref() == nominated) {
            return;
        }
        let now = timestamp(ctx.api.clock().unix_millis(ctx.now()));
        let mut conditions: Vec<serde_json::Value> = status
            .and_then(|s| s.conditions.as_ref())
            .into_iter()
            .flatten()
            .filter(|c| c.type_ != "PodScheduled")
            .filter_map(|c| serde_json::to_value(c).ok())
            .collect();
        let transition = match current {
            Some(c) if c.status == "False" => c.last_transition_time.clone().unwrap_or(now),
            _ => now,
        };
        conditions.push(json!({
            "type": "PodScheduled",
            "status": "False",
            "reason": "Unschedulable",
            "message": message,
            "lastProbeTime": null,
            "lastTransitionTime": transition,
        }));
        let mut patch = json!({"status": {"conditions": conditions}});
        if let Some(n) = nominated {
            patch["status"]["nominatedNodeName"] = json!(n);
        }
        let opts = PatchOptions { status: true, dry_run: false };
        let _ =
            ctx.api.patch(&self.identity, Kind::Pod, Some(&info.namespace), &info.name, &Patch::Merge(patch), &opts);
    }
}
