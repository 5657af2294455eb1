//! `sync` and `syncCronJob`: reconcile the active list with the Jobs, create the Job of the most
//! recent unmet schedule time (or say why not), clean up finished Jobs past the history limits, and
//! write the status.

use std::sync::Arc;

use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::ObjectReference;

use super::schedule::{Missed, Zoned, job_name, rfc1123z, rfc3339_in};
use super::{CronJobController, NAME, SCHEDULED_TIMESTAMP};
use crate::api::cron::{parse_standard, zone_offset};
use crate::api::{Kind, Object};
use crate::apiserver::strategy::timestamp;
use crate::apiserver::{DeleteOptions, Propagation, Reason};
use crate::client::events::object_reference;
use crate::client::{Ctx, EventKind};
use crate::controllers::controller_utils::{controller_ref, new_controller_ref, unix_millis, virtual_time};
use crate::controllers::queue::Requeue;
use crate::controllers::{SyncError, record_decision};
use crate::sim::Time;

/// The Job's terminal condition type (Complete or Failed).
fn finished(job: &Job) -> Option<&str> {
    job.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| (c.type_ == "Complete" || c.type_ == "Failed") && c.status == "True"))
        .map(|c| c.type_.as_str())
}

fn active_refs(cj: &mut CronJob) -> &mut Vec<ObjectReference> {
    cj.status.get_or_insert_with(Default::default).active.get_or_insert_with(Vec::new)
}

/// `byJobStartTime`: started Jobs by start time (then name), unstarted ones last.
fn start_order(j: &Job) -> (bool, i64, String) {
    let start = j.status.as_ref().and_then(|s| s.start_time.as_ref()).map(unix_millis);
    (start.is_none(), start.unwrap_or(0), j.metadata.name.clone().unwrap_or_default())
}

impl CronJobController {
    pub(super) fn sync(&mut self, key: &str, ctx: &mut Ctx<'_>) -> Result<Requeue, SyncError> {
        let Some(Object::CronJob(cached)) = self.cronjobs.cache().get(key).cloned() else { return Ok(Requeue::No) };
        let uid = cached.metadata.uid.clone().unwrap_or_default();
        let mut jobs: Vec<Arc<Job>> = self
            .jobs
            .cache()
            .owned_by(&uid)
            .filter_map(|o| match o {
                Object::Job(j) if controller_ref(&j.metadata).is_some_and(|r| r.uid == uid) => Some(j.clone()),
                _ => None,
            })
            .collect();
        let mut cj = (*cached).clone();
        let (requeue_ms, mut changed) = self.sync_cron_job(&mut cj, &jobs, ctx)?;
        if cj.metadata.deletion_timestamp.is_none() {
            jobs.retain(|j| finished(j).is_some());
            changed |= self.cleanup_finished(&mut cj, &jobs, ctx);
        }
        if changed && cj.status != cached.status {
            match ctx.api.update_status(&self.who, Object::CronJob(Arc::new(cj))) {
                Ok(_) => {}
                Err(e) if e.reason == Reason::NotFound => return Ok(Requeue::No),
                Err(e) => return Err(e.into()),
            }
        }
        let now_ms = ctx.api.clock().unix_millis(ctx.now());
        let epoch = ctx.api.clock().unix_millis(Time::ZERO);
        Ok(requeue_ms.map_or(Requeue::No, |d| Requeue::At(virtual_time(now_ms.saturating_add(d), epoch))))
    }

    fn warn(&mut self, ctx: &mut Ctx<'_>, cj: &CronJob, reason: &str, message: &str) {
        self.event(ctx, cj, EventKind::Warning, reason, message);
    }

    fn event(&mut self, ctx: &mut Ctx<'_>, cj: &CronJob, kind: EventKind, reason: &str, message: &str) {
        let obj = Object::CronJob(Arc::new(cj.clone()));
        self.recorder.event(ctx.api, &obj, None, kind, reason, message);
    }

