//! kube-scheduler, built as upstream builds it: informers feed a cache of node infos and a
//! scheduling queue; each cycle pops the highest-priority pod, runs the profile's framework
//! (PreFilter, Filter over a sample of nodes, PostFilter/preemption, Score), assumes the pod on the
//! chosen node and binds it through the api-server. Failures leave FailedScheduling events and a
//! PodScheduled=False condition with upstream's `0/N nodes are available: ...` text; every attempt
//! is kept for `kubarium explain pod`.

pub mod cache;
pub mod config;
pub mod explain;
pub mod framework;
mod handlers;
pub mod plugins;
pub mod preemption;
pub mod queue;
pub mod schedule_one;

#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;

use std::any::Any;

use crate::api::Kind;
use crate::apiserver::{ApiServer, Identity, ListOptions, WatchEvent};
use crate::client::{Ctx, Informer, Process, Recorder};
use crate::sim::trace::Component;
use crate::sim::{Duration, Rng, Time};

pub use cache::Cache;
pub use config::Config;
pub use explain::Attempt;
use framework::{Framework, Listers};
use queue::SchedulingQueue;

/// The name of the default profile, and of the scheduler in events.
pub const DEFAULT_SCHEDULER_NAME: &str = "default-scheduler";

const TOKEN_CYCLE: u64 = 1;
const TOKEN_FLUSH: u64 = 2;
/// Pods scheduled in one millisecond of virtual time before the scheduler lets the clock move.
const BATCH: usize = 256;
/// Pods scheduled per wake-up at most: between wake-ups (at the same virtual time when the
/// millisecond's batch is not used up) the web page may draw a frame, and 256 cycles in one go held
/// it for tens of milliseconds.
const CHUNK: usize = 16;
/// Nodes a wake-up's cycles may filter and score together: a cycle's cost grows with the nodes it
/// looks at (percentageOfNodesToScore's share), so a 5,000-node cluster schedules one pod a wake-up
/// where a 3-node one schedules `CHUNK`.
const NODES_PER_WAKE: usize = 400;
/// How many pods' last attempts are kept for explanation.
const EXPLAIN_LIMIT: usize = 512;

/// Counters, for tests and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub attempts: u64,
    pub scheduled: u64,
    pub unschedulable: u64,
    pub errors: u64,
    pub preemptions: u64,
}

/// The kube-scheduler process.
pub struct Scheduler {
    config: Config,
    frameworks: Vec<Framework>,
    queue: SchedulingQueue,
    cache: Cache,
    listers: Listers,
    /// pods, nodes, services, replicasets, statefulsets, pvcs, pvs, storageclasses.
    informers: Vec<Informer>,
    rng: Rng,
    next_start: usize,
    recorder: Recorder,
    identity: Identity,
    explanations: explain::Explanations,
    cycle_pending: bool,
    /// The virtual millisecond the current batch belongs to, and how many pods it has scheduled.
    batch: (Time, usize),
    flush_at: Option<Time>,
    pub stats: Stats,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler").field("stats", &self.stats).finish_non_exhaustive()
    }
}

const INFORMED: [Kind; 8] = [
    Kind::Pod,
    Kind::Node,
    Kind::Service,
    Kind::ReplicaSet,
    Kind::StatefulSet,
    Kind::PersistentVolumeClaim,
    Kind::PersistentVolume,
    Kind::StorageClass,
];

impl Scheduler {
    /// A scheduler drawing its tie-breaks from `seed`'s "scheduler" stream, with `config` or the
    /// v1.36 defaults.
    pub fn new(seed: u64, config: Option<Config>) -> Self {
        let config = config.unwrap_or_default();
        let identity = Identity::component(Component::Scheduler, "system:kube-scheduler", &[]);
        Scheduler {
            frameworks: config.profiles.iter().map(Framework::new).collect(),
            queue: SchedulingQueue::new(
                Duration::from_secs(config.pod_initial_backoff_seconds),
                Duration::from_secs(config.pod_max_backoff_seconds),
            ),
            cache: Cache::default(),
            listers: Listers::default(),
            informers: INFORMED.iter().map(|k| Informer::new(*k, None, ListOptions::default())).collect(),
            rng: Rng::derive(seed, "scheduler"),
            next_start: 0,
            recorder: Recorder::new(DEFAULT_SCHEDULER_NAME, None, identity.clone()),
            identity,
            explanations: explain::Explanations::new(EXPLAIN_LIMIT),
            cycle_pending: false,
            batch: (Time::ZERO, 0),
            flush_at: None,
            stats: Stats::default(),
            config,
        }
    }

