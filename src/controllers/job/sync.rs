//! `syncJob` and what it calls: counting finished pods, deciding the terminal condition (backoff
//! limit, active deadline, pod failure policy, completions), `manageJob` (creating and deleting pods
//! under the failure back-off), and `trackJobStatusAndRemoveFinalizers` (the two status writes around
//! the removal of the tracking finalizers).

use std::collections::BTreeSet;
use std::sync::Arc;

use k8s_openapi::api::batch::v1::{Job, JobCondition, JobStatus, UncountedTerminatedPods};
use k8s_openapi::api::core::v1::{EnvVar, EnvVarSource, ObjectFieldSelector, Pod};

use super::util::*;
use super::{JobController, NAME, remove_tracking_finalizer};
use crate::api::labels::Selector;
use crate::api::{Kind, Object};
use crate::apiserver::strategy::timestamp;
use crate::apiserver::{DeleteOptions, Reason};
use crate::client::{Ctx, EventKind, object_key};
use crate::controllers::controller_utils::{
    controller_ref, is_pod_ready, labels_of, pod_from_template, unix_millis, virtual_time,
};
use crate::controllers::pod_calls::{Calls, Finished, PodControl, again_if_dirty};
use crate::controllers::queue::Requeue;
use crate::controllers::{SyncError, record_decision};
use crate::sim::Time;

/// What one sync knows (upstream's syncJobCtx).
pub(super) struct SyncCtx {
    pub job: Job,
    /// The status as the cache had it, to tell whether anything changed.
    pub original: Option<JobStatus>,
    pub obj: Object,
    pub pods: Vec<Arc<Pod>>,
    pub active: Vec<Arc<Pod>>,
    /// Pods this sync created (not in the cache yet).
    pub created: usize,
    pub terminating: i32,
    pub succeeded: i32,
    pub ready: i32,
    pub uncounted_succeeded: BTreeSet<String>,
    pub uncounted_failed: BTreeSet<String>,
    pub expected_rm: BTreeSet<String>,
    pub new_backoff: BackoffRecord,
    pub finished: Option<JobCondition>,
    pub succeeded_indexes: Indexes,
    pub prev_succeeded_indexes: Indexes,
    pub requeue: Option<Time>,
    pub now_ms: i64,
    pub epoch_ms: i64,
}

impl SyncCtx {
    fn requeue_in_ms(&mut self, ms: i64) {
        let at = virtual_time(self.now_ms.saturating_add(ms), self.epoch_ms);
        self.requeue = Some(self.requeue.map_or(at, |t| t.min(at)));
    }

    pub fn active_count(&self) -> usize {
        self.active.len() + self.created
    }

    pub fn spec_i32(&self, f: impl Fn(&k8s_openapi::api::batch::v1::JobSpec) -> Option<i32>) -> Option<i32> {
        self.job.spec.as_ref().and_then(f)
    }
}

pub(super) fn uid(p: &Pod) -> String {
    p.metadata.uid.clone().unwrap_or_default()
}