    /// `syncCronJob`: returns the delay until the next look (milliseconds) and whether the status
    /// changed.
    fn sync_cron_job(
        &mut self,
        cj: &mut CronJob,
        jobs: &[Arc<Job>],
        ctx: &mut Ctx<'_>,
    ) -> Result<(Option<i64>, bool), SyncError> {
        let now_ms = ctx.api.clock().unix_millis(ctx.now());
        let mut changed = false;
        for j in jobs {
            let juid = j.metadata.uid.clone().unwrap_or_default();
            let name = j.metadata.name.clone().unwrap_or_default();
            let in_active = active_refs(cj).iter().any(|r| r.uid.as_deref() == Some(juid.as_str()));
            match finished(j) {
                None if !in_active => {
                    let msg = format!("Saw a job that the controller did not create or forgot: {name}");
                    self.warn(ctx, cj, "UnexpectedJob", &msg);
                }
                None => {}
                Some(condition) => {
                    if in_active {
                        active_refs(cj).retain(|r| r.uid.as_deref() != Some(juid.as_str()));
                        let msg = format!("Saw completed job: {name}, condition: {condition}");
                        self.event(ctx, cj, EventKind::Normal, "SawCompletedJob", &msg);
                        changed = true;
                    }
                    let completed = j.status.as_ref().and_then(|s| s.completion_time.clone());
                    let last = cj.status.as_ref().and_then(|s| s.last_successful_time.as_ref()).map(unix_millis);
                    if condition == "Complete"
                        && let Some(t) = completed.filter(|t| last.is_none_or(|l| unix_millis(t) > l))
                    {
                        cj.status.get_or_insert_with(Default::default).last_successful_time = Some(t);
                        changed = true;
                    }
                }
            }
        }
        // Active Jobs that are gone for good leave the list.
        let missing: Vec<ObjectReference> = active_refs(cj)
            .iter()
            .filter(|r| !jobs.iter().any(|j| j.metadata.uid == r.uid))
            .filter(|r| ctx.api.peek(Kind::Job, r.namespace.as_deref(), r.name.as_deref().unwrap_or("")).is_none())
            .cloned()
            .collect();
        for r in missing {
            let msg = format!("Active job went missing: {}", r.name.as_deref().unwrap_or(""));
            self.event(ctx, cj, EventKind::Normal, "MissingJob", &msg);
            active_refs(cj).retain(|a| a.uid != r.uid);
            changed = true;
        }
        if cj.metadata.deletion_timestamp.is_some() {
            return Ok((None, changed));
        }
        let offset = match cj.spec.time_zone.as_deref().map(zone_offset).transpose() {
            Ok(o) => o.unwrap_or(0),
            Err(e) => {
                let tz = cj.spec.time_zone.clone().unwrap_or_default();
                self.warn(ctx, cj, "UnknownTimeZone", &format!("invalid timeZone: {tz:?}: {e}"));
                return Ok((None, changed));
            }
        };
        if cj.spec.suspend == Some(true) {
            return Ok((None, changed));
        }
        if cj.spec.schedule.contains("TZ") {
            let msg = format!(
                "CRON_TZ or TZ used in schedule {:?} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details",
                cj.spec.schedule
            );
            self.warn(ctx, cj, "UnsupportedSchedule", &msg);
        }
        let schedule = match parse_standard(&cj.spec.schedule) {
            Ok(s) => s,
            Err(e) => {
                let msg = format!("unparseable schedule: {:?} : {e}", cj.spec.schedule);
                self.warn(ctx, cj, "UnparseableSchedule", &msg);
                return Ok((None, changed));
            }
        };
        let zoned = Zoned { schedule: &schedule, offset };
        let last = cj.status.as_ref().and_then(|s| s.last_schedule_time.as_ref()).map(unix_millis);
        let earliest = last.or_else(|| cj.metadata.creation_timestamp.as_ref().map(unix_millis)).unwrap_or(now_ms);
        let next_delay = |cj_last: i64| zoned.next_delay(cj_last, now_ms);
        let deadline = cj.spec.starting_deadline_seconds;
        let scheduled = match zoned.most_recent(earliest, now_ms, deadline) {
            Err(e) => {
                let msg = format!("invalid schedule: {} : {e}", cj.spec.schedule);
                self.warn(ctx, cj, "InvalidSchedule", &msg);
                return Ok((None, changed));
            }
            Ok((_, None, _)) => return Ok((next_delay(earliest), changed)),
            Ok((_, Some(t), missed)) => {
                if missed == Missed::Many {
                    let msg = "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew";
                    self.warn(ctx, cj, "TooManyMissedTimes", msg);
                }
                t
            }
        };
        if deadline.is_some_and(|d| scheduled.saturating_add(d.saturating_mul(1000)) < now_ms) {
            let msg = format!("Missed scheduled time to start a job: {}", rfc1123z(scheduled));
            self.warn(ctx, cj, "MissSchedule", &msg);
            return Ok((next_delay(earliest), changed));
        }
        let name = job_name(cj.metadata.name.as_deref().unwrap_or(""), scheduled);
        let already = active_refs(cj).iter().any(|r| r.name.as_deref() == Some(name.as_str()))
            || last.is_some_and(|l| l / 1000 == scheduled / 1000);
        if already {
            return Ok((next_delay(scheduled), changed));
        }
        let policy = cj.spec.concurrency_policy.clone().unwrap_or_else(|| "Allow".into());
        if policy == "Forbid" && !active_refs(cj).is_empty() {
            let msg = "Not starting job because prior execution is running and concurrency policy is Forbid";
            self.event(ctx, cj, EventKind::Normal, "JobAlreadyActive", msg);
            return Ok((next_delay(earliest), changed));
        }
        if policy == "Replace" {
            for r in active_refs(cj).clone() {
                self.delete_job(cj, r.name.as_deref().unwrap_or(""), ctx)?;
                changed = true;
            }
        }
        let job = job_from_template(cj, scheduled, offset);
        let created = match ctx.api.create(&self.who, Object::Job(Arc::new(job)), &Default::default()) {
            Ok(o) => {
                self.event(ctx, cj, EventKind::Normal, "SuccessfulCreate", &format!("Created job {}", o.name()));
                let note = format!("created job {} for {}", o.name(), rfc3339_in(scheduled, 0));
                record_decision(ctx.api, NAME, "create", &Object::CronJob(Arc::new(cj.clone())), note);
                o
            }
            Err(e) if e.reason == Reason::AlreadyExists => {
                let ns = cj.metadata.namespace.as_deref();
                let existing = ctx.api.get(&self.who, Kind::Job, ns, &name)?;
                let ours = controller_ref(existing.meta()).is_some_and(|r| cj.metadata.uid.as_ref() == Some(&r.uid));
                if !ours || active_refs(cj).iter().any(|r| r.uid.as_deref() == Some(existing.uid())) {
                    return Ok((None, changed));
                }
                existing
            }
            Err(e) => {
                self.warn(ctx, cj, "FailedCreate", &format!("Error creating job: {}", e.message));
                return Err(e.into());
            }
        };
        active_refs(cj).push(object_reference(&created));
        cj.status.get_or_insert_with(Default::default).last_schedule_time = Some(timestamp(scheduled));
        Ok((next_delay(scheduled), true))
    }

