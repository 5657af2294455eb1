//! What the EndpointSlice and Endpoints controllers share, as upstream's `endpointslice/util` and
//! `controller/util/endpoint` do: which pods a Service selects (through the pod cache's label index,
//! never a scan of every pod), which Services a pod belongs to, whether a pod belongs in endpoints at
//! all, a Service port's target resolved on one pod (named ports per pod), the
//! `last-change-trigger-time` bookkeeping, and the informer plumbing both controllers run: Services,
//! Pods and the objects they own, with every relevant change turned into a Service key.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{ObjectReference, Pod, Service, ServicePort};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time as MetaTime;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::controller_utils::{is_pod_ready, labels_of};
use super::queue::{KeyQueue, Requeue};
use super::{SyncError, controller_identity};
use crate::api::{Kind, Object};
use crate::apiserver::{ApiServer, Identity, ListOptions, WatchEvent};
use crate::client::{Cache, Ctx, Delta, Informer, Process, object_key};
use crate::sim::trace::Component;

/// `endpoints.kubernetes.io/last-change-trigger-time`.
pub const TRIGGER_TIME_ANNOTATION: &str = "endpoints.kubernetes.io/last-change-trigger-time";
/// `service.kubernetes.io/headless`, set on the endpoints of a Service without a cluster IP.
pub const HEADLESS_LABEL: &str = "service.kubernetes.io/headless";

/// A Service's selector; None when it has none (its endpoints are managed by hand).
pub fn selector(svc: &Service) -> Option<&BTreeMap<String, String>> {
    svc.spec.as_ref().and_then(|s| s.selector.as_ref()).filter(|s| !s.is_empty())
}

pub fn is_headless(svc: &Service) -> bool {
    svc.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()) == Some("None")
}

pub fn publish_not_ready(svc: &Service) -> bool {
    svc.spec.as_ref().and_then(|s| s.publish_not_ready_addresses).unwrap_or(false)
}

/// The pods of `namespace` whose labels match `selector`, found through the index of its first
/// term.
pub fn selected_pods<'a>(
    pods: &'a Cache,
    namespace: &'a str,
    selector: &'a BTreeMap<String, String>,
) -> impl Iterator<Item = &'a Arc<Pod>> + 'a {
    let first = selector.iter().next();
    first
        .into_iter()
        .flat_map(move |(k, v)| pods.labelled(k, v))
        .filter_map(|o| match o {
            Object::Pod(p) => Some(p),
            _ => None,
        })
        .filter(move |p| p.metadata.namespace.as_deref() == Some(namespace))
        .filter(move |p| {
            let labels = labels_of(&p.metadata);
            selector.iter().all(|(k, v)| labels.get(k) == Some(v))
        })
}

/// `ShouldPodBeInEndpoints`: not finished, has an IP, and not terminating unless asked.
pub fn should_pod_be_in_endpoints(pod: &Pod, include_terminating: bool) -> bool {
    let status = pod.status.as_ref();
    if matches!(status.and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed")) {
        return false;
    }
    if status.and_then(|s| s.pod_ip.as_deref()).is_none_or(str::is_empty) {
        return false;
    }
    include_terminating || pod.metadata.deletion_timestamp.is_none()
}

pub fn pod_ip(pod: &Pod) -> &str {
    pod.status.as_ref().and_then(|s| s.pod_ip.as_deref()).unwrap_or("")
}

/// `FindPort`: the container port a Service port targets on this pod; a named target port must be
/// declared, with the same protocol, by one of the pod's containers.
pub fn find_port(pod: &Pod, sp: &ServicePort) -> Option<i32> {
    match sp.target_port.as_ref() {
        None => Some(sp.port),
        Some(IntOrString::Int(p)) => Some(*p),
        Some(IntOrString::String(name)) => {
            let protocol = sp.protocol.as_deref().unwrap_or("TCP");
            let spec = pod.spec.as_ref()?;
            spec.containers
                .iter()
                .flat_map(|c| c.ports.iter().flatten())
                .find(|p| {
                    p.name.as_deref() == Some(name.as_str()) && p.protocol.as_deref().unwrap_or("TCP") == protocol
                })
                .map(|p| p.container_port)
        }
    }
}

/// A resolved port of an endpoint: (name, port, protocol, appProtocol).
pub type ResolvedPort = (String, i32, String, Option<String>);

