//! The garbage collector: deletes objects whose owners are gone, and carries out the two deletion
//! policies that need help after the owner's own delete. The ownership graph is read from informers
//! over every kind (their caches index objects by owner uid), plus a uid → object map.
//!
//! * Background: the owner is deleted at once; its dependents, now pointing at a missing owner, are
//!   deleted (with the policy their own finalizers ask for).
//! * Foreground (`foregroundDeletion` finalizer on a terminating owner): its dependents are deleted
//!   first; once no dependent with `blockOwnerDeletion` remains, the finalizer goes and with it the owner.
//! * Orphan (`orphan` finalizer): the ownerReferences to the owner are removed from its dependents,
//!   then the finalizer goes.
//!
//! Work items are uids: `D:<uid>` asks "should this dependent go?" (upstream's attemptToDelete) and
//! `O:<uid>` processes a terminating owner's finalizer (attemptToOrphan / deleting dependents).

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

use super::queue::{KeyQueue, Requeue};
use super::{SyncError, controller_identity, record_decision};
use crate::api::{Kind, Object};
use crate::apiserver::{
    ApiServer, DeleteOptions, Identity, ListOptions, Propagation, Reason, WatchEvent, WriteOptions,
};
use crate::apiserver::{FOREGROUND_FINALIZER, ORPHAN_FINALIZER};
use crate::client::{Ctx, Delta, Informer, Process, object_key};
use crate::sim::trace::Component;

const NAME: &str = "garbage-collector";
/// How many confirmed-absent owners are remembered (upstream's absentOwnerCache is an LRU of 500).
const ABSENT_OWNER_CACHE: usize = 1024;

fn has_finalizer(obj: &Object, f: &str) -> bool {
    obj.meta().finalizers.iter().flatten().any(|x| x == f)
}

fn terminating(obj: &Object) -> bool {
    obj.meta().deletion_timestamp.is_some()
}

/// The kind an ownerReference names, if Kubarium serves it.
fn owner_kind(r: &OwnerReference) -> Option<Kind> {
    Kind::ALL.iter().copied().find(|k| k.as_str() == r.kind && k.api_version() == r.api_version)
}

/// How a dependent's owners stand (upstream's classifyReferences).
#[derive(Debug, Default)]
struct Owners {
    solid: Vec<String>,
    dangling: Vec<String>,
    waiting: Vec<String>,
}

/// The garbage collector process.
pub struct GarbageCollector {
    who: Identity,
    informers: Vec<Informer>,
    /// uid → (informer index, object key).
    by_uid: BTreeMap<String, (usize, String)>,
    absent: BTreeSet<String>,
    queue: KeyQueue,
}

impl Default for GarbageCollector {
    fn default() -> Self {
        Self::new()
    }
}

impl GarbageCollector {
    /// A collector watching every kind but Events (which nothing owns).
    pub fn new() -> Self {
        let informers = Kind::ALL
            .iter()
            .filter(|k| **k != Kind::Event)
            .map(|k| Informer::new(*k, None, ListOptions::default()))
            .collect();
        GarbageCollector {
            who: controller_identity(NAME),
            informers,
            by_uid: BTreeMap::new(),
            absent: BTreeSet::new(),
            queue: KeyQueue::default(),
        }
    }

    fn lookup(&self, uid: &str) -> Option<&Object> {
        let (i, key) = self.by_uid.get(uid)?;
        self.informers.get(*i)?.cache().get(key)
    }

    /// Every object with an ownerReference to `uid`, in kind then key order.
    fn dependents(&self, uid: &str) -> Vec<Object> {
        self.informers.iter().flat_map(|inf| inf.cache().owned_by(uid).cloned()).collect()
    }

    fn on_delta(&mut self, index: usize, delta: &Delta) {
        let obj = delta.object();
        // An update that keeps the owner references and starts no deletion changes nothing in the
        // graph (upstream's referencesDiffs finds no difference): a lease renewal every 10 s per
        // node is one, and costs no lookups here.
        if let Delta::Updated { old, .. } = delta
            && !terminating(obj)
            && old.meta().owner_references == obj.meta().owner_references
        {
            if !self.absent.is_empty() {
                self.absent.remove(obj.uid());
            }
            return;
        }
        let uid = obj.uid().to_string();
        if let Delta::Deleted(_) = delta {
            self.by_uid.remove(&uid);
            for dep in self.dependents(&uid) {
                self.queue.add(format!("D:{}", dep.uid()));
            }
            for r in obj.meta().owner_references.iter().flatten() {
                self.queue.add(format!("O:{}", r.uid));
            }
            return;
        }
        // A uid never changes its object, so updates skip the bookkeeping that only a new one needs.
        if !self.by_uid.contains_key(&uid) {
            self.by_uid.insert(uid.clone(), (index, object_key(obj)));
        }
        if !self.absent.is_empty() {
            self.absent.remove(&uid);
        }
        if terminating(obj) && (has_finalizer(obj, FOREGROUND_FINALIZER) || has_finalizer(obj, ORPHAN_FINALIZER)) {
            self.queue.add(format!("O:{uid}"));
        }
        let missing_owner = obj.meta().owner_references.iter().flatten().any(|r| !self.by_uid.contains_key(&r.uid));
        if missing_owner {
            self.queue.add(format!("D:{uid}"));
        }
        // A dependent that started terminating may be the one a foreground deletion waits for.
        if let Delta::Updated { old, .. } = delta
            && terminating(obj)
            && !terminating(old)
        {
            for r in obj.meta().owner_references.iter().flatten() {
                self.queue.add(format!("O:{}", r.uid));
            }
        }
    }

