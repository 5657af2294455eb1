//! The Job controller: runs a Job's pods to completion. It keeps up to `parallelism` pods active until
//! `completions` succeeded (NonIndexed) or every index in `0..completions` has a succeeded pod
//! (Indexed: the completion index annotation and label, hostname `<job>-<index>`), replaces failed
//! pods after the 10 s doubling back-off (capped at ten minutes), and fails the Job past
//! `backoffLimit`, past `activeDeadlineSeconds` or on a pod failure policy's FailJob rule. Finished
//! pods are counted through `status.uncountedTerminatedPods` and the `batch.kubernetes.io/job-tracking`
//! finalizer, and the terminal condition comes in two steps as in v1.36: SuccessCriteriaMet or
//! FailureTarget first, Complete or Failed once no pod is left terminating.

mod status;
mod sync;
pub mod util;

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::Pod;

use super::controller_utils::controller_ref;
use super::expectations::Expectations;
use super::pod_calls::{PendingSyncs, PodControl};
use super::queue::KeyQueue;
use super::{controller_identity, record_decision};
use crate::api::{Kind, Object};
use crate::apiserver::patch::Patch;
use crate::apiserver::{ApiServer, Identity, ListOptions, PatchOptions, WatchEvent};
use crate::client::{Ctx, Delta, Informer, Process, Recorder, object_key};
use crate::sim::trace::Component;
use util::{BackoffRecord, JOB_TRACKING_FINALIZER, SYNC_JOB_BATCH_PERIOD, has_tracking_finalizer, is_job_finished};

const NAME: &str = "job";

/// The job controller process.
pub struct JobController {
    who: Identity,
    recorder: Recorder,
    jobs: Informer,
    pods: Informer,
    queue: KeyQueue,
    expectations: Expectations,
    /// Job uid → key, to find a pod's Job from its controller reference.
    job_by_uid: BTreeMap<String, String>,
    /// Per Job key, the uids of pods whose tracking finalizer this controller removed and whose
    /// update it has not seen yet (upstream's finalizerExpectations): they are counted already.
    finalizer_removals: BTreeMap<String, BTreeSet<String>>,
    /// Per Job key, the pod failure back-off (upstream's podBackoffStore).
    backoff: BTreeMap<String, BackoffRecord>,
    /// Pods that still carry the tracking finalizer while their Job is gone or finished.
    orphans: BTreeSet<String>,
    /// Syncs whose pod creates are under way, with what each knew.
    pending: PendingSyncs<sync::SyncCtx>,
}

impl Default for JobController {
    fn default() -> Self {
        Self::new()
    }
}

impl JobController {
    pub fn new() -> Self {
        let who = controller_identity(NAME);
        JobController {
            recorder: Recorder::new("job-controller", None, who.clone()),
            who,
            jobs: Informer::new(Kind::Job, None, ListOptions::default()),
            pods: Informer::new(Kind::Pod, None, ListOptions::default()),
            queue: KeyQueue::default(),
            expectations: Expectations::default(),
            job_by_uid: BTreeMap::new(),
            finalizer_removals: BTreeMap::new(),
            backoff: BTreeMap::new(),
            orphans: BTreeSet::new(),
            pending: PendingSyncs::default(),
        }
    }

    fn on_job(&mut self, delta: &Delta) {
        let obj = delta.object();
        let key = object_key(obj);
        match delta {
            Delta::Deleted(_) => {
                self.job_by_uid.remove(obj.uid());
                self.expectations.delete(&key);
                self.finalizer_removals.remove(&key);
                self.backoff.remove(&key);
                let pods: Vec<String> = self
                    .pods
                    .cache()
                    .owned_by(obj.uid())
                    .filter(|p| p.as_pod().is_some_and(has_tracking_finalizer))
                    .map(object_key)
                    .collect();
                self.orphans.extend(pods);
            }
            _ => {
                self.job_by_uid.insert(obj.uid().to_string(), key.clone());
                self.queue.add(key);
            }
        }
    }

    /// The Job a pod's controller reference names, if it is one we know.
    fn owner_key(&self, pod: &Pod) -> Option<String> {
        let r = controller_ref(&pod.metadata)?;
        (r.kind == "Job").then(|| self.job_by_uid.get(&r.uid).cloned()).flatten()
    }

