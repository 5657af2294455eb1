//! Small pieces every periodic controller needs: starting an informer and routing its watch to the
//! process, and a ticker whose timer chain survives a stop and start (a timer set before the stop
//! still fires after the restart; only the chain of the latest start may act).

use crate::apiserver::Identity;
use crate::client::{Ctx, Delta, Informer};
use crate::sim::{Duration, Time};

/// Lists and watches with `inf`, owning its watch; the listed objects come back as deltas (none when
/// the list failed: the next start tries again).
pub fn start_informer(inf: &mut Informer, who: &Identity, ctx: &mut Ctx<'_>) -> Vec<Delta> {
    let deltas = inf.start(ctx.api, who).unwrap_or_default();
    if let Some(id) = inf.watch_id() {
        ctx.own_watch(id);
    }
    deltas
}

/// A timer that fires every `period` with `token`.
#[derive(Debug, Clone)]
pub struct Ticker {
    token: u64,
    period: Duration,
    next: Option<Time>,
}

impl Ticker {
    pub const fn new(token: u64, period: Duration) -> Self {
        Ticker { token, period, next: None }
    }

    pub fn period(&self) -> Duration {
        self.period
    }

    /// Starts a fresh chain: the first tick after `first`.
    pub fn start(&mut self, ctx: &mut Ctx<'_>, first: Duration) {
        let at = ctx.now().after(first);
        self.next = Some(at);
        ctx.wake_at(at, self.token);
    }

    /// Whether timer `token` is this ticker's current tick; if so the next one is set.
    pub fn fire(&mut self, token: u64, ctx: &mut Ctx<'_>) -> bool {
        if token != self.token || self.next != Some(ctx.now()) {
            return false;
        }
        self.start(ctx, self.period);
        true
    }
}