    /// `deleteJob`: deletes a Job (its pods in the background) and drops it from the active list.
    fn delete_job(&mut self, cj: &mut CronJob, name: &str, ctx: &mut Ctx<'_>) -> Result<bool, SyncError> {
        let opts = DeleteOptions { propagation: Some(Propagation::Background), ..Default::default() };
        match ctx.api.delete(&self.who, Kind::Job, cj.metadata.namespace.as_deref(), name, &opts) {
            Ok(d) => {
                let uid = d.object().uid().to_string();
                active_refs(cj).retain(|r| r.uid.as_deref() != Some(uid.as_str()));
                self.event(ctx, cj, EventKind::Normal, "SuccessfulDelete", &format!("Deleted job {name}"));
                Ok(true)
            }
            Err(e) => {
                self.warn(ctx, cj, "FailedDelete", &format!("Deleted job: {}", e.message));
                if e.reason == Reason::NotFound { Ok(false) } else { Err(e.into()) }
            }
        }
    }

    /// `cleanupFinishedJobs`: the oldest finished Jobs beyond each history limit go.
    fn cleanup_finished(&mut self, cj: &mut CronJob, finished_jobs: &[Arc<Job>], ctx: &mut Ctx<'_>) -> bool {
        let mut changed = false;
        let limits =
            [("Complete", cj.spec.successful_jobs_history_limit), ("Failed", cj.spec.failed_jobs_history_limit)];
        for (kind, limit) in limits {
            let Some(limit) = limit else { continue };
            let mut of_kind: Vec<&Arc<Job>> = finished_jobs.iter().filter(|j| finished(j) == Some(kind)).collect();
            let excess = of_kind.len().saturating_sub(usize::try_from(limit).unwrap_or(0));
            of_kind.sort_by_key(|j| start_order(j));
            for j in of_kind.into_iter().take(excess) {
                changed |= self.delete_job(cj, j.metadata.name.as_deref().unwrap_or(""), ctx).unwrap_or(false);
            }
        }
        changed
    }
}

/// `getJobFromTemplate2`: the template's labels, annotations and spec, the deterministic name, the
/// scheduled-timestamp annotation and the controller reference.
fn job_from_template(cj: &CronJob, scheduled_ms: i64, offset: i64) -> Job {
    let meta = cj.spec.job_template.metadata.clone().unwrap_or_default();
    let mut job = Job { spec: cj.spec.job_template.spec.clone(), ..Default::default() };
    job.metadata.name = Some(job_name(cj.metadata.name.as_deref().unwrap_or(""), scheduled_ms));
    job.metadata.namespace = cj.metadata.namespace.clone();
    job.metadata.labels = meta.labels;
    let mut annotations = meta.annotations.unwrap_or_default();
    annotations.insert(SCHEDULED_TIMESTAMP.into(), rfc3339_in(scheduled_ms, offset));
    job.metadata.annotations = Some(annotations);
    job.metadata.owner_references = Some(vec![new_controller_ref(&Object::CronJob(Arc::new(cj.clone())))]);
    job
}
