//! `trackJobStatusAndRemoveFinalizers`: finished pods go into `status.uncountedTerminatedPods` (first
//! status write), their tracking finalizers are removed, and only then do they move into the
//! `succeeded`/`failed` counters (second write), so that no pod is counted twice or lost if the
//! controller stops half-way. The interim SuccessCriteriaMet/FailureTarget condition is written with
//! the first write; Complete/Failed once nothing is uncounted and no pod is terminating.

use std::collections::BTreeSet;
use std::sync::Arc;

use k8s_openapi::api::batch::v1::{JobStatus, UncountedTerminatedPods};
use k8s_openapi::api::core::v1::Pod;

use super::sync::{SyncCtx, to_i32, uid};
use super::util::*;
use super::{JobController, NAME, remove_tracking_finalizer};
use crate::api::Object;
use crate::apiserver::strategy::timestamp;
use crate::apiserver::{ApiError, Reason};
use crate::client::{Ctx, EventKind};
use crate::controllers::{SyncError, record_decision};

/// `cleanUncountedPodsWithoutFinalizers`: pods whose finalizer is gone move from the uncounted lists
/// into the counters. True when the status changed.
fn clean_uncounted(status: &mut JobStatus, with_finalizer: &BTreeSet<String>) -> bool {
    let unc = status.uncounted_terminated_pods.get_or_insert_with(UncountedTerminatedPods::default);
    let mut changed = false;
    for (list, counter) in [(&mut unc.succeeded, &mut status.succeeded), (&mut unc.failed, &mut status.failed)] {
        let Some(uids) = list.as_mut() else { continue };
        let before = uids.len();
        uids.retain(|u| with_finalizer.contains(u));
        let moved = before - uids.len();
        if moved > 0 {
            changed = true;
            let n = counter.unwrap_or(0).saturating_add(to_i32(moved));
            *counter = (n > 0).then_some(n);
        }
        if uids.is_empty() {
            *list = None;
        }
    }
    changed
}

fn uncounted_len(status: &JobStatus) -> usize {
    status
        .uncounted_terminated_pods
        .as_ref()
        .map_or(0, |u| u.succeeded.as_ref().map_or(0, Vec::len) + u.failed.as_ref().map_or(0, Vec::len))
}

impl JobController {
    pub(super) fn track_status(&mut self, s: &mut SyncCtx, key: &str, ctx: &mut Ctx<'_>) -> Result<(), SyncError> {
        let indexed = is_indexed(&s.job);
        let completions = s.spec_i32(|sp| sp.completions).unwrap_or(0);
        let policy = s.job.spec.as_ref().and_then(|sp| sp.pod_failure_policy.clone());
        let mut pods: Vec<Arc<Pod>> = s.pods.clone();
        if indexed {
            pods.sort_by_key(|p| completion_index(p).unwrap_or(i32::MAX));
        }
        let mut with_finalizer: BTreeSet<String> = pods
            .iter()
            .filter(|p| has_tracking_finalizer(p) && !s.expected_rm.contains(&uid(p)))
            .map(|p| uid(p))
            .collect();
        let deleting = s.job.metadata.deletion_timestamp.is_some();
        let success = s.finished.as_ref().is_some_and(|c| c.type_ == "SuccessCriteriaMet");
        let mut status = s.job.status.take().unwrap_or_default();
        let mut needs_flush = clean_uncounted(&mut status, &with_finalizer);
        let mut to_remove = Vec::new();
        let mut new_indexes = Vec::new();
        let mut reached_max = false;
        for p in &pods {
            let u = uid(p);
            if !has_tracking_finalizer(p) || s.expected_rm.contains(&u) {
                continue;
            }
            let failed = is_pod_failed(p, &s.job);
            if !(deleting || s.finished.is_some() || phase(p) == "Succeeded" || failed) {
                continue;
            }
            to_remove.push(p.clone());
            let unc = status.uncounted_terminated_pods.get_or_insert_with(Default::default);
            let valid_index = completion_index(p).filter(|i| *i < completions);
            if phase(p) == "Succeeded" && !unc.failed.iter().flatten().any(|x| *x == u) {
                if indexed {
                    if let Some(i) = valid_index.filter(|i| !s.prev_succeeded_indexes.0.contains(i)) {
                        new_indexes.push(i);
                        needs_flush = true;
                    }
                } else if !unc.succeeded.iter().flatten().any(|x| *x == u) {
                    unc.succeeded.get_or_insert_with(Vec::new).push(u);
                    needs_flush = true;
                }
            } else if (failed || (s.finished.is_some() && !success))
                && !unc.failed.iter().flatten().any(|x| *x == u)
                && (!indexed || valid_index.is_some())
                && match_pod_failure_policy(policy.as_ref(), p).counts
            {
                unc.failed.get_or_insert_with(Vec::new).push(u);
                needs_flush = true;
            }
            if new_indexes.len() + uncounted_len(&status) >= MAX_UNCOUNTED_PODS {
                reached_max = true;
                break;
            }
        }
        if indexed {
            s.succeeded_indexes.0.extend(new_indexes);
            let rendered = s.succeeded_indexes.render();
            if status.completed_indexes.as_deref().unwrap_or("") != rendered {
                needs_flush = true;
            }
            let n = to_i32(s.succeeded_indexes.0.len());
            status.succeeded = (n > 0).then_some(n);
            status.completed_indexes = Some(rendered);
        }
        let conditions = status.conditions.get_or_insert_with(Vec::new);
        if let Some(c) = s.finished.clone() {
            let interim = c.type_ == "FailureTarget" || c.type_ == "SuccessCriteriaMet";
            if interim && !conditions.iter().any(|x| x.type_ == c.type_ && x.status == "True") {
                conditions.push(c.clone());
                needs_flush = true;
            }
            let final_type = match c.type_.as_str() {
                "FailureTarget" => Some("Failed"),
                "SuccessCriteriaMet" => Some("Complete"),
                _ => None,
            };
            if let Some(t) = final_type {
                let (reason, message) = (c.reason.as_deref().unwrap_or(""), c.message.as_deref().unwrap_or(""));
                s.finished = Some(new_condition(t, reason, message, s.now_ms));
            }
        }
        if conditions.is_empty() {
            status.conditions = None;
        }
        s.job.status = Some(status);
        needs_flush |= s.job.status != s.original;
        if needs_flush {
            self.write_status(s, ctx)?;
            self.backoff.insert(key.to_string(), s.new_backoff);
            needs_flush = false;
        }
        let rm_error = self.remove_finalizers(key, &to_remove, &mut with_finalizer, ctx);
        let status = s.job.status.get_or_insert_with(Default::default);
        if clean_uncounted(status, &with_finalizer) {
            needs_flush = true;
        }
        if let Some(e) = rm_error {
            if needs_flush {
                self.write_status(s, ctx)?;
            }
            return Err(e.into());
        }
        let finished = !reached_max && self.enact_finished(s);
        if finished || needs_flush {
            self.write_status(s, ctx)?;
            if finished {
                self.record_finished(s, ctx);
            }
        }
        Ok(())
    }

