//! The PersistentVolume controller (`persistentvolume-binder-controller`) with the protection
//! controllers' basics and a simulated external provisioner. Claims bind to volumes both ways
//! (`claimRef` on the PV; `volumeName` and the `pv.kubernetes.io/bind-completed` and
//! `bound-by-controller` annotations on the claim; phases Pending → Bound); a claim of a class with
//! a provisioner gets a PV `pvc-<uid>` (see `provisioner`) — at once for `Immediate` classes, and
//! for `WaitForFirstConsumer` ones once the scheduler picked a node (`volume.kubernetes.io/selected-
//! node`), saying `WaitForFirstConsumer` until then. A released dynamically provisioned volume with
//! reclaim policy Delete is deleted. `kubernetes.io/pvc-protection` goes from a deleted claim once
//! no pod uses it, `kubernetes.io/pv-protection` from a deleted volume once it is not Bound.

pub mod provisioner;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, Pod};

use self::provisioner::{ANN_PROVISIONED_BY, PROVISIONER_IDENTITY, PROVISIONING_DELAY_MS, provision};
use super::controller_utils::is_pod_active;
use super::periodic::start_informer;
use super::queue::{KeyQueue, Requeue};
use super::{SyncError, controller_identity, record_decision};
use crate::api::{Kind, Object};
use crate::apiserver::{ApiServer, DeleteOptions, Identity, ListOptions, Reason, WatchEvent, WriteOptions};
use crate::client::{Ctx, Delta, EventKind, Informer, Process, Recorder, object_key};
use crate::sim::trace::Component;
use crate::sim::{Duration, Time};

const NAME: &str = "persistentvolume-binder";
pub const PVC_PROTECTION: &str = "kubernetes.io/pvc-protection";
pub const PV_PROTECTION: &str = "kubernetes.io/pv-protection";
pub const ANN_BIND_COMPLETED: &str = "pv.kubernetes.io/bind-completed";
pub const ANN_BOUND_BY_CONTROLLER: &str = "pv.kubernetes.io/bound-by-controller";
pub const ANN_SELECTED_NODE: &str = "volume.kubernetes.io/selected-node";
const ANN_STORAGE_PROVISIONER: &str = "volume.kubernetes.io/storage-provisioner";
const ANN_BETA_STORAGE_PROVISIONER: &str = "volume.beta.kubernetes.io/storage-provisioner";
const NO_PROVISIONER: &str = "kubernetes.io/no-provisioner";

/// The PersistentVolume controller process.
pub struct PersistentVolumeController {
    who: Identity,
    recorder: Recorder,
    provisioner_recorder: Recorder,
    claims: Informer,
    volumes: Informer,
    classes: Informer,
    pods: Informer,
    /// Keys `claim/<ns>/<name>` and `volume/<name>`.
    queue: KeyQueue,
    /// Claim key → pod keys that mount it.
    pods_by_claim: BTreeMap<String, BTreeSet<String>>,
    /// Claim key → when its volume is ready (provisioning under way).
    provisioning: BTreeMap<String, Time>,
    /// Keys a sync queued for the next round.
    handed_over: Vec<String>,
}

impl Default for PersistentVolumeController {
    fn default() -> Self {
        Self::new()
    }
}

fn annotation<'a>(meta: &'a k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta, key: &str) -> Option<&'a str> {
    meta.annotations.as_ref().and_then(|a| a.get(key)).map(String::as_str)
}

fn set_annotation(meta: &mut k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta, key: &str, value: &str) {
    meta.annotations.get_or_insert_with(Default::default).insert(key.to_string(), value.to_string());
}

fn claim_names(pod: &Pod) -> impl Iterator<Item = &str> {
    pod.spec
        .iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .filter_map(|v| v.persistent_volume_claim.as_ref().map(|c| c.claim_name.as_str()))
}

fn pv_phase(pv: &PersistentVolume) -> &str {
    pv.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("")
}

fn storage_of(pv_or_claim: Option<&BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>>) -> i64 {
    pv_or_claim
        .and_then(|m| m.get("storage"))
        .and_then(|q| crate::api::quantity::Quantity::from_api(q).ok())
        .map(|q| q.value())
        .unwrap_or(0)
}