    fn sync(&mut self, key: &str, api: &mut ApiServer) -> Result<Requeue, SyncError> {
        match key.split_once(':') {
            Some(("D", uid)) => self.attempt_to_delete(uid, api),
            Some(("O", uid)) => self.process_owner(uid, api),
            _ => Ok(Requeue::No),
        }
    }

    /// Whether the owner `r` of a dependent in `namespace` still exists, by our caches first and by
    /// a live read when they do not know it (they may lag; upstream's "virtual" owner check).
    fn owner_state(
        &mut self,
        r: &OwnerReference,
        namespace: Option<&str>,
        api: &mut ApiServer,
    ) -> Result<Option<Object>, SyncError> {
        if let Some(o) = self.lookup(&r.uid) {
            return Ok(Some(o.clone()));
        }
        if self.absent.contains(&r.uid) {
            return Ok(None);
        }
        let Some(kind) = owner_kind(r) else { return Ok(Some(Object::empty(Kind::Namespace))) };
        let ns = if kind.namespaced() { namespace } else { None };
        match api.get(&self.who, kind, ns, &r.name) {
            Ok(o) if o.uid() == r.uid => Ok(Some(o)),
            Ok(_) => self.remember_absent(&r.uid),
            Err(e) if e.reason == Reason::NotFound => self.remember_absent(&r.uid),
            Err(e) => Err(e.into()),
        }
    }

    fn remember_absent(&mut self, uid: &str) -> Result<Option<Object>, SyncError> {
        if self.absent.len() >= ABSENT_OWNER_CACHE {
            self.absent.clear();
        }
        self.absent.insert(uid.to_string());
        Ok(None)
    }

    fn classify(&mut self, obj: &Object, api: &mut ApiServer) -> Result<Owners, SyncError> {
        let mut owners = Owners::default();
        let refs: Vec<OwnerReference> = obj.meta().owner_references.clone().unwrap_or_default();
        for r in refs {
            match self.owner_state(&r, obj.namespace(), api)? {
                None => owners.dangling.push(r.uid),
                Some(o) if terminating(&o) && has_finalizer(&o, FOREGROUND_FINALIZER) => owners.waiting.push(r.uid),
                Some(_) => owners.solid.push(r.uid),
            }
        }
        Ok(owners)
    }

    /// `attemptToDeleteItem`.
    fn attempt_to_delete(&mut self, uid: &str, api: &mut ApiServer) -> Result<Requeue, SyncError> {
        let Some(obj) = self.lookup(uid).cloned() else { return Ok(Requeue::No) };
        if obj.meta().owner_references.as_ref().is_none_or(Vec::is_empty) {
            return Ok(Requeue::No);
        }
        if terminating(&obj) && !has_finalizer(&obj, FOREGROUND_FINALIZER) {
            return Ok(Requeue::No);
        }
        let owners = self.classify(&obj, api)?;
        if !owners.solid.is_empty() {
            if owners.dangling.is_empty() && owners.waiting.is_empty() {
                return Ok(Requeue::No);
            }
            // Another owner keeps it: only the references to gone or going owners are dropped.
            let drop: BTreeSet<&String> = owners.dangling.iter().chain(&owners.waiting).collect();
            let mut next = obj.clone();
            if let Some(refs) = &mut next.meta_mut().owner_references {
                refs.retain(|r| !drop.contains(&r.uid));
            }
            update(api, &self.who, next)?;
            return Ok(Requeue::No);
        }
        let policy = if !owners.waiting.is_empty() && !self.dependents(uid).is_empty() {
            Propagation::Foreground
        } else if has_finalizer(&obj, ORPHAN_FINALIZER) {
            Propagation::Orphan
        } else if has_finalizer(&obj, FOREGROUND_FINALIZER) {
            Propagation::Foreground
        } else {
            Propagation::Background
        };
        if terminating(&obj) {
            return Ok(Requeue::No);
        }
        let opts = DeleteOptions { propagation: Some(policy), ..Default::default() };
        match api.delete(&self.who, obj.kind(), obj.namespace(), obj.name(), &opts) {
            Ok(_) => {
                record_decision(
                    api,
                    NAME,
                    "delete",
                    &obj,
                    format!("deleted {} {}: its owner is gone ({policy:?})", obj.kind().as_str(), obj.name()),
                );
                Ok(Requeue::No)
            }
            Err(e) if e.reason == Reason::NotFound => Ok(Requeue::No),
            Err(e) => Err(e.into()),
        }
    }

