//! The TTL-after-finished controller: deletes a finished Job (Complete or Failed)
//! `ttlSecondsAfterFinished` seconds after its terminal condition's transition, with foreground
//! propagation so that its pods go first, as upstream's `ttlafterfinished` controller does. Before
//! deleting it reads the Job again from the api-server, in case the TTL was changed meanwhile.
//! Upstream records no events for this; the trace gets a decision entry.

use std::sync::Arc;

use k8s_openapi::api::batch::v1::Job;

use super::controller_utils::{unix_millis, virtual_time};
use super::queue::{KeyQueue, Requeue};
use super::{SyncError, controller_identity, record_decision};
use crate::api::{Kind, Object};
use crate::apiserver::{ApiServer, DeleteOptions, Identity, ListOptions, Propagation, Reason, WatchEvent};
use crate::client::{Ctx, Delta, Informer, Process, object_key};
use crate::sim::Time;
use crate::sim::trace::Component;

const NAME: &str = "ttl-after-finished";

/// The ttl-after-finished controller process.
pub struct TtlAfterFinishedController {
    who: Identity,
    jobs: Informer,
    queue: KeyQueue,
}

impl Default for TtlAfterFinishedController {
    fn default() -> Self {
        Self::new()
    }
}

/// When a Job with a TTL expires, in Unix milliseconds: its terminal condition's transition plus
/// the TTL (None when it has no TTL, is not finished, or is already being deleted).
fn expires_at_ms(job: &Job) -> Option<i64> {
    if job.metadata.deletion_timestamp.is_some() {
        return None;
    }
    let ttl = job.spec.as_ref()?.ttl_seconds_after_finished?;
    let finished = job
        .status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| (c.type_ == "Complete" || c.type_ == "Failed") && c.status == "True")?;
    let at = finished.last_transition_time.as_ref().map(unix_millis)?;
    Some(at.saturating_add(i64::from(ttl).saturating_mul(1000)))
}

impl TtlAfterFinishedController {
    pub fn new() -> Self {
        TtlAfterFinishedController {
            who: controller_identity(NAME),
            jobs: Informer::new(Kind::Job, None, ListOptions::default()),
            queue: KeyQueue::default(),
        }
    }

    fn on_job(&mut self, delta: &Delta) {
        if let (false, Object::Job(j)) = (matches!(delta, Delta::Deleted(_)), delta.object())
            && expires_at_ms(j).is_some()
        {
            self.queue.add(object_key(delta.object()));
        }
    }

    /// `processJob`.
    fn sync(&mut self, key: &str, ctx: &mut Ctx<'_>) -> Result<Requeue, SyncError> {
        let Some(Object::Job(job)) = self.jobs.cache().get(key) else { return Ok(Requeue::No) };
        let Some(at) = expires_at_ms(job) else { return Ok(Requeue::No) };
        let now_ms = ctx.api.clock().unix_millis(ctx.now());
        if at > now_ms {
            return Ok(Requeue::At(virtual_time(at, ctx.api.clock().unix_millis(Time::ZERO))));
        }
        let (ns, name) = (job.metadata.namespace.clone(), job.metadata.name.clone().unwrap_or_default());
        // The cache may be stale: the TTL could have been raised since.
        let fresh = match ctx.api.get(&self.who, Kind::Job, ns.as_deref(), &name) {
            Ok(Object::Job(j)) => j,
            Ok(_) => return Ok(Requeue::No),
            Err(e) if e.reason == Reason::NotFound => return Ok(Requeue::No),
            Err(e) => return Err(e.into()),
        };
        match expires_at_ms(&fresh) {
            None => return Ok(Requeue::No),
            Some(at) if at > now_ms => {
                return Ok(Requeue::At(virtual_time(at, ctx.api.clock().unix_millis(Time::ZERO))));
            }
            Some(_) => {}
        }
        let opts = DeleteOptions { propagation: Some(Propagation::Foreground), ..Default::default() };
        match ctx.api.delete(&self.who, Kind::Job, ns.as_deref(), &name, &opts) {
            Ok(_) => {
                let ttl = fresh.spec.as_ref().and_then(|s| s.ttl_seconds_after_finished).unwrap_or(0);
                let note = format!("deleted job {name}: finished more than {ttl}s ago");
                record_decision(ctx.api, NAME, "delete", &Object::Job(Arc::clone(&fresh)), note);
                Ok(Requeue::No)
            }
            Err(e) if e.reason == Reason::NotFound => Ok(Requeue::No),
            Err(e) => Err(e.into()),
        }
    }

    fn run(&mut self, ctx: &mut Ctx<'_>) {
        let mut queue = std::mem::take(&mut self.queue);
        queue.run(ctx, |key, ctx| self.sync(key, ctx));
        self.queue = queue;
    }
}

impl Process for TtlAfterFinishedController {
    fn component(&self) -> Component {
        Component::ControllerManager(NAME)
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        let deltas = self.jobs.start(ctx.api, &self.who).unwrap_or_default();
        if let Some(id) = self.jobs.watch_id() {
            ctx.own_watch(id);
        }
        for d in &deltas {
            self.on_job(d);
        }
        self.run(ctx);
    }

    fn stop(&mut self, api: &mut ApiServer) {
        self.jobs.stop(api);
        self.queue.clear();
    }

    fn on_events(&mut self, events: &[WatchEvent], ctx: &mut Ctx<'_>) {
        for ev in events {
            if let Some(d) = self.jobs.handle(ev) {
                self.on_job(&d);
            }
        }
        self.run(ctx);
    }

    fn on_timer(&mut self, _token: u64, ctx: &mut Ctx<'_>) {
        self.run(ctx);
    }
}
