//! The disruption controller (`disruption-controller`): each PodDisruptionBudget's status — how many
//! of its pods are healthy (Ready and not being deleted), how many must stay healthy (minAvailable,
//! or the expected pods less maxUnavailable, percentages taken of the controllers' replicas), hence
//! how many voluntary disruptions are allowed now, and the `DisruptionAllowed` condition
//! (`SufficientPods` / `InsufficientPods`) that eviction and `kubectl drain` read.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::controller_utils::{controller_ref, is_pod_ready, labels_of};
use super::deployment::util::scaled_value;
use super::periodic::start_informer;
use super::queue::{KeyQueue, Requeue};
use super::{SyncError, controller_identity};
use crate::api::labels::Selector;
use crate::api::{Kind, Object};
use crate::apiserver::strategy::timestamp;
use crate::apiserver::{ApiServer, Identity, ListOptions, Reason, WatchEvent};
use crate::client::{Ctx, Delta, EventKind, Informer, Process, Recorder, object_key};
use crate::sim::trace::Component;

const NAME: &str = "disruption";

/// The disruption controller process.
pub struct DisruptionController {
    who: Identity,
    recorder: Recorder,
    budgets: Informer,
    pods: Informer,
    queue: KeyQueue,
}

impl Default for DisruptionController {
    fn default() -> Self {
        Self::new()
    }
}

impl DisruptionController {
    pub fn new() -> Self {
        let who = controller_identity(NAME);
        DisruptionController {
            recorder: Recorder::new("controllermanager", None, who.clone()),
            who,
            budgets: Informer::new(Kind::PodDisruptionBudget, None, ListOptions::default()),
            pods: Informer::new(Kind::Pod, None, ListOptions::default()),
            queue: KeyQueue::default(),
        }
    }

    fn selector(pdb: &PodDisruptionBudget) -> Option<Selector> {
        pdb.spec.as_ref()?.selector.as_ref().and_then(|s| Selector::from_label_selector(s).ok())
    }

    /// Queues the budgets of the pod's namespace that select it (`getPdbForPod`).
    fn on_pod(&mut self, delta: &Delta) {
        let obj = delta.object();
        let ns = obj.namespace().unwrap_or("");
        let mut labels = vec![labels_of(obj.meta()).clone()];
        if let Delta::Updated { old, .. } = delta {
            labels.push(labels_of(old.meta()).clone());
        }
        let keys: Vec<String> = self
            .budgets
            .cache()
            .in_namespace(ns)
            .filter(|b| match b {
                Object::PodDisruptionBudget(p) => {
                    Self::selector(p).is_some_and(|s| !s.is_empty() && labels.iter().any(|l| s.matches(l)))
                }
                _ => false,
            })
            .map(object_key)
            .collect();
        for k in keys {
            self.queue.add(k);
        }
    }

    /// `getExpectedScale`: the replicas of the controllers of the budget's pods.
    fn expected_scale(
        &self,
        api: &mut ApiServer,
        ns: &str,
        pods: &[&k8s_openapi::api::core::v1::Pod],
    ) -> Result<i32, String> {
        let mut controllers: BTreeMap<(String, String), i32> = BTreeMap::new();
        for pod in pods {
            let none = || format!("found no controllers for pod {:?}", pod.metadata.name.as_deref().unwrap_or(""));
            let r = controller_ref(&pod.metadata).ok_or_else(none)?;
            let key = (r.kind.clone(), r.name.clone());
            if controllers.contains_key(&key) {
                continue;
            }
            let kind = match r.kind.as_str() {
                "ReplicaSet" => Kind::ReplicaSet,
                "StatefulSet" => Kind::StatefulSet,
                "Deployment" => Kind::Deployment,
                _ => return Err(none()),
            };
            let owner = api.get(&self.who, kind, Some(ns), &r.name).map_err(|e| e.message)?;
            // A ReplicaSet of a Deployment counts with the Deployment's scale.
            let owner = match (&owner, controller_ref(owner.meta())) {
                (Object::ReplicaSet(_), Some(d)) if d.kind == "Deployment" => {
                    api.get(&self.who, Kind::Deployment, Some(ns), &d.name).map_err(|e| e.message)?
                }
                _ => owner,
            };
            let replicas = match &owner {
                Object::ReplicaSet(o) => o.spec.as_ref().and_then(|s| s.replicas),
                Object::Deployment(o) => o.spec.as_ref().and_then(|s| s.replicas),
                Object::StatefulSet(o) => o.spec.as_ref().and_then(|s| s.replicas),
                _ => None,
            };
            controllers.insert((owner.kind().as_str().to_string(), owner.name().to_string()), replicas.unwrap_or(1));
        }
        Ok(controllers.values().sum())
    }