    fn on_pod(&mut self, delta: &Delta, now: crate::sim::Time) {
        let Some(pod) = delta.object().as_pod() else { return };
        let key = object_key(delta.object());
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        let Some(job) = self.owner_key(pod) else {
            if has_tracking_finalizer(pod) && controller_ref(&pod.metadata).is_some_and(|r| r.kind == "Job") {
                self.orphans.insert(key);
            }
            return;
        };
        match delta {
            Delta::Added(_) => {
                if pod.metadata.deletion_timestamp.is_some() {
                    self.expectations.deletion_observed(&job, &key);
                } else {
                    self.expectations.creation_observed(&job);
                }
            }
            Delta::Updated { old, .. } => {
                let was_deleting = old.as_pod().is_some_and(|p| p.metadata.deletion_timestamp.is_some());
                if pod.metadata.deletion_timestamp.is_some() && !was_deleting {
                    self.expectations.deletion_observed(&job, &key);
                }
                if !has_tracking_finalizer(pod) {
                    self.finalizer_observed(&job, &uid);
                }
            }
            Delta::Deleted(_) => {
                self.expectations.deletion_observed(&job, &key);
                self.finalizer_observed(&job, &uid);
            }
        }
        // Upstream batches pod-driven syncs: a burst of pod changes costs one sync a second later.
        self.queue.add_after(job, now.after(SYNC_JOB_BATCH_PERIOD));
    }

    fn finalizer_observed(&mut self, job: &str, uid: &str) {
        if let Some(set) = self.finalizer_removals.get_mut(job) {
            set.remove(uid);
            if set.is_empty() {
                self.finalizer_removals.remove(job);
            }
        }
    }

    /// Removes the tracking finalizer of a pod no Job will count any more (its Job is gone or
    /// finished), so that the pod can be deleted.
    fn release_orphans(&mut self, api: &mut ApiServer) {
        for key in std::mem::take(&mut self.orphans) {
            let Some(Object::Pod(p)) = self.pods.cache().get(&key) else { continue };
            if !has_tracking_finalizer(p) {
                continue;
            }
            let owner_live = self
                .owner_key(p)
                .and_then(|k| self.jobs.cache().get(&k))
                .is_some_and(|j| matches!(j, Object::Job(j) if !is_job_finished(j)));
            if owner_live {
                continue;
            }
            let (ns, name) = (p.metadata.namespace.clone(), p.metadata.name.clone().unwrap_or_default());
            if remove_tracking_finalizer(api, &self.who, ns.as_deref(), &name).is_ok() {
                record_decision(api, NAME, "release", &Object::Pod(p.clone()), "removed job-tracking finalizer".into());
            }
        }
    }

    fn run(&mut self, ctx: &mut Ctx<'_>) {
        let control = PodControl { who: &self.who, recorder: &mut self.recorder, expectations: &mut self.expectations };
        for (key, f) in self.pending.advance_all(control, ctx) {
            let result = self.finish_calls(f, ctx);
            self.queue.done(key, result, ctx);
        }
        let mut queue = std::mem::take(&mut self.queue);
        queue.run(ctx, |key, ctx| self.sync_job(key, ctx));
        self.queue = queue;
        self.release_orphans(ctx.api);
    }
}

/// `removeTrackingFinalizerPatch`: a strategic merge patch deleting the finalizer from the list.
pub(crate) fn remove_tracking_finalizer(
    api: &mut ApiServer,
    who: &Identity,
    namespace: Option<&str>,
    name: &str,
) -> Result<Object, crate::apiserver::ApiError> {
    let patch = Patch::Strategic(serde_json::json!({
        "metadata": {"$deleteFromPrimitiveList/finalizers": [JOB_TRACKING_FINALIZER]}
    }));
    api.patch(who, Kind::Pod, namespace, name, &patch, &PatchOptions::default())
}

impl Process for JobController {
    fn component(&self) -> Component {
        Component::ControllerManager(NAME)
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        let now = ctx.now();
        for kind in [Kind::Job, Kind::Pod] {
            let inf = if kind == Kind::Pod { &mut self.pods } else { &mut self.jobs };
            let deltas = inf.start(ctx.api, &self.who).unwrap_or_default();
            if let Some(id) = inf.watch_id() {
                ctx.own_watch(id);
            }
            for d in &deltas {
                if kind == Kind::Pod { self.on_pod(d, now) } else { self.on_job(d) }
            }
        }
        self.run(ctx);
    }

    fn stop(&mut self, api: &mut ApiServer) {
        self.jobs.stop(api);
        self.pods.stop(api);
        self.queue.clear();
        self.expectations.clear();
        self.finalizer_removals.clear();
        self.backoff.clear();
        self.job_by_uid.clear();
        self.orphans.clear();
        self.pending.clear();
    }

    fn on_events(&mut self, events: &[WatchEvent], ctx: &mut Ctx<'_>) {
        let now = ctx.now();
        for ev in events {
            if let Some(d) = self.jobs.handle(ev) {
                self.on_job(&d);
            } else if let Some(d) = self.pods.handle(ev) {
                self.on_pod(&d, now);
            }
        }
        self.run(ctx);
    }

    fn on_timer(&mut self, _token: u64, ctx: &mut Ctx<'_>) {
        self.run(ctx);
    }
}