pub(super) fn to_i32(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl JobController {
    /// `syncJob`.
    pub(super) fn sync_job(&mut self, key: &str, ctx: &mut Ctx<'_>) -> Result<Requeue, SyncError> {
        let Some(obj) = self.jobs.cache().get(key).cloned() else {
            self.expectations.delete(key);
            self.backoff.remove(key);
            return Ok(Requeue::No);
        };
        if self.pending.defer(key) {
            return Ok(Requeue::No);
        }
        let Object::Job(job) = &obj else { return Ok(Requeue::No) };
        if is_job_finished(job) {
            self.backoff.remove(key);
            self.orphans.extend(self.pods.cache().owned_by(obj.uid()).map(object_key));
            return Ok(Requeue::No);
        }
        let now = ctx.now();
        let satisfied = self.expectations.satisfied(key, now);
        let pods = self.job_pods(&obj, job)?;
        let mut job = (**job).clone();
        let status = job.status.get_or_insert_with(JobStatus::default);
        let uncounted = status.uncounted_terminated_pods.get_or_insert_with(UncountedTerminatedPods::default);
        let set = |v: &Option<Vec<String>>| v.iter().flatten().cloned().collect::<BTreeSet<String>>();
        let (uncounted_succeeded, uncounted_failed) = (set(&uncounted.succeeded), set(&uncounted.failed));
        let active: Vec<Arc<Pod>> = pods
            .iter()
            .filter(|p| !matches!(phase(p), "Succeeded" | "Failed") && p.metadata.deletion_timestamp.is_none())
            .cloned()
            .collect();
        let terminating = to_i32(
            pods.iter()
                .filter(|p| p.metadata.deletion_timestamp.is_some() && !matches!(phase(p), "Succeeded" | "Failed"))
                .count(),
        );
        let now_ms = ctx.api.clock().unix_millis(now);
        let mut s = SyncCtx {
            original: obj_status(&obj),
            created: 0,
            ready: to_i32(active.iter().filter(|p| is_pod_ready(p)).count()),
            obj: obj.clone(),
            pods,
            active,
            terminating,
            succeeded: 0,
            uncounted_succeeded,
            uncounted_failed,
            expected_rm: self.finalizer_removals.get(key).cloned().unwrap_or_default(),
            new_backoff: BackoffRecord::default(),
            finished: None,
            succeeded_indexes: Indexes::default(),
            prev_succeeded_indexes: Indexes::default(),
            requeue: None,
            now_ms,
            epoch_ms: ctx.api.clock().unix_millis(Time::ZERO),
            job,
        };
        let policy = s.job.spec.as_ref().and_then(|sp| sp.pod_failure_policy.clone());
        let prior = self.backoff.get(key).copied().unwrap_or_default();
        let (new_succeeded, counted_failures, new_backoff) = {
            let (succeeded, failed) = self.new_finished_pods(&s);
            let counted = failed.iter().filter(|p| match_pod_failure_policy(policy.as_ref(), p).counts).count();
            (succeeded.len(), counted, prior.next(&succeeded, &failed))
        };
        s.new_backoff = new_backoff;
        let status = s.job.status.clone().unwrap_or_default();
        s.succeeded = status.succeeded.unwrap_or(0) + to_i32(new_succeeded + s.uncounted_succeeded.len());
        let failed = status.failed.unwrap_or(0) + to_i32(counted_failures + s.uncounted_failed.len());
        if status.start_time.is_none() && !is_suspended(&s.job) {
            s.job.status.get_or_insert_with(Default::default).start_time = Some(timestamp(now_ms));
        }
        self.decide_failure(&mut s, failed, policy.as_ref());
        if is_indexed(&s.job) {
            self.count_indexes(&mut s);
        }
        if s.finished.is_some() {
            let (deleted_ready, deleted, err) = self.delete_active(&mut s, ctx);
            if deleted != s.active.len() || !satisfied {
                s.finished = None;
            }
            s.ready -= to_i32(deleted_ready);
            s.terminating += to_i32(deleted);
            s.active.clear();
            return self.end_sync(s, key, err, ctx);
        }
        let managed = satisfied && s.job.metadata.deletion_timestamp.is_none();
        let mut manage_error = None;
        if managed {
            match self.manage_job(&mut s, key, ctx) {
                Ok(Some(calls)) => {
                    let control = PodControl {
                        who: &self.who,
                        recorder: &mut self.recorder,
                        expectations: &mut self.expectations,
                    };
                    let obj = s.obj.clone();
                    let finished = self.pending.start(key, obj, s, calls, control, ctx);
                    return finished.map_or(Ok(Requeue::No), |f| self.finish_calls(f, ctx));
                }
                Ok(None) => {}
                Err(e) => manage_error = Some(e),
            }
        }
        self.decide_success_or_suspension(&mut s, managed, ctx);
        self.end_sync(s, key, manage_error, ctx)
    }

    /// The rest of a sync whose pod creates spanned wake-ups, and one more sync when the key came
    /// up meanwhile.
    pub(super) fn finish_calls(&mut self, f: Finished<SyncCtx>, ctx: &mut Ctx<'_>) -> Result<Requeue, SyncError> {
        let Finished { obj, state: mut s, succeeded, error, dirty } = f;
        s.created += succeeded;
        self.decide_success_or_suspension(&mut s, true, ctx);
        let result = self.end_sync(s, &object_key(&obj), error.map(SyncError::from), ctx);
        again_if_dirty(dirty, result, ctx.now())
    }

    /// The end of `syncJob`: the counts into the status, its writes, then the sync's error.
    fn end_sync(
        &mut self,
        mut s: SyncCtx,
        key: &str,
        manage_error: Option<SyncError>,
        ctx: &mut Ctx<'_>,
    ) -> Result<Requeue, SyncError> {
        let active_count = to_i32(s.active_count());
        let status = s.job.status.get_or_insert_with(Default::default);
        status.active = (active_count > 0).then_some(active_count);
        status.ready = Some(s.ready.max(0));
        status.terminating = Some(s.terminating);
        self.track_status(&mut s, key, ctx)?;
        if let Some(e) = manage_error {
            return Err(e);
        }
        Ok(s.requeue.map_or(Requeue::No, Requeue::At))
    }

    /// The pods this Job controls (its controller reference), matching its selector.
    fn job_pods(&self, obj: &Object, job: &Job) -> Result<Vec<Arc<Pod>>, SyncError> {
        let selector = job
            .spec
            .as_ref()
            .and_then(|s| s.selector.as_ref())
            .map(Selector::from_label_selector)
            .transpose()
            .map_err(|e| SyncError::InvalidSelector { object: object_key(obj), reason: e.to_string() })?;
        Ok(self
            .pods
            .cache()
            .owned_by(obj.uid())
            .filter_map(|o| match o {
                Object::Pod(p) => Some(p.clone()),
                _ => None,
            })
            .filter(|p| controller_ref(&p.metadata).is_some_and(|r| r.uid == obj.uid()))
            .filter(|p| selector.as_ref().is_some_and(|s| s.matches(labels_of(&p.metadata))))
            .collect())
    }

    /// `getNewFinishedPods`: succeeded and failed pods not yet counted (they still carry the
    /// finalizer and are in neither uncounted list), Indexed pods only with a valid index.
    fn new_finished_pods<'a>(&self, s: &'a SyncCtx) -> (Vec<&'a Pod>, Vec<&'a Pod>) {
        let completions = s.spec_i32(|sp| sp.completions).unwrap_or(0);
        let valid = |p: &Pod| {
            let u = uid(p);
            has_tracking_finalizer(p)
                && !s.expected_rm.contains(&u)
                && (!is_indexed(&s.job) || completion_index(p).is_some_and(|i| i < completions))
                && !s.uncounted_succeeded.contains(&u)
                && !s.uncounted_failed.contains(&u)
        };
        let succeeded = s.pods.iter().map(|p| &**p).filter(|p| valid(p) && phase(p) == "Succeeded").collect();
        let failed = s.pods.iter().map(|p| &**p).filter(|p| valid(p) && is_pod_failed(p, &s.job)).collect();
        (succeeded, failed)
    }

    /// The failure half of the terminal decision: a FailureTarget already recorded, a FailJob rule,
    /// the backoff limit or the active deadline; otherwise a wake-up at the deadline.
    fn decide_failure(
        &self,
        s: &mut SyncCtx,
        failed: i32,
        policy: Option<&k8s_openapi::api::batch::v1::PodFailurePolicy>,
    ) {
        let now_ms = s.now_ms;
        if has_true_condition(&s.job, "SuccessCriteriaMet") {
            s.finished = Some(new_condition(
                "SuccessCriteriaMet",
                "CompletionsReached",
                "Reached expected number of succeeded pods",
                now_ms,
            ));
            return;
        }
        let conditions = s.job.status.as_ref().and_then(|st| st.conditions.clone()).unwrap_or_default();
        if let Some(target) = conditions.iter().find(|c| c.type_ == "FailureTarget" && c.status == "True") {
            s.finished = Some(new_condition(
                "Failed",
                target.reason.as_deref().unwrap_or(""),
                target.message.as_deref().unwrap_or(""),
                now_ms,
            ));
            return;
        }
        let fail_job = s
            .pods
            .iter()
            .filter(|p| is_pod_failed(p, &s.job))
            .find_map(|p| match_pod_failure_policy(policy, p).fail_job);
        if let Some(message) = fail_job {
            s.finished = Some(new_condition("FailureTarget", "PodFailurePolicy", &message, now_ms));
            return;
        }
        let backoff_limit = s.spec_i32(|sp| sp.backoff_limit).unwrap_or(6);
        if failed > backoff_limit || past_backoff_limit_on_failure(&s.job, &s.pods, backoff_limit) {
            s.finished = Some(new_condition(
                "FailureTarget",
                "BackoffLimitExceeded",
                "Job has reached the specified backoff limit",
                now_ms,
            ));
            return;
        }
        let deadline = s.job.spec.as_ref().and_then(|sp| sp.active_deadline_seconds);
        let start = s.job.status.as_ref().and_then(|st| st.start_time.as_ref()).map(unix_millis);
        if let (Some(deadline), Some(start), false) = (deadline, start, is_suspended(&s.job)) {
            let remaining = start.saturating_add(deadline.saturating_mul(1000)).saturating_sub(now_ms);
            if remaining <= 0 {
                s.finished = Some(new_condition(
                    "FailureTarget",
                    "DeadlineExceeded",
                    "Job was active longer than specified deadline",
                    now_ms,
                ));
            } else {
                s.requeue_in_ms(remaining);
            }
        }
    }

    /// `calculateSucceededIndexes`: the recorded completed indexes plus those of succeeded pods.
    fn count_indexes(&self, s: &mut SyncCtx) {
        let completions = s.spec_i32(|sp| sp.completions).unwrap_or(0);
        let recorded = s.job.status.as_ref().and_then(|st| st.completed_indexes.clone()).unwrap_or_default();
        s.prev_succeeded_indexes = Indexes::parse(&recorded, completions);
        let mut all = s.prev_succeeded_indexes.clone();
        for p in s.pods.iter().filter(|p| phase(p) == "Succeeded" && has_tracking_finalizer(p)) {
            if let Some(i) = completion_index(p).filter(|i| *i < completions) {
                all.0.insert(i);
            }
        }
        s.succeeded = to_i32(all.0.len());
        s.succeeded_indexes = all;
    }

    /// Completion, or the Suspended condition and its events, once `manageJob` ran.
    fn decide_success_or_suspension(&mut self, s: &mut SyncCtx, managed: bool, ctx: &mut Ctx<'_>) {
        let active = s.active_count();
        let complete = match s.spec_i32(|sp| sp.completions) {
            None => s.succeeded > 0 && active == 0,
            Some(c) => s.succeeded >= c && active == 0,
        };
        if complete {
            s.finished = Some(new_condition(
                "SuccessCriteriaMet",
                "CompletionsReached",
                "Reached expected number of succeeded pods",
                s.now_ms,
            ));
            return;
        }
        if !managed {
            return;
        }
        let suspended = is_suspended(&s.job);
        let status = s.job.status.get_or_insert_with(Default::default);
        let conditions = status.conditions.get_or_insert_with(Vec::new);
        let (cond, reason, message, event, event_msg) = if suspended {
            ("True", "JobSuspended", "Job suspended", "Suspended", "Job suspended")
        } else {
            ("False", "JobResumed", "Job resumed", "Resumed", "Job resumed")
        };
        if ensure_condition(conditions, "Suspended", cond, reason, message, s.now_ms) {
            if !suspended {
                status.start_time = Some(timestamp(s.now_ms));
            }
            self.recorder.event(ctx.api, &s.obj, None, EventKind::Normal, event, event_msg);
        }
        if status.conditions.as_ref().is_some_and(Vec::is_empty) {
            status.conditions = None;
        }
    }

    /// `deleteActivePods`: deletes every active pod of a Job that is finishing (their finalizers
    /// stay until the status counts them). Returns (ready deleted, deleted, first error).
    fn delete_active(&mut self, s: &mut SyncCtx, ctx: &mut Ctx<'_>) -> (usize, usize, Option<SyncError>) {
        let (mut ready, mut deleted, mut err) = (0, 0, None);
        for p in &s.active {
            let name = p.metadata.name.as_deref().unwrap_or("");
            match ctx.api.delete(&self.who, Kind::Pod, p.metadata.namespace.as_deref(), name, &DeleteOptions::default())
            {
                Ok(_) => {
                    self.recorder.event(
                        ctx.api,
                        &s.obj,
                        None,
                        EventKind::Normal,
                        "SuccessfulDelete",
                        &format!("Deleted pod: {name}"),
                    );
                    deleted += 1;
                    ready += usize::from(is_pod_ready(p));
                }
                Err(e) if e.reason == Reason::NotFound => deleted += 1,
                Err(e) => {
                    err.get_or_insert(SyncError::Api(e));
                }
            }
        }
        (ready, deleted, err)
    }

    /// `manageJob`.
    fn manage_job(&mut self, s: &mut SyncCtx, key: &str, ctx: &mut Ctx<'_>) -> Result<Option<Calls>, SyncError> {
        let now = ctx.now();
        let active = s.active.len();
        let parallelism = usize::try_from(s.spec_i32(|sp| sp.parallelism).unwrap_or(1)).unwrap_or(0);
        if is_suspended(&s.job) {
            let victims = std::mem::take(&mut s.active);
            return self.delete_pods(s, key, victims, ctx).map(|()| None);
        }
        let want = match s.spec_i32(|sp| sp.completions) {
            None if s.succeeded > 0 => active,
            None => parallelism,
            Some(c) => usize::try_from(c.saturating_sub(s.succeeded)).unwrap_or(0).min(parallelism),
        };
        let victims = self.pods_for_removal(s, active.saturating_sub(want));
        if !victims.is_empty() {
            let gone: BTreeSet<String> = victims.iter().map(|p| uid(p)).collect();
            s.active.retain(|p| !gone.contains(&uid(p)));
            return self.delete_pods(s, key, victims, ctx).map(|()| None);
        }
        let terminating = if only_replace_failed(&s.job) { usize::try_from(s.terminating).unwrap_or(0) } else { 0 };
        let diff = want.saturating_sub(terminating + active);
        if diff == 0 {
            return Ok(None);
        }
        let remaining = s.new_backoff.remaining_ms(s.now_ms);
        if remaining > 0 {
            s.requeue_in_ms(remaining);
            return Ok(None);
        }
        let mut diff = diff.min(MAX_POD_CREATE_DELETE_PER_SYNC);
        let mut indexes = Vec::new();
        if is_indexed(&s.job) {
            indexes = first_pending_indexes(s, diff);
            diff = indexes.len();
        }
        if diff == 0 {
            return Ok(None);
        }
        record_decision(ctx.api, NAME, "sync", &s.obj, format!("too few pods: need {want}, creating {diff}"));
        self.expectations.expect_creations(key, diff, now);
        let Some(spec) = s.job.spec.as_ref() else { return Ok(None) };
        let mut template = spec.template.clone();
        let finalizers = template.metadata.get_or_insert_with(Default::default).finalizers.get_or_insert_with(Vec::new);
        if !finalizers.iter().any(|f| f == JOB_TRACKING_FINALIZER) {
            finalizers.push(JOB_TRACKING_FINALIZER.to_string());
        }
        if is_indexed(&s.job) {
            add_completion_index_env(&mut template);
        }
        let base = pod_from_template(&template, &s.obj);
        let job_name = s.obj.name().to_string();
        let mut next_index = indexes.into_iter();
        Ok(Some(Calls::create(diff, move || {
            let mut pod = base.clone();
            if let Some(i) = next_index.next() {
                index_pod(&mut pod, &job_name, i);
            }
            pod
        })))
    }

    /// `activePodsForRemoval`: duplicate or out-of-range indexes first, then the least advanced
    /// pods (unscheduled before scheduled, pending before running, not ready before ready).
    fn pods_for_removal(&self, s: &SyncCtx, at_least: usize) -> Vec<Arc<Pod>> {
        let mut rm = Vec::new();
        let mut left: Vec<Arc<Pod>> = Vec::new();
        if is_indexed(&s.job) {
            let completions = s.spec_i32(|sp| sp.completions).unwrap_or(0);
            let mut seen = BTreeSet::new();
            for p in &s.active {
                match completion_index(p) {
                    Some(i) if i < completions && seen.insert(i) => left.push(p.clone()),
                    _ => rm.push(p.clone()),
                }
            }
        } else {
            left = s.active.clone();
        }
        if rm.len() < at_least {
            let rank = |p: &Pod| {
                let bound = p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some();
                let phase_rank = match phase(p) {
                    "Pending" | "" => 0,
                    "Unknown" => 1,
                    _ => 2,
                };
                (bound, phase_rank, is_pod_ready(p))
            };
            left.sort_by_key(|p| rank(p));
            rm.extend(left.into_iter().take(at_least - rm.len()));
        }
        rm.truncate(MAX_POD_CREATE_DELETE_PER_SYNC);
        rm
    }

    /// `deleteJobPods`: removes the finalizer, then deletes.
    fn delete_pods(
        &mut self,
        s: &mut SyncCtx,
        key: &str,
        victims: Vec<Arc<Pod>>,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), SyncError> {
        self.expectations.expect_deletions(key, victims.iter().map(|p| pod_key(p)), ctx.now());
        let mut first = None;
        for p in victims {
            let ns = p.metadata.namespace.as_deref();
            let name = p.metadata.name.as_deref().unwrap_or("");
            let result = remove_tracking_finalizer(ctx.api, &self.who, ns, name)
                .and_then(|_| ctx.api.delete(&self.who, Kind::Pod, ns, name, &DeleteOptions::default()));
            match result {
                Ok(_) => {
                    let msg = format!("Deleted pod: {name}");
                    self.recorder.event(ctx.api, &s.obj, None, EventKind::Normal, "SuccessfulDelete", &msg);
                    s.terminating += 1;
                    s.ready -= i32::from(is_pod_ready(&p));
                }
                Err(e) => {
                    self.expectations.deletion_observed(key, &pod_key(&p));
                    if e.reason != Reason::NotFound {
                        first.get_or_insert(SyncError::Api(e));
                    }
                }
            }
        }
        first.map_or(Ok(()), Err)
    }
}

