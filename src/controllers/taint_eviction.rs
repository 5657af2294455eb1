//! The taint eviction controller (`taint-eviction-controller`, the NoExecute taint manager): a pod
//! on a node with NoExecute taints it does not tolerate is deleted at once; one that tolerates them
//! for a while (`tolerationSeconds`, 300 s from the DefaultTolerationSeconds admission for
//! not-ready and unreachable nodes) is deleted when the shortest of those times has passed since
//! the controller noticed, unless the taints go first (then the eviction is cancelled). An evicted
//! pod gets the `DisruptionTarget` condition, a `TaintManagerEviction` event and a graceful delete;
//! on a dead node nobody finishes that delete, so the pod stays Terminating, as upstream shows it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Pod, PodCondition, Taint, Toleration};

use super::controller_utils::pod_node_name;
use super::daemon_util::tolerates;
use super::node_lifecycle::taints::{NO_EXECUTE, taints_of};
use super::periodic::start_informer;
use super::{controller_identity, record_decision};
use crate::api::{Kind, Object};
use crate::apiserver::strategy::timestamp;
use crate::apiserver::{ApiServer, DeleteOptions, Identity, ListOptions, WatchEvent};
use crate::client::{Ctx, Delta, EventKind, Informer, Process, Recorder, object_key};
use crate::sim::trace::Component;
use crate::sim::{Duration, Time};

const NAME: &str = "taint-eviction";
const TOKEN_EVICT: u64 = 2;

/// An eviction waiting for its time.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Scheduled {
    uid: String,
    created: Time,
    fire: Time,
}

/// The taint eviction controller process.
pub struct TaintEvictionController {
    who: Identity,
    recorder: Recorder,
    nodes: Informer,
    pods: Informer,
    /// Pod key → its scheduled eviction (`taintEvictionQueue`).
    scheduled: BTreeMap<String, Scheduled>,
    by_time: BTreeSet<(Time, String)>,
    armed: Option<Time>,
}

impl Default for TaintEvictionController {
    fn default() -> Self {
        Self::new()
    }
}

/// The node's NoExecute taints.
fn no_execute(node: Option<&Object>) -> Vec<Taint> {
    node.and_then(Object::as_node)
        .map(|n| taints_of(n).iter().filter(|t| t.effect == NO_EXECUTE).cloned().collect())
        .unwrap_or_default()
}

fn tolerations_of(pod: &Pod) -> &[Toleration] {
    pod.spec.as_ref().and_then(|s| s.tolerations.as_deref()).unwrap_or(&[])
}

/// `GetMatchingTolerations` then `getMinTolerationTime`: None when some taint is not tolerated
/// (evict now), Some(None) when every used toleration lasts forever, Some(Some(d)) otherwise.
pub fn toleration_time(taints: &[Taint], tolerations: &[Toleration]) -> Option<Option<Duration>> {
    let mut min: Option<i64> = None;
    let mut forever = true;
    for taint in taints {
        let used = tolerations.iter().find(|t| tolerates(std::slice::from_ref(*t), taint))?;
        if let Some(secs) = used.toleration_seconds {
            forever = false;
            min = Some(min.map_or(secs, |m| m.min(secs)));
        }
    }
    if forever {
        return Some(None);
    }
    let secs = u64::try_from(min.unwrap_or(0).max(0)).unwrap_or(0);
    Some(Some(Duration::from_secs(secs)))
}

impl TaintEvictionController {
    pub fn new() -> Self {
        let who = controller_identity(NAME);
        TaintEvictionController {
            recorder: Recorder::new("taint-eviction-controller", None, who.clone()),
            who,
            nodes: Informer::new(Kind::Node, None, ListOptions::default()),
            pods: Informer::new(Kind::Pod, None, ListOptions::default()).index_by_node(),
            scheduled: BTreeMap::new(),
            by_time: BTreeSet::new(),
            armed: None,
        }
    }

