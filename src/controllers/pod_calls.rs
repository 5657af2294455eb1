//! The pod creates and deletes one sync makes, spread over wake-ups: `CALLS_PER_WAKE` calls a
//! wake-up and the rest at the same virtual instant, so that a sync of hundreds of pods (a
//! ReplicaSet, a DaemonSet on a big cluster, a wide Job) never holds the web page for a frame.
//! While a key's calls are under way it is not synced again (a key is never processed by two
//! workers at once); a key that came up meanwhile is marked dirty and synced once more after.
//! Creates run in upstream's slow-start batches; deletes are all attempted, the first error kept.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::Pod;

use super::SyncError;
use super::controller_utils::{SLOW_START_INITIAL_BATCH_SIZE, SlowStart, create_pod, delete_pod};
use super::expectations::Expectations;
use super::queue::{REQUEUE_TOKEN, Requeue};
use crate::api::Object;
use crate::apiserver::{ApiError, Identity, Reason};
use crate::client::{Ctx, Recorder};
use crate::sim::{Duration, Time};

/// Creates or deletes made per wake-up.
pub const CALLS_PER_WAKE: usize = 16;
/// The timer token of calls still under way (the queue's own is `REQUEUE_TOKEN`).
pub const CONTINUE_TOKEN: u64 = REQUEUE_TOKEN + 1;

/// The calls a sync has to make.
pub enum Calls {
    /// `count` creates of the pods `make` builds, in slow-start batches.
    Create { make: Box<dyn FnMut() -> Pod>, run: SlowStart<ApiError>, count: usize },
    /// Deletes of `victims`.
    Delete { victims: std::vec::IntoIter<Arc<Pod>>, first_error: Option<ApiError> },
}

impl Calls {
    pub fn create(count: usize, make: impl FnMut() -> Pod + 'static) -> Calls {
        Calls::Create { make: Box::new(make), run: SlowStart::new(count, SLOW_START_INITIAL_BATCH_SIZE), count }
    }

    pub fn delete(victims: Vec<Arc<Pod>>) -> Calls {
        Calls::Delete { victims: victims.into_iter(), first_error: None }
    }
}

/// What the calls act as: the controller's identity, the recorder of its events and the
/// expectations its calls set.
pub struct PodControl<'a> {
    pub who: &'a Identity,
    pub recorder: &'a mut Recorder,
    pub expectations: &'a mut Expectations,
}

/// A sync whose calls have all been made, with what its controller needs to finish it.
pub struct Finished<S> {
    pub obj: Object,
    pub state: S,
    /// Calls that succeeded.
    pub succeeded: usize,
    pub error: Option<ApiError>,
    /// The key came up again meanwhile: sync it once more.
    pub dirty: bool,
}

struct Underway<S> {
    obj: Object,
    state: S,
    calls: Calls,
    succeeded: usize,
    dirty: bool,
}

/// Syncs whose calls are under way, by key.
pub struct PendingSyncs<S> {
    syncs: BTreeMap<String, Underway<S>>,
}

impl<S> Default for PendingSyncs<S> {
    fn default() -> Self {
        PendingSyncs { syncs: BTreeMap::new() }
    }
}

impl<S> PendingSyncs<S> {
    /// Whether `key`'s calls are under way; if so it is synced again once they end.
    pub fn defer(&mut self, key: &str) -> bool {
        self.syncs.get_mut(key).map(|s| s.dirty = true).is_some()
    }

    /// Starts `calls` for `key` and makes the first wake-up's share; the sync, when that was all.
    pub fn start(
        &mut self,
        key: &str,
        obj: Object,
        state: S,
        calls: Calls,
        mut control: PodControl<'_>,
        ctx: &mut Ctx<'_>,
    ) -> Option<Finished<S>> {
        self.syncs.insert(key.to_string(), Underway { obj, state, calls, succeeded: 0, dirty: false });
        self.advance(key, &mut control, ctx)
    }

    /// Makes the next wake-up's calls of every sync under way; the syncs that ended.
    pub fn advance_all(&mut self, mut control: PodControl<'_>, ctx: &mut Ctx<'_>) -> Vec<(String, Finished<S>)> {
        let keys: Vec<String> = self.syncs.keys().cloned().collect();
        keys.into_iter().filter_map(|k| self.advance(&k, &mut control, ctx).map(|f| (k, f))).collect()
    }

    /// Makes the next `CALLS_PER_WAKE` calls for `key`; the sync, when they were the last.
    fn advance(&mut self, key: &str, control: &mut PodControl<'_>, ctx: &mut Ctx<'_>) -> Option<Finished<S>> {
        let mut u = self.syncs.remove(key)?;
        let PodControl { who, recorder, expectations } = control;
        let done = match &mut u.calls {
            Calls::Create { make, run, .. } => {
                let api = &mut *ctx.api;
                run.advance(CALLS_PER_WAKE, || create_pod(api, who, recorder, &u.obj, make()).map(|_| ()))
            }
            Calls::Delete { victims, first_error } => {
                for victim in victims.by_ref().take(CALLS_PER_WAKE) {
                    match delete_pod(ctx.api, who, recorder, &u.obj, &victim) {
                        Ok(()) => u.succeeded += 1,
                        Err(e) => {
                            expectations.deletion_observed(key, &pod_key(&victim));
                            if e.reason != Reason::NotFound {
                                first_error.get_or_insert(e);
                            }
                        }
                    }
                }
                victims.len() == 0
            }
        };
        if !done {
            self.syncs.insert(key.to_string(), u);
            ctx.wake_after(Duration::ZERO, CONTINUE_TOKEN);
            return None;
        }
        let (succeeded, error) = match u.calls {
            Calls::Create { run, count, .. } => {
                for _ in run.successes..count {
                    expectations.creation_observed(key);
                }
                (run.successes, run.first_error)
            }
            Calls::Delete { first_error, .. } => (u.succeeded, first_error),
        };
        Some(Finished { obj: u.obj, state: u.state, succeeded, error, dirty: u.dirty })
    }

    /// Forgets every sync (a stopped controller loses them).
    pub fn clear(&mut self) {
        self.syncs.clear();
    }
}

/// The expectations key of a pod: `namespace/name`.
pub fn pod_key(p: &Pod) -> String {
    format!("{}/{}", p.metadata.namespace.as_deref().unwrap_or(""), p.metadata.name.as_deref().unwrap_or(""))
}

/// The result of a sync's end, with one more sync now when its key came up while its calls were
/// under way.
pub fn again_if_dirty(dirty: bool, result: Result<Requeue, SyncError>, now: Time) -> Result<Requeue, SyncError> {
    if dirty { result.map(|_| Requeue::At(now)) } else { result }
}