fn obj_status(obj: &Object) -> Option<JobStatus> {
    match obj {
        Object::Job(j) => j.status.clone(),
        _ => None,
    }
}

fn pod_key(p: &Pod) -> String {
    format!("{}/{}", p.metadata.namespace.as_deref().unwrap_or(""), p.metadata.name.as_deref().unwrap_or(""))
}

/// `pastBackoffLimitOnFailure`: with restartPolicy OnFailure, restarts of running pods count.
fn past_backoff_limit_on_failure(job: &Job, pods: &[Arc<Pod>], limit: i32) -> bool {
    let policy = job.spec.as_ref().and_then(|s| s.template.spec.as_ref()).and_then(|s| s.restart_policy.as_deref());
    if policy != Some("OnFailure") {
        return false;
    }
    let restarts: i64 = pods
        .iter()
        .filter(|p| matches!(phase(p), "Running" | "Pending"))
        .flat_map(|p| {
            let st = p.status.as_ref();
            let a = st.and_then(|s| s.container_statuses.as_ref()).into_iter().flatten();
            let b = st.and_then(|s| s.init_container_statuses.as_ref()).into_iter().flatten();
            a.chain(b).map(|c| i64::from(c.restart_count))
        })
        .sum();
    if limit == 0 { restarts > 0 } else { restarts >= i64::from(limit) }
}

