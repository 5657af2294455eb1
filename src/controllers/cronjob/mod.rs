//! The CronJob controller (upstream's ControllerV2): at each time the schedule names (in the
//! CronJob's `timeZone`), it creates the Job `<cronjob>-<minutes since the epoch>` from the job
//! template, honouring `suspend`, `startingDeadlineSeconds` and the concurrency policy (Allow,
//! Forbid, Replace); it tracks `status.active`, `lastScheduleTime` and `lastSuccessfulTime`, keeps
//! `successfulJobsHistoryLimit` finished Jobs and `failedJobsHistoryLimit` failed ones, and wakes
//! itself with a timer at the next schedule time (plus upstream's 100 ms padding).

mod schedule;
mod sync;

use std::collections::BTreeMap;

use super::controller_identity;
use super::controller_utils::controller_ref;
use super::queue::KeyQueue;
use crate::api::Kind;
use crate::apiserver::{ApiServer, Identity, ListOptions, WatchEvent};
use crate::client::{Ctx, Delta, Informer, Process, Recorder, object_key};
use crate::sim::trace::Component;

pub use schedule::job_name;

const NAME: &str = "cronjob";

/// The annotation with the time a Job was scheduled for (RFC 3339 in the CronJob's zone).
pub const SCHEDULED_TIMESTAMP: &str = "batch.kubernetes.io/cronjob-scheduled-timestamp";

/// The cronjob controller process.
pub struct CronJobController {
    who: Identity,
    recorder: Recorder,
    cronjobs: Informer,
    jobs: Informer,
    queue: KeyQueue,
    /// CronJob uid → key, to find a Job's CronJob from its controller reference.
    by_uid: BTreeMap<String, String>,
}

impl Default for CronJobController {
    fn default() -> Self {
        Self::new()
    }
}

impl CronJobController {
    pub fn new() -> Self {
        let who = controller_identity(NAME);
        CronJobController {
            recorder: Recorder::new("cronjob-controller", None, who.clone()),
            who,
            cronjobs: Informer::new(Kind::CronJob, None, ListOptions::default()),
            jobs: Informer::new(Kind::Job, None, ListOptions::default()),
            queue: KeyQueue::default(),
            by_uid: BTreeMap::new(),
        }
    }

    fn on_cronjob(&mut self, delta: &Delta) {
        let obj = delta.object();
        match delta {
            Delta::Deleted(_) => {
                self.by_uid.remove(obj.uid());
            }
            _ => {
                let key = object_key(obj);
                self.by_uid.insert(obj.uid().to_string(), key.clone());
                self.queue.add(key);
            }
        }
    }

    fn on_job(&mut self, delta: &Delta) {
        let owner = controller_ref(delta.object().meta())
            .filter(|r| r.kind == "CronJob")
            .and_then(|r| self.by_uid.get(&r.uid))
            .cloned();
        if let Some(key) = owner {
            self.queue.add(key);
        }
    }

    fn run(&mut self, ctx: &mut Ctx<'_>) {
        let mut queue = std::mem::take(&mut self.queue);
        queue.run(ctx, |key, ctx| self.sync(key, ctx));
        self.queue = queue;
    }
}

impl Process for CronJobController {
    fn component(&self) -> Component {
        Component::ControllerManager(NAME)
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        for kind in [Kind::CronJob, Kind::Job] {
            let inf = if kind == Kind::Job { &mut self.jobs } else { &mut self.cronjobs };
            let deltas = inf.start(ctx.api, &self.who).unwrap_or_default();
            if let Some(id) = inf.watch_id() {
                ctx.own_watch(id);
            }
            for d in &deltas {
                if kind == Kind::Job { self.on_job(d) } else { self.on_cronjob(d) }
            }
        }
        self.run(ctx);
    }

    fn stop(&mut self, api: &mut ApiServer) {
        self.cronjobs.stop(api);
        self.jobs.stop(api);
        self.queue.clear();
        self.by_uid.clear();
    }

    fn on_events(&mut self, events: &[WatchEvent], ctx: &mut Ctx<'_>) {
        for ev in events {
            if let Some(d) = self.cronjobs.handle(ev) {
                self.on_cronjob(&d);
            } else if let Some(d) = self.jobs.handle(ev) {
                self.on_job(&d);
            }
        }
        self.run(ctx);
    }

    fn on_timer(&mut self, _token: u64, ctx: &mut Ctx<'_>) {
        self.run(ctx);
    }
}