    fn sync(&mut self, key: &str, api: &mut ApiServer) -> Result<Requeue, SyncError> {
        let Some(Object::PodDisruptionBudget(pdb)) = self.budgets.cache().get(key).cloned() else {
            return Ok(Requeue::No);
        };
        let obj = Object::PodDisruptionBudget(pdb.clone());
        let ns = obj.namespace().unwrap_or("").to_string();
        let selector = Self::selector(&pdb).filter(|s| !s.is_empty());
        let pods: Vec<&k8s_openapi::api::core::v1::Pod> = match &selector {
            Some(s) => self
                .pods
                .cache()
                .in_namespace(&ns)
                .filter_map(Object::as_pod)
                .filter(|p| s.matches(labels_of(&p.metadata)))
                .collect(),
            None => Vec::new(),
        };
        let pods: Vec<k8s_openapi::api::core::v1::Pod> = pods.into_iter().cloned().collect();
        let refs: Vec<&k8s_openapi::api::core::v1::Pod> = pods.iter().collect();
        if pods.is_empty() {
            self.recorder.event(api, &obj, None, EventKind::Normal, "NoPods", "No matching pods found");
        }
        let spec = pdb.spec.clone().unwrap_or_default();
        let current_healthy =
            i32::try_from(pods.iter().filter(|p| p.metadata.deletion_timestamp.is_none() && is_pod_ready(p)).count())
                .unwrap_or(i32::MAX);
        let counts = match (&spec.max_unavailable, &spec.min_available) {
            (Some(max), _) => self
                .expected_scale(api, &ns, &refs)
                .map(|expected| (expected, (expected - scaled_value(Some(max), expected, true)).max(0))),
            (None, Some(IntOrString::Int(min))) => Ok((i32::try_from(pods.len()).unwrap_or(i32::MAX), *min)),
            (None, Some(min)) => {
                self.expected_scale(api, &ns, &refs).map(|expected| (expected, scaled_value(Some(min), expected, true)))
            }
            (None, None) => Ok((i32::try_from(pods.len()).unwrap_or(i32::MAX), 0)),
        };
        let (expected, desired_healthy) = match counts {
            Ok(c) => c,
            Err(why) => {
                let msg = format!("Failed to calculate the number of expected pods: {why}");
                self.recorder.event(api, &obj, None, EventKind::Warning, "CalculateExpectedPodCountFailed", &msg);
                return Ok(Requeue::No);
            }
        };
        let allowed = (current_healthy - desired_healthy).max(0);
        self.update_status(api, &pdb, current_healthy, desired_healthy, expected, allowed)
    }

    fn update_status(
        &mut self,
        api: &mut ApiServer,
        pdb: &PodDisruptionBudget,
        current_healthy: i32,
        desired_healthy: i32,
        expected: i32,
        allowed: i32,
    ) -> Result<Requeue, SyncError> {
        let old = pdb.status.clone().unwrap_or_default();
        let (status, reason) = if allowed > 0 { ("True", "SufficientPods") } else { ("False", "InsufficientPods") };
        let previous = old.conditions.iter().flatten().find(|c| c.type_ == "DisruptionAllowed");
        let transition = match previous {
            Some(c) if c.status == status => c.last_transition_time.clone(),
            _ => timestamp(api.clock().unix_millis(api.now())),
        };
        let next = PodDisruptionBudgetStatus {
            current_healthy: Some(current_healthy),
            desired_healthy: Some(desired_healthy),
            expected_pods: Some(expected),
            disruptions_allowed: Some(allowed),
            disrupted_pods: old.disrupted_pods.clone(),
            observed_generation: pdb.metadata.generation,
            conditions: Some(vec![Condition {
                type_: "DisruptionAllowed".into(),
                status: status.into(),
                reason: reason.into(),
                message: String::new(),
                observed_generation: pdb.metadata.generation,
                last_transition_time: transition,
            }]),
        };
        if pdb.status.as_ref() == Some(&next) {
            return Ok(Requeue::No);
        }
        let mut updated = pdb.clone();
        updated.status = Some(next);
        match api.update_status(&self.who, Object::PodDisruptionBudget(Arc::new(updated))) {
            Ok(_) => Ok(Requeue::No),
            Err(e) if e.reason == Reason::NotFound => Ok(Requeue::No),
            Err(e) => Err(e.into()),
        }
    }

    fn run(&mut self, ctx: &mut Ctx<'_>) {
        let mut queue = std::mem::take(&mut self.queue);
        queue.run(ctx, |key, ctx| self.sync(key, ctx.api));
        self.queue = queue;
    }
}

impl Process for DisruptionController {
    fn component(&self) -> Component {
        Component::ControllerManager(NAME)
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        start_informer(&mut self.pods, &self.who, ctx);
        for d in start_informer(&mut self.budgets, &self.who, ctx) {
            self.queue.add(object_key(d.object()));
        }
        self.run(ctx);
    }

    fn stop(&mut self, api: &mut ApiServer) {
        self.budgets.stop(api);
        self.pods.stop(api);
        self.queue.clear();
    }

    fn on_events(&mut self, events: &[WatchEvent], ctx: &mut Ctx<'_>) {
        for ev in events {
            if let Some(d) = self.budgets.handle(ev) {
                if !matches!(d, Delta::Deleted(_)) {
                    self.queue.add(object_key(d.object()));
                }
            } else if let Some(d) = self.pods.handle(ev) {
                self.on_pod(&d);
            }
        }
        self.run(ctx);
    }

    fn on_timer(&mut self, _token: u64, ctx: &mut Ctx<'_>) {
        self.run(ctx);
    }
}