    fn write_status(&mut self, s: &mut SyncCtx, ctx: &mut Ctx<'_>) -> Result<(), SyncError> {
        match ctx.api.update_status(&self.who, Object::Job(Arc::new(s.job.clone()))) {
            Ok(Object::Job(j)) => {
                s.job = (*j).clone();
                s.original = j.status.clone();
                Ok(())
            }
            Ok(_) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// `removeTrackingFinalizerFromPods`; a pod already gone counts as done.
    fn remove_finalizers(
        &mut self,
        key: &str,
        pods: &[Arc<Pod>],
        with_finalizer: &mut BTreeSet<String>,
        ctx: &mut Ctx<'_>,
    ) -> Option<ApiError> {
        let mut first = None;
        for p in pods {
            let u = uid(p);
            self.finalizer_removals.entry(key.to_string()).or_default().insert(u.clone());
            let name = p.metadata.name.as_deref().unwrap_or("");
            match remove_tracking_finalizer(ctx.api, &self.who, p.metadata.namespace.as_deref(), name) {
                Ok(_) => {
                    with_finalizer.remove(&u);
                }
                Err(e) => {
                    self.finalizer_observed(key, &u);
                    if e.reason == Reason::NotFound {
                        with_finalizer.remove(&u);
                    } else {
                        first.get_or_insert(e);
                    }
                }
            }
        }
        first
    }

    /// `enactJobFinished`: the terminal condition, once every finished pod is counted and none is
    /// still terminating.
    fn enact_finished(&self, s: &mut SyncCtx) -> bool {
        let Some(c) = s.finished.clone() else { return false };
        let status = s.job.status.get_or_insert_with(Default::default);
        if uncounted_len(status) > 0 || s.terminating > 0 {
            return false;
        }
        let (reason, message) = (c.reason.as_deref().unwrap_or(""), c.message.as_deref().unwrap_or(""));
        let conditions = status.conditions.get_or_insert_with(Vec::new);
        ensure_condition(conditions, &c.type_, "True", reason, message, s.now_ms);
        if c.type_ == "Complete" {
            status.completion_time = Some(timestamp(s.now_ms));
        }
        true
    }

    /// `recordJobFinished`: the Completed event, or the failure reason as a Warning.
    fn record_finished(&mut self, s: &SyncCtx, ctx: &mut Ctx<'_>) {
        let Some(c) = &s.finished else { return };
        let obj = Object::Job(Arc::new(s.job.clone()));
        if c.type_ == "Complete" {
            let status = s.job.status.as_ref();
            let succeeded = status.and_then(|st| st.succeeded).unwrap_or(0);
            if s.spec_i32(|sp| sp.completions).is_some_and(|want| succeeded > want) {
                let msg = "Too many succeeded pods running after completion count reached";
                self.recorder.event(ctx.api, &obj, None, EventKind::Warning, "TooManySucceededPods", msg);
            }
            self.recorder.event(ctx.api, &obj, None, EventKind::Normal, "Completed", "Job completed");
            record_decision(ctx.api, NAME, "complete", &obj, "job completed".into());
        } else {
            let (reason, message) = (c.reason.as_deref().unwrap_or(""), c.message.as_deref().unwrap_or(""));
            self.recorder.event(ctx.api, &obj, None, EventKind::Warning, reason, message);
            record_decision(ctx.api, NAME, "fail", &obj, format!("job failed: {message}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pods_without_finalizers_move_into_the_counters() {
        let mut st = JobStatus {
            uncounted_terminated_pods: Some(UncountedTerminatedPods {
                succeeded: Some(vec!["a".into(), "b".into()]),
                failed: Some(vec!["c".into()]),
            }),
            ..Default::default()
        };
        let keep: BTreeSet<String> = ["b".to_string()].into();
        assert!(clean_uncounted(&mut st, &keep));
        assert_eq!((st.succeeded, st.failed), (Some(1), Some(1)));
        assert_eq!(uncounted_len(&st), 1);
        assert!(!clean_uncounted(&mut st, &keep));
    }
}