/// `firstPendingIndexes`: the lowest `count` indexes neither succeeded nor held by an active pod.
fn first_pending_indexes(s: &SyncCtx, count: usize) -> Vec<i32> {
    let completions = s.spec_i32(|sp| sp.completions).unwrap_or(0);
    let held: BTreeSet<i32> = s.active.iter().filter_map(|p| completion_index(p)).collect();
    (0..completions).filter(|i| !s.succeeded_indexes.0.contains(i) && !held.contains(i)).take(count).collect()
}

/// The index annotation and label, the hostname and `generateName` of an Indexed Job's pod.
fn index_pod(pod: &mut Pod, job_name: &str, index: i32) {
    let ix = index.to_string();
    let meta = &mut pod.metadata;
    meta.annotations.get_or_insert_with(Default::default).insert(JOB_COMPLETION_INDEX.into(), ix.clone());
    meta.labels.get_or_insert_with(Default::default).insert(JOB_COMPLETION_INDEX.into(), ix);
    meta.generate_name = Some(format!("{job_name}-{index}-"));
    if let Some(spec) = pod.spec.as_mut() {
        spec.hostname = Some(format!("{job_name}-{index}"));
    }
}

/// `addCompletionIndexEnvVariables`: JOB_COMPLETION_INDEX from the annotation, in every container.
fn add_completion_index_env(template: &mut k8s_openapi::api::core::v1::PodTemplateSpec) {
    let Some(spec) = template.spec.as_mut() else { return };
    for c in spec.init_containers.iter_mut().flatten().chain(spec.containers.iter_mut()) {
        let env = c.env.get_or_insert_with(Vec::new);
        if env.iter().any(|e| e.name == "JOB_COMPLETION_INDEX") {
            continue;
        }
        env.push(EnvVar {
            name: "JOB_COMPLETION_INDEX".into(),
            value: None,
            value_from: Some(EnvVarSource {
                field_ref: Some(ObjectFieldSelector {
                    api_version: None,
                    field_path: format!("metadata.annotations['{JOB_COMPLETION_INDEX}']"),
                }),
                ..Default::default()
            }),
        });
    }
}
