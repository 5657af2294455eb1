//! What several controllers share, as upstream's `controller_utils.go` and `podutil` provide it:
//! controller references (who owns an object), pod states (active, ready, available after
//! minReadySeconds), building a pod from a template, and the slow-start batches in which controllers
//! create many objects so that a failing create costs one request instead of thousands.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time as MetaTime};

use crate::api::{Kind, Object};
use crate::apiserver::{ApiError, ApiServer, DeleteOptions, Identity, Reason, WriteOptions};
use crate::client::{EventKind, Recorder};
use crate::sim::Time;

/// Upstream's SlowStartInitialBatchSize.
pub const SLOW_START_INITIAL_BATCH_SIZE: usize = 1;

/// The annotation that orders victims by cost (PodDeletionCost).
pub const POD_DELETION_COST: &str = "controller.kubernetes.io/pod-deletion-cost";

/// The controller reference of an object: its ownerReference with `controller: true`.
pub fn controller_ref(meta: &ObjectMeta) -> Option<&OwnerReference> {
    meta.owner_references.iter().flatten().find(|r| r.controller == Some(true))
}

/// A controller reference to `owner`, as a controller sets it on what it creates or adopts: the
/// owner is the controller, and foreground deletion of the owner waits for this dependent.
pub fn new_controller_ref(owner: &Object) -> OwnerReference {
    let kind = owner.kind();
    OwnerReference {
        api_version: kind.api_version().to_string(),
        kind: kind.as_str().to_string(),
        name: owner.name().to_string(),
        uid: owner.uid().to_string(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// Labels of an object (empty when it has none).
pub fn labels_of(meta: &ObjectMeta) -> &BTreeMap<String, String> {
    static EMPTY: BTreeMap<String, String> = BTreeMap::new();
    meta.labels.as_ref().unwrap_or(&EMPTY)
}

fn phase(pod: &Pod) -> &str {
    pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("")
}

/// The node a pod is bound to (`spec.nodeName`); None while it is unscheduled.
pub fn pod_node_name(pod: &Pod) -> Option<&str> {
    pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).filter(|n| !n.is_empty())
}

/// `IsPodActive`: not finished and not being deleted; only active pods count as replicas.
pub fn is_pod_active(pod: &Pod) -> bool {
    !matches!(phase(pod), "Succeeded" | "Failed") && pod.metadata.deletion_timestamp.is_none()
}

/// The pod's Ready condition, when it is True.
fn ready_condition(pod: &Pod) -> Option<&k8s_openapi::api::core::v1::PodCondition> {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
        .filter(|c| c.status == "True")
}

pub fn is_pod_ready(pod: &Pod) -> bool {
    ready_condition(pod).is_some()
}

/// When the pod last became Ready (None when it is not Ready).
pub fn pod_ready_time(pod: &Pod) -> Option<&MetaTime> {
    ready_condition(pod).and_then(|c| c.last_transition_time.as_ref())
}

/// Milliseconds since the Unix epoch of an API timestamp.
pub fn unix_millis(t: &MetaTime) -> i64 {
    t.0.as_millisecond()
}

/// When a Ready pod becomes available (Ready for `min_ready_seconds`), in Unix milliseconds; None
/// when it is not Ready. A Ready pod without a transition time counts as available at once.
pub fn available_at_ms(pod: &Pod, min_ready_seconds: i32) -> Option<i64> {
    let cond = ready_condition(pod)?;
    if min_ready_seconds <= 0 {
        return Some(i64::MIN);
    }
    let since = cond.last_transition_time.as_ref().map(unix_millis).unwrap_or(i64::MIN);
    Some(since.saturating_add(i64::from(min_ready_seconds) * 1000))
}

/// `IsPodAvailable`: Ready for at least `min_ready_seconds` at `now_ms`.
pub fn is_pod_available(pod: &Pod, min_ready_seconds: i32, now_ms: i64) -> bool {
    available_at_ms(pod, min_ready_seconds).is_some_and(|at| at <= now_ms)
}

/// The virtual instant of a Unix-millisecond time, for re-queueing (the clock's epoch is `epoch_ms`).
pub fn virtual_time(unix_ms: i64, epoch_ms: i64) -> Time {
    Time(u64::try_from(unix_ms.saturating_sub(epoch_ms)).unwrap_or(0))
}

/// `GetPodFromTemplate`: a pod for `owner` from `template`: the template's labels, annotations and
/// spec, `generateName` `<owner>-` and the controller reference.
pub fn pod_from_template(template: &PodTemplateSpec, owner: &Object) -> Pod {
    let meta = template.metadata.clone().unwrap_or_default();
    Pod {
        metadata: ObjectMeta {
            namespace: owner.namespace().map(str::to_string),
            generate_name: Some(format!("{}-", owner.name())),
            labels: meta.labels,
            annotations: meta.annotations,
            finalizers: meta.finalizers,
            owner_references: Some(vec![new_controller_ref(owner)]),
            ..Default::default()
        },
        spec: template.spec.clone(),
        status: None,
    }
}

/// `slowStartBatch`: `count` calls in batches of 1, 2, 4, ... (starting at `initial_batch_size`),
/// stopping after the first batch in which a call failed, so the caller can lower its expectations
/// for the skipped ones. It can stop between calls and go on later: a batch is still finished whole
/// (its calls are upstream's parallel goroutines) before a failure ends the run, however many
/// steps it takes.
#[derive(Debug)]
pub struct SlowStart<E> {
    remaining: usize,
    batch: usize,
    done_in_batch: usize,
    pub successes: usize,
    pub first_error: Option<E>,
}

impl<E> SlowStart<E> {
    pub fn new(count: usize, initial_batch_size: usize) -> Self {
        let batch = initial_batch_size.max(1).min(count);
        SlowStart { remaining: count, batch, done_in_batch: 0, successes: 0, first_error: None }
    }

    /// Makes at most `limit` calls; true once the run is over (every call made, or a batch failed).
    pub fn advance(&mut self, limit: usize, mut f: impl FnMut() -> Result<(), E>) -> bool {
        for _ in 0..limit {
            if self.is_done() {
                break;
            }
            match f() {
                Ok(()) => self.successes += 1,
                Err(e) => {
                    self.first_error.get_or_insert(e);
                }
            }
            self.done_in_batch += 1;
            if self.done_in_batch == self.batch {
                self.remaining -= self.batch;
                self.batch = if self.first_error.is_some() { 0 } else { (self.batch * 2).min(self.remaining) };
                self.done_in_batch = 0;
            }
        }
        self.is_done()
    }

    fn is_done(&self) -> bool {
        self.batch == 0
    }
}

/// Creates a pod for `owner` as upstream's `PodControl.CreatePods` does, recording
/// `SuccessfulCreate` "Created pod: x" or `FailedCreate` "Error creating: ..." on the owner.
pub fn create_pod(
    api: &mut ApiServer,
    who: &Identity,
    recorder: &mut Recorder,
    owner: &Object,
    pod: Pod,
) -> Result<Object, ApiError> {
    match api.create(who, Object::Pod(std::sync::Arc::new(pod)), &WriteOptions::default()) {
        Ok(p) => {
            let msg = format!("Created pod: {}", p.name());
            recorder.event(api, owner, None, EventKind::Normal, "SuccessfulCreate", &msg);
            Ok(p)
        }
        Err(e) => {
            let msg = format!("Error creating: {}", e.message);
            recorder.event(api, owner, None, EventKind::Warning, "FailedCreate", &msg);
            Err(e)
        }
    }
}

/// Deletes a victim as upstream's `PodControl.DeletePod` does, recording `SuccessfulDelete` on the
/// owner, or `FailedDelete` for an error other than NotFound (which is returned, too).
pub fn delete_pod(
    api: &mut ApiServer,
    who: &Identity,
    recorder: &mut Recorder,
    owner: &Object,
    pod: &Pod,
) -> Result<(), ApiError> {
    let name = pod.metadata.name.as_deref().unwrap_or("");
    let ns = pod.metadata.namespace.as_deref();
    match api.delete(who, Kind::Pod, ns, name, &DeleteOptions::default()) {
        Ok(_) => {
            recorder.event(api, owner, None, EventKind::Normal, "SuccessfulDelete", &format!("Deleted pod: {name}"));
            Ok(())
        }
        Err(e) if e.reason == Reason::NotFound => Err(e),
        Err(e) => {
            let message = format!("Error deleting: {}", e.message);
            recorder.event(api, owner, None, EventKind::Warning, "FailedDelete", &message);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_start_grows_batches_and_stops_at_the_first_failing_batch() {
        fn slow_start_batch<E>(count: usize, f: impl FnMut() -> Result<(), E>) -> (usize, Option<E>) {
            let mut run = SlowStart::new(count, 1);
            run.advance(usize::MAX, f);
            (run.successes, run.first_error)
        }
        let mut calls = 0;
        let (ok, err) = slow_start_batch(10, || -> Result<(), ()> {
            calls += 1;
            Ok(())
        });
        assert_eq!((ok, err, calls), (10, None, 10));
        // Fails from the 5th call on: batches 1, 2, 4 → the third batch fails, nothing after it.
        let mut calls = 0;
        let (ok, err) = slow_start_batch(100, || {
            calls += 1;
            if calls >= 5 { Err("quota") } else { Ok(()) }
        });
        assert_eq!((ok, err, calls), (4, Some("quota"), 7));
        let (ok, err) = slow_start_batch(0, || -> Result<(), ()> { Ok(()) });
        assert_eq!((ok, err), (0, None));
    }

    #[test]
    fn a_slow_start_in_steps_makes_the_same_calls_and_finishes_its_failing_batch() {
        // Fails from the 5th call on: the third batch (calls 4-7) is finished across steps of 3.
        let mut calls = 0;
        let mut run = SlowStart::new(100, 1);
        let mut steps = 0;
        while !run.advance(3, || {
            calls += 1;
            if calls >= 5 { Err("quota") } else { Ok(()) }
        }) {
            steps += 1;
        }
        assert_eq!((run.successes, run.first_error, calls, steps), (4, Some("quota"), 7, 2));
    }
}
