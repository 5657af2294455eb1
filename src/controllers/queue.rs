//! The loop every controller runs over its work queue: pop a key, sync it, re-queue it with back-off
//! when the sync failed, or at the instant the sync asked to look again (a pod that becomes available
//! after minReadySeconds, a progress deadline), and keep one timer armed for the earliest delayed key.

use std::collections::BTreeMap;

use super::SyncError;
use crate::client::{Ctx, WorkQueue};
use crate::sim::Time;

/// The timer token controllers use to wake for delayed keys.
pub const REQUEUE_TOKEN: u64 = 1;

/// What a successful sync asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Requeue {
    /// Nothing: the next watch event will bring the key back.
    #[default]
    No,
    /// Look again at this instant.
    At(Time),
}

/// A work queue of object keys plus the timer that serves its delayed keys.
#[derive(Debug, Default)]
pub struct KeyQueue {
    queue: WorkQueue<String>,
    /// The instant of the timer already set, so that a busy controller does not set thousands.
    armed: Option<Time>,
    /// Keys waiting for a later instant, and the earliest one: a key already due by `at` is not
    /// queued again (client-go's AddAfter keeps one entry a key, too).
    delayed: BTreeMap<String, Time>,
}

impl KeyQueue {
    pub fn add(&mut self, key: String) {
        self.queue.add(key);
    }

    /// Queues `key` to be synced at `at` (the timer is armed by the next `run`).
    pub fn add_after(&mut self, key: String, at: Time) {
        if self.delayed.get(&key).is_some_and(|t| *t <= at) {
            return;
        }
        self.delayed.insert(key.clone(), at);
        self.queue.add_after(key, at);
    }

    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Forgets every key (a stopped controller loses its queue).
    pub fn clear(&mut self) {
        self.queue = WorkQueue::default();
        self.armed = None;
        self.delayed.clear();
    }

    /// Syncs every ready key with `sync`, then arms the timer for the earliest delayed one; while
    /// a burst of notifications is still being handed over, it only keeps the keys for the burst's
    /// last delivery (else a ReplicaSet of 15,000 pods was synced once per 32 notifications).
    pub fn run(&mut self, ctx: &mut Ctx<'_>, mut sync: impl FnMut(&str, &mut Ctx<'_>) -> Result<Requeue, SyncError>) {
        if ctx.more_events() {
            return;
        }
        let now = ctx.now();
        self.queue.promote(now);
        self.delayed.retain(|_, t| *t > now);
        while let Some(key) = self.queue.pop() {
            let result = sync(&key, ctx);
            self.requeue(key, result, now);
        }
        self.arm(ctx);
    }

    /// Queues `key` as the result of its sync asks: a sync that ended after `run` returned (one
    /// spanning wake-ups) reports here.
    pub fn done(&mut self, key: String, result: Result<Requeue, SyncError>, ctx: &mut Ctx<'_>) {
        self.requeue(key, result, ctx.now());
        self.arm(ctx);
    }

    fn requeue(&mut self, key: String, result: Result<Requeue, SyncError>, now: Time) {
        match result {
            Ok(requeue) => {
                self.queue.forget(&key);
                if let Requeue::At(at) = requeue {
                    self.add_after(key, at.max(now));
                }
            }
            Err(_) => {
                self.queue.add_rate_limited(key, now);
            }
        }
    }

    /// Arms the timer for the earliest delayed key, unless one as early is armed.
    fn arm(&mut self, ctx: &mut Ctx<'_>) {
        if self.armed.is_some_and(|t| t <= ctx.now()) {
            self.armed = None;
        }
        if let Some(next) = self.queue.next_ready()
            && self.armed.is_none_or(|t| next < t)
        {
            self.armed = Some(next);
            ctx.wake_at(next, REQUEUE_TOKEN);
        }
    }
}