/// Service port `sp` resolved on `pod`, or None when its named target port is not declared there.
pub fn resolved_port(pod: &Pod, sp: &ServicePort) -> Option<ResolvedPort> {
    let port = find_port(pod, sp)?;
    let protocol = sp.protocol.clone().unwrap_or_else(|| "TCP".into());
    Some((sp.name.clone().unwrap_or_default(), port, protocol, sp.app_protocol.clone()))
}

/// The `targetRef` of a pod's endpoint.
pub fn target_ref(pod: &Pod) -> Option<ObjectReference> {
    Some(ObjectReference {
        kind: Some("Pod".into()),
        namespace: pod.metadata.namespace.clone(),
        name: pod.metadata.name.clone(),
        uid: pod.metadata.uid.clone(),
        ..Default::default()
    })
}

/// The node a pod runs on, if bound.
pub fn node_name(pod: &Pod) -> Option<String> {
    pod.spec.as_ref().and_then(|s| s.node_name.clone()).filter(|n| !n.is_empty())
}

/// The hostname a pod publishes under a Service: `spec.hostname` when its `spec.subdomain` names the
/// Service (StatefulSet pods under their headless Service).
pub fn endpoint_hostname(pod: &Pod, svc: &Service) -> Option<String> {
    let spec = pod.spec.as_ref()?;
    let same = spec.subdomain.as_deref().is_some_and(|s| Some(s) == svc.metadata.name.as_deref());
    spec.hostname.clone().filter(|h| same && !h.is_empty())
}

/// `getPodTriggerTime`: when the pod last became (un)ready, else when it was created.
fn pod_trigger_time(pod: &Pod) -> Option<MetaTime> {
    let ready =
        pod.status.as_ref().and_then(|s| s.conditions.as_ref()).and_then(|c| c.iter().find(|c| c.type_ == "Ready"));
    ready.and_then(|c| c.last_transition_time.clone()).or_else(|| pod.metadata.creation_timestamp.clone())
}

/// Whether a pod change can change endpoints (upstream's `podEndpointsChanged`).
fn endpoint_fields_changed(old: &Pod, new: &Pod) -> bool {
    let key = |p: &Pod| {
        (
            pod_ip(p).to_string(),
            is_pod_ready(p),
            p.metadata.deletion_timestamp.is_some(),
            p.spec.as_ref().and_then(|s| s.node_name.clone()),
            p.spec.as_ref().map(|s| (s.hostname.clone(), s.subdomain.clone())),
            p.status.as_ref().and_then(|s| s.phase.clone()),
        )
    };
    key(old) != key(new)
}

/// The informers and queue both endpoint controllers run, and the routing of changes to Service keys.
#[derive(Debug)]
pub struct Watched {
    pub who: Identity,
    pub services: Informer,
    pub pods: Informer,
    /// The controller's own objects (EndpointSlices or Endpoints).
    pub owned: Informer,
    pub queue: KeyQueue,
    /// The earliest unpublished trigger time per Service key.
    triggers: BTreeMap<String, MetaTime>,
}

impl Watched {
    pub fn new(name: &'static str, owned: Kind) -> Self {
        Watched {
            who: controller_identity(name),
            services: Informer::new(Kind::Service, None, ListOptions::default()),
            pods: Informer::new(Kind::Pod, None, ListOptions::default()).index_by_label(),
            owned: Informer::new(owned, None, ListOptions::default()).index_by_label(),
            queue: KeyQueue::default(),
            triggers: BTreeMap::new(),
        }
    }

    pub fn start(&mut self, ctx: &mut Ctx<'_>) {
        for which in 0..3 {
            let inf = match which {
                0 => &mut self.services,
                1 => &mut self.pods,
                _ => &mut self.owned,
            };
            let deltas = inf.start(ctx.api, &self.who).unwrap_or_default();
            if let Some(id) = inf.watch_id() {
                ctx.own_watch(id);
            }
            for d in &deltas {
                self.route(which, d);
            }
        }
    }

    pub fn stop(&mut self, api: &mut ApiServer) {
        self.services.stop(api);
        self.pods.stop(api);
        self.owned.stop(api);
        self.queue.clear();
        self.triggers.clear();
    }

    pub fn handle(&mut self, events: &[WatchEvent]) {
        for ev in events {
            if let Some(d) = self.services.handle(ev) {
                self.route(0, &d);
            } else if let Some(d) = self.pods.handle(ev) {
                self.route(1, &d);
            } else if let Some(d) = self.owned.handle(ev) {
                self.route(2, &d);
            }
        }
    }