/// Removes `finalizer` from a terminating object (the deletion then completes).
fn drop_finalizer(api: &mut ApiServer, who: &Identity, obj: &Object, finalizer: &str) -> Result<(), SyncError> {
    if !obj.meta().finalizers.iter().flatten().any(|f| f == finalizer) {
        return Ok(());
    }
    let mut next = obj.clone();
    next.meta_mut().finalizers.get_or_insert_with(Vec::new).retain(|f| f != finalizer);
    match api.update(who, next, &WriteOptions::default()) {
        Ok(_) => Ok(()),
        Err(e) if e.reason == Reason::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}

impl PersistentVolumeController {
    pub fn new() -> Self {
        let who = controller_identity(NAME);
        let source = format!("rancher.io/local-path_{PROVISIONER_IDENTITY}");
        PersistentVolumeController {
            recorder: Recorder::new("persistentvolume-controller", None, who.clone()),
            provisioner_recorder: Recorder::new(&source, None, who.clone()),
            who,
            claims: Informer::new(Kind::PersistentVolumeClaim, None, ListOptions::default()),
            volumes: Informer::new(Kind::PersistentVolume, None, ListOptions::default()),
            classes: Informer::new(Kind::StorageClass, None, ListOptions::default()),
            pods: Informer::new(Kind::Pod, None, ListOptions::default()),
            queue: KeyQueue::default(),
            pods_by_claim: BTreeMap::new(),
            provisioning: BTreeMap::new(),
            handed_over: Vec::new(),
        }
    }

    fn on_claim(&mut self, delta: &Delta) {
        self.queue.add(format!("claim/{}", object_key(delta.object())));
        if let Delta::Deleted(_) = delta {
            // Its volume is released.
            for pv in self.volumes.cache().iter() {
                if let Object::PersistentVolume(v) = pv
                    && v.spec.as_ref().and_then(|s| s.claim_ref.as_ref()).and_then(|r| r.uid.as_deref())
                        == Some(delta.object().uid())
                {
                    self.queue.add(format!("volume/{}", pv.name()));
                }
            }
        }
    }

    fn on_volume(&mut self, delta: &Delta) {
        let obj = delta.object();
        self.queue.add(format!("volume/{}", obj.name()));
        if let Object::PersistentVolume(pv) = obj
            && let Some(r) = pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref())
        {
            let ns = r.namespace.as_deref().unwrap_or("");
            self.queue.add(format!("claim/{ns}/{}", r.name.as_deref().unwrap_or("")));
        }
    }

    fn on_pod(&mut self, delta: &Delta) {
        let key = object_key(delta.object());
        let ns = delta.object().namespace().unwrap_or("").to_string();
        let mut touched = BTreeSet::new();
        if let Delta::Updated { old, .. } = delta
            && let Some(p) = old.as_pod()
        {
            touched.extend(claim_names(p).map(|c| format!("{ns}/{c}")));
        }
        for c in &touched {
            if let Some(set) = self.pods_by_claim.get_mut(c) {
                set.remove(&key);
            }
        }
        if let Some(p) = delta.object().as_pod() {
            let claims: Vec<String> = claim_names(p).map(|c| format!("{ns}/{c}")).collect();
            for c in &claims {
                if !matches!(delta, Delta::Deleted(_)) {
                    self.pods_by_claim.entry(c.clone()).or_default().insert(key.clone());
                } else if let Some(set) = self.pods_by_claim.get_mut(c) {
                    set.remove(&key);
                }
            }
            touched.extend(claims);
        }
        for c in touched {
            if self.pods_by_claim.get(&c).is_some_and(BTreeSet::is_empty) {
                self.pods_by_claim.remove(&c);
            }
            self.queue.add(format!("claim/{c}"));
        }
    }

    /// The pods that mount the claim, from the index.
    fn users<'a>(&'a self, claim_key: &str) -> impl Iterator<Item = &'a Pod> + 'a {
        self.pods_by_claim.get(claim_key).into_iter().flatten().filter_map(|k| self.pods.cache().get(k)?.as_pod())
    }

    fn sync(&mut self, key: &str, api: &mut ApiServer) -> Result<Requeue, SyncError> {
        match key.split_once('/') {
            Some(("claim", k)) => self.sync_claim(k, api),
            Some(("volume", k)) => self.sync_volume(k, api).map(|()| Requeue::No),
            _ => Ok(Requeue::No),
        }
    }

    fn set_claim_phase(
        &mut self,
        api: &mut ApiServer,
        claim: &PersistentVolumeClaim,
        phase: &str,
        pv: Option<&PersistentVolume>,
    ) -> Result<(), SyncError> {
        let mut next = claim.clone();
        let status = next.status.get_or_insert_with(Default::default);
        status.phase = Some(phase.into());
        status.access_modes = pv.and_then(|v| v.spec.as_ref()).and_then(|s| s.access_modes.clone());
        status.capacity = pv.and_then(|v| v.spec.as_ref()).and_then(|s| s.capacity.clone());
        if next.status == claim.status {
            return Ok(());
        }
        api.update_status(&self.who, Object::PersistentVolumeClaim(Arc::new(next)))?;
        Ok(())
    }

    fn set_volume_phase(&mut self, api: &mut ApiServer, pv: &PersistentVolume, phase: &str) -> Result<(), SyncError> {
        if pv_phase(pv) == phase {
            return Ok(());
        }
        let mut next = pv.clone();
        next.status.get_or_insert_with(Default::default).phase = Some(phase.into());
        api.update_status(&self.who, Object::PersistentVolume(Arc::new(next)))?;
        Ok(())
    }

    /// `bind`: the volume to the claim, then the claim to the volume, each with its phase.
    fn bind(
        &mut self,
        api: &mut ApiServer,
        pv: &PersistentVolume,
        claim: &PersistentVolumeClaim,
    ) -> Result<(), SyncError> {
        let claim_obj = Object::PersistentVolumeClaim(Arc::new(claim.clone()));
        let pv_name = pv.metadata.name.clone().unwrap_or_default();
        let mut pv = pv.clone();
        let claim_uid = claim.metadata.uid.clone();
        let spec = pv.spec.get_or_insert_with(Default::default);
        if spec.claim_ref.as_ref().and_then(|r| r.uid.clone()) != claim_uid {
            let mut r = crate::client::events::object_reference(&claim_obj);
            r.api_version = Some("v1".into());
            spec.claim_ref = Some(r);
            set_annotation(&mut pv.metadata, ANN_BOUND_BY_CONTROLLER, "yes");
            let obj = Object::PersistentVolume(Arc::new(pv.clone()));
            match api.update(&self.who, obj, &WriteOptions::default())? {
                Object::PersistentVolume(stored) => pv = (*stored).clone(),
                _ => return Ok(()),
            }
        }
        self.set_volume_phase(api, &pv, "Bound")?;
        let mut next = claim.clone();
        let spec = next.spec.get_or_insert_with(Default::default);
        if spec.volume_name.as_deref() != Some(pv_name.as_str()) {
            spec.volume_name = Some(pv_name.clone());
            set_annotation(&mut next.metadata, ANN_BOUND_BY_CONTROLLER, "yes");
        }
        set_annotation(&mut next.metadata, ANN_BIND_COMPLETED, "yes");
        let mut claim = claim.clone();
        if next != claim {
            record_decision(
                api,
                NAME,
                "bind",
                &claim_obj,
                format!("binding claim {} to volume {pv_name}", claim_obj.name()),
            );
            match api.update(&self.who, Object::PersistentVolumeClaim(Arc::new(next)), &WriteOptions::default())? {
                Object::PersistentVolumeClaim(stored) => claim = (*stored).clone(),
                _ => return Ok(()),
            }
        }
        self.set_claim_phase(api, &claim, "Bound", Some(&pv))
    }

    fn sync_claim(&mut self, key: &str, api: &mut ApiServer) -> Result<Requeue, SyncError> {
        let Some(obj) = self.claims.cache().get(key).cloned() else {
            self.provisioning.remove(key);
            return Ok(Requeue::No);
        };
        let Object::PersistentVolumeClaim(claim) = &obj else { return Ok(Requeue::No) };
        if claim.metadata.deletion_timestamp.is_some() {
            // pvc-protection: the claim may go once no running pod uses it.
            if !self.users(key).any(is_pod_active) {
                drop_finalizer(api, &self.who, &obj, PVC_PROTECTION)?;
            }
            return Ok(Requeue::No);
        }
        let volume_name = claim.spec.as_ref().and_then(|s| s.volume_name.clone()).filter(|v| !v.is_empty());
        let volume = |name: &str| match self.volumes.cache().get(name) {
            Some(Object::PersistentVolume(v)) => Some(v.clone()),
            _ => None,
        };
        if annotation(&claim.metadata, ANN_BIND_COMPLETED).is_some() {
            return self.sync_bound_claim(api, claim, volume_name.as_deref().and_then(volume)).map(|()| Requeue::No);
        }
        if let Some(pv) = volume_name.as_deref().and_then(volume) {
            let claimed_by = pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref()).and_then(|r| r.uid.clone());
            if claimed_by.is_none() || claimed_by == claim.metadata.uid {
                self.bind(api, &pv, claim)?;
                return Ok(Requeue::No);
            }
        }
        if let Some(pv) = self.find_volume(claim) {
            self.bind(api, &pv, claim)?;
            return Ok(Requeue::No);
        }
        self.set_claim_phase(api, claim, "Pending", None)?;
        if volume_name.is_some() {
            return Ok(Requeue::No);
        }
        self.provision_claim(api, key, &obj)
    }

    /// `syncBoundClaim`: a bound claim whose volume vanished or went to another claim is Lost.
    fn sync_bound_claim(
        &mut self,
        api: &mut ApiServer,
        claim: &PersistentVolumeClaim,
        pv: Option<Arc<PersistentVolume>>,
    ) -> Result<(), SyncError> {
        let obj = Object::PersistentVolumeClaim(Arc::new(claim.clone()));
        let lost = |msg: &str| {
            (claim.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Lost")).then(|| msg.to_string())
        };
        let problem = match &pv {
            None => lost("Bound claim has lost its PersistentVolume. Data on the volume is lost!"),
            Some(v) => match v.spec.as_ref().and_then(|s| s.claim_ref.as_ref()).and_then(|r| r.uid.clone()) {
                None => return self.bind(api, v, claim),
                Some(uid) if Some(&uid) == claim.metadata.uid.as_ref() => return self.bind(api, v, claim),
                Some(_) => lost("Two claims are bound to the same volume, this one is bound incorrectly"),
            },
        };
        if let Some(msg) = problem {
            self.set_claim_phase(api, claim, "Lost", None)?;
            let reason = if pv.is_none() { "ClaimLost" } else { "ClaimMisbound" };
            self.recorder.event(api, &obj, None, EventKind::Warning, reason, &msg);
        }
        Ok(())
    }

    /// `findBestMatchForClaim`: the smallest Available volume of the claim's class that is big enough
    /// and offers its access modes, or the one provisioned for it.
    fn find_volume(&self, claim: &PersistentVolumeClaim) -> Option<PersistentVolume> {
        let spec = claim.spec.as_ref()?;
        let class = spec.storage_class_name.clone().unwrap_or_default();
        let wanted = storage_of(spec.resources.as_ref().and_then(|r| r.requests.as_ref()));
        let modes = spec.access_modes.clone().unwrap_or_default();
        let waiting = self.waits_for_consumer(&class) && annotation(&claim.metadata, ANN_SELECTED_NODE).is_none();
        let mut best: Option<(i64, PersistentVolume)> = None;
        for obj in self.volumes.cache().iter() {
            let Object::PersistentVolume(pv) = obj else { continue };
            let Some(s) = pv.spec.as_ref() else { continue };
            if pv.metadata.deletion_timestamp.is_some() {
                continue;
            }
            match s.claim_ref.as_ref() {
                Some(r) if r.uid.is_some() && r.uid == claim.metadata.uid => return Some((**pv).clone()),
                Some(_) => continue,
                None if waiting => continue,
                None => {}
            }
            let size = storage_of(s.capacity.as_ref());
            let offers = s.access_modes.clone().unwrap_or_default();
            if s.storage_class_name.clone().unwrap_or_default() != class
                || size < wanted
                || !modes.iter().all(|m| offers.contains(m))
                || pv_phase(pv) != "Available"
            {
                continue;
            }
            if best.as_ref().is_none_or(|(b, _)| size < *b) {
                best = Some((size, (**pv).clone()));
            }
        }
        best.map(|(_, pv)| pv)
    }

    fn waits_for_consumer(&self, class: &str) -> bool {
        matches!(self.classes.cache().get(class), Some(Object::StorageClass(sc)) if sc.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer"))
    }

    /// `provisionClaim` and the external provisioner's work.
    fn provision_claim(&mut self, api: &mut ApiServer, key: &str, obj: &Object) -> Result<Requeue, SyncError> {
        let Object::PersistentVolumeClaim(claim) = obj else { return Ok(Requeue::No) };
        let class_name = claim.spec.as_ref().and_then(|s| s.storage_class_name.clone()).unwrap_or_default();
        if class_name.is_empty() {
            let msg = "no persistent volumes available for this claim and no storage class is set";
            self.recorder.event(api, obj, None, EventKind::Normal, "FailedBinding", msg);
            return Ok(Requeue::No);
        }
        let Some(Object::StorageClass(class)) = self.classes.cache().get(&class_name).cloned() else {
            let msg = format!("storageclass.storage.k8s.io \"{class_name}\" not found");
            self.recorder.event(api, obj, None, EventKind::Warning, "ProvisioningFailed", &msg);
            return Ok(Requeue::No);
        };
        let mut node = annotation(&claim.metadata, ANN_SELECTED_NODE).map(str::to_string);
        if self.waits_for_consumer(&class_name) && node.is_none() {
            // The scheduler names the node when it places the first pod that mounts the claim.
            node = self.users(key).find_map(|p| p.spec.as_ref()?.node_name.clone());
            if node.is_none() {
                let msg = "waiting for first consumer to be created before binding";
                self.recorder.event(api, obj, None, EventKind::Normal, "WaitForFirstConsumer", msg);
                return Ok(Requeue::No);
            }
        }
        if class.provisioner.is_empty() || class.provisioner == NO_PROVISIONER {
            return Ok(Requeue::No);
        }
        if annotation(&claim.metadata, ANN_STORAGE_PROVISIONER).is_none()
            || annotation(&claim.metadata, ANN_SELECTED_NODE).map(str::to_string) != node
        {
            let mut next = (**claim).clone();
            set_annotation(&mut next.metadata, ANN_BETA_STORAGE_PROVISIONER, &class.provisioner);
            set_annotation(&mut next.metadata, ANN_STORAGE_PROVISIONER, &class.provisioner);
            if let Some(n) = &node {
                set_annotation(&mut next.metadata, ANN_SELECTED_NODE, n);
            }
            api.update(&self.who, Object::PersistentVolumeClaim(Arc::new(next)), &WriteOptions::default())?;
            let msg = format!(
                "Waiting for a volume to be created either by the external provisioner '{}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.",
                class.provisioner
            );
            self.recorder.event(api, obj, None, EventKind::Normal, "ExternalProvisioning", &msg);
            // The annotated claim comes back through the watch.
            return Ok(Requeue::No);
        }
        let now = api.now();
        let Some(&ready) = self.provisioning.get(key) else {
            let ready = now.after(Duration::from_millis(PROVISIONING_DELAY_MS));
            self.provisioning.insert(key.to_string(), ready);
            let msg = format!("External provisioner is provisioning volume for claim \"{key}\"");
            self.provisioner_recorder.event(api, obj, None, EventKind::Normal, "Provisioning", &msg);
            return Ok(Requeue::At(ready));
        };
        if ready > now {
            return Ok(Requeue::At(ready));
        }
        let pv = provision(claim, &class, node.as_deref());
        let pv_obj = Object::PersistentVolume(Arc::new(pv));
        record_decision(api, NAME, "provision", obj, format!("provisioned volume {} for claim {key}", pv_obj.name()));
        match api.create(&self.who, pv_obj.clone(), &WriteOptions::default()) {
            Ok(_) => {}
            Err(e) if e.reason == Reason::AlreadyExists => {}
            Err(e) => return Err(e.into()),
        }
        self.provisioning.remove(key);
        let msg = format!("Successfully provisioned volume {}", pv_obj.name());
        self.provisioner_recorder.event(api, obj, None, EventKind::Normal, "ProvisioningSucceeded", &msg);
        Ok(Requeue::No)
    }

    /// `syncVolume`.
    fn sync_volume(&mut self, name: &str, api: &mut ApiServer) -> Result<(), SyncError> {
        let Some(obj) = self.volumes.cache().get(name).cloned() else { return Ok(()) };
        let Object::PersistentVolume(pv) = &obj else { return Ok(()) };
        if pv.metadata.deletion_timestamp.is_some() {
            // pv-protection: a volume may go once no claim is bound to it.
            if pv_phase(pv) != "Bound" {
                drop_finalizer(api, &self.who, &obj, PV_PROTECTION)?;
            }
            return Ok(());
        }
        let Some(r) = pv.spec.as_ref().and_then(|s| s.claim_ref.clone()) else {
            return self.set_volume_phase(api, pv, "Available");
        };
        if r.uid.as_deref().is_none_or(str::is_empty) {
            return self.set_volume_phase(api, pv, "Available");
        }
        let claim_key = format!("{}/{}", r.namespace.as_deref().unwrap_or(""), r.name.as_deref().unwrap_or(""));
        let claim = match self.claims.cache().get(&claim_key) {
            Some(Object::PersistentVolumeClaim(c)) if c.metadata.uid == r.uid => Some(c.clone()),
            _ => None,
        };
        let Some(claim) = claim else {
            if !matches!(pv_phase(pv), "Released" | "Failed") {
                self.set_volume_phase(api, pv, "Released")?;
            }
            let reclaim = pv.spec.as_ref().and_then(|s| s.persistent_volume_reclaim_policy.as_deref());
            if reclaim == Some("Delete") && annotation(&pv.metadata, ANN_PROVISIONED_BY).is_some() {
                record_decision(
                    api,
                    NAME,
                    "delete",
                    &obj,
                    format!("volume {name} is released: deleting it (reclaim policy Delete)"),
                );
                match api.delete(&self.who, Kind::PersistentVolume, None, name, &DeleteOptions::default()) {
                    Ok(_) => {}
                    Err(e) if e.reason == Reason::NotFound => {}
                    Err(e) => return Err(e.into()),
                }
            }
            return Ok(());
        };
        match claim.spec.as_ref().and_then(|s| s.volume_name.as_deref()) {
            None | Some("") => self.handed_over.push(format!("claim/{claim_key}")),
            Some(v) if v == name => self.set_volume_phase(api, pv, "Bound")?,
            Some(_) => {}
        }
        Ok(())
    }

    fn run(&mut self, ctx: &mut Ctx<'_>) {
        // A volume sync may hand its claim over (`claimQueue.Add`); a few rounds settle that.
        for _ in 0..4 {
            let mut queue = std::mem::take(&mut self.queue);
            for key in std::mem::take(&mut self.handed_over) {
                queue.add(key);
            }
            queue.run(ctx, |key, ctx| self.sync(key, ctx.api));
            self.queue = queue;
            if self.handed_over.is_empty() {
                break;
            }
        }
    }
}

impl Process for PersistentVolumeController {
    fn component(&self) -> Component {
        Component::ControllerManager(NAME)
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        start_informer(&mut self.classes, &self.who, ctx);
        for d in start_informer(&mut self.pods, &self.who, ctx) {
            self.on_pod(&d);
        }
        for d in start_informer(&mut self.volumes, &self.who, ctx) {
            self.on_volume(&d);
        }
        for d in start_informer(&mut self.claims, &self.who, ctx) {
            self.on_claim(&d);
        }
        self.run(ctx);
    }

    fn stop(&mut self, api: &mut ApiServer) {
        for inf in [&mut self.classes, &mut self.pods, &mut self.volumes, &mut self.claims] {
            inf.stop(api);
        }
        self.queue.clear();
        self.provisioning.clear();
    }

    fn on_events(&mut self, events: &[WatchEvent], ctx: &mut Ctx<'_>) {
        for ev in events {
            if let Some(d) = self.claims.handle(ev) {
                self.on_claim(&d);
            } else if let Some(d) = self.volumes.handle(ev) {
                self.on_volume(&d);
            } else if let Some(d) = self.pods.handle(ev) {
                self.on_pod(&d);
            } else {
                self.classes.handle(ev);
            }
        }
        self.run(ctx);
    }

    fn on_timer(&mut self, _token: u64, ctx: &mut Ctx<'_>) {
        self.run(ctx);
    }
}