    fn pod_event(&mut self, api: &mut ApiServer, key: &str, message: String) {
        let (ns, name) = key.split_once('/').unwrap_or(("default", key));
        let mut obj = Object::empty(Kind::Pod);
        let meta = obj.meta_mut();
        meta.namespace = Some(ns.to_string());
        meta.name = Some(name.to_string());
        meta.uid = self.scheduled.get(key).map(|s| s.uid.clone());
        if let Some(p) = self.pods.cache().get(key) {
            obj = p.clone();
        }
        self.recorder.event(api, &obj, None, EventKind::Normal, "TaintManagerEviction", &message);
    }

    /// `cancelWorkWithEvent`.
    fn cancel(&mut self, api: &mut ApiServer, key: &str) {
        if let Some(s) = self.scheduled.get(key).cloned() {
            self.pod_event(api, key, format!("Cancelling deletion of Pod {key}"));
            self.by_time.remove(&(s.fire, key.to_string()));
            self.scheduled.remove(key);
        }
    }

    /// `processPodOnNode`.
    fn process_pod(&mut self, api: &mut ApiServer, pod_obj: &Object, taints: &[Taint]) {
        let Some(pod) = pod_obj.as_pod() else { return };
        let key = object_key(pod_obj);
        if taints.is_empty() || pod.metadata.deletion_timestamp.is_some() {
            self.cancel(api, &key);
            return;
        }
        let now = api.now();
        let wait = match toleration_time(taints, tolerations_of(pod)) {
            None => Duration::ZERO,
            Some(None) => {
                self.cancel(api, &key);
                return;
            }
            Some(Some(d)) => d,
        };
        if let Some(s) = self.scheduled.get(&key) {
            // A schedule made earlier stands.
            if s.created < now {
                return;
            }
            self.cancel(api, &key);
        }
        let fire = now.after(wait);
        let s = Scheduled { uid: pod_obj.uid().to_string(), created: now, fire };
        self.by_time.insert((fire, key.clone()));
        self.scheduled.insert(key, s);
    }

    fn process_node(&mut self, api: &mut ApiServer, node: &str) {
        let taints = no_execute(self.nodes.cache().get(node));
        let pods: Vec<Object> = self.pods.cache().on_node(node).cloned().collect();
        for p in &pods {
            self.process_pod(api, p, &taints);
        }
    }

    fn on_node(&mut self, api: &mut ApiServer, delta: &Delta) {
        let changed = match delta {
            Delta::Added(n) => !no_execute(Some(n)).is_empty(),
            Delta::Updated { old, new } => no_execute(Some(old)) != no_execute(Some(new)),
            Delta::Deleted(_) => true,
        };
        if changed {
            self.process_node(api, delta.object().name());
        }
    }

    fn on_pod(&mut self, api: &mut ApiServer, delta: &Delta) {
        let key = object_key(delta.object());
        match delta {
            Delta::Deleted(_) => self.cancel(api, &key),
            Delta::Updated { old, new } => {
                let (Some(o), Some(n)) = (old.as_pod(), new.as_pod()) else { return };
                if pod_node_name(o) == pod_node_name(n) && tolerations_of(o) == tolerations_of(n) {
                    return;
                }
                self.on_pod_placed(api, new);
            }
            Delta::Added(new) => self.on_pod_placed(api, new),
        }
    }

    fn on_pod_placed(&mut self, api: &mut ApiServer, obj: &Object) {
        let Some(node) = obj.as_pod().and_then(pod_node_name) else { return };
        let taints = no_execute(self.nodes.cache().get(node));
        if !taints.is_empty() || self.scheduled.contains_key(&object_key(obj)) {
            self.process_pod(api, obj, &taints);
        }
    }

    /// Deletes the pods whose time has come (`deletePodHandler` with `addConditionAndDeletePod`).
    fn fire(&mut self, ctx: &mut Ctx<'_>) {
        let now = ctx.now();
        if self.armed.is_some_and(|t| t <= now) {
            self.armed = None;
        }
        while let Some((at, key)) = self.by_time.first().cloned() {
            if at > now {
                break;
            }
            self.by_time.remove(&(at, key.clone()));
            let Some(s) = self.scheduled.remove(&key) else { continue };
            self.evict(ctx.api, &key, &s);
        }
        if let Some((next, _)) = self.by_time.first()
            && self.armed.is_none_or(|t| *next < t)
        {
            self.armed = Some(*next);
            ctx.wake_at(*next, TOKEN_EVICT);
        }
    }

