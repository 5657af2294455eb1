//! A process of the simulated cluster (a controller, the scheduler, a kubelet, kube-proxy): something
//! that starts its informers, reacts to the watch notifications the cluster delivers to it, and wakes on
//! timers it set. It acts on the world only through the api-server it is handed.

use crate::apiserver::{ApiServer, WatchEvent, WatchId};
use crate::sim::trace::Component;
use crate::sim::{Duration, Time};

/// What a process may do while it runs: call the api-server, set timers, and tell the cluster which
/// watches are its own so their notifications come back to it.
pub struct Ctx<'a> {
    pub api: &'a mut ApiServer,
    timers: Vec<(Time, u64)>,
    watches: Vec<WatchId>,
    more_events: bool,
}

impl<'a> Ctx<'a> {
    pub fn new(api: &'a mut ApiServer) -> Self {
        Ctx { api, timers: Vec::new(), watches: Vec::new(), more_events: false }
    }

    /// The context of a delivery that more notifications follow at this same instant.
    pub fn with_more_events(mut self, more: bool) -> Self {
        self.more_events = more;
        self
    }

    /// Whether more notifications for this process follow at this instant: a burst is handed over
    /// in several deliveries, and work queues only queue keys until its last part has come, as
    /// client-go's queue folds a burst's adds of one key into one sync.
    pub fn more_events(&self) -> bool {
        self.more_events
    }

    pub fn now(&self) -> Time {
        self.api.now()
    }

    /// Wakes the process with `token` after `d`.
    pub fn wake_after(&mut self, d: Duration, token: u64) {
        let at = self.now().after(d);
        self.timers.push((at, token));
    }

    /// Wakes the process with `token` at `at` (at once if that has passed).
    pub fn wake_at(&mut self, at: Time, token: u64) {
        self.timers.push((at.max(self.now()), token));
    }

    /// Routes the notifications of watch `id` to this process.
    pub fn own_watch(&mut self, id: WatchId) {
        self.watches.push(id);
    }

    /// The timers and watches the process asked for, for the cluster to register.
    pub fn into_requests(self) -> (Vec<(Time, u64)>, Vec<WatchId>) {
        (self.timers, self.watches)
    }
}

/// A simulated process.
pub trait Process {
    /// Who it is in the trace.
    fn component(&self) -> Component;
    /// Starts (or restarts) it: open informers, set first timers.
    fn start(&mut self, ctx: &mut Ctx<'_>);
    /// Stops it: close watches, forget in-memory state a crash would lose.
    fn stop(&mut self, api: &mut ApiServer);
    /// A batch of notifications for its watches, in order.
    fn on_events(&mut self, events: &[WatchEvent], ctx: &mut Ctx<'_>);
    /// A timer it set.
    fn on_timer(&mut self, token: u64, ctx: &mut Ctx<'_>);
    /// The process as `Any`, for front ends that read a process's own state (the scheduler's
    /// explanations); `None` for processes that expose nothing.
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }
}