    /// The last scheduling attempt of pod `namespace/name`, if it is still remembered.
    pub fn last_attempt(&self, namespace: &str, name: &str) -> Option<&Attempt> {
        self.explanations.get(&format!("{namespace}/{name}"))
    }

    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// (active, backoff, unschedulable, gated) queue sizes.
    pub fn queue_sizes(&self) -> (usize, usize, usize, usize) {
        self.queue.sizes()
    }

    fn framework_for(&self, scheduler_name: &str) -> Option<usize> {
        self.frameworks.iter().position(|f| f.name() == scheduler_name)
    }

    /// Asks for a cycle now if pods are waiting, and for a flush when backoffs expire.
    fn arm_timers(&mut self, ctx: &mut Ctx<'_>) {
        if self.queue.has_active() && !self.cycle_pending {
            self.cycle_pending = true;
            ctx.wake_after(Duration::ZERO, TOKEN_CYCLE);
        }
        if let Some(at) = self.queue.next_wake()
            && self.flush_at.is_none_or(|f| at < f)
        {
            self.flush_at = Some(at);
            ctx.wake_at(at, TOKEN_FLUSH);
        }
    }
}

impl Process for Scheduler {
    fn component(&self) -> Component {
        Component::Scheduler
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        for i in 0..self.informers.len() {
            let Some(inf) = self.informers.get_mut(i) else { continue };
            let kind = inf.kind();
            match inf.start(ctx.api, &self.identity) {
                Ok(deltas) => {
                    if let Some(w) = inf.watch_id() {
                        ctx.own_watch(w);
                    }
                    // Nodes before pods would be nicer, but the cache accepts pods of unknown nodes.
                    for d in deltas {
                        self.apply(kind, d, ctx.now());
                    }
                }
                Err(_) => continue,
            }
        }
        self.arm_timers(ctx);
    }

    fn stop(&mut self, api: &mut ApiServer) {
        for inf in &mut self.informers {
            inf.stop(api);
        }
        self.cycle_pending = false;
        self.flush_at = None;
    }

    fn on_events(&mut self, events: &[WatchEvent], ctx: &mut Ctx<'_>) {
        for e in events {
            let Some(inf) = self.informers.iter_mut().find(|i| i.watch_id() == Some(e.watch)) else { continue };
            let kind = inf.kind();
            if let Some(d) = inf.handle(e) {
                self.apply(kind, d, ctx.now());
            }
        }
        self.arm_timers(ctx);
    }

    fn on_timer(&mut self, token: u64, ctx: &mut Ctx<'_>) {
        match token {
            TOKEN_CYCLE => {
                self.cycle_pending = false;
                if self.batch.0 != ctx.now() {
                    self.batch = (ctx.now(), 0);
                }
                let nodes = self.cache.num_nodes();
                let examined =
                    schedule_one::num_feasible_nodes_to_find(self.config.percentage_of_nodes_to_score, nodes);
                let cycles = (NODES_PER_WAKE / examined.max(1)).clamp(1, CHUNK);
                for _ in 0..cycles {
                    if self.batch.1 >= BATCH || !self.schedule_next(ctx) {
                        break;
                    }
                    self.batch.1 += 1;
                }
                if self.queue.has_active() {
                    self.cycle_pending = true;
                    let used_up = self.batch.1 >= BATCH;
                    ctx.wake_after(if used_up { Duration::from_millis(1) } else { Duration::ZERO }, TOKEN_CYCLE);
                }
            }
            TOKEN_FLUSH => {
                self.flush_at = None;
                self.queue.flush(ctx.now());
            }
            _ => {}
        }
        self.arm_timers(ctx);
    }

    fn as_any(&self) -> Option<&dyn Any> {
        Some(self)
    }
}