    fn evict(&mut self, api: &mut ApiServer, key: &str, s: &Scheduled) {
        let Some(obj) = self.pods.cache().get(key).cloned() else { return };
        let Object::Pod(pod) = &obj else { return };
        if obj.uid() != s.uid {
            return;
        }
        self.recorder.event(
            api,
            &obj,
            None,
            EventKind::Normal,
            "TaintManagerEviction",
            &format!("Marking for deletion Pod {key}"),
        );
        record_decision(
            api,
            NAME,
            "evict",
            &obj,
            format!("pod {key} does not tolerate its node's NoExecute taints: deleting it"),
        );
        let mut next = (**pod).clone();
        let conditions = next.status.get_or_insert_with(Default::default).conditions.get_or_insert_with(Vec::new);
        if !conditions.iter().any(|c| c.type_ == "DisruptionTarget") {
            conditions.push(PodCondition {
                type_: "DisruptionTarget".into(),
                status: "True".into(),
                reason: Some("DeletionByTaintManager".into()),
                message: Some("Taint manager: deleting due to NoExecute taint".into()),
                last_transition_time: Some(timestamp(api.clock().unix_millis(api.now()))),
                ..Default::default()
            });
            let _ = api.update_status(&self.who, Object::Pod(Arc::new(next)));
        }
        let _ = api.delete(&self.who, Kind::Pod, obj.namespace(), obj.name(), &DeleteOptions::default());
    }
}

impl Process for TaintEvictionController {
    fn component(&self) -> Component {
        Component::ControllerManager(NAME)
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        start_informer(&mut self.pods, &self.who, ctx);
        let nodes = start_informer(&mut self.nodes, &self.who, ctx);
        for d in &nodes {
            self.on_node(ctx.api, d);
        }
        self.fire(ctx);
    }

    fn stop(&mut self, api: &mut ApiServer) {
        self.nodes.stop(api);
        self.pods.stop(api);
        self.scheduled.clear();
        self.by_time.clear();
        self.armed = None;
    }

    fn on_events(&mut self, events: &[WatchEvent], ctx: &mut Ctx<'_>) {
        for ev in events {
            if let Some(d) = self.nodes.handle(ev) {
                self.on_node(ctx.api, &d);
            } else if let Some(d) = self.pods.handle(ev) {
                self.on_pod(ctx.api, &d);
            }
        }
        self.fire(ctx);
    }

    fn on_timer(&mut self, _token: u64, ctx: &mut Ctx<'_>) {
        self.fire(ctx);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tol(key: &str, secs: Option<i64>) -> Toleration {
        Toleration {
            key: Some(key.into()),
            operator: Some("Exists".into()),
            effect: Some(NO_EXECUTE.into()),
            toleration_seconds: secs,
            value: None,
        }
    }

    #[test]
    fn the_shortest_used_toleration_decides() {
        let t = Taint { key: "node.kubernetes.io/unreachable".into(), effect: NO_EXECUTE.into(), ..Default::default() };
        assert_eq!(toleration_time(std::slice::from_ref(&t), &[]), None);
        let d = toleration_time(std::slice::from_ref(&t), &[tol("node.kubernetes.io/unreachable", Some(300))]);
        assert_eq!(d, Some(Some(Duration::from_secs(300))));
        assert_eq!(
            toleration_time(std::slice::from_ref(&t), &[tol("node.kubernetes.io/unreachable", None)]),
            Some(None)
        );
        assert_eq!(
            toleration_time(std::slice::from_ref(&t), &[tol("node.kubernetes.io/unreachable", Some(-5))]),
            Some(Some(Duration::ZERO))
        );
    }
}
