//! What every pod worker of a node shares: the node's identity and event recorder, its images and
//! pull queue, its pod IP allocator, its random stream (container IDs) and its logs; plus the helpers
//! that draw the kubelet → containerd calls into the trace.

use std::sync::Arc;

use super::image_manager::ImageManager;
use super::ipam::Ipam;
use super::logs::LogStore;
use super::process_events::ProcessEvents;
use crate::api::Object;
use crate::apiserver::Identity;
use crate::client::{Ctx, EventKind, Recorder};
use crate::sim::trace::{Component, Entry, EntryKind, ObjectRef};
use crate::sim::{Rng, Time};

/// Timer token of the node heartbeat (lease and status).
pub const TOKEN_HEARTBEAT: u64 = 1;
/// Timer token of the end of the pull under way.
pub const TOKEN_PULL: u64 = 2;
/// Timer token of telling more pod workers of a pull that ended.
pub const TOKEN_PULLED: u64 = 3;
/// Pod worker `id` wakes with `TOKEN_POD_BASE + id`.
pub const TOKEN_POD_BASE: u64 = 1 << 32;

/// Node-wide state of a kubelet and its runtime.
#[derive(Debug)]
pub struct Shared {
    pub node: Arc<str>,
    pub identity: Identity,
    pub recorder: Recorder,
    pub images: ImageManager,
    pub ipam: Ipam,
    pub rng: Rng,
    pub logs: LogStore,
    /// Where the starts and stops of watched images' containers are reported.
    pub processes: ProcessEvents,
    pub metrics: super::metrics::Metrics,
    pub node_ip: String,
    /// The pull-end timer already set, so that it is set once.
    pub pull_timer: Option<Time>,
}

fn pod_ref(pod: &Object) -> ObjectRef {
    ObjectRef::new("Pod", pod.namespace().unwrap_or(""), pod.name())
}

impl Shared {
    /// A CRI call, kubelet → containerd.
    pub fn cri(&self, ctx: &mut Ctx<'_>, verb: &'static str, pod: &Object, note: String) {
        ctx.api.record(
            Entry::new(
                Component::Kubelet(self.node.clone()),
                Component::Runtime(self.node.clone()),
                EntryKind::Decision,
                verb,
                pod_ref(pod),
            )
            .note(note),
        );
    }

    /// containerd's answer or report, containerd → kubelet.
    pub fn runtime_says(&self, ctx: &mut Ctx<'_>, verb: &'static str, pod: &Object, note: String) {
        ctx.api.record(
            Entry::new(
                Component::Runtime(self.node.clone()),
                Component::Kubelet(self.node.clone()),
                EntryKind::Decision,
                verb,
                pod_ref(pod),
            )
            .note(note),
        );
    }

    pub fn event(
        &mut self,
        ctx: &mut Ctx<'_>,
        pod: &Object,
        field: Option<&str>,
        kind: EventKind,
        reason: &str,
        msg: &str,
    ) {
        self.recorder.event(ctx.api, pod, field, kind, reason, msg);
    }

    /// Calendar milliseconds of virtual instant `t`.
    pub fn unix_ms(ctx: &Ctx<'_>, t: Time) -> i64 {
        ctx.api.clock().unix_millis(t)
    }

    /// A fresh 64-hex container or sandbox ID from the node's stream.
    pub fn new_id(&mut self) -> String {
        (0..4).map(|_| format!("{:016x}", self.rng.next_u64())).collect()
    }

    /// Starts the next queued pull if the node is free, and sets the timer for its end.
    pub fn kick_pulls(&mut self, ctx: &mut Ctx<'_>) {
        if let Some(done) = self.images.start_next(ctx.now()) {
            self.pull_timer = Some(done);
            ctx.wake_at(done, TOKEN_PULL);
        }
    }
}