    fn note_trigger(&mut self, key: &str, t: Option<MetaTime>) {
        let Some(t) = t else { return };
        match self.triggers.get(key) {
            Some(old) if old.0 <= t.0 => {}
            _ => {
                self.triggers.insert(key.to_string(), t);
            }
        }
    }

    /// The trigger time to publish for `key`, consumed.
    pub fn take_trigger(&mut self, key: &str) -> Option<MetaTime> {
        self.triggers.remove(key)
    }

    fn route(&mut self, which: u8, delta: &Delta) {
        let obj = delta.object();
        match which {
            0 => {
                let key = object_key(obj);
                if let (Delta::Added(Object::Service(s)), _) = (delta, ()) {
                    self.note_trigger(&key, s.metadata.creation_timestamp.clone());
                }
                self.queue.add(key);
            }
            1 => {
                let Some(pod) = obj.as_pod() else { return };
                let old = match delta {
                    Delta::Updated { old, .. } => old.as_pod(),
                    _ => None,
                };
                if let Some(o) = old
                    && labels_of(&o.metadata) == labels_of(&pod.metadata)
                    && !endpoint_fields_changed(o, pod)
                {
                    return;
                }
                let mut keys = self.services_of(pod);
                if let Some(o) = old {
                    keys.extend(self.services_of(o));
                    keys.sort();
                    keys.dedup();
                }
                let t = pod_trigger_time(pod);
                for k in keys {
                    self.note_trigger(&k, t.clone());
                    self.queue.add(k);
                }
            }
            _ => {
                let ns = obj.namespace().unwrap_or("");
                let service = match obj {
                    Object::EndpointSlice(s) => labels_of(&s.metadata).get(SERVICE_NAME_LABEL).cloned(),
                    _ => Some(obj.name().to_string()),
                };
                if let Some(name) = service {
                    self.queue.add(format!("{ns}/{name}"));
                }
            }
        }
    }

    /// Keys of the Services in the pod's namespace whose selector matches it.
    fn services_of(&self, pod: &Pod) -> Vec<String> {
        let ns = pod.metadata.namespace.as_deref().unwrap_or("");
        let labels = labels_of(&pod.metadata);
        self.services
            .cache()
            .in_namespace(ns)
            .filter(|o| match o {
                Object::Service(s) => selector(s).is_some_and(|sel| sel.iter().all(|(k, v)| labels.get(k) == Some(v))),
                _ => false,
            })
            .map(object_key)
            .collect()
    }
}

/// `kubernetes.io/service-name`.
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

/// The Service at `key` in the cache.
pub fn service_at(cache: &Cache, key: &str) -> Option<Arc<Service>> {
    match cache.get(key) {
        Some(Object::Service(s)) => Some(s.clone()),
        _ => None,
    }
}

/// The labels the endpoints of `svc` carry: the Service's own, plus the headless mark.
pub fn endpoint_labels(svc: &Service) -> BTreeMap<String, String> {
    let mut labels = labels_of(&svc.metadata).clone();
    if is_headless(svc) {
        labels.insert(HEADLESS_LABEL.into(), String::new());
    } else {
        labels.remove(HEADLESS_LABEL);
    }
    labels
}

/// The RFC 3339 text of a trigger time, as the annotation holds it.
pub fn trigger_text(t: &MetaTime) -> String {
    t.0.to_string()
}

/// An endpoint controller: its informers and its per-Service sync. Both run as the same process.
pub trait ServiceSync {
    const NAME: &'static str;
    fn watched(&mut self) -> &mut Watched;
    fn sync_service(&mut self, key: &str, ctx: &mut Ctx<'_>) -> Result<Requeue, SyncError>;

    fn run(&mut self, ctx: &mut Ctx<'_>) {
        let mut queue = std::mem::take(&mut self.watched().queue);
        queue.run(ctx, |key, ctx| self.sync_service(key, ctx));
        self.watched().queue = queue;
    }
}

impl<T: ServiceSync> Process for T {
    fn component(&self) -> Component {
        Component::ControllerManager(T::NAME)
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        self.watched().start(ctx);
        self.run(ctx);
    }

    fn stop(&mut self, api: &mut ApiServer) {
        self.watched().stop(api);
    }

    fn on_events(&mut self, events: &[WatchEvent], ctx: &mut Ctx<'_>) {
        self.watched().handle(events);
        self.run(ctx);
    }

    fn on_timer(&mut self, _token: u64, ctx: &mut Ctx<'_>) {
        self.run(ctx);
    }
}
