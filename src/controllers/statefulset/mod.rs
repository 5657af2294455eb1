//! The StatefulSet controller: pods with a stable identity. Pod `<set>-<i>` for each ordinal from
//! `spec.ordinals.start`, with its claims `<template>-<set>-<i>` created first; OrderedReady creates
//! one pod at a time (the next only once the previous is Running and Ready) and scales down from the
//! highest ordinal one at a time, Parallel does both at once; RollingUpdate replaces pods from the
//! highest ordinal down to the partition, OnDelete waits for the user. Templates are recorded as
//! ControllerRevisions (`<set>-<hash>`, label `controller-revision-hash`, revisionHistoryLimit).

mod identity;
mod revision;
mod sync;

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::controller_identity;
use super::controller_utils::controller_ref;
use super::queue::KeyQueue;
use crate::api::Kind;
use crate::apiserver::{ApiServer, Identity, ListOptions, WatchEvent};
use crate::client::{Ctx, Delta, Informer, Process, Recorder, object_key};
use crate::sim::trace::Component;

pub use identity::{POD_INDEX_LABEL, POD_NAME_LABEL, REVISION_LABEL};

const NAME: &str = "statefulset";

/// The statefulset controller process.
pub struct StatefulSetController {
    who: Identity,
    recorder: Recorder,
    sets: Informer,
    pods: Informer,
    revisions: Informer,
    claims: Informer,
    queue: KeyQueue,
    /// StatefulSet uid → key, to find the set of a pod or revision from its controller reference.
    set_by_uid: BTreeMap<String, String>,
}

impl Default for StatefulSetController {
    fn default() -> Self {
        Self::new()
    }
}

impl StatefulSetController {
    pub fn new() -> Self {
        let who = controller_identity(NAME);
        StatefulSetController {
            recorder: Recorder::new("statefulset-controller", None, who.clone()),
            who,
            sets: Informer::new(Kind::StatefulSet, None, ListOptions::default()),
            pods: Informer::new(Kind::Pod, None, ListOptions::default()),
            revisions: Informer::new(Kind::ControllerRevision, None, ListOptions::default()),
            claims: Informer::new(Kind::PersistentVolumeClaim, None, ListOptions::default()),
            queue: KeyQueue::default(),
            set_by_uid: BTreeMap::new(),
        }
    }

    fn on_set(&mut self, delta: &Delta) {
        let obj = delta.object();
        match delta {
            Delta::Deleted(_) => {
                self.set_by_uid.remove(obj.uid());
            }
            _ => {
                let key = object_key(obj);
                self.set_by_uid.insert(obj.uid().to_string(), key.clone());
                self.queue.add(key);
            }
        }
    }

    /// Queues the StatefulSet that controls an object (a pod or a revision), before and after a change.
    fn on_owned(&mut self, delta: &Delta) {
        let mut queue_owner = |meta: &ObjectMeta| {
            if let Some(key) =
                controller_ref(meta).filter(|r| r.kind == "StatefulSet").and_then(|r| self.set_by_uid.get(&r.uid))
            {
                self.queue.add(key.clone());
            }
        };
        if let Delta::Updated { old, .. } = delta {
            queue_owner(old.meta());
        }
        queue_owner(delta.object().meta());
    }

    fn run(&mut self, ctx: &mut Ctx<'_>) {
        let mut queue = std::mem::take(&mut self.queue);
        queue.run(ctx, |key, ctx| self.sync_stateful_set(key, ctx));
        self.queue = queue;
    }
}

impl Process for StatefulSetController {
    fn component(&self) -> Component {
        Component::ControllerManager(NAME)
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        for kind in [Kind::StatefulSet, Kind::Pod, Kind::ControllerRevision, Kind::PersistentVolumeClaim] {
            let inf = match kind {
                Kind::StatefulSet => &mut self.sets,
                Kind::Pod => &mut self.pods,
                Kind::ControllerRevision => &mut self.revisions,
                _ => &mut self.claims,
            };
            let deltas = inf.start(ctx.api, &self.who).unwrap_or_default();
            if let Some(id) = inf.watch_id() {
                ctx.own_watch(id);
            }
            for d in &deltas {
                if kind == Kind::StatefulSet { self.on_set(d) } else { self.on_owned(d) }
            }
        }
        self.run(ctx);
    }

    fn stop(&mut self, api: &mut ApiServer) {
        for inf in [&mut self.sets, &mut self.pods, &mut self.revisions, &mut self.claims] {
            inf.stop(api);
        }
        self.queue.clear();
        self.set_by_uid.clear();
    }

    fn on_events(&mut self, events: &[WatchEvent], ctx: &mut Ctx<'_>) {
        for ev in events {
            if let Some(d) = self.sets.handle(ev) {
                self.on_set(&d);
            } else if let Some(d) = self.pods.handle(ev) {
                self.on_owned(&d);
            } else if let Some(d) = self.revisions.handle(ev) {
                self.on_owned(&d);
            } else if let Some(d) = self.claims.handle(ev) {
                self.on_owned(&d);
            }
        }
        self.run(ctx);
    }

    fn on_timer(&mut self, _token: u64, ctx: &mut Ctx<'_>) {
        self.run(ctx);
    }
}