    /// A terminating owner with the orphan or foregroundDeletion finalizer.
    fn process_owner(&mut self, uid: &str, api: &mut ApiServer) -> Result<Requeue, SyncError> {
        let Some(owner) = self.lookup(uid).cloned() else { return Ok(Requeue::No) };
        if !terminating(&owner) {
            return Ok(Requeue::No);
        }
        if has_finalizer(&owner, ORPHAN_FINALIZER) {
            for dep in self.dependents(uid) {
                let mut next = dep.clone();
                if let Some(refs) = &mut next.meta_mut().owner_references {
                    refs.retain(|r| r.uid != uid);
                }
                update(api, &self.who, next)?;
            }
            record_decision(api, NAME, "orphan", &owner, format!("orphaned the dependents of {}", owner.name()));
            return remove_finalizer(api, &self.who, &owner, ORPHAN_FINALIZER);
        }
        if !has_finalizer(&owner, FOREGROUND_FINALIZER) {
            return Ok(Requeue::No);
        }
        let dependents = self.dependents(uid);
        for dep in &dependents {
            self.attempt_to_delete(dep.uid(), api)?;
        }
        let blocking = dependents.iter().any(|d| {
            d.meta().owner_references.iter().flatten().any(|r| r.uid == uid && r.block_owner_deletion == Some(true))
        });
        if blocking {
            return Ok(Requeue::No);
        }
        record_decision(api, NAME, "foreground", &owner, format!("no dependent blocks {} any more", owner.name()));
        remove_finalizer(api, &self.who, &owner, FOREGROUND_FINALIZER)
    }
}

fn update(api: &mut ApiServer, who: &Identity, obj: Object) -> Result<(), SyncError> {
    match api.update(who, obj, &WriteOptions::default()) {
        Ok(_) => Ok(()),
        Err(e) if e.reason == Reason::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}

fn remove_finalizer(api: &mut ApiServer, who: &Identity, obj: &Object, finalizer: &str) -> Result<Requeue, SyncError> {
    let mut next = obj.clone();
    let meta = next.meta_mut();
    if let Some(f) = &mut meta.finalizers {
        f.retain(|x| x != finalizer);
    }
    update(api, who, next).map(|()| Requeue::No)
}

impl Process for GarbageCollector {
    fn component(&self) -> Component {
        Component::ControllerManager(NAME)
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        for i in 0..self.informers.len() {
            let deltas = self.informers[i].start(ctx.api, &self.who).unwrap_or_default();
            if let Some(id) = self.informers[i].watch_id() {
                ctx.own_watch(id);
            }
            // Index everything first: an owner listed after its dependent is not missing.
            for d in &deltas {
                let obj = d.object();
                self.by_uid.insert(obj.uid().to_string(), (i, object_key(obj)));
            }
        }
        for i in 0..self.informers.len() {
            let objects: Vec<Object> = self.informers[i].cache().iter().cloned().collect();
            for obj in objects {
                self.on_delta(i, &Delta::Added(obj));
            }
        }
        self.run(ctx);
    }

    fn stop(&mut self, api: &mut ApiServer) {
        for inf in &mut self.informers {
            inf.stop(api);
        }
        self.queue.clear();
        self.absent.clear();
    }

    fn on_events(&mut self, events: &[WatchEvent], ctx: &mut Ctx<'_>) {
        for ev in events {
            let hit = self.informers.iter_mut().enumerate().find_map(|(i, inf)| inf.handle(ev).map(|d| (i, d)));
            if let Some((i, d)) = hit {
                self.on_delta(i, &d);
            }
        }
        self.run(ctx);
    }

    fn on_timer(&mut self, _token: u64, ctx: &mut Ctx<'_>) {
        self.run(ctx);
    }
}

impl GarbageCollector {
    fn run(&mut self, ctx: &mut Ctx<'_>) {
        let mut queue = std::mem::take(&mut self.queue);
        queue.run(ctx, |key, ctx| self.sync(key, ctx.api));
        self.queue = queue;
    }
}
